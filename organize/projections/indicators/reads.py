"""Reading the indicators: one collective's or one campaign's levels with their reasons,
trends and sparklines, and a federation's overview, as of any date (the series carry the last
row forward). The tables are written by ``organize.projections.indicators.view``."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from organize.projections.base import Tables
from organize.projections.indicators.measures import CAMPAIGN_DIMENSIONS, RISK_DIMENSIONS
from organize.projections.indicators.rubric import Rubric
from organize.projections.indicators.scoring import DIMENSIONS, level_label, week_of
from organize.projections.indicators.view import CAMPAIGN, COLLECTIVE, EARLIEST, WEEK, default_rubric
from organize.projections.reads import Scope, tables


class Reason(msgspec.Struct, kw_only=True):
    code: str  # one of ``reasons.REASON_CODES``; the web layer words it in the reader's language
    params: dict[str, Any]  # counts, whole percentages, weeks, taxonomy codes
    evidence: list[int]  # notification ids of the events behind it


class WeekLevel(msgspec.Struct, kw_only=True):
    week: date
    level: int


class Trend(msgspec.Struct, kw_only=True):
    """This window against the one before it."""

    word: str  # growing | stalling | steady; for the risk dimension: rising | easing | steady
    delta: int
    previous_level: int
    compared_with: date  # the week whose window is the one before


class DimensionIndicator(msgspec.Struct, kw_only=True):
    dimension: str
    title: str
    risk: bool  # True for safety climate: a higher level means more risk
    level: int
    label: str
    descriptor: str
    reasons: list[Reason]
    measures: dict[str, float]
    next_level: str | None
    trend: Trend
    sparkline: list[WeekLevel]
    self_level: int | None = None
    divergence: int | None = None  # computed minus self-assessed, at the assessment's week


class Divergence(msgspec.Struct, kw_only=True):
    dimension: str
    computed: int
    self_assessed: int
    difference: int  # computed minus self-assessed
    sentence: str | None  # when they differ by 2 or more: information, not an error


class SelfAssessment(msgspec.Struct, kw_only=True):
    assessment_id: UUID
    assessed_on: date
    narrative: str
    levels: dict[str, int]
    compared_week: date  # computed levels are taken as of the week it was made
    divergences: list[Divergence]


class CollectiveIndicators(msgspec.Struct, kw_only=True):
    collective_id: UUID
    name: str
    federation: str | None
    as_of: date
    week: date  # the week whose window the levels describe (Monday)
    window_weeks: int
    rubric_digest: str | None  # the rubric that scored the series
    updating: bool  # the series awaits recomputing (the view is catching up)
    dimensions: list[DimensionIndicator]
    self_assessment: SelfAssessment | None


class CampaignIndicators(msgspec.Struct, kw_only=True):
    campaign_id: UUID
    issue: str
    collective_ids: list[UUID]
    as_of: date
    week: date
    window_weeks: int
    rubric_digest: str | None
    updating: bool
    dimensions: list[DimensionIndicator]


class OverviewLevel(msgspec.Struct, kw_only=True):
    dimension: str
    level: int
    label: str
    trend: str
    delta: int


class OverviewCollective(msgspec.Struct, kw_only=True):
    collective_id: UUID
    name: str
    levels: list[OverviewLevel]


class FederationOverview(msgspec.Struct, kw_only=True):
    federation: str
    as_of: date
    week: date
    window_weeks: int
    updating: bool
    note: str
    collectives: list[OverviewCollective]  # by name: side by side, never ranked


def _as_of(as_of: date | None) -> date:
    """Today by default; a date far in the past is read as the earliest the series can
    hold (the windows look back from it, and must not run off the calendar)."""
    return max(as_of or datetime.now(UTC).date(), EARLIEST)


def _loads(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


class _Series:
    """One subject's stored rows around a week, read with the last row carried forward."""

    def __init__(self, rows: list[asyncpg.Record], since: date):
        self.since = since  # every week after it is held, and each dimension's last row before
        self.rows: dict[str, list[asyncpg.Record]] = defaultdict(list)
        for r in sorted(rows, key=lambda r: r["week"]):
            self.rows[r["dimension"]].append(r)

    def at(self, dimension: str, week: date) -> asyncpg.Record | None:
        found = None
        for r in self.rows.get(dimension, ()):
            if r["week"] > week:
                break
            found = r
        return found

    def level(self, dimension: str, week: date) -> int:
        r = self.at(dimension, week)
        return r["level"] if r is not None else 0


