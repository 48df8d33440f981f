"""Bad input at the boundary: a 400 with a plain message, never a 500, and never an echo of
what was sent (a field name or value could be a name or a phone number)."""

from __future__ import annotations

import uuid

import pytest

from tests.e2e.auth.conftest import call, header_problems, max_id
from web.api.limits import MAX_DEPTH, json_depth

pytestmark = pytest.mark.integration


def test_depth_ignores_brackets_in_strings():
    assert json_depth(b'{"a": "[[[[{{{{", "b": [1, [2]]}') == 3
    assert json_depth(b'"\\"[[["') == 0
    assert json_depth(b"[" * 40 + b"]" * 40) == 40


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 1000, 100_000])
async def test_deeply_nested_json_is_a_400(client, app, people, world, depth):
    before = max_id(app)
    nested = "[" * depth + "]" * depth
    body = (f'{{"command_id": "{uuid.uuid4()}", "collective_id": "{world.a.collective}", '
            f'"name": "x", "extra": {nested}}}')
    r = await call(client, "POST", "/api/v1/collectives/rename", people["leader_a"],
                   content=body.encode(), headers={"Content-Type": "application/json"})
    assert r.status_code == 400, r.text[:200]
    assert r.json()["message"].startswith("The JSON body is nested too deeply")
    assert not header_problems(r) and max_id(app) == before


async def test_unknown_fields_are_refused_without_echoing_their_names(client, app, people, world):
    before = max_id(app)
    secret = "zz_Asha_Gurung_98765"
    r = await call(client, "POST", "/api/v1/collectives/rename", people["leader_a"], json={
        "command_id": str(uuid.uuid4()), "collective_id": str(world.a.collective), "name": "x",
        secret: "+852 9876 5432"})
    assert r.status_code == 400 and r.json()["error"] == "invalid_input"
    assert secret not in r.text and "9876" not in r.text and r.json()["field"] is None
    assert max_id(app) == before
