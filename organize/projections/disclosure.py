"""Disclosure control for the grievance-count tables handed to researchers.

Why this room exists: researchers may learn *trends*, never anyone's story. The
women counted in these tables can face counter-charges or deportation if a
published number lets someone single them out. A count of 2 in
"domestic work x Region North x 2024-Q1 x confiscated passport" can name a
person to an employer who knows who complained. So before any table leaves the
building, every small count is hidden, and enough other counts are hidden with
it that the small ones cannot be worked back out from the totals.

What is published for a two-dimensional table (rows x columns):

* every interior cell, or ``None`` where suppressed;
* the row totals, column totals and grand total, computed from the FULL table
  (so they are true totals, not sums of what is left visible), or ``None``
  where suppressed.

Rules, in order:

1. Primary suppression. Every nonzero count below ``k`` is suppressed, interior
   cells and margins (row totals, column totals, grand total) alike.
   Zero cells are published as 0: a zero describes nobody, so it cannot single
   anyone out, and treating zeros as structural keeps the table useful. The
   residual risk (learning that a whole group reported nothing) is accepted.
   Zeros are also never used as complementary cells (hiding a known 0 protects
   nothing, because the attacker's lower bound is 0 anyway).
2. Complementary suppression. The table is treated with its margins as an
   augmented (rows + 1) x (columns + 1) table in which the margin row/column is
   just one more line. The suppressed entries form a bipartite graph between
   lines (rows incl. the total row) and columns (incl. the total column). An
   entry is solvable exactly from the published numbers precisely when its edge
   is not on a cycle of that graph (a bridge); an entry on a cycle can be moved
   by +t/-t around the cycle without changing any published number, and since
   every suppressed entry is at least 1 the move stays non-negative, so an
   attacker's feasible range has width >= 1 even for integer solutions.
   So we repeat until stable:

   a. every line holding exactly one suppressed entry gets another one: the
      smallest published nonzero entry on that line (ties: interior before
      margin, then by label order);
   b. for the first suppressed entry that is still a bridge, suppress the
      cheapest path of published nonzero entries that closes a cycle through
      it (cost = sum of the counts hidden, then number of entries, then label
      order), found with Dijkstra.

   This always terminates: hiding every nonzero entry puts each entry on a
   4-cycle through the grand total, so a closing path always exists.

The result never carries the true value of a suppressed entry, so it can be
written into an export manifest as it is.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["MIN_K", "DEFAULT_K", "Suppression", "SuppressionResult", "solvable", "suppress"]

# The floor is a policy decision (issue 5): below 5 a count is small enough to
# point at an individual in the communities we work with.
MIN_K = 5
DEFAULT_K = 10

CELL = "cell"
ROW_TOTAL = "row_total"
COLUMN_TOTAL = "column_total"
GRAND_TOTAL = "grand_total"


@dataclass(frozen=True)
class Suppression:
    """One hidden entry. Deliberately holds no value, only where and why."""

    kind: str  # cell | row_total | column_total | grand_total
    key: tuple[str, ...]  # (row, column) | (row,) | (column,) | ()
    phase: str  # primary | complementary
    reason: str


@dataclass(frozen=True)
class SuppressionResult:
    k: int
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: dict[tuple[str, str], int | None]
    row_totals: dict[str, int | None]
    column_totals: dict[str, int | None]
    grand_total: int | None
    primary: tuple[Suppression, ...] = field(default_factory=tuple)
    complementary: tuple[Suppression, ...] = field(default_factory=tuple)

    @property
    def suppressions(self) -> tuple[Suppression, ...]:
        return self.primary + self.complementary

    def is_suppressed(self, row: str, column: str) -> bool:
        return self.cells[(row, column)] is None

    def summary(self) -> str:
        n_cells = len(self.cells)
        hidden_cells = sum(1 for v in self.cells.values() if v is None)
        hidden_margins = (
            sum(1 for v in self.row_totals.values() if v is None)
            + sum(1 for v in self.column_totals.values() if v is None)
            + (1 if self.grand_total is None else 0)
        )
        return (
            f"k={self.k}; {len(self.rows)}x{len(self.columns)} table; "
            f"{hidden_cells}/{n_cells} cells suppressed "
            f"({len(self.primary)} primary, {len(self.complementary)} complementary "
            f"incl. margins); {hidden_margins} margin(s) suppressed"
        )


def _bridges(hidden: set[tuple[Any, Any]]) -> set[tuple[Any, Any]]:
    """The hidden entries (row, column) that lie on no cycle of hidden entries: exactly the
    ones the published numbers pin down. Tarjan's bridge-finding, iteratively (tables can be
    deep), over the bipartite graph of lines and columns."""
    hidden_of: dict[tuple[str, Any], list[tuple[Any, Any]]] = {}
    for e in hidden:  # the set of bridges does not depend on the order
        hidden_of.setdefault(("r", e[0]), []).append(e)
        hidden_of.setdefault(("c", e[1]), []).append(e)
    disc: dict[tuple[str, Any], int] = {}
    low: dict[tuple[str, Any], int] = {}
    found: set[tuple[Any, Any]] = set()
    clock = 0
    for root in hidden_of:
        if root in disc:
            continue
        disc[root] = low[root] = clock
        clock += 1
        stack: list[tuple[tuple[str, Any], tuple[Any, Any] | None, int]] = [(root, None, 0)]
        while stack:
            node, via, pos = stack[-1]
            edges = hidden_of[node]
            if pos < len(edges):
                stack[-1] = (node, via, pos + 1)
                e = edges[pos]
                if e == via:
                    continue
                nxt = ("c", e[1]) if node[0] == "r" else ("r", e[0])
                if nxt in disc:
                    low[node] = min(low[node], disc[nxt])
                else:
                    disc[nxt] = low[nxt] = clock
                    clock += 1
                    stack.append((nxt, e, 0))
                continue
            stack.pop()
            if stack:
                parent = stack[-1][0]
                low[parent] = min(low[parent], low[node])
                if low[node] > disc[parent]:
                    found.add(via)
    return found


TOTAL = object()  # the margin line/column in ``solvable``


def solvable(result: SuppressionResult) -> list[tuple[str, tuple[str, ...]]]:
    """An independent check on a published table: the hidden entries an attacker could
    pin down exactly from what is published (those on no cycle of hidden entries; with
    every hidden entry at least 1, an entry on a cycle can move by one either way).
    Empty for every table ``suppress`` returns."""
    hidden: set[tuple[Any, Any]] = {rc for rc, v in result.cells.items() if v is None}
    hidden |= {(r, TOTAL) for r, v in result.row_totals.items() if v is None}
    hidden |= {(TOTAL, c) for c, v in result.column_totals.items() if v is None}
    if result.grand_total is None:
        hidden.add((TOTAL, TOTAL))
    out = []
    for r, c in _bridges(hidden):
        kind = (CELL if r is not TOTAL and c is not TOTAL else ROW_TOTAL if r is not TOTAL
                else COLUMN_TOTAL if c is not TOTAL else GRAND_TOTAL)
        out.append((kind, tuple(x for x in (r, c) if x is not TOTAL)))
    return sorted(out)


def _check_k(k: int) -> None:
    # bool is an int subclass; k=True would silently mean k=1.
    if isinstance(k, bool) or not isinstance(k, int):
        raise TypeError(f"k must be an integer, got {k!r}")
    if k < MIN_K:
        raise ValueError(f"k must be at least {MIN_K} (got {k}): smaller counts can single out a person")


def suppress(table: Mapping[tuple[str, ...], int], k: int = DEFAULT_K, *,
             dense: bool = True) -> SuppressionResult:
    """Suppress a 2-D count table keyed by (row, column) so no small count is published or recoverable.

    Combinations of row and column labels absent from ``table`` are true zeros. With
    ``dense=False`` the result's ``cells`` hold only the nonzero and the hidden entries
    (an absent cell is a published zero), for tables too large to spell out.
    """
    _check_k(k)
    for key, value in table.items():
        if not isinstance(key, tuple) or len(key) != 2:
            raise ValueError(f"table keys must be (row, column) pairs, got {key!r}")
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"counts must be non-negative integers, got {value!r} at {key!r}")

    rows = tuple(sorted({r for r, _ in table}))
    cols = tuple(sorted({c for _, c in table}))
    n_r, n_c = len(rows), len(cols)
    row_at = {r: i for i, r in enumerate(rows)}
    col_at = {c: j for j, c in enumerate(cols)}
    # Augmented table, sparse: only nonzero entries. Index n_r is the total row, n_c the
    # total column. Zeros are published and never join the graph below.
    val: dict[tuple[int, int], int] = {}
    for (r, c), v in table.items():
        if v:
            e = (row_at[r], col_at[c])
            val[e] = val.get(e, 0) + v
    for (i, j), v in list(val.items()):
        for e in ((i, n_c), (n_r, j), (n_r, n_c)):
            val[e] = val.get(e, 0) + v

    def describe(i: int, j: int) -> tuple[str, tuple[str, ...]]:
        if i < n_r and j < n_c:
            return CELL, (rows[i], cols[j])
        if i < n_r:
            return ROW_TOTAL, (rows[i],)
        if j < n_c:
            return COLUMN_TOTAL, (cols[j],)
        return GRAND_TOTAL, ()

    def order(e: tuple[int, int]) -> tuple[int, int, int]:
        # Tie-break: interior cells before margins, then label order.
        i, j = e
        return (int(i == n_r) + int(j == n_c), i, j)

    suppressed: set[tuple[int, int]] = set()
    primary: list[Suppression] = []
    complementary: list[Suppression] = []

    # (1) Primary suppression, margins included.
    for e in sorted(val):
        if val[e] < k:
            suppressed.add(e)
            kind, key = describe(*e)
            primary.append(Suppression(kind, key, "primary", f"nonzero count below k={k}"))

    def add_complement(e: tuple[int, int], reason: str) -> None:
        suppressed.add(e)
        kind, key = describe(*e)
        complementary.append(Suppression(kind, key, "complementary", reason))

    # Graph nodes: ("r", i) for lines, ("c", j) for columns; edge (i, j) = entry.
    Node = tuple[str, int]
    entries_of: dict[Node, list[tuple[int, int]]] = {}
    for e in sorted(val, key=order):
        entries_of.setdefault(("r", e[0]), []).append(e)
        entries_of.setdefault(("c", e[1]), []).append(e)
    nodes = sorted(entries_of, key=lambda n: (n[0] == "c", n[1]))  # lines first, in label order

    def node_name(node: Node) -> str:
        side, idx = node
        if side == "r":
            return f"row {rows[idx]!r}" if idx < n_r else "the column-totals line"
        return f"column {cols[idx]!r}" if idx < n_c else "the row-totals column"

    def other_end(node: Node, e: tuple[int, int]) -> Node:
        return ("c", e[1]) if node[0] == "r" else ("r", e[0])

    def degree_pass() -> bool:
        # (2a) No line may hold a single hidden entry: it would equal the
        # line's total minus the visible entries.
        changed = False
        for node in nodes:
            entries = entries_of[node]
            hidden = [e for e in entries if e in suppressed]
            if len(hidden) != 1:
                continue
            candidates = [e for e in entries if e not in suppressed]
            if not candidates:  # impossible: a line with one nonzero entry also has a nonzero total
                raise RuntimeError(f"no complementary candidate on {node_name(node)}")
            pick = min(candidates, key=lambda e: (val[e], order(e)))
            add_complement(pick, f"{node_name(node)} had a single suppressed entry")
            changed = True
        return changed

    def bridges() -> set[tuple[int, int]]:
        return _bridges(suppressed)

    def cheapest_cycle_path(e: tuple[int, int]) -> list[tuple[int, int]]:
        # Dijkstra from e's row-node to e's column-node, never using e itself;
        # hidden entries are free, published ones cost their count.
        start, goal = ("r", e[0]), ("c", e[1])
        rank = {n: p for p, n in enumerate(nodes)}
        best: dict[Node, tuple[int, int]] = {start: (0, 0)}
        back: dict[Node, tuple[Node, tuple[int, int]]] = {}
        heap = [(0, 0, rank[start], start)]
        done: set[Node] = set()
        while heap:
            cost, count, _, node = heapq.heappop(heap)
            if node in done:
                continue
            done.add(node)
            if node == goal:
                break
            for edge in entries_of[node]:  # already in tie-break order
                other = other_end(node, edge)
                if edge == e or other in done:
                    continue
                new = edge not in suppressed
                cand = (cost + (val[edge] if new else 0), count + int(new))
                if other not in best or cand < best[other]:
                    best[other] = cand
                    back[other] = (node, edge)
                    heapq.heappush(heap, (cand[0], cand[1], rank[other], other))
        if goal not in done:  # impossible while the grand total is nonzero
            raise RuntimeError("no complementary path found")
        path, node = [], goal
        while node != start:
            node, edge = back[node]
            path.append(edge)
        return [edge for edge in reversed(path) if edge not in suppressed]

    def cycle_pass() -> bool:
        # (2b) A hidden entry off every cycle is exactly solvable (e.g. two
        # hidden cells in one row, each alone in its column).
        off_cycle = bridges()
        if not off_cycle:
            return False
        e = min(off_cycle, key=order)
        kind, key = describe(*e)
        for edge in cheapest_cycle_path(e):
            add_complement(edge, f"closes a cycle so the {kind} {key!r} cannot be solved from margins")
        return True

    while degree_pass() or cycle_pass():
        pass

    def pub(i: int, j: int) -> int | None:
        return None if (i, j) in suppressed else val.get((i, j), 0)

    return SuppressionResult(
        k=k,
        rows=rows,
        columns=cols,
        cells=({(rows[i], cols[j]): pub(i, j) for i in range(n_r) for j in range(n_c)} if dense
               else {(rows[i], cols[j]): (None if (i, j) in suppressed else v)
                     for (i, j), v in sorted(val.items()) if i < n_r and j < n_c}),
        row_totals={rows[i]: pub(i, n_c) for i in range(n_r)},
        column_totals={cols[j]: pub(n_r, j) for j in range(n_c)},
        grand_total=pub(n_r, n_c),
        primary=tuple(primary),
        complementary=tuple(complementary),
    )