async def _series(conn: asyncpg.Connection, t: Tables, subject: str, subject_id: UUID, week: date,
                  lookback_weeks: int) -> _Series:
    lo = week - WEEK * lookback_weeks
    # One trip: the rows of the weeks read, and each dimension's last row before them.
    rows = await conn.fetch(
        f"(SELECT dimension, week, level, reasons, measures, gap, rubric_digest FROM {t.levels} "
        "WHERE subject = $1 AND id = $2 AND week <= $3 AND week > $4) UNION ALL "
        "(SELECT DISTINCT ON (dimension) dimension, week, level, reasons, measures, gap, "
        f"rubric_digest FROM {t.levels} WHERE subject = $1 AND id = $2 AND week <= $4 "
        "ORDER BY dimension, week DESC)",
        subject, subject_id, week, lo)
    return _Series(list(rows), since=lo)


_rubric_cache: dict[str, dict[str, Any]] = {}


async def _rubric_body(conn: asyncpg.Connection, t: Tables, digest: str | None,
                       fallback: Rubric | None) -> dict[str, Any]:
    """The rubric that scored a series (by digest), else the one in use."""
    if digest is not None:
        body = _rubric_cache.get(digest)
        if body is None:
            raw = await conn.fetchval(f"SELECT body FROM {t.rubrics} WHERE digest = $1", digest)
            if raw is not None:
                body = _rubric_cache[digest] = _loads(raw)
        if body is not None:
            return body
    return (fallback or default_rubric()).to_dict()


def _trend_word(dimension: str, delta: int) -> str:
    if delta == 0:
        return "steady"
    if dimension in RISK_DIMENSIONS:
        return "rising" if delta > 0 else "easing"
    return "growing" if delta > 0 else "stalling"


def _head(t: Tables, subject_id: str) -> str:
    """The columns of a series' head (its rubric's digest, whether it is updating) for the
    subject ``$1`` and the id ``subject_id`` (an SQL expression)."""
    return (f"(SELECT rubric_digest FROM {t.series} WHERE subject = $1 AND id = {subject_id}) "
            f"AS digest, EXISTS (SELECT 1 FROM {t.pending} WHERE subject = $1 "
            f"AND id = {subject_id}) AS updating")


@dataclass
class _Read:
    week: date
    window: int
    digest: str | None
    dimensions: list[DimensionIndicator]
    updating: bool
    series: _Series


