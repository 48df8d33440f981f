"""The application: one ``execute`` for every command, idempotent and version-checked.

A command runs in four steps: look the ``command_id`` up in the command log (a resubmit
returns the first result and appends nothing); load the aggregates it touches, refusing a
stale ``expected_version``; let the handler call the domain (which enforces invariants and
records events, or raises and records nothing); save the events and the command's log row
in one transaction.

Personal fields are sealed under the subject's own data key before they reach the domain,
and opened again only when read (``organize.reading``).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar
from uuid import UUID, uuid5

import msgspec
import structlog
from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from organize import commands as c
from organize.domain import (
    Account,
    Assessment,
    Campaign,
    Collective,
    DomainError,
    Grievance,
    Meeting,
    Organisation,
    PrivacyBudget,
    Taxonomy,
    Worker,
)
from organize.domain.assessment import check_narrative
from organize.domain.campaign import (
    check_clauses,
    check_demand_text,
    check_issue,
    check_summary,
)
from organize.domain.meeting import check_cancel_reason, check_decisions
from organize.domain.values import Demand, DimensionLevel
from organize.domain.worker import check_occupation
from organize.errors import CommandError, Conflict, Invalid, NotFound
from organize.keyring import FileKeyring, MemoryKeyring
from organize.keys import KeyStore, Sealer
from organize.texts import seal_many, seal_text, seal_texts
from organize.time_zones import zone_for_places

log = structlog.get_logger("organize.application")

# Ids of new aggregates derive from the command id, so even the event store's primary key
# refuses a second creation from the same command.
ID_NAMESPACE = UUID("6f726761-6e69-7a65-8000-000000000001")

A = TypeVar("A", bound=Aggregate)
Handler = Callable[["Organize", Any], "Done"]
HANDLERS: dict[type[c.Command], Handler] = {}


def handles(command_type: type[c.Command]):
    def register(fn: Handler) -> Handler:
        HANDLERS[command_type] = fn
        return fn

    return register


def new_id(command_id: UUID, kind: str) -> UUID:
    return uuid5(ID_NAMESPACE, f"{kind}:{command_id}")


class Done(msgspec.Struct):
    """What a handler hands back: the aggregates to save and the primary id."""

    primary: UUID
    aggregates: list[Any]
    before_save: Callable[[], None] | None = None


class LogEntry(msgspec.Struct, frozen=True):
    command_id: UUID
    command_type: str
    payload_digest: bytes
    result: bytes


class StoredResult(msgspec.Struct):
    id: UUID
    ids: tuple[UUID, ...]


def _digest(keys: KeyStore, command: c.Command) -> bytes:
    """The command log's digest of a command: its KEK generation, then an HMAC of it under
    a key derived from that KEK (``KeyStore.digest_key``), never a bare hash of what she
    typed, which a dictionary of guesses would open."""
    generation, key = keys.digest_key()
    payload = msgspec.json.encode(command)
    return generation.to_bytes(8, "big") + hmac.new(key, payload, hashlib.sha256).digest()


def _same_command(keys: KeyStore, stored: bytes, command: c.Command) -> bool:
    payload = msgspec.json.encode(command)
    if len(stored) == 32:  # logged before digests were keyed
        return hmac.compare_digest(stored, hashlib.sha256(payload).digest())
    key = keys.digest_key_of(int.from_bytes(stored[:8], "big"))
    if key is None:  # an erasure destroyed its KEK since: the same type is all that tells
        return True
    return hmac.compare_digest(stored[8:], hmac.new(key, payload, hashlib.sha256).digest())


def _now() -> datetime:
    return datetime.now(UTC)


class _Replayed(Exception):  # noqa: N818 - control flow, never escapes execute()
    def __init__(self, result: c.CommandResult):
        self.result = result


class Organize(Application):
    """The organize application. ``env`` comes from the composition root."""

    name = "Organize"

    def __init__(self, env: dict[str, str], *, taxonomy: Taxonomy, master_key: str,
                 keyring: FileKeyring | None = None):
        super().__init__(env=env)
        self.taxonomy = taxonomy
        # Without a keyring (benches, throw-away databases) the KEK dies with the process.
        self.keys = KeyStore(self.recorder.datastore, master_key, keyring or MemoryKeyring())
        self.sealer = Sealer(self.keys)

    # -- running commands -----------------------------------------------------------------

    def execute(self, command: c.Command) -> c.CommandResult:
        try:
            return self._execute(command)
        except _Replayed as replayed:
            return replayed.result

    def _execute(self, command: c.Command) -> c.CommandResult:
        """Run a command once. A resubmitted ``command_id`` returns the first result.

        The log is not read up front: its primary key refuses a second row inside the save
        transaction, so the happy path costs no extra round trip. It is read only when
        something fails, since a resubmitted command can fail where the first succeeded
        ("already a member", a stale version, an id that already exists).
        """
        command_type = type(command).__name__
        handler = HANDLERS.get(type(command))
        if handler is None:
            raise Invalid(f"Unknown command {command_type}.", code="unknown_command")
        try:
            done = handler(self, command)
        except DomainError as e:
            self._raise_unless_replayed(command, Invalid(e.message, field=e.field, code=e.code))
        except CommandError as e:
            self._raise_unless_replayed(command, e)
        ids = tuple(dict.fromkeys(a.id for a in done.aggregates)) or (done.primary,)
        entry = LogEntry(
            command_id=command.command_id,
            command_type=command_type,
            payload_digest=_digest(self.keys, command),
            result=msgspec.json.encode(StoredResult(id=done.primary, ids=ids)),
        )
        if done.before_save is not None:
            done.before_save()
        try:
            recordings = self.save(*done.aggregates, command=entry)
        except IntegrityError:
            # Either the same command got there first, or the aggregate moved on under us.
            self._raise_unless_replayed(command, Conflict(
                "Someone else changed this record at the same moment. Reload it and try again.",
                field="expected_version",
                code="conflict",
            ))
        notification_id = recordings[-1].notification.id if recordings else None
        log.info("command", command=command_type, command_id=str(command.command_id),
                 aggregate_id=str(done.primary), notification_id=notification_id)
        return c.CommandResult(
            command_id=command.command_id, id=done.primary, ids=ids,
            notification_id=notification_id,
        )

    def _raise_unless_replayed(self, command: c.Command, error: CommandError):
        prior = self.replay(command)
        if prior is None:
            raise error from None
        raise _Replayed(prior)

    def replay(self, command: c.Command) -> c.CommandResult | None:
        row = self.recorder.find_command(command.command_id)
        if row is None:
            return None
        if row["command_type"] != type(command).__name__ or not _same_command(
            self.keys, bytes(row["payload_digest"]), command
        ):
            raise Conflict(
                "This command_id was already used for a different command. "
                "Use a new command_id for a new action.",
                field="command_id",
                code="command_id_reused",
            )
        stored = msgspec.json.decode(row["result"], type=StoredResult)
        if isinstance(command, c.EraseWorker):
            # Shredding is idempotent; repeat it in case the first run stopped half-way.
            self.keys.shred_for_worker(command.worker_id)
        return c.CommandResult(
            command_id=command.command_id, id=stored.id, ids=stored.ids,
            notification_id=row["notification_id"], replayed=True,
        )

    # -- loading --------------------------------------------------------------------------

    def load(self, cls: type[A], aggregate_id: UUID, *, field: str,
             expected_version: int | None = None) -> A:
        noun = cls.__name__.lower()
        try:
            aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFound(f"No {noun} with id {aggregate_id}.", field=field,
                           code="not_found") from None
        if not isinstance(aggregate, cls):
            raise NotFound(f"No {noun} with id {aggregate_id}.", field=field, code="not_found")
        if expected_version is not None and aggregate.version != expected_version:
            raise Conflict(
                f"This {noun} was changed by someone else since you read it "
                f"(it is now at version {aggregate.version}, you had {expected_version}). "
                "Reload it and try again.",
                field="expected_version",
                code="stale_version",
            )
        return aggregate

    def exists(self, cls: type[Aggregate], aggregate_id: UUID, *, field: str) -> None:
        self.load(cls, aggregate_id, field=field)

    def _target(self, cls: type[A], command: c.Update, field: str) -> A:
        return self.load(cls, getattr(command, field), field=field,
                         expected_version=command.expected_version)

    def get(self, cls: type[A], aggregate_id: UUID) -> A:
        return self.load(cls, aggregate_id, field="id")

    # -- sealing --------------------------------------------------------------------------

    def seal(self, subject_id: UUID, value: msgspec.Struct, owners: tuple[UUID, ...] = ()) -> bytes:
        return self.sealer.seal(subject_id, msgspec.json.encode(value), owners)

    def open(self, subject_id: UUID, sealed: bytes | None, type_: type[msgspec.Struct]):
        plain = self.sealer.open(subject_id, sealed)
        return None if plain is None else msgspec.json.decode(plain, type=type_)


def _check_all(app: Organize, cls: type[Aggregate], ids: tuple[UUID, ...], field: str) -> None:
    for i in ids:
        app.exists(cls, i, field=field)


# == Collectives ==============================================================================

@handles(c.CreateCollective)
def _create_collective(app: Organize, cmd: c.CreateCollective) -> Done:
    agg = Collective.create(
        id=new_id(cmd.command_id, "collective"), name=cmd.name, kind=cmd.kind,
        sectors=cmd.sectors, places=cmd.places, languages=cmd.languages,
        federation=cmd.federation, taxonomy=app.taxonomy,
    )
    if cmd.time_zone is not None:
        agg.set_time_zone(cmd.time_zone)
    else:
        agg.set_time_zone(*zone_for_places(agg.places))
    return Done(agg.id, [agg])


@handles(c.SetCollectiveTimeZone)
def _set_collective_time_zone(app: Organize, cmd: c.SetCollectiveTimeZone) -> Done:
    agg = app._target(Collective, cmd, "collective_id")
    agg.set_time_zone(cmd.time_zone)
    return Done(agg.id, [agg])


@handles(c.RenameCollective)
def _rename_collective(app: Organize, cmd: c.RenameCollective) -> Done:
    agg = app._target(Collective, cmd, "collective_id")
    agg.rename(cmd.name)
    return Done(agg.id, [agg])


@handles(c.UpdateCollectiveProfile)
def _update_collective(app: Organize, cmd: c.UpdateCollectiveProfile) -> Done:
    agg = app._target(Collective, cmd, "collective_id")
    agg.update_profile(sectors=cmd.sectors, places=cmd.places, languages=cmd.languages,
                       taxonomy=app.taxonomy)
    return Done(agg.id, [agg])


@handles(c.FormAlliance)
def _form_alliance(app: Organize, cmd: c.FormAlliance) -> Done:
    agg = app._target(Collective, cmd, "collective_id")
    app.exists(Organisation, cmd.organisation_id, field="organisation_id")
    agg.form_alliance(cmd.organisation_id, cmd.since)
    return Done(agg.id, [agg])


@handles(c.EndAlliance)
def _end_alliance(app: Organize, cmd: c.EndAlliance) -> Done:
    agg = app._target(Collective, cmd, "collective_id")
    agg.end_alliance(cmd.organisation_id, cmd.until)
    return Done(agg.id, [agg])


# == Organisations ============================================================================

@handles(c.CreateOrganisation)
def _create_organisation(app: Organize, cmd: c.CreateOrganisation) -> Done:
    agg = Organisation.create(id=new_id(cmd.command_id, "organisation"), name=cmd.name,
                              kind=cmd.kind, place=cmd.place, taxonomy=app.taxonomy)
    if cmd.collective_id is not None:
        app.exists(Collective, cmd.collective_id, field="collective_id")
        agg.record_for(cmd.collective_id)
    return Done(agg.id, [agg])


@handles(c.RenameOrganisation)
def _rename_organisation(app: Organize, cmd: c.RenameOrganisation) -> Done:
    agg = app._target(Organisation, cmd, "organisation_id")
    agg.rename(cmd.name)
    return Done(agg.id, [agg])


@handles(c.CorrectOrganisationKind)
def _correct_organisation_kind(app: Organize, cmd: c.CorrectOrganisationKind) -> Done:
    agg = app._target(Organisation, cmd, "organisation_id")
    agg.correct_kind(cmd.kind, cmd.reason, app.taxonomy)
    return Done(agg.id, [agg])


@handles(c.WithdrawOrganisation)
def _withdraw_organisation(app: Organize, cmd: c.WithdrawOrganisation) -> Done:
    agg = app._target(Organisation, cmd, "organisation_id")
    agg.withdraw(cmd.reason)
    return Done(agg.id, [agg])


# == Workers ==================================================================================

@handles(c.RegisterWorker)
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


@handles(c.UpdateWorkerProfile)
def _update_worker_profile(app: Organize, cmd: c.UpdateWorkerProfile) -> Done:
    agg = app._target(Worker, cmd, "worker_id")
    if agg.erased:
        raise Invalid("This worker's record was erased; nothing more can be recorded for her.",
                      field="worker_id", code="erased")
    agg.update_profile(app.seal(agg.id, cmd.profile, (agg.id,)))
    return Done(agg.id, [agg])


@handles(c.JoinCollective)
def _join_collective(app: Organize, cmd: c.JoinCollective) -> Done:
    agg = app._target(Worker, cmd, "worker_id")
    app.exists(Collective, cmd.collective_id, field="collective_id")
    agg.join_collective(cmd.collective_id, cmd.on)
    return Done(agg.id, [agg])


@handles(c.LeaveCollective)
def _leave_collective(app: Organize, cmd: c.LeaveCollective) -> Done:
    agg = app._target(Worker, cmd, "worker_id")
    agg.leave_collective(cmd.collective_id, cmd.on)
    return Done(agg.id, [agg])


def _check_purpose(app: Organize, purpose: str) -> None:
    if purpose.startswith("referral:"):
        app.exists(Organisation, UUID(purpose.split(":", 1)[1]), field="purpose")


@handles(c.GiveConsent)
def _give_consent(app: Organize, cmd: c.GiveConsent) -> Done:
    agg = app._target(Worker, cmd, "worker_id")
    _check_purpose(app, cmd.purpose)
    agg.give_consent(cmd.purpose, cmd.on or _now())
    return Done(agg.id, [agg])


@handles(c.WithdrawConsent)
def _withdraw_consent(app: Organize, cmd: c.WithdrawConsent) -> Done:
    agg = app._target(Worker, cmd, "worker_id")
    agg.withdraw_consent(cmd.purpose, cmd.on or _now())
    return Done(agg.id, [agg])


@handles(c.StartSpell)
def _start_spell(app: Organize, cmd: c.StartSpell) -> Done:
    agg = _living(app._target(Worker, cmd, "worker_id"))
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


@handles(c.EndSpell)
def _end_spell(app: Organize, cmd: c.EndSpell) -> Done:
    agg = app._target(Worker, cmd, "worker_id")
    agg.end_spell(cmd.spell_id, cmd.ended_on)
    return Done(agg.id, [agg])


def _living(agg: Worker) -> Worker:
    if agg.erased:  # sealing would make her a new key
        raise Invalid("This worker's record was erased; nothing more can be recorded for her.",
                      field="worker_id", code="erased")
    return agg


@handles(c.CorrectSpell)
def _correct_spell(app: Organize, cmd: c.CorrectSpell) -> Done:
    agg = _living(app._target(Worker, cmd, "worker_id"))
    sealed = (None if cmd.occupation is None else
              app.sealer.seal(agg.id, check_occupation(cmd.occupation).encode(), (agg.id,)))
    agg.correct_spell(spell_id=cmd.spell_id, sector=cmd.sector, sealed_occupation=sealed,
                      place=cmd.place, started_on=cmd.started_on, ended_on=cmd.ended_on,
                      reason=cmd.reason, taxonomy=app.taxonomy)
    return Done(agg.id, [agg])


@handles(c.WithdrawSpell)
def _withdraw_spell(app: Organize, cmd: c.WithdrawSpell) -> Done:
    agg = app._target(Worker, cmd, "worker_id")
    agg.withdraw_spell(cmd.spell_id, cmd.reason)
    return Done(agg.id, [agg])


@handles(c.RecordMove)
def _record_move(app: Organize, cmd: c.RecordMove) -> Done:
    agg = app._target(Worker, cmd, "worker_id")
    agg.record_move(to_place=cmd.to_place, from_place=cmd.from_place, stage=cmd.stage,
                    moved_on=cmd.moved_on, taxonomy=app.taxonomy)
    return Done(agg.id, [agg])


@handles(c.ChangeStatus)
def _change_status(app: Organize, cmd: c.ChangeStatus) -> Done:
    agg = app._target(Worker, cmd, "worker_id")
    if agg.erased:
        raise Invalid("This worker's record was erased; nothing more can be recorded for her.",
                      field="worker_id", code="erased")
    agg.change_status(app.seal(agg.id, cmd.change, (agg.id,)), cmd.on)
    return Done(agg.id, [agg])


@handles(c.EraseWorker)
def _erase_worker(app: Organize, cmd: c.EraseWorker) -> Done:
    agg = app._target(Worker, cmd, "worker_id")
    agg.erase(_now())
    # Shred first: if we stop between the two steps, the data is already unreadable and a
    # retry of the same command records the erasure.
    return Done(agg.id, [agg], before_save=lambda: app.keys.shred_for_worker(agg.id))


# == Grievances ===============================================================================

def _workers(app: Organize, ids: tuple[UUID, ...], field: str) -> dict[UUID, Worker]:
    found = {i: app.load(Worker, i, field=field) for i in ids}
    for w in found.values():
        if w.erased:
            raise Invalid("One of these workers' records was erased.", field=field, code="erased")
    return found


@handles(c.RaiseGrievance)
def _raise_grievance(app: Organize, cmd: c.RaiseGrievance) -> Done:
    grievance_id = new_id(cmd.command_id, "grievance")
    app.exists(Collective, cmd.collective_id, field="collective_id")
    _workers(app, cmd.worker_ids, "worker_ids")
    _check_all(app, Organisation, cmd.organisation_ids, "organisation_ids")
    sealed = app.sealer.seal(grievance_id, cmd.description.encode(), tuple(cmd.worker_ids))
    agg = Grievance.raise_grievance(
        id=grievance_id, collective_id=cmd.collective_id, worker_ids=cmd.worker_ids,
        category=cmd.category, sector=cmd.sector, place=cmd.place, stage=cmd.stage,
        organisation_ids=cmd.organisation_ids, occurred_on=cmd.occurred_on,
        sealed_description=sealed, taxonomy=app.taxonomy,
    )
    return Done(agg.id, [agg])


@handles(c.JoinGrievance)
def _join_grievance(app: Organize, cmd: c.JoinGrievance) -> Done:
    agg = app._target(Grievance, cmd, "grievance_id")
    _workers(app, cmd.worker_ids, "worker_ids")
    agg.join(cmd.worker_ids)
    return Done(agg.id, [agg], before_save=lambda: app.keys.add_owners(agg.id, cmd.worker_ids))


def _grievance_seal(app: Organize, grievance: Grievance, text: str | None) -> bytes | None:
    if text is None:
        return None
    return app.sealer.seal(grievance.id, text.encode(), tuple(grievance.worker_ids))


@handles(c.CorrectGrievance)
def _correct_grievance(app: Organize, cmd: c.CorrectGrievance) -> Done:
    agg = app._target(Grievance, cmd, "grievance_id")
    agg.correct(category=cmd.category, sector=cmd.sector, place=cmd.place, stage=cmd.stage,
                occurred_on=cmd.occurred_on,
                sealed_description=_grievance_seal(app, agg, cmd.description), reason=cmd.reason,
                taxonomy=app.taxonomy)
    return Done(agg.id, [agg])


@handles(c.NoteEvidence)
def _note_evidence(app: Organize, cmd: c.NoteEvidence) -> Done:
    agg = app._target(Grievance, cmd, "grievance_id")
    agg.note_evidence(_grievance_seal(app, agg, cmd.note), cmd.on)
    return Done(agg.id, [agg])


@handles(c.ReferGrievance)
def _refer_grievance(app: Organize, cmd: c.ReferGrievance) -> Done:
    agg = app._target(Grievance, cmd, "grievance_id")
    app.exists(Organisation, cmd.organisation_id, field="organisation_id")
    workers = _workers(app, cmd.worker_ids, "worker_ids")
    agg.refer(organisation_id=cmd.organisation_id, worker_ids=cmd.worker_ids, workers=workers,
              on=cmd.on)
    return Done(agg.id, [agg])


@handles(c.EscalateGrievance)
def _escalate_grievance(app: Organize, cmd: c.EscalateGrievance) -> Done:
    agg = app._target(Grievance, cmd, "grievance_id")
    agg.escalate(cmd.target, cmd.on, app.taxonomy)
    return Done(agg.id, [agg])


@handles(c.RecordNegotiation)
def _record_negotiation(app: Organize, cmd: c.RecordNegotiation) -> Done:
    agg = app._target(Grievance, cmd, "grievance_id")
    if cmd.with_organisation_id is not None:
        app.exists(Organisation, cmd.with_organisation_id, field="with_organisation_id")
    agg.record_negotiation(with_organisation_id=cmd.with_organisation_id, held_on=cmd.held_on,
                           sealed_notes=_grievance_seal(app, agg, cmd.notes))
    return Done(agg.id, [agg])


@handles(c.RecordOutcome)
def _record_outcome(app: Organize, cmd: c.RecordOutcome) -> Done:
    agg = app._target(Grievance, cmd, "grievance_id")
    agg.record_outcome(outcome=cmd.outcome, amount=cmd.amount, currency=cmd.currency,
                       on=cmd.on, taxonomy=app.taxonomy)
    return Done(agg.id, [agg])


@handles(c.ReportRetaliation)
def _report_retaliation(app: Organize, cmd: c.ReportRetaliation) -> Done:
    agg = app._target(Grievance, cmd, "grievance_id")
    agg.report_retaliation(sealed_details=_grievance_seal(app, agg, cmd.details),
                           kind=cmd.kind, on=cmd.on)
    return Done(agg.id, [agg])


@handles(c.WithdrawGrievance)
def _withdraw_grievance(app: Organize, cmd: c.WithdrawGrievance) -> Done:
    agg = app._target(Grievance, cmd, "grievance_id")
    agg.withdraw(cmd.on, cmd.reason)
    return Done(agg.id, [agg])


@handles(c.ReopenGrievance)
def _reopen_grievance(app: Organize, cmd: c.ReopenGrievance) -> Done:
    agg = app._target(Grievance, cmd, "grievance_id")
    agg.reopen(cmd.on)
    return Done(agg.id, [agg])


# == Campaigns ================================================================================

def _sealed_launch(app: Organize, cmd, campaign_id: UUID,
                   owners: tuple[UUID, ...]) -> tuple[bytes, tuple[Demand, ...]]:
    """The issue and each demand sealed under the campaign's key, owned by the collectives
    it reaches (``organize.texts``)."""
    texts = [check_issue(cmd.issue), *(check_demand_text(t, field="demands") for t in cmd.demands)]
    sealed = seal_many(app, campaign_id, texts, owners)
    return sealed[0], tuple(Demand(demand_id=new_id(cmd.command_id, f"demand:{i}"), sealed_text=s)
                            for i, s in enumerate(sealed[1:]))


def _campaign_owners(app: Organize, agg: Campaign, collective_id: UUID) -> Callable[[], None]:
    """A collective the campaign reaches later owns its key too."""
    return lambda: app.keys.add_owners(agg.id, (collective_id,))


@handles(c.LaunchCampaign)
def _launch_campaign(app: Organize, cmd: c.LaunchCampaign) -> Done:
    _check_all(app, Collective, cmd.collective_ids, "collective_ids")
    campaign_id = new_id(cmd.command_id, "campaign")
    sealed_issue, demands = _sealed_launch(app, cmd, campaign_id, cmd.collective_ids)
    agg = Campaign.launch(
        id=campaign_id, sealed_issue=sealed_issue, demands=demands,
        collective_ids=cmd.collective_ids, sectors=cmd.sectors, launched_on=cmd.launched_on,
        taxonomy=app.taxonomy,
    )
    return Done(agg.id, [agg])


@handles(c.LaunchJointCampaign)
def _launch_joint_campaign(app: Organize, cmd: c.LaunchJointCampaign) -> Done:
    grievances = [app.load(Grievance, i, field="grievance_ids") for i in cmd.grievance_ids]
    _check_all(app, Collective, cmd.invite_collective_ids, "invite_collective_ids")
    # The collectives behind the grievances are always invited, in the grievances' order.
    invited = tuple(dict.fromkeys([*(g.collective_id for g in grievances),
                                   *cmd.invite_collective_ids]))
    sectors = tuple(dict.fromkeys([*(g.sector for g in grievances), *cmd.sectors]))
    campaign_id = new_id(cmd.command_id, "campaign")
    sealed_issue, demands = _sealed_launch(app, cmd, campaign_id, invited)
    agg = Campaign.launch_joint(
        id=campaign_id, sealed_issue=sealed_issue, demands=demands,
        invite_collective_ids=invited, grievance_ids=cmd.grievance_ids, sectors=sectors,
        launched_on=cmd.launched_on, taxonomy=app.taxonomy,
    )
    return Done(agg.id, [agg])


@handles(c.AcceptCampaignInvitation)
def _accept_invitation(app: Organize, cmd: c.AcceptCampaignInvitation) -> Done:
    agg = app._target(Campaign, cmd, "campaign_id")
    agg.accept_invitation(cmd.collective_id, cmd.on)
    return Done(agg.id, [agg])


@handles(c.DeclineCampaignInvitation)
def _decline_invitation(app: Organize, cmd: c.DeclineCampaignInvitation) -> Done:
    agg = app._target(Campaign, cmd, "campaign_id")
    agg.decline_invitation(cmd.collective_id, cmd.on, cmd.reason, app.taxonomy)
    return Done(agg.id, [agg])


@handles(c.AddDemand)
def _add_demand(app: Organize, cmd: c.AddDemand) -> Done:
    agg = app._target(Campaign, cmd, "campaign_id")
    sealed = seal_text(app, agg.id, check_demand_text(cmd.text, field="text"), agg.reach_ids)
    agg.add_demand(Demand(demand_id=new_id(cmd.command_id, "demand"), sealed_text=sealed))
    return Done(agg.id, [agg])


@handles(c.JoinCampaign)
def _join_campaign(app: Organize, cmd: c.JoinCampaign) -> Done:
    agg = app._target(Campaign, cmd, "campaign_id")
    app.exists(Collective, cmd.collective_id, field="collective_id")
    agg.join_collective(cmd.collective_id)
    return Done(agg.id, [agg], before_save=_campaign_owners(app, agg, cmd.collective_id))


@handles(c.LinkGrievance)
def _link_grievance(app: Organize, cmd: c.LinkGrievance) -> Done:
    agg = app._target(Campaign, cmd, "campaign_id")
    app.exists(Grievance, cmd.grievance_id, field="grievance_id")
    agg.link_grievance(cmd.grievance_id)
    return Done(agg.id, [agg])


@handles(c.TakeAction)
def _take_action(app: Organize, cmd: c.TakeAction) -> Done:
    agg = app._target(Campaign, cmd, "campaign_id")
    _check_all(app, Worker, cmd.participant_ids, "participant_ids")
    _check_all(app, Collective, cmd.collective_ids, "collective_ids")
    agg.take_action(action_id=new_id(cmd.command_id, "action"), kind=cmd.kind,
                    taken_on=cmd.taken_on, participant_ids=cmd.participant_ids,
                    collective_ids=cmd.collective_ids, taxonomy=app.taxonomy)
    return Done(agg.id, [agg])


@handles(c.CorrectDemand)
def _correct_demand(app: Organize, cmd: c.CorrectDemand) -> Done:
    agg = app._target(Campaign, cmd, "campaign_id")
    sealed = seal_text(app, agg.id, check_demand_text(cmd.text, field="text"), agg.reach_ids)
    agg.correct_demand(Demand(demand_id=cmd.demand_id, sealed_text=sealed), cmd.reason)
    return Done(agg.id, [agg])


@handles(c.WithdrawDemand)
def _withdraw_demand(app: Organize, cmd: c.WithdrawDemand) -> Done:
    agg = app._target(Campaign, cmd, "campaign_id")
    agg.withdraw_demand(cmd.demand_id, cmd.reason)
    return Done(agg.id, [agg])


@handles(c.ResolveDemand)
def _resolve_demand(app: Organize, cmd: c.ResolveDemand) -> Done:
    agg = app._target(Campaign, cmd, "campaign_id")
    agg.resolve_demand(cmd.demand_id, cmd.result, cmd.on, app.taxonomy)
    return Done(agg.id, [agg])


@handles(c.SignAgreement)
def _sign_agreement(app: Organize, cmd: c.SignAgreement) -> Done:
    agg = app._target(Campaign, cmd, "campaign_id")
    app.exists(Organisation, cmd.with_organisation_id, field="with_organisation_id")
    clauses = check_clauses(cmd.clauses)
    sealed = seal_texts(app, agg.id, clauses, agg.reach_ids)
    agg.sign_agreement(agreement_id=new_id(cmd.command_id, "agreement"),
                       with_organisation_id=cmd.with_organisation_id,
                       signed_on=cmd.signed_on, sealed_clauses=sealed, clause_count=len(clauses))
    return Done(agg.id, [agg])


@handles(c.CloseCampaign)
def _close_campaign(app: Organize, cmd: c.CloseCampaign) -> Done:
    agg = app._target(Campaign, cmd, "campaign_id")
    summary = check_summary(cmd.summary)
    agg.close(cmd.on, None if not summary else seal_text(app, agg.id, summary, agg.reach_ids))
    return Done(agg.id, [agg])


# == Meetings =================================================================================

@handles(c.ScheduleMeeting)
def _schedule_meeting(app: Organize, cmd: c.ScheduleMeeting) -> Done:
    _check_all(app, Collective, cmd.collective_ids, "collective_ids")
    _check_all(app, Grievance, cmd.agenda_grievance_ids, "agenda_grievance_ids")
    _check_all(app, Campaign, cmd.agenda_campaign_ids, "agenda_campaign_ids")
    agg = Meeting.schedule(
        id=new_id(cmd.command_id, "meeting"), kind=cmd.kind, collective_ids=cmd.collective_ids,
        scheduled_for=cmd.scheduled_for, language=cmd.language,
        agenda_grievance_ids=cmd.agenda_grievance_ids,
        agenda_campaign_ids=cmd.agenda_campaign_ids, taxonomy=app.taxonomy,
    )
    return Done(agg.id, [agg])


@handles(c.RecordMeetingHeld)
def _record_meeting_held(app: Organize, cmd: c.RecordMeetingHeld) -> Done:
    agg = app._target(Meeting, cmd, "meeting_id")
    _check_all(app, Worker, tuple(dict.fromkeys(cmd.attendee_ids)), "attendee_ids")
    decisions = check_decisions(cmd.decisions)
    # Sealed under the meeting's key, owned by its collectives (erase-collective shreds it).
    sealed = (app.sealer.seal(agg.id, msgspec.json.encode(decisions), tuple(agg.collective_ids))
              if decisions else None)
    agg.record_held(held_at=cmd.held_at, attendee_ids=cmd.attendee_ids,
                    facilitator_ids=cmd.facilitator_ids, speaker_ids=cmd.speaker_ids,
                    language=cmd.language, sealed_decisions=sealed, decision_count=len(decisions))
    return Done(agg.id, [agg])


@handles(c.CancelMeeting)
def _cancel_meeting(app: Organize, cmd: c.CancelMeeting) -> Done:
    agg = app._target(Meeting, cmd, "meeting_id")
    reason = check_cancel_reason(cmd.reason)
    # Under the meeting's key, as its decisions are (erase-collective shreds it).
    agg.cancel(None if not reason else seal_text(app, agg.id, reason, agg.collective_ids))
    return Done(agg.id, [agg])


@handles(c.CorrectMeeting)
def _correct_meeting(app: Organize, cmd: c.CorrectMeeting) -> Done:
    agg = app._target(Meeting, cmd, "meeting_id")
    agg.correct(kind=cmd.kind, scheduled_for=cmd.scheduled_for, held_at=cmd.held_at,
                reason=cmd.reason, taxonomy=app.taxonomy)
    return Done(agg.id, [agg])


@handles(c.CorrectAttendance)
def _correct_attendance(app: Organize, cmd: c.CorrectAttendance) -> Done:
    agg = app._target(Meeting, cmd, "meeting_id")
    _check_all(app, Worker, tuple(dict.fromkeys(cmd.attendee_ids)), "attendee_ids")
    agg.correct_attendance(attendee_ids=cmd.attendee_ids, facilitator_ids=cmd.facilitator_ids,
                           speaker_ids=cmd.speaker_ids, reason=cmd.reason)
    return Done(agg.id, [agg])


@handles(c.CorrectDecisions)
def _correct_decisions(app: Organize, cmd: c.CorrectDecisions) -> Done:
    agg = app._target(Meeting, cmd, "meeting_id")
    decisions = check_decisions(cmd.decisions)
    sealed = (app.sealer.seal(agg.id, msgspec.json.encode(decisions), tuple(agg.collective_ids))
              if decisions else None)
    agg.correct_decisions(sealed_decisions=sealed, decision_count=len(decisions), reason=cmd.reason)
    return Done(agg.id, [agg])


# == Assessments ==============================================================================

def _levels(levels: tuple[c.Level, ...]) -> tuple[DimensionLevel, ...]:
    return tuple(DimensionLevel(dimension=x.dimension, level=x.level) for x in levels)


def _sealed_narrative(app: Organize, collective_id: UUID, narrative: str) -> bytes | None:
    """Under the collective's own key: erase-collective destroys it."""
    narrative = check_narrative(narrative)
    return seal_text(app, collective_id, narrative, (collective_id,)) if narrative else None


