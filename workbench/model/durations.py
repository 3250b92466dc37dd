"""Human-friendly durations ("15m", "90d", "1h30m") and rates ("12/h") parsed into seconds.

Scenario authors think in minutes and days; the simulation thinks in seconds. Parsing happens once, at the
boundary, so no other layer ever sees a string duration.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

__all__ = [
    "DURATION_JSON_SCHEMA",
    "UNITS",
    "Duration",
    "OptionalLifetime",
    "Rate",
    "format_duration",
    "parse_duration",
    "parse_rate",
]

UNITS: dict[str, float] = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)")
_WHOLE = re.compile(r"^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+$")
_RATE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)?\s*(s|m|h|d|w)\s*$")
NEVER = ("never", "none", "forever")


def parse_duration(value: Any) -> float:
    """Return seconds for "90s", "15m", "1h30m", "7d", "2w" or a plain non-negative number of seconds."""
    if isinstance(value, bool):
        raise ValueError("expected a duration such as '15m', not a boolean")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError("a duration cannot be negative")
        return float(value)
    if not isinstance(value, str):
        raise ValueError("expected a duration such as '30s', '15m', '1h30m' or '90d'")
    text = value.strip().replace(" ", "")
    if not _WHOLE.match(text):
        raise ValueError(f"'{value}' is not a duration; use a number and a unit (ms, s, m, h, d, w), e.g. '15m'")
    return sum(float(n) * UNITS[u] for n, u in _PART.findall(text))


def _parse_lifetime(value: Any) -> float | None:
    if value is None or (isinstance(value, str) and value.strip().lower() in NEVER):
        return None
    return parse_duration(value)


def parse_rate(value: Any) -> float:
    """Return events per second for "12/h", "3/d", "1/30m" or a plain number (already per second)."""
    if isinstance(value, bool):
        raise ValueError("expected a rate such as '12/h'")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError("a rate cannot be negative")
        return float(value)
    if not isinstance(value, str) or not (match := _RATE.match(value)):
        raise ValueError(f"'{value}' is not a rate; write events per period, e.g. '12/h', '3/d' or '1/30m'")
    count, per, unit = match.groups()
    return float(count) / (float(per or 1) * UNITS[unit])


def format_duration(seconds: float | None) -> str:
    """The shortest exact human form of a duration, for reports ("1h30m", "never")."""
    if seconds is None:
        return "never"
    if seconds == 0:
        return "0s"
    if seconds < 1:
        return f"{seconds * 1000:g}ms"
    parts = []
    rest = seconds
    for unit in ("d", "h", "m"):
        size = UNITS[unit]
        whole = int(rest // size)
        if whole:
            parts.append(f"{whole}{unit}")
            rest -= whole * size
    if rest or not parts:
        parts.append(f"{rest:.3g}s" if rest != int(rest) else f"{int(rest)}s")
    return "".join(parts)


DURATION_JSON_SCHEMA = {
    "anyOf": [
        {"type": "string", "pattern": r"^\s*(\d+(\.\d+)?\s*(ms|s|m|h|d|w)\s*)+$"},
        {"type": "number", "minimum": 0},
    ],
    "description": "A duration: a number of seconds or a string such as '30s', '15m', '1h30m', '90d'.",
}

Duration = Annotated[
    float,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str),
    WithJsonSchema(DURATION_JSON_SCHEMA),
]
"""Seconds, written in YAML as '15m' and friends."""

OptionalLifetime = Annotated[
    float | None,
    BeforeValidator(_parse_lifetime),
    PlainSerializer(format_duration, return_type=str),
    WithJsonSchema(
        {
            "anyOf": [*DURATION_JSON_SCHEMA["anyOf"], {"enum": list(NEVER)}, {"type": "null"}],
            "description": "A duration, or 'never' for credentials that do not expire.",
        }
    ),
]
"""Seconds, or None for 'never'."""

Rate = Annotated[
    float,
    BeforeValidator(parse_rate),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": r"^\s*\d+(\.\d+)?\s*/\s*(\d+(\.\d+)?)?\s*(s|m|h|d|w)\s*$"},
                {"type": "number", "minimum": 0},
            ],
            "description": "Events per period, e.g. '12/h', '3/d', '1/30m', or a number per second.",
        }
    ),
]
"""Events per second, written in YAML as '12/h'."""