async def _dimensions(
    conn, t, subject: str, subject_id: UUID, as_of: date, dimensions: tuple[str, ...],
    rubric: Rubric | None, head: asyncpg.Record | None = None,
) -> _Read:
    """``head``, when the caller read it already (``_head``): the series' digest and whether
    it is updating."""
    week = week_of(as_of)
    fallback = rubric or default_rubric()
    if head is None:
        head = await conn.fetchrow(f"SELECT {_head(t, '$2')}", subject, subject_id)
    # Set aside while the view catches up: what is stored may be behind the facts.
    digest, updating = head["digest"], head["updating"]
    body = await _rubric_body(conn, t, digest, fallback)
    window, sparkline = body["window_weeks"], body["sparkline_weeks"]
    series = await _series(conn, t, subject, subject_id, week, max(window, sparkline))
    out = []
    for dimension in dimensions:
        spec = body["dimensions"][dimension]
        row = series.at(dimension, week)
        level = row["level"] if row is not None else 0
        before_week = week - WEEK * window
        before = series.level(dimension, before_week)
        if row is None:
            reasons = [Reason(code="nothing_yet", params={}, evidence=[])]
            measures: dict[str, float] = {}
            gap = None
        else:
            reasons = [Reason(code=r["code"], params=r["params"], evidence=list(r["evidence"]))
                       for r in _loads(row["reasons"])]
            measures = _loads(row["measures"])
            gap = row["gap"]
        out.append(DimensionIndicator(
            dimension=dimension, title=spec["title"], risk=dimension in RISK_DIMENSIONS, level=level,
            label=level_label(dimension, level), descriptor=spec["levels"][level]["descriptor"],
            reasons=reasons, measures=measures, next_level=gap,
            trend=Trend(word=_trend_word(dimension, level - before), delta=level - before,
                        previous_level=before, compared_with=before_week),
            sparkline=[WeekLevel(week=w, level=series.level(dimension, w))
                       for w in (week - WEEK * i for i in range(sparkline - 1, -1, -1))],
        ))
    return _Read(week=week, window=window, digest=digest, dimensions=out, updating=updating,
                 series=series)


def _divergence_sentence(dimension: str, title: str, computed: int, self_level: int) -> str | None:
    if abs(computed - self_level) < 2:
        return None
    title = title.split(" (")[0]  # "Safety climate (risk)" reads "safety climate" in a sentence
    said = f"it says {level_label(dimension, self_level)} ({self_level})"
    shown = f"the records show {level_label(dimension, computed)} ({computed})"
    if dimension in RISK_DIMENSIONS:
        more = "more" if self_level > computed else "less"
        head = f"The collective sees {more} risk in its {title.lower()} than the records show"
    else:
        stronger = "stronger" if self_level > computed else "weaker"
        head = f"The collective sees its {title.lower()} as {stronger} than the records show"
    return f"{head}: {said}, {shown}. The difference is worth talking through."


async def collective_indicators(conn: asyncpg.Connection, scope: Scope, collective_id: UUID,
                                as_of: date | None = None, *,
                                rubric: Rubric | None = None) -> CollectiveIndicators | None:
    """Every dimension of one collective as of a date (today by default), with its reasons,
    trend, sparkline and the collective's own latest assessment. None when the collective
    is unknown or outside ``scope``.

    Levels describe the rubric's window ending on the Sunday of ``as_of``'s week, read from
    the stored weekly series (scored by the rubric whose digest the answer carries).
    ``rubric`` (the one in use) only serves when nothing has been scored yet. Raises
    ``asyncpg.UndefinedTableError`` before the view's tables exist."""
    t = await tables(conn, "indicators")
    as_of = _as_of(as_of)
    # One trip: the collective, its series' head and its latest assessment up to ``as_of``.
    row = await conn.fetchrow(
        f"SELECT c.id, c.name, c.federation, {_head(t, 'c.id')}, a.id AS a_id, "
        "a.assessed_on, a.levels, a.narrative "
        f"FROM {t.collectives} c LEFT JOIN LATERAL (SELECT id, assessed_on, levels, narrative "
        f"FROM {t.assessments} WHERE collective_id = c.id AND assessed_on <= $3 "
        "ORDER BY assessed_on DESC, nid DESC LIMIT 1) a ON true WHERE c.id = $2",
        COLLECTIVE, collective_id, as_of)
    if row is None or not scope.allows(row["id"], row["federation"]):
        return None
    read = await _dimensions(conn, t, COLLECTIVE, collective_id, as_of, DIMENSIONS, rubric,
                             head=row)
    dims = read.dimensions

    assessment = None
    a = row if row["a_id"] is not None else None
    if a is not None:
        levels = {k: int(v) for k, v in _loads(a["levels"]).items()}
        compared = week_of(a["assessed_on"])
        # The assessment's week may lie before the rows read for the sparkline.
        at_assessment = (read.series if compared >= read.series.since else
                         await _series(conn, t, COLLECTIVE, collective_id, compared, 0))
        by_dimension = {d.dimension: d for d in dims}
        divergences = []
        for dimension in DIMENSIONS:
            if dimension not in levels:
                continue
            computed = at_assessment.level(dimension, compared)
            d = by_dimension[dimension]
            d.self_level = levels[dimension]
            d.divergence = computed - levels[dimension]
            divergences.append(Divergence(
                dimension=dimension, computed=computed, self_assessed=levels[dimension],
                difference=d.divergence,
                sentence=_divergence_sentence(dimension, d.title, computed, levels[dimension])))
        assessment = SelfAssessment(assessment_id=a["a_id"], assessed_on=a["assessed_on"],
                                    narrative=a["narrative"], levels=levels, compared_week=compared,
                                    divergences=divergences)
    return CollectiveIndicators(collective_id=row["id"], name=row["name"], federation=row["federation"],
                                as_of=as_of, week=read.week, window_weeks=read.window,
                                rubric_digest=read.digest, updating=read.updating, dimensions=dims,
                                self_assessment=assessment)


