"""Parsers for the Ergast value formats: every number is a string, times come in several
shapes and precisions. Each raises ValueError with a reason that reads after the field name
("grid 'x' is not an integer").
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

_INT_RE = re.compile(r"^[+-]?\d+$")
_DURATION_RE = re.compile(r"^(?:(?:(?P<h>\d+):)?(?P<m>\d{1,2}):)?(?P<s>\d{1,2}(?:\.\d+)?)$")
_CLOCK_RE = re.compile(r"^(?P<hms>\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?(?:Z|[+-]00:?00)?$")


def parse_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _INT_RE.match(value.strip()):
        return int(value)
    raise ValueError(f"{value!r} is not an integer")


def parse_float(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            pass
        else:
            if number.is_finite():
                return float(number)
    raise ValueError(f"{value!r} is not a number")


def parse_date(value: Any) -> date:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)")


def parse_duration_ms(value: Any) -> int:
    """A lap or race time ("1:25:33.607", "33:17.667", "1:27.452", "1:11.7") in milliseconds.

    A gap ("+5.478") is refused: it is relative to the winner, not a time of its own.
    """
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a time")
    text = value.strip()
    if text.startswith("+"):
        raise ValueError(f"{value!r} is a gap to the leader, not a time")
    m = _DURATION_RE.match(text)
    if not m:
        raise ValueError(f"{value!r} is not a time (expected [[h:]m:]s[.fff])")
    hours, minutes = int(m["h"] or 0), int(m["m"] or 0)
    if (m["h"] is not None and minutes >= 60) or (m["m"] is not None and Decimal(m["s"]) >= 60):
        raise ValueError(f"{value!r} is not a time (minutes or seconds out of range)")
    seconds = Decimal(m["s"])
    total = (hours * 3600 + minutes * 60) * 1000 + seconds * 1000
    return int(total.to_integral_value())


def parse_clock(value: Any) -> str:
    """A UTC time of day ("13:00:00Z") as "HH:MM:SS"."""
    if isinstance(value, str):
        m = _CLOCK_RE.match(value.strip())
        if m:
            hms = m["hms"] if m["hms"].count(":") == 2 else m["hms"] + ":00"
            h, mi, s = (int(p) for p in hms.split(":"))
            if h < 24 and mi < 60 and s < 60:
                return hms
    raise ValueError(f"{value!r} is not a UTC time of day (HH:MM:SSZ)")


def parse_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    raise ValueError(f"{value!r} is not a string")
