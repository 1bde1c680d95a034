"""Progress reporting: the small protocol every long operation of the library calls.

A long operation (batch, lottery, roster composition, trade-offs, sweep) takes a
``ProgressFactory``: called with the number of steps and a plain label, it returns a context
manager that yields an ``Advance``, which the operation calls as steps finish (``advance(3)`` for
three at once). The command line implements the factory with a rich bar on stderr, the app with
Streamlit's progress bar; the library's default, ``silent_progress``, shows nothing.

**Stopping.** A long operation also takes an optional ``CancelToken``. Another thread (the app's Stop
button) calls ``cancel()``; the operation looks at the token only at its safe points (between two
pricing problems, two scenarios, two solves), so it never leaves a half-changed model behind. There
it either returns its best result so far, marked as stopped (the lotteries, roster composition, the
trade-off frontier, the sweep), or, when it has nothing usable yet, raises
``matching.core.errors.Cancelled``. Every solve between two safe points has its own deterministic
budget, so a stop takes effect within one such solve. ``cancellable`` turns a progress factory into
one whose every ``advance`` is also a safe point that raises ``Cancelled``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

from matching.core.errors import Cancelled


class Advance(Protocol):
    """Report that ``steps`` more steps are done."""

    def __call__(self, steps: int = 1, /) -> None: ...


class ProgressFactory(Protocol):
    """Open a progress report of ``total`` steps under ``label``."""

    def __call__(self, total: int, label: str, /) -> AbstractContextManager[Advance]: ...


def _nothing(steps: int = 1, /) -> None:
    return None


@contextmanager
def silent_progress(total: int, label: str, /) -> Iterator[Advance]:
    """A progress factory that shows nothing (the library's default)."""
    yield _nothing


class CancelToken:
    """A request to stop, set from any thread and read by the operation at its safe points."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        """Ask the operation to stop at its next safe point."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        """Raise ``Cancelled`` if a stop was asked for (a safe point with nothing to return)."""
        if self._event.is_set():
            raise Cancelled()


def stop_asked(token: CancelToken | None) -> bool:
    """Whether ``token`` (if any) asks to stop."""
    return token is not None and token.cancelled


def cancellable(progress: ProgressFactory | None, token: CancelToken | None) -> ProgressFactory:
    """``progress`` (or ``silent_progress``) whose every ``advance`` first checks ``token`` and raises
    ``Cancelled`` when a stop was asked for."""
    inner = progress or silent_progress
    if token is None:
        return inner

    @contextmanager
    def factory(total: int, label: str, /) -> Iterator[Advance]:
        token.check()
        with inner(total, label) as advance:

            def checked(steps: int = 1, /) -> None:
                advance(steps)
                token.check()

            yield checked

    return factory
