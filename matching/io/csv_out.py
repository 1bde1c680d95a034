"""Writing CSV that spreadsheets cannot turn against their reader.

Spreadsheets run a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula; ``safe_cell``
keeps such a cell text.
"""

from __future__ import annotations

FORMULA_PREFIXES = ("=", "+", "-", "@")


def safe_cell(value: str) -> str:
    """Spreadsheets run cells that start with = + - @; a leading quote keeps them text."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value
