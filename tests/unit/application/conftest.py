"""The use cases in memory (``organize.persistence.memory``): a fresh ``Organize`` per test,
a small world built through commands, and each role's view of it (``Authorised``), so every
command's accept and refuse paths run in milliseconds, policy included.

The world: federation F1 holds collectives A and A2, federation F2 holds B. A has two
current members (w1, w2), a worker who left (former), a household employer and a recruiter
it recorded, a grievance raised by w1, a campaign it launched, a meeting and an assessment;
B has one member and a grievance of its own. Accounts: a leader of A, a leader of B, an
organiser in F1, a researcher and an admin (their ``Principal``, as the web builds it).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from uuid import UUID

import pytest

from organize import commands as c
from organize.accounts import Principal
from organize.application import Organize, new_id
from organize.application.access import Authorised, authorise
from organize.domain import DIMENSIONS, load_taxonomy
from organize.errors import CommandError
from organize.persistence.memory import MemoryKeyStore, memory_env

DAY = date(2026, 3, 2)
LEVELS = (c.Level(dimension=DIMENSIONS[0], level=2),)
TAXONOMY = load_taxonomy()


def new_app() -> Organize:
    env = memory_env()
    return Organize(env, taxonomy=TAXONOMY, master_key=env["CIPHER_KEY"], keys=MemoryKeyStore())


def cid() -> UUID:
    return uuid.uuid4()


@dataclass
class World:
    app: Organize
    ids: dict[str, UUID] = field(default_factory=dict)
    principals: dict[str, Principal] = field(default_factory=dict)

    def __getattr__(self, name: str) -> UUID:
        try:
            return self.__dict__["ids"][name]
        except KeyError:
            raise AttributeError(name) from None

    def run(self, who: str, command: c.Command) -> c.CommandResult:
        """Run ``command`` as ``who`` (a role key, or "app" for the application itself)."""
        if who == "app":
            return self.app.execute(command)
        principal = self.principals[who]
        if principal.role == "researcher":  # as the research page runs her budget commands
            authorise(self.app, principal, command)
            return self.app.execute(command)
        return Authorised(self.app, principal).execute(command)

    def version(self, aggregate_id: UUID) -> int:
        return self.app.repository.get(aggregate_id).version

    def get(self, aggregate_id: UUID):
        return self.app.repository.get(aggregate_id)

    def head(self) -> int:
        return self.app.recorder.max_notification_id() or 0

    def last_event(self) -> str:
        """The class name of the last event stored (``Grievance.Raised`` → "Raised")."""
        (n,) = self.app.recorder.select_notifications(self.head(), 1)
        return n.topic.rsplit(".", 1)[-1]


def build_world() -> World:
    app = new_app()
    w = World(app)
    run = app.execute
    for key, federation in (("a", "F1"), ("a2", "F1"), ("b", "F2")):
        w.ids[key] = run(c.CreateCollective(
            command_id=cid(), name=f"Collective {key}", kind="worker_collective",
            sectors=("domestic_care", "garment"), places=("HK",), languages=("en",),
            federation=federation)).id
    w.ids["org"] = run(c.CreateOrganisation(command_id=cid(), name="Star Recruiters",
                                            kind="recruiter", place="HK", collective_id=w.a)).id
    w.ids["household"] = run(c.CreateOrganisation(command_id=cid(), name="Household 1",
                                                  kind="household", collective_id=w.a)).id
    w.ids["org_b"] = run(c.CreateOrganisation(command_id=cid(), name="B's employer",
                                              kind="employer", collective_id=w.b)).id
    for key, coll in (("w1", w.a), ("w2", w.a), ("former", w.a), ("wb", w.b)):
        w.ids[key] = run(c.RegisterWorker(command_id=cid(), profile=c.Profile(pseudonym=key),
                                          collective_id=coll, joined_on=date(2025, 1, 1))).id
    run(c.LeaveCollective(command_id=cid(), worker_id=w.former, collective_id=w.a,
                          on=date(2025, 6, 1)))
    run(c.GiveConsent(command_id=cid(), worker_id=w.w1, purpose=f"referral:{w.org}"))
    spell = c.StartSpell(command_id=cid(), worker_id=w.w1, sector="domestic_care",
                         occupation="Carer", place="HK", relationship="direct_employer",
                         paid=True, started_on=date(2025, 1, 2))
    run(spell)
    w.ids["spell"] = new_id(spell.command_id, "spell")
    for key, coll, worker in (("g", w.a, w.w1), ("gb", w.b, w.wb)):
        w.ids[key] = run(c.RaiseGrievance(
            command_id=cid(), collective_id=coll, worker_ids=(worker,),
            category="wages_unpaid_late", sector="domestic_care", place="HK",
            stage="destination", occurred_on=date(2026, 1, 5),
            description="Wages unpaid since January.")).id
    launch = c.LaunchCampaign(command_id=cid(), issue="Pay on time", demands=("Pay monthly",),
                              collective_ids=(w.a,), launched_on=date(2026, 1, 10))
    w.ids["campaign"] = run(launch).id
    w.ids["demand"] = new_id(launch.command_id, "demand:0")
    w.ids["joint"] = run(c.LaunchJointCampaign(
        command_id=cid(), issue="Fees", grievance_ids=(w.gb,), invite_collective_ids=(w.a,),
        launched_on=date(2026, 1, 12))).id
    w.ids["meeting"] = run(c.ScheduleMeeting(
        command_id=cid(), kind="assembly", collective_ids=(w.a,),
        scheduled_for=datetime(2026, 2, 1, 10, tzinfo=UTC), language="en")).id
    w.ids["assessment"] = run(c.RecordAssessment(command_id=cid(), collective_id=w.a,
                                                 assessed_on=date(2026, 1, 31), levels=LEVELS,
                                                 narrative="We grow.")).id
    for key, role, colls, federation in (("leader_a", "leader", (w.a,), None),
                                         ("leader_b", "leader", (w.b,), None),
                                         ("organiser", "organiser", (), "F1"),
                                         ("researcher", "researcher", (), None),
                                         ("admin", "admin", (), None)):
        account = run(c.CreateAccount(command_id=cid(), username=key.replace("_", "-"),
                                      role=role, collective_ids=colls,
                                      federation=federation)).id
        w.ids[f"account_{key}"] = account
        w.principals[key] = Principal(account_id=account, username=key, role=role,
                                      collective_ids=frozenset(colls), federation=federation,
                                      via="session")
    return w


@pytest.fixture
def world() -> World:
    return build_world()


@dataclass(frozen=True)
class Case:
    """One command's paths: ``accept`` (run by ``by``, recording ``event``), ``refuse`` (a
    refusal by the application or the domain, with its error ``code``), and the policy's
    refusal of ``outsider`` (``Forbidden`` for a role that may not, ``NotFound`` out of
    scope)."""

    accept: Callable[[World], c.Command]
    by: str
    event: str
    refuse: Callable[[World], c.Command]
    code: str
    outsider: str
    outsider_error: str  # "Forbidden" or "NotFound"


def check_accept(world: World, case: Case) -> c.CommandResult:
    command = case.accept(world)  # (which may record what it needs first)
    before = world.head()
    result = world.run(case.by, command)
    assert not result.replayed and result.notification_id == world.head() > before
    assert world.last_event() == case.event
    return result


def check_refuse(world: World, case: Case) -> None:
    command = case.refuse(world)
    before = world.head()
    with pytest.raises(CommandError) as refused:
        world.run(case.by, command)
    assert refused.value.code == case.code, refused.value
    assert world.head() == before, "a refused command appended events"


def check_outsider(world: World, case: Case) -> None:
    command = case.accept(world)
    before = world.head()
    with pytest.raises(CommandError) as refused:
        world.run(case.outsider, command)
    assert type(refused.value).__name__ == case.outsider_error, refused.value
    assert world.head() == before, "a refused command appended events"


def case_tests(cases: dict[type[c.Command], Case], table: dict) -> tuple[Callable, ...]:
    """The four tests every use-case module runs over its ``cases``: they cover its
    ``table`` exactly; each is accepted for its role; refused with its code; refused by the
    policy for an outsider. A module binds them to its own names:

        (test_the_cases_cover_the_module, test_accepted, test_refused,
         test_refused_by_the_policy) = case_tests(CASES, grievances.TABLE)
    """

    def test_the_cases_cover_the_module():
        assert set(cases) == set(table)

    by_command = pytest.mark.parametrize("command", cases, ids=lambda k: k.__name__)

    @by_command
    def test_accepted(world, command):
        check_accept(world, cases[command])

    @by_command
    def test_refused(world, command):
        check_refuse(world, cases[command])

    @by_command
    def test_refused_by_the_policy(world, command):
        check_outsider(world, cases[command])

    return test_the_cases_cover_the_module, test_accepted, test_refused, test_refused_by_the_policy


STEPS = (c.ProcedureStep(code="written_complaint", name="Written complaint", days=30,
                         clock="knowledge"),
         c.ProcedureStep(code="meeting", name="Meeting with the employer", days=14,
                         clock="previous_step"))


def procedure(world: World, key: str = "a") -> UUID:
    """The collective's own grievance procedure, defined once (by the application)."""
    from organize.application.procedures import procedure_id  # noqa: PLC0415

    pid = procedure_id(world.ids[key])
    if f"procedure_{key}" not in world.ids:
        world.run("app", c.DefineProcedure(command_id=cid(), collective_id=world.ids[key],
                                           name="Our procedure", steps=STEPS))
        world.ids[f"procedure_{key}"] = pid
    return pid
