"""Trend tables without a database: layout, ladder order and the disclosure rules on
random tables (hypothesis)."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from organize.domain import load_taxonomy
from organize.exports.disclosure import solvable
from organize.exports.trends import (
    FineRow,
    TrendSpec,
    aggregate,
    candidate_grains,
    choose,
    period_label,
    place_label,
    suppressed_share,
    tabulate,
)

TAX = load_taxonomy()
PLACES = ["HK", "HK-KLN", "BD-DHA", "NP"]
CATS = ["wages_unpaid_late", "excessive_hours", "documents_confiscated", "verbal_abuse"]

rows_strategy = st.lists(st.builds(
    FineRow, month=st.dates(date(2023, 1, 1), date(2024, 12, 1)).map(lambda d: d.replace(day=1)),
    place=st.sampled_from(PLACES), category=st.sampled_from(CATS),
    sector=st.sampled_from(["domestic_care", "garment"]), stage=st.just("destination"),
    outcome=st.sampled_from([None, "wages_recovered", "deported"]), escalated=st.booleans(),
    n=st.integers(1, 30)), max_size=60)


@settings(max_examples=60, deadline=None)
@given(rows=rows_strategy, k=st.integers(5, 15),
       by=st.sampled_from([("period", "category"), ("place", "sector", "category"),
                           ("period", "outcome"), ("escalation",)]))
def test_published_tables_keep_every_rule(rows, k, by):
    grains = {"period": "quarter", "place": "country", "category": "group"}
    counts = aggregate(rows, by, grains, TAX)
    table = tabulate(counts, by, grains, k)
    records = table.records()
    published = [r["count"] for r in records if r["count"] is not None]
    assert all(n == 0 or n >= k for n in published)
    assert solvable(table.result) == []
    assert all("deported" not in r.values() for r in records)  # withheld, not published
    grand = [r for r in records if all(r[d] == "all" for d in by)]
    assert len(grand) == 1
    if grand[0]["count"] is not None:
        assert grand[0]["count"] == sum(r.n for r in rows)


def test_labels():
    assert period_label(date(2024, 5, 1), "month") == "2024-05"
    assert period_label(date(2024, 5, 1), "quarter") == "2024-Q2"
    assert period_label(date(2024, 5, 1), "year") == "2024"
    assert place_label("HK-KLN", "country") == "HK" and place_label("HK-KLN", "region") == "HK-KLN"


def test_the_ladder_goes_from_fine_to_coarse_and_respects_pinned_grains():
    spec = TrendSpec(by=("period", "place", "category"))
    ladder = candidate_grains(spec)
    assert ladder[0] == {"period": "month", "place": "region", "category": "category"}
    assert ladder[-1] == {"period": "year", "place": "country", "category": "group"}
    assert len(ladder) == 12
    # Among one step of coarsening, time goes first.
    assert ladder[1] == {"period": "quarter", "place": "region", "category": "category"}
    pinned = candidate_grains(TrendSpec(by=("period", "category"), grains={"period": "year"}))
    assert pinned == [{"period": "year", "category": "category"},
                      {"period": "year", "category": "group"}]


@settings(max_examples=40, deadline=None)
@given(rows=rows_strategy, k=st.integers(5, 12), threshold=st.sampled_from([0.0, 0.1, 0.3, 1.0]))
def test_the_ladder_chooses_as_if_it_had_measured_every_candidate(rows, k, threshold):
    """The shortcut (a candidate whose cells below k alone hide too much is not suppressed
    in full) and the branch and bound when none passes choose what measuring every
    candidate in full would."""
    spec = TrendSpec(by=("period", "place", "category"), k=k, max_suppressed=threshold)
    table, candidates = choose(rows, spec, TAX)
    shares = []
    for grains in candidate_grains(spec):
        full = {"period": "month", "place": "region", "category": "category", **grains}
        shares.append(suppressed_share(tabulate(aggregate(rows, spec.by, full, TAX), spec.by,
                                                grains, k)))
    passing = [i for i, sh in enumerate(shares) if sh <= threshold]
    expected = passing[0] if passing else min(range(len(shares)),
                                              key=lambda i: (round(shares[i], 2), -i))
    assert table.grains == candidate_grains(spec)[expected]
    chosen = [c for c in candidates if c.chosen]
    assert len(chosen) == 1 and chosen[0].exact
    assert abs(chosen[0].suppressed_share - shares[expected]) < 1e-9
    for c, sh in zip(candidates, shares, strict=False):
        assert c.suppressed_share <= sh + 1e-9  # a lower bound never overstates
