"""Merge routes probed by a leader with ids at the edge of her scope: a worker who left her
collective for another, the same record twice, an erased record. Nothing is written and no
response names what she may not know; the confirmation already gives the refusal the merge
would, with its status, in her language."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from markupsafe import escape

from organize import commands as c
from tests.e2e.pages.support import post
from tests.support import settle_views
from web.i18n.messages import error_message

pytestmark = pytest.mark.integration


def _register(app, collective, name):
    return app.execute(c.RegisterWorker(
        command_id=uuid.uuid4(), collective_id=collective, joined_on=date(2025, 2, 1),
        profile=c.Profile(pseudonym=name, phone="+977 9841 000 777"))).id


async def test_edges_write_nothing(client, world, app, runtime):
    ours, theirs = world.ours.collective, world.theirs.collective
    tag = uuid.uuid4().hex[:6]
    keep = _register(app, ours, f"Kamala {tag}")
    gone = _register(app, ours, f"Kamla {tag}")
    app.execute(c.JoinCollective(command_id=uuid.uuid4(), worker_id=gone, collective_id=theirs,
                                 on=date(2025, 3, 1)))
    app.execute(c.LeaveCollective(command_id=uuid.uuid4(), worker_id=gone, collective_id=ours,
                                  on=date(2025, 3, 2)))
    erased = _register(app, ours, f"Kamali {tag}")
    app.execute(c.EraseWorker(command_id=uuid.uuid4(), worker_id=erased))
    settle_views(runtime)
    before = app.recorder.max_notification_id()
    results = {}
    for label, pair in {"left": (keep, gone), "left-as-survivor": (gone, keep),
                        "self": (keep, keep), "erased": (keep, erased),
                        "unknown": (keep, uuid.uuid4())}.items():
        path = f"/c/{ours}/duplicates/{pair[0]}/{pair[1]}"
        got = await client.get(path, headers=world.leader.headers())
        merged = await post(client, path, None, {"command_id": str(uuid.uuid4())},
                            who=world.leader)
        undone = await post(client, path + "/undo", None, {"command_id": str(uuid.uuid4())},
                            who=world.leader)
        results[label] = (got.status_code, merged.status_code, undone.status_code)
        for r in (got, merged, undone):
            assert r.status_code < 500, (label, r.status_code)
            assert str(theirs) not in r.text
    # Her own (or former) members: refused from the confirmation on; an id she never knew: 404.
    assert results == {"left": (422, 422, 422), "left-as-survivor": (422, 422, 422),
                       "self": (422, 422, 422), "erased": (422, 422, 422),
                       "unknown": (404, 404, 404)}
    assert app.recorder.max_notification_id() == before
    assert app.repository.get(keep).absorbed == ()


async def test_a_collective_she_left_learns_nothing_of_a_later_merge(client, world, app, runtime):
    """She left theirs for ours; ours merged her with a record theirs never held. Theirs still
    reads her pseudonym on what it recorded, but not the survivor's id or pseudonym, nor that
    a merge happened after she left."""
    ours, theirs = world.ours.collective, world.theirs.collective
    tag = uuid.uuid4().hex[:6]
    moved = _register(app, theirs, f"Bimala {tag}")
    app.execute(c.JoinCollective(command_id=uuid.uuid4(), worker_id=moved, collective_id=ours,
                                 on=date(2025, 3, 1)))
    app.execute(c.LeaveCollective(command_id=uuid.uuid4(), worker_id=moved, collective_id=theirs,
                                  on=date(2025, 3, 2)))
    survivor = _register(app, ours, f"Bimla Thapa {tag}")
    app.execute(c.MergeWorkers(command_id=uuid.uuid4(), survivor_id=survivor, absorbed_id=moved))
    settle_views(runtime)
    page = await client.get(f"/c/{theirs}/workers/{moved}", headers=world.other.headers())
    assert page.status_code == 200 and f"Bimala {tag}" in page.text
    assert str(survivor) not in page.text and f"Bimla Thapa {tag}" not in page.text
    assert "merged" not in page.text.lower()


async def test_the_confirmation_refuses_as_the_merge_does_in_her_language(client, world, app,
                                                                        runtime):
    ours = world.ours.collective
    tag = uuid.uuid4().hex[:6]
    keep = _register(app, ours, f"Sarita {tag}")
    other = _register(app, ours, f"Sarrita {tag}")
    erased = _register(app, ours, f"Sabita {tag}")
    app.execute(c.EraseWorker(command_id=uuid.uuid4(), worker_id=erased))
    settle_views(runtime)
    before = app.recorder.max_notification_id()
    for pair, code in (((keep, keep), "same"), ((keep, erased), "erased"),
                       ((erased, keep), "erased")):
        path = f"/c/{ours}/duplicates/{pair[0]}/{pair[1]}"
        said = str(escape(error_message(code, "ne")))
        assert said != str(escape(error_message(code, "en")))  # a sentence of her own language
        got = await client.get(path, headers=world.leader.headers("ne"))
        merged = await post(client, path, None, {"command_id": str(uuid.uuid4())},
                            who=world.leader, lang="ne")
        for r in (got, merged):
            assert r.status_code == 422 and said in r.text, (code, r.status_code)
    assert app.recorder.max_notification_id() == before
    fine = await client.get(f"/c/{ours}/duplicates/{keep}/{other}",
                            headers=world.leader.headers("ne"))
    assert fine.status_code == 200  # two records of hers that can be merged: the question
