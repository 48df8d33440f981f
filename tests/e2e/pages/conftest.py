"""Fixtures for the leaders' pages: the real app (Litestar's test client, in process) over
the session's PostgreSQL, with a projection runner following the log (so read-your-writes
has something to wait for), a demo-sized collective built through commands and a small
second collective, and a leader's session for each.

"Ours" is the size the page-weight budget is measured at, that of the demo's largest
collective: 62 workers (with overlapping and cross-sector work spells and consents), 222
grievances (some with several workers, followed through with referrals, negotiations and
outcomes), 40 meetings (30 held, with attendance, facilitators, speakers and decisions; 10 to
come), 3 campaigns, a self-assessment, and 180 organisations to choose from (the demo has 183).
"""

from __future__ import annotations

import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from argon2 import PasswordHasher
from litestar.testing import AsyncTestClient

from organize import commands as c
from organize.accounts import AccountService
from organize.application import new_id
from tests.support import settle_views
from web.app import create_app

TEST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
PSEUDONYMS = (
    "Asha", "Bina", "Chandra", "Devi", "Esha", "Farida", "Gita", "Hasina", "Indira", "Jaya",
    "Kamala", "Laila", "Maya", "Nasrin", "Oshin", "Puja", "Rekha", "Sabina", "Tara", "Usha",
    "Vani", "Yasmin", "Zarina", "Amina", "Beauty", "Champa", "Dipa", "Era", "Fatema", "Ganga",
    "Hira", "Ishita", "Joya", "Kiran", "Lata", "Mina", "Nila", "Parbati", "Rupa", "Sita",
    "Tulsi", "Uma", "Bimala", "Anjali", "Rosa", "Maria", "Siti", "Dewi", "Ratna", "Lestari",
    "Nur", "Wati", "Joy", "Grace", "Sunita", "Kalpana", "Shanti", "Rina", "Meena", "Sapna",
    "Kavita", "Roshni",
)
SECTORS = ("domestic_care", "garment", "hospitality", "unpaid_care", "street_vending")
STAGES = ("recruitment", "transit", "destination", "exit")


@dataclass
class Side:
    collective: uuid.UUID
    workers: list[uuid.UUID] = field(default_factory=list)
    grievances: list[uuid.UUID] = field(default_factory=list)
    meetings: list[uuid.UUID] = field(default_factory=list)
    upcoming: list[uuid.UUID] = field(default_factory=list)
    campaigns: list[uuid.UUID] = field(default_factory=list)
    organisations: list[uuid.UUID] = field(default_factory=list)
    referral_org: uuid.UUID | None = None


@dataclass
class Leader:
    session: str
    csrf: str

    def headers(self, lang: str | None = None, **extra: str) -> dict[str, str]:
        out = {"Cookie": f"organize_session={self.session}", **extra}
        if lang:
            out["Accept-Language"] = lang
        return out


def cid() -> uuid.UUID:
    return uuid.uuid4()


