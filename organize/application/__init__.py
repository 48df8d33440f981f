"""The application: one ``execute`` for every command, idempotent and version-checked.

The use cases live one module per noun beside this one (``collectives``, ``organisations``,
``workers``, ``grievances``, ``campaigns``, ``meetings``, ``assessments``, ``accounts``,
``bargaining``);
each ends with its table of commands, their handlers and their access rules, merged here
into ``USES`` (and ``HANDLERS`` / ``RULES``, its two halves). The access policy's
machinery is ``policy``; the application seen through one account is ``access``.

A command runs in four steps: look the ``command_id`` up in the command log (a resubmit
returns the first result and appends nothing); load the aggregates it touches, refusing a
stale ``expected_version``; let the handler call the domain (which enforces invariants and
records events, or raises and records nothing); save the events and the command's log row
in one transaction.

Personal fields are sealed under the subject's own data key before they reach the domain,
and opened again only when read (``organize.application.reading``).
"""

from __future__ import annotations

import hashlib
import hmac
from contextvars import ContextVar
from functools import partial
from typing import TypeVar
from uuid import UUID

import msgspec
import structlog
from eventsourcing.application import AggregateNotFoundError, Application, project_aggregate
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from organize import commands as c
from organize.application import (
    accounts,
    assessments,
    bargaining,
    campaigns,
    collectives,
    conflicts,
    grievances,
    imports,
    meetings,
    organisations,
    procedures,
    workers,
)
from organize.application.accounts import account_id_for, privacy_budget, privacy_budget_id
from organize.application.base import ID_NAMESPACE, Done, Handler, Use, new_id
from organize.application.policy import Rule
from organize.commands.base import check
from organize.domain import DomainError, Taxonomy
from organize.errors import CommandError, Conflict, Invalid, NotFound
from organize.persistence.keyring import FileKeyring, MemoryKeyring
from organize.persistence.keys import KeyStore, PendingKeys, Sealer

log = structlog.get_logger("organize.application")

A = TypeVar("A", bound=Aggregate)

USES: dict[type[c.Command], Use] = {
    **collectives.TABLE, **organisations.TABLE, **workers.TABLE, **grievances.TABLE,
    **campaigns.TABLE, **meetings.TABLE, **assessments.TABLE, **accounts.TABLE,
    **conflicts.TABLE,
    **bargaining.TABLE,
    **procedures.TABLE,
    **imports.TABLE,
}
HANDLERS: dict[type[c.Command], Handler] = {k: u.handler for k, u in USES.items()}
RULES: dict[type[c.Command], Rule] = {k: u.rule for k, u in USES.items()}


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


# The command running in this thread (``Organize._execute``): its application, the keys it
# made so far (``PendingKeys``) and a sealer over them.
_MAKING: ContextVar[tuple[Organize, PendingKeys, Sealer] | None] = ContextVar(
    "organize_making", default=None)


class _Replayed(Exception):  # noqa: N818 - control flow, never escapes execute()
    def __init__(self, result: c.CommandResult):
        self.result = result



def _keeping(kept: list):
    """The library's projector, also putting each event it applies into ``kept``."""
    def project(initial, events):
        def tee():
            for event in events:
                kept.append(event)
                yield event
        return project_aggregate(initial, tee())
    return project

class Organize(Application):
    """The organize application. ``env`` comes from the composition root."""

    name = "Organize"

    def __init__(self, env: dict[str, str], *, taxonomy: Taxonomy, master_key: str,
                 keyring: FileKeyring | None = None, keys: KeyStore | None = None):
        super().__init__(env=env)
        self.taxonomy = taxonomy
        # Without a keyring (benches, throw-away databases) the KEK dies with the process;
        # ``keys`` replaces the store itself (``organize.persistence.memory``).
        self.keys = keys or KeyStore(self.recorder.datastore, master_key,
                                     keyring or MemoryKeyring())
        self.sealer = Sealer(self.keys)

    # The key store, as the command running in this thread sees it (``_execute``): the keys it
    # makes wait in memory and are written with its events. Elsewhere, the store itself.
    @property
    def keys(self) -> KeyStore:
        making = _MAKING.get()
        return making[1] if making is not None and making[0] is self else self._key_store

    @keys.setter
    def keys(self, keys: KeyStore) -> None:
        self._key_store = keys

    @property
    def sealer(self) -> Sealer:
        making = _MAKING.get()
        return making[2] if making is not None and making[0] is self else self._key_sealer

    @sealer.setter
    def sealer(self, sealer: Sealer) -> None:
        self._key_sealer = sealer

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
        pending = PendingKeys(self._key_store)
        making = _MAKING.set((self, pending, Sealer(pending)))  # type: ignore[arg-type]
        try:
            done, entry, ids = self._handle(command)
            if done.before_save is not None:
                done.before_save()
        finally:
            _MAKING.reset(making)
        command_type = entry.command_type
        made = pending.take()  # written with the events: a refused command leaves no key
        try:
            recordings = self.save(*done.aggregates, command=entry,
                                   data_keys=partial(self._key_store.write_made, made=made))
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

    def _handle(self, command: c.Command) -> tuple[Done, LogEntry, tuple[UUID, ...]]:
        """Run the command's handler on ``self`` (which loads and seals), turning a refusal
        into the first result when the command was already run; and the command log's row.
        Shared by ``execute`` and the batched path (``organize.application.batch``)."""
        command_type = type(command).__name__
        check(command)  # its limits, for a command built in Python rather than decoded
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
        return done, entry, ids

    def _raise_unless_replayed(self, command: c.Command, error: CommandError):
        prior = self.replay(command)
        if prior is None:
            raise error from None
        raise _Replayed(prior)

    def replay(self, command: c.Command) -> c.CommandResult | None:
        row = self.recorder.find_command(command.command_id)
        return None if row is None else self.replay_row(command, row)

    def replay_row(self, command: c.Command, row: dict) -> c.CommandResult:
        """The first result of a command from its row in the command log (``find_command``),
        refusing an id that was used for a different command."""
        if row["command_type"] != type(command).__name__ or not _same_command(
            self.keys, bytes(row["payload_digest"]), command
        ):
            # 422, not 409: nothing moved on under her; this id can never carry this command.
            raise Invalid(
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
             expected_version: int | None = None, events: list | None = None) -> A:
        """``events``: a list that receives the stored events the record was built from, for
        a page that reads them too (its history), so they are read once."""
        noun = cls.__name__.lower()
        try:
            aggregate = (self.repository.get(aggregate_id) if events is None else
                         self.repository.get(aggregate_id, projector_func=_keeping(events)))
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

    def target(self, cls: type[A], command: c.Update, field: str) -> A:
        """The aggregate a command acts on, at the version the command was made from."""
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


__all__ = ["HANDLERS", "ID_NAMESPACE", "RULES", "USES", "CommandError", "Done", "Organize",
           "account_id_for", "new_id", "privacy_budget", "privacy_budget_id"]
