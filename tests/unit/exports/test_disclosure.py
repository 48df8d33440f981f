"""Adversarial tests for organize.projections.disclosure.

The attack test plays the researcher who wants a hidden count back: it solves
min/max of each suppressed entry subject to everything published. Any zero-width
interval is a re-identification risk.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from organize.projections.disclosure import SuppressionResult, suppress


@st.composite
def tables(draw):
    n_r = draw(st.integers(3, 6))
    n_c = draw(st.integers(3, 6))
    # Mix uniform counts with a bias towards zeros and small counts, so lines
    # full of zeros (the hard case for complementary suppression) show up.
    count = st.one_of(st.integers(0, 40), st.sampled_from([0, 0, 1, 2, 9, 10]))
    return {(f"r{i}", f"c{j}"): draw(count) for i in range(n_r) for j in range(n_c)}


ks = st.integers(5, 15)
_COMMON = dict(deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
FAST = settings(max_examples=200, **_COMMON)
ATTACK = settings(max_examples=150, **_COMMON)


def attack(res: SuppressionResult) -> dict[tuple, tuple[float, float]]:
    """Feasible [min, max] of every hidden entry given every published number."""
    n_r, n_c = len(res.rows), len(res.columns)
    # Augmented table; None = unknown.
    grid = [[res.cells[(r, c)] for c in res.columns] + [res.row_totals[r]] for r in res.rows]
    grid.append([res.column_totals[c] for c in res.columns] + [res.grand_total])
    unknown = [(i, j) for i in range(n_r + 1) for j in range(n_c + 1) if grid[i][j] is None]
    if not unknown:
        return {}
    index = {e: n for n, e in enumerate(unknown)}
    a_eq, b_eq = [], []

    def line(entries, total):
        # sum(entries) - total = 0, known values moved to the right-hand side.
        coef, rhs = np.zeros(len(unknown)), 0.0
        for e, sign in [(x, 1.0) for x in entries] + [(total, -1.0)]:
            v = grid[e[0]][e[1]]
            if v is None:
                coef[index[e]] += sign
            else:
                rhs -= sign * v
        a_eq.append(coef)
        b_eq.append(rhs)

    for i in range(n_r + 1):
        line([(i, j) for j in range(n_c)], (i, n_c))
    for j in range(n_c + 1):
        line([(i, j) for i in range(n_r)], (n_r, j))

    out = {}
    for e, n in index.items():
        c = np.zeros(len(unknown))
        c[n] = 1.0
        lo = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        hi = linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        assert lo.status == 0, lo.message  # the true table is always feasible
        upper = math.inf if hi.status == 3 else -hi.fun
        assert hi.status in (0, 3), hi.message
        out[e] = (lo.fun, upper)
    return out


def published_values(res: SuppressionResult):
    yield from res.cells.values()
    yield from res.row_totals.values()
    yield from res.column_totals.values()
    yield res.grand_total


# 1. No small count is ever published.
@FAST
@given(tables(), ks)
def test_no_published_count_below_k(table, k):
    res = suppress(table, k=k)
    for v in published_values(res):
        assert v is None or v == 0 or v >= k
    # What is published is the truth, and margins come from the full table.
    for key, v in res.cells.items():
        assert v is None or v == table[key]
    for r, v in res.row_totals.items():
        assert v is None or v == sum(x for (rr, _), x in table.items() if rr == r)
    assert res.grand_total is None or res.grand_total == sum(table.values())


# 2. ATTACK: no hidden entry can be solved back from what is published.
@ATTACK
@given(tables(), ks)
def test_attack_cannot_recover_any_suppressed_entry(table, k):
    res = suppress(table, k=k)
    for e, (lo, hi) in attack(res).items():
        assert hi - lo > 0.5, f"entry {e} pinned to [{lo}, {hi}] in {table} (k={k})"


# 3. Policy and hand-made cases.
@pytest.mark.parametrize("k", [4, 0, -1])
def test_k_below_floor_is_refused(k):
    with pytest.raises(ValueError, match="k must be at least 5"):
        suppress({("a", "x"): 20}, k=k)


def test_k_must_be_an_int():
    with pytest.raises(TypeError):
        suppress({("a", "x"): 20}, k=True)


def test_k_five_and_default_ten():
    t = {("a", "x"): 7, ("a", "y"): 30, ("b", "x"): 30, ("b", "y"): 30}
    assert suppress(t, k=5).cells[("a", "x")] == 7
    assert suppress(t).cells[("a", "x")] is None


def test_bad_keys_and_counts_are_refused():
    with pytest.raises(ValueError):
        suppress({("a",): 3})
    with pytest.raises(ValueError):
        suppress({("a", "x"): -1})


# Three rows x three columns; (A, y) = 3 is the only small cell.
LEAKY = {
    ("A", "x"): 20, ("A", "y"): 3, ("A", "z"): 25,
    ("B", "x"): 30, ("B", "y"): 40, ("B", "z"): 50,
    ("C", "x"): 15, ("C", "y"): 22, ("C", "z"): 35,
}  # fmt: skip


def test_primary_only_would_leak_and_complement_fixes_it():
    # Naive primary-only release: hide the 3 and publish everything else.
    res = suppress(LEAKY)
    naive = SuppressionResult(
        k=10,
        rows=res.rows,
        columns=res.columns,
        cells={key: (None if v < 10 else v) for key, v in LEAKY.items()},
        row_totals={"A": 48, "B": 120, "C": 72},
        column_totals={"x": 65, "y": 65, "z": 110},
        grand_total=240,
    )
    # The attack works against it: 48 - 20 - 25 = 3.
    assert attack(naive) == {(0, 1): (3.0, 3.0)}
    # The real result hides the smallest cells completing a cycle A-x-C-y.
    assert [s.key for s in res.primary] == [("A", "y")]
    assert {s.key for s in res.complementary} == {("A", "x"), ("C", "x"), ("C", "y")}
    assert all(s.phase == "complementary" and s.reason for s in res.complementary)
    assert res.row_totals == {"A": 48, "B": 120, "C": 72} and res.grand_total == 240
    for lo, hi in attack(res).values():
        assert hi - lo >= 1
    assert "1 primary, 3 complementary" in res.summary()


def test_primary_only_when_small_cells_already_protect_each_other():
    t = {("A", "x"): 3, ("A", "y"): 4, ("A", "z"): 30, ("B", "x"): 2, ("B", "y"): 5, ("B", "z"): 30}
    t |= {("C", "x"): 30, ("C", "y"): 30, ("C", "z"): 30}
    res = suppress(t)
    assert {s.key for s in res.primary} == {("A", "x"), ("A", "y"), ("B", "x"), ("B", "y")}
    assert res.complementary == ()
    assert all(hi - lo >= 1 for lo, hi in attack(res).values())


def test_nothing_small_means_nothing_suppressed():
    res = suppress({("A", "x"): 10, ("A", "y"): 0, ("B", "x"): 11, ("B", "y"): 12})
    assert res.suppressions == ()
    assert res.cells[("A", "y")] == 0  # zeros are structural and published


def test_two_small_cells_in_one_row_are_still_protected():
    # Two hidden cells in row A, each alone in its column: degree rule on the
    # row is met but both are solvable from the column totals.
    t = {("A", "x"): 3, ("A", "y"): 4, ("A", "z"): 30, ("B", "x"): 20, ("B", "y"): 25, ("B", "z"): 30}
    res = suppress(t)
    assert res.complementary
    assert all(hi - lo >= 1 for lo, hi in attack(res).values())


def test_small_margin_is_suppressed_and_protected():
    # Row A totals 6 (< k): the margin itself must be hidden and not solvable.
    t = {("A", "x"): 6, ("A", "y"): 0, ("A", "z"): 0, ("B", "x"): 20, ("B", "y"): 25, ("B", "z"): 30}
    t |= {("C", "x"): 11, ("C", "y"): 12, ("C", "z"): 13}
    res = suppress(t)
    assert res.row_totals["A"] is None
    assert any(s.kind == "row_total" and s.phase == "primary" for s in res.primary)
    assert all(hi - lo >= 1 for lo, hi in attack(res).values())


def test_deterministic():
    assert suppress(LEAKY) == suppress(dict(reversed(list(LEAKY.items()))))