def build_ours(app, tag: str) -> Side:
    """The demo-sized collective, through commands (a few seconds)."""
    rng = random.Random(4)
    run = app.execute
    today = datetime.now(UTC).date()
    start = today - timedelta(days=600)
    coll = run(c.CreateCollective(command_id=cid(), name=f"Kowloon Sisters {tag}",
                                  kind="worker_collective", sectors=("domestic_care", "garment"),
                                  places=("HK",), languages=("ne", "bn", "en"),
                                  federation=f"Fed {tag}")).id
    side = Side(collective=coll)
    # As many organisations as the demo has (183): households are employers too.
    kinds = (["employer"] * 150) + ["recruiter"] * 25 + ["union", "ngo", "shelter",
                                                         "labour_office", "womens_rights_group"]
    for i, kind in enumerate(kinds):
        name = f"Household {i + 1}" if kind == "employer" else f"{kind.replace('_', ' ').title()} {i}"
        side.organisations.append(run(c.CreateOrganisation(command_id=cid(), name=name, kind=kind,
                                                           place="HK")).id)
    side.referral_org = side.organisations[kinds.index("ngo")]
    for i, pseudonym in enumerate(PSEUDONYMS):
        joined = start + timedelta(days=rng.randint(0, 300))
        worker = run(c.RegisterWorker(command_id=cid(), profile=c.Profile(pseudonym=pseudonym),
                                      collective_id=coll, joined_on=joined)).id
        side.workers.append(worker)
        if i % 2 == 0:
            run(c.GiveConsent(command_id=cid(), worker_id=worker, purpose="contact"))
        if i % 3 == 0:
            run(c.GiveConsent(command_id=cid(), worker_id=worker, purpose="research"))
        if i % 4 == 0:
            run(c.GiveConsent(command_id=cid(), worker_id=worker,
                              purpose=f"referral:{side.referral_org}"))
        spell_start = joined - timedelta(days=rng.randint(200, 900))
        for j in range(1 + i % 3):  # one to three spells, the later ones overlapping
            sector = SECTORS[(i + j) % len(SECTORS)]
            run(c.StartSpell(command_id=cid(), worker_id=worker, sector=sector,
                             occupation="Cleaner" if j else "Carer", place="HK",
                             relationship="unpaid" if sector == "unpaid_care" else "direct_employer",
                             paid=sector != "unpaid_care",
                             started_on=spell_start + timedelta(days=120 * j)))
    taxonomy = app.taxonomy
    categories = [e.code for e in taxonomy.entries("categories")]
    for i in range(222):
        parties = rng.sample(side.workers, 1 + (i % 4 == 0) + (i % 10 == 0))
        occurred = start + timedelta(days=rng.randint(0, 595))
        g = run(c.RaiseGrievance(
            command_id=cid(), collective_id=coll, worker_ids=tuple(parties),
            category=categories[i % len(categories)], sector=SECTORS[i % 2], place="HK",
            stage=STAGES[i % len(STAGES)], organisation_ids=(side.organisations[i % 14],),
            occurred_on=occurred,
            description=f"Wages held back for {1 + i % 5} months; the agency kept her passport.")).id
        side.grievances.append(g)
        on = min(today, occurred + timedelta(days=10))
        if i % 3 == 0:
            run(c.NoteEvidence(command_id=cid(), grievance_id=g, note="Payslips and messages kept.",
                               on=on))
        if i % 5 == 0:
            run(c.RecordNegotiation(command_id=cid(), grievance_id=g, held_on=on,
                                    with_organisation_id=side.organisations[i % 14],
                                    notes="The employer agreed to pay half now."))
        if i % 4 == 1:
            run(c.RecordOutcome(command_id=cid(), grievance_id=g, outcome="wages_recovered",
                                amount=Decimal("1500"), currency="HKD", on=on))
        elif i % 9 == 2:
            run(c.WithdrawGrievance(command_id=cid(), grievance_id=g, on=on))
    for i in range(40):
        held = i < 30
        when = (datetime.combine(today - timedelta(days=12 * (30 - i)), datetime.min.time(), UTC)
                if held else datetime.combine(today + timedelta(days=3 + 7 * (i - 30)),
                                              datetime.min.time(), UTC)) + timedelta(hours=14)
        m = run(c.ScheduleMeeting(command_id=cid(), kind=("assembly", "committee", "training")[i % 3],
                                  collective_ids=(coll,), scheduled_for=when, language="ne")).id
        if held:
            present = rng.sample(side.workers, 18)
            run(c.RecordMeetingHeld(command_id=cid(), meeting_id=m, held_at=when,
                                    attendee_ids=tuple(present), facilitator_ids=tuple(present[:2]),
                                    speaker_ids=tuple(present[:6]), language="ne",
                                    decisions=("Visit the labour office together.",
                                               "Collect payslips before the next meeting.")))
            side.meetings.append(m)
        else:
            side.upcoming.append(m)
    for i in range(3):
        launch = c.LaunchCampaign(command_id=cid(), issue=f"A weekly rest day, campaign {i + 1}",
                                  demands=("One day off every week", "Overtime paid"),
                                  collective_ids=(coll,), launched_on=start + timedelta(days=100 * i))
        p = run(launch).id
        side.campaigns.append(p)
        run(c.TakeAction(command_id=cid(), campaign_id=p, kind="petition",
                         taken_on=start + timedelta(days=100 * i + 20),
                         participant_ids=tuple(side.workers[:20]), collective_ids=(coll,)))
        if i == 0:
            run(c.ResolveDemand(command_id=cid(), campaign_id=p,
                                demand_id=new_id(launch.command_id, "demand:0"), result="partly_won",
                                on=start + timedelta(days=60)))
            run(c.SignAgreement(command_id=cid(), campaign_id=p,
                                with_organisation_id=side.organisations[10],
                                signed_on=start + timedelta(days=80),
                                clauses=("A rest day every week", "Overtime paid at 1.5 times")))
    run(c.RecordAssessment(command_id=cid(), collective_id=coll, assessed_on=today - timedelta(days=7),
                           levels=tuple(c.Level(dimension=d, level=2) for d in (
                               "issue_dynamism", "collective_voice", "leadership", "alliances")),
                           narrative="More of us lead meetings now; the agencies still scare us."))
    return side


def build_theirs(app, tag: str) -> Side:
    run = app.execute
    coll = run(c.CreateCollective(command_id=cid(), name=f"Dhaka Garment {tag}",
                                  kind="union_branch", sectors=("garment",), places=("BD-DHA",),
                                  languages=("bn",), federation=f"Other {tag}")).id
    side = Side(collective=coll)
    w = run(c.RegisterWorker(command_id=cid(), profile=c.Profile(pseudonym="Shirin"),
                             collective_id=coll, joined_on=date(2025, 1, 5))).id
    side.workers.append(w)
    side.grievances.append(run(c.RaiseGrievance(
        command_id=cid(), collective_id=coll, worker_ids=(w,), category="wages_unpaid_late",
        sector="garment", place="BD-DHA", stage="destination", occurred_on=date(2025, 3, 1),
        description="Unpaid.")).id)
    side.meetings.append(run(c.ScheduleMeeting(
        command_id=cid(), kind="assembly", collective_ids=(coll,),
        scheduled_for=datetime(2030, 1, 1, 10, tzinfo=UTC), language="bn")).id)
    side.campaigns.append(run(c.LaunchCampaign(
        command_id=cid(), issue="Safe factories", demands=("Fire exits",), collective_ids=(coll,),
        launched_on=date(2025, 2, 1))).id)
    return side


