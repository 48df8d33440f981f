"""Time travel, the acceptance test of issue 6: an "as of D" read over the whole event
history equals the same read of views built from only the events dated D or earlier.

Both sides are real. The demo's two years of organising are loaded and the views follow
the whole log. Then a second database is created, and only the stored events whose domain
date (``organize.projections.domain_time``) is on or before D are copied into its event
table, as stored (encrypted, with their notification ids). That database gets its own
application and its own views, which a runner fills from its own log. The federation
overview, the cross-collective board and the k-suppressed sector flows are read from each
side through the same read functions and must be equal, for two dates and two federations.
D is a Sunday: the overview's levels describe the week that ends on the Sunday of ``as_of``.
"""

from __future__ import annotations

import uuid
from datetime import date

import asyncpg
import msgspec
import psycopg
import pytest
from eventsourcing.persistence import StoredEvent
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from infra.database import Database, create_database
from infra.settings import Settings
from organize.demo import FED_DOMESTIC, FED_SOUTH_ASIA, DemoPlan, load_demo
from organize.projections.domain_time import DomainClock
from organize.projections.indicators.reads import federation_overview
from organize.projections.reads import Scope
from organize.projections.views.campaign_board.reads import federation_board
from organize.projections.views.sector_flows import federation_flows
from organize.runtime import open_runtime
from tests.support import settle_views

pytestmark = pytest.mark.integration

DATES = (date(2025, 8, 31), date(2026, 2, 1))
FEDERATIONS = (FED_DOMESTIC, FED_SOUTH_ASIA)


@pytest.fixture(scope="module")
def full(runtime):
    load_demo(runtime.app, DemoPlan())
    settle_views(runtime, timeout=600)
    return runtime


def _stored_events(app) -> list[StoredEvent | tuple]:
    table = app.recorder.events_table_name
    with app.recorder.datastore.transaction(commit=False) as curs:
        curs.execute(f"SELECT originator_id, originator_version, topic, state, notification_id "
                     f"FROM {table} ORDER BY notification_id")
        return list(curs.fetchall())


def _copy_up_to(full_runtime, as_of: date, tmp_path_factory, settings):
    """A second database holding only the events dated on or before ``as_of``, with its
    own application and views. Returns (runtime, copied, skipped)."""
    app = full_runtime.app
    clock = DomainClock()
    keep, skipped = [], 0
    for row in _stored_events(app):
        event = app.mapper.to_domain_event(StoredEvent(
            originator_id=row["originator_id"], originator_version=row["originator_version"],
            topic=row["topic"], state=bytes(row["state"])))
        on = clock.date_of(event)
        if on is None or on <= as_of:
            keep.append(row)
        else:
            skipped += 1
    name = f"organize_asof_{uuid.uuid4().hex[:10]}"
    create_database(full_runtime.database.url, name)
    params = conninfo_to_dict(full_runtime.database.url)
    params["dbname"] = name
    database = Database(url=make_conninfo(**params), embedded=False)
    other = Settings(database_url=database.url, home=tmp_path_factory.mktemp("asof"),
                     cipher_key=settings.cipher_key, pool_size=2)
    runtime = open_runtime(other, database)
    table = runtime.app.recorder.events_table_name
    with psycopg.connect(database.url, autocommit=False) as conn:
        with conn.cursor() as curs:
            curs.executemany(
                f"INSERT INTO {table} (originator_id, originator_version, topic, state, notification_id) "
                "VALUES (%s, %s, %s, %s, %s)",
                [(r["originator_id"], r["originator_version"], r["topic"], bytes(r["state"]),
                  r["notification_id"]) for r in keep])
            curs.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'notification_id'), "
                         f"(SELECT max(notification_id) FROM {table}))")
        conn.commit()
    settle_views(runtime, timeout=600)
    return runtime, database, name, len(keep), skipped


async def _reads(dsn: str, rubric, federation: str, as_of: date | None) -> dict:
    conn = await asyncpg.connect(dsn)
    try:
        scope = Scope(federation=federation)
        overview = await federation_overview(conn, scope, federation, as_of, rubric=rubric)
        board = await federation_board(conn, scope, federation, as_of)
        flows = await federation_flows(conn, scope, federation, as_of, k=5)
        flows_default = await federation_flows(conn, scope, federation, as_of)
    finally:
        await conn.close()
    return msgspec.to_builtins({"overview": overview, "board": board, "flows": flows,
                                "flows_default_k": flows_default})


def _first_difference(a, b, path="") -> str:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            if a.get(key) != b.get(key):
                return _first_difference(a.get(key), b.get(key), f"{path}.{key}")
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return _first_difference(x, y, f"{path}[{i}]")
    return f"{path}: {a!r} != {b!r}"


@pytest.mark.parametrize("as_of", DATES, ids=str)
async def test_as_of_equals_a_view_built_from_the_events_up_to_that_date(
        full, as_of, tmp_path_factory, settings):
    assert as_of.weekday() == 6  # a Sunday: the overview's week ends on it
    truncated, database, name, copied, skipped = _copy_up_to(full, as_of, tmp_path_factory, settings)
    try:
        assert copied > 1000 and skipped > 1000, (copied, skipped)  # both sides hold real history
        for federation in FEDERATIONS:
            past = await _reads(full.database.asyncpg_dsn(), full.rubric, federation, as_of)
            rebuilt = await _reads(database.asyncpg_dsn(), truncated.rubric, federation, as_of)
            assert past["overview"]["updating"] is False and rebuilt["overview"]["updating"] is False
            # Not a vacuous comparison: there is something on each side, and it differs from now.
            assert past["board"]["campaigns"] and past["flows"]["cells"]
            assert any(level["level"] for c in past["overview"]["collectives"] for level in c["levels"])
            now = await _reads(full.database.asyncpg_dsn(), full.rubric, federation, None)
            assert now["board"]["campaigns"] != past["board"]["campaigns"]
            for part in ("overview", "board", "flows", "flows_default_k"):
                where = _first_difference(past[part], rebuilt[part])
                assert past[part] == rebuilt[part], f"{federation}: {part} as of {as_of}: {where}"
            # The rebuilt side knows nothing after D: read "now", it still tells D's story.
            latest = await _reads(database.asyncpg_dsn(), truncated.rubric, federation, None)
            assert latest["board"]["campaigns"] == past["board"]["campaigns"]
            assert {k: v for k, v in latest["flows"].items() if k != "as_of"} == {
                k: v for k, v in past["flows"].items() if k != "as_of"}
    finally:
        truncated.app.close()
        with psycopg.connect(full.database.url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
