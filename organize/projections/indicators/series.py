"""Writing one subject's series: the rows of the weeks whose scores changed, and nothing else.

The series is stored compactly (``view.py``): a dimension's row for a week is there only
when it differs from the week before, and reads carry the last row forward. When the weeks
from ``start`` on are scored again, the rows they call for are worked out first, and set
beside the rows stored from ``start`` on (read in the same query as the last row before
``start``): a row that is already there as it should be is left alone, a row no longer
called for is deleted, and only a new or changed row is written. What ends up stored is
what deleting every row from ``start`` and writing them all again would store, without
rewriting (and re-indexing) the weeks a late fact did not change.

Scores are compared as values, never as encoded texts: a week's scores with the week
before's as the scorer made them, and a row called for with the stored row as psycopg
decodes it (JSON objects and lists, numbers as ``int`` or ``float``), the reasons as
``Reason.to_json`` gives them (their parameters are JSON values already). A row called for
keeps the scorer's reasons until it meets a stored row (``_stored``): most rows of a
recompute have none to meet, and are encoded straight from the reasons (msgspec writes a
``Reason`` as ``to_json`` would, its fields in sorted order). Only the rows written are
encoded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any
from uuid import UUID

import msgspec

from organize.projections.indicators.scoring import Score

# A row as stored: (level, reasons, measures, gap, rubric digest), reasons and measures as
# JSON values (lists, dicts, numbers, texts). A row called for holds the scorer's reasons
# (a tuple of ``Reason``) until ``_stored`` turns them into JSON values.
Row = tuple[int, Any, Any, str | None, str]


def json_text(value: Any) -> str:
    """Compact JSON with sorted keys, encoded in C."""
    return msgspec.json.encode(value, order="sorted").decode()


def rounded(measures: Mapping[str, float | int]) -> dict[str, float | int]:
    """Measures as they are stored: four decimals."""
    return {k: round(v, 4) for k, v in measures.items()}


def write_series(curs: Any, levels: str, subject: str, subject_id: UUID, start: date,
                 scored: Iterable[tuple[date, dict[str, Score]]], digest: str,
                 to_copy: list[tuple] | None = None) -> int:
    """Store the rows ``scored`` (the weeks from ``start`` on, as ``Scorer.changes`` gives
    them) call for in the table ``levels``, writing only what differs from what is stored.
    With ``to_copy``, the new rows are added to it, for the caller to copy in with the rows
    of other subjects (``copy_rows``), after the rows they replace were deleted here.
    Returns the number of weeks scored."""
    curs.execute(
        f"(SELECT DISTINCT ON (dimension) dimension, week, level, reasons, measures, gap, rubric_digest "
        f"FROM {levels} WHERE subject = %(s)s AND id = %(i)s AND week < %(w)s "
        "ORDER BY dimension, week DESC) UNION ALL "
        f"(SELECT dimension, week, level, reasons, measures, gap, rubric_digest FROM {levels} "
        "WHERE subject = %(s)s AND id = %(i)s AND week >= %(w)s)",
        {"s": subject, "i": subject_id, "w": start})
    before: dict[str, Row] = {}  # dimension -> its last row before start
    stored: dict[tuple[str, date], Row] = {}  # (dimension, week) -> its row, from start on
    for r in curs.fetchall():
        row = (r["level"], r["reasons"], r["measures"], r["gap"], r["rubric_digest"])
        if r["week"] < start:
            before[r["dimension"]] = row
        else:
            stored[(r["dimension"], r["week"])] = row

    wanted, weeks = _wanted(scored, before, digest)
    stale = [key for key, row in stored.items() if key not in wanted or _stored(wanted[key]) != row]
    new = [(key, row) for key, row in wanted.items() if key not in stored or _stored(row) != stored[key]]
    if stale:
        curs.execute(f"DELETE FROM {levels} WHERE subject = %s AND id = %s AND (dimension, week) IN "
                     "(SELECT * FROM unnest(%s::text[], %s::date[]))",
                     (subject, subject_id, [d for d, _ in stale], [w for _, w in stale]))
    rows = [(subject, subject_id, dimension, week, level, json_text(reasons), json_text(measures), gap,
             row_digest) for (dimension, week), (level, reasons, measures, gap, row_digest) in new]
    if to_copy is None:
        copy_rows(curs, levels, rows)
    else:
        to_copy.extend(rows)
    return weeks


def copy_rows(curs: Any, levels: str, rows: list[tuple]) -> None:
    """Write rows of the table ``levels`` (as ``write_series`` makes them) in one COPY."""
    if rows:
        with curs.copy(f"COPY {levels} (subject, id, dimension, week, level, reasons, measures, gap, "
                       "rubric_digest) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def _wanted(scored: Iterable[tuple[date, dict[str, Score]]], before: dict[str, Row],
            digest: str) -> tuple[dict[tuple[str, date], Row], int]:
    """The rows the scored weeks call for, by (dimension, week), as stored values, and the
    number of weeks scored."""
    wanted: dict[tuple[str, date], Row] = {}
    # dimension -> (level, reasons, measures, gap) of the week before, as the scorer made them
    last: dict[str, tuple] = {}
    weeks = 0
    for week, scores in scored:
        weeks += 1
        for dimension, s in scores.items():
            previous = last.get(dimension)
            if previous is not None and previous[0] == s.level and previous[3] == s.gap \
                    and previous[1] == s.reasons and previous[4] == s.measures:
                continue  # the very scores of the week before
            measures = rounded(s.measures)
            if previous is not None and previous[0] == s.level and previous[3] == s.gap \
                    and previous[2] == measures and previous[1] == s.reasons:
                last[dimension] = (s.level, s.reasons, measures, s.gap, s.measures)
                continue  # the same as stored, once rounded: reads carry it forward
            last[dimension] = (s.level, s.reasons, measures, s.gap, s.measures)
            row = (s.level, s.reasons, measures, s.gap, digest)
            if previous is None and dimension in before and _stored(row) == before[dimension]:
                continue  # the first week scored, as the last row before it
            wanted[(dimension, week)] = row
    return wanted, weeks


def _stored(row: Row) -> Row:
    """A row called for, its reasons as stored (JSON values), to compare with a stored row."""
    level, reasons, measures, gap, digest = row
    return (level, [r.to_json() for r in reasons], measures, gap, digest)
