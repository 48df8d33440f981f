"""Workers' use cases in memory: accepted, refused by the application or the domain, and
refused by the policy (her file is held by her current collective's leaders only)."""

from __future__ import annotations

from datetime import date

import pytest

from organize import commands as c
from organize.application import workers
from tests.unit.application.conftest import (
    DAY,
    Case,
    case_tests,
    cid,
)


def _worker(field, **more):
    def make(w):
        return field(w, **more)
    return make


CASES = {
    c.RegisterWorker: Case(
        accept=lambda w: c.RegisterWorker(command_id=cid(), profile=c.Profile(pseudonym="Mina"),
                                          collective_id=w.a, joined_on=DAY),
        by="leader_a", event="Registered",
        refuse=lambda w: c.RegisterWorker(command_id=cid(), profile=c.Profile(pseudonym="Mina"),
                                          collective_id=w.a),
        code="incomplete", outsider="organiser", outsider_error="Forbidden"),
    c.UpdateWorkerProfile: Case(
        accept=lambda w: c.UpdateWorkerProfile(command_id=cid(), worker_id=w.w1,
                                               profile=c.Profile(pseudonym="Asha"),
                                               expected_version=w.version(w.w1)),
        by="leader_a", event="ProfileUpdated",
        refuse=lambda w: c.UpdateWorkerProfile(command_id=cid(), worker_id=w.w1,
                                               profile=c.Profile(pseudonym="Asha"),
                                               expected_version=w.version(w.w1) - 1),
        code="stale_version", outsider="leader_b", outsider_error="NotFound"),
    c.JoinCollective: Case(
        accept=lambda w: c.JoinCollective(command_id=cid(), worker_id=w.former,
                                          collective_id=w.a, on=DAY),
        by="admin", event="JoinedCollective",
        refuse=lambda w: c.JoinCollective(command_id=cid(), worker_id=w.w1, collective_id=w.a,
                                          on=DAY),
        code="already_member", outsider="leader_a", outsider_error="NotFound"),
    c.LeaveCollective: Case(
        accept=lambda w: c.LeaveCollective(command_id=cid(), worker_id=w.w2, collective_id=w.a,
                                           on=DAY),
        by="leader_a", event="LeftCollective",
        refuse=lambda w: c.LeaveCollective(command_id=cid(), worker_id=w.w2, collective_id=w.a,
                                           on=date(2024, 1, 1)),
        code="date_order", outsider="organiser", outsider_error="Forbidden"),
    c.GiveConsent: Case(
        accept=lambda w: c.GiveConsent(command_id=cid(), worker_id=w.w2, purpose="contact"),
        by="leader_a", event="ConsentGiven",
        refuse=lambda w: c.GiveConsent(command_id=cid(), worker_id=w.w2,
                                       purpose=f"referral:{w.w1}"),
        code="not_found", outsider="leader_b", outsider_error="NotFound"),
    c.WithdrawConsent: Case(
        accept=lambda w: c.WithdrawConsent(command_id=cid(), worker_id=w.w1,
                                           purpose=f"referral:{w.org}"),
        by="leader_a", event="ConsentWithdrawn",
        refuse=lambda w: c.WithdrawConsent(command_id=cid(), worker_id=w.w1, purpose="contact"),
        code="not_given", outsider="organiser", outsider_error="Forbidden"),
    c.StartSpell: Case(
        accept=lambda w: c.StartSpell(command_id=cid(), worker_id=w.w2, sector="garment",
                                      occupation="Machinist", place="HK", employer_id=w.org,
                                      relationship="agency", paid=True, started_on=DAY),
        by="leader_a", event="SpellStarted",
        refuse=lambda w: c.StartSpell(command_id=cid(), worker_id=w.w2, sector="no_such_sector",
                                      occupation="Machinist", place="HK",
                                      relationship="agency", paid=True, started_on=DAY),
        code="unknown_code", outsider="leader_b", outsider_error="NotFound"),
    c.EndSpell: Case(
        accept=lambda w: c.EndSpell(command_id=cid(), worker_id=w.w1, spell_id=w.spell,
                                    ended_on=DAY),
        by="leader_a", event="SpellEnded",
        refuse=lambda w: c.EndSpell(command_id=cid(), worker_id=w.w1, spell_id=w.spell,
                                    ended_on=date(2024, 1, 1)),
        code="date_order", outsider="organiser", outsider_error="Forbidden"),
    c.CorrectSpell: Case(
        accept=lambda w: c.CorrectSpell(command_id=cid(), worker_id=w.w1, spell_id=w.spell,
                                        sector="garment", place="HK",
                                        started_on=date(2024, 12, 1), reason="typing_mistake"),
        by="leader_a", event="SpellCorrected",
        refuse=lambda w: c.CorrectSpell(command_id=cid(), worker_id=w.w1, spell_id=w.w2,
                                        sector="garment", place="HK",
                                        started_on=date(2024, 12, 1), reason="typing_mistake"),
        code="unknown_spell", outsider="organiser", outsider_error="Forbidden"),
    c.WithdrawSpell: Case(
        accept=lambda w: c.WithdrawSpell(command_id=cid(), worker_id=w.w1, spell_id=w.spell,
                                         reason="other"),
        by="leader_a", event="SpellWithdrawn",
        refuse=lambda w: c.WithdrawSpell(command_id=cid(), worker_id=w.w1, spell_id=w.w2,
                                         reason="other"),
        code="unknown_spell", outsider="leader_b", outsider_error="NotFound"),
    c.RecordMove: Case(
        accept=lambda w: c.RecordMove(command_id=cid(), worker_id=w.w1, to_place="HK",
                                      from_place="NP", stage="transit", moved_on=DAY),
        by="leader_a", event="MoveRecorded",
        refuse=lambda w: c.RecordMove(command_id=cid(), worker_id=w.w1, to_place="HK",
                                      stage="no_such_stage", moved_on=DAY),
        code="unknown_code", outsider="leader_b", outsider_error="NotFound"),
    c.ChangeStatus: Case(
        accept=lambda w: c.ChangeStatus(command_id=cid(), worker_id=w.w1, on=DAY,
                                        change=c.StatusChange(status_kind="document",
                                                              status="Passport returned")),
        by="leader_a", event="StatusChanged",
        refuse=lambda w: c.ChangeStatus(command_id=cid(), worker_id=w.w1, on=DAY,
                                        change=c.StatusChange(status_kind="document",
                                                              status="Passport returned"),
                                        expected_version=99),
        code="stale_version", outsider="organiser", outsider_error="Forbidden"),
    c.EraseWorker: Case(
        accept=lambda w: c.EraseWorker(command_id=cid(), worker_id=w.w2),
        by="leader_a", event="Erased",
        refuse=lambda w: (w.run("app", c.EraseWorker(command_id=cid(), worker_id=w.w2)),
                          c.EraseWorker(command_id=cid(), worker_id=w.w2))[1],
        code="erased", outsider="leader_b", outsider_error="NotFound"),
    c.PlanDeparture: Case(
        accept=lambda w: c.PlanDeparture(command_id=cid(), worker_id=w.w1,
                                         leaves_on=date(2026, 4, 1)),
        by="leader_a", event="DeparturePlanned",
        refuse=lambda w: c.PlanDeparture(command_id=cid(), worker_id=w.w1, leaves_on=None),
        code="nothing_changed", outsider="leader_b", outsider_error="NotFound"),
    c.MergeWorkers: Case(
        accept=lambda w: c.MergeWorkers(command_id=cid(), survivor_id=w.w1, absorbed_id=w.w2),
        by="leader_a", event="MergedInto",
        refuse=lambda w: c.MergeWorkers(command_id=cid(), survivor_id=w.w1, absorbed_id=w.w1),
        code="same", outsider="organiser", outsider_error="Forbidden"),
    c.UndoWorkerMerge: Case(
        accept=lambda w: (w.run("app", c.MergeWorkers(command_id=cid(), survivor_id=w.w1,
                                                      absorbed_id=w.w2)),
                          c.UndoWorkerMerge(command_id=cid(), survivor_id=w.w1,
                                            absorbed_id=w.w2))[1],
        by="leader_a", event="MergeUndone",
        refuse=lambda w: c.UndoWorkerMerge(command_id=cid(), survivor_id=w.w1, absorbed_id=w.w2),
        code="not_merged", outsider="leader_b", outsider_error="NotFound"),
}


