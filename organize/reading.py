"""Reading one aggregate by id, as a typed view with its sealed fields opened.

This is the write model read back (``GET /api/v1/<area>/<id>``), not a projection: it is
always current, and it is where the per-subject keys are used to open personal fields.
After erasure the key is gone and those fields read as a placeholder.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from uuid import UUID

import msgspec

from organize import commands as c
from organize.domain import (
    Action,
    Agreement,
    Assessment,
    Campaign,
    Collective,
    Escalation,
    Grievance,
    Meeting,
    Membership,
    Move,
    Organisation,
    Outcome,
    Referral,
    Spell,
    Worker,
)

ERASED = "[erased]"
WITHHELD = "[withheld]"  # free text an organiser does not read


class Base(msgspec.Struct, kw_only=True):
    id: UUID
    version: int
    created_on: datetime
    modified_on: datetime


def _base(agg) -> dict:
    return dict(id=agg.id, version=agg.version, created_on=agg.created_on,
                modified_on=agg.modified_on)


class CollectiveView(Base, kw_only=True):
    name: str
    kind: str
    sectors: tuple[str, ...]
    places: tuple[str, ...]
    languages: tuple[str, ...]
    federation: str | None
    alliances: dict[UUID, date]


def collective_view(_app, agg: Collective) -> CollectiveView:
    return CollectiveView(**_base(agg), name=agg.name, kind=agg.kind, sectors=tuple(agg.sectors),
                          places=tuple(agg.places), languages=tuple(agg.languages),
                          federation=agg.federation, alliances=dict(agg.alliances))


class OrganisationView(Base, kw_only=True):
    name: str
    kind: str
    place: str | None


def organisation_view(_app, agg: Organisation) -> OrganisationView:
    return OrganisationView(**_base(agg), name=agg.name, kind=agg.kind, place=agg.place)


class StatusView(msgspec.Struct, kw_only=True):
    on: date
    change: c.StatusChange | None


class WorkerView(Base, kw_only=True):
    profile: c.Profile
    erased: bool
    collectives: dict[UUID, date]
    memberships: tuple[Membership, ...]
    consents: dict[str, datetime]
    spells: tuple[Spell, ...]
    moves: tuple[Move, ...]
    statuses: tuple[StatusView, ...]


def reads_personal_data(app) -> bool:
    """Whether whoever reads through ``app`` may see personal fields and free text. The web
    layer's per-account application says no for organisers (DOMAIN.md: organisers "should not
    need to know who a given worker is"); the application itself (CLI, tests) says yes."""
    return getattr(app, "reads_personal_data", True)


def worker_view(app, agg: Worker) -> WorkerView:
    key = None if agg.erased else app.keys.get(agg.id)
    profile = _decode(app.sealer.open_with(key, agg.id, agg.profile) if key else None, c.Profile)
    personal = reads_personal_data(app)
    statuses = tuple(
        StatusView(on=s.on, change=_decode(app.sealer.open_with(key, agg.id, s.sealed_status),
                                           c.StatusChange) if personal else None)
        for s in agg.statuses
    )
    if profile is not None and not personal:  # the pseudonym only: no name, phone, document, note
        profile = c.Profile(pseudonym=profile.pseudonym)
    return WorkerView(
        **_base(agg),
        profile=profile or c.Profile(pseudonym=ERASED),
        erased=agg.erased or key is None,
        collectives=dict(agg.collectives),
        memberships=tuple(agg.memberships),
        consents=dict(agg.consents),
        spells=tuple(sorted((_opened_spell(app, key, agg.id, s, personal)
                             for s in agg.spells.values()),
                            key=lambda s: (s.started_on, str(s.spell_id)))),
        moves=tuple(agg.moves),
        statuses=statuses,
    )


def _opened_spell(app, key: bytes | None, worker_id, spell, personal: bool):
    """The spell with its occupation opened for this reader (never stored opened)."""
    if not personal:
        occupation = WITHHELD
    elif spell.sealed_occupation is not None:
        plain = app.sealer.open_with(key, worker_id, spell.sealed_occupation)
        occupation = ERASED if plain is None else plain.decode()
    else:  # a spell from before occupations were sealed, or erased
        occupation = spell.occupation if spell.occupation is not None else ERASED
    return msgspec.structs.replace(spell, occupation=occupation, sealed_occupation=None)


def _decode(plain: bytes | None, type_):
    return None if plain is None else msgspec.json.decode(plain, type=type_)


class NoteView(msgspec.Struct, kw_only=True):
    on: date
    text: str


class NegotiationView(msgspec.Struct, kw_only=True):
    with_organisation_id: UUID | None
    held_on: date
    notes: str | None


class RetaliationView(msgspec.Struct, kw_only=True):
    kind: str | None
    on: date
    details: str


class GrievanceView(Base, kw_only=True):
    collective_id: UUID
    status: str
    worker_ids: tuple[UUID, ...]
    category: str
    sector: str
    place: str
    stage: str
    organisation_ids: tuple[UUID, ...]
    occurred_on: date
    description: str
    evidence: tuple[NoteView, ...]
    referrals: tuple[Referral, ...]
    escalations: tuple[Escalation, ...]
    negotiations: tuple[NegotiationView, ...]
    outcome: Outcome | None
    retaliations: tuple[RetaliationView, ...]
    withdrawn_on: date | None


