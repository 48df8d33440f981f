"""The command log against whoever seizes the server: its rows keep a digest of each command
(to tell a resubmitted form from a reused ``command_id``), and a command can carry her
most sensitive fields (a status change: "undocumented"). A digest of the plain command is
a dictionary away from its value: the command id, her id and the day sit in the same row
and the event, and a status has a handful of likely values. So the digest must need a key
that her erasure destroys: after it, no key left on the server (the master key, the
keyring's KEK) turns any guess into the stored digest."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import date

import msgspec
import psycopg
import pytest

from organize import commands as c
from tests.integration import support as h

pytestmark = pytest.mark.integration

GUESSES = ("documented", "undocumented", "expired", "overstayed", "detained", "valid",
           "pending", "irregular")


def _stored_digest(database, command_id: uuid.UUID) -> bytes:
    with psycopg.connect(database.url) as conn:  # a raw read, as from a seized copy
        row = conn.execute("SELECT payload_digest FROM organize_commands WHERE command_id = %s",
                           (command_id,)).fetchone()
    return bytes(row[0])


def _keys_left(app, master_key: str) -> list[bytes]:
    """Every key an attacker holding the server finds after the erasure."""
    import base64

    generation = max(app.keys._keks) if app.keys._keks else None
    found = [base64.b64decode(master_key)]
    if generation is not None:
        found.append(app.keys.kek(generation))
    return found


def _guesses_matching(digest: bytes, commands: list[c.Command], keys: list[bytes]) -> list[str]:
    hits = []
    for command in commands:
        payload = msgspec.json.encode(command)
        candidates = [hashlib.sha256(payload).digest()]
        for key in keys:
            for k in (key, hashlib.sha256(b"organize command digest\x00" + key).digest()):
                candidates.append(hmac.new(k, payload, hashlib.sha256).digest())
        if any(cand in digest for cand in candidates):
            hits.append(command.change.status)
    return hits


def test_an_erased_workers_status_cannot_be_guessed_from_the_command_log(app, database,
                                                                         master_key):
    collective = app.execute(h.create_collective(name="Log seizure")).id
    worker = app.execute(h.register_worker(collective, pseudonym="Status")).id
    sent = c.ChangeStatus(command_id=uuid.uuid4(), worker_id=worker, on=date(2025, 3, 1),
                          change=c.StatusChange(status_kind="immigration", status="undocumented"))
    app.execute(sent)
    assert app.execute(sent).replayed  # the digest still tells a resubmission...
    other = msgspec.structs.replace(sent, change=c.StatusChange(status_kind="immigration",
                                                                status="documented"))
    with pytest.raises(Exception, match="already used"):  # ...from a reused command id
        app.execute(other)
    app.execute(c.EraseWorker(command_id=uuid.uuid4(), worker_id=worker))

    digest = _stored_digest(database, sent.command_id)
    guesses = [msgspec.structs.replace(sent, change=c.StatusChange(status_kind=kind, status=s))
               for kind in ("immigration", "document") for s in GUESSES]
    assert _guesses_matching(digest, guesses, _keys_left(app, master_key)) == []
    assert app.execute(sent).replayed  # after the erasure, a resubmission is still one
