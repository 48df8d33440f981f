"""Reading one aggregate by id, as a typed view with its sealed fields opened.

This is the write model read back (``GET /api/v1/<area>/<id>``), not a projection: it is
always current, and it is where the per-subject keys are used to open personal fields.
After erasure the key is gone and those fields read as a placeholder.

Read through the web (``organize.application.access.Authorised``), every view also leaves out what the
account may not know (``app.visibility``): ids of workers, grievances, collectives,
campaigns and organisations outside its scope. Outside her own collectives, people are
counted, never named; a collective a worker left sees her pseudonym and nothing recorded
about her since. Read by the application itself (CLI, tests), nothing is left out.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
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
from organize.domain.dates import day_of

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
    erased: bool = False  # its texts destroyed by erase-collective


def collective_view(app, agg: Collective) -> CollectiveView:
    seen = _seen(app)
    alliances = {o: d for o, d in agg.alliances.items() if seen is None or seen.organisation_id(o)}
    return CollectiveView(**_base(agg), name=agg.name, kind=agg.kind, sectors=tuple(agg.sectors),
                          places=tuple(agg.places), languages=tuple(agg.languages),
                          federation=agg.federation, alliances=alliances,
                          erased=getattr(agg, "erased", False))


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
    departure_on: date | None = None  # opened for readers of personal data only


def departure_of(app, agg: Worker, key: bytes | None = None) -> date | None:
    """Her planned departure, opened with her key (looked up unless given); None when none
    is planned or her key is gone (erased)."""
    if agg.sealed_departure is None:
        return agg.departure_on  # a version 1 event's day, recorded in the clear
    key = app.keys.get(agg.id) if key is None else key
    plain = app.sealer.open_with(key, agg.id, agg.sealed_departure)
    return None if plain is None else date.fromisoformat(plain.decode())


def _seen(app):
    """The account's ``organize.application.policy.Visibility``, or None: the application itself."""
    seen = getattr(app, "visibility", None)
    return None if seen is None or seen.everything else seen


def reads_personal_data(app) -> bool:
    """Whether whoever reads through ``app`` may see personal fields and free text. The web
    layer's per-account application says no for organisers (DOMAIN.md: organisers "should not
    need to know who a given worker is"); the application itself (CLI, tests) says yes."""
    return getattr(app, "reads_personal_data", True)


_LOOK_UP = object()


def worker_view(app, agg: Worker, key: Any = _LOOK_UP) -> WorkerView:
    """Her record as ``app``'s account may read it. ``key``: her data key, if the caller
    already fetched it (``None`` when it is gone); else it is looked up."""
    key = None if agg.erased else app.keys.get(agg.id) if key is _LOOK_UP else key
    profile = _decode(app.sealer.open_with(key, agg.id, agg.profile) if key else None, c.Profile)
    personal = reads_personal_data(app)
    statuses = tuple(
        StatusView(on=s.on, change=_decode(app.sealer.open_with(key, agg.id, s.sealed_status),
                                           c.StatusChange) if personal else None)
        for s in agg.statuses
    )
    seen = _seen(app)
    former = seen is not None and not seen.member(agg)
    if profile is not None and (former or not personal):  # the pseudonym only
        profile = c.Profile(pseudonym=profile.pseudonym)
    # An occupation is free text ("cook for the Wong family"): opened for leaders and admins,
    # withheld from organisers (``_opened_spell``).
    spells = tuple(sorted((_opened_spell(app, key, agg.id, s, personal) for s in agg.spells.values()),
                          key=lambda s: (s.started_on, str(s.spell_id))))
    if seen is not None:  # never an employer the account may not name
        spells = tuple(s if s.employer_id is None or seen.organisation_id(s.employer_id)
                       else msgspec.structs.replace(s, employer_id=None) for s in spells)
    return WorkerView(
        **(_as_she_left(app, seen, agg) if former else _base(agg)),
        profile=profile or c.Profile(pseudonym=ERASED),
        erased=agg.erased or key is None,
        collectives={k: v for k, v in agg.collectives.items()
                     if seen is None or seen.collective(k)},
        memberships=tuple(m for m in agg.memberships
                          if seen is None or seen.collective(m.collective_id)),
        # A collective she left reads nothing recorded about her: no consent, trajectory or
        # status (organize.application.policy: FORMER).
        consents={} if former else dict(agg.consents),
        spells=() if former else spells,
        moves=() if former else tuple(agg.moves),
        statuses=() if former else statuses,
        departure_on=departure_of(app, agg, key) if personal and not former and key else None,
    )


def merged_views(app, agg: Worker) -> tuple[WorkerView, ...]:
    """Her record and every record merged into it (``MergeWorkers``), each opened under its
    own key: a merge links the keys and keeps both histories, so an undo has nothing to
    restore but the two marks."""
    return (worker_view(app, agg),
            *(worker_view(app, app.get(Worker, i)) for i in agg.absorbed))


