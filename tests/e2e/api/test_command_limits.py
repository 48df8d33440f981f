"""The same over-long command, sent as JSON to the API and built in Python for the
application: refused with the same words naming the same field, nothing written either way."""

from __future__ import annotations

import uuid

import pytest

from organize import commands as c
from organize.errors import Invalid

pytestmark = pytest.mark.integration


def test_the_application_refuses_as_the_api_does(http, app):
    before = app.recorder.max_notification_id()
    body = {"command_id": str(uuid.uuid4()), "name": "x" * 121, "kind": "union_branch"}
    over_http = http.post("/api/v1/collectives/create", json=body).json()
    with pytest.raises(Invalid) as in_python:
        app.execute(c.CreateCollective(command_id=uuid.uuid4(), name="x" * 121,
                                       kind="union_branch"))
    assert (in_python.value.message, in_python.value.field) == (
        over_http["message"], over_http["field"])
    assert in_python.value.code == over_http["error"] == "invalid_input"
    assert app.recorder.max_notification_id() == before
