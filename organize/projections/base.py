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
import re
from abc import abstractmethod
from collections.abc import Callable, Iterable
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
        if after is not None:
            curs.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (self.t.tracking,))
            curs.execute(self.max_tracking_id_statement, (APPLICATION_NAME,))
            row = curs.fetchone()
            now = (row["max"] if row else None) or 0
            if now != after:
                raise BatchTaken(now)
        # Pipeline mode: a statement whose result the handler does not read is sent without
        # waiting for the server, so a batch costs a few round trips, not one per statement.
        # A handler's read there first syncs the pipeline (``_SyncedReads``).
        with curs.connection.pipeline() if self.pipelined else contextlib.nullcontext() as pipeline:
            handed = curs if pipeline is None else _SyncedReads(curs, pipeline)
            for notification_id, event in batch:
                self.apply(handed, event, notification_id)  # type: ignore[arg-type]
        self.after_batch(curs)
        self._insert_tracking(curs, Tracking(APPLICATION_NAME, last_id))

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
    on a RETURNING read as the plain INSERT before it. A read costs a round trip either way."""

    __slots__ = ("_curs", "_pipeline")

    def __init__(self, curs: Any, pipeline: Any):
        self._curs = curs
        self._pipeline = pipeline

    @property
    def connection(self) -> Any:
        return self._curs.connection

    def execute(self, query: Any, params: Any = None) -> Any:
        return self._curs.execute(query, params)

    def executemany(self, query: Any, params_seq: Any) -> None:
        self._curs.executemany(query, params_seq)

    def fetchone(self) -> Any:
        self._pipeline.sync()
        return self._curs.fetchone()

    def fetchall(self) -> list:
        self._pipeline.sync()
        return self._curs.fetchall()
