"""Shared builders and fixtures of the view tests (this module holds no tests itself).

Each test creates its own collectives, workers and so on, and asserts only on ids it
created: the database is shared by the whole session.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import asyncpg
import pytest

from organize import commands as c
from organize.projections import registry
from organize.projections.runner import BatchedRunner
from tests.integration import helpers as h

VIEWS = ["grievance_register", "common_grievances", "campaign_board", "meeting_log",
         "worker_directory", "sector_flows"]


def catch_up(app, names=VIEWS, batch_size: int = 500):
    views = registry.open_views(app.recorder.datastore, names, taxonomy=app.taxonomy)
    BatchedRunner(app.recorder, app.mapper, views, batch_size=batch_size).catch_up()
    return views


@pytest.fixture(name="conn")
async def conn_fixture(database):
    """An asyncpg connection to the session's database, as the web layer reads views.
    (Import ``conn_fixture`` to use the ``conn`` fixture.)"""
    connection = await asyncpg.connect(database.asyncpg_dsn())
    yield connection
    await connection.close()


def fed() -> str:
    """A federation name of one's own, so counts are not shared with other tests."""
    return f"fed-{uuid.uuid4().hex[:8]}"


def collective(app, **kw) -> uuid.UUID:
    return app.execute(h.create_collective(**kw)).id


def worker(app, collective_id=None, pseudonym="Rina", joined_on=date(2025, 1, 5)) -> uuid.UUID:
    return app.execute(c.RegisterWorker(
        command_id=h.cid(), profile=c.Profile(pseudonym=pseudonym), collective_id=collective_id,
        joined_on=joined_on if collective_id else None)).id


def organisation(app, **kw) -> uuid.UUID:
    return app.execute(h.create_organisation(**kw)).id


def grievance(app, collective_id, worker_ids, **kw) -> uuid.UUID:
    return app.execute(h.raise_grievance(collective_id, worker_ids, **kw)).id


def spell(app, worker_id, sector, started_on, **kw) -> uuid.UUID:
    """Start a spell and return its id (the worker's new spell)."""
    from organize.application import new_id

    command = c.StartSpell(
        command_id=h.cid(), worker_id=worker_id, sector=sector,
        occupation=kw.pop("occupation", "worker"), place=kw.pop("place", "HK"),
        relationship=kw.pop("relationship", "direct_employer"), paid=kw.pop("paid", True),
        started_on=started_on, **kw)
    app.execute(command)
    return new_id(command.command_id, "spell")


def end_spell(app, worker_id, spell_id, ended_on) -> None:
    app.execute(c.EndSpell(command_id=h.cid(), worker_id=worker_id, spell_id=spell_id,
                           ended_on=ended_on))


def at(d: date, hour: int = 10) -> datetime:
    return datetime(d.year, d.month, d.day, hour, tzinfo=UTC)
