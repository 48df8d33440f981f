"""Which views exist, which generation of each serves reads, and blue/green rebuilds."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any

from eventsourcing.postgres import PostgresDatastore

from organize.projections.base import Tables, View
from organize.projections.runner import CATCH_UP_BATCH, BatchedRunner
from organize.projections.views import VIEWS

VIEW_CLASSES: dict[str, type[View]] = {cls.name: cls for cls in VIEWS}


def load_all() -> dict[str, type[View]]:
    """Every view class by name, in ``VIEWS``' order."""
    return VIEW_CLASSES


def shape(cls: type[View]) -> str:
    """A digest of a view's tables and of the events it applies (and its ``version``, to bump
    when a handler's meaning changes with neither). A stored generation built by code of
    another shape no longer fits, and must be rebuilt."""
    probe = cls.__new__(cls)  # ddl() reads no instance state
    text = "\n".join([*probe.ddl(Tables(cls.name, 0)), *sorted(cls.topics()),
                      f"version {getattr(cls, 'version', 1)}"])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def stale(datastore: PostgresDatastore) -> list[str]:
    """The views whose live generation was built by code of another shape (an upgrade)."""
    classes = load_all()
    with datastore.transaction() as curs:
        curs.execute("SELECT name, shape FROM organize_projections")
        stored = {r["name"]: r["shape"] for r in curs.fetchall()}
    return [name for name, cls in classes.items() if name in stored and stored[name] != shape(cls)]


def generations(datastore: PostgresDatastore) -> dict[str, tuple[int, int | None]]:
    with datastore.transaction() as curs:
        curs.execute("SELECT name, generation, building FROM organize_projections")
        return {r["name"]: (r["generation"], r["building"]) for r in curs.fetchall()}


def open_views(datastore: PostgresDatastore, names: Sequence[str] | None = None,
               **deps: Any) -> list[View]:
    """The live generation of each named view (all by default), tables created."""
    classes = load_all()
    names = list(names or classes)
    unknown = [n for n in names if n not in classes]
    if unknown:
        raise KeyError(f"Unknown view(s): {', '.join(unknown)}. Known: {', '.join(classes)}")
    with datastore.transaction(commit=True) as curs:
        for name in names:
            curs.execute("INSERT INTO organize_projections (name, generation, shape) "
                         "VALUES (%s, 1, %s) ON CONFLICT (name) DO NOTHING",
                         (name, shape(classes[name])))
    live = generations(datastore)
    views = []
    for name in names:
        view = classes[name](datastore, generation=live[name][0], **deps)
        view.create_table()
        views.append(view)
    return views


def _rebuild_lock(name: str) -> str:
    return f"organize_rebuild:{name}"


def rebuild_running(datastore: PostgresDatastore, name: str) -> bool:
    """Whether a rebuild of ``name`` is under way now: a rebuild holds a session advisory
    lock for as long as it runs, which PostgreSQL frees when its process dies. A
    ``building`` mark without that lock is a rebuild that was killed."""
    with datastore.transaction() as curs:
        curs.execute("SELECT pg_try_advisory_xact_lock(hashtext(%s)) AS free",
                     (_rebuild_lock(name),))
        row = curs.fetchone()
    return not (row and row["free"])


def rebuild(datastore: PostgresDatastore, recorder: Any, mapper: Any, name: str, *,
            progress: Callable[[int], None] | None = None, batch_size: int = 1000,
            **deps: Any) -> int:
    """Build generation g+1 of a view from the start of the log, then switch reads to it.

    The live generation keeps serving (and following) while the new one fills. The switch
    happens in the same transaction as a final catch-up step under a row lock, so no event
    lands between "caught up" and "switched". Returns the new generation.
    """
    with datastore.get_connection() as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (_rebuild_lock(name),))
        try:
            return _rebuild(datastore, recorder, mapper, name, progress=progress,
                            batch_size=batch_size, **deps)
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (_rebuild_lock(name),))


def _rebuild(datastore: PostgresDatastore, recorder: Any, mapper: Any, name: str, *,
             progress: Callable[[int], None] | None, batch_size: int, **deps: Any) -> int:
    classes = load_all()
    if name not in generations(datastore):
        open_views(datastore, [name], **deps)
    current = generations(datastore)[name][0]
    new_generation = current + 1
    fresh = classes[name](datastore, generation=new_generation, **deps)
    fresh.drop()  # leftovers of an interrupted rebuild
    fresh.create_table()
    with datastore.transaction(commit=True) as curs:
        curs.execute("UPDATE organize_projections SET building = %s WHERE name = %s",
                     (new_generation, name))
    runner = BatchedRunner(recorder, mapper, [fresh], batch_size=batch_size,
                           max_batch=max(batch_size, CATCH_UP_BATCH))
    runner.catch_up(progress)
    with datastore.transaction(commit=True) as curs:
        curs.execute("SELECT generation FROM organize_projections WHERE name = %s FOR UPDATE",
                     (name,))
        runner.catch_up(progress)
        curs.execute("UPDATE organize_projections SET generation = %s, building = NULL, "
                     "switched_at = now(), shape = %s WHERE name = %s",
                     (new_generation, shape(classes[name]), name))
    classes[name](datastore, generation=current, **deps).drop()
    return new_generation


def switched(datastore: PostgresDatastore, views: Sequence[View], **deps: Any) -> list[View] | None:
    """The live generations of these views, or None when no rebuild has switched them."""
    live = generations(datastore)
    if all(live.get(v.name, (v.generation,))[0] == v.generation for v in views):
        return None
    return open_views(datastore, [v.name for v in views], **deps)
