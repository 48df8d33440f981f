"""The meeting log: assemblies, one-to-ones, committees, trainings, negotiations and
cross-sector coordination, with who attended, who facilitated and who spoke.

Who facilitates and who speaks is evidence of organising strength (DOMAIN.md, lesson 4), so
attendance is kept as one row per (meeting, worker) with role flags, for the indicators
and reports to query. Workers appear by id only: pseudonyms are opened at read time by the
layer that holds the keys, so this view holds no personal data. Decisions are free text
and only counted; agenda items are grievance and campaign ids.

Outside the reader's own collectives, people are counted, never named (``organize.application.policy``):
an attendee is named to a reader only if she was a member of a collective in the reader's
scope on the day of the meeting; the others are counted per collective of the meeting. So the
view keeps each worker's memberships, each grievance's collective and each campaign's reach,
to answer that in SQL.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg
import msgspec

from organize.domain import Campaign, Grievance, Meeting, Worker
from organize.projections.base import Tables, View, on
from organize.projections.reads import Scope, tables
from organize.projections.views._federations import KnowsFederations

SCHEDULED, HELD, CANCELLED = "scheduled", "held", "cancelled"


class MeetingLogView(KnowsFederations, View):
    name = "meeting_log"

    def ddl(self, t: Tables) -> list[str]:
        return [
            self.collectives_ddl(t),
            f"CREATE TABLE IF NOT EXISTS {t.meetings} ("
            " id uuid PRIMARY KEY, kind text NOT NULL, collective_ids uuid[] NOT NULL,"
            " scheduled_for timestamptz NOT NULL, status text NOT NULL, held_at timestamptz,"
            " language text NOT NULL, agenda_grievance_ids uuid[] NOT NULL,"
            " agenda_campaign_ids uuid[] NOT NULL,"
            " attendees integer NOT NULL DEFAULT 0, facilitators integer NOT NULL DEFAULT 0,"
            " speakers integer NOT NULL DEFAULT 0, decisions integer NOT NULL DEFAULT 0,"
            " scheduled_nid bigint NOT NULL, held_nid bigint, last_nid bigint NOT NULL)",
            f"CREATE INDEX IF NOT EXISTS {t.meetings}_collectives_idx "
            f"ON {t.meetings} USING gin (collective_ids)",
            f"CREATE INDEX IF NOT EXISTS {t.meetings}_when_idx "
            f"ON {t.meetings} ((coalesce(held_at, scheduled_for)))",
            # One row per attendee of a held meeting; facilitators and speakers attend too.
            f"CREATE TABLE IF NOT EXISTS {t.attendance} ("
            " meeting_id uuid NOT NULL, worker_id uuid NOT NULL, held_at timestamptz NOT NULL,"
            " attended boolean NOT NULL, facilitated boolean NOT NULL, spoke boolean NOT NULL,"
            " position integer NOT NULL, nid bigint NOT NULL, PRIMARY KEY (meeting_id, worker_id))",
            f"CREATE INDEX IF NOT EXISTS {t.attendance}_worker_idx ON {t.attendance} (worker_id, held_at)",
            f"CREATE TABLE IF NOT EXISTS {t.memberships} ("
            " worker_id uuid NOT NULL, collective_id uuid NOT NULL, joined_on date NOT NULL,"
            " left_on date, nid bigint NOT NULL, PRIMARY KEY (worker_id, collective_id, joined_on))",
            f"CREATE TABLE IF NOT EXISTS {t.grievances} (id uuid PRIMARY KEY, collective_id uuid NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {t.campaigns} (id uuid PRIMARY KEY, reach uuid[] NOT NULL)",
        ]

    # -- what the reads need to know who may be named ----------------------------------------

    def _joined(self, curs, worker_id, collective_id, on, nid) -> None:
        self.insert(curs, self.t.memberships,
                    "worker_id uuid, collective_id uuid, joined_on date, nid bigint",
                    (worker_id, collective_id, on, nid), conflict="ON CONFLICT DO NOTHING")

    @on(Worker.Registered)
    def worker_registered(self, curs, e, nid) -> None:
        if e.collective_id is not None and e.joined_on is not None:
            self._joined(curs, e.originator_id, e.collective_id, e.joined_on, nid)

    @on(Worker.JoinedCollective)
    def worker_joined(self, curs, e, nid) -> None:
        self._joined(curs, e.originator_id, e.collective_id, e.on, nid)

    @on(Worker.LeftCollective)
    def worker_left(self, curs, e, _nid) -> None:
        curs.execute(
            f"UPDATE {self.t.memberships} SET left_on = %s WHERE worker_id = %s"
            " AND collective_id = %s AND left_on IS NULL", (e.on, e.originator_id, e.collective_id))

    @on(Grievance.Raised)
    def grievance_raised(self, curs, e, _nid) -> None:
        self.insert(curs, self.t.grievances, "id uuid, collective_id uuid",
                    (e.originator_id, e.collective_id), conflict="ON CONFLICT DO NOTHING")

    def _reach(self, curs, campaign_id, collective_ids) -> None:
        curs.execute(
            f"INSERT INTO {self.t.campaigns} (id, reach) VALUES (%s, %s::uuid[]) ON CONFLICT (id) "
            f"DO UPDATE SET reach = (SELECT array_agg(DISTINCT x) FROM unnest("
            f"{self.t.campaigns}.reach || EXCLUDED.reach) x)", (campaign_id, list(collective_ids)))

    @on(Campaign.Launched)
    def campaign_launched(self, curs, e, _nid) -> None:
        self._reach(curs, e.originator_id, e.collective_ids)

    @on(Campaign.CollectiveInvited, Campaign.CollectiveJoined)
    def campaign_reached(self, curs, e, _nid) -> None:
        self._reach(curs, e.originator_id, [e.collective_id])

    @on(Meeting.Scheduled)
    def scheduled(self, curs, e, nid) -> None:
        self.insert(
            curs, self.t.meetings,
            "id uuid, kind text, collective_ids uuid[], scheduled_for timestamptz, status text,"
            " language text, agenda_grievance_ids uuid[], agenda_campaign_ids uuid[],"
            " scheduled_nid bigint, last_nid bigint",
            (e.originator_id, e.kind, list(e.collective_ids), e.scheduled_for, SCHEDULED,
             e.language, list(e.agenda_grievance_ids), list(e.agenda_campaign_ids), nid, nid),
            conflict="ON CONFLICT (id) DO NOTHING")

    @on(Meeting.Held)
    def held(self, curs, e, nid) -> None:
        self.update(
            curs, self.t.meetings,
            "id uuid, status text, held_at timestamptz, language text, attendees int,"
            " facilitators int, speakers int, decisions int, nid bigint",
            "status = x.status, held_at = x.held_at, language = x.language,"
            " attendees = x.attendees, facilitators = x.facilitators, speakers = x.speakers,"
            " decisions = x.decisions, held_nid = x.nid, last_nid = x.nid",
            (e.originator_id, HELD, e.held_at, e.language, len(e.attendee_ids),
             len(e.facilitator_ids), len(e.speaker_ids), e.decision_count, nid))
        self._attendance(curs, e, e.held_at, nid)

    def _attendance(self, curs, e, held_at, nid) -> None:
        facilitators, speakers = set(e.facilitator_ids), set(e.speaker_ids)
        rows = [(e.originator_id, w, held_at, True, w in facilitators, w in speakers, i, nid)
                for i, w in enumerate(e.attendee_ids)]
        for row in rows:
            self.insert(curs, self.t.attendance,
                        "meeting_id uuid, worker_id uuid, held_at timestamptz, attended bool,"
                        " facilitated bool, spoke bool, position int, nid bigint", row,
                        conflict="ON CONFLICT (meeting_id, worker_id) DO NOTHING")

    # -- corrections (the reason is a code, kept in the event's history, not here) -----------

    @on(Meeting.AttendanceCorrected)
    def attendance_corrected(self, curs, e, nid) -> None:
        curs.execute(
            f"UPDATE {self.t.meetings} SET attendees = %s, facilitators = %s, speakers = %s,"
            " last_nid = %s WHERE id = %s RETURNING held_at",
            (len(e.attendee_ids), len(e.facilitator_ids), len(e.speaker_ids), nid, e.originator_id))
        row = curs.fetchone()
        curs.execute(f"DELETE FROM {self.t.attendance} WHERE meeting_id = %s", (e.originator_id,))
        if row is not None and row["held_at"] is not None:
            self._attendance(curs, e, row["held_at"], nid)

    @on(Meeting.Corrected)
    def corrected(self, curs, e, nid) -> None:
        curs.execute(f"UPDATE {self.t.meetings} SET kind = %s, scheduled_for = %s, held_at = %s,"
                     " last_nid = %s WHERE id = %s",
                     (e.kind, e.scheduled_for, e.held_at, nid, e.originator_id))
        if e.held_at is not None:
            curs.execute(f"UPDATE {self.t.attendance} SET held_at = %s WHERE meeting_id = %s",
                         (e.held_at, e.originator_id))

    @on(Meeting.DecisionsCorrected)
    def decisions_corrected(self, curs, e, nid) -> None:
        curs.execute(f"UPDATE {self.t.meetings} SET decisions = %s, last_nid = %s WHERE id = %s",
                     (e.decision_count, nid, e.originator_id))

    @on(Meeting.TimesLocalised)
    def times_localised(self, curs, e, nid) -> None:
        # The same typed clock, now at the collective's offset (organize.migrations).
        curs.execute(f"UPDATE {self.t.meetings} SET scheduled_for = %s, held_at = %s,"
                     " last_nid = %s WHERE id = %s",
                     (e.scheduled_for, e.held_at, nid, e.originator_id))
        if e.held_at is not None:
            curs.execute(f"UPDATE {self.t.attendance} SET held_at = %s WHERE meeting_id = %s",
                         (e.held_at, e.originator_id))

    @on(Meeting.Cancelled)
    def cancelled(self, curs, e, nid) -> None:
        # The reason is free text and stays out.
        curs.execute(f"UPDATE {self.t.meetings} SET status = %s, last_nid = %s WHERE id = %s",
                     (CANCELLED, nid, e.originator_id))


# == Reading ===================================================================================


class MeetingRow(msgspec.Struct, kw_only=True):
    id: UUID
    kind: str
    collective_ids: list[UUID]
    scheduled_for: datetime
    status: str
    held_at: datetime | None
    language: str
    attendee_ids: list[UUID]
    facilitator_ids: list[UUID]
    speaker_ids: list[UUID]
    decisions: int
    agenda_grievance_ids: list[UUID]
    agenda_campaign_ids: list[UUID]
    last_nid: int
    # Attendees the reader may not name (members of collectives outside her scope): counted.
    attendees_elsewhere: int = 0


class AttendanceRow(msgspec.Struct, kw_only=True):
    worker_id: UUID
    attended: bool
    facilitated: bool
    spoke: bool


class ElsewhereCount(msgspec.Struct, kw_only=True):
    """Attendees of one collective of the meeting whom the reader may not name; the
    collective is named where the reader may name it, else None (all the rest)."""

    collective_id: UUID | None
    attendees: int


class Attendance(msgspec.Struct, kw_only=True):
    named: list[AttendanceRow]
    elsewhere: list[ElsewhereCount]


def _day_start(d: date, zone: str | None = None) -> datetime:
    return datetime.combine(d, time.min, tzinfo=ZoneInfo(zone) if zone else UTC)


_VISIBLE = (
    "(($1::uuid[] IS NULL AND $2::text IS NULL) OR EXISTS ("
    "  SELECT 1 FROM {collectives} c WHERE c.id = ANY(m.collective_ids)"
    "   AND ($1::uuid[] IS NULL OR c.id = ANY($1::uuid[]))"
    "   AND ($2::text IS NULL OR c.federation = $2)))"
)


def _scope_params(scope: Scope) -> tuple[list[UUID] | None, str | None]:
    return (None if scope.collective_ids is None else list(scope.collective_ids)), scope.federation


# A collective ``c`` (alias) in the scope ($1 ids, $2 federation).
_IN_SCOPE = ("($1::uuid[] IS NULL OR c.id = ANY($1::uuid[])) "
             "AND ($2::text IS NULL OR c.federation = $2)")
# An attendance row ``a`` the reader may name: a member of a collective in scope that day.
_NAMED = (
    "(($1::uuid[] IS NULL AND $2::text IS NULL) OR EXISTS ("
    " SELECT 1 FROM {memberships} mm JOIN {collectives} c ON c.id = mm.collective_id"
    " WHERE mm.worker_id = a.worker_id AND " + _IN_SCOPE +
    " AND mm.joined_on <= a.held_at::date AND (mm.left_on IS NULL OR a.held_at::date <= mm.left_on)))"
)


def _filter_ids(ids: list[UUID], allowed: set[UUID]) -> list[UUID]:
    return [i for i in ids if i in allowed]


class MeetingMatch(msgspec.Struct, kw_only=True, frozen=True):
    """A search's result in ids and codes (never the words typed): a meeting one of these
    workers attended, or of one of these kinds; none given matches nothing."""

    worker_ids: tuple[UUID, ...] = ()
    kinds: tuple[str, ...] = ()


class MeetingFilter(msgspec.Struct, kw_only=True, frozen=True):
    """What a list of meetings is narrowed to: every field given must hold. The period
    (days in ``time_zone``, the collective's, else UTC; inclusive) applies to when a meeting
    was held, or else when it is scheduled; ``worker_id``: meetings she attended; ``match``:
    a search's result, any one of which is enough."""

    collective_id: UUID | None = None
    status: str | None = None
    kind: str | None = None
    period_from: date | None = None
    period_to: date | None = None
    worker_id: UUID | None = None
    time_zone: str | None = None
    match: MeetingMatch | None = None


class MeetingCursor(msgspec.Struct, frozen=True):
    """A place in the list's order (when, then the meeting's id): a keyset page starts
    after it (earlier) or ends before it (later)."""

    when: datetime
    id: UUID

    def encode(self) -> str:
        return f"{self.when.astimezone(UTC).strftime('%Y%m%dT%H%M%S')}.{self.id}"

    @classmethod
    def decode(cls, raw: str | None) -> MeetingCursor | None:
        when, _, ident = (raw or "").partition(".")
        try:
            return cls(datetime.strptime(when, "%Y%m%dT%H%M%S").replace(tzinfo=UTC), UUID(ident))
        except ValueError:
            return None


async def list_meetings(conn: asyncpg.Connection, scope: Scope,
                        where: MeetingFilter | None = None, *, limit: int = 200,
                        offset: int = 0, after: MeetingCursor | None = None,
                        before: MeetingCursor | None = None, **fields: Any) -> list[MeetingRow]:
    """Meetings any of whose collectives is in scope and that match the filter (or the
    keyword arguments of the older signature: the API's query parameters), the latest
    first. ``after`` (earlier than) and ``before`` (later than) page by keyset."""
    f = msgspec.structs.replace(where, **fields) if where else MeetingFilter(**fields)
    t = await tables(conn, "meeting_log")
    visible = _VISIBLE.format(collectives=t.collectives)
    when = "coalesce(m.held_at, m.scheduled_for)"
    cursor, order = (after, "DESC") if after is not None else (before, "ASC") if before else (None, "DESC")
    rows = await conn.fetch(
        f"SELECT m.* FROM {t.meetings} m WHERE {visible}"
        " AND ($3::uuid IS NULL OR m.collective_ids @> ARRAY[$3::uuid])"
        " AND ($4::text IS NULL OR m.status = $4)"
        f" AND ($5::timestamptz IS NULL OR {when} >= $5)"
        f" AND ($6::timestamptz IS NULL OR {when} < $6)"
        " AND ($7::text IS NULL OR m.kind = $7)"
        f" AND ($8::uuid IS NULL OR EXISTS (SELECT 1 FROM {t.attendance} a"
        "      WHERE a.meeting_id = m.id AND a.worker_id = $8))"
        f" AND ($9::timestamptz IS NULL OR ({when}, m.id) {'<' if order == 'DESC' else '>'}"
        " ($9, $10::uuid)) "
        " AND ($13::text[] IS NULL OR m.kind = ANY($13::text[])"
        f"      OR EXISTS (SELECT 1 FROM {t.attendance} a"
        "          WHERE a.meeting_id = m.id AND a.worker_id = ANY($14::uuid[]))) "
        f"ORDER BY {when} {order}, m.id {order} LIMIT $11 OFFSET $12",
        *_scope_params(scope), f.collective_id, f.status,
        _day_start(f.period_from, f.time_zone) if f.period_from else None,
        _day_start(f.period_to + timedelta(days=1), f.time_zone) if f.period_to else None,
        f.kind, f.worker_id,
        cursor.when if cursor else None, cursor.id if cursor else None, limit, offset,
        list(f.match.kinds) if f.match else None, list(f.match.worker_ids) if f.match else [])
    if order == "ASC":
        rows = rows[::-1]
    if not rows:
        return []
    roles: dict[UUID, tuple[list[UUID], list[UUID], list[UUID]]] = {r["id"]: ([], [], []) for r in rows}
    elsewhere: dict[UUID, int] = dict.fromkeys(roles, 0)
    named = _NAMED.format(memberships=t.memberships, collectives=t.collectives)
    for a in await conn.fetch(
            f"SELECT a.meeting_id, a.worker_id, a.facilitated, a.spoke, {named} AS named "
            f"FROM {t.attendance} a WHERE a.meeting_id = ANY($3::uuid[]) "
            "ORDER BY a.meeting_id, a.position", *_scope_params(scope), list(roles)):
        if not a["named"]:
            elsewhere[a["meeting_id"]] += 1
            continue
        attendees, facilitators, speakers = roles[a["meeting_id"]]
        attendees.append(a["worker_id"])
        if a["facilitated"]:
            facilitators.append(a["worker_id"])
        if a["spoke"]:
            speakers.append(a["worker_id"])
    grievances, campaigns = await _agenda_in_scope(conn, t, scope, rows)
    collectives = {r["id"] for r in await conn.fetch(
        f"SELECT c.id FROM {t.collectives} c WHERE c.id = ANY($3::uuid[]) AND {_IN_SCOPE}",
        *_scope_params(scope), list({x for r in rows for x in r["collective_ids"]}))}
    return [
        MeetingRow(
            id=r["id"], kind=r["kind"],
            collective_ids=_filter_ids(list(r["collective_ids"]), collectives),
            scheduled_for=r["scheduled_for"], status=r["status"], held_at=r["held_at"],
            language=r["language"], attendee_ids=roles[r["id"]][0],
            facilitator_ids=roles[r["id"]][1], speaker_ids=roles[r["id"]][2],
            decisions=r["decisions"],
            agenda_grievance_ids=_filter_ids(list(r["agenda_grievance_ids"]), grievances),
            agenda_campaign_ids=_filter_ids(list(r["agenda_campaign_ids"]), campaigns),
            last_nid=r["last_nid"], attendees_elsewhere=elsewhere[r["id"]])
        for r in rows
    ]


async def _collectives_in_scope(conn: asyncpg.Connection, t: Tables, scope: Scope,
                                meeting_id: UUID) -> set[UUID]:
    return {r["id"] for r in await conn.fetch(
        f"SELECT c.id FROM {t.collectives} c JOIN {t.meetings} m ON c.id = ANY(m.collective_ids) "
        f"WHERE m.id = $3 AND {_IN_SCOPE}", *_scope_params(scope), meeting_id)}


async def _agenda_in_scope(conn: asyncpg.Connection, t: Tables, scope: Scope,
                           rows: list) -> tuple[set[UUID], set[UUID]]:
    """Which agenda grievances and campaigns of these meetings the reader may see: a
    grievance of a collective in scope, a campaign reaching one."""
    grievance_ids = list({g for r in rows for g in r["agenda_grievance_ids"]})
    campaign_ids = list({x for r in rows for x in r["agenda_campaign_ids"]})
    if not grievance_ids and not campaign_ids:
        return set(), set()
    grievances = {r["id"] for r in await conn.fetch(
        f"SELECT g.id FROM {t.grievances} g JOIN {t.collectives} c ON c.id = g.collective_id "
        f"WHERE g.id = ANY($3::uuid[]) AND {_IN_SCOPE}", *_scope_params(scope), grievance_ids)}
    campaigns = {r["id"] for r in await conn.fetch(
        f"SELECT k.id FROM {t.campaigns} k WHERE k.id = ANY($3::uuid[]) AND EXISTS ("
        f"SELECT 1 FROM {t.collectives} c WHERE c.id = ANY(k.reach) AND {_IN_SCOPE})",
        *_scope_params(scope), campaign_ids)}
    return grievances, campaigns


async def attendance(conn: asyncpg.Connection, scope: Scope,
                     meeting_id: UUID) -> Attendance | None:
    """Who attended one meeting and in which roles, in the order recorded, named where the
    reader may name her and counted per collective of the meeting where not; None when the
    meeting is unknown or out of scope (nobody named or counted: not held yet)."""
    t = await tables(conn, "meeting_log")
    visible = _VISIBLE.format(collectives=t.collectives)
    exists = await conn.fetchval(
        f"SELECT 1 FROM {t.meetings} m WHERE m.id = $3 AND {visible}",
        *_scope_params(scope), meeting_id)
    if not exists:
        return None
    named = _NAMED.format(memberships=t.memberships, collectives=t.collectives)
    rows = await conn.fetch(
        f"SELECT a.worker_id, a.attended, a.facilitated, a.spoke, {named} AS named,"
        f" (SELECT mm.collective_id FROM {t.memberships} mm JOIN {t.meetings} m ON m.id = a.meeting_id"
        "   WHERE mm.worker_id = a.worker_id AND mm.collective_id = ANY(m.collective_ids)"
        "   AND mm.joined_on <= a.held_at::date"
        "   AND (mm.left_on IS NULL OR a.held_at::date <= mm.left_on)"
        "   ORDER BY mm.collective_id LIMIT 1) AS collective_id "
        f"FROM {t.attendance} a WHERE a.meeting_id = $3 ORDER BY a.position",
        *_scope_params(scope), meeting_id)
    nameable = await _collectives_in_scope(conn, t, scope, meeting_id)
    counts: dict[UUID | None, int] = {}
    for r in rows:
        if not r["named"]:
            key = r["collective_id"] if r["collective_id"] in nameable else None
            counts[key] = counts.get(key, 0) + 1
    return Attendance(
        named=[AttendanceRow(worker_id=r["worker_id"], attended=r["attended"],
                             facilitated=r["facilitated"], spoke=r["spoke"])
               for r in rows if r["named"]],
        elsewhere=[ElsewhereCount(collective_id=k, attendees=v) for k, v in sorted(
            counts.items(), key=lambda kv: (kv[0] is None, str(kv[0])))])