def test_a_merge_never_reaches_across_collectives(world):
    # Even an admin, who sees both: her file is held by one collective's leaders.
    with pytest.raises(Exception) as refused:
        world.run("admin", c.MergeWorkers(command_id=cid(), survivor_id=world.w1,
                                          absorbed_id=world.wb))
    assert refused.value.code == "merge_other_collective"
    # A leader of one collective cannot even name the other's worker.
    with pytest.raises(Exception) as refused:
        world.run("leader_a", c.MergeWorkers(command_id=cid(), survivor_id=world.w1,
                                             absorbed_id=world.wb))
    assert type(refused.value).__name__ == "NotFound"


def test_erasing_a_merged_worker_shreds_both_keys(world):
    keys = world.app.keys
    world.run("leader_a", c.MergeWorkers(command_id=cid(), survivor_id=world.w1,
                                         absorbed_id=world.w2))
    world.run("leader_a", c.EraseWorker(command_id=cid(), worker_id=world.w1))
    assert keys.get(world.w1) is None and keys.get(world.w2) is None
    assert world.get(world.w2).erased
    assert keys.get(world.wb) is not None


def test_erasure_shreds_her_key_and_only_her_grievances_keys(world):
    keys = world.app.keys
    assert keys.get(world.w1) is not None and keys.get(world.g) is not None
    world.run("leader_a", c.EraseWorker(command_id=cid(), worker_id=world.w1))
    assert keys.get(world.w1) is None and keys.get(world.g) is None
    assert keys.get(world.w2) is not None and keys.get(world.gb) is not None
    assert world.get(world.w1).erased


def test_a_collective_she_left_no_longer_holds_her_file(world):
    with pytest.raises(Exception) as refused:
        world.run("leader_a", c.GiveConsent(command_id=cid(), worker_id=world.former,
                                            purpose="contact"))
    assert type(refused.value).__name__ == "NotFound"


def test_a_worker_is_registered_into_one_of_her_leaders_collectives(world):
    with pytest.raises(Exception) as refused:
        world.run("leader_a", c.RegisterWorker(command_id=cid(),
                                               profile=c.Profile(pseudonym="Nobody's")))
    assert refused.value.code == "scope"


def test_personal_fields_are_sealed_under_her_key(world):
    world.run("leader_a", c.UpdateWorkerProfile(command_id=cid(), worker_id=world.w1,
                                                profile=c.Profile(pseudonym="Asha",
                                                                  phone="+85212345678")))
    stored = b"".join(bytes(n.state) for n in world.app.recorder.select_notifications(1, 1000))
    assert b"+85212345678" not in stored and b"Asha" not in stored


(test_the_cases_cover_the_module, test_accepted, test_refused,
 test_refused_by_the_policy) = case_tests(CASES, workers.TABLE)
