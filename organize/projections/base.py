"""What every view is: a tracking recorder that also owns tables.

A ``View`` subclasses eventsourcing's ``PostgresTrackingRecorder``, so the view's rows and
its tracking position are written through one cursor and commit in one transaction: an
event is applied exactly once, even if the runner dies mid-batch.

Tables are named ``v_<view>_g<generation>_<table>``. A rebuild fills generation g+1 beside
the live one and switches reads over once it has caught up (blue/green); the registry of
active generations is ``organize_projections``.
"""

from __future__ import annotations

import contextlib
import functools
import re
from abc import abstractmethod
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, ClassVar

from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from eventsourcing.utils import get_topic
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL

_CREATE_TABLE = re.compile(r"CREATE TABLE IF NOT EXISTS (\w+)", re.IGNORECASE)
APPLICATION_NAME = "Organize"  # the application whose notification log views follow
_DDL_LOCK = "organize_view_ddl"  # two first starts at once create tables one after the other


class BatchTaken(Exception):
    """Another runner moved this view on since the batch was read: nothing was applied.

    ``position`` is where the view stands now, so the caller can carry on from there.
    """

    def __init__(self, position: int):
        super().__init__(position)
        self.position = position


class Tables:
    """Physical table names of one generation of one view: ``t.grievances`` → name."""

    def __init__(self, view: str, generation: int):
        self.prefix = f"v_{view}_g{generation}"

    def __getattr__(self, table: str) -> str:
        if table.startswith("_"):
            raise AttributeError(table)
        return f"{self.prefix}_{table}"

    @property
    def tracking(self) -> str:
        return f"{self.prefix}_tracking"


def on(*event_classes: type) -> Callable:
    """Mark a method as the handler of these event classes."""

    def mark(fn: Callable) -> Callable:
        fn.__handles__ = event_classes  # type: ignore[attr-defined]
        return fn

    return mark


