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

The row also keeps the role of the account that ran the command and the notification ids its
events took (``organize.provenance``), so a record's history can say who (as a role) changed it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg import Cursor
from psycopg.rows import DictRow

from organize.provenance import current_role


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
        notification_ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        command = kwargs.get("command")
        if command is not None:
            last = stored_events[-1]
            curs.execute(
                self.INSERT_COMMAND,
                (command.command_id, command.command_type, command.payload_digest,
                 command.result, last.originator_id, last.originator_version, current_role(),
                 min(notification_ids, default=None), max(notification_ids, default=None)),
                prepare=True,
            )
            curs.fetchone()
        return notification_ids

    def find_command(self, command_id) -> dict | None:
        sql = (
            "SELECT c.command_type, c.payload_digest, c.result, e.notification_id "
            f"FROM organize_commands c LEFT JOIN {self.events_table_name} e "
            "ON e.originator_id = c.last_originator_id "
            "AND e.originator_version = c.last_originator_version "
            "WHERE c.command_id = %s"
        )
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(sql, (command_id,))
            return curs.fetchone()
