"""The decisions database's base error, in a module of its own so that the store
(``matching.records.store``) and the sign-in (``matching.records.users``), which the store builds
on, can both derive from it without importing each other.
"""

from __future__ import annotations

from matching.core.errors import MatchingError


class StoreError(MatchingError):
    """The decisions database could not do what was asked; the message says why in plain words."""

    code = "store"