class View(PostgresTrackingRecorder):
    """Subclasses set ``name``, implement ``ddl`` and decorate handlers with ``@on``.

    Handlers have the signature ``handler(self, curs, event, notification_id)`` and run
    inside the runner's transaction; they must be deterministic, so that a view rebuilt
    from scratch equals the incrementally maintained one. In pipeline mode their cursor
    offers ``execute``, ``executemany``, ``fetchone`` and ``fetchall`` (``_SyncedReads``).
    A handler's plain insert goes through ``insert`` (one statement per table per batch),
    and an update keyed on one row of such a table through ``change``.
    """

    name: ClassVar[str] = ""
    # Whether handlers run in psycopg's pipeline mode (``apply_batch``). A view whose
    # handlers read a result after nearly every statement gains nothing from it and pays
    # a sync per read: it sets this False.
    pipelined: ClassVar[bool] = True
    _handlers: ClassVar[dict[type, str]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        handlers: dict[type, str] = {}
        for klass in reversed(cls.__mro__):
            for attr, fn in vars(klass).items():
                for event_class in getattr(fn, "__handles__", ()):
                    handlers[event_class] = attr
        cls._handlers = handlers

    def __init__(self, datastore: PostgresDatastore, *, generation: int = 1, **deps: Any):
        self.generation = generation
        self.t = Tables(self.name, generation)
        super().__init__(datastore, tracking_table_name=self.t.tracking)
        self.sql_create_statements.extend(SQL(s) for s in self.ddl(self.t))
        self.deps = deps

    # -- to implement ------------------------------------------------------------------

    @abstractmethod
    def ddl(self, t: Tables) -> list[str]:
        """CREATE TABLE/INDEX IF NOT EXISTS statements for this generation's tables."""

    def after_batch(self, curs: Cursor[DictRow]) -> None:
        """Called once per batch, after its events, in the same transaction."""

    def insert(self, curs: Any, table: str, columns: str, row: tuple[Any, ...], *,
               conflict: str = "", select: str = "", into: str = "") -> None:
        """Insert one row into ``table``, or, within a batch, set it aside to be sent with the
        other rows of the same statement as one ``INSERT ... SELECT FROM unnest(...)``:
        one statement per table per batch rather than one per event.

        ``columns`` names and types the values in ``row`` ("id uuid, names text[]"); they
        are the columns inserted, unless ``into`` names them and ``select`` computes them from
        ``x.<name>`` (it may read other tables: "(SELECT federation FROM ... WHERE id = x.c)").
        ``conflict`` may be empty or an ``ON CONFLICT ... DO NOTHING``: rows of one statement
        must not update a row twice, and a ``select`` must not read ``table`` itself, as one
        statement does not see its own rows. The rows set aside are sent, in their order,
        before any later statement that names a table they write or read
        (``_SyncedReads``), so every statement sees what it would have seen.
        """
        statement = _bulk_insert(table, columns, conflict, select, into)
        if isinstance(curs, _SyncedReads):
            curs.defer(statement, row)
        else:
            curs.execute(statement.sql, statement.params([row]))

    def change(self, curs: Any, table: str, key: Any, query: str, params: Any = ()) -> None:
        """Run a statement that reads or writes only the rows of ``table`` whose first column
        (as ``insert`` lists it) is ``key``, and changes no column of a conflict key there (an
        UPDATE or DELETE of that row, or an INSERT into another table reading it). Rows set
        aside for ``table`` are sent first only if one of them has that key: the others are
        rows it cannot touch, so they may go after it. Other tables it names are handled as
        by any statement."""
        if isinstance(curs, _SyncedReads):
            curs.execute_keyed(query, params, table, key)
        else:
            curs.execute(query, params)

    def update(self, curs: Any, table: str, columns: str, assignments: str,
               row: tuple[Any, ...]) -> None:
        """Update the rows of ``table`` whose key, the column named first in ``columns`` (the
        first column ``insert`` lists for this table), is ``row[0]``; or, within a batch, set
        it aside to be sent with the other rows of the same statement as one ``UPDATE ... FROM
        unnest(...)``. ``columns`` names and types the values in ``row`` as ``insert`` does;
        ``assignments`` reads them as ``x.<name>`` and the row as ``t.<column>``
        ("evidence = t.evidence + 1, last_nid = x.nid"). It must change no column of a
        conflict key, nor read the rows of ``table`` of another key. A second change of the
        same row goes in the next round (``_SyncedReads``): each statement changes a row once,
        and the changes apply in their order."""
        statement = _bulk_update(table, columns, assignments)
        if isinstance(curs, _SyncedReads):
            curs.defer(statement, row)
        else:
            curs.execute(statement.sql, statement.params([row]))

    def insert_many(self, curs: Any, table: str, columns: str, rows: list[tuple[Any, ...]], *,
                    conflict: str = "", select: str = "", into: str = "") -> None:
        """``insert`` for rows in hand: one statement now. An ``ON CONFLICT ... DO UPDATE``
        is allowed here when no two rows have the same key."""
        if rows:
            statement = _bulk_insert(table, columns, conflict, select, into)
            curs.execute(statement.sql, statement.params(rows))

    def prefetch(self, curs: Cursor[DictRow], batch: list[tuple[int, Any]]) -> None:
        """Called once per batch, before its events, with the batch: a view whose handlers
        would each read a row (a round trip apiece) reads them all here, in one query."""

    def finish(self, curs: Cursor[DictRow]) -> int:
        """Do now any work set aside while far behind the log (the indicators defer their
        recomputes during a catch-up); returns how much was done. The runner does this on
        its own once it nears the head; a benchmark that stops early calls it to end with
        the same views as the baseline."""
        return 0

    # -- used by the runner ---------------------------------------------------------------

    @classmethod
    def topics(cls) -> tuple[str, ...]:
        return tuple(get_topic(e) for e in cls._handlers)

    def handles(self, event: Any) -> bool:
        return type(event) in self._handlers

    def apply(self, curs: Cursor[DictRow], event: Any, notification_id: int) -> None:
        attr = self._handlers.get(type(event))
        if attr is not None:
            getattr(self, attr)(curs, event, notification_id)

    def apply_batch(self, curs: Cursor[DictRow], batch: Iterable[tuple[int, Any]],
                    last_id: int, after: int | None = None) -> None:
        """Apply events and record the position, through one cursor (one transaction).

        ``after`` is the position the batch was read from. The transaction first takes this
        view's advisory lock and checks that the position is still ``after``; if another
        runner moved it on meanwhile, it raises ``BatchTaken`` before applying anything.
        Without the check, two runners with overlapping batches (different batch sizes, or
        one starting while the other is mid-batch) would both apply the overlap, and a
        handler that adds (``+ 1``, a new row) would count it twice.
        """
        batch = list(batch)
        # Pipeline mode: a statement whose result the handler does not read is sent without
        # waiting for the server, so a batch costs a few round trips, not one per statement.
        # A handler's read there first syncs the pipeline (``_SyncedReads``).
        with curs.connection.pipeline() if self.pipelined else contextlib.nullcontext() as pipeline:
            handed = curs if pipeline is None else _SyncedReads(curs, pipeline)
            # A view is derived data: a commit lost to a server crash goes with its tracking
            # row, and the next start applies those events again. So its commit need not wait
            # for the disk (once per view per batch, a large part of a catch-up's time).
            curs.execute("SET LOCAL synchronous_commit = off")
            if after is not None:
                # Sent together, read once: the lock is held before the position is read
                # (the server runs them in order, each with a snapshot of its own).
                curs.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (self.t.tracking,))
                curs.execute(self.max_tracking_id_statement, (APPLICATION_NAME,))
                row = handed.fetchone()
                now = (row["max"] if row else None) or 0
                if now != after:
                    raise BatchTaken(now)
            self.prefetch(handed, batch)
            for notification_id, event in batch:
                self.apply(handed, event, notification_id)  # type: ignore[arg-type]
            if isinstance(handed, _SyncedReads):
                handed.flush()
        self.after_batch(curs)
        self._insert_tracking(curs, Tracking(APPLICATION_NAME, last_id))
        self._applied += len(batch)
        if self._applied >= self._analyze_at:
            self._analyze(curs)

    # A catch-up fills a view's tables from empty, and the plans a statement caches (psycopg
    # prepares it after a few runs) keep the estimates of the table as it was then, until its
    # statistics change: autovacuum gets to it late, or not at all within one catch-up. So a
    # view analyzes its own tables as it grows: once this process has applied ANALYZE_FIRST
    # events to it, then each time that count has grown ANALYZE_GROWTH times (a logarithmic
    # number of ANALYZEs, each reading a bounded sample of rows).
    ANALYZE_FIRST: ClassVar[int] = 5_000
    ANALYZE_GROWTH: ClassVar[int] = 4
    _applied = 0
    _analyze_at = ANALYZE_FIRST

    def _analyze(self, curs: Cursor[DictRow]) -> None:
        self._analyze_at = self._applied * self.ANALYZE_GROWTH
        for table in self.table_names():
            # A table autovacuum holds is being analyzed already: waiting for it would hold
            # the batch until the server cancels autovacuum (deadlock_timeout, 1 s).
            curs.execute(SQL("ANALYZE (SKIP_LOCKED) {}").format(SQL(table)))

    def _create_table(self, curs: Cursor[DictRow]) -> None:
        # CREATE TABLE IF NOT EXISTS is not safe against itself: two processes creating the
        # same table at the same instant make one fail on the catalogue's unique index.
        curs.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (_DDL_LOCK,))
        super()._create_table(curs)

    def position(self) -> int:
        return self.max_tracking_id(APPLICATION_NAME) or 0

    def table_names(self) -> list[str]:
        found = (_CREATE_TABLE.search(s) for s in self.ddl(self.t))
        return [m.group(1) for m in found if m]

    def drop(self) -> None:
        with self.datastore.transaction(commit=True) as curs:
            for table in [*self.table_names(), self.t.tracking]:
                curs.execute(SQL("DROP TABLE IF EXISTS {} CASCADE").format(SQL(table)))