@dataclass
class World:
    ours: Side
    theirs: Side
    leader: Leader  # a leader of ours
    other: Leader  # a leader of theirs only


@pytest.fixture(scope="session")
def page_accounts(runtime) -> AccountService:
    return AccountService(runtime.app, session_idle=timedelta(minutes=20), hasher=TEST_HASHER)


@pytest.fixture(scope="session")
def world(app, runtime, page_accounts) -> World:
    tag = uuid.uuid4().hex[:6]
    started = time.monotonic()
    ours, theirs = build_ours(app, tag), build_theirs(app, tag)
    built = time.monotonic()
    settle_views(runtime)
    print(f"\n[web_pages] data built in {built - started:.1f}s, views caught up in "
          f"{time.monotonic() - built:.1f}s")

    def leader(collective: uuid.UUID, name: str) -> Leader:
        account = page_accounts.create_account(f"{name}-{tag}", f"pass-{name}-{tag}", role="leader",
                                               collective_ids=(collective,))
        session = page_accounts.start_session(account)
        return Leader(session=session.token, csrf=session.csrf_token)

    return World(ours=ours, theirs=theirs, leader=leader(ours.collective, "leader-ours"),
                 other=leader(theirs.collective, "leader-theirs"))


@pytest.fixture(scope="package")
def follower(runtime, world):
    """A projection runner following the log while the page tests run (and only then: other
    packages' tests drive the views themselves)."""
    runner = runtime.runner()
    thread = runner.start()
    yield runner
    runner.stop()
    thread.join(timeout=5)


@pytest.fixture(scope="package")
async def client(runtime, page_accounts, world, follower):
    async with AsyncTestClient(app=create_app(runtime, page_accounts)) as test_client:
        yield test_client


# -- a federation for the organisers' pages --------------------------------------------------


@dataclass
class Federation:
    """Ours' federation, with a sister collective in another sector whose grievances share
    a category and an employer with ours (a cross-sector common grievance), an organiser of
    it, an organiser of the other federation, the sister's leader, and an admin."""

    name: str
    other: str  # theirs' federation
    sister: Side
    organiser: Leader
    other_organiser: Leader
    sister_leader: Leader
    admin: Leader
    category: str  # of the common grievance ours and the sister share
    organisation: uuid.UUID  # ... against this employer


def build_sister(app, ours: Side, federation: str, tag: str) -> tuple[Side, str]:
    run = app.execute
    coll = run(c.CreateCollective(command_id=cid(), name=f"Ap Lei Chau Hotel Workers {tag}",
                                  kind="worker_collective", sectors=("hospitality",),
                                  places=("HK",), languages=("en",), federation=federation)).id
    side = Side(collective=coll)
    category = [e.code for e in app.taxonomy.entries("categories")][0]
    for i, name in enumerate(("Lin", "Mei", "Ruth", "Ana")):
        w = run(c.RegisterWorker(command_id=cid(), profile=c.Profile(pseudonym=f"{name} {tag}"),
                                 collective_id=coll, joined_on=date(2025, 2, 1))).id
        side.workers.append(w)
        run(c.StartSpell(command_id=cid(), worker_id=w, sector="hospitality", occupation="Cleaner",
                         place="HK", relationship="direct_employer", paid=True,
                         started_on=date(2024, 5, 1) + timedelta(days=30 * i)))
        side.grievances.append(run(c.RaiseGrievance(
            command_id=cid(), collective_id=coll, worker_ids=(w,), category=category,
            sector="hospitality", place="HK", stage="destination",
            organisation_ids=(ours.organisations[0],), occurred_on=date(2025, 6, 1) + timedelta(days=i),
            description=f"Wages held back, worker {i}.")).id)
    return side, category


@pytest.fixture(scope="session")
def federation(app, runtime, page_accounts, world) -> Federation:
    from organize.domain import Collective

    tag = uuid.uuid4().hex[:6]
    name = app.repository.get(world.ours.collective).federation
    other = app.repository.get(world.theirs.collective).federation
    assert isinstance(app.repository.get(world.ours.collective), Collective)
    sister, category = build_sister(app, world.ours, name, tag)
    settle_views(runtime)

    def account(username: str, **grant) -> Leader:
        account_id = page_accounts.create_account(f"{username}-{tag}", f"pass-{username}-{tag}", **grant)
        session = page_accounts.start_session(account_id)
        return Leader(session=session.token, csrf=session.csrf_token)

    return Federation(
        name=name, other=other, sister=sister, category=category,
        organisation=world.ours.organisations[0],
        organiser=account("organiser", role="organiser", federation=name),
        other_organiser=account("organiser-other", role="organiser", federation=other),
        sister_leader=account("leader-sister", role="leader", collective_ids=(sister.collective,)),
        admin=account("admin", role="admin"))
