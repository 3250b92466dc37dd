"""DataFrames as tables a reader can read in a notebook: numbers to about three significant digits with
thousands separated, durations and simulated clock times in human form, "–" for what has no value, and long
frames cut with a caption that says so (no "5 rows × 42 columns", no 6 decimals, no NaN or -inf).

`table(frame)` returns a pandas `Styler`, which Jupyter renders as HTML; the frame itself is untouched, so
the numbers stay exact for whoever computes with them. Unlike a DataFrame's own HTML, a Styler escapes
nothing, so every cell, index label and caption goes through `workbench.escaping.html_text`: a finding's
message or an imported name is shown, never run, in the notebook.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Sequence
from typing import Any

import pandas as pd
from pandas.io.formats.style import Styler

from workbench.escaping import html_text
from workbench.model import format_duration

__all__ = ["CLOCK_COLUMNS", "format_clock", "format_number", "table"]

CLOCK_COLUMNS: frozenset[str] = frozenset(
    {
        "since_s", "until_s", "time_s", "at_s", "arrival_s", "start_s", "end_s", "compromised_s", "detected_s",
        "contained_s", "revoked_s", "issued_s", "expires_s",
    }
)  # fmt: skip
"""Columns holding a moment of simulated time (seconds since the run started), not a duration."""

_MISSING = "–"


def format_number(value: Any) -> str:
    """About three significant digits, thousands separated; whole numbers whole; "–" for NaN and None.

    Not `workbench.report.numbers.fmt`, on purpose: that one fixes decimals by magnitude for the committed
    reports (0.0369 prints "0.04", 5.0 "5.00"), which a notebook's exploring reader would find too coarse;
    changing either changes what the other's readers rely on (reports are golden bytes).
    """
    if value is None or isinstance(value, bool):
        return _MISSING if value is None else ("yes" if value else "no")
    if not isinstance(value, int | float):
        return str(value)
    if isinstance(value, float) and math.isnan(value):
        return _MISSING
    if isinstance(value, float) and math.isinf(value):
        return "∞" if value > 0 else "−∞"
    magnitude = abs(value)
    if float(value).is_integer() and magnitude < 1e15:
        return f"{int(value):,}"
    if magnitude >= 100:
        return f"{value:,.0f}"
    if magnitude >= 0.01:
        return f"{value:.3g}"
    return f"{value:.2e}"


def format_clock(seconds: Any) -> str:
    """A moment of simulated time, as days and clock time since the run began ("6d 00:43:28"); before the
    run (standing access) or never, in words."""
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
        return _MISSING
    if seconds == -math.inf:
        return "before the run (standing)"
    if seconds == math.inf:
        return "never"
    whole = round(float(seconds))
    days, rest = divmod(whole, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{days}d {hours:02d}:{minutes:02d}:{secs:02d}"


def _format_seconds(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return _MISSING
    if isinstance(value, float) and math.isinf(value):
        return "never" if value > 0 else _MISSING
    return format_duration(float(value))


def _escaped(format_value: Callable[[Any], str]) -> Callable[[Any], str]:
    """`format_value`, its text HTML-escaped: the Styler puts what a formatter returns into HTML as it is."""
    return lambda value: str(html_text(format_value(value)))


def _escaped_names(names: Sequence[Any]) -> list[Any]:
    """Axis names (the Styler shows them as they are) HTML-escaped; an unnamed level stays unnamed."""
    return [None if name is None else str(html_text(name)) for name in names]


def table(
    frame: pd.DataFrame,
    *,
    max_rows: int = 20,
    columns: Sequence[str] | None = None,
    clock_columns: Collection[str] = CLOCK_COLUMNS,
    caption: str | None = None,
) -> Styler:
    """`frame` (or its `columns`) as a formatted table of at most `max_rows` rows.

    Columns named `*_s` read as durations ("1m30s"), those of `clock_columns` as simulated clock times, other
    numbers through `format_number`; the index is shown only when it means something (not row numbers).
    """
    shown = frame if columns is None else frame[list(columns)]
    total = len(shown)
    cut = shown.head(max_rows)
    cut = cut.rename_axis(index=_escaped_names(cut.index.names), columns=_escaped_names(cut.columns.names))
    formatters: dict[Any, Any] = {}
    for column in cut.columns:
        name = str(column[-1] if isinstance(column, tuple) else column)
        if name in clock_columns:
            formatters[column] = _escaped(format_clock)
        elif name.endswith("_s") and pd.api.types.is_numeric_dtype(cut[column]):
            formatters[column] = _escaped(_format_seconds)
        else:
            formatters[column] = _escaped(format_number)
    styler = cut.style.format(formatters, na_rep=_MISSING)
    styler = styler.format_index(_escaped(format_number), axis=0)
    styler = styler.format_index(escape="html", axis=1)  # column labels: text escaped, numbers as pandas shows them
    if cut.index.nlevels == 1 and cut.index.name is None and pd.api.types.is_integer_dtype(cut.index):
        styler = styler.hide(axis="index")  # row numbers (a sorted frame's too) say nothing
    notes = [caption] if caption else []
    if total > len(cut):
        notes.append(f"the first {len(cut)} of {total:,} rows")
    if notes:
        styler = styler.set_caption(str(html_text("; ".join(notes))))
    return styler.set_table_styles([{"selector": "caption", "props": "caption-side: bottom"}])
