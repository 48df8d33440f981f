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
  under it, so a hidden cell cannot be solved from margins (solved from two published
  numbers, its range is four times the bound wide before it is cut at zero; see the
  outer tails below). The keys are computed in SQL,
  in the same ``GROUP BY`` that counts (``sum(ckey)``), so the method costs next to
  nothing.

On top of the perturbation the published rule still holds: only perturbed counts of at least
k are listed. Zeros are not published either: a list of which cells hold someone, each
hidden one at least 1, let the attack tests bound small totals from below by counting
them, and pin them. A zero stays a zero and a nonzero count never becomes zero inside the
method; neither shows.

The perturbation table (``PTABLE``): for counts of 4 and more the noise is -3, -2, -1, 0, +1,
+2 or +3 with probabilities 0.001, 0.099, 0.2, 0.4, 0.2, 0.099, 0.001 (mean 0, variance 1.21,
mean absolute error 0.802). For counts of 1 to 3 the mass that would go below 1 is moved to
the smallest allowed value.

Why the thin outer tails. Whatever the table, the noise is bounded and the bound is published,
so a researcher who subtracts a cell from a cell one grievance wider learns that the lone
grievance's count lies in a range 4 x the bound wide, cut at zero. Only when the wider cell drew
the lowest noise and the narrower one the highest does the range shrink to 0..1 and the count
is pinned. With -2..+2 at 0.1 each that happened to one pair of cells in a hundred, and the
attack tests saw it (``bench/cellkey_attack.py`` measures how often, over fresh record keys).
The same -2..+2 table with a sliver of 0.001 moved out to each of -3 and +3 needs both
extremes at once: one pair in a million, at the same mean error. The new table is a refinement
of the old one (the same key ranges give the same noise, except the two slivers), so a table
released under the old one and the same table under the new one differ in at most those
cells.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from itertools import accumulate

MODULUS = 1 << 16  # as research_grievances.CELL_KEY_MODULUS


@dataclass(frozen=True)
class Table:
    """A perturbation table: each noise and its weight, in ``parts`` of the key range."""

    noise: tuple[int, ...]
    weights: tuple[int, ...]

    @cached_property
    def parts(self) -> int:
        return sum(self.weights)

    @cached_property
    def max_noise(self) -> int:
        return max(abs(d) for d in self.noise)

    @cached_property
    def variance(self) -> float:
        return sum(w * d * d for d, w in zip(self.noise, self.weights, strict=True)) / self.parts

    @cached_property
    def mean_absolute_error(self) -> float:
        return sum(w * abs(d) for d, w in zip(self.noise, self.weights, strict=True)) / self.parts

    @cached_property
    def rows(self) -> dict[int, list[tuple[int, int]]]:
        """For counts 1 .. max_noise + 1 (every larger count uses the last): (noise, upper
        bound of its share of the key range), the mass that would go below 1 moved to the
        smallest allowed value."""
        out = {}
        for n in range(1, self.max_noise + 2):
            allowed: dict[int, int] = {}
            for d, w in zip(self.noise, self.weights, strict=True):
                d = max(d, 1 - n)  # never below 1
                allowed[d] = allowed.get(d, 0) + w
            noises = sorted(allowed)
            bounds = accumulate(allowed[d] * MODULUS // self.parts for d in noises)
            out[n] = list(zip(noises, bounds, strict=True))
        return out

    def perturb(self, n: int, cell_key: int) -> int:
        """The published value of a cell of true count ``n`` and cell key ``cell_key``."""
        if n <= 0:
            return 0
        row = self.rows[min(n, self.max_noise + 1)]
        for d, bound in row:
            if cell_key % MODULUS < bound:
                return n + d
        return n + row[-1][0]


PTABLE = Table(noise=(-3, -2, -1, 0, 1, 2, 3), weights=(1, 99, 200, 400, 200, 99, 1))
# The table of the first releases, kept to measure what the outer tails changed.
FIRST_TABLE = Table(noise=(-2, -1, 0, 1, 2), weights=(1, 2, 4, 2, 1))
MAX_NOISE = PTABLE.max_noise
MEAN_ABSOLUTE_ERROR = PTABLE.mean_absolute_error
perturb = PTABLE.perturb


def description() -> dict[str, object]:
    """What a manifest says of the method."""
    return {
        "name": "cell_key",
        "method": "cell-key perturbation (Australian Bureau of Statistics TableBuilder)",
        "record_key": "secret random key per grievance, 0..65535",
        "cell_key": "sum of the cell's record keys modulo 65536",
        "noise": {str(d): w / PTABLE.parts for d, w in zip(PTABLE.noise, PTABLE.weights,
                                                           strict=True)},
        "max_perturbation": MAX_NOISE,
        "expected_error_per_cell": round(MEAN_ABSOLUTE_ERROR, 3),
        "variance_per_cell": round(PTABLE.variance, 3),
        "consistent": "the same grievances always give the same value, in every table and "
                      "every release",
        "epsilon_spent": 0,
    }


__all__ = ["FIRST_TABLE", "MAX_NOISE", "MODULUS", "PTABLE", "Table", "description", "perturb"]
