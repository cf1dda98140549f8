"""CSV exports a spreadsheet can open safely: one writer for the page's downloads and the CLI.

Text cells and column headers that a spreadsheet would run as a formula (starting with ``=``,
``+``, ``-``, ``@``, tab or carriage return) get a leading apostrophe, as OWASP's CSV-injection
advice says; numeric columns are written as numbers, negatives included. Lines end with CRLF
(RFC 4180), which makes the writer quote any cell holding a bare carriage return, so a file
re-reads with exactly its rows.
"""

from __future__ import annotations

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: object) -> object:
    """A text cell as a spreadsheet will show it, never run it."""
    if isinstance(text, str) and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with formula-like headers and text cells neutralised; numbers untouched."""
    out = frame.copy()
    out.columns = [neutralise(str(name)) for name in frame.columns]
    for position, name in enumerate(frame.columns):
        column = frame[name]
        if not pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            out.isetitem(position, column.astype(object).map(neutralise))
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as UTF-8 CSV bytes, safe to open in a spreadsheet and to read back."""
    return safe_frame(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8")
