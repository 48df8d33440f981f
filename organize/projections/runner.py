"""The batched runner: follows the notification log and commits hundreds of events per
transaction, for several views at once.

Each batch of notifications is read once and decoded once (skipping topics no view wants),
then applied to each view in one transaction per view together with that view's tracking
row. A crash loses at most the batch in flight, which the next start re-reads from the
tracking position: nothing is applied twice and nothing is skipped.

The stock eventsourcing ``ProjectionRunner`` commits once per event; batching is where the
speed comes from (``bench/projections.py`` measures the ratio).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

import psycopg
import structlog
from eventsourcing.persistence import IntegrityError, OperationalError

from organize.projections.base import View

log = structlog.get_logger("organize.projections")


DEFAULT_BATCH = 500


class BatchedRunner:
    def __init__(self, recorder: Any, mapper: Any, views: Sequence[View], *,
                 batch_size: int = DEFAULT_BATCH, listen_url: str | None = None,
                 reopen: Callable[[Sequence[View]], Sequence[View] | None] | None = None):
        self.recorder = recorder  # the application's recorder (select_notifications)
        self.mapper = mapper
        self.batch_size = batch_size
        self.listen_url = listen_url
        # Given the views in use, returns the live generations if a rebuild switched them.
        self.reopen = reopen
        self._stop = threading.Event()
        self._set_views(views)

    def _set_views(self, views: Sequence[View]) -> None:
        self.views = list(views)
        topics: set[str] = set()
        for view in self.views:
            topics.update(view.topics())
        self.topics = frozenset(topics)

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
        return {v.name: v.position() for v in self.views}

    def step(self, positions: dict[str, int] | None = None, until: int | None = None) -> int:
        """Process one batch. Returns how many notifications were consumed (0: caught up).

        ``until`` stops at that notification id instead of the end of the log.
        """
        positions = positions or self.positions()
        start = min(positions.values()) + 1
        # Read up to the current end of the log. With the table-lock insert, every id at or
        # below the max is committed, so a filtered read that returns few rows can still
        # advance the position to that max without skipping anything.
        head = self.recorder.max_notification_id() or 0
        if until is not None:
            head = min(head, until)
        if head < start:
            return 0
        notifications = self.recorder.select_notifications(
            start=start, limit=self.batch_size, stop=head, topics=sorted(self.topics),
        )
        last_id = notifications[-1].id if len(notifications) == self.batch_size else head
        events = [(n.id, self.mapper.to_domain_event(n)) for n in notifications]
        for view in self.views:
            after = positions[view.name]
            if after >= last_id:
                continue
            batch = [(i, e) for i, e in events if i > after and view.handles(e)]
            try:
                with view.datastore.transaction(commit=True) as curs:
                    view.apply_batch(curs, batch, last_id)
            except (IntegrityError, OperationalError) as e:
                if isinstance(e, OperationalError) and not isinstance(
                        e.__cause__, psycopg.errors.DeadlockDetected):
                    raise
                # Another runner applied this batch first (two processes following one view):
                # the tracking row refused ours, or the two deadlocked on the same rows, and
                # our transaction rolled back. Carry on from where that runner got to.
                positions[view.name] = view.position()
                log.info("projection_batch_taken_by_another_runner", view=view.name)
                continue
            positions[view.name] = last_id
        return last_id - start + 1

    def catch_up(self, progress: Callable[[int], None] | None = None,
                 until: int | None = None) -> int:
        """Run batches until every view has reached the end of the log (or ``until``)."""
        positions = self.positions()
        total = 0
        while not self._stop.is_set():
            consumed = self.step(positions, until)
            if not consumed:
                break
            total += consumed
            if progress:
                progress(consumed)
        return total

    # -- following ------------------------------------------------------------------------

    def run_forever(self, poll_seconds: float = 1.0) -> None:
        """Catch up, then wait for NOTIFY on the events table (or poll) and repeat."""
        conn = None
        if self.listen_url:
            try:
                conn = psycopg.connect(self.listen_url, autocommit=True)
                conn.execute(f"LISTEN {self.recorder.channel_name}")
            except psycopg.Error:
                conn = None
        try:
            while not self._stop.is_set():
                try:
                    self._follow_switches()
                    self.catch_up()
                except Exception as e:  # keep following: log the kind, never event data
                    log.error("projection_batch_failed", error=type(e).__name__,
                              views=[v.name for v in self.views])
                    self._stop.wait(poll_seconds)
                    continue
                if conn is not None:
                    for _ in conn.notifies(timeout=poll_seconds, stop_after=1):
                        pass
                else:
                    self._stop.wait(poll_seconds)
        finally:
            if conn is not None:
                conn.close()

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run_forever, name="projections", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()
