"""The one CSV writer of the project: cells a spreadsheet cannot run, rows a line break cannot split.

Every CSV file the command line writes and every CSV the app offers for download goes through
``csv_document`` (text; ``frame_document`` for a table of the app) or ``write_csv`` (a file, written atomically by
``matching.io.out_paths.write_file``). Demo input data (``demo-data``) is data, not an export,
and keeps its own writer.

The rules, applied to every cell, the header included:

* **Formulas.** A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
  return would be run (or trimmed into something run) by a spreadsheet; ``safe_cell`` puts a
  single quote ``'`` in front, so it is shown as text (``=1+2`` → ``'=1+2``).
* **Numbers stay numbers.** A text cell that is a plain decimal number as the project writes
  numbers (an optional leading minus, digits, an optional fraction and exponent: ``-0.5``,
  ``-12``, ``-1e-07``) is left as it is: a spreadsheet reads it as a number, never as a formula.
  ``-1+2``, ``+1`` or ``-A1`` are not such numbers and get the quote. Python numbers (``int``,
  ``float``, numpy numbers) are written as numbers (``str``), never quoted; NaN as an empty cell.
* **Other cells.** ``None`` is an empty cell; a Python boolean is ``True`` or ``False`` (the report
  tables hold ``true``/``false`` text, see ``matching.reports.neutrality.csv_text``).
* **Line breaks.** Rows end with ``\\r\\n``; a cell holding a line feed or a carriage return
  (anywhere, e.g. inside a note) is put in double quotes (``csv.QUOTE_MINIMAL``), so it never
  splits the row for a CSV reader.

Files are UTF-8 without a byte-order mark.
"""

from __future__ import annotations

import csv
import io
import math
import numbers
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from matching.io.out_paths import write_file

if TYPE_CHECKING:
    import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
LINE_TERMINATOR = "\r\n"
_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def is_plain_number(text: str) -> bool:
    """Whether ``text`` is a plain decimal number (``-0.5``, ``3``, ``-1e-07``): kept as it is."""
    return _NUMBER.fullmatch(text) is not None


def safe_cell(value: str) -> str:
    """Spreadsheets run cells that start with = + - @ (or a tab or CR before them); a leading quote keeps them text.

    A plain number such as ``-0.5`` is left alone (see the module docstring).
    """
    if value.startswith(FORMULA_PREFIXES) and not is_plain_number(value):
        return "'" + value
    return value


def cell_text(value: object) -> str:
    """The text of one cell under the rules of the module docstring."""
    if value is None:
        return ""
    if isinstance(value, str):
        return safe_cell(value)
    if isinstance(value, bool):
        return str(value)  # True / False, as pandas and the csv module write them
    if isinstance(value, numbers.Real):
        if isinstance(value, float) and math.isnan(value):
            return ""
        return str(value)
    return safe_cell(str(value))


def csv_document(
    columns: Sequence[str], rows: Iterable[Sequence[object]], line_terminator: str = LINE_TERMINATOR
) -> str:
    """A whole CSV document (header, then one line per row) as text, every cell made safe."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator=line_terminator)
    width = len(columns)
    writer.writerow([cell_text(c) for c in columns])
    for row in rows:
        cells = [cell_text(v) for v in row]
        if len(cells) != width:
            raise ValueError(f"a CSV row has {len(cells)} cells for {width} columns")
        writer.writerow(cells)
    return out.getvalue()


def frame_document(frame: pd.DataFrame) -> str:
    """A table of the app (a pandas DataFrame, without its index) as CSV text, under the same rules."""
    data = frame.to_dict(orient="split")["data"]  # native Python values, not numpy scalars
    return csv_document([str(c) for c in frame.columns], data)


def write_csv(
    path: os.PathLike[str] | str,
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    line_terminator: str = LINE_TERMINATOR,
) -> Path:
    """Write ``csv_document(columns, rows, line_terminator)`` to ``path`` whole and atomically; return the path.

    The bundled demo data keeps its plain ``\\n`` line ends (its files are compared byte for byte)."""
    return write_file(path, csv_document(columns, rows, line_terminator))
