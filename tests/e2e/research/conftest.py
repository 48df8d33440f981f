"""Fixtures for the researchers' page: the real app (Litestar's test client, in process)
over the session's PostgreSQL, a small world recorded through commands, and a session for
each role that matters here.

The world: one collective whose workers gave research consent, with enough grievances in
one cell (domestic care, Hong Kong, destination, unpaid wages, March 2025) that a count at
least k gets published, a few scattered ones that suppression must hide, and a worker who
did not consent (her grievances are left out). Pseudonyms, the collective's name and the
grievances' descriptions carry a tag, so a test can look for them in the bytes of an export.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from argon2 import PasswordHasher
from litestar.testing import AsyncTestClient

from organize import commands as c
from organize.accounts import AccountService
from tests.support import settle_views
from web.app import create_app

TEST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
SESSION_COOKIE = "organize_session"


@dataclass
class Person:
    role: str
    session: str
    csrf: str

    def headers(self, lang: str | None = None, *, csrf_header: bool = False) -> dict[str, str]:
        out = {"Cookie": f"{SESSION_COOKIE}={self.session}"}
        if lang:
            out["Accept-Language"] = lang
        if csrf_header:
            out["X-CSRF-Token"] = self.csrf
        return out


@dataclass
class World:
    tag: str
    collective: uuid.UUID
    workers: list[uuid.UUID] = field(default_factory=list)
    grievances: list[uuid.UUID] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)  # words that must never reach an export

    def ids(self) -> list[str]:
        return [str(i) for i in (self.collective, *self.workers, *self.grievances)]


def _cid() -> uuid.UUID:
    return uuid.uuid4()


def build(app, tag: str) -> World:
    run = app.execute
    name = f"Kowloon Research Sisters {tag}"
    coll = run(c.CreateCollective(command_id=_cid(), name=name, kind="worker_collective",
                                  sectors=("domestic_care",), places=("HK",), languages=("en",),
                                  federation=f"Fed {tag}")).id
    world = World(tag=tag, collective=coll, secrets=[name])
    consenting = []
    for i in range(8):
        pseudonym = f"Rosalind{tag}{i}"
        w = run(c.RegisterWorker(command_id=_cid(), profile=c.Profile(pseudonym=pseudonym),
                                 collective_id=coll, joined_on=date(2024, 1, 5))).id
        run(c.GiveConsent(command_id=_cid(), worker_id=w, purpose="research"))
        world.workers.append(w)
        world.secrets.append(pseudonym)
        consenting.append(w)
    refuser_name = f"Nadira{tag}"
    refuser = run(c.RegisterWorker(command_id=_cid(), profile=c.Profile(pseudonym=refuser_name),
                                   collective_id=coll, joined_on=date(2024, 1, 5))).id
    world.workers.append(refuser)
    world.secrets.append(refuser_name)

    def grievance(worker: uuid.UUID, i: int, **kw) -> None:
        description = f"Secret story {tag} number {i}: the agency kept her passport."
        body = dict(category="wages_unpaid_late", sector="domestic_care", place="HK",
                    stage="destination", occurred_on=date(2025, 3, 3) + timedelta(days=i % 20))
        body.update(kw)
        g = run(c.RaiseGrievance(command_id=_cid(), collective_id=coll, worker_ids=(worker,),
                                 description=description, **body)).id
        world.grievances.append(g)
        world.secrets.append(description)

    for i in range(24):  # one big cell: published
        grievance(consenting[i % len(consenting)], i)
    for i, category in enumerate(("documents_confiscated", "threats_intimidation", "deceived_job_terms")):
        grievance(consenting[i], 100 + i, category=category)  # small cells: hidden
    for i in range(3):
        grievance(refuser, 200 + i)  # no research consent: never counted
    return world


@pytest.fixture(scope="session")
def research_accounts(runtime) -> AccountService:
    return AccountService(runtime.app, session_idle=timedelta(minutes=20), hasher=TEST_HASHER)


@pytest.fixture(scope="session")
def research_world(app, runtime) -> World:
    world = build(app, uuid.uuid4().hex[:6])
    settle_views(runtime)
    return world


@pytest.fixture(scope="session")
def role_ids(research_accounts, research_world) -> dict[str, uuid.UUID]:
    tag = research_world.tag
    specs = {
        "researcher": dict(role="researcher"),
        "admin": dict(role="admin"),
        "leader": dict(role="leader", collective_ids=(research_world.collective,)),
        "organiser": dict(role="organiser", federation=f"Fed {tag}"),
    }
    return {role: research_accounts.create_account(f"r-{role}-{tag}", f"pass-{role}-{tag}", **spec)
            for role, spec in specs.items()}


@pytest.fixture
def people(research_accounts, role_ids) -> dict[str, Person]:
    """A fresh session for each role, for each test."""
    out = {}
    for role, account_id in role_ids.items():
        session = research_accounts.start_session(account_id)
        out[role] = Person(role=role, session=session.token, csrf=session.csrf_token)
    return out


@pytest.fixture(scope="package")
async def client(runtime, research_accounts, research_world):
    async with AsyncTestClient(app=create_app(runtime, research_accounts)) as test_client:
        yield test_client
