"""Fixtures shared by the integration tests."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from organize import commands as c
from organize.accounts import Principal
from organize.application.access import Authorised
from tests.integration import support as h


@pytest.fixture
def cli_env(settings, tmp_path):
    return {"DATABASE_URL": settings.database_url, "ORGANIZE_CIPHER_KEY": settings.cipher_key,
            "ORGANIZE_HOME": str(tmp_path), "ORGANIZE_LOG_LEVEL": "WARNING",
            # The keyring the tests' application uses: its KEK wraps the data keys.
            "ORGANIZE_KEYRING": str(settings.keyring_dir)}


class TwoCollectives:
    """Two collectives of one test (``a`` and ``b``) and a tag for its names; their workers
    registered, moved between them, and the application as a leader of some of them sees it
    (``as_leader``)."""

    def __init__(self, app):
        self.app = app
        self.a, self.b = h.collective(app), h.collective(app)
        self.tag = h.cid().hex[:8]

    def member(self, collective_id: uuid.UUID, pseudonym: str, **profile) -> uuid.UUID:
        """A worker registered in ``collective_id``, her pseudonym tagged."""
        return self.app.execute(h.register_worker(
            collective_id, pseudonym=f"{pseudonym} {self.tag}", **profile)).id

    def join(self, worker_id: uuid.UUID, collective_id: uuid.UUID, on: date) -> None:
        self.app.execute(c.JoinCollective(command_id=h.cid(), worker_id=worker_id,
                                          collective_id=collective_id, on=on))

    def leave(self, worker_id: uuid.UUID, collective_id: uuid.UUID, on: date) -> None:
        self.app.execute(c.LeaveCollective(command_id=h.cid(), worker_id=worker_id,
                                           collective_id=collective_id, on=on))

    def as_leader(self, *collective_ids: uuid.UUID) -> Authorised:
        return Authorised(self.app, Principal(
            account_id=uuid.uuid4(), username="leader", role="leader",
            collective_ids=frozenset(collective_ids), federation=None, via="session"))


@pytest.fixture
def two_collectives(app) -> TwoCollectives:
    return TwoCollectives(app)
