"""The batched runner: follows the notification log and commits hundreds of events per
transaction, for several views at once.

Each batch of notifications is read once and decoded once (skipping topics no view wants),
then applied to each view in one transaction per view together with that view's tracking
row. A crash loses at most the batch in flight, which the next start re-reads from the
tracking position: nothing is applied twice and nothing is skipped.

Several runners may follow the same views (web processes in embedded mode, `organize project`
on two machines, an old and a new release during a deploy). Two mechanisms keep that safe:

- **Correctness**: a batch commits only from the position it was read at (``View.apply_batch``
  checks it under the view's advisory lock), so overlapping batches are never applied twice.
- **One active runner per view**: a following runner holds a session advisory lock per view
  (``Lease``). The others stand by and try again every poll; when the active one dies, its
  connection closes, PostgreSQL frees the lock and a standby takes over within a poll.

The stock eventsourcing ``ProjectionRunner`` commits once per event; batching is where the
speed comes from (``bench/projections.py`` measures the ratio). Within a batch, a view's
handlers run in psycopg's pipeline mode (``View.apply_batch``: a write whose result is not
read costs no round trip); rows a handler inserts or changes by key go as one statement per
table and kind per batch, in rounds when a row changes more than once (``View.insert``,
``View.update``); a read a handler would make per event is made once for the batch
(``View.prefetch``); and views whose handlers would redo the same work event after event
(the deadlines, the worker directory, the indicators' series) gather it in memory and do it
once in ``after_batch``, in the same transaction. While far behind the log, batches grow
(``max_batch``): a batch costs each view a transaction and a commit, whatever its size. A
view analyzes its tables as a catch-up fills them (``View._analyze``): without it, plans made
while they were empty were kept, and research_grievances cost 90 us of server CPU per event
over 202k events instead of 31.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Any

import psycopg
import structlog
from eventsourcing.persistence import IntegrityError, OperationalError

from organize.projections.base import BatchTaken, View

log = structlog.get_logger("organize.projections")


DEFAULT_BATCH = 500
# While far behind the log (a first start, a rebuild), batches grow up to this many events:
# each batch costs each view a transaction, a few round trips and a commit, whatever its size.
CATCH_UP_BATCH = 5000


class Lease:
    """The views this process is the active runner of: one session advisory lock per view,
    held on a connection of its own for as long as the process follows them."""

    def __init__(self, url: str):
        self.url = url
        self.conn: psycopg.Connection | None = None
        self.held: set[str] = set()

    def claim(self, names: Sequence[str]) -> set[str]:
        """Try to take the views not held yet; returns those held now (never raises)."""
        try:
            if self.conn is None or self.conn.closed:
                self.held = set()
                self.conn = psycopg.connect(self.url, autocommit=True)
            for name in names:
                if name in self.held:
                    continue
                row = self.conn.execute("SELECT pg_try_advisory_lock(hashtext(%s))",
                                        (f"organize_runner:{name}",)).fetchone()
                if row and row[0]:
                    self.held.add(name)
        except psycopg.Error:
            # The connection went (a database restart): the locks went with it.
            self.close()
        return set(self.held)

    def close(self) -> None:
        self.held = set()
        if self.conn is not None:
            with contextlib.suppress(psycopg.Error):  # closing a broken connection
                self.conn.close()
            self.conn = None


class BatchedRunner:
    def __init__(self, recorder: Any, mapper: Any, views: Sequence[View], *,
                 batch_size: int = DEFAULT_BATCH, listen_url: str | None = None,
                 reopen: Callable[[Sequence[View]], Sequence[View] | None] | None = None,
                 max_batch: int | None = None, threads: int = 2):
        self.recorder = recorder  # the application's recorder (select_notifications)
        self.mapper = mapper
        self.batch_size = batch_size
        # ``catch_up`` doubles the batch after each full one, up to ``max_batch`` (by default
        # it stays at ``batch_size``); near the head batches are small again.
        self.max_batch = max_batch
        self._read_size: int | None = None
        # Views applied at once, each on a connection of the datastore's pool.
        self.threads = threads
        self._pool: ThreadPoolExecutor | None = None
        self.listen_url = listen_url
        # Given the views in use, returns the live generations if a rebuild switched them.
        self.reopen = reopen
        self._stop = threading.Event()
        self.active: set[str] | None = None  # None: every view (no lease taken)
        self._set_views(views)

    def _set_views(self, views: Sequence[View]) -> None:
        self.views = list(views)
        self._set_topics()

    def _set_topics(self) -> None:
        topics: set[str] = set()
        for view in self._live():
            topics.update(view.topics())
        self.topics = frozenset(topics)

    def _live(self) -> list[View]:
        """The views this runner applies events to now (all, or those it holds the lease of)."""
        if self.active is None:
            return self.views
        return [v for v in self.views if v.name in self.active]

    def _follow_switches(self) -> None:
        if self.reopen is None:
            return
        views = self.reopen(self.views)
        if views is not None:
            log.info("projection_generation_switched",
                     views={v.name: v.generation for v in views})
            self._set_views(views)

    # -- catching up ----------------------------------------------------------------------

    def positions(self) -> dict[str, int]:
        return {v.name: v.position() for v in self._live()}

    def step(self, positions: dict[str, int] | None = None, until: int | None = None) -> int:
        """Process one batch. Returns how many notifications were consumed (0: caught up).

        ``until`` stops at that notification id instead of the end of the log.
        """
        positions = positions or self.positions()
        if not positions:
            return 0
        start = min(positions.values()) + 1
        # Read up to the current end of the log. With the table-lock insert, every id at or
        # below the max is committed, so a filtered read that returns few rows can still
        # advance the position to that max without skipping anything.
        head = self.recorder.max_notification_id() or 0
        if until is not None:
            head = min(head, until)
        if head < start:
            return 0
        limit = self._read_size or self.batch_size
        notifications = self.recorder.select_notifications(
            start=start, limit=limit, stop=head, topics=sorted(self.topics),
        )
        last_id = notifications[-1].id if len(notifications) == limit else head
        events = [(n.id, self.mapper.to_domain_event(n)) for n in notifications]
        live = [v for v in self._live() if positions[v.name] < last_id]
        if self.threads > 1 and len(live) > 1:
            # Views are independent, each in a transaction of its own: while the server
            # applies one view's statements, this process writes the next one's (psycopg
            # waits without the GIL). 10.1-10.3k against 8.3k events/s in one thread over
            # 202k events, the row views on this 2-core machine.
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="projections")
            futures = [self._pool.submit(self._apply, v, events, last_id, positions)
                       for v in live]
            wait(futures)  # every view's batch has ended before a failure is raised
            for future in futures:
                future.result()
        else:
            for view in live:
                self._apply(view, events, last_id, positions)
        return last_id - start + 1

    def _apply(self, view: View, events: list[tuple[int, Any]], last_id: int,
               positions: dict[str, int]) -> None:
        """Apply this batch's events to one view, from its position, in one transaction."""
        after = positions[view.name]
        handled = view._handlers  # event class -> handler
        batch = [(i, e) for i, e in events if type(e) in handled and i > after]
        try:
            with view.datastore.transaction(commit=True) as curs:
                view.apply_batch(curs, batch, last_id, after)
        except BatchTaken as taken:
            # Another runner moved the view on since we read it: nothing of ours was
            # applied. Carry on from where it is now.
            positions[view.name] = taken.position
            log.info("projection_batch_taken_by_another_runner", view=view.name)
            return
        except (IntegrityError, OperationalError) as e:
            if isinstance(e, OperationalError) and not isinstance(
                    e.__cause__, psycopg.errors.DeadlockDetected):
                raise
            # Another runner applied this batch first (two processes following one view):
            # the tracking row refused ours, or the two deadlocked on the same rows, and
            # our transaction rolled back. Carry on from where that runner got to. If no
            # runner moved the view on, the refusal was our own handlers' (a bug): raise
            # rather than read the same batch again forever.
            now = view.position()
            if now == after:
                raise
            positions[view.name] = now
            log.info("projection_batch_taken_by_another_runner", view=view.name)
            return
        positions[view.name] = last_id

    def catch_up(self, progress: Callable[[int], None] | None = None,
                 until: int | None = None) -> int:
        """Run batches until every view has reached the end of the log (or ``until``)."""
        positions = self.positions()
        total = 0
        self._read_size = self.batch_size
        try:
            while not self._stop.is_set():
                consumed = self.step(positions, until)
                if not consumed:
                    break
                total += consumed
                if progress:
                    progress(consumed)
                if self.max_batch and consumed >= self._read_size:  # far behind: read more
                    self._read_size = min(self._read_size * 2, self.max_batch)
                else:
                    self._read_size = self.batch_size
        finally:
            self._read_size = None
        return total

    # -- following ------------------------------------------------------------------------

    def _claim(self, lease: Lease) -> None:
        held = lease.claim([v.name for v in self.views])
        if held != self.active:
            log.info("projection_runner_role",
                     active=sorted(held),
                     standby=sorted(v.name for v in self.views if v.name not in held))
            self.active = held
            self._set_topics()

    def run_forever(self, poll_seconds: float = 1.0, *, exclusive: bool = True) -> None:
        """Catch up, then wait for NOTIFY on the events table (or poll) and repeat.

        With ``exclusive`` (and a ``listen_url``), the runner applies events only to the
        views whose lease it holds and stands by for the others, claiming them each poll.
        """
        lease = Lease(self.listen_url) if exclusive and self.listen_url else None
        conn = None
        try:
            while not self._stop.is_set():
                if conn is None and self.listen_url:
                    conn = self._listen()
                try:
                    self._follow_switches()
                    if lease is not None:
                        self._claim(lease)
                    self.catch_up()
                except Exception as e:  # keep following: log the kind, never event data
                    if self._stop.is_set():
                        break
                    log.error("projection_batch_failed", error=type(e).__name__,
                              views=[v.name for v in self.views])
                    self._stop.wait(poll_seconds)
                    continue
                if conn is None:
                    self._stop.wait(poll_seconds)
                    continue
                try:
                    for _ in conn.notifies(timeout=poll_seconds, stop_after=1):
                        pass
                except psycopg.Error as e:
                    # The server went (a restart, a fail-over, or our own shutdown): listen
                    # again on the next round, polling meanwhile.
                    with contextlib.suppress(psycopg.Error):
                        conn.close()
                    conn = None
                    if not self._stop.is_set():
                        log.warning("projection_listen_lost", error=type(e).__name__)
                        self._stop.wait(poll_seconds)
        finally:
            if conn is not None:
                with contextlib.suppress(psycopg.Error):
                    conn.close()
            if lease is not None:
                lease.close()
                self.active = None

    def _listen(self) -> psycopg.Connection | None:
        try:
            conn = psycopg.connect(self.listen_url, autocommit=True)
            conn.execute(f"LISTEN {self.recorder.channel_name}")
        except psycopg.Error:
            return None
        return conn

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run_forever, name="projections", daemon=True)
        thread.start()
        self._thread = thread
        return thread

    def stop(self, wait: float = 0) -> None:
        """Ask the runner to stop; with ``wait``, give its thread that long to finish its
        batch and close its connections (before the database itself is stopped)."""
        self._stop.set()
        thread = getattr(self, "_thread", None)
        if wait and thread is not None:
            thread.join(timeout=wait)
        if self._pool is not None:
            self._pool.shutdown(wait=False)
