from __future__ import annotations

import re
from datetime import date

import pytest

from f1lake.transform import parse_clock, parse_date, parse_duration_ms, parse_float, parse_int


@pytest.mark.parametrize(
    ("text", "millis"),
    [
        ("1:25:33.607", 5_133_607),  # a winner's race time
        ("33:17.667", 1_997_667),  # a sprint winner's
        ("1:27.452", 87_452),  # a lap
        ("1:11.7", 71_700),  # historical tenths
        ("1:06.70", 66_700),  # historical hundredths
        ("59.999", 59_999),
        ("2:03:10", 7_390_000),
    ],
)
def test_durations_in_every_published_precision(text, millis):
    assert parse_duration_ms(text) == millis


@pytest.mark.parametrize("text", ["+5.478", "+1:07.667", "1:2x.4", "", "1:75.000", "DNF"])
def test_gaps_and_garbage_are_not_durations(text):
    with pytest.raises(ValueError, match=re.escape(repr(text))):
        parse_duration_ms(text)


def test_gap_error_says_it_is_a_gap():
    with pytest.raises(ValueError, match="gap"):
        parse_duration_ms("+5.478")


def test_numbers_dates_and_clock():
    assert parse_int("0") == 0
    assert parse_float("0.5") == 0.5
    assert parse_float("20.5") == 20.5
    assert parse_date("2023-07-02") == date(2023, 7, 2)
    assert parse_clock("13:00:00Z") == "13:00:00"
    assert parse_clock("05:30:00") == "05:30:00"
    for bad, fn in [
        ("1.0", parse_int),
        ("x", parse_int),
        ("nan", parse_float),
        ("02/07/2023", parse_date),
        ("25:00:00Z", parse_clock),
        (True, parse_int),
    ]:
        with pytest.raises(ValueError):
            fn(bad)