class _SyncedReads:
    """The cursor handlers are given in pipeline mode: a read first syncs the pipeline, so
    that every result sent for is in. Without it, a cursor shared by several statements can
    be handed an earlier statement's result, arriving late, when the last one's is read
    (psycopg waits only while the cursor holds no result): a catch-up of 202k events stopped
    on a RETURNING read as the plain INSERT before it. A read costs a round trip either way.

    It also holds the rows ``View.insert`` and ``View.update`` set aside, and sends each list
    of them as one statement. The lists of a table are kept in rounds: a row goes to the
    round after the last one holding a row of its key (its first column) in that table, or,
    for an insert, into that round's list of the same statement; so each key's changes apply
    in their order, and the lists of one round hold different keys, which commute. A table's
    lists are sent together, round after round, before any statement that names a table they
    write or read (a name found in the text: a false match only sends them early), and
    before a row set aside for a statement that writes what they touch or touches what they
    write, unless the two are keyed alike (``_BulkInsert.keyed_with``). A grievance raised
    and changed three times in one batch costs four statements, however many grievances the
    batch raises and changes; sending the insert before each change cost one per change."""

    __slots__ = ("_curs", "_pipeline", "_deferred", "_rounds")

    def __init__(self, curs: Any, pipeline: Any):
        self._curs = curs
        self._pipeline = pipeline
        # table -> {(statement, round): rows}, in the order the lists were opened
        self._deferred: dict[str, dict[tuple[_BulkInsert, int], list[tuple[Any, ...]]]] = {}
        # table -> {key: (the last round holding a row of that key, the statement of it)}
        self._rounds: dict[str, dict[Any, tuple[int, _BulkInsert]]] = {}

    @property
    def connection(self) -> Any:
        return self._curs.connection

    def execute(self, query: Any, params: Any = None) -> Any:
        if self._deferred:
            self._flush_for(query if isinstance(query, str) else None)
        return self._curs.execute(query, params)

    def executemany(self, query: Any, params_seq: Any) -> None:
        if self._deferred:
            self._flush_for(query if isinstance(query, str) else None)
        self._curs.executemany(query, params_seq)

    def fetchone(self) -> Any:
        self._pipeline.sync()
        return self._curs.fetchone()

    def fetchall(self) -> list:
        self._pipeline.sync()
        return self._curs.fetchall()

    def defer(self, statement: _BulkInsert, row: tuple[Any, ...]) -> None:
        """Set ``row`` aside for ``statement``, in the round its key is due."""
        table = statement.table
        for other in list(self._deferred):
            lists = self._deferred[other]
            if other == table:
                first = any(not s.keyed_with(statement) for s, _ in lists)
            else:
                first = other in statement.tables or any(table in s.tables for s, _ in lists)
            if first:
                self._send(other)
        lists = self._deferred.setdefault(table, {})
        rounds = self._rounds.setdefault(table, {})
        key = row[0]
        last = rounds.get(key)
        if last is None:
            due = 0
        elif not statement.updates and last[1] is statement:
            due = last[0]  # another row of the same insert: nothing of this key comes after it
        else:
            due = last[0] + 1
        rows = lists.get((statement, due))
        if rows is None:
            rows = lists[(statement, due)] = []
        rows.append(row)
        rounds[key] = (due, statement)

    def execute_keyed(self, query: str, params: Any, table: str, key: Any) -> None:
        """``View.change``: the lists of ``table`` go first only if one has ``key`` or reads
        a table the statement names; any other table's lists go first if the statement names
        a table they write or read."""
        for other in list(self._deferred):
            lists = self._deferred[other]
            if other == table and all(table not in s.reads for s, _ in lists):
                first = key in self._rounds[other] or any(
                    name in query for s, _ in lists for name in s.reads)
            else:
                first = any(name in query for s, _ in lists for name in s.tables)
            if first:
                self._send(other)
        self._curs.execute(query, params)

    def flush(self) -> None:
        for table in list(self._deferred):
            self._send(table)

    def _flush_for(self, query: str | None) -> None:
        for table in list(self._deferred):
            if query is None or any(name in query for s, _ in self._deferred[table]
                                    for name in s.tables):
                self._send(table)

    def _send(self, table: str) -> None:
        """Send every list of ``table``, round after round."""
        lists = self._deferred.pop(table)
        del self._rounds[table]
        for (statement, _), rows in sorted(lists.items(), key=lambda item: item[0][1]):
            self._curs.execute(statement.sql, statement.params(rows))


