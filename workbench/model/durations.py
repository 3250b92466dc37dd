"""Human-friendly durations ("15m", "90d", "1h30m") and rates ("12/h") parsed into seconds.

Scenario authors think in minutes and days; the simulation thinks in seconds. Parsing happens once, at the
boundary, so no other layer ever sees a string duration.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

__all__ = [
    "DURATION_JSON_SCHEMA",
    "MAX_DURATION",
    "MAX_RATE",
    "UNITS",
    "Duration",
    "OptionalLifetime",
    "Rate",
    "format_duration",
    "parse_duration",
    "parse_rate",
    "serialise_duration",
]

UNITS: dict[str, float] = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)")
_WHOLE = re.compile(r"^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+$")
_RATE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)?\s*(s|m|h|d|w)\s*$")
NEVER = ("never", "none", "forever")
MAX_DURATION = 36500 * 86400.0
"""The longest duration a scenario may give (100 years; credentials that never expire say 'never')."""
MAX_RATE = 1000.0
"""The highest rate, in events per second (3.6 million an hour); the work budget bounds what a run does."""
_MAX_TEXT = 100


def _shown(value: Any) -> str:
    """A value for a message: quoted with escapes, and cut so a huge value cannot flood it."""
    if isinstance(value, str) and len(value) > _MAX_TEXT:
        value = value[:_MAX_TEXT] + "…"
    return repr(value)


def parse_duration(value: Any) -> float:
    """Return seconds for "90s", "15m", "1h30m", "7d", "2w" or a plain non-negative number of seconds.

    NaN, infinity and anything beyond `MAX_DURATION` are refused: every duration of a valid scenario is a
    finite number a simulation can reach.
    """
    if isinstance(value, bool):
        raise ValueError("expected a duration such as '15m', not a boolean")
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"a duration must be a finite number of seconds, not {value!r}")
        if value < 0:
            raise ValueError("a duration cannot be negative")
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip().replace(" ", "")
        if not _WHOLE.match(text):
            raise ValueError(
                f"{_shown(value)} is not a duration; use a number and a unit (ms, s, m, h, d, w), e.g. '15m'"
            )
        seconds = sum(float(n) * UNITS[u] for n, u in _PART.findall(text))
    else:
        raise ValueError("expected a duration such as '30s', '15m', '1h30m' or '90d'")
    if not seconds <= MAX_DURATION:  # also catches a sum that overflowed to infinity
        raise ValueError(f"{_shown(value)} is longer than the limit of 36500d (100 years)")
    return seconds


def _parse_lifetime(value: Any) -> float | None:
    if value is None or (isinstance(value, str) and value.strip().lower() in NEVER):
        return None
    return parse_duration(value)


def parse_rate(value: Any) -> float:
    """Return events per second for "12/h", "3/d", "1/30m" or a plain number (already per second).

    A period of zero (`1/0s`), NaN, infinity and rates above `MAX_RATE` are refused.
    """
    if isinstance(value, bool):
        raise ValueError("expected a rate such as '12/h'")
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"a rate must be a finite number of events per second, not {value!r}")
        if value < 0:
            raise ValueError("a rate cannot be negative")
        rate = float(value)
    elif isinstance(value, str) and (match := _RATE.match(value)):
        count, per, unit = match.groups()
        period = float(per or 1) * UNITS[unit]
        if period == 0:
            raise ValueError(f"{_shown(value)} has a period of zero; write events per period, e.g. '12/h'")
        rate = float(count) / period
    else:
        raise ValueError(f"{_shown(value)} is not a rate; write events per period, e.g. '12/h', '3/d' or '1/30m'")
    if not rate <= MAX_RATE:
        raise ValueError(f"{_shown(value)} is more than the limit of {MAX_RATE:g} events per second")
    return rate


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


def serialise_duration(seconds: float | None) -> str | float:
    """A duration as it is written back to YAML or JSON: the human form when that reads back exactly
    ("15m", "1h30m"), otherwise the number of seconds itself, so a dump always reloads to the same value."""
    text = format_duration(seconds)
    if seconds is None:
        return text
    try:
        exact = parse_duration(text) == seconds
    except ValueError:  # tiny values print with an exponent, which the duration syntax does not have
        exact = False
    return text if exact else seconds


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
    PlainSerializer(serialise_duration, when_used="json"),
    WithJsonSchema(DURATION_JSON_SCHEMA),
]
"""Seconds, written in YAML as '15m' and friends."""

OptionalLifetime = Annotated[
    float | None,
    BeforeValidator(_parse_lifetime),
    PlainSerializer(serialise_duration, when_used="json"),
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
