"""Progress reporting: a small protocol the library calls, and a terminal bar for the CLI.

The library reports through ``Progress`` (a callable taking the number of finished steps);
the command line shows a rich bar on stderr, the app its own ``st.progress``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

Advance = Callable[[], None]


@contextmanager
def progress_bar(total: int, label: str) -> Iterator[Advance]:
    """A progress bar on stderr; yields the function to call after each finished step."""
    console = Console(stderr=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task(label, total=total)
        yield lambda: bar.advance(task)