class _BulkInsert:
    """One ``INSERT ... SELECT ... FROM unnest(...)``: a parameter per column, an array of
    that column's values (an array column travels as text, one literal per row).

    psycopg prepares it after a few runs, and the server soon runs a generic plan of it: one
    made while a catch-up's tables were empty joins them by a sequential scan, and is kept as
    they grow until their statistics change (``View._analyze``)."""

    __slots__ = ("sql", "table", "reads", "tables", "updates", "_arrays", "_plain")

    def __init__(self, table: str, columns: str, conflict: str, select: str, into: str):
        names, types = zip(*(c.split() for c in columns.split(",")), strict=True)
        self._arrays = tuple(t.endswith("[]") for t in types)
        # Columns (or array columns) of a type whose values' text never needs quoting.
        self._plain = tuple(t.removesuffix("[]").lower() in _PLAIN_TYPES for t in types)
        params = ", ".join("%s::text[]" if a else f"%s::{t}[]"
                           for t, a in zip(types, self._arrays, strict=True))
        select = select or ", ".join(
            f"x.{n}::{t}" if a else f"x.{n}" for n, t, a in zip(names, types, self._arrays, strict=True))
        into = into or ", ".join(names)
        self.sql = (f"INSERT INTO {table} ({into}) SELECT {select} FROM unnest({params})"
                    f" AS x({', '.join(names)}) {conflict}")
        # What it writes and reads: the view's tables named in it (v_<view>_g<n>_<table>).
        self.table = table
        self.reads = frozenset(re.findall(r"\bv_\w+", select))
        self.tables = self.reads | {table}
        self.updates = False  # rows of one key may wait together (ON CONFLICT DO NOTHING)

    def keyed_with(self, other: _BulkInsert) -> bool:
        """Whether this statement and ``other`` change only rows of one table, each row named
        by its first column, and read nothing either writes: rows of different keys may then
        go in either order."""
        return (self.table == other.table and self.table not in self.reads
                and other.table not in other.reads)

    def params(self, rows: list[tuple[Any, ...]]) -> list[str]:
        # One array literal per column, written here: psycopg's list dumper costs a Python
        # call per element, the server's array input reads the text in C.
        literal = [_plain_literal if plain else _array_literal for plain in self._plain]
        return [_array_literal([literal[i](v) for v in column]) if self._arrays[i]
                else literal[i](column) for i, column in enumerate(zip(*rows, strict=True))]


