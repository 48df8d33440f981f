"""The possible-duplicates page over real HTTP: a leader sees two records of one woman with
the reason in her language (never the phone compared), merges them after a confirmation (a
double submit merges once), the absorbed record leaves the workers list, and an undo from
the survivor's page brings it back. Two records named together on a grievance are suggested
with that reason, from the collective's own grievances only: another collective's grievance
naming both (which her leader may not read) is never a reason on her page. Another
collective's leader gets 404 and an organiser 403, with nothing written."""

from __future__ import annotations

import re
import uuid
from datetime import date

import pytest

from organize import commands as c
from organize.projections.reads import Scope
from organize.projections.views.worker_directory import list_workers
from tests.e2e.pages.support import post
from tests.integration.support import conn_fixture  # noqa: F401 - the ``conn`` fixture
from tests.support import settle_views

pytestmark = pytest.mark.integration

COMMAND_ID = re.compile(r'name="command_id" value="([0-9a-f-]{36})"')
PHONE = "+977 9841 556 071"


def _pair(app, runtime, collective) -> tuple[uuid.UUID, uuid.UUID, str, str]:
    """Two records of one woman (the same phone, a pseudonym typed twice), unique to the test."""
    tag = uuid.uuid4().hex[:6]
    names = (f"Zebunnessa {tag}", f"Zebunesa {tag}")
    ids = tuple(app.execute(c.RegisterWorker(
        command_id=uuid.uuid4(), collective_id=collective, joined_on=date(2025, 2, 1),
        profile=c.Profile(pseudonym=name, phone=PHONE))).id for name in names)
    settle_views(runtime)
    return ids[0], ids[1], names[0], names[1]


SHARED = "Named together on the same grievance"


def _named_together(app, runtime, collective, *, joins=None) -> tuple[list[uuid.UUID], list[str]]:
    """Two records with loosely alike pseudonyms (not similar enough to be suggested on
    their own) and one grievance of ``collective`` naming both (members of ``joins`` too,
    when given)."""
    tag = uuid.uuid4().hex[:6]
    names = [f"Parbati {tag}", f"Parbati Sherpa {tag}"]
    ids = [app.execute(c.RegisterWorker(
        command_id=uuid.uuid4(), collective_id=collective, joined_on=date(2025, 2, 1),
        profile=c.Profile(pseudonym=name))).id for name in names]
    for worker_id in ids if joins else ():
        app.execute(c.JoinCollective(command_id=uuid.uuid4(), worker_id=worker_id,
                                     collective_id=joins, on=date(2025, 2, 2)))
    app.execute(c.RaiseGrievance(
        command_id=uuid.uuid4(), collective_id=collective, worker_ids=tuple(ids),
        category="excessive_hours", sector="domestic_care", place="HK", stage="destination",
        occurred_on=date(2025, 3, 1), description="No rest day for either of them."))
    settle_views(runtime)
    return ids, names


def _suggested(page: str, names: list[str]) -> str | None:
    """The reasons given for the pair of ``names`` on a duplicates page, or None."""
    for item in page.split("<li")[1:]:
        if all(f"<strong>{n}</strong>" in item for n in names):
            return item.split('<p class="meta">', 1)[1].split("</p>", 1)[0]
    return None


async def test_a_shared_grievance_is_a_reason(client, world, app, runtime):
    ours = world.ours.collective
    (first, second), names = _named_together(app, runtime, ours)
    page = await client.get(f"/c/{ours}/duplicates", headers=world.leader.headers())
    assert page.status_code == 200
    assert _suggested(page.text, names) == SHARED
    assert f"/c/{ours}/duplicates/{first}/{second}" in page.text


async def test_another_collectives_grievance_is_never_a_reason(client, world, app, runtime):
    ours, theirs = world.ours.collective, world.theirs.collective
    # Members of both, named together on a grievance theirs recorded.
    _, both = _named_together(app, runtime, theirs, joins=ours)
    # Named together on theirs' grievance, members of theirs only.
    _, only_theirs = _named_together(app, runtime, theirs)
    page = await client.get(f"/c/{ours}/duplicates", headers=world.leader.headers())
    assert page.status_code == 200
    assert _suggested(page.text, both) is None
    assert all(name not in page.text for name in only_theirs)
    # Theirs' leader, who reads that grievance, is shown both pairs.
    page = await client.get(f"/c/{theirs}/duplicates", headers=world.other.headers())
    assert _suggested(page.text, both) == SHARED and _suggested(page.text, only_theirs) == SHARED


async def _post(client, who, path, command_id=None):
    return await post(client, path, None, {"command_id": command_id} if command_id else {},
                      who=who)


async def _listed(client, who, collective) -> str:
    r = await client.get(f"/c/{collective}/workers", headers=who.headers())
    assert r.status_code == 200
    return r.text


