"""The access policy, tried as an insider with a legitimate account would try it.

- **The command matrix** is generated from ``organize.application.RULES``: every command × every
  role × every relation of its ids to the account (own collective, another collective of the
  same federation, another federation, a worker who left, an erased worker, an id nobody
  has), through real HTTP, each cell expecting what the policy says: allowed (the command
  reaches the application), 403 (the role may not) or 404 (out of scope, word for word as
  missing), with nothing appended on a refusal.
- **The scan** crawls every read route and every page each role can reach (following the
  links of every page it gets), and searches every byte of every answer for the ids, names
  and texts that role must not learn.
- **The README's table** is checked against the policy, so the two cannot drift.
"""

from __future__ import annotations

import html
import re
import uuid
from dataclasses import fields, replace
from datetime import date
from pathlib import Path
from urllib.parse import quote

import pytest

from organize import commands as c
from organize.application import RULES
from organize.application.access import may_run
from tests.e2e.auth.conftest import ROLES, Side, call, header_problems, max_id
from tests.e2e.auth.support import READS, command_body
from web.api.commands import COMMAND_ROUTES

pytestmark = pytest.mark.integration

POLICY_ROLE = {"leader_a": "leader", "leader_b": "leader", "organiser": "organiser",
               "admin": "admin"}
RELATIONS = ("own", "same_federation", "other_federation", "former_member", "erased_worker",
             "unknown_id")
# Which relations lie in each role's scope (the organiser organises in A's federation; a
# worker who moved from A to A2 is a current member there).
IN_SCOPE = {
    "leader_a": {"own", "erased_worker"},
    "leader_b": {"other_federation"},
    "organiser": {"own", "same_federation", "former_member", "erased_worker"},
    "admin": {"own", "same_federation", "other_federation", "former_member", "erased_worker"},
}


def _side_for(world, relation: str) -> Side:
    a = world.a
    if relation == "own":
        return a
    if relation == "same_federation":
        return world.a2
    if relation == "other_federation":
        return world.b
    if relation == "former_member":
        return replace(a, worker=world.mover, worker2=world.mover, erasable=world.mover)
    if relation == "erased_worker":
        return replace(a, worker=world.erased, worker2=world.erased, erasable=world.erased)
    unknown = {f.name: uuid.uuid4() for f in fields(Side)
               if f.name not in ("name", "federation")}
    return Side(name="A", federation=a.federation, **unknown)


# The duties of each role (DOMAIN.md, issue 12), written out here by hand so that loosening
# the policy fails this test rather than moving its expectation along with it.
ORGANISERS_MAY = {
    c.CreateCollective, c.RenameCollective, c.UpdateCollectiveProfile, c.SetCollectiveTimeZone,
    c.FormAlliance,
    c.EndAlliance, c.CreateOrganisation, c.RenameOrganisation, c.CorrectOrganisationKind,
    c.WithdrawOrganisation, c.LaunchJointCampaign,
    c.AddDemand, c.TakeAction, c.ResolveDemand, c.CorrectDemand, c.WithdrawDemand,
    c.SignAgreement, c.CloseCampaign,
    c.ScheduleMeeting, c.RecordMeetingHeld, c.CancelMeeting, c.CorrectMeeting,
    c.CorrectAttendance, c.RecordAssessment, c.ReviseAssessment,
}
LEADERS_MAY_NOT = {c.CreateCollective, c.LaunchJointCampaign, c.CreateAccount, c.GrantRole,
                   c.RevokeRole, c.DisableAccount, c.SpendPrivacyBudget, c.SetPrivacyBudget}
# Commands that write a worker's file or name her: only her current collective may.
NAMES_A_WORKER = {
    c.UpdateWorkerProfile, c.JoinCollective, c.LeaveCollective, c.GiveConsent, c.WithdrawConsent,
    c.StartSpell, c.EndSpell, c.CorrectSpell, c.WithdrawSpell, c.RecordMove, c.ChangeStatus,
    c.EraseWorker, c.RaiseGrievance,
    c.JoinGrievance, c.ReferGrievance, c.TakeAction, c.RecordMeetingHeld, c.CorrectAttendance,
    c.PlanDeparture, c.OpenBargaining, c.RecordBargainingSession,
}
ACCOUNT_COMMANDS = {c.CreateAccount, c.GrantRole, c.RevokeRole, c.DisableAccount}


def duty(role: str, command: type[c.Command]) -> bool:
    if role == "admin":
        return True
    if command in (c.SpendPrivacyBudget, c.SetPrivacyBudget):  # research, not organising
        return role == "researcher" and command is c.SpendPrivacyBudget
    if role == "organiser":
        return command in ORGANISERS_MAY
    return role == "leader" and command not in LEADERS_MAY_NOT


def test_the_policy_grants_exactly_the_duties():
    for command in RULES:
        for role in ("leader", "organiser", "admin", "researcher"):
            assert may_run(role, command) == duty(role, command), (role, command.__name__)


