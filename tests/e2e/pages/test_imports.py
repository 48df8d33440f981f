"""The import page over real HTTP: a leader checks a Kobo / ODK Central upload (nothing
written), imports it, and sees the same counts; another collective's leader and an
organiser are refused before anything is read; bad files get a plain message; no name or
phone from the files is ever in a response."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from organize import commands as c
from organize.imports.plan import ledger_for
from tests.e2e.pages.support import import_files, post_import
from tests.integration.imports import support as s
from tests.support import settle_views

pytestmark = pytest.mark.integration


async def test_check_then_import(client, world, app, runtime):
    ours = world.ours.collective
    page = await client.get(f"/c/{ours}/import", headers=world.leader.headers())
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text
    assert len(page.content) <= 60 * 1024
    b = s.batch()
    # Already recorded by hand, with the phone the form gives the second woman.
    app.execute(c.RegisterWorker(command_id=uuid.uuid4(), collective_id=ours,
                                 joined_on=date(2025, 1, 5),
                                 profile=c.Profile(pseudonym="R.", phone=b.subs[1].phone)))
    settle_views(runtime)
    before = app.recorder.max_notification_id()
    checked = await post_import(client, world.leader, ours, b, "check")
    assert checked.status_code == 200, checked.text
    assert app.recorder.max_notification_id() == before  # a check writes nothing
    assert "Check: nothing written" in checked.text
    assert "<dt>New</dt><dd>3</dd>" in checked.text
    assert "<dt>Set aside</dt><dd>1</dd>" in checked.text
    assert "an unknown choice in &#39;sector&#39;" in checked.text
    assert "<dt>Maybe already recorded</dt><dd>1</dd>" in checked.text
    assert "same phone as a worker already recorded" in checked.text
    done = await post_import(client, world.leader, ours, b, "import")
    assert done.status_code == 200 and "<dt>New</dt><dd>3</dd>" in done.text
    assert ledger_for(app, ours, "worker_intake", b.subs[0].root_id) is not None
    again = await post_import(client, world.leader, ours, b, "import")
    assert "<dt>Unchanged</dt><dd>3</dd>" in again.text
    for response in (checked, done, again):
        for secret in [*b.names(), *b.phones()]:
            assert secret not in response.text


async def test_in_her_language(client, world):
    page = await client.get(f"/c/{world.ours.collective}/import",
                            headers=world.leader.headers("ar"))
    assert page.status_code == 200 and 'dir="rtl"' in page.text
    assert "Submissions (.csv, .xlsx or .json)" not in page.text
    checked = await client.post(
        f"/c/{world.ours.collective}/import", headers=world.leader.headers("ne"),
        data={"csrf_token": world.leader.csrf, "action": "check"}, files=import_files(s.batch()))
    # The row set aside, in Nepali, naming the question as the file has it (the cell's value
    # is not one of the form's choices, so it is never echoed).
    assert "&#39;sector&#39; मा अज्ञात छनोट" in checked.text
    assert "fishing_boat" not in checked.text
    assert "unknown choice" not in checked.text


async def test_another_collectives_leader_and_an_organiser_are_refused(client, world, federation,
                                                                       app):
    ours = world.ours.collective
    b = s.batch()
    before = app.recorder.max_notification_id()
    other = await post_import(client, world.other, ours, b, "import")
    assert other.status_code == 404
    organiser = await post_import(client, federation.organiser, ours, b, "check")
    assert organiser.status_code == 403
    assert (await client.get(f"/c/{ours}/import", headers=federation.organiser.headers())
            ).status_code == 403
    assert app.recorder.max_notification_id() == before
    for response in (other, organiser):
        assert "nothing written" not in response.text and "<dd>" not in response.text


async def test_a_missing_mapping_and_a_bad_form_say_so(client, world):
    ours = world.ours.collective
    missing = await post_import(client, world.leader, ours, s.batch(), "check", with_mapping=False)
    assert missing.status_code == 422
    assert "Choose the submissions file and its mapping file." in missing.text
    bad = await client.post(
        f"/c/{ours}/import", headers=world.leader.headers(),
        data={"csrf_token": world.leader.csrf, "action": "check"},
        files=[("data", ("d.csv", b"a,b\n1,2\n", "text/csv")),
               ("form", ("f.xlsx", b"not a workbook", "application/octet-stream")),
               ("mapping", ("m.toml", s.MAPPING.read_bytes(), "application/toml"))])
    assert bad.status_code == 422 and "The form could not be read." in bad.text


async def test_a_file_too_big_for_the_page_is_refused(client, world):
    big = [("data", ("d.csv", b"x" * (1024 * 1024 + 1), "text/csv"))]
    response = await client.post(f"/c/{world.ours.collective}/import",
                                 headers=world.leader.headers(),
                                 data={"csrf_token": world.leader.csrf}, files=big)
    assert response.status_code == 413
