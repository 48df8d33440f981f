"""A release's dates at the ends of the calendar: answered with a refusal or whole periods,
never a server error (the API once answered 500 to ``until: 0001-01-01``)."""

from __future__ import annotations

from datetime import date

import pytest

from organize.exports.releases import ExportError, ReleaseRequest, snap

TODAY = date(2026, 12, 5)


def test_until_the_first_day_of_the_calendar_is_refused_as_not_closed():
    with pytest.raises(ExportError) as refused:
        snap(ReleaseRequest(until=date(1, 1, 1)), TODAY)
    assert refused.value.code == "not_closed"


def test_until_the_last_day_of_the_calendar_ends_at_the_last_closed_period():
    snapped, window, notes = snap(ReleaseRequest(until=date(9999, 12, 31)), TODAY)
    assert window.last < TODAY and [n.code for n in notes if n.code == "open_period"]


def test_until_a_closed_day_ends_with_its_quarter():
    snapped, window, notes = snap(ReleaseRequest(until=date(2025, 2, 10)), TODAY)
    assert window.grain == "quarter" and window.last == date(2025, 3, 31)
    assert [(n.code, n.released) for n in notes if n.code == "until"] == [("until", "2025-03-31")]
