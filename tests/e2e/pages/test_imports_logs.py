"""An import through the page, checked then committed, with a row quarantined: no name,
phone, submitter or device id from the files in anything logged."""

from __future__ import annotations

import logging

import pytest

from tests.e2e.pages.support import post_import
from tests.integration.imports import support as s

pytestmark = pytest.mark.integration


async def test_nothing_personal_is_logged(client, world, capsys, caplog):
    caplog.set_level(logging.DEBUG)
    b = s.batch()
    for action in ("check", "import"):
        response = await post_import(client, world.leader, world.ours.collective, b, action)
        assert response.status_code == 200
    logged = capsys.readouterr()
    text = logged.out + logged.err + caplog.text
    assert "path=/c/" in text, "nothing was logged"
    secrets = [*b.names(), *b.phones(), *(x.device for x in b.subs),
               *(x.submitted_by for x in b.subs), *(x.story for x in b.subs)]
    for secret in secrets:
        assert secret not in text, secret
