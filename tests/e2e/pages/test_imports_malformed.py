"""Malformed uploads on the import page: each is refused with a plain message (422), never a
server error, and nothing is written."""

from __future__ import annotations

import pytest

from tests.integration.imports.support import workbook

pytestmark = pytest.mark.integration

PLAIN_MAPPING = b'[worker]\npseudonym = "name"\n'
BOMB = "\n".join(['l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
                  *(f"l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 9)),
                  "form_id: *l8", "worker: {pseudonym: name}"]).encode()

CASES = {
    "json nested too deep": ("d.json", b"[" * 100_000 + b"]" * 100_000, "m.toml", PLAIN_MAPPING),
    "json number too long": ("d.json", b'[{"name": ' + b"9" * 5000 + b"}]", "m.toml",
                             PLAIN_MAPPING),
    "csv cell over 128 KB": ("d.csv", b"name,b\n" + b"x" * 200_000 + b",1\n", "m.toml",
                             PLAIN_MAPPING),
    "yaml alias bomb": ("d.csv", b"name\nRina\n", "m.yaml", BOMB),
    # 17 billion cells from a kilobyte: read whole, it would take the server down
    "xlsx one cell at XFD1048576": ("d.xlsx", workbook("XFD1048576", 1_048_576), "m.toml",
                                    PLAIN_MAPPING),
}


@pytest.mark.parametrize("case", list(CASES))
async def test_a_malformed_upload_is_refused_plainly(client, world, app, case):
    data_name, data, mapping_name, mapping = CASES[case]
    before = app.recorder.max_notification_id()
    response = await client.post(
        f"/c/{world.ours.collective}/import", headers=world.leader.headers(),
        data={"csrf_token": world.leader.csrf, "action": "import"},
        files=[("data", (data_name, data, "application/octet-stream")),
               ("mapping", (mapping_name, mapping, "application/octet-stream"))])
    assert response.status_code == 422, (case, response.status_code)
    assert "could not be read" in response.text or "too big" in response.text
    assert app.recorder.max_notification_id() == before
