"""Many commands per transaction, for loading (the demo, ``organize demo --scale N``).

``Batch(app)`` is the application seen through one batch: ``execute`` runs the same handler
as ``Organize.execute`` (``Organize._handle``: the same domain calls, the same invariants,
the same refusals), on aggregates kept in memory across the batch (each loaded once from
the store, then carried forward at the version its last command left it), with data keys
fetched and unwrapped once per batch. The events, the command log's rows and the data keys
the batch made wait in memory until ``commit`` writes them in one transaction, each row
naming its own events as a single command's would (the keys in one statement,
``KeyStore.write_made``): a key exists if and only if the events sealed under it were stored.
Views catch up afterwards, from the notification log, as they always do.

Access rules: ``batch.authorised(principal)`` is the batch seen through one account, as
``Authorised(app, principal)`` is the application: the same ``authorise`` before every
command, checked against the batch's state (what the commands before it did included).

Idempotency: before a handler runs, the command id is looked up among the batch's own
commands and in the command log (``expect`` reads the log for many ids in one query); a
resubmitted id returns the first result, marked replayed, and appends nothing.

A refused command (by its handler, the domain, or the access rules) stops the batch:
everything before it is committed, the refusal is raised
(``execute`` raises the same ``CommandError`` the one-by-one path would), nothing of the
refused command is written, and the aggregates in memory are dropped so that a caller who
goes on reads them again from the store. A ``commit`` that the database refuses (another
writer moved an aggregate on, or logged the same command, meanwhile) writes nothing of its
commands and raises ``Conflict``; running them again, in a batch or one by one, is safe.

Commands that belong together (an import's row): ``with batch.whole():`` runs them so that
they land together or not at all. A refusal inside discards what the block ran (its events,
its log rows, the aggregates it changed in memory), writes what came before the block, and
raises; no commit falls inside the block (the batch's size is checked when it ends).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any
from uuid import UUID

import structlog
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from organize import commands as c
from organize.application import LogEntry, Organize, _Replayed
from organize.application.access import Authorised
from organize.errors import CommandError, Conflict
from organize.persistence.keys import PendingKeys, Sealer
from organize.provenance import current_role

log = structlog.get_logger("organize.application.batch")

HELD = 20_000  # aggregates kept in memory across commits before they are read again


class _Repository:
    """The store's repository, answering from the batch's aggregates first."""

    def __init__(self, batch: Batch, repository) -> None:
        self._batch = batch
        self._repository = repository

    def get(self, aggregate_id: UUID, version: int | None = None, **kwargs: Any) -> Aggregate:
        held = self._batch._held
        if version is not None or kwargs:  # an older version: from the store, all written
            self._batch.commit()
            return self._repository.get(aggregate_id, version=version, **kwargs)
        found = held.get(aggregate_id)
        if found is None and aggregate_id in self._batch._absent:
            raise AggregateNotFoundError(aggregate_id)
        if found is None:
            found = self._repository.get(aggregate_id)  # raises AggregateNotFoundError
            held[aggregate_id] = found
        self._batch._touched.append(found)
        return found

    def __contains__(self, aggregate_id: UUID) -> bool:
        try:
            self.get(aggregate_id)
        except AggregateNotFoundError:
            return False
        return True

    def __getattr__(self, name: str) -> Any:
        return getattr(self._repository, name)


class Batch(Organize):
    """The application seen through one batch (see the module's docstring). A subclass so
    that handlers and ``Authorised`` take it for the application; no ``super().__init__``:
    everything not overridden is the shared application underneath."""

    def __init__(self, app: Organize, *, size: int = 500) -> None:
        self._app = app
        self.size = size
        self._held: dict[UUID, Aggregate] = {}
        self._absent: set[UUID] = set()  # not in the store, as its caller read: see ``absent``
        self._touched: list[Aggregate] = []
        self._known: dict[UUID, dict | None] = {}
        self._events: list[Any] = []
        self._logged: list[tuple[LogEntry, int, str | None]] = []
        self._whole = False  # inside ``whole``: no commit, a refusal discards the block
        self._repository = _Repository(self, app.repository)
        self.keys = PendingKeys(app.keys)
        self.sealer = Sealer(self.keys)  # type: ignore[arg-type]

    def __getattr__(self, name: str) -> Any:
        if name in ("_app", "_repository"):
            raise AttributeError(name)
        return getattr(self._app, name)

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, kind, error, trace) -> None:
        if kind is None:
            self.commit()

    def authorised(self, principal) -> Authorised:
        """The batch seen through one account: every command authorised first."""
        return _AuthorisedBatch(self, principal)

    @property
    def repository(self) -> Any:  # the store's, answering from the batch first
        return self._repository

    def close(self) -> None:  # the shared application is closed by its owner, never here
        pass

    def __del__(self) -> None:
        pass

    @property
    def pending(self) -> int:
        """Commands run since the last commit, waiting to be written."""
        return len(self._logged)

    # -- idempotency ----------------------------------------------------------------------

    def expect(self, commands: Iterable[c.Command]) -> None:
        """Read the command log for these commands' ids in one query, so that ``execute``
        asks the database nothing more about them."""
        self.expect_ids(cmd.command_id for cmd in commands)

    def expect_ids(self, command_ids: Iterable[UUID]) -> None:
        """``expect`` for command ids known before their commands are made (an import's
        row derives them from its digest); an id never used costs nothing more."""
        ids = [i for i in dict.fromkeys(command_ids) if i not in self._known]
        for start in range(0, len(ids), 5000):
            chunk = ids[start:start + 5000]
            found = self._app.recorder.find_commands(chunk)
            self._known.update({i: found.get(i) for i in chunk})

    def logged(self, command_id: UUID) -> bool:
        """Whether the command log (as ``expect`` read it) or this batch holds this id."""
        return self._known.get(command_id) is not None

    def absent(self, aggregate_ids: Iterable[UUID]) -> None:
        """Aggregates the caller has just read and found not stored: loading one answers
        not found from memory, without a read, until a command of the batch creates it.
        The same window as ``expect``'s: another writer storing one meanwhile makes the
        commit a ``Conflict``."""
        self._absent.update(aggregate_ids)

    def replay(self, command: c.Command) -> c.CommandResult | None:
        if command.command_id not in self._known:
            return self._app.replay(command)
        row = self._known[command.command_id]
        return None if row is None else self._app.replay_row(command, row)

    # -- running --------------------------------------------------------------------------

    def execute(self, command: c.Command) -> c.CommandResult:
        """Run one command in the batch. Its result has no ``notification_id`` until the
        batch is committed (``commit`` returns them)."""
        prior = self.replay(command)
        if prior is not None:
            return prior
        self._touched = []
        role = current_role()
        mark = self.keys.mark()
        try:
            done, entry, ids = self._handle(command)
        except _Replayed as replayed:  # refused, but run before: in the log after all
            self.keys.forget_since(mark)
            return replayed.result
        except CommandError:
            self.keys.forget_since(mark)
            self._stop()
            raise
        if done.before_save is not None:
            done.before_save()
        count = 0
        for aggregate in done.aggregates:
            events = aggregate.collect_events()
            self._events.extend(events)
            count += len(events)
            self._held[aggregate.id] = aggregate
            self._absent.discard(aggregate.id)  # written at the commit, or read again
        # Loaded but not handed back: whatever the handler did to it is not to be saved.
        saved = {id(a) for a in done.aggregates}
        for aggregate in self._touched:
            if id(aggregate) not in saved and getattr(aggregate, "_pending_events", None):
                self._held.pop(aggregate.id, None)
        self._logged.append((entry, count, role))
        # Its row, as the log will hold it: a resubmission in this batch replays from it.
        self._known[command.command_id] = {
            "command_type": entry.command_type, "payload_digest": entry.payload_digest,
            "result": entry.result, "notification_id": None}
        if len(self._logged) >= self.size and not self._whole:
            self.commit()
        return c.CommandResult(command_id=command.command_id, id=done.primary, ids=ids,
                               notification_id=None)

    @contextmanager
    def whole(self) -> Iterator[None]:
        """Commands run inside land together or not at all (see the module's docstring)."""
        if self._whole:
            raise AssertionError("whole blocks do not nest")
        events, logged, made = len(self._events), len(self._logged), self.keys.mark()
        self._whole = True
        try:
            yield
        except BaseException:
            self._whole = False
            self.keys.forget_since(made)
            self._discard(events, logged)
            raise
        self._whole = False
        if len(self._logged) >= self.size:
            self.commit()

    def _discard(self, events: int, logged: int) -> None:
        """Forget the commands run since ``logged`` (and their events since ``events``);
        write what came before; read the aggregates again from the store."""
        for entry, _count, _role in self._logged[logged:]:
            self._known.pop(entry.command_id, None)
        del self._events[events:], self._logged[logged:]
        self._stop()

    def _stop(self) -> None:
        """A command was refused: write what came before it; forget what is in memory."""
        if self._whole:  # ``whole`` discards the block's work, then stops
            return
        try:
            self.commit()
        finally:
            self._held.clear()

    def commit(self) -> list[int | None]:
        """Write the pending events and command log rows in one transaction; the
        notification id of each command's last event, in order (None for a command that
        recorded no event)."""
        if self._whole:  # half a block would land: refused, not written
            raise AssertionError("no commit inside a whole block")
        if not self._logged:
            return []
        events, logged, made = self._events, self._logged, self.keys.take()
        self._events, self._logged = [], []
        if not events:
            raise AssertionError("every command records at least one event")
        try:
            recordings = self._app.save(*events, commands=logged,
                                        data_keys=partial(self._app.keys.write_made, made=made))
        except IntegrityError:  # the new keys were in the transaction: none was written
            self._held.clear()
            self._absent.clear()  # another writer stored something: read everything again
            self.keys.forget()
            for entry, _count, _role in logged:
                self._known.pop(entry.command_id, None)
            raise Conflict(
                "Someone else changed these records at the same moment. Load them again.",
                field="expected_version", code="conflict") from None
        self.keys.written(made)
        ids: list[int | None] = []
        position = 0
        for entry, count, _role in logged:
            position += count
            ids.append(recordings[position - 1].notification.id if count else None)
            self._known[entry.command_id]["notification_id"] = ids[-1]
        if len(self._held) > HELD:  # bounded memory at any size: read again from the store
            self._held.clear()
        log.info("batch", commands=len(logged), events=len(events),
                 last_notification_id=ids[-1] if ids else None)
        return ids



class _AuthorisedBatch(Authorised):
    """``Authorised`` over a batch: a refusal by the access rules stops the batch too."""

    _app: Batch

    def execute(self, command: c.Command) -> c.CommandResult:
        try:
            return super().execute(command)
        except CommandError:
            self._app._stop()
            raise


def run_batched(app: Organize, commands: Iterable[c.Command], *,
                size: int = 500) -> Iterator[c.CommandResult]:
    """Run commands in order through one ``Batch``, ``size`` to a transaction, yielding
    each result (``notification_id`` left empty); the command log is read a chunk at a
    time. A refusal raises after everything before it is committed."""
    with Batch(app, size=size) as batch:
        chunk: list[c.Command] = []
        for command in commands:
            chunk.append(command)
            if len(chunk) == size:
                yield from _run_chunk(batch, chunk)
                chunk = []
        yield from _run_chunk(batch, chunk)


def _run_chunk(batch: Batch, chunk: list[c.Command]) -> Iterator[c.CommandResult]:
    batch.expect(chunk)
    for command in chunk:
        yield batch.execute(command)


__all__ = ["Batch", "run_batched"]
