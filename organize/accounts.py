"""Accounts as the application uses them: creating them, passwords, sessions, API tokens
and login throttling.

Who an account is and which role it holds are events (``organize.domain.account``), run
through ``Organize.execute`` like every other command. What must be replaceable or
forgotten lives in the tables of ``infra/sql/004_accounts.sql``: the argon2id password hash,
server-side sessions, API tokens (SHA-256 of 256 random bits) and failed logins.

Nothing here logs a username, a password, a token or an address.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from uuid import UUID

import anyio
import asyncpg
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from eventsourcing.application import AggregateNotFoundError

from organize import commands as c
from organize.application import Organize, account_id_for
from organize.domain import Account, Collective
from organize.domain.account import ADMIN, LEADER, ORGANISER, RESEARCHER
from organize.errors import Invalid
from organize.projections.reads import Scope

PASSWORD_MIN = 8
PASSWORD_MAX = 1024
SESSION_MAX_AGE = timedelta(hours=12)  # even an active session ends: phones are shared
# Throttling. An account gets few tries in a window, counted atomically in PostgreSQL before
# the password is checked, so concurrent guesses cannot race past the limit. An address is
# never locked (a worker centre's Wi-Fi or a carrier's NAT puts many leaders behind one):
# past a free allowance its attempts are slowed, with a delay that doubles per failure up
# to a cap, and one address's failures never refuse another account.
USERNAME_FAILURES = 5
ADDRESS_FREE_FAILURES = 20
ADDRESS_DELAY_START = 0.25  # seconds, for the first failure past the allowance
ADDRESS_DELAY_MAX = 4.0
FAILURE_WINDOW = timedelta(minutes=15)
END_SESSION = "DELETE FROM organize_sessions WHERE id_hash = $1"
# The longest a request waits for the web pool and for the session's answer (seconds): a
# database that is away answers 503 within it, as the event store's own pool does.
SESSION_WAIT = 3.0
TOKEN_PREFIX = "org_"  # noqa: S105 - a prefix that secret scanners can match, not a secret

ORGANISING_ROLES = frozenset({LEADER, ORGANISER, ADMIN})
ACCOUNT_NAMESPACE = UUID("6f726761-6e69-7a65-8000-0000000acc75")


class LoginRefused(Exception):
    """The username or password is wrong, or the account is disabled (never said which)."""


class LoginThrottled(Exception):
    """Too many failed logins for this username or address."""

    def __init__(self, retry_after: int):
        super().__init__("too many failed logins")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Principal:
    """Who is asking: an account, how it authenticated, and what it may reach."""

    account_id: UUID
    username: str
    role: str | None
    collective_ids: frozenset[UUID]
    federation: str | None
    via: str  # "session" or "token"
    csrf_token: str | None = None  # sessions only

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN

    @property
    def organises(self) -> bool:
        """Leaders, organisers and admins work with collectives; researchers never do."""
        return self.role in ORGANISING_ROLES

    @property
    def researches(self) -> bool:
        return self.role in (RESEARCHER, ADMIN)

    @property
    def scope(self) -> Scope | None:
        """What this account may read; None when it may read no organising data at all."""
        if self.role == ADMIN:
            return Scope.everything()
        if self.role == LEADER:
            return Scope(collective_ids=self.collective_ids)
        if self.role == ORGANISER:
            return Scope(federation=self.federation)
        return None


@dataclass(frozen=True)
class Session:
    token: str  # the cookie value: shown to the browser once, kept only as a hash
    csrf_token: str


@dataclass(frozen=True)
class TokenInfo:
    id: UUID
    label: str | None
    created_at: datetime
    last_used_at: datetime | None


def _sha256(value: str) -> bytes:
    return hashlib.sha256(value.encode()).digest()


def normalise_username(username: str) -> str:
    return username.strip().lower()


def check_password(password: str) -> str:
    if len(password) < PASSWORD_MIN:
        raise Invalid(f"A password needs at least {PASSWORD_MIN} characters.", field="password",
                      code="weak_password")
    if len(password) > PASSWORD_MAX:
        raise Invalid(f"A password can be at most {PASSWORD_MAX} characters.", field="password",
                      code="too_long")
    return password


class AccountService:
    """Accounts over the application (for events) and its datastore (for the tables)."""

    def __init__(self, app: Organize, *, session_idle: timedelta = timedelta(minutes=20),
                 hasher: PasswordHasher | None = None):
        self.app = app
        self.datastore = app.recorder.datastore
        self.session_idle = session_idle
        # A session's last_seen is written at most this often (a write and a commit on every
        # request was most of a page's database time); the idle clock keeps its meaning.
        self.touch_every = min(timedelta(seconds=60), session_idle / 20)
        # Principals by account id, with the account's version they were built from: a role
        # granted, revoked or disabled is a new event, so a new version, so read again.
        self._principals: dict[UUID, tuple[int, Principal]] = {}
        self.hasher = hasher or PasswordHasher()
        # Verified against when the username is unknown, so a miss costs what a hit costs.
        self._dummy_hash = self.hasher.hash(secrets.token_urlsafe(16))

    # -- accounts ---------------------------------------------------------------------------

    def find(self, username: str) -> Account | None:
        return self.get(account_id_for(normalise_username(username)))

    def get(self, account_id: UUID) -> Account | None:
        try:
            account = self.app.repository.get(account_id)
        except AggregateNotFoundError:
            return None
        return account if isinstance(account, Account) else None

    def collective_names(self, collective_ids: Sequence[UUID]) -> list[str]:
        names = []
        for collective_id in sorted(collective_ids, key=str):
            try:
                found = self.app.repository.get(collective_id)
            except AggregateNotFoundError:
                continue
            if isinstance(found, Collective):
                names.append(found.name)
        return names

    def create_account(self, username: str, password: str, *, role: str | None = None,
                       collective_ids: Sequence[UUID] = (), federation: str | None = None,
                       display_name: str | None = None, command_id: UUID | None = None) -> UUID:
        """Create the account (events: created, and its role granted) and its password."""
        username = normalise_username(username)
        check_password(password)
        result = self.app.execute(c.CreateAccount(
            command_id=command_id or uuid.uuid4(), username=username, display_name=display_name,
            role=role, collective_ids=tuple(collective_ids), federation=federation))
        self.set_password(result.id, username, password)
        return result.id

    def grant(self, username: str, role: str, collective_ids: Sequence[UUID] = (),
              federation: str | None = None, command_id: UUID | None = None) -> None:
        self.app.execute(c.GrantRole(command_id=command_id or uuid.uuid4(),
                                     account_id=self.require(username).id, role=role,
                                     collective_ids=tuple(collective_ids), federation=federation))

    def revoke(self, username: str, role: str) -> None:
        self.app.execute(c.RevokeRole(command_id=uuid.uuid4(), account_id=self.require(username).id,
                                      role=role))

    def disable(self, username: str) -> None:
        account = self.require(username)
        self.app.execute(c.DisableAccount(command_id=uuid.uuid4(), account_id=account.id))
        self.end_all_sessions(account.id)
        with self.datastore.transaction(commit=True) as curs:
            curs.execute("DELETE FROM organize_api_tokens WHERE account_id = %s", (account.id,))

    def require(self, username: str) -> Account:
        account = self.find(username)
        if account is None:
            raise Invalid("There is no account with this username.", field="username",
                          code="not_found")
        return account

    def set_password(self, account_id: UUID, username: str, password: str) -> None:
        check_password(password)
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(
                "INSERT INTO organize_credentials (account_id, username, password_hash) "
                "VALUES (%s, %s, %s) ON CONFLICT (account_id) DO UPDATE "
                "SET password_hash = EXCLUDED.password_hash, updated_at = now()",
                (account_id, normalise_username(username), self.hasher.hash(password)))

    def has_password(self, account_id: UUID) -> bool:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute("SELECT 1 FROM organize_credentials WHERE account_id = %s", (account_id,))
            return curs.fetchone() is not None

    def principal(self, account_id: UUID, *, via: str, csrf_token: str | None = None,
                  version: int | None = None) -> Principal | None:
        """The account as a principal, or None when it is gone or disabled.

        With ``version`` (the account's latest event version, read with the session), the
        principal built at that version is reused instead of replaying the account."""
        cached = self.cached_principal(account_id, via=via, csrf_token=csrf_token,
                                       version=version)
        if cached is not None:
            return cached
        account = self.get(account_id)
        if account is None or account.disabled:
            self._principals.pop(account_id, None)
            return None
        grant = account.grant
        principal = Principal(
            account_id=account.id, username=account.username,
            role=None if grant is None else grant.role,
            collective_ids=frozenset(() if grant is None else grant.collective_ids),
            federation=None if grant is None else grant.federation,
            via=via, csrf_token=csrf_token)
        if len(self._principals) > 10_000:  # bounded: accounts seen by this process
            self._principals.clear()
        self._principals[account_id] = (account.version, principal)
        return principal

    def cached_principal(self, account_id: UUID, *, via: str, csrf_token: str | None = None,
                         version: int | None = None) -> Principal | None:
        """The principal built at ``version`` of the account, if this process holds it."""
        cached = self._principals.get(account_id) if version is not None else None
        if cached is not None and cached[0] == version:
            return replace(cached[1], via=via, csrf_token=csrf_token)
        return None

    def _version_sql(self, account: str) -> str:
        """The latest version of the account aggregate ``account`` names, as SQL."""
        table = self.app.recorder.events_table_name
        return f"(SELECT max(originator_version) FROM {table} WHERE originator_id = {account})"

    # -- logging in -------------------------------------------------------------------------

    def login(self, username: str, password: str, address: str) -> tuple[Session, Principal]:
        """Check the password and start a session, or raise ``LoginThrottled`` or
        ``LoginRefused``. Every attempt is counted against the username before the password
        is checked (a success clears it), and every failure against the address."""
        username = normalise_username(username)
        account_key, address_key = _sha256(f"username:{username}"), _sha256(f"ip:{address}")
        self._reserve_attempt(account_key)
        if not username or not password or len(password) > PASSWORD_MAX:
            self._record_failure(address_key)
            raise LoginRefused()
        with self.datastore.transaction(commit=False) as curs:
            curs.execute("SELECT account_id, password_hash FROM organize_credentials "
                         "WHERE username = %s", (username,))
            row = curs.fetchone()
        stored = row["password_hash"] if row else self._dummy_hash
        try:
            self.hasher.verify(stored, password)
            verified = row is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            verified = False
        principal = self.principal(row["account_id"], via="session") if verified else None
        if principal is None:
            self._record_failure(address_key)
            raise LoginRefused()
        if self.hasher.check_needs_rehash(stored):
            self.set_password(principal.account_id, username, password)
        self._clear_failures(account_key)
        session = self.start_session(principal.account_id)
        return session, Principal(**{**principal.__dict__, "csrf_token": session.csrf_token})

    def _count(self, curs, key: bytes) -> tuple[int, float]:
        """Count one more against ``key`` in one atomic UPSERT (a new window once the old
        one has passed); the count and the seconds left in the window."""
        curs.execute(
            "INSERT INTO organize_login_throttle AS t (key_hash, failures) VALUES (%s, 1) "
            "ON CONFLICT (key_hash) DO UPDATE SET "
            " failures = CASE WHEN t.window_start < now() - %s THEN 1 ELSE t.failures + 1 END,"
            " window_start = CASE WHEN t.window_start < now() - %s THEN now() ELSE t.window_start END "
            "RETURNING failures, extract(epoch FROM (window_start + %s - now()))::float AS left",
            (key, FAILURE_WINDOW, FAILURE_WINDOW, FAILURE_WINDOW))
        row = curs.fetchone()
        return row["failures"], max(1.0, row["left"])

    def _reserve_attempt(self, account_key: bytes) -> None:
        """Take one of the account's attempts in this window, or refuse: at most
        ``USERNAME_FAILURES`` passwords are ever checked per account and window, however
        many arrive at once (the row lock orders them)."""
        with self.datastore.transaction(commit=True) as curs:
            attempts, left = self._count(curs, account_key)
        if attempts > USERNAME_FAILURES:
            raise LoginThrottled(int(left))

    def address_delay(self, address: str) -> float:
        """Seconds to wait before checking a login from this address: none within its free
        allowance, then doubling per failure up to ``ADDRESS_DELAY_MAX``. Never a refusal."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute("SELECT failures FROM organize_login_throttle WHERE key_hash = %s "
                         "AND window_start > now() - %s", (_sha256(f"ip:{address}"), FAILURE_WINDOW))
            row = curs.fetchone()
        over = 0 if row is None else row["failures"] - ADDRESS_FREE_FAILURES
        if over <= 0:
            return 0.0
        return min(ADDRESS_DELAY_MAX, ADDRESS_DELAY_START * 2 ** min(over - 1, 16))

    def _record_failure(self, address_key: bytes) -> None:
        with self.datastore.transaction(commit=True) as curs:
            self._count(curs, address_key)
            curs.execute("DELETE FROM organize_login_throttle WHERE window_start < now() - %s",
                         (FAILURE_WINDOW * 2,))

    def _clear_failures(self, key: bytes) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute("DELETE FROM organize_login_throttle WHERE key_hash = %s", (key,))

    # -- sessions ---------------------------------------------------------------------------

    def start_session(self, account_id: UUID) -> Session:
        session = Session(token=secrets.token_urlsafe(32), csrf_token=secrets.token_urlsafe(32))
        with self.datastore.transaction(commit=True) as curs:
            curs.execute("DELETE FROM organize_sessions WHERE last_seen < now() - %s "
                         "OR created_at < now() - %s", (self.session_idle, SESSION_MAX_AGE))
            curs.execute("INSERT INTO organize_sessions (id_hash, account_id, csrf_token) "
                         "VALUES (%s, %s, %s)",
                         (_sha256(session.token), account_id, session.csrf_token))
        return session

    def _session_sql(self) -> str:
        """The live session of ``$1`` (its token's hash), its account's version, and
        last_seen moved on only when it is older than ``touch_every`` (``$4``; most requests
        write nothing): one round trip. ``$2`` the idle limit, ``$3`` the longest a session
        lives."""
        return ("WITH live AS (SELECT id_hash, account_id, csrf_token, last_seen "
                "  FROM organize_sessions WHERE id_hash = $1 "
                "  AND last_seen > now() - $2::interval AND created_at > now() - $3::interval), "
                "touched AS (UPDATE organize_sessions s SET last_seen = now() FROM live "
                "  WHERE s.id_hash = live.id_hash AND live.last_seen < now() - $4::interval) "
                f"SELECT account_id, csrf_token, {self._version_sql('live.account_id')} "
                "  AS version FROM live")

    def session_principal(self, token: str) -> Principal | None:
        """The principal of a live session (touching it), or None; an expired one is deleted."""
        id_hash = _sha256(token)
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(re.sub(r"\$\d", "%s", self._session_sql()),
                         (id_hash, self.session_idle, SESSION_MAX_AGE, self.touch_every))
            row = curs.fetchone()
            if row is None:
                curs.execute(END_SESSION.replace("$1", "%s"), (id_hash,))
                return None
        principal = self.principal(row["account_id"], via="session", csrf_token=row["csrf_token"],
                                   version=row["version"])
        if principal is None:  # disabled since: the session goes too
            self.end_session(token)
        return principal

    async def session_principal_on(self, pool: asyncpg.Pool, token: str) -> Principal | None:
        """``session_principal`` on the web's asyncpg pool, without a thread: the same query
        and the same rules (idle and longest life, the touch, a disabled account's session
        ended). Only an account whose principal is not cached at its version is read in a
        thread (its events, through the application).

        Waiting for a connection and for the answer is bounded (``SESSION_WAIT``): when the
        database is away, a request answers 503 with ``Retry-After`` (``TimeoutError`` and
        a refused connection are what web/auth/errors.py calls the database being down)
        instead of queueing on the pool."""
        id_hash = _sha256(token)
        async with pool.acquire(timeout=SESSION_WAIT) as conn:
            row = await conn.fetchrow(self._session_sql(), id_hash, self.session_idle,
                                      SESSION_MAX_AGE, self.touch_every, timeout=SESSION_WAIT)
            if row is None:
                await conn.execute(END_SESSION, id_hash, timeout=SESSION_WAIT)
                return None
        principal = self.cached_principal(row["account_id"], via="session",
                                          csrf_token=row["csrf_token"], version=row["version"])
        if principal is None:
            principal = await anyio.to_thread.run_sync(functools.partial(
                self.principal, row["account_id"], via="session", csrf_token=row["csrf_token"],
                version=row["version"]))
        if principal is None:  # disabled since: the session goes too
            async with pool.acquire(timeout=SESSION_WAIT) as conn:
                await conn.execute(END_SESSION, id_hash, timeout=SESSION_WAIT)
        return principal

    def end_session(self, token: str) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(END_SESSION.replace("$1", "%s"), (_sha256(token),))

    def end_all_sessions(self, account_id: UUID) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute("DELETE FROM organize_sessions WHERE account_id = %s", (account_id,))

    # -- API tokens -------------------------------------------------------------------------

    def create_token(self, account_id: UUID, label: str | None = None) -> tuple[UUID, str]:
        """A new bearer token for the account: returned once, stored as a hash."""
        if label is not None:
            label = label.strip()[:80] or None
        token_id = uuid.uuid4()
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self.datastore.transaction(commit=True) as curs:
            curs.execute("INSERT INTO organize_api_tokens (id, account_id, token_hash, label) "
                         "VALUES (%s, %s, %s, %s)", (token_id, account_id, _sha256(token), label))
        return token_id, token

    def token_principal(self, token: str) -> Principal | None:
        if not token.startswith(TOKEN_PREFIX):
            return None
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(
                "WITH found AS (SELECT token_hash, account_id, last_used_at "
                "  FROM organize_api_tokens WHERE token_hash = %s), "
                "touched AS (UPDATE organize_api_tokens t SET last_used_at = now() FROM found "
                "  WHERE t.token_hash = found.token_hash AND (found.last_used_at IS NULL "
                "  OR found.last_used_at < now() - %s)) "
                f"SELECT account_id, {self._version_sql('found.account_id')} AS version "
                "FROM found", (_sha256(token), self.touch_every))
            row = curs.fetchone()
        return None if row is None else self.principal(row["account_id"], via="token",
                                                       version=row["version"])

    def list_tokens(self, account_id: UUID) -> list[TokenInfo]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute("SELECT id, label, created_at, last_used_at FROM organize_api_tokens "
                         "WHERE account_id = %s ORDER BY created_at", (account_id,))
            return [TokenInfo(**row) for row in curs.fetchall()]

    def revoke_token(self, account_id: UUID, token_id: UUID) -> bool:
        """Revoke one of the account's own tokens; False when it has no such token."""
        with self.datastore.transaction(commit=True) as curs:
            curs.execute("DELETE FROM organize_api_tokens WHERE id = %s AND account_id = %s "
                         "RETURNING id", (token_id, account_id))
            return curs.fetchone() is not None


def same_secret(a: str | None, b: str | None) -> bool:
    """Constant-time comparison of two secrets (CSRF tokens); None never matches."""
    return a is not None and b is not None and hmac.compare_digest(a.encode(), b.encode())