async def campaign_indicators(conn: asyncpg.Connection, scope: Scope, campaign_id: UUID,
                              as_of: date | None = None, *,
                              rubric: Rubric | None = None) -> CampaignIndicators | None:
    """The dimensions that apply to a campaign. None when unknown or outside ``scope``
    (a reader sees a campaign when she may see one of its collectives)."""
    t = await tables(conn, "indicators")
    row = await conn.fetchrow(f"SELECT id, issue, collective_ids FROM {t.campaigns} WHERE id = $1",
                              campaign_id)
    if row is None:
        return None
    members = await conn.fetch(f"SELECT id, federation FROM {t.collectives} WHERE id = ANY($1::uuid[])",
                               list(row["collective_ids"]))
    if not any(scope.allows(m["id"], m["federation"]) for m in members):
        return None
    as_of = _as_of(as_of)
    read = await _dimensions(conn, t, CAMPAIGN, campaign_id, as_of, CAMPAIGN_DIMENSIONS, rubric)
    return CampaignIndicators(campaign_id=row["id"], issue=row["issue"],
                              collective_ids=list(row["collective_ids"]), as_of=as_of, week=read.week,
                              window_weeks=read.window, rubric_digest=read.digest, updating=read.updating,
                              dimensions=read.dimensions)


async def federation_overview(conn: asyncpg.Connection, scope: Scope, federation: str,
                              as_of: date | None = None, *,
                              rubric: Rubric | None = None) -> FederationOverview | None:
    """The federation's collectives side by side, by name: never ranked. None when the
    federation has no collective the reader may see."""
    if scope.federation is not None and scope.federation != federation:
        return None
    if "\x00" in federation:
        return None  # no name holds one, and PostgreSQL refuses it in text
    t = await tables(conn, "indicators")
    rows = await conn.fetch(f"SELECT id, name FROM {t.collectives} WHERE federation = $1 "
                            "ORDER BY name, id", federation)
    rows = [r for r in rows if scope.allows(r["id"], federation)]
    if not rows:
        return None
    as_of = _as_of(as_of)
    week, window = week_of(as_of), (rubric or default_rubric()).window_weeks
    collectives = []
    updating = False
    for r in rows:
        read = await _dimensions(conn, t, COLLECTIVE, r["id"], as_of, DIMENSIONS, rubric)
        window, updating = read.window, updating or read.updating
        collectives.append(OverviewCollective(
            collective_id=r["id"], name=r["name"],
            levels=[OverviewLevel(dimension=d.dimension, level=d.level, label=d.label, trend=d.trend.word,
                                  delta=d.trend.delta) for d in read.dimensions]))
    return FederationOverview(
        federation=federation, as_of=as_of, week=week, window_weeks=window, updating=updating,
        note="Collectives side by side, in order of name. Levels describe how alive each is around "
             "its issues; they are not a ranking and not a membership count.",
        collectives=collectives)