def _as_she_left(app, seen, agg: Worker) -> dict:
    """``_base`` for a reader whose collectives she left: the version and the moment of her
    leaving the last of them, as her history shows (``organize.application.history``), so nothing
    recorded about her since leaves a trace (not even that, or when, something was)."""
    left = [e for e in app.repository.event_store.get(agg.id)
            if type(e).__name__ == "LeftCollective" and seen.collective(e.collective_id)]
    if not left:
        return _base(agg)
    last = max(left, key=lambda e: e.originator_version)
    return dict(id=agg.id, version=last.originator_version, created_on=agg.created_on,
                modified_on=last.timestamp)


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
    seen = _seen(app)

    def workers(ids) -> tuple[UUID, ...]:
        return tuple(w for w in ids if seen is None or seen.ever_member(w))

    def org(o: UUID | None) -> UUID | None:
        return o if o is None or seen is None or seen.organisation_id(o) else None

    return GrievanceView(
        **_base(agg), collective_id=agg.collective_id, status=agg.status,
        worker_ids=workers(agg.worker_ids), category=agg.category, sector=agg.sector,
        place=agg.place, stage=agg.stage,
        organisation_ids=tuple(o for o in agg.organisation_ids if org(o) is not None),
        occurred_on=agg.occurred_on, description=text(agg.description),
        evidence=tuple(NoteView(on=e.on, text=text(e.sealed_note)) for e in agg.evidence),
        referrals=tuple(msgspec.structs.replace(r, worker_ids=workers(r.worker_ids))
                        for r in agg.referrals if org(r.organisation_id) is not None),
        escalations=tuple(agg.escalations),
        negotiations=tuple(
            NegotiationView(with_organisation_id=org(n.with_organisation_id), held_on=n.held_on,
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


def opened_text(app, subject_id: UUID, sealed: bytes | None, clear: str | None = None,
                key: bytes | None = None) -> str | None:
    """A collective text (``organize.texts``) opened: ``clear`` for one stored before texts
    were sealed, ``ERASED`` once its key is gone. Never stored opened."""
    if sealed is None:
        return clear
    plain = app.sealer.open_with(key if key is not None else app.keys.get(subject_id),
                                 subject_id, sealed)
    return ERASED if plain is None else plain.decode()


def opened_texts(app, subject_id: UUID, sealed: bytes | None, clear: tuple[str, ...],
                 count: int) -> tuple[str, ...]:
    """Several texts sealed together (decisions, clauses), opened for this reader: withheld
    from a reader who does not read free text (an organiser)."""
    if sealed is None:
        return tuple(clear)
    if not reads_personal_data(app):
        return (WITHHELD,) * count
    plain = app.sealer.open(subject_id, sealed)
    if plain is None:
        return (ERASED,) * count
    return tuple(msgspec.json.decode(plain, type=tuple[str, ...]))


def campaign_view(app, agg: Campaign) -> CampaignView:
    seen = _seen(app)
    view = (_campaign_seen(seen, agg) if seen is not None else
            _campaign(agg, agg.collective_ids, agg.grievance_ids, agg.actions.values(),
                      agg.agreements.values()))
    return _campaign_opened(app, agg, view)


def _campaign_opened(app, agg: Campaign, view: CampaignView) -> CampaignView:
    """The campaign's texts opened under its key: the issue and the demands for whoever
    reads the campaign (the boards show them), the summary and the clauses only for a
    reader of free text."""
    key = app.keys.get(agg.id)
    free = reads_personal_data(app)
    demands = tuple(msgspec.structs.replace(d, text=opened_text(
        app, agg.id, agg.demands[d.demand_id].sealed_text, d.text, key) or "")
        for d in view.demands)
    agreements = tuple(msgspec.structs.replace(
        a, clauses=opened_texts(app, agg.id, a.sealed_clauses, a.clauses, a.clause_count),
        sealed_clauses=None) for a in view.agreements)
    summary = (opened_text(app, agg.id, agg.sealed_summary, agg.summary, key) if free else
               WITHHELD if agg.sealed_summary is not None or agg.summary else None)
    return msgspec.structs.replace(
        view, issue=opened_text(app, agg.id, agg.sealed_issue, agg.issue, key) or "",
        demands=demands, agreements=agreements, summary=summary)


def _campaign_seen(seen, agg: Campaign) -> CampaignView:
    """A campaign as one account may see it: other collectives named only where they
    joined it alongside one of hers, grievances of her collectives only, participants she
    may name, agreements with organisations she may name."""
    collectives = [i for i in agg.collective_ids if seen.nameable_collective(i, agg)]
    grievances = [g for g in agg.grievance_ids if seen.grievance_id(g)]
    actions = [msgspec.structs.replace(
        a, participant_ids=tuple(w for w in a.participant_ids if seen.knows_worker(w, a.taken_on)),
        collective_ids=tuple(i for i in a.collective_ids if seen.nameable_collective(i, agg)))
        for a in agg.actions.values()]
    agreements = [a for a in agg.agreements.values() if seen.organisation_id(a.with_organisation_id)]
    return _campaign(agg, collectives, grievances, actions, agreements)


def _campaign(agg: Campaign, collective_ids, grievance_ids, actions, agreements) -> CampaignView:
    demands = []
    for d in agg.demands.values():
        r = agg.results.get(d.demand_id)
        demands.append(DemandView(demand_id=d.demand_id, text=d.text,
                                  result=r.result if r else None, resolved_on=r.on if r else None))
    return CampaignView(
        **_base(agg), issue=agg.issue, status=agg.status, demands=tuple(demands),
        collective_ids=tuple(collective_ids), sectors=tuple(agg.sectors),
        launched_on=agg.launched_on, grievance_ids=tuple(grievance_ids),
        actions=tuple(actions), agreements=tuple(agreements),
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
    # Attendees from collectives outside the reader's scope: counted, never named.
    attendees_elsewhere: int = 0


def meeting_decisions(app, agg: Meeting) -> tuple[str, ...]:
    """The decisions opened for this reader; never stored opened."""
    return opened_texts(app, agg.id, agg.sealed_decisions, tuple(agg.decisions),
                        agg.decision_count)


def cancel_reason(app, agg: Meeting) -> str | None:
    sealed = getattr(agg, "sealed_reason", None)
    if sealed is not None and not reads_personal_data(app):
        return WITHHELD
    return opened_text(app, agg.id, sealed, agg.cancel_reason)


def meeting_view(app, agg: Meeting) -> MeetingView:
    seen = _seen(app)
    day = (agg.held_at or agg.scheduled_for).date()

    def named(ids) -> tuple[UUID, ...]:
        return tuple(w for w in ids if seen is None or seen.knows_worker(w, day))

    attendees = named(agg.attendee_ids)
    return MeetingView(
        **_base(agg), kind=agg.kind, status=agg.status,
        collective_ids=tuple(i for i in agg.collective_ids if seen is None or seen.collective(i)),
        scheduled_for=agg.scheduled_for, language=agg.language,
        agenda_grievance_ids=tuple(g for g in agg.agenda_grievance_ids
                                   if seen is None or seen.grievance_id(g)),
        agenda_campaign_ids=tuple(k for k in agg.agenda_campaign_ids
                                  if seen is None or seen.campaign_id(k)),
        held_at=agg.held_at, attendee_ids=attendees, facilitator_ids=named(agg.facilitator_ids),
        speaker_ids=named(agg.speaker_ids), decisions=meeting_decisions(app, agg),
        cancel_reason=cancel_reason(app, agg),
        attendees_elsewhere=len(agg.attendee_ids) - len(attendees),
    )


class AssessmentView(Base, kw_only=True):
    collective_id: UUID
    assessed_on: date
    levels: dict[str, int]
    narrative: str


def assessment_view(app, agg: Assessment) -> AssessmentView:
    sealed = getattr(agg, "sealed_narrative", None)
    narrative = (WITHHELD if sealed is not None and not reads_personal_data(app) else
                 opened_text(app, agg.collective_id, sealed, agg.narrative))
    return AssessmentView(**_base(agg), collective_id=agg.collective_id,
                          assessed_on=agg.assessed_on, levels=dict(agg.levels),
                          narrative=narrative or "")


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


# -- timelines ----------------------------------------------------------------------------------


def grievance_timeline(app, agg: Grievance) -> list[dict[str, Any]]:
    """The grievance's events in order, each with what its page shows: the day it is about
    (``organize.domain.dates``), the workers, organisation and code it names, and its text
    opened as the account may (``text_opener``)."""
    text = text_opener(app, agg.id)
    timeline = []
    for e in app.repository.event_store.get(agg.id):
        name = type(e).__name__
        item: dict[str, Any] = {"name": name, "version": e.originator_version,
                                "day": day_of(e), "text": None, "workers": (),
                                "org": None, "code": None, "money": None}
        if name == "Raised":
            item.update(day=e.occurred_on, workers=tuple(e.worker_ids),
                        code=("categories", e.category), text=text(e.sealed_description))
        elif name == "Joined":
            item["workers"] = tuple(e.worker_ids)
        elif name == "EvidenceNoted":
            item["text"] = text(e.sealed_note)
        elif name == "Referred":
            item.update(org=e.organisation_id, workers=tuple(e.worker_ids))
        elif name == "Escalated":
            item["code"] = ("escalation_targets", e.target)
        elif name == "NegotiationRecorded":
            item.update(org=e.with_organisation_id, text=text(e.sealed_notes))
        elif name == "OutcomeRecorded":
            item["code"] = ("outcomes", e.outcome)
            if e.amount is not None:
                item["money"] = (e.amount, e.currency)
        elif name == "RetaliationReported":
            item["text"] = text(e.sealed_details)
        elif name == "Corrected":
            item.update(day=e.occurred_on, code=("categories", e.category),
                        text=text(e.sealed_description) if e.sealed_description else None)
        elif name in ("AmountStated", "AmountCorrected"):
            item.update(kind=e.kind,
                        money=None if e.amount is None else (e.amount.amount, e.amount.currency))
        elif name == "StepTaken":
            item["step"] = e.step
        timeline.append(item)
    return timeline


def events_since(app, aggregate_id: UUID, version: int) -> list[Any]:
    """What was recorded on an aggregate after ``version`` (the one a stale form was made
    from), in order: the page says what changed."""
    return list(app.repository.event_store.get(aggregate_id, gt=version))
