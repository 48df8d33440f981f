"""The application recorder: eventsourcing's PostgreSQL recorder plus the command log.

The command's row in ``organize_commands`` is inserted in the same transaction as its
events, through the recorder's ``_insert_events`` hook. So either both land or neither:
a phone that resubmits a form after a dropped connection finds the first result, and two
submissions racing each other cannot both append (the second hits the primary key and its
whole transaction rolls back).

The insert path is the stock one: an EXCLUSIVE table lock serialises writers so that
notification ids are committed in order. We leave ``POSTGRES_ENABLE_DB_FUNCTIONS`` off: with
it on, events are inserted by a database function, and under concurrent writers a reader
following the notification log can pass a gap that a slower transaction fills later, so it
skips events for good. Projections must never skip an event.

A batch's new data keys (``organize.application.batch``) are written by the same hook, in the
same transaction as the events sealed under them (``KeyStore.write_made``).

The row also keeps the role of the account that ran the command and the notification ids its
events took (``organize.provenance``), so a record's history can say who (as a role) changed it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

import psycopg
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg import Cursor
from psycopg.rows import DictRow

from organize.provenance import current_role


def command_rows(stored_events: Sequence[StoredEvent], notification_ids: Sequence[int],
                 **kwargs: Any) -> list[tuple]:
    """The command log's rows for what is being inserted: one ``command`` (``execute``), or
    ``commands``, a batch's ``(entry, number of events, role)`` in the order of its events,
    each row naming its own last event and notification ids."""
    commands = kwargs.get("commands")
    if commands is None:
        command = kwargs.get("command")
        commands = [] if command is None else [(command, len(stored_events), current_role())]
    rows, start = [], 0
    for entry, count, role in commands:
        events, ids = stored_events[start:start + count], notification_ids[start:start + count]
        start += count
        last = events[-1] if events else None
        rows.append((entry.command_id, entry.command_type, entry.payload_digest, entry.result,
                     None if last is None else last.originator_id,
                     None if last is None else last.originator_version, role,
                     min(ids, default=None), max(ids, default=None)))
    return rows


# Makes the server refuse the transaction in hand (see ``refuse_transaction``).
_REFUSE = ("DO $$BEGIN RAISE EXCEPTION USING ERRCODE = 'integrity_constraint_violation', "
           "MESSAGE = 'refused after the events were inserted'; END$$")


def refuse_transaction(curs: Cursor[DictRow], error: Exception) -> None:
    """Make sure the transaction in hand rolls back after ``error``, raised in Python after the
    events were inserted (a keyring that cannot open, an owner erased meanwhile).
    eventsourcing's ``insert_events`` holds such an error until its transaction block has
    ended, and that block commits unless the server has refused the transaction: events
    without their command row or their keys would land. A server error has refused it
    already; otherwise a statement that fails does."""
    if isinstance(error, psycopg.Error):
        return
    with contextlib.suppress(psycopg.Error):
        curs.execute(_REFUSE)
        curs.execute("SELECT 1")
        curs.fetchone()  # in pipeline mode, the refusal is taken in here


class CommandLoggingRecorder(PostgresApplicationRecorder):
    INSERT_COMMAND = (
        "INSERT INTO organize_commands (command_id, command_type, payload_digest, result, "
        "last_originator_id, last_originator_version, recorded_by_role, first_notification_id, "
        "last_notification_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING command_id"
    )

    def _fetch_ids_after_insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int]:
        # After the events, not before: in psycopg's pipeline an error in the first
        # statement aborts the rest and surfaces as PipelineAborted (an OperationalError
        # that eventsourcing retries ten times). Here, fetching the RETURNING row raises the
        # primary-key violation at once, inside the recorder's guarded block, as an
        # IntegrityError, and the whole transaction (events included) rolls back.
        try:
            return self._write_beside_events(curs, stored_events, **kwargs)
        except Exception as error:
            refuse_transaction(curs, error)
            raise

    def _write_beside_events(self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent],
                             **kwargs: Any) -> Sequence[int]:
        notification_ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        rows = command_rows(stored_events, sorted(notification_ids), **kwargs)
        if len(rows) == 1:
            curs.execute(self.INSERT_COMMAND, rows[0], prepare=True)
            curs.fetchone()
        elif rows:  # a batch (organize.application.batch): every command's row, one statement
            curs.executemany(self.INSERT_COMMAND, rows, returning=True)
            while curs.nextset():
                pass
        write_keys = kwargs.get("data_keys")
        if write_keys is not None:  # a batch's new data keys, in the same transaction
            write_keys(curs)
        return notification_ids

    def find_commands(self, command_ids) -> dict:
        """The command log's rows for many ids at once (a batch reads them up front)."""
        sql = (
            "SELECT c.command_id, c.command_type, c.payload_digest, c.result, "
            "e.notification_id "
            f"FROM organize_commands c LEFT JOIN {self.events_table_name} e "
            "ON e.originator_id = c.last_originator_id "
            "AND e.originator_version = c.last_originator_version "
            "WHERE c.command_id = ANY(%s)"
        )
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(sql, (list(command_ids),))
            return {r["command_id"]: r for r in curs.fetchall()}

    def find_command(self, command_id) -> dict | None:
        sql = (
            "SELECT c.command_type, c.payload_digest, c.result, e.notification_id "
            f"FROM organize_commands c LEFT JOIN {self.events_table_name} e "
            "ON e.originator_id = c.last_originator_id "
            "AND e.originator_version = c.last_originator_version "
            "WHERE c.command_id = %s"
        )
        # One statement on the pool's autocommit connection: its own snapshot, and one
        # round trip instead of three (BEGIN, SELECT, ROLLBACK). A batch asks this once per
        # command it was not told to ``expect``.
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(sql, (command_id,), prepare=True)
            return curs.fetchone()
