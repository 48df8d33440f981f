"""The seal over the event log, on a real PostgreSQL: every kind of tampering with the stored
events or the seal's own rows is caught by ``organize verify``, which names the first bad
block; an erasure leaves the seal valid; an inclusion proof checks out with a verifier written
here from ``hashlib`` and ``cryptography`` alone.

Each test gets its own database: tampering with stored events must not leak into other tests.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import struct
import uuid

import psycopg
import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from infra.database import Database, create_database
from infra.keyfile import new_key
from infra.settings import Settings
from organize import commands as c
from organize.cli import main
from organize.runtime import open_runtime
from organize.seal.checkpoint import Signer, parse_note
from organize.seal.service import open_seal
from tests.conftest import _admin_url
from tests.integration import support as h

pytestmark = pytest.mark.integration

BLOCK = 4
SEAL_ENV = {"ORGANIZE_SEAL_BLOCK": str(BLOCK), "ORGANIZE_SEAL_CHECKPOINT_EVERY": "2"}


@pytest.fixture
def fresh(tmp_path):
    admin = _admin_url()
    if admin is None:
        pytest.skip("needs a PostgreSQL server to create a throwaway database")
    name = f"organize_seal_{uuid.uuid4().hex[:10]}"
    create_database(admin, name)
    params = conninfo_to_dict(admin)
    params["dbname"] = name
    db = Database(url=make_conninfo(**params), embedded=False)
    settings = Settings(database_url=db.url, home=tmp_path / "home", cipher_key=new_key(), pool_size=2)
    runtime = open_runtime(settings, db)
    yield runtime
    runtime.app.close()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def cli_env(runtime) -> dict[str, str]:
    return {
        "DATABASE_URL": runtime.settings.database_url,
        "ORGANIZE_CIPHER_KEY": runtime.settings.cipher_key,
        "ORGANIZE_HOME": str(runtime.settings.home),
        "ORGANIZE_LOG_LEVEL": "WARNING",
        "ORGANIZE_KEYRING": str(runtime.settings.keyring_dir),
        **SEAL_ENV,
    }


def fill(app, workers: int = 9) -> tuple[uuid.UUID, list[uuid.UUID]]:
    collective = app.execute(h.create_collective())
    ids = [app.execute(h.register_worker(collective.id, pseudonym=f"W{i}")).id for i in range(workers)]
    return collective.id, ids


def sealed(runtime):
    """Seal the log so far: full blocks, then the tail and a checkpoint."""
    seal = open_seal(runtime, {**cli_env(runtime)})
    seal.catch_up()
    seal.checkpoint()
    return seal


def verify(runtime, *args: str):
    return CliRunner().invoke(main, ["verify", *args], env=cli_env(runtime))


def execute_sql(runtime, sql: str, params=()) -> None:
    with psycopg.connect(runtime.settings.database_url, autocommit=True) as conn:
        conn.execute(sql, params)


def blocks(seal) -> list[dict]:
    return seal.sealer.blocks()


def block_of(seal, notification_id: int) -> dict:
    return next(b for b in blocks(seal) if b["first_id"] <= notification_id <= b["last_id"])


def events_table(runtime) -> str:
    return runtime.app.recorder.events_table_name


def assert_first_bad(result, block: dict) -> None:
    assert result.exit_code != 0, result.output
    named = re.findall(r"block (\d+) \(notification ids (\d+)-(\d+)\) diverges", result.output)
    assert named, result.output
    assert named[0] == (str(block["block_no"]), str(block["first_id"]), str(block["last_id"]))


def test_an_untouched_log_verifies(fresh):
    fill(fresh.app)
    seal = sealed(fresh)
    assert len(blocks(seal)) >= 3
    result = verify(fresh)
    assert result.exit_code == 0, result.output
    assert "The seal holds." in result.output


@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_one_flipped_byte_of_any_stored_event_names_its_block(fresh, where):
    fill(fresh.app)
    seal = sealed(fresh)
    ids = [n for b in blocks(seal) for n in range(b["first_id"], b["last_id"] + 1)]
    target = {"first": ids[0], "middle": ids[len(ids) // 2], "last": ids[-1]}[where]
    # Flip the low bit of one byte in the middle of the stored ciphertext.
    execute_sql(
        fresh,
        f"UPDATE {events_table(fresh)} SET state = set_byte(state,"
        " length(state) / 2, get_byte(state, length(state) / 2) # 1)"
        " WHERE notification_id = %s",
        (target,),
    )
    assert_first_bad(verify(fresh), block_of(seal, target))


def test_a_changed_topic_or_version_is_caught_too(fresh):
    fill(fresh.app)
    seal = sealed(fresh)
    target = blocks(seal)[1]["first_id"]
    execute_sql(
        fresh,
        f"UPDATE {events_table(fresh)} SET originator_version ="
        " originator_version + 100 WHERE notification_id = %s",
        (target,),
    )
    assert_first_bad(verify(fresh), blocks(seal)[1])


def test_a_deleted_event_names_its_block(fresh):
    fill(fresh.app)
    seal = sealed(fresh)
    victim = blocks(seal)[1]["first_id"] + 1
    execute_sql(fresh, f"DELETE FROM {events_table(fresh)} WHERE notification_id = %s", (victim,))
    assert_first_bad(verify(fresh), blocks(seal)[1])


def test_two_reordered_events_name_their_block(fresh):
    fill(fresh.app)
    seal = sealed(fresh)
    block = blocks(seal)[2]
    a, b = block["first_id"], block["first_id"] + 1
    # Swap the two events' positions in the notification log.
    execute_sql(
        fresh,
        f"UPDATE {events_table(fresh)} SET notification_id = CASE"
        " notification_id WHEN %s THEN %s ELSE %s END"
        " WHERE notification_id IN (%s, %s)",
        (a, -1, -2, a, b),
    )
    execute_sql(
        fresh,
        f"UPDATE {events_table(fresh)} SET notification_id = CASE"
        " notification_id WHEN -1 THEN %s ELSE %s END"
        " WHERE notification_id IN (-1, -2)",
        (b, a),
    )
    assert_first_bad(verify(fresh), block)


def test_a_rewritten_block_root_is_caught_even_with_its_chain_recomputed(fresh):
    fill(fresh.app)
    seal = sealed(fresh)
    block = blocks(seal)[1]
    t = seal.sealer.t.blocks
    execute_sql(fresh, f"UPDATE {t} SET root = %s WHERE block_no = 1", (bytes(32),))
    assert_first_bad(verify(fresh), block)
    # The forger recomputes the root honestly from events she altered, but cannot touch the
    # chain without rewriting every later block; rewrite only the chain: still caught.
    execute_sql(
        fresh, f"UPDATE {t} SET root = %s, chain = %s WHERE block_no = 1", (bytes(block["root"]), bytes(32))
    )
    assert_first_bad(verify(fresh), block)


def test_events_rewritten_and_resealed_break_the_signed_checkpoint(fresh):
    """A forger with the database but without the seal key rewrites an event AND every seal
    row after it: the blocks agree, but the signed checkpoints no longer do."""
    fill(fresh.app)
    seal = sealed(fresh)
    target = blocks(seal)[0]["first_id"]
    execute_sql(
        fresh,
        f"UPDATE {events_table(fresh)} SET state = set_byte(state, 3,"
        " get_byte(state, 3) # 1) WHERE notification_id = %s",
        (target,),
    )
    execute_sql(fresh, f"DELETE FROM {seal.sealer.t.blocks}")
    execute_sql(fresh, f"DELETE FROM {seal.sealer.t.tracking}")
    resealed = open_seal(fresh, cli_env(fresh))
    resealed.catch_up()
    while resealed.step(partial=True):
        pass
    result = verify(fresh)
    assert result.exit_code != 0
    assert "its root is not the root of the stored events" in result.output


def test_a_forged_checkpoint_signature_is_refused(fresh):
    fill(fresh.app)
    seal = sealed(fresh)
    forger = Signer("organize.local/seal", Ed25519PrivateKey.generate())
    cp = parse_note(seal.sealer.checkpoints()[-1]["note"])
    forged = type(cp)(cp.origin, cp.size, cp.root, (forger.sign(cp.body),)).note()
    execute_sql(
        fresh, f"UPDATE {seal.sealer.t.checkpoints} SET note = %s WHERE tree_size = %s", (forged, cp.size)
    )
    result = verify(fresh)
    assert result.exit_code != 0 and "the log's signature is invalid" in result.output


def test_an_erasure_leaves_the_seal_valid_and_is_itself_sealed(fresh):
    collective_id, workers = fill(fresh.app)
    sealed(fresh)
    head_before = fresh.app.recorder.max_notification_id()
    fresh.app.execute(c.EraseWorker(command_id=uuid.uuid4(), worker_id=workers[0]))
    seal = sealed(fresh)
    result = verify(fresh)
    assert result.exit_code == 0, result.output
    # The erasure is an event after the earlier checkpoint, inside the later one.
    sizes = [c["tree_size"] for c in seal.sealer.checkpoints()]
    assert any(s <= head_before for s in sizes)
    assert max(sizes) == fresh.app.recorder.max_notification_id()
    proof = verify(fresh, "--proof", str(head_before + 1))
    assert proof.exit_code == 0, proof.output
    assert json.loads(proof.output)["tree_size"] == max(sizes)


def test_checkpoints_are_c2sp_notes_and_exported_with_a_witness(fresh, tmp_path):
    fill(fresh.app)
    sealed(fresh)
    out = tmp_path / "checkpoint.txt"
    result = CliRunner().invoke(main, ["seal", "checkpoint", "--export", str(out)], env=cli_env(fresh))
    assert result.exit_code == 0, result.output
    text = out.read_text()
    body, sigs = text.split("\n\n")
    origin, size, root = body.split("\n")
    assert origin == "organize.local/seal"
    assert size == str(fresh.app.recorder.max_notification_id())
    assert len(base64.b64decode(root, validate=True)) == 32
    assert sigs.endswith("\n") and sigs.startswith("\u2014 organize.local/seal ")
    # The log's verifier key, as a partner receives it, checks the note independently.
    vkey = CliRunner().invoke(main, ["seal", "key"], env=cli_env(fresh)).output.strip()
    assert independent_note_check(text, vkey)
    # A partner countersigns with its own key and sends the note back.
    witness = Signer("union-partner.example", Ed25519PrivateKey.generate())
    cosigned = tmp_path / "cosigned.txt"
    cosigned.write_text(text + witness.sign(body + "\n") + "\n")
    stored = CliRunner().invoke(
        main, ["seal", "cosign", str(cosigned), "--witness", witness.verifier.vkey()], env=cli_env(fresh)
    )
    assert stored.exit_code == 0, stored.output
    checked = verify(fresh, "--witness", witness.verifier.vkey())
    assert checked.exit_code == 0 and "1 countersignatures" in checked.output, checked.output
    stranger = Signer("stranger.example", Ed25519PrivateKey.generate())
    missing = verify(fresh, "--witness", stranger.verifier.vkey())
    assert missing.exit_code != 0 and "countersignature by stranger" in missing.output
    forged = tmp_path / "forged.txt"
    forged.write_text(text + stranger.sign(body + "\n") + "\n")
    refused = CliRunner().invoke(
        main, ["seal", "cosign", str(forged), "--witness", witness.verifier.vkey()], env=cli_env(fresh)
    )
    assert refused.exit_code != 0 and "no valid signature" in refused.output


# -- an independent verifier: hashlib and cryptography only -------------------------------


def independent_note_check(note: str, vkey: str) -> bool:
    name, hexhash, encoded = vkey.split("+", 2)
    raw = base64.b64decode(encoded)
    assert raw[0] == 1 and hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4].hex() == hexhash
    body, _, sigs = note.partition("\n\n")
    for line in sigs.splitlines():
        dash, signer, blob = line.split(" ")
        blob = base64.b64decode(blob)
        if signer == name and blob[:4].hex() == hexhash:
            Ed25519PublicKey.from_public_bytes(raw[1:]).verify(blob[4:], (body + "\n").encode())
            return True
    return False


def independent_inclusion(leaf: bytes, index: int, size: int, path: list[bytes]) -> bytes:
    """RFC 9162 §2.1.3.2, written out again."""

    def node(a: bytes, b: bytes) -> bytes:
        return hashlib.sha256(b"\x01" + a + b).digest()

    fn, sn, r = index, size - 1, leaf
    for p in path:
        assert sn > 0
        if fn % 2 == 1 or fn == sn:
            r = node(p, r)
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn // 2, sn // 2
        else:
            r = node(r, p)
        fn, sn = fn // 2, sn // 2
    assert sn == 0
    return r


def test_an_inclusion_proof_verifies_independently(fresh):
    fill(fresh.app)
    sealed(fresh)
    vkey = CliRunner().invoke(main, ["seal", "key"], env=cli_env(fresh)).output.strip()
    head = fresh.app.recorder.max_notification_id()
    with psycopg.connect(fresh.settings.database_url) as conn:
        ids = [r[0] for r in conn.execute(f"SELECT notification_id FROM {events_table(fresh)} ORDER BY 1")]
        for nid in (ids[0], ids[5], ids[-1]):
            result = verify(fresh, "--proof", str(nid))
            assert result.exit_code == 0, result.output
            proof = json.loads(result.output)
            # Rebuild the leaf from the stored row ourselves, not from the proof's leaf data.
            row = conn.execute(
                f"SELECT originator_id, originator_version, topic, state FROM"
                f" {events_table(fresh)} WHERE notification_id = %s",
                (nid,),
            ).fetchone()
            topic = row[2].encode()
            data = (
                struct.pack(">Q", nid)
                + row[0].bytes
                + struct.pack(">QI", row[1], len(topic))
                + topic
                + bytes(row[3])
            )
            leaf = hashlib.sha256(b"\x00" + data).digest()
            assert leaf.hex() == proof["leaf_hash"]
            computed = independent_inclusion(
                leaf, proof["leaf_index"], proof["tree_size"], [bytes.fromhex(p) for p in proof["audit_path"]]
            )
            note = proof["checkpoint"]
            assert independent_note_check(note, vkey)
            _, size, root = note.split("\n\n")[0].split("\n")
            assert int(size) == proof["tree_size"] == head
            assert base64.b64decode(root) == computed
    missing = verify(fresh, "--proof", str(head + 1000))
    assert missing.exit_code != 0 and "no checkpoint covers" in missing.output


def test_a_block_resealed_in_place_breaks_the_chain_at_the_next(fresh):
    """The forger alters an event and recomputes that block's root and chain honestly: the
    block itself now agrees, but the next block's chain was built on the old one."""
    from organize.seal import merkle
    from organize.seal.sealer import GENESIS, chain, leaf_of
    from organize.seal.verify import stored_events

    fill(fresh.app)
    seal = sealed(fresh)
    first, second = blocks(seal)[:2]
    execute_sql(
        fresh,
        f"UPDATE {events_table(fresh)} SET state = set_byte(state, 5,"
        " get_byte(state, 5) # 1) WHERE notification_id = %s",
        (first["first_id"],),
    )
    rows = [e for e in stored_events(fresh.app.recorder) if e.id <= first["last_id"]]
    root = merkle.root([leaf_of(e) for e in rows])
    execute_sql(
        fresh,
        f"UPDATE {seal.sealer.t.blocks} SET root = %s, chain = %s WHERE block_no = 0",
        (root, chain(GENESIS, root)),
    )
    assert_first_bad(verify(fresh), second)


def test_two_sealers_on_one_log_seal_each_block_once(fresh):
    """``organize serve`` and ``organize project`` may both run a sealer: the block row and
    the tracking position refuse the second, which carries on from the first one's position."""
    fill(fresh.app)
    first, second = open_seal(fresh, cli_env(fresh)), open_seal(fresh, cli_env(fresh))
    stale = second.positions()  # read before the first sealer moves on
    first.catch_up()
    assert second.step(stale) > 0  # refused, and moved on to where the first got
    second.catch_up()
    second.checkpoint()
    assert [b["block_no"] for b in blocks(first)] == list(range(len(blocks(first))))
    assert verify(fresh).exit_code == 0