@handles(c.RecordAssessment)
def _record_assessment(app: Organize, cmd: c.RecordAssessment) -> Done:
    app.exists(Collective, cmd.collective_id, field="collective_id")
    agg = Assessment.record(id=new_id(cmd.command_id, "assessment"),
                            collective_id=cmd.collective_id, assessed_on=cmd.assessed_on,
                            levels=_levels(cmd.levels),
                            sealed_narrative=_sealed_narrative(app, cmd.collective_id, cmd.narrative))
    return Done(agg.id, [agg])


@handles(c.ReviseAssessment)
def _revise_assessment(app: Organize, cmd: c.ReviseAssessment) -> Done:
    agg = app._target(Assessment, cmd, "assessment_id")
    agg.revise(_levels(cmd.levels), _sealed_narrative(app, agg.collective_id, cmd.narrative))
    return Done(agg.id, [agg])


# == Accounts =================================================================================

def account_id_for(username: str) -> UUID:
    """An account's id derives from its username, so the event store itself refuses a
    second account with the same name, and a login finds the account without a lookup."""
    return uuid5(ID_NAMESPACE, f"account:{username}")


def _grant(app: Organize, agg: Account, role: str, collective_ids: tuple[UUID, ...],
           federation: str | None) -> None:
    _check_all(app, Collective, collective_ids, "collective_ids")
    agg.grant_role(role, collective_ids, federation)