def _names_ids(body: dict) -> bool:
    """Whether a command body names any aggregate (an id besides its own command id)."""
    def is_id(v) -> bool:
        try:
            uuid.UUID(str(v))
            return True
        except ValueError:
            return False
    return any(k != "command_id" and (is_id(v) or (isinstance(v, list) and any(map(is_id, v))))
               for k, v in body.items())


def expectation(command: type[c.Command], role: str, relation: str, body: dict) -> str:
    """What one cell must answer: "allowed", "401", "403" or "404"."""
    if role == "anonymous":
        return "401"
    if role == "researcher":
        return "403"
    if not duty(POLICY_ROLE[role], command):
        return "403"
    if command is c.CreateCollective and role == "organiser":
        return "403" if relation == "other_federation" else "allowed"
    if command is c.TakeAction and role == "organiser" and body.get("participant_ids"):
        return "403"
    touched = _names_ids(body)
    if relation == "unknown_id":
        return "404" if touched else "allowed"
    if not touched or relation in IN_SCOPE[role]:
        return "allowed"
    if role == "leader_a" and relation == "former_member":
        # The collective she left keeps its own things, but not her.
        return "404" if command in NAMES_A_WORKER else "allowed"
    return "404"


async def test_command_matrix_generated_from_the_policy(client, app, world, people):
    routes = {command: f"/api/v1/{area}/{action}" for area, action, command in COMMAND_ROUTES}
    assert set(routes) <= set(RULES)
    failures, cells = [], 0
    for command in sorted(routes, key=lambda k: k.__name__):
        for relation in RELATIONS:
            side = _side_for(world, relation)
            for role in ROLES:
                body = command_body(command, world, side)
                expect = expectation(command, role, relation, body)
                before = max_id(app)
                r = await call(client, "POST", routes[command], people[role], json=body)
                cells += 1
                where = f"{command.__name__} [{relation}] as {role}"
                failures += [f"{where}: {p}" for p in header_problems(r)]
                if expect == "allowed":
                    ok = r.status_code in (200, 201) or (
                        r.status_code in (409, 422) and r.json()["error"] != "not_found")
                else:
                    ok = r.status_code == int(expect) and max_id(app) == before
                    if ok and expect == "404":
                        ok = r.json()["error"] == "not_found"
                if not ok:
                    failures.append(f"{where}: expected {expect}, got {r.status_code} {r.text[:150]}")
                if command is c.LeaveCollective and r.status_code == 200:
                    # Put her back, so later cells still find a current member.
                    app.execute(c.JoinCollective(command_id=uuid.uuid4(), worker_id=side.worker2,
                                                 collective_id=side.collective,
                                                 on=date(2025, 12, 2)))
    assert cells == len(routes) * len(RELATIONS) * len(ROLES)
    assert not failures, f"{len(failures)} of {cells} cells wrong:\n" + "\n".join(failures)


# -- the scan -------------------------------------------------------------------------------------


def _side_words(s: Side, *, federation: bool = False) -> set[str]:
    """One side's ids and names; ``federation``: for a reader of the same federation, who may
    see the employers its collectives record (never their households)."""
    ids = {s.collective, s.worker, s.worker2, s.erasable, s.grievance, s.campaign, s.meeting,
           s.assessment, s.household}
    names = {f"Collective {s.name}", f"Asha {s.name}", f"Bina {s.name}", f"Chandra {s.name}",
             f"Household {s.name}", f"Weekly rest day {s.name}"}
    if not federation:
        ids.add(s.employer)
        names.add(f"Factory {s.name}")
    return {str(i) for i in ids} | names


def forbidden(world, role: str) -> set[str]:
    """Everything one role must never read, in any answer."""
    a, a2, b = world.a, world.a2, world.b
    mover_private = {*world.secrets, f"Legal {world.secrets[0][9:]}"}
    households = {f"Household {s.name}" for s in (a, a2, b)} | {str(s.household) for s in (a, a2, b)}
    if role == "admin":
        return set()
    if role == "leader_a":
        return _side_words(a2, federation=True) | _side_words(b) | mover_private
    if role == "leader_b":
        return (_side_words(a) | _side_words(a2) | mover_private
                | {str(world.mover), str(world.mover_grievance), str(world.erased)})
    if role == "organiser":
        return _side_words(b) | mover_private | households
    return (_side_words(a) | _side_words(a2) | _side_words(b) | mover_private
            | {str(world.mover), str(world.joint_meeting), str(world.joint_campaign)})