async def test_merge_then_undo(client, world, app, runtime, conn):
    ours = world.ours.collective
    keep, other, keep_name, other_name = _pair(app, runtime, ours)
    workers = await _listed(client, world.leader, ours)
    assert f'href="/c/{ours}/duplicates"' in workers
    page = await client.get(f"/c/{ours}/duplicates", headers=world.leader.headers())
    assert page.status_code == 200 and len(page.content) <= 60 * 1024
    assert keep_name in page.text and other_name in page.text
    assert f"/c/{ours}/duplicates/{keep}/{other}" in page.text
    assert "Same phone number" in page.text
    assert "9841" not in page.text  # the phone compared is never shown

    confirm = await client.get(f"/c/{ours}/duplicates/{keep}/{other}",
                               headers=world.leader.headers())
    assert confirm.status_code == 200
    assert f"{keep_name} stays. {other_name} is listed under her from now on." in confirm.text
    assert "Both histories stay" in confirm.text and "undo this" in confirm.text
    command_id = COMMAND_ID.search(confirm.text).group(1)

    before = app.recorder.max_notification_id()
    first = await _post(client, world.leader, f"/c/{ours}/duplicates/{keep}/{other}", command_id)
    assert first.status_code == 303
    assert first.headers["location"].startswith(f"/c/{ours}/workers/{keep}?")
    after = app.recorder.max_notification_id()
    assert after == before + 2  # Absorbed and MergedInto
    again = await _post(client, world.leader, f"/c/{ours}/duplicates/{keep}/{other}", command_id)
    assert again.status_code == 303 and app.recorder.max_notification_id() == after
    assert app.repository.get(other).merged_into == keep
    assert app.repository.get(keep).absorbed == (other,)

    settle_views(runtime)
    workers = await _listed(client, world.leader, ours)
    assert keep_name in workers and other_name not in workers
    # the directory view on PostgreSQL
    rows = {r.id: r for r in await list_workers(conn, Scope(collective_ids=None), ours)}
    assert rows[other].merged_into == keep and rows[keep].merged_into is None
    page = await client.get(f"/c/{ours}/duplicates", headers=world.leader.headers())
    assert other_name not in page.text

    survivor = await client.get(f"/c/{ours}/workers/{keep}", headers=world.leader.headers())
    assert "Merged records" in survivor.text and other_name in survivor.text
    undo_path = f"/c/{ours}/duplicates/{keep}/{other}/undo"
    form = survivor.text[survivor.text.index(f'action="{undo_path}"'):]
    undo_id = COMMAND_ID.search(form).group(1)
    absorbed_page = await client.get(f"/c/{ours}/workers/{other}", headers=world.leader.headers())
    assert "This record was merged into another record" in absorbed_page.text

    undone = await _post(client, world.leader, undo_path, undo_id)
    assert undone.status_code == 303
    assert app.recorder.max_notification_id() == after + 2
    assert app.repository.get(other).merged_into is None and app.repository.get(keep).absorbed == ()
    settle_views(runtime)
    workers = await _listed(client, world.leader, ours)
    assert keep_name in workers and other_name in workers
    rows = {r.id: r for r in await list_workers(conn, Scope(collective_ids=None), ours)}
    assert rows[other].merged_into is None
    # Undone twice: refused, nothing written, said on her page.
    twice = await _post(client, world.leader, undo_path, str(uuid.uuid4()))
    assert twice.status_code == 422 and "These two records were not merged." in twice.text
    assert app.recorder.max_notification_id() == after + 2


async def test_others_are_refused_and_nothing_is_written(client, world, federation, app, runtime):
    ours, theirs = world.ours.collective, world.theirs.collective
    keep, other, keep_name, other_name = _pair(app, runtime, ours)
    before = app.recorder.max_notification_id()
    paths = [f"/c/{ours}/duplicates/{keep}/{other}", f"/c/{theirs}/duplicates/{keep}/{other}",
             f"/c/{ours}/duplicates/{keep}/{world.theirs.workers[0]}"]
    for path in paths:  # theirs' leader: ours' page, or her own with ours' workers
        who = world.other
        for r in (await client.get(path, headers=who.headers()),
                  await _post(client, who, path, str(uuid.uuid4())),
                  await _post(client, who, path + "/undo", str(uuid.uuid4()))):
            assert r.status_code == 404, (path, r.status_code)
            assert keep_name not in r.text and other_name not in r.text
    # Ours' leader cannot pull a worker of theirs into a merge either.
    mixed = f"/c/{ours}/duplicates/{keep}/{world.theirs.workers[0]}"
    assert (await _post(client, world.leader, mixed, str(uuid.uuid4()))).status_code == 404
    page = await client.get(f"/c/{ours}/duplicates", headers=world.other.headers())
    assert page.status_code == 404 and keep_name not in page.text
    for r in (await client.get(f"/c/{ours}/duplicates", headers=federation.organiser.headers()),
              await client.get(paths[0], headers=federation.organiser.headers()),
              await _post(client, federation.organiser, paths[0], str(uuid.uuid4()))):
        assert r.status_code == 403 and keep_name not in r.text and other_name not in r.text
    # A form without its command id (a broken or forged one) changes nothing either.
    broken = await _post(client, world.leader, paths[0])
    assert broken.status_code == 422 and keep_name in broken.text
    assert app.recorder.max_notification_id() == before
    admin = await client.get(f"/c/{ours}/duplicates", headers=federation.admin.headers())
    assert admin.status_code == 200 and keep_name in admin.text


@pytest.mark.parametrize("lang", ["ne", "bn", "ar"])
async def test_in_her_language(client, world, app, runtime, lang):
    ours = world.ours.collective
    _pair(app, runtime, ours)
    _named_together(app, runtime, ours)
    page = await client.get(f"/c/{ours}/duplicates", headers=world.leader.headers(lang))
    assert page.status_code == 200
    for english in ("Possible duplicates", "Same phone number", "Similar pseudonym", "Keep ",
                    SHARED):
        assert english not in page.text, english
    assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">' in page.text
    same_phone = {"ne": "एउटै फोन नम्बर", "bn": "একই ফোন নম্বর", "ar": "رقم الهاتف نفسه"}[lang]
    assert same_phone in page.text
