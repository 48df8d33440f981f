"""Fixtures for the web tests: the real app (Litestar's test client, in process) over the
session's PostgreSQL, two collectives in two federations with something of every kind in
each, and one account per role.

Each test talks to the app as a role: a bearer token for the API, or a session cookie (and
its CSRF token) for pages. ``call`` clears the client's cookie jar before every request, so
one role's session never leaks into another's request.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from datetime import timedelta as td

import pytest
from argon2 import PasswordHasher
from litestar.testing import AsyncTestClient

from organize import commands as c
from organize.accounts import AccountService
from organize.application import new_id
from tests.integration import support as h
from tests.support import settle_views
from web.app import create_app

ROLES = ("anonymous", "leader_a", "leader_b", "organiser", "researcher", "admin")
# A cheap hash keeps the tests quick; the service's default is argon2id's RFC 9106 profile.
TEST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@dataclass
class Side:
    """One collective and something of every kind in it."""

    name: str
    federation: str
    collective: uuid.UUID
    worker: uuid.UUID
    worker2: uuid.UUID
    erasable: uuid.UUID  # a worker the tests may erase
    spell: uuid.UUID
    grievance: uuid.UUID
    campaign: uuid.UUID
    demand: uuid.UUID
    meeting: uuid.UUID
    assessment: uuid.UUID
    employer: uuid.UUID  # recorded by this collective: its federation sees it
    household: uuid.UUID  # a private household employer: only this collective sees it
    bargaining: uuid.UUID | None = None  # a round with its employer, at the table


@dataclass
class World:
    """A and A2 in one federation, B in another; what the access policy must tell apart:

    - ``mover`` was a member of A, left it, and is now in A2, where her new collective records
      her ``secrets`` (a spell's occupation, a status note): A keeps her pseudonym on its old
      grievance (``mover_grievance``) and reads nothing more;
    - ``erased``: a worker of A, erased;
    - ``joint_meeting``: A and B met; each side's attendees are counted for the other, never
      named;
    - ``joint_campaign``: launched from A's and A2's grievances, A joined, A2 and B invited.
    """

    a: Side
    b: Side
    organisation: uuid.UUID
    a2: Side | None = None
    mover: uuid.UUID | None = None
    mover_grievance: uuid.UUID | None = None
    erased: uuid.UUID | None = None
    joint_meeting: uuid.UUID | None = None
    joint_campaign: uuid.UUID | None = None
    secrets: tuple[str, ...] = ()

    def side(self, name: str) -> Side:
        return {"A": self.a, "B": self.b, "A2": self.a2}[name]

    def ids(self, name: str) -> set[uuid.UUID]:
        """Every id of one side: none of them may show up for a role that cannot see it."""
        s = self.side(name)
        return {s.collective, s.worker, s.worker2, s.erasable, s.grievance, s.campaign, s.meeting,
                s.assessment, s.employer, s.household}


@dataclass
class Auth:
    """How a role authenticates: a bearer token, or a session and its CSRF token."""

    role: str
    username: str | None = None
    password: str | None = None
    account_id: uuid.UUID | None = None
    token: str | None = None
    session: str | None = None
    csrf: str | None = None
    extra: dict = field(default_factory=dict)


def _side(app, name: str, federation: str, place: str) -> Side:
    coll = app.execute(h.create_collective(name=f"Collective {name}", federation=federation,
                                           places=(place,))).id
    w1 = app.execute(h.register_worker(coll, pseudonym=f"Asha {name}")).id
    w2 = app.execute(h.register_worker(coll, pseudonym=f"Bina {name}")).id
    w3 = app.execute(h.register_worker(coll, pseudonym=f"Chandra {name}")).id
    spell_cmd = c.StartSpell(command_id=h.cid(), worker_id=w1, sector="domestic_care",
                             occupation="Cook", place=place, relationship="direct_employer",
                             paid=True, started_on=date(2024, 6, 1))
    app.execute(spell_cmd)
    grievance = app.execute(h.raise_grievance(coll, [w1], place=place)).id
    launch = c.LaunchCampaign(command_id=h.cid(), issue=f"Weekly rest day {name}",
                              demands=("One day off every week",), collective_ids=(coll,),
                              launched_on=date(2025, 2, 1))
    campaign = app.execute(launch).id
    meeting = app.execute(c.ScheduleMeeting(
        command_id=h.cid(), kind="assembly", collective_ids=(coll,),
        scheduled_for=datetime(2025, 3, 2, 14, tzinfo=UTC), language="en")).id
    assessment = app.execute(c.RecordAssessment(
        command_id=h.cid(), collective_id=coll, assessed_on=date(2025, 3, 1),
        levels=(c.Level(dimension="collective_voice", level=2),), narrative="Growing.")).id
    employer = app.execute(c.CreateOrganisation(
        command_id=h.cid(), name=f"Factory {name}", kind="employer", collective_id=coll)).id
    household = app.execute(c.CreateOrganisation(
        command_id=h.cid(), name=f"Household {name}", kind="household", collective_id=coll)).id
    app.execute(c.DefineProcedure(command_id=h.cid(), collective_id=coll, name=f"Procedure {name}",
                                  steps=(c.ProcedureStep(code="complaint", name="Complaint",
                                                         days=30),)))
    bargaining = app.execute(c.OpenBargaining(
        command_id=h.cid(), collective_id=coll, counterpart_id=employer, team_ids=(w1,),
        opened_on=date(2025, 2, 1))).id
    return Side(name=name, federation=federation, collective=coll, worker=w1, worker2=w2, erasable=w3,
                employer=employer, household=household, bargaining=bargaining,
                spell=new_id(spell_cmd.command_id, "spell"), grievance=grievance,
                campaign=campaign, demand=new_id(launch.command_id, "demand:0"), meeting=meeting,
                assessment=assessment)


@pytest.fixture(scope="session")
def accounts(runtime) -> AccountService:
    return AccountService(runtime.app, session_idle=td(minutes=20), hasher=TEST_HASHER)


@pytest.fixture(scope="session")
def world(app, runtime) -> World:
    tag = uuid.uuid4().hex[:6]
    organisation = app.execute(h.create_organisation(name=f"Agency {tag}", kind="recruiter")).id
    world = World(a=_side(app, "A", f"North {tag}", "HK"), b=_side(app, "B", f"South {tag}", "BD-DHA"),
                  organisation=organisation)
    _relations(app, world, tag)
    settle_views(runtime)
    return world


def _relations(app, world: World, tag: str) -> None:
    """What ``World``'s docstring promises beyond the two sides."""
    a, b = world.a, world.b
    world.a2 = a2 = _side(app, "A2", a.federation, "HK")
    mover = app.execute(c.RegisterWorker(
        command_id=h.cid(), profile=c.Profile(pseudonym=f"Dipa {tag}", legal_name=f"Legal {tag}"),
        collective_id=a.collective, joined_on=date(2024, 1, 5))).id
    world.mover_grievance = app.execute(h.raise_grievance(a.collective, [mover],
                                                          occurred_on=date(2024, 6, 1))).id
    app.execute(c.LeaveCollective(command_id=h.cid(), worker_id=mover, collective_id=a.collective,
                                  on=date(2025, 1, 1)))
    app.execute(c.JoinCollective(command_id=h.cid(), worker_id=mover, collective_id=a2.collective,
                                 on=date(2025, 1, 2)))
    world.secrets = (f"Secretjob{tag}", f"Secretstatus{tag}")
    app.execute(c.StartSpell(command_id=h.cid(), worker_id=mover, sector="garment",
                             occupation=world.secrets[0], place="HK", relationship="direct_employer",
                             paid=True, started_on=date(2025, 1, 3)))
    app.execute(c.ChangeStatus(command_id=h.cid(), worker_id=mover, on=date(2025, 1, 4),
                               change=c.StatusChange(status_kind="document", status="expired",
                                                     note=world.secrets[1])))
    app.execute(c.GiveConsent(command_id=h.cid(), worker_id=mover, purpose="contact"))
    world.mover = mover
    # Recorded outside the policy (an import, an admin): A2's worker and grievance name the
    # household A recorded. Nobody but A (and an admin) may see that household, even there.
    app.execute(c.StartSpell(command_id=h.cid(), worker_id=a2.worker, sector="domestic_care",
                             occupation="Helper", place="HK", employer_id=a.household,
                             relationship="direct_employer", paid=True, started_on=date(2024, 1, 1)))
    app.execute(h.raise_grievance(a2.collective, [a2.worker], organisation_ids=(a.household,)))
    erased = app.execute(h.register_worker(a.collective, pseudonym=f"Gone {tag}")).id
    app.execute(c.EraseWorker(command_id=h.cid(), worker_id=erased))
    world.erased = erased
    meeting = app.execute(c.ScheduleMeeting(
        command_id=h.cid(), kind="cross_sector", collective_ids=(a.collective, b.collective),
        scheduled_for=datetime(2025, 4, 2, 10, tzinfo=UTC), language="en",
        agenda_grievance_ids=(a.grievance, b.grievance))).id
    app.execute(c.RecordMeetingHeld(
        command_id=h.cid(), meeting_id=meeting, held_at=datetime(2025, 4, 2, 10, tzinfo=UTC),
        attendee_ids=(a.worker, b.worker, b.worker2), facilitator_ids=(a.worker,),
        speaker_ids=(b.worker,), language="en"))
    world.joint_meeting = meeting
    campaign = app.execute(c.LaunchJointCampaign(
        command_id=h.cid(), issue=f"Joint {tag}", demands=("Return the passports",),
        grievance_ids=(a.grievance, a2.grievance), invite_collective_ids=(b.collective,),
        launched_on=date(2025, 4, 1))).id
    app.execute(c.AcceptCampaignInvitation(command_id=h.cid(), campaign_id=campaign,
                                           collective_id=a.collective, on=date(2025, 4, 3)))
    world.joint_campaign = campaign


@pytest.fixture(scope="session")
def role_accounts(accounts, world) -> dict[str, Auth]:
    """One account per role, each with an API token."""
    tag = uuid.uuid4().hex[:6]
    specs = {
        "leader_a": dict(role="leader", collective_ids=(world.a.collective,)),
        "leader_b": dict(role="leader", collective_ids=(world.b.collective,)),
        "organiser": dict(role="organiser", federation=world.a.federation),
        "researcher": dict(role="researcher"),
        "admin": dict(role="admin"),
    }
    out = {"anonymous": Auth(role="anonymous")}
    for role, spec in specs.items():
        username = f"{role.replace('_', '-')}-{tag}"
        password = f"pass-{role}-{tag}"
        account_id = accounts.create_account(username, password, **spec)
        _, token = accounts.create_token(account_id, "tests")
        out[role] = Auth(role=role, username=username, password=password, account_id=account_id,
                         token=token)
    return out


@pytest.fixture
def people(accounts, role_accounts) -> dict[str, Auth]:
    """The role accounts, each with a live session of its own test (another test may have
    ended or expired the last one)."""
    out = {}
    for role, auth in role_accounts.items():
        if auth.account_id is None:
            out[role] = auth
            continue
        session = accounts.start_session(auth.account_id)
        out[role] = replace(auth, session=session.token, csrf=session.csrf_token)
    return out


@pytest.fixture(scope="session")
async def client(runtime, accounts, world):
    async with AsyncTestClient(app=create_app(runtime, accounts)) as test_client:
        yield test_client


def headers_for(auth: Auth | None, *, via: str = "token", csrf: bool = True) -> dict[str, str]:
    if auth is None or auth.role == "anonymous":
        return {}
    if via == "token":
        return {"Authorization": f"Bearer {auth.token}"}
    out = {"Cookie": f"organize_session={auth.session}"}
    if csrf:
        out["X-CSRF-Token"] = auth.csrf
    return out


async def call(client, method: str, path: str, auth: Auth | None = None, *, via: str = "token",
               csrf: bool = True, headers: dict[str, str] | None = None, **kwargs):
    client.cookies.clear()
    merged = {**headers_for(auth, via=via, csrf=csrf), **(headers or {})}
    kwargs.setdefault("follow_redirects", False)
    return await client.request(method, path, headers=merged, **kwargs)


SECURITY_HEADERS = {
    "content-security-policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
                               "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; "
                               "form-action 'self'",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
}


def header_problems(r) -> list[str]:
    """What a response lacks of the security headers (and ``no-store``, but for static files)."""
    problems = [f"{k}: {r.headers.get(k)!r}" for k, v in SECURITY_HEADERS.items()
                if r.headers.get(k) != v]
    static = r.request.url.path.startswith("/static/") and r.status_code < 400
    if not static and r.headers.get("cache-control") != "no-store":
        problems.append(f"cache-control: {r.headers.get('cache-control')!r}")
    return problems


def max_id(app) -> int:
    return app.recorder.max_notification_id() or 0
