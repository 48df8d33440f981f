"""Grievances: the collective's own casework, by its leaders only. Free text is sealed under
the grievance's key, owned by the workers who raised it.

- ``RaiseGrievance``: leaders of the collective, for its current members.
- ``JoinGrievance``, ``NoteEvidence``, ``ReferGrievance`` (with the workers' referral
  consent), ``EscalateGrievance``, ``RecordNegotiation``, ``RecordOutcome``,
  ``ReportRetaliation``, ``WithdrawGrievance``, ``ReopenGrievance``: leaders of its collective.

``record_grievance`` is the composite the record flow, the demo and anyone else use: new
workers registered, their consents given and the grievance raised, every id derived from one
command id, so a second submit replays the first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING
from uuid import UUID, uuid5

from organize import commands as c
from organize.application.base import Done, Use, check_all, new_id
from organize.application.policy import (
    COLLECTIVE,
    GRIEVANCE,
    LEADERS,
    ORGANISATION,
    PROCEDURE,
    Relation,
    Rule,
    not_found,
    touching,
)
from organize.application.procedures import procedure_of
from organize.domain import (
    Collective,
    Grievance,
    Organisation,
    Procedure,
    Worker,
)
from organize.domain.money import money
from organize.errors import Invalid

if TYPE_CHECKING:
    from organize.application import Organize


def _workers(app: Organize, ids: tuple[UUID, ...], field: str) -> dict[UUID, Worker]:
    found = {i: app.load(Worker, i, field=field) for i in ids}
    for w in found.values():
        if w.erased:
            raise Invalid("One of these workers' records was erased.", field=field, code="erased")
    return found


def _raise_grievance(app: Organize, cmd: c.RaiseGrievance) -> Done:
    grievance_id = new_id(cmd.command_id, "grievance")
    app.exists(Collective, cmd.collective_id, field="collective_id")
    _workers(app, cmd.worker_ids, "worker_ids")
    check_all(app, Organisation, cmd.organisation_ids, "organisation_ids")
    sealed = app.sealer.seal(grievance_id, cmd.description.encode(), tuple(cmd.worker_ids))
    agg = Grievance.raise_grievance(
        id=grievance_id, collective_id=cmd.collective_id, worker_ids=cmd.worker_ids,
        category=cmd.category, sector=cmd.sector, place=cmd.place, stage=cmd.stage,
        organisation_ids=cmd.organisation_ids, occurred_on=cmd.occurred_on,
        sealed_description=sealed, taxonomy=app.taxonomy,
    )
    return Done(agg.id, [agg])


def _join_grievance(app: Organize, cmd: c.JoinGrievance) -> Done:
    agg = app.target(Grievance, cmd, "grievance_id")
    _workers(app, cmd.worker_ids, "worker_ids")
    agg.join(cmd.worker_ids)
    return Done(agg.id, [agg], before_save=lambda: app.keys.add_owners(agg.id, cmd.worker_ids))


def _grievance_seal(app: Organize, grievance: Grievance, text: str | None) -> bytes | None:
    if text is None:
        return None
    return app.sealer.seal(grievance.id, text.encode(), tuple(grievance.worker_ids))


def _correct_grievance(app: Organize, cmd: c.CorrectGrievance) -> Done:
    agg = app.target(Grievance, cmd, "grievance_id")
    agg.correct(category=cmd.category, sector=cmd.sector, place=cmd.place, stage=cmd.stage,
                occurred_on=cmd.occurred_on,
                sealed_description=_grievance_seal(app, agg, cmd.description), reason=cmd.reason,
                taxonomy=app.taxonomy)
    return Done(agg.id, [agg])


def _note_evidence(app: Organize, cmd: c.NoteEvidence) -> Done:
    agg = app.target(Grievance, cmd, "grievance_id")
    agg.note_evidence(_grievance_seal(app, agg, cmd.note), cmd.on)
    return Done(agg.id, [agg])


def _refer_grievance(app: Organize, cmd: c.ReferGrievance) -> Done:
    agg = app.target(Grievance, cmd, "grievance_id")
    app.exists(Organisation, cmd.organisation_id, field="organisation_id")
    workers = _workers(app, cmd.worker_ids, "worker_ids")
    agg.refer(organisation_id=cmd.organisation_id, worker_ids=cmd.worker_ids, workers=workers,
              on=cmd.on)
    return Done(agg.id, [agg])


def _escalate_grievance(app: Organize, cmd: c.EscalateGrievance) -> Done:
    agg = app.target(Grievance, cmd, "grievance_id")
    agg.escalate(cmd.target, cmd.on, app.taxonomy)
    return Done(agg.id, [agg])


def _record_negotiation(app: Organize, cmd: c.RecordNegotiation) -> Done:
    agg = app.target(Grievance, cmd, "grievance_id")
    if cmd.with_organisation_id is not None:
        app.exists(Organisation, cmd.with_organisation_id, field="with_organisation_id")
    agg.record_negotiation(with_organisation_id=cmd.with_organisation_id, held_on=cmd.held_on,
                           sealed_notes=_grievance_seal(app, agg, cmd.notes))
    return Done(agg.id, [agg])


def _record_outcome(app: Organize, cmd: c.RecordOutcome) -> Done:
    agg = app.target(Grievance, cmd, "grievance_id")
    agg.record_outcome(outcome=cmd.outcome, amount=cmd.amount, currency=cmd.currency,
                       on=cmd.on, taxonomy=app.taxonomy)
    return Done(agg.id, [agg])


def _report_retaliation(app: Organize, cmd: c.ReportRetaliation) -> Done:
    agg = app.target(Grievance, cmd, "grievance_id")
    agg.report_retaliation(sealed_details=_grievance_seal(app, agg, cmd.details),
                           kind=cmd.kind, on=cmd.on)
    return Done(agg.id, [agg])


def _withdraw_grievance(app: Organize, cmd: c.WithdrawGrievance) -> Done:
    agg = app.target(Grievance, cmd, "grievance_id")
    agg.withdraw(cmd.on, cmd.reason)
    return Done(agg.id, [agg])


def _reopen_grievance(app: Organize, cmd: c.ReopenGrievance) -> Done:
    agg = app.target(Grievance, cmd, "grievance_id")
    agg.reopen(cmd.on)
    return Done(agg.id, [agg])





def _state_amount(app: Organize, cmd: c.StateAmount) -> Done:
    agg = app.target(Grievance, cmd, "grievance_id")
    agg.state_amount(kind=cmd.kind, amount=money(cmd.amount, cmd.currency), on=cmd.on)
    return Done(agg.id, [agg])


def _correct_amount(app: Organize, cmd: c.CorrectAmount) -> Done:
    agg = app.target(Grievance, cmd, "grievance_id")
    cleared = cmd.amount is None and cmd.currency is None
    agg.correct_amount(kind=cmd.kind, amount=None if cleared else money(cmd.amount, cmd.currency),
                       reason=cmd.reason)
    return Done(agg.id, [agg])


def _record_knowledge(app: Organize, cmd: c.RecordKnowledge) -> Done:
    agg = app.target(Grievance, cmd, "grievance_id")
    agg.record_knowledge(cmd.on)
    return Done(agg.id, [agg])


def _own_procedure(app: Organize, grievance: Grievance, procedure_id: UUID) -> Procedure:
    found = app.load(Procedure, procedure_id, field="procedure_id")
    if found.collective_id != grievance.collective_id:
        # Another collective's procedure in the same scope: the same words as for no id.
        raise not_found(Procedure, procedure_id, "procedure_id")
    return found


def _follow_procedure(app: Organize, cmd: c.FollowProcedure) -> Done:
    agg = app.target(Grievance, cmd, "grievance_id")
    _own_procedure(app, agg, cmd.procedure_id)
    agg.follow_procedure(cmd.procedure_id)
    return Done(agg.id, [agg])


def _take_step(app: Organize, cmd: c.TakeStep) -> Done:
    agg = app.target(Grievance, cmd, "grievance_id")
    procedure = (procedure_of(app, agg.collective_id) if agg.procedure_id is None
                 else _own_procedure(app, agg, agg.procedure_id))
    if procedure is None:
        raise Invalid("This collective has no grievance procedure yet; define one first.",
                      field="step", code="no_procedure")
    agg.take_step(step=cmd.step, on=cmd.on, steps=tuple(s.code for s in procedure.steps))
    return Done(agg.id, [agg])


WORKERS = touching(Relation.MEMBER, "worker_ids")

TABLE: dict[type[c.Command], Use] = {
    c.RaiseGrievance: Use(_raise_grievance, Rule(
        LEADERS, COLLECTIVE + WORKERS + touching(Relation.ORGANISATION, "organisation_ids"))),
    c.JoinGrievance: Use(_join_grievance, Rule(LEADERS, GRIEVANCE + WORKERS)),
    c.NoteEvidence: Use(_note_evidence, Rule(LEADERS, GRIEVANCE)),
    c.ReferGrievance: Use(_refer_grievance, Rule(LEADERS, GRIEVANCE + ORGANISATION + WORKERS)),
    c.EscalateGrievance: Use(_escalate_grievance, Rule(LEADERS, GRIEVANCE)),
    c.RecordNegotiation: Use(_record_negotiation, Rule(
        LEADERS, GRIEVANCE + touching(Relation.ORGANISATION, "with_organisation_id"))),
    c.RecordOutcome: Use(_record_outcome, Rule(LEADERS, GRIEVANCE)),
    c.ReportRetaliation: Use(_report_retaliation, Rule(LEADERS, GRIEVANCE)),
    c.WithdrawGrievance: Use(_withdraw_grievance, Rule(LEADERS, GRIEVANCE)),
    c.CorrectGrievance: Use(_correct_grievance, Rule(LEADERS, GRIEVANCE)),
    c.ReopenGrievance: Use(_reopen_grievance, Rule(LEADERS, GRIEVANCE)),
    c.StateAmount: Use(_state_amount, Rule(LEADERS, GRIEVANCE)),
    c.CorrectAmount: Use(_correct_amount, Rule(LEADERS, GRIEVANCE)),
    c.RecordKnowledge: Use(_record_knowledge, Rule(LEADERS, GRIEVANCE)),
    c.FollowProcedure: Use(_follow_procedure, Rule(LEADERS, GRIEVANCE + PROCEDURE)),
    c.TakeStep: Use(_take_step, Rule(LEADERS, GRIEVANCE)),
}


# -- recording one with new workers: the composite the record flow, the demo and the API use --


@dataclass(frozen=True)
class NewWorker:
    """A worker the leader adds while recording: her pseudonym and, maybe, a phone."""

    pseudonym: str
    phone: str | None = None


@dataclass(frozen=True)
class GrievanceRecord:
    """One grievance recorded in one go: new workers registered into the collective (joined
    on ``joined_on``), consents given, the grievance raised. Every command id derives from
    ``command_id``, so sending the same record twice records everything once."""

    command_id: UUID
    collective_id: UUID
    joined_on: date
    new_workers: tuple[NewWorker, ...] = ()
    worker_ids: tuple[UUID, ...] = ()  # workers already in the collective

    def registers(self) -> list[c.RegisterWorker]:
        return [c.RegisterWorker(command_id=uuid5(self.command_id, f"worker:{i}"),
                                 profile=c.Profile(pseudonym=w.pseudonym, phone=w.phone),
                                 collective_id=self.collective_id, joined_on=self.joined_on)
                for i, w in enumerate(self.new_workers)]

    def by_key(self) -> dict[str, UUID]:
        """Every worker by the key a form names her with: her id, or ``new:i``."""
        keys = {str(w): w for w in self.worker_ids}
        keys.update({f"new:{i}": new_id(r.command_id, "worker")
                     for i, r in enumerate(self.registers())})
        return keys

    def consents(self, chosen: Mapping[str, Iterable[str]],
                 given: Mapping[UUID, Iterable[str]]) -> list[c.GiveConsent]:
        """``GiveConsent`` for each purpose → worker keys chosen, leaving out what she
        has already given."""
        by_key = self.by_key()
        return [c.GiveConsent(command_id=uuid5(self.command_id, f"consent:{key}:{purpose}"),
                              worker_id=by_key[key], purpose=purpose)
                for purpose, keys in chosen.items() for key in keys
                if key in by_key and purpose not in given.get(by_key[key], ())]


def record_grievance(app: Organize, record: GrievanceRecord, grievance: c.RaiseGrievance,
                     consents: Iterable[c.GiveConsent] = ()) -> c.CommandResult:
    """Register the new workers, give their consents, raise the grievance (each command
    through ``app``, so an account's ``Authorised`` checks every one)."""
    for each in (*record.registers(), *consents):
        app.execute(each)
    return app.execute(grievance)
