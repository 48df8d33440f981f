"""Logs are JSON lines, and personal data never reaches them: run commands that carry
personal fields through the app and the HTTP API, capture every log line, and look for the
values."""

from __future__ import annotations

import io
import json
import uuid
from datetime import date

import pytest

from infra.logging import configure_logging
from organize import commands as c
from tests.integration import support as h

pytestmark = pytest.mark.integration


def test_no_personal_data_in_logs(app, base_url, api_headers):
    import httpx

    stream = io.StringIO()
    configure_logging("DEBUG", stream=stream)
    tag = uuid.uuid4().hex[:8]
    secrets = {"pseudonym": f"Kamala{tag}", "legal_name": f"Kamala Legal {tag}",
               "phone": "+977 9800 " + str(int(tag, 16) % 10000).zfill(4),
               "document_number": f"DOC{tag}", "note": f"Sleeps in the kitchen {tag}"}
    description = f"Beaten by the employer's son {tag}"
    try:
        collective = app.execute(h.create_collective())
        worker = app.execute(h.register_worker(collective.id, **secrets))
        app.execute(h.raise_grievance(collective.id, [worker.id], description=description))
        with httpx.Client(base_url=base_url, headers=api_headers) as http:
            r = http.post("/api/v1/workers/register", json={
                "command_id": str(uuid.uuid4()), "profile": secrets | {"pseudonym": secrets["pseudonym"]}})
            assert r.status_code == 201
            bad = http.post("/api/v1/workers/register", json={
                "command_id": str(uuid.uuid4()), "profile": secrets | {"phone": f"call {tag} now"}})
            assert bad.status_code == 400 and tag not in bad.text  # errors never echo input
            http.get(f"/api/v1/workers/{r.json()['id']}")
        app.execute(c.ChangeStatus(command_id=h.cid(), worker_id=worker.id, on=date(2025, 1, 1),
                                   change=c.StatusChange(status_kind="immigration",
                                                         status=f"overstayed {tag}")))
    finally:
        configure_logging("INFO")
    lines = [line for line in stream.getvalue().splitlines() if line.strip()]
    assert any('"command"' in line for line in lines), "nothing was logged, so nothing is proven"
    assert any('"request"' in line for line in lines)
    for line in lines:
        json.loads(line)  # every line is JSON
        for value in [*secrets.values(), description, tag]:
            assert value not in line, f"{value!r} leaked into a log line"
