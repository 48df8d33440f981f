"""The offline outbox's server half: the key phones encrypt to, the envelopes they send, the
device tokens that vouch for them and the order each device's envelopes are applied in.

A leader's phone may lose the network in the middle of a form. The page then encrypts the
form **to this server's public key** and keeps only the ciphertext (``web/static/outbox.js``):
an employer or a police officer who takes the phone finds nothing readable in it, and the
phone itself cannot open what it queued. The scheme is ECIES on P-256: an ephemeral ECDH key
per envelope, HKDF-SHA256 over the shared secret (salt: the ephemeral public key), AES-256-GCM
with the device id and the envelope's place in the device's order as associated data.

The private key is kept like the master key: a file in the keyring directory (0600), created
once, never in the database (a seized database opens no envelope; a seized phone holds none).

Who sent an envelope: a device token, issued at login as an HttpOnly cookie limited to
``/outbox``, stored here only as a SHA-256, expiring after ``DEVICE_TTL`` and deleted when
the session it was issued with ends by logout or quick exit. An envelope opened here is not
a command yet: the web layer runs the form it holds through the very route, guard and policy
a normal post goes through (``web/outbox.py``).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import os
import secrets
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs
from uuid import UUID

import msgspec
import psycopg
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_FILE = "outbox-p256.pem"
INFO = b"organize-outbox-v1"
DEVICE_TTL = timedelta(days=3)  # a phone offline longer than this logs in again to send
MAX_ENVELOPE = 64 * 1024  # a grievance with its notes is a few KB once encrypted
ROUTE_PREFIX = "/c/"  # the leaders' forms; nothing else is reachable through an envelope


class EnvelopeRefused(Exception):  # noqa: N818 - a refusal with a code, not a crash
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class Envelope(msgspec.Struct, forbid_unknown_fields=True):
    """What the phone sends (and keeps): ciphertext and the minimal metadata to order it."""

    v: int
    device: UUID
    seq: int
    epk: str  # the ephemeral public key, uncompressed point, base64url
    iv: str
    ct: str


class Sealed(msgspec.Struct, forbid_unknown_fields=True):
    """What an envelope holds once opened: a form post, as the page would have sent it."""

    route: str
    command_id: UUID
    body: str  # application/x-www-form-urlencoded


def _b64(value: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raise EnvelopeRefused("unreadable", "The envelope could not be read.") from None


def associated_data(device: UUID, seq: int) -> bytes:
    return INFO + f"|{device}|{seq}".encode()


class OutboxKey:
    """The server's P-256 key pair for envelopes."""

    def __init__(self, private: ec.EllipticCurvePrivateKey):
        self.private = private

    @classmethod
    def in_keyring(cls, directory: Path) -> OutboxKey:
        """The key in ``directory``, created there (0600, O_EXCL) on first use."""
        path = Path(directory) / KEY_FILE
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption())
            try:  # two processes starting at once must not write two different keys
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass
            else:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(pem)
                    fh.flush()
                    os.fsync(fh.fileno())
        private = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(private, ec.EllipticCurvePrivateKey):
            raise ValueError(f"{path} does not hold an elliptic-curve key")
        return cls(private)

    @property
    def public_raw(self) -> str:
        """The public key as the page imports it (``raw``, uncompressed), base64url."""
        raw = self.private.public_key().public_bytes(serialization.Encoding.X962,
                                                     serialization.PublicFormat.UncompressedPoint)
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    def open(self, envelope: Envelope) -> Sealed:
        """The form an envelope holds, or ``EnvelopeRefused`` (tampered, wrong key, garbage)."""
        if envelope.v != 1 or envelope.seq < 1:
            raise EnvelopeRefused("unreadable", "The envelope could not be read.")
        epk, iv, ct = _b64(envelope.epk), _b64(envelope.iv), _b64(envelope.ct)
        try:
            peer = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), epk)
            shared = self.private.exchange(ec.ECDH(), peer)
            key = HKDF(algorithm=hashes.SHA256(), length=32, salt=epk, info=INFO).derive(shared)
            plain = AESGCM(key).decrypt(iv, ct, associated_data(envelope.device, envelope.seq))
            sealed = msgspec.json.decode(plain, type=Sealed)
        except (ValueError, InvalidTag, msgspec.DecodeError, msgspec.ValidationError):
            raise EnvelopeRefused("unreadable", "The envelope could not be read.") from None
        form = parse_qs(sealed.body, keep_blank_values=True)
        if (not sealed.route.startswith(ROUTE_PREFIX) or ".." in sealed.route
                or "?" in sealed.route or form.get("command_id") != [str(sealed.command_id)]):
            raise EnvelopeRefused("not_a_form", "The envelope does not hold a form of ours.")
        return sealed