class _BulkUpdate(_BulkInsert):
    """One ``UPDATE ... FROM unnest(...)``: the rows of ``table`` whose column named first in
    ``columns`` equals a row's first value get ``assignments`` (which read the row's values
    as ``x.<name>``)."""

    __slots__ = ()

    def __init__(self, table: str, columns: str, assignments: str):
        super().__init__(table, columns, "", "", "")
        names = [c.split()[0] for c in columns.split(",")]
        params = self.sql[self.sql.index(" FROM unnest(") + len(" FROM unnest("):
                          self.sql.index(") AS x(")]
        self.sql = (f"UPDATE {table} AS t SET {assignments} FROM unnest({params})"
                    f" AS x({', '.join(names)}) WHERE t.{names[0]} = x.{names[0]}")
        self.reads = frozenset(re.findall(r"\bv_\w+", assignments))
        self.tables = self.reads | {table}
        self.updates = True


@functools.cache
def _bulk_update(table: str, columns: str, assignments: str) -> _BulkUpdate:
    return _BulkUpdate(table, columns, assignments)


@functools.cache
def _bulk_insert(table: str, columns: str, conflict: str, select: str, into: str) -> _BulkInsert:
    return _BulkInsert(table, columns, conflict, select, into)


def _array_literal(values: Any) -> str | None:
    """A PostgreSQL array literal (``{"a",NULL,"b"}``) of values whose text form the server
    reads back as themselves: strings, uuids, numbers, dates, aware datetimes, booleans."""
    if values is None:
        return None
    return "{" + ",".join(map(_element, values)) + "}"


# Types whose values' text (``str``) is what the server reads back, with no quote, comma,
# brace or backslash to escape, and never "None" but for None: uuids, integers, dates.
_PLAIN_TYPES = frozenset({"uuid", "int", "integer", "bigint", "smallint", "date"})


def _plain_literal(values: Any) -> str | None:
    """``_array_literal`` for values of a ``_PLAIN_TYPES`` type: one ``join`` in C rather
    than a Python call per element (a catch-up writes a million of them per 100k events)."""
    if values is None:
        return None
    return "{" + ",".join(map(str, values)).replace("None", "NULL") + "}"


def _element(value: Any) -> str:
    if value is None:
        return "NULL"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, datetime):
        text = value.isoformat()  # naive: read in the session's time zone, as psycopg sends it
    elif isinstance(value, bytes | bytearray | memoryview):
        raise TypeError("bytes in a bulk insert")  # their text form is not the value
    else:
        text = str(value)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