def text_opener(app, subject_id) -> Callable[[bytes | None], str | None]:
    """Opens one subject's sealed texts for whoever reads through ``app``: ``[withheld]``
    for a reader who may not see them (organisers), ``[erased]`` once the key is gone."""
    if not reads_personal_data(app):
        return lambda sealed: None if sealed is None else WITHHELD
    key = app.keys.get(subject_id)

    def text(sealed: bytes | None) -> str | None:
        if sealed is None:
            return None
        plain = app.sealer.open_with(key, subject_id, sealed)
        return ERASED if plain is None else plain.decode()

    return text


def grievance_view(app, agg: Grievance) -> GrievanceView:
    text = text_opener(app, agg.id)

    return GrievanceView(
        **_base(agg), collective_id=agg.collective_id, status=agg.status,
        worker_ids=tuple(agg.worker_ids), category=agg.category, sector=agg.sector,
        place=agg.place, stage=agg.stage, organisation_ids=tuple(agg.organisation_ids),
        occurred_on=agg.occurred_on, description=text(agg.description),
        evidence=tuple(NoteView(on=e.on, text=text(e.sealed_note)) for e in agg.evidence),
        referrals=tuple(agg.referrals), escalations=tuple(agg.escalations),
        negotiations=tuple(
            NegotiationView(with_organisation_id=n.with_organisation_id, held_on=n.held_on,
                            notes=None if n.sealed_notes is None else text(n.sealed_notes))
            for n in agg.negotiations
        ),
        outcome=agg.outcome,
        retaliations=tuple(RetaliationView(kind=r.kind, on=r.on, details=text(r.sealed_details))
                           for r in agg.retaliations),
        withdrawn_on=agg.withdrawn_on,
    )


class DemandView(msgspec.Struct, kw_only=True):
    demand_id: UUID
    text: str
    result: str | None
    resolved_on: date | None


class CampaignView(Base, kw_only=True):
    issue: str
    status: str
    demands: tuple[DemandView, ...]
    collective_ids: tuple[UUID, ...]
    sectors: tuple[str, ...]
    launched_on: date
    grievance_ids: tuple[UUID, ...]
    actions: tuple[Action, ...]
    agreements: tuple[Agreement, ...]
    closed_on: date | None
    summary: str | None


def campaign_view(_app, agg: Campaign) -> CampaignView:
    demands = []
    for d in agg.demands.values():
        r = agg.results.get(d.demand_id)
        demands.append(DemandView(demand_id=d.demand_id, text=d.text,
                                  result=r.result if r else None, resolved_on=r.on if r else None))
    return CampaignView(
        **_base(agg), issue=agg.issue, status=agg.status, demands=tuple(demands),
        collective_ids=tuple(agg.collective_ids), sectors=tuple(agg.sectors),
        launched_on=agg.launched_on, grievance_ids=tuple(agg.grievance_ids),
        actions=tuple(agg.actions.values()), agreements=tuple(agg.agreements.values()),
        closed_on=agg.closed_on, summary=agg.summary,
    )


class MeetingView(Base, kw_only=True):
    kind: str
    status: str
    collective_ids: tuple[UUID, ...]
    scheduled_for: datetime
    language: str
    agenda_grievance_ids: tuple[UUID, ...]
    agenda_campaign_ids: tuple[UUID, ...]
    held_at: datetime | None
    attendee_ids: tuple[UUID, ...]
    facilitator_ids: tuple[UUID, ...]
    speaker_ids: tuple[UUID, ...]
    decisions: tuple[str, ...]
    cancel_reason: str | None


def meeting_decisions(app, agg: Meeting) -> tuple[str, ...]:
    """The decisions opened for this reader; never stored opened."""
    if agg.sealed_decisions is None:
        return tuple(agg.decisions)  # none, or held before decisions were sealed
    if not reads_personal_data(app):
        return (WITHHELD,) * agg.decision_count
    plain = app.sealer.open(agg.id, agg.sealed_decisions)
    if plain is None:
        return (ERASED,) * agg.decision_count
    return tuple(msgspec.json.decode(plain, type=tuple[str, ...]))


def meeting_view(app, agg: Meeting) -> MeetingView:
    return MeetingView(
        **_base(agg), kind=agg.kind, status=agg.status, collective_ids=tuple(agg.collective_ids),
        scheduled_for=agg.scheduled_for, language=agg.language,
        agenda_grievance_ids=tuple(agg.agenda_grievance_ids),
        agenda_campaign_ids=tuple(agg.agenda_campaign_ids), held_at=agg.held_at,
        attendee_ids=tuple(agg.attendee_ids), facilitator_ids=tuple(agg.facilitator_ids),
        speaker_ids=tuple(agg.speaker_ids), decisions=meeting_decisions(app, agg),
        cancel_reason=agg.cancel_reason,
    )


class AssessmentView(Base, kw_only=True):
    collective_id: UUID
    assessed_on: date
    levels: dict[str, int]
    narrative: str


def assessment_view(_app, agg: Assessment) -> AssessmentView:
    return AssessmentView(**_base(agg), collective_id=agg.collective_id,
                          assessed_on=agg.assessed_on, levels=dict(agg.levels),
                          narrative=agg.narrative)


# area -> (aggregate class, view function, view type)
VIEWS = {
    "collectives": (Collective, collective_view, CollectiveView),
    "organisations": (Organisation, organisation_view, OrganisationView),
    "workers": (Worker, worker_view, WorkerView),
    "grievances": (Grievance, grievance_view, GrievanceView),
    "campaigns": (Campaign, campaign_view, CampaignView),
    "meetings": (Meeting, meeting_view, MeetingView),
    "assessments": (Assessment, assessment_view, AssessmentView),
}

__all__ = ["ERASED", "VIEWS"]
