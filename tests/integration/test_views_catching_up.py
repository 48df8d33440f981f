"""A server listens before its views have caught up with the log; meanwhile its pages say
that recent records may be missing (in the reader's language), and stop saying so once the
views have caught up."""

from __future__ import annotations

import dataclasses
import time
import uuid

import psycopg
import pytest
from litestar.testing import AsyncTestClient
from psycopg.conninfo import make_conninfo

from infra.database import Database, create_database
from organize.accounts import AccountService
from organize.projections.lag import LAG_EVENTS, LagWatch
from organize.runtime import open_runtime
from tests.integration import support as h
from web.app import create_app
from web.i18n import get_translations
from web.pages.common import CATCHING_UP

pytestmark = pytest.mark.integration


@pytest.fixture
def own_runtime(database, settings, tmp_path):
    name = f"organize_lag_{uuid.uuid4().hex[:8]}"
    create_database(database.url, name)
    url = make_conninfo(database.url, dbname=name)
    runtime = open_runtime(dataclasses.replace(settings, database_url=url, home=tmp_path,
                                               keyring=None), Database(url=url, embedded=False))
    yield runtime
    runtime.close()
    with psycopg.connect(database.url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def test_pages_say_the_views_are_catching_up_until_they_have(own_runtime):
    app = own_runtime.app
    collective = h.collective(app)
    accounts = AccountService(app)
    leader = accounts.create_account(f"leader-{uuid.uuid4().hex[:6]}", uuid.uuid4().hex,
                                     role="leader", collective_ids=(collective,))
    token = accounts.start_session(leader).token
    h.worker(app, collective, pseudonym="Early")
    h.catch_up(app)
    ttl = LagWatch().ttl  # each app checks at most this often
    path = f"/c/{collective}/workers"
    async with AsyncTestClient(app=create_app(own_runtime, accounts)) as client:
        client.cookies.set("organize_session", token)
        page = await client.get(path)
        assert page.status_code == 200 and "Early" in page.text
        assert CATCHING_UP not in page.text

        for i in range(LAG_EVENTS + 1):  # more than the ordinary distance, none applied
            h.worker(app, collective, pseudonym=f"Late{i}")
        time.sleep(ttl + 0.1)
        for lang in ("en", "ar", "ne", "bn"):
            page = await client.get(path, headers={"Accept-Language": lang})
            assert page.status_code == 200
            expected = get_translations(lang).gettext(CATCHING_UP)
            assert expected in page.text, lang
            assert lang == "en" or expected != CATCHING_UP
        assert "Early" in page.text  # what the views hold is still shown

        h.catch_up(app)
        time.sleep(ttl + 0.1)
        page = await client.get(path)
        assert CATCHING_UP not in page.text and "Late0" in page.text
