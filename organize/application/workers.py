"""Workers: her file is held by the leaders of the collective she is a member of now;
organisers never write it. Personal fields are sealed under her own key before they reach
the domain.

- ``RegisterWorker``: leaders, always into one of their collectives.
- ``UpdateWorkerProfile``, ``JoinCollective``, ``LeaveCollective``, ``GiveConsent``,
  ``WithdrawConsent``, ``StartSpell``, ``EndSpell``, ``RecordMove``, ``ChangeStatus``,
  ``EraseWorker``: leaders of a collective she is now a member of. Erasure shreds her key
  before its event is saved; erasing a merged record erases both.
- ``MergeWorkers``, ``UndoWorkerMerge``: leaders of both records' collective; never across
  collectives (both records members of the same collectives now), never with an erased
  record. The absorbed record's key gains the survivor
  as an owner (so her erasure reaches it) and loses it again on undo.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from organize import commands as c
from organize.application.base import Done, Use, new_id, now
from organize.application.policy import (
    COLLECTIVE,
    LEADERS,
    WORKER,
    Relation,
    Rule,
    touching,
)
from organize.application.reading import departure_of
from organize.domain import (
    Collective,
    Organisation,
    Worker,
)
from organize.domain.limits import check_date
from organize.domain.worker import check_occupation
from organize.errors import Forbidden, Invalid

if TYPE_CHECKING:
    from organize.application import Organize


def _register_worker(app: Organize, cmd: c.RegisterWorker) -> Done:
    worker_id = new_id(cmd.command_id, "worker")
    if cmd.collective_id is not None:
        app.exists(Collective, cmd.collective_id, field="collective_id")
    if (cmd.collective_id is None) != (cmd.joined_on is None):
        raise Invalid("Give both collective_id and joined_on, or neither.",
                      field="joined_on", code="incomplete")
    agg = Worker.register(
        id=worker_id, sealed_profile=app.seal(worker_id, cmd.profile, (worker_id,)),
        collective_id=cmd.collective_id, joined_on=cmd.joined_on,
    )
    return Done(agg.id, [agg])


def _update_worker_profile(app: Organize, cmd: c.UpdateWorkerProfile) -> Done:
    agg = app.target(Worker, cmd, "worker_id")
    if agg.erased:
        raise Invalid("This worker's record was erased; nothing more can be recorded for her.",
                      field="worker_id", code="erased")
    agg.update_profile(app.seal(agg.id, cmd.profile, (agg.id,)))
    return Done(agg.id, [agg])


def _join_collective(app: Organize, cmd: c.JoinCollective) -> Done:
    agg = app.target(Worker, cmd, "worker_id")
    app.exists(Collective, cmd.collective_id, field="collective_id")
    agg.join_collective(cmd.collective_id, cmd.on)
    return Done(agg.id, [agg])


def _leave_collective(app: Organize, cmd: c.LeaveCollective) -> Done:
    agg = app.target(Worker, cmd, "worker_id")
    agg.leave_collective(cmd.collective_id, cmd.on)
    return Done(agg.id, [agg])


def _check_purpose(app: Organize, purpose: str) -> None:
    if purpose.startswith("referral:"):
        app.exists(Organisation, UUID(purpose.split(":", 1)[1]), field="purpose")


def _give_consent(app: Organize, cmd: c.GiveConsent) -> Done:
    agg = app.target(Worker, cmd, "worker_id")
    _check_purpose(app, cmd.purpose)
    agg.give_consent(cmd.purpose, cmd.on or now())
    return Done(agg.id, [agg])


def _withdraw_consent(app: Organize, cmd: c.WithdrawConsent) -> Done:
    agg = app.target(Worker, cmd, "worker_id")
    agg.withdraw_consent(cmd.purpose, cmd.on or now())
    return Done(agg.id, [agg])


def _start_spell(app: Organize, cmd: c.StartSpell) -> Done:
    agg = _living(app.target(Worker, cmd, "worker_id"))
    if cmd.employer_id is not None:
        app.exists(Organisation, cmd.employer_id, field="employer_id")
    occupation = check_occupation(cmd.occupation).encode()
    agg.start_spell(
        spell_id=new_id(cmd.command_id, "spell"), sector=cmd.sector,
        sealed_occupation=app.sealer.seal(agg.id, occupation, (agg.id,)),
        place=cmd.place, employer_id=cmd.employer_id, relationship=cmd.relationship,
        paid=cmd.paid, started_on=cmd.started_on, taxonomy=app.taxonomy,
    )
    return Done(agg.id, [agg])


def _end_spell(app: Organize, cmd: c.EndSpell) -> Done:
    agg = app.target(Worker, cmd, "worker_id")
    agg.end_spell(cmd.spell_id, cmd.ended_on)
    return Done(agg.id, [agg])


def _living(agg: Worker) -> Worker:
    if agg.erased:  # sealing would make her a new key
        raise Invalid("This worker's record was erased; nothing more can be recorded for her.",
                      field="worker_id", code="erased")
    return agg


def _correct_spell(app: Organize, cmd: c.CorrectSpell) -> Done:
    agg = _living(app.target(Worker, cmd, "worker_id"))
    sealed = (None if cmd.occupation is None else
              app.sealer.seal(agg.id, check_occupation(cmd.occupation).encode(), (agg.id,)))
    agg.correct_spell(spell_id=cmd.spell_id, sector=cmd.sector, sealed_occupation=sealed,
                      place=cmd.place, started_on=cmd.started_on, ended_on=cmd.ended_on,
                      reason=cmd.reason, taxonomy=app.taxonomy)
    return Done(agg.id, [agg])


def _withdraw_spell(app: Organize, cmd: c.WithdrawSpell) -> Done:
    agg = app.target(Worker, cmd, "worker_id")
    agg.withdraw_spell(cmd.spell_id, cmd.reason)
    return Done(agg.id, [agg])


def _record_move(app: Organize, cmd: c.RecordMove) -> Done:
    agg = app.target(Worker, cmd, "worker_id")
    agg.record_move(to_place=cmd.to_place, from_place=cmd.from_place, stage=cmd.stage,
                    moved_on=cmd.moved_on, taxonomy=app.taxonomy)
    return Done(agg.id, [agg])


def _change_status(app: Organize, cmd: c.ChangeStatus) -> Done:
    agg = app.target(Worker, cmd, "worker_id")
    if agg.erased:
        raise Invalid("This worker's record was erased; nothing more can be recorded for her.",
                      field="worker_id", code="erased")
    agg.change_status(app.seal(agg.id, cmd.change, (agg.id,)), cmd.on)
    return Done(agg.id, [agg])


def _erase_worker(app: Organize, cmd: c.EraseWorker) -> Done:
    agg = app.target(Worker, cmd, "worker_id")
    agg.erase(now())
    # A merged record is one woman in two records: erasing either erases both.
    others = [app.get(Worker, i) for i in (*agg.absorbed, agg.merged_into) if i is not None]
    for other in others:
        if not other.erased:
            other.erase(now())
    # Shred first: if we stop between the two steps, the data is already unreadable and a
    # retry of the same command records the erasure.
    return Done(agg.id, [agg, *others],
                before_save=lambda: app.keys.shred_for_worker(agg.id, *(o.id for o in others)))


def _erased(survivor: Worker, absorbed: Worker) -> Invalid | None:
    for agg, field in ((survivor, "survivor_id"), (absorbed, "absorbed_id")):
        if agg.erased:  # a merge must never bring an erased record back
            return Invalid("This worker's record was erased; it cannot be merged.",
                           field=field, code="erased")
    return None


def _pair(app: Organize, cmd) -> tuple[Worker, Worker]:
    survivor = app.load(Worker, cmd.survivor_id, field="survivor_id")
    absorbed = app.load(Worker, cmd.absorbed_id, field="absorbed_id")
    refused = _erased(survivor, absorbed)
    if refused is not None:
        raise refused
    return survivor, absorbed


def unmergeable(survivor: Worker, absorbed: Worker) -> Invalid | None:
    """What ``MergeWorkers`` refuses for this pair, or None; the merge page asks it too, so
    that its confirmation already says the refusal."""
    refused = _erased(survivor, absorbed)
    if refused is None and survivor.id == absorbed.id:
        refused = Invalid("Choose two different records.", field="absorbed_id", code="same")
    elif refused is None and (not survivor.collectives
                              or set(survivor.collectives) != set(absorbed.collectives)):
        # Never across collectives: both records must be held by the same collectives now,
        # or one collective's leader would pour her record into a file another collective
        # reads (or take a record away from it) without its leaders' say.
        refused = Invalid("Only two records in the same collective can be merged.",
                          field="absorbed_id", code="merge_other_collective")
    return refused


def _merge_workers(app: Organize, cmd: c.MergeWorkers) -> Done:
    survivor, absorbed = _pair(app, cmd)
    refused = unmergeable(survivor, absorbed)
    if refused is not None:
        raise refused
    survivor.absorb(absorbed.id)
    absorbed.merge_into(survivor.id)
    # Her survivor's erasure must reach the absorbed record's key too: link the keys.
    return Done(survivor.id, [survivor, absorbed],
                before_save=lambda: app.keys.add_owners(absorbed.id, [survivor.id]))


def _undo_worker_merge(app: Organize, cmd: c.UndoWorkerMerge) -> Done:
    survivor, absorbed = _pair(app, cmd)
    if absorbed.merged_into != survivor.id:
        raise Invalid("These two records were not merged.", field="absorbed_id",
                      code="not_merged")
    survivor.undo_merge(absorbed.id)
    absorbed.undo_merge(survivor.id)
    return Done(survivor.id, [survivor, absorbed],
                before_save=lambda: app.keys.remove_owner(absorbed.id, survivor.id))


def _plan_departure(app: Organize, cmd: c.PlanDeparture) -> Done:
    """Her planned departure is sealed under her key before it reaches the domain: once she
    is erased, no copy of the event (WAL, backup, replica) says when she leaves."""
    agg = _living(app.target(Worker, cmd, "worker_id"))
    leaves_on = None if cmd.leaves_on is None else check_date(cmd.leaves_on, field="leaves_on")
    if leaves_on == departure_of(app, agg):
        raise Invalid("Nothing was changed.", field="leaves_on", code="nothing_changed")
    agg.plan_departure(None if leaves_on is None else
                       app.sealer.seal(agg.id, leaves_on.isoformat().encode(), (agg.id,)))
    return Done(agg.id, [agg])


def _in_a_collective(principal, cmd: c.RegisterWorker) -> None:
    # A worker in no collective would be out of every scope but an admin's.
    if cmd.collective_id is None:
        raise Forbidden("Choose one of your collectives for her.", code="scope")


PAIR = touching(Relation.MEMBER, "survivor_id", "absorbed_id")

TABLE: dict[type[c.Command], Use] = {
    c.PlanDeparture: Use(_plan_departure, Rule(LEADERS, WORKER)),
    c.RegisterWorker: Use(_register_worker, Rule(LEADERS, COLLECTIVE, check=_in_a_collective)),
    c.UpdateWorkerProfile: Use(_update_worker_profile, Rule(LEADERS, WORKER)),
    c.JoinCollective: Use(_join_collective, Rule(LEADERS, WORKER + COLLECTIVE)),
    c.LeaveCollective: Use(_leave_collective, Rule(LEADERS, WORKER + COLLECTIVE)),
    c.GiveConsent: Use(_give_consent, Rule(LEADERS, WORKER)),
    c.WithdrawConsent: Use(_withdraw_consent, Rule(LEADERS, WORKER)),
    c.StartSpell: Use(_start_spell, Rule(
        LEADERS, WORKER + touching(Relation.ORGANISATION, "employer_id"))),
    c.EndSpell: Use(_end_spell, Rule(LEADERS, WORKER)),
    c.CorrectSpell: Use(_correct_spell, Rule(LEADERS, WORKER)),
    c.WithdrawSpell: Use(_withdraw_spell, Rule(LEADERS, WORKER)),
    c.RecordMove: Use(_record_move, Rule(LEADERS, WORKER)),
    c.ChangeStatus: Use(_change_status, Rule(LEADERS, WORKER)),
    c.EraseWorker: Use(_erase_worker, Rule(LEADERS, WORKER)),
    c.MergeWorkers: Use(_merge_workers, Rule(LEADERS, PAIR), api=False),
    c.UndoWorkerMerge: Use(_undo_worker_merge, Rule(LEADERS, PAIR), api=False),
}