@handles(c.CreateAccount)
def _create_account(app: Organize, cmd: c.CreateAccount) -> Done:
    account_id = account_id_for(cmd.username)
    try:
        app.repository.get(account_id)
    except AggregateNotFoundError:
        pass
    else:
        raise Conflict("This username is taken; choose another.", field="username",
                       code="username_taken")
    agg = Account.create(id=account_id, username=cmd.username, display_name=cmd.display_name)
    if cmd.role is not None:
        _grant(app, agg, cmd.role, cmd.collective_ids, cmd.federation)
    elif cmd.collective_ids or cmd.federation is not None:
        raise Invalid("Collectives or a federation were given without a role.", field="role",
                      code="empty")
    return Done(agg.id, [agg])


@handles(c.GrantRole)
def _grant_role(app: Organize, cmd: c.GrantRole) -> Done:
    agg = app._target(Account, cmd, "account_id")
    _grant(app, agg, cmd.role, cmd.collective_ids, cmd.federation)
    return Done(agg.id, [agg])


@handles(c.RevokeRole)
def _revoke_role(app: Organize, cmd: c.RevokeRole) -> Done:
    agg = app._target(Account, cmd, "account_id")
    agg.revoke_role(cmd.role)
    return Done(agg.id, [agg])


@handles(c.DisableAccount)
def _disable_account(app: Organize, cmd: c.DisableAccount) -> Done:
    agg = app._target(Account, cmd, "account_id")
    agg.disable()
    return Done(agg.id, [agg])


