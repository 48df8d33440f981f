"""Releases without a database: snapping to whole closed periods, the layout of a table,
labels, and the cell-key perturbation (hypothesis)."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from organize.exports import cellkey
from organize.exports.releases import ReleaseRequest, grouping_sets, measurement_key, snap
from organize.exports.trends import ExportError, period_label, place_label

TODAY = date(2026, 5, 17)


def test_labels():
    assert period_label(date(2025, 2, 1), "month") == "2025-02"
    assert period_label(date(2025, 5, 1), "quarter") == "2025-Q2"
    assert period_label(date(2025, 5, 1), "year") == "2025"
    assert place_label("BD-DHA", "country") == "BD" and place_label("HK", "region") == "HK"


@settings(max_examples=200, deadline=None)
@given(since=st.dates(date(2020, 1, 1), date(2026, 3, 31)),
       span=st.integers(0, 900), grain=st.sampled_from(["month", "quarter", "year"]))
def test_any_dates_snap_to_whole_closed_periods(since, span, grain):
    until = since + timedelta(days=span)
    ask = ReleaseRequest(by=("period", "place"), grains={"period": grain}, since=since, until=until)
    try:
        snapped, window, _notes = snap(ask, TODAY)
    except ExportError as e:
        assert e.code == "not_closed"
        return
    first, last = snapped.since, snapped.until
    assert first <= since and first.day == 1
    assert (last + timedelta(days=1)).day == 1  # the last day of a period
    assert last < TODAY and last <= max(until, last)
    assert period_label(first, grain) == period_label(since, grain)
    # Moving ``until`` by a day inside the same period asks for the very same numbers.
    if until + timedelta(days=1) <= last:
        other, _, _ = snap(ReleaseRequest(by=("period", "place"), grains={"period": grain},
                                          since=since, until=until + timedelta(days=1)), TODAY)
        assert measurement_key(other) == measurement_key(snapped)


def test_a_running_period_is_cut_and_said():
    snapped, _, notes = snap(ReleaseRequest(by=("place",), grains={"period": "quarter"},
                                            since=date(2025, 11, 3), until=date(2026, 5, 1)), TODAY)
    assert snapped.by == ("period", "place")
    assert (snapped.since, snapped.until) == (date(2025, 10, 1), date(2026, 3, 31))
    assert [n.code for n in notes] == ["period_added", "open_period", "since"]


def test_k_and_format_do_not_change_the_measurement_but_epsilon_does():
    base = ReleaseRequest(since=date(2025, 1, 1), until=date(2025, 12, 31))
    a, _, _ = snap(base, TODAY)
    from dataclasses import replace

    b, _, _ = snap(replace(base, k=20, fmt="csv"), TODAY)
    c, _, _ = snap(replace(base, epsilon=0.5), TODAY)
    assert measurement_key(a) == measurement_key(b) != measurement_key(c)


def test_margins_stay_inside_a_period():
    assert grouping_sets(("period", "place", "sector", "category")) == [
        ("period", "place", "sector", "category"), ("period", "place", "sector"),
        ("period", "category"), ("period",)]
    assert grouping_sets(("period",)) == [("period",)]
    assert all(s[0] == "period" for s in grouping_sets(("period", "stage", "outcome")))


@pytest.mark.parametrize("epsilon", [10.0, 1.01, 0.0, float("nan")])
def test_epsilon_outside_the_cap_is_refused(epsilon):
    with pytest.raises(ExportError) as e:
        ReleaseRequest(epsilon=epsilon).check()
    assert e.value.field == "epsilon"


@settings(max_examples=300, deadline=None)
@given(n=st.integers(0, 10_000), key=st.integers(0, cellkey.MODULUS - 1))
def test_the_perturbation_is_bounded_and_never_makes_or_hides_a_zero(n, key):
    v = cellkey.perturb(n, key)
    assert v == cellkey.perturb(n, key)  # a fixed function: the same cell, the same value
    assert abs(v - n) <= cellkey.MAX_NOISE
    assert (v == 0) == (n == 0)


def test_the_perturbation_has_the_stated_distribution():
    seen = Counter(cellkey.perturb(50, key) - 50 for key in range(cellkey.MODULUS))
    shares = {d: round(c / cellkey.MODULUS, 3) for d, c in seen.items()}
    assert shares == {-3: 0.001, -2: 0.099, -1: 0.2, 0: 0.4, 1: 0.2, 2: 0.099, 3: 0.001}
    assert pytest.approx(0.802) == cellkey.MEAN_ABSOLUTE_ERROR
    assert cellkey.description()["noise"] == {str(d): s for d, s in sorted(shares.items())}


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 50])
def test_the_table_refines_the_first_one_only_in_its_outer_slivers(n):
    """A table released under the first perturbation table and the same table under this one
    differ only where this one drew its outermost noise, and there by one, the same way."""
    moved = 0
    for key in range(cellkey.MODULUS):
        now, first = cellkey.perturb(n, key), cellkey.FIRST_TABLE.perturb(n, key)
        if now != first:
            moved += 1
            assert abs(now - n) == cellkey.MAX_NOISE and abs(now - first) == 1
            assert (now - n) * (first - n) > 0
    assert moved <= 2 * (65 + 2)  # the two slivers of 1/1000 and the keys past the last bound
