"""Fixed number formatting: the same value prints the same way in every output, on every platform.

Byte-identical reports depend on it: floats never go through `repr` (whose digits follow the last bit of a
sum), and results.json rounds to a fixed number of significant digits.
"""

from __future__ import annotations

import json
import math
from typing import Any

from workbench.escaping import json_safe

__all__ = [
    "JSON_DIGITS",
    "PRETTY_LIMIT",
    "fmt",
    "fmt_ci",
    "fmt_count",
    "fmt_pct",
    "fmt_ratio",
    "fmt_signed",
    "json_number",
    "json_text",
]

PRETTY_LIMIT = 1000
"""Above this many findings JSON outputs are written compact: indenting is pure-Python in the json module
(ten times slower) and doubles the size, while nobody reads a 20,000-result file by eye."""

JSON_DIGITS = 6
"""Significant digits kept in results.json and SARIF: beyond Monte Carlo precision, below float noise."""


def json_number(value: float | int | None) -> float | int | None:
    """A JSON-safe number: ints unchanged, floats rounded to `JSON_DIGITS` significant digits, NaN/inf -> None."""
    if value is None or isinstance(value, bool):
        return None if value is None else int(value)
    if isinstance(value, int):
        return value
    value = float(value)
    if not math.isfinite(value):
        return None
    rounded = float(f"{value:.{JSON_DIGITS}g}")
    return 0.0 if rounded == 0 else rounded  # no "-0.0"


def fmt(value: float | int | None) -> str:
    """A number for people: thousands separated, about three significant digits, never scientific notation,
    '–' for missing.

    >>> fmt(1234.5), fmt(0.5), fmt(0.0042), fmt(0.000031), fmt(-0.00125)
    ('1,234', '0.50', '0.0042', '0.000031', '-0.0013')
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    magnitude = abs(value)
    if magnitude == 0:
        return "0"
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 0.01:
        return f"{value:.2f}"
    # two significant digits in positional notation: tables never show scientific notation
    return f"{value:.{1 - math.floor(math.log10(magnitude))}f}"


def fmt_count(count: int, singular: str, plural: str | None = None) -> str:
    """`1 agent`, `3 agents`, `1,200 control designs`: a count with its noun in the right number.

    >>> fmt_count(1, "agent"), fmt_count(2, "secret"), fmt_count(0, "policy", "policies")
    ('1 agent', '2 secrets', '0 policies')
    """
    noun = singular if count == 1 else (plural or singular + "s")
    return f"{fmt(count)} {noun}"


def fmt_signed(value: float | None) -> str:
    """A difference with its sign: '+12.5', '-3.10', '0'."""
    text = fmt(value)
    return "+" + text if value is not None and math.isfinite(value) and value > 0 else text


def fmt_ci(low: float | None, high: float | None) -> str:
    """A 95% confidence interval as '[low, high]'."""
    return f"[{fmt(low)}, {fmt(high)}]"


def fmt_ratio(value: float | None) -> str:
    """A ratio to the baseline as '×0.12'."""
    if value is None or not math.isfinite(value):
        return "–"
    if 0 < abs(value) < 0.01:
        return f"×{fmt(value)}"
    return f"×{value:.2f}" if value < 100 else f"×{value:,.0f}"


def fmt_pct(value: float | None) -> str:
    """A relative change as '+12.3%'."""
    if value is None or not math.isfinite(value):
        return "–"
    return f"{value:+.1f}%"


def json_text(document: Any, *, items: int) -> str:
    """JSON text of `document` with a final newline: indented when `items` <= PRETTY_LIMIT, compact above;
    controls JSON leaves raw are escaped (`workbench.escaping.json_safe`)."""
    if items <= PRETTY_LIMIT:
        return json_safe(json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False)) + "\n"
    return json_safe(json.dumps(document, separators=(",", ":"), ensure_ascii=False, allow_nan=False)) + "\n"
