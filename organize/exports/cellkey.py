"""The cell-key method (the Australian Bureau of Statistics' TableBuilder): how every count
a researcher can obtain without differential privacy is perturbed.

Why this method, of the three the statistical offices use (issue 14):

- **Linked-table suppression** (tau-ARGUS) protects a *known* set of linked tables. Our
  researchers choose any of 2^6 dimension sets at 12 combinations of grains, over any run of
  closed periods, at any time: the set of linked tables is every table anyone may ever ask
  for, and hiding a cell in all of them means knowing every future request (or solving one
  enormous suppression problem on every release). A release that added one more table could
  undo the hiding of an earlier one; that is exactly how the product was attacked.
- **A differentially private release of a fixed set of marginals** (TopDown) holds across
  everything, but only while a budget lasts; we offer it as the ``epsilon`` mode, with a
  budget per researcher (``organize.domain.privacy_budget``), for those who need its formal
  guarantee. Exact-looking tables for everyday trend work would then cost budget each time.
- **The cell-key method** needs no registry of what was released. Every grievance carries a
  secret random record key (``research_grievances.ckey``, 0 .. 2^16-1). A cell's key is the
  sum of its records' keys modulo 2^16, and its perturbation is a fixed function of its
  count and its key. So **the same set of grievances gets the same noise however the cell is
  reached**: as an interior cell, as a row total of a wider table, in this release or any
  later one. Repeating a request, or reaching a cell another way, yields the same number,
  so nothing can be averaged away; and no published total is the exact sum of the cells
  under it, so a hidden cell cannot be solved from margins (its feasible range is at least
  4 wide for every published number it is solved through). The keys are computed in SQL,
  in the same ``GROUP BY`` that counts (``sum(ckey)``), so the method costs next to
  nothing.

On top of the perturbation the published rule still holds: only perturbed counts of at least
k are listed. Zeros are not published either: a list of which cells hold someone, each
hidden one at least 1, let the attack tests bound small totals from below by counting
them, and pin them. A zero stays a zero and a nonzero count never becomes zero inside the
method; neither shows.

The perturbation table (``PTABLE``): for counts of 3 and more the noise is -2, -1, 0, +1
or +2 with probabilities 0.1, 0.2, 0.4, 0.2, 0.1 (mean 0, variance 1.2, mean absolute
error 0.8). For counts of 1 and 2 the mass that would go below 1 is moved to the smallest
allowed value.
"""

from __future__ import annotations

from itertools import accumulate

MODULUS = 1 << 16  # as research_grievances.CELL_KEY_MODULUS
NOISE = (-2, -1, 0, 1, 2)
WEIGHTS = (1, 2, 4, 2, 1)  # tenths
MAX_NOISE = 2
VARIANCE = sum(w * d * d for d, w in zip(NOISE, WEIGHTS, strict=True)) / 10
MEAN_ABSOLUTE_ERROR = sum(w * abs(d) for d, w in zip(NOISE, WEIGHTS, strict=True)) / 10


def _row(n: int) -> list[tuple[int, int]]:
    """(noise, upper bound of its share of the key range) for a count of n >= 1."""
    allowed: dict[int, int] = {}
    for d, w in zip(NOISE, WEIGHTS, strict=True):
        d = max(d, 1 - n)  # never below 1
        allowed[d] = allowed.get(d, 0) + w
    noises = sorted(allowed)
    bounds = accumulate(allowed[d] * MODULUS // 10 for d in noises)
    return list(zip(noises, bounds, strict=True))


PTABLE = {1: _row(1), 2: _row(2), 3: _row(3)}  # every count from 3 on uses the row of 3


def perturb(n: int, cell_key: int) -> int:
    """The published value of a cell of true count ``n`` and cell key ``cell_key``."""
    if n <= 0:
        return 0
    for d, bound in PTABLE[min(n, 3)]:
        if cell_key % MODULUS < bound:
            return n + d
    return n + PTABLE[min(n, 3)][-1][0]


def description() -> dict[str, object]:
    """What a manifest says of the method."""
    return {
        "name": "cell_key",
        "method": "cell-key perturbation (Australian Bureau of Statistics TableBuilder)",
        "record_key": "secret random key per grievance, 0..65535",
        "cell_key": "sum of the cell's record keys modulo 65536",
        "noise": {str(d): w / 10 for d, w in zip(NOISE, WEIGHTS, strict=True)},
        "max_perturbation": MAX_NOISE,
        "expected_error_per_cell": MEAN_ABSOLUTE_ERROR,
        "variance_per_cell": VARIANCE,
        "consistent": "the same grievances always give the same value, in every table and "
                      "every release",
        "epsilon_spent": 0,
    }


__all__ = ["MAX_NOISE", "MODULUS", "PTABLE", "description", "perturb"]