def seal_for(public_raw: str, device: UUID, seq: int, sealed: Sealed) -> Envelope:
    """What the page does, in Python: for the tests and for scripts that queue work."""
    server = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _b64(public_raw))
    ephemeral = ec.generate_private_key(ec.SECP256R1())
    epk = ephemeral.public_key().public_bytes(serialization.Encoding.X962,
                                              serialization.PublicFormat.UncompressedPoint)
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=epk,
               info=INFO).derive(ephemeral.exchange(ec.ECDH(), server))
    iv = os.urandom(12)
    ct = AESGCM(key).encrypt(iv, msgspec.json.encode(sealed), associated_data(device, seq))

    def enc(b: bytes) -> str:
        return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

    return Envelope(v=1, device=device, seq=seq, epk=enc(epk), iv=enc(iv), ct=enc(ct))


def _sha256(value: str) -> bytes:
    return hashlib.sha256(value.encode()).digest()


class Devices:
    """Device tokens and each device's order, in two tables of ``infra/sql/008_outbox.sql``."""

    def __init__(self, datastore, ttl: timedelta = DEVICE_TTL):
        self.datastore = datastore
        self.ttl = ttl

    @classmethod
    def of(cls, app) -> Devices:
        """Over the application's datastore (the tables beside its events)."""
        return cls(app.recorder.datastore)

    def issue(self, account_id: UUID, session_token: str) -> str:
        token = secrets.token_urlsafe(32)
        with self.datastore.transaction(commit=True) as curs:
            curs.execute("DELETE FROM organize_device_tokens WHERE expires_at < now()")
            curs.execute("INSERT INTO organize_device_tokens (id_hash, account_id, session_hash, "
                         "expires_at) VALUES (%s, %s, %s, now() + %s)",
                         (_sha256(token), account_id, _sha256(session_token), self.ttl))
        return token

    def account_of(self, token: str) -> UUID | None:
        """The account a live device token was issued to, or None (unknown, expired, revoked)."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute("SELECT account_id FROM organize_device_tokens WHERE id_hash = %s "
                         "AND expires_at > now()", (_sha256(token),))
            row = curs.fetchone()
        return None if row is None else row["account_id"]

    def revoke_session(self, session_token: str) -> None:
        """Logout and quick exit: the device tokens issued with this session end with it."""
        with self.datastore.transaction(commit=True) as curs:
            curs.execute("DELETE FROM organize_device_tokens WHERE session_hash = %s",
                         (_sha256(session_token),))

    def expire(self, token: str) -> None:
        """For tests and the operator: make a token expire now."""
        with self.datastore.transaction(commit=True) as curs:
            curs.execute("UPDATE organize_device_tokens SET expires_at = now() - interval '1 s' "
                         "WHERE id_hash = %s", (_sha256(token),))

    def _connect_kwargs(self) -> dict:
        kwargs = dict(self.datastore.pool.kwargs)  # dbname, host, port, user, password, rows
        schema = getattr(self.datastore, "schema", "public")
        if schema and schema != "public":
            kwargs["options"] = f"-c search_path={schema}"
        return kwargs

    @contextlib.asynccontextmanager
    async def turn(self, device: UUID, account_id: UUID) -> AsyncIterator[Turn]:
        """This device's turn: its row locked (``SELECT ... FOR UPDATE``) until the block ends.

        The lock is PostgreSQL's, so it holds across every web process (``serve --workers N``)
        and every host: a second envelope of the same phone, wherever it lands, waits until the
        first has run and its place in the order is committed. ``Turn.last`` is the last
        envelope applied (0 for a new device), or None when the device id is another account's:
        one phone's order is never another's. A connection of its own (not one of the pool's,
        which the form itself needs while the lock is held), closed when the turn ends; an
        error inside the block rolls back, so the place moves on only for what was applied.
        """
        conn = await psycopg.AsyncConnection.connect(**self._connect_kwargs())
        try:
            async with conn.transaction():
                await conn.execute("SET LOCAL lock_timeout = '60s'")
                await conn.execute("INSERT INTO organize_outbox_devices (device_id, account_id) "
                                   "VALUES (%s, %s) ON CONFLICT (device_id) DO NOTHING",
                                   (device, account_id))
                cur = await conn.execute("SELECT account_id, last_seq FROM organize_outbox_devices "
                                         "WHERE device_id = %s FOR UPDATE", (device,))
                row = await cur.fetchone()
                yield Turn(conn, device, row["last_seq"] if row["account_id"] == account_id
                           else None)
        finally:
            await conn.close()


class Turn:
    """One device's place in its order while its row is locked (``Devices.turn``)."""

    def __init__(self, conn, device: UUID, last: int | None):
        self._conn = conn
        self.device = device
        self.last = last

    async def applied(self, seq: int) -> None:
        await self._conn.execute("UPDATE organize_outbox_devices SET last_seq = greatest(last_seq, "
                                 "%s), seen_at = now() WHERE device_id = %s", (seq, self.device))