def seeds(world) -> list[str]:
    out = ["/c", "/account", "/research"]
    for name in ("A", "A2", "B"):
        s = world.side(name)
        out += [fn(world, s) for fn in READS.values()]
        out += [f"/c/{s.collective}", f"/o?f={quote(s.federation)}"]
        out += [f"/api/v1/organisations/{x}" for x in (s.employer, s.household)]
        for path in ("overview", "clusters?min_grievances=1", "board", "flows"):
            out.append(f"/api/v1/federations/{quote(s.federation)}/{path}")
    a = world.a
    joint = [f"/api/v1/meetings/{world.joint_meeting}",
             f"/api/v1/views/meetings/{world.joint_meeting}/attendance",
             f"/api/v1/campaigns/{world.joint_campaign}",
             f"/api/v1/views/campaigns/{world.joint_campaign}",
             f"/api/v1/campaigns/{world.joint_campaign}/invitations",
             f"/api/v1/indicators/campaigns/{world.joint_campaign}",
             f"/api/v1/workers/{world.mover}", f"/api/v1/views/workers/{world.mover}/trajectory",
             f"/api/v1/workers/{world.erased}", f"/api/v1/grievances/{world.mover_grievance}"]
    for s in (a, world.a2, world.b):
        joint += [f"/c/{s.collective}/meetings/{world.joint_meeting}",
                  f"/c/{s.collective}/campaigns/{world.joint_campaign}",
                  f"/c/{s.collective}/workers/{world.mover}",
                  f"/c/{s.collective}/grievances/{world.mover_grievance}",
                  f"/api/v1/collectives/{s.collective}/invitations?state=all",
                  f"/api/v1/views/collectives/{s.collective}/workers"]
    lists = ["/api/v1/views/grievances?limit=1000", "/api/v1/views/campaigns",
             "/api/v1/views/meetings?limit=1000", "/api/v1/views/organisations?limit=1000",
             "/api/v1/views/common-grievances?min_grievances=1", "/api/v1/views/grievances/count",
             "/api/v1/indicators/rubric"]
    return out + joint + lists


LINK = re.compile(r'(?:href|action|hx-get)="(/[^"#]*)"')
NEVER_FOLLOW = ("/exit", "/logout", "/lang/", "/static/", "/schema")


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
async def test_no_answer_names_anything_outside_the_role_s_scope(client, world, people, role):
    auth = people[role]
    words = forbidden(world, role)
    queue, seen, leaks, errors, pages = list(dict.fromkeys(seeds(world))), set(), [], [], 0
    while queue and len(seen) < 700:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        via = "token" if path.startswith("/api/") else "session"
        r = await call(client, "GET", path, auth, via=via)
        if r.status_code >= 500:
            errors.append(f"{path}: {r.status_code}")
        pages += 1
        # What the request itself named is no leak (a 404 may say "No worker with id X").
        found = [w for w in words if w in r.text and w not in path]
        if found:
            leaks.append(f"{path} ({r.status_code}): {sorted(found)}")
        if "text/html" in r.headers.get("content-type", ""):
            for link in LINK.findall(r.text):
                link = html.unescape(link)
                if not link.startswith(NEVER_FOLLOW) and link not in seen:
                    queue.append(link)
    assert pages > 60
    assert not leaks, f"{role} read what it must not, in {len(leaks)} of {pages} answers:\n" + \
        "\n".join(leaks)
    assert not errors, f"{role}: {len(errors)} of {pages} answers failed:\n" + "\n".join(errors)


# -- the README -----------------------------------------------------------------------------------


def policy_table() -> str:
    """The README's "who can do what" table, generated from the policy."""
    by_noun: dict[str, dict[str, list[str]]] = {}
    for area, action, command in COMMAND_ROUTES:
        roles = [r for r in ("leader", "organiser", "admin") if may_run(r, command)]
        by_noun.setdefault(area, {}).setdefault(", ".join(roles), []).append(action)
    lines = ["| records | actions | who |", "|---|---|---|"]
    for area, groups in by_noun.items():
        for who, actions in groups.items():
            lines.append(f"| {area} | {', '.join(f'`{a}`' for a in actions)} | {who} |")
    return "\n".join(lines)


def test_the_readme_table_is_the_policy():
    readme = (Path(__file__).parents[3] / "README.md").read_text()
    table = policy_table()
    assert table in readme, "README.md's table differs from organize.application.policy; paste:\n" + table


async def test_a_collective_she_left_sees_her_pseudonym_and_no_forms(client, app, runtime, world,
                                                                      people):
    """The page of a worker who left: her pseudonym, a word that she left, and none of the
    forms (consent, trajectory, erasure) that belong to her current collective. (Her own
    worker: the matrix above moves the world's.)"""
    from tests.integration import support as h
    from tests.support import settle_views

    tag = uuid.uuid4().hex[:6]
    worker = app.execute(h.register_worker(world.a.collective, pseudonym=f"Kamala {tag}")).id
    app.execute(c.LeaveCollective(command_id=uuid.uuid4(), worker_id=worker,
                                  collective_id=world.a.collective, on=date(2025, 2, 1)))
    app.execute(c.JoinCollective(command_id=uuid.uuid4(), worker_id=worker,
                                 collective_id=world.a2.collective, on=date(2025, 2, 2)))
    settle_views(runtime)
    r = await call(client, "GET", f"/c/{world.a.collective}/workers/{worker}", people["leader_a"],
                   via="session")
    assert r.status_code == 200
    assert f"Kamala {tag}" in r.text and "She has left this collective" in r.text
    for action in ("/consent", "/spell", "/erase"):
        assert f"/workers/{worker}{action}" not in r.text, action
    # In her current collective's federation, the page is the usual one.
    r = await call(client, "GET", f"/c/{world.a2.collective}/workers/{worker}",
                   people["organiser"], via="session")
    assert r.status_code == 200 and "She has left this collective" not in r.text