# == Research privacy budgets =================================================================

def privacy_budget_id(account_id: UUID) -> UUID:
    """One budget per researcher's account, at an id derived from it."""
    return uuid5(ID_NAMESPACE, f"privacy-budget:{account_id}")


def privacy_budget(app: Organize, account_id: UUID) -> PrivacyBudget | None:
    try:
        return app.repository.get(privacy_budget_id(account_id))
    except AggregateNotFoundError:
        return None


def _budget_of(app: Organize, account_id: UUID) -> PrivacyBudget:
    app.exists(Account, account_id, field="account_id")
    return privacy_budget(app, account_id) or PrivacyBudget.open(
        id=privacy_budget_id(account_id), account_id=account_id)


@handles(c.SpendPrivacyBudget)
def _spend_privacy_budget(app: Organize, cmd: c.SpendPrivacyBudget) -> Done:
    agg = _budget_of(app, cmd.account_id)
    agg.spend(cmd.measurement, cmd.epsilon_milli)  # records nothing when already paid for
    return Done(agg.id, [agg])


@handles(c.SetPrivacyBudget)
def _set_privacy_budget(app: Organize, cmd: c.SetPrivacyBudget) -> Done:
    agg = _budget_of(app, cmd.account_id)
    agg.set_total(cmd.total_milli)
    return Done(agg.id, [agg])


__all__ = ["HANDLERS", "CommandError", "Organize", "account_id_for", "new_id",
           "privacy_budget", "privacy_budget_id"]
