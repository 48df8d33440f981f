"""The facts the scorer reads, one small frozen record per thing that happened (a meeting
held, an event of a grievance or a campaign, an alliance, a work spell), each with its domain
date and the notification id that proves it. The view loads them from its tables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID


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
