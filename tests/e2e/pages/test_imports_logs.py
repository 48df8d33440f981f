"""An import through the page, checked then committed, with a row quarantined: no name,
phone, submitter or device id from the files in anything logged."""

from __future__ import annotations

import io

import pytest

from infra.logging import configure_logging
from tests.e2e.pages.support import post_import
from tests.integration.imports import support as s

pytestmark = pytest.mark.integration


async def test_nothing_personal_is_logged(client, world):
    # The process's own logging, at its most talkative, into a buffer of this test's (the
    # stream another test configured, or pytest's capture of it, would miss the lines).
    buffer = io.StringIO()
    configure_logging("DEBUG", stream=buffer)
    try:
        b = s.batch()
        for action in ("check", "import"):
            response = await post_import(client, world.leader, world.ours.collective, b, action)
            assert response.status_code == 200
    finally:
        configure_logging()
    text = buffer.getvalue()
    assert f"/c/{world.ours.collective}/import" in text, "nothing was logged"
    secrets = [*b.names(), *b.phones(), *(x.device for x in b.subs),
               *(x.submitted_by for x in b.subs), *(x.story for x in b.subs)]
    for secret in secrets:
        assert secret not in text, secret
