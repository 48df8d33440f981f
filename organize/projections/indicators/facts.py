"""The facts the scorer reads, one small frozen record per thing that happened (a meeting
held, an event of a grievance or a campaign, an alliance, a work spell), each with its domain
date and the notification id that proves it. The view loads them from its tables (``load_facts``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from psycopg import Cursor
from psycopg.rows import tuple_row

# The two kinds of subject a series is kept for.
COLLECTIVE = "collective"
CAMPAIGN = "campaign"


@dataclass(frozen=True, slots=True)
class MeetingFact:
    """A meeting that was held."""

    nid: int
    on: date
    attendees: tuple[UUID, ...]
    facilitators: tuple[UUID, ...]
    speakers: tuple[UUID, ...] = ()
    decisions: int = 0
    kind: str = "assembly"


@dataclass(frozen=True, slots=True)
class GrievanceEvent:
    """Something that happened to a grievance, on its domain date.

    ``kind`` is raised, joined, evidence, referred, escalated, negotiation, outcome,
    retaliation, withdrawn, reopened, or discussed (a held meeting had it on its agenda).
    """

    nid: int
    grievance_id: UUID
    kind: str
    on: date
    worker_ids: tuple[UUID, ...] = ()
    organisation_id: UUID | None = None
    outcome: str | None = None


@dataclass(frozen=True, slots=True)
class CampaignFact:
    id: UUID
    launched_on: date
    sectors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CampaignEvent:
    """A campaign launched, an action taken, a demand resolved or an agreement signed."""

    nid: int
    campaign_id: UUID
    kind: str  # launched | action | result | agreement
    on: date
    detail: str | None = None  # the action's kind, or the demand's result
    participants: tuple[UUID, ...] = ()
    organisation_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class BargainingEvent:
    """A step of one of the collective's bargaining rounds.

    ``kind`` is session (a session with the other side), ratified (members voted the
    tentative agreement through in a meeting: ``voters`` took part in the vote) or breach (a
    grievance cited one of its clauses, ``clause_id``, as breached)."""

    nid: int
    bargaining_id: UUID
    kind: str
    on: date
    voters: int = 0
    clause_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class AllianceFact:
    nid: int
    organisation_id: UUID
    kind: str | None
    since: date
    until: date | None = None
    ended_nid: int | None = None


@dataclass(frozen=True, slots=True)
class SpellFact:
    nid: int
    sector: str
    started_on: date
    ended_on: date | None = None


@dataclass
class Facts:
    """Everything one collective's (or one campaign's) indicators are computed from.

    ``prior_facilitators`` are people who facilitated before the earliest meeting given
    (the view loads only the facts the weeks being recomputed can see).
    """

    subject: str = "collective"  # or "campaign"
    meetings: Sequence[MeetingFact] = ()
    grievance_events: Sequence[GrievanceEvent] = ()
    campaigns: Mapping[UUID, CampaignFact] = field(default_factory=dict)
    campaign_events: Sequence[CampaignEvent] = ()
    alliances: Sequence[AllianceFact] = ()
    spells: Mapping[UUID, Sequence[SpellFact]] = field(default_factory=dict)
    prior_facilitators: frozenset[UUID] = frozenset()
    bargaining_events: Sequence[BargainingEvent] = ()

    def dates(self) -> list[date]:
        """Every domain date a fact carries."""
        out = [m.on for m in self.meetings]
        out += [e.on for e in self.grievance_events]
        out += [e.on for e in self.campaign_events]
        out += [e.on for e in self.bargaining_events]
        for a in self.alliances:
            out.append(a.since)
            if a.until is not None:
                out.append(a.until)
        return out


def load_facts(curs: Any, t: Any, subject: str, subject_id: UUID, since: date | None = None) -> Facts:
    """The facts of one collective or campaign that weeks after ``since`` can see
    (all of them when ``since`` is None), from the indicators view's tables ``t``, in two
    trips (``_read``): what the subject's id finds, then the campaigns and the work spells of
    what was found."""
    since = since or date.min
    meetings_where = "collective_ids @> %s" if subject == COLLECTIVE else "agenda_campaign_ids @> %s"
    if subject == COLLECTIVE:
        grievances = (f"SELECT id FROM {t.grievances} WHERE collective_id = %s", subject_id)
        cevents_where = "collective_ids @> %s"
        cevents_arg: Any = [subject_id]
    else:
        grievances = (f"SELECT DISTINCT unnest(grievance_ids) FROM {t.campaigns} WHERE id = %s", subject_id)
        cevents_where = "campaign_id = %s"
        cevents_arg = subject_id
    queries = [
        (f"SELECT held_nid, held_on, kind, attendee_ids, facilitator_ids, speaker_ids, decisions "
         f"FROM {t.meetings} WHERE {meetings_where} AND held_nid IS NOT NULL AND held_on >= %s",
         ([subject_id], since)),
        (f"SELECT DISTINCT f FROM {t.meetings}, unnest(facilitator_ids) AS f "
         f"WHERE {meetings_where} AND held_nid IS NOT NULL AND held_on < %s", ([subject_id], since)),
        # Every event of each grievance with something in the weeks concerned: who stood
        # behind it, and what answered a retaliation, can date from before them. Found from
        # the subject's grievances (an index look-up each), never by a scan of every event.
        (f"SELECT e.nid, e.grievance_id, e.kind, e.on_date, e.worker_ids, e.organisation_id, e.outcome "
         f"FROM ({grievances[0]}) AS g(id) JOIN {t.gevents} e ON e.grievance_id = g.id "
         f"WHERE EXISTS (SELECT 1 FROM {t.gevents} d WHERE d.grievance_id = g.id AND d.on_date >= %s) "
         "ORDER BY e.nid, e.grievance_id", (grievances[1], since)),
        (f"SELECT nid, campaign_id, kind, on_date, detail, participant_ids, organisation_id "
         f"FROM {t.cevents} WHERE {cevents_where} AND on_date >= %s", (cevents_arg, since)),
    ]
    if subject == COLLECTIVE:
        queries += [
            ("SELECT a.nid, a.organisation_id, o.kind, a.since, a.until, a.ended_nid "
             f"FROM {t.alliances} a "
             f"LEFT JOIN {t.orgs} o ON o.id = a.organisation_id WHERE a.collective_id = %s", (subject_id,)),
            (f"SELECT nid, bargaining_id, kind, on_date, voters, clause_id FROM {t.bevents} "
             "WHERE collective_id = %s AND on_date >= %s", (subject_id, since)),
        ]
    found = _read(curs, queries)
    # Rows are tuples, in the order of each query's columns (and of each record's fields).
    meetings = [MeetingFact(nid, on, tuple(attendees), tuple(facilitators), tuple(speakers), decisions,
                            kind)
                for nid, on, kind, attendees, facilitators, speakers, decisions in found[0]]
    prior = frozenset(r[0] for r in found[1])
    gevents = [GrievanceEvent(nid, grievance_id, kind, on, tuple(workers), organisation_id, outcome)
               for nid, grievance_id, kind, on, workers, organisation_id, outcome in found[2]]
    cevents = [CampaignEvent(nid, campaign_id, kind, on, detail, tuple(participants), organisation_id)
               for nid, campaign_id, kind, on, detail, participants, organisation_id in found[3]]
    alliances: list[AllianceFact] = []
    bevents: list[BargainingEvent] = []
    if subject == COLLECTIVE:
        alliances = [AllianceFact(*r) for r in found[4]]
        bevents = [BargainingEvent(*r) for r in found[5]]

    campaign_ids = list({e.campaign_id for e in cevents})
    people = {p for m in meetings for p in m.attendees} | {p for e in cevents for p in e.participants}
    queries = [(f"SELECT id, launched_on, sectors FROM {t.campaigns} WHERE id = ANY(%s)", (campaign_ids,))]
    if people:
        queries.append((f"SELECT worker_id, nid, sector, started_on, ended_on FROM {t.spells} "
                        "WHERE worker_id = ANY(%s)", (list(people),)))
    found = _read(curs, queries)
    campaigns = {campaign_id: CampaignFact(campaign_id, launched_on, tuple(sectors))
                 for campaign_id, launched_on, sectors in found[0]}
    spells: dict[UUID, list[SpellFact]] = defaultdict(list)
    for worker_id, *spell in found[1] if people else ():
        spells[worker_id].append(SpellFact(*spell))
    return Facts(subject=subject, meetings=meetings, grievance_events=gevents, campaigns=campaigns,
                 campaign_events=cevents, alliances=alliances, spells=dict(spells),
                 prior_facilitators=prior, bargaining_events=bevents)


def _read(curs: Any, queries: list[tuple[str, tuple]]) -> list[list]:
    """The rows of each query, as tuples. On a plain cursor (a recompute after the batch), they
    are sent together in pipeline mode, on a cursor each, and cost one round trip; a handler's
    cursor (already pipelined, with rows it holds back, as dicts) reads them one by one."""
    if not isinstance(curs, Cursor):
        out = []
        for query, params in queries:
            curs.execute(query, params)
            out.append([tuple(r.values()) for r in curs.fetchall()])
        return out
    conn = curs.connection
    with conn.pipeline():
        cursors = [conn.cursor(row_factory=tuple_row) for _ in queries]
        for c, (query, params) in zip(cursors, queries, strict=True):
            c.execute(query, params)
    out = [c.fetchall() for c in cursors]
    for c in cursors:
        c.close()
    return out
