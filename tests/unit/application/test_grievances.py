"""Grievances' use cases in memory: accepted, refused by the application or the domain, and
refused by the policy (the collective's own casework: organisers never touch one); and
``record_grievance``, the composite the record flow and the demo use."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from organize import commands as c
from organize.application import grievances
from tests.unit.application.conftest import (
    DAY,
    Case,
    case_tests,
    cid,
    procedure,
)


def _g(w):
    return {"grievance_id": w.g, "expected_version": w.version(w.g)}


CASES = {
    c.RaiseGrievance: Case(
        accept=lambda w: c.RaiseGrievance(
            command_id=cid(), collective_id=w.a, worker_ids=(w.w1, w.w2),
            category="wages_unpaid_late", sector="domestic_care", place="HK",
            stage="destination", organisation_ids=(w.org,), occurred_on=DAY,
            description="Paid half."),
        by="leader_a", event="Raised",
        refuse=lambda w: c.RaiseGrievance(
            command_id=cid(), collective_id=w.a, worker_ids=(w.w1,), category="no_such_category",
            sector="domestic_care", place="HK", stage="destination", occurred_on=DAY,
            description="Paid half."),
        code="unknown_code", outsider="organiser", outsider_error="Forbidden"),
    c.JoinGrievance: Case(
        accept=lambda w: c.JoinGrievance(command_id=cid(), worker_ids=(w.w2,), **_g(w)),
        by="leader_a", event="Joined",
        refuse=lambda w: c.JoinGrievance(command_id=cid(), worker_ids=(w.w1,), **_g(w)),
        code="already_party", outsider="leader_b", outsider_error="NotFound"),
    c.NoteEvidence: Case(
        accept=lambda w: c.NoteEvidence(command_id=cid(), note="Payslips kept.", on=DAY, **_g(w)),
        by="leader_a", event="EvidenceNoted",
        refuse=lambda w: c.NoteEvidence(command_id=cid(), note="Payslips kept.", on=DAY,
                                        grievance_id=w.g, expected_version=99),
        code="stale_version", outsider="organiser", outsider_error="Forbidden"),
    c.ReferGrievance: Case(
        accept=lambda w: c.ReferGrievance(command_id=cid(), organisation_id=w.org,
                                          worker_ids=(w.w1,), on=DAY, **_g(w)),
        by="leader_a", event="Referred",
        refuse=lambda w: c.ReferGrievance(command_id=cid(), organisation_id=w.household,
                                          worker_ids=(w.w1,), on=DAY, **_g(w)),
        code="no_consent", outsider="leader_b", outsider_error="NotFound"),
    c.EscalateGrievance: Case(
        accept=lambda w: c.EscalateGrievance(command_id=cid(), target="labour_office", on=DAY,
                                             **_g(w)),
        by="leader_a", event="Escalated",
        refuse=lambda w: c.EscalateGrievance(command_id=cid(), target="no_such_target", on=DAY,
                                             **_g(w)),
        code="unknown_code", outsider="organiser", outsider_error="Forbidden"),
    c.RecordNegotiation: Case(
        accept=lambda w: c.RecordNegotiation(command_id=cid(), with_organisation_id=w.org,
                                             held_on=DAY, notes="They offered half.", **_g(w)),
        by="leader_a", event="NegotiationRecorded",
        refuse=lambda w: c.RecordNegotiation(command_id=cid(), with_organisation_id=w.w2,
                                             held_on=DAY, **_g(w)),
        code="not_found", outsider="leader_b", outsider_error="NotFound"),
    c.RecordOutcome: Case(
        accept=lambda w: c.RecordOutcome(command_id=cid(), outcome="documents_returned", on=DAY,
                                         **_g(w)),
        by="leader_a", event="OutcomeRecorded",
        refuse=lambda w: c.RecordOutcome(command_id=cid(), outcome="wages_recovered", on=DAY,
                                         **_g(w)),
        code="empty", outsider="organiser", outsider_error="Forbidden"),
    c.ReportRetaliation: Case(
        accept=lambda w: c.ReportRetaliation(command_id=cid(), details="Threatened.", on=DAY,
                                             **_g(w)),
        by="leader_a", event="RetaliationReported",
        refuse=lambda w: c.ReportRetaliation(command_id=cid(), details="Threatened.", on=DAY,
                                             grievance_id=w.gb),
        code="not_found", outsider="leader_b", outsider_error="NotFound"),
    c.WithdrawGrievance: Case(
        accept=lambda w: c.WithdrawGrievance(command_id=cid(), on=DAY,
                                             reason="fear_of_retaliation", **_g(w)),
        by="leader_a", event="Withdrawn",
        refuse=lambda w: (w.run("app", c.WithdrawGrievance(command_id=cid(), on=DAY,
                                                           grievance_id=w.g)),
                          c.WithdrawGrievance(command_id=cid(), on=DAY, **_g(w)))[1],
        code="withdrawn", outsider="organiser", outsider_error="Forbidden"),
    c.CorrectGrievance: Case(
        accept=lambda w: c.CorrectGrievance(command_id=cid(), category="pay_below_rate",
                                            sector="domestic_care", place="HK",
                                            stage="destination", occurred_on=date(2026, 1, 5),
                                            reason="typing_mistake", **_g(w)),
        by="leader_a", event="Corrected",
        refuse=lambda w: c.CorrectGrievance(command_id=cid(), category="pay_below_rate",
                                            sector="domestic_care", place="HK",
                                            stage="destination", occurred_on=date(2026, 1, 5),
                                            reason="because", **_g(w)),
        code="correction_reason", outsider="organiser", outsider_error="Forbidden"),
    c.ReopenGrievance: Case(
        accept=lambda w: (w.run("app", c.WithdrawGrievance(command_id=cid(), on=DAY,
                                                           grievance_id=w.g)),
                          c.ReopenGrievance(command_id=cid(), on=DAY, **_g(w)))[1],
        by="leader_a", event="Reopened",
        refuse=lambda w: c.ReopenGrievance(command_id=cid(), on=DAY, **_g(w)),
        code="already_open", outsider="leader_b", outsider_error="NotFound"),
    # -- money and deadlines --
    c.StateAmount: Case(
        accept=lambda w: c.StateAmount(command_id=cid(), kind="owed", amount=Decimal("12000.50"),
                                       currency="HKD", on=DAY, **_g(w)),
        by="leader_a", event="AmountStated",
        refuse=lambda w: c.StateAmount(command_id=cid(), kind="owed", amount=Decimal("1.123456"),
                                       currency="HKD", on=DAY, **_g(w)),
        code="too_precise", outsider="organiser", outsider_error="Forbidden"),
    c.CorrectAmount: Case(
        accept=lambda w: (w.run("app", c.StateAmount(command_id=cid(), kind="claimed",
                                                      amount=Decimal(5), currency="HKD", on=DAY,
                                                      grievance_id=w.g)),
                          c.CorrectAmount(command_id=cid(), kind="claimed", amount=Decimal(50),
                                          currency="HKD", reason="typing_mistake", **_g(w)))[1],
        by="leader_a", event="AmountCorrected",
        refuse=lambda w: c.CorrectAmount(command_id=cid(), kind="offered", amount=Decimal(50),
                                         currency="HKD", reason="typing_mistake", **_g(w)),
        code="nothing_to_correct", outsider="leader_b", outsider_error="NotFound"),
    c.RecordKnowledge: Case(
        accept=lambda w: c.RecordKnowledge(command_id=cid(), on=date(2026, 2, 1), **_g(w)),
        by="leader_a", event="KnowledgeRecorded",
        refuse=lambda w: c.RecordKnowledge(command_id=cid(), on=date(2025, 2, 1), **_g(w)),
        code="before_incident", outsider="organiser", outsider_error="Forbidden"),
    c.FollowProcedure: Case(
        accept=lambda w: c.FollowProcedure(command_id=cid(), procedure_id=procedure(w), **_g(w)),
        by="leader_a", event="ProcedureFollowed",
        # B's procedure: out of her scope, answered as for an id nobody has
        refuse=lambda w: c.FollowProcedure(command_id=cid(), procedure_id=procedure(w, "b"),
                                           **_g(w)),
        code="not_found", outsider="leader_b", outsider_error="NotFound"),
    c.TakeStep: Case(
        accept=lambda w: (procedure(w), c.TakeStep(command_id=cid(), step="written_complaint",
                                                   on=DAY, **_g(w)))[1],
        by="leader_a", event="StepTaken",
        refuse=lambda w: c.TakeStep(command_id=cid(), step="written_complaint", on=DAY, **_g(w)),
        code="no_procedure", outsider="organiser", outsider_error="Forbidden"),
}


def test_report_retaliation_is_refused_outside_her_scope_before_the_domain_sees_it(world):
    """The refusal case above runs as leader_a against B's grievance: out of scope is word
    for word what an id that does not exist gets."""
    with pytest.raises(Exception) as refused:
        world.run("leader_a", CASES[c.ReportRetaliation].refuse(world))
    assert str(refused.value) == f"No grievance with id {world.gb}."


def _record(world, **more):
    command_id = cid()
    record = grievances.GrievanceRecord(
        command_id=command_id, collective_id=world.a, joined_on=DAY,
        new_workers=(grievances.NewWorker("Nirmala", "+85298765432"),),
        worker_ids=(world.w2,), **more)
    raise_ = c.RaiseGrievance(command_id=command_id, collective_id=world.a,
                              worker_ids=tuple(record.by_key().values()),
                              category="documents_confiscated", sector="domestic_care",
                              place="HK", stage="destination", occurred_on=DAY,
                              description="The agency kept her passport.")
    consents = record.consents({"contact": ["new:0", str(world.w2)], "research": ["new:0"]},
                               {world.w2: {"contact"}})
    return record, raise_, consents


def test_record_grievance_registers_new_workers_gives_consents_and_raises_it(world):
    record, raise_, consents = _record(world)
    assert len(consents) == 2  # w2 had given contact already
    app = world.app
    result = grievances.record_grievance(
        __import__("organize.application.access", fromlist=["Authorised"]).Authorised(
            app, world.principals["leader_a"]), record, raise_, consents)
    g = world.get(result.id)
    new = world.get(g.worker_ids[1])
    assert g.worker_ids[0] == world.w2 and new.has_consent("contact") and new.has_consent("research")
    assert g.collective_id == world.a


def test_record_grievance_twice_records_once(world):
    record, raise_, consents = _record(world)
    first = grievances.record_grievance(world.app, record, raise_, consents)
    head = world.head()
    again = grievances.record_grievance(world.app, record, raise_, consents)
    assert again.id == first.id and again.replayed and world.head() == head


def test_record_grievance_is_refused_whole_for_an_organiser(world):
    record, raise_, consents = _record(world)
    head = world.head()
    with pytest.raises(Exception) as refused:
        grievances.record_grievance(
            __import__("organize.application.access", fromlist=["Authorised"]).Authorised(
                world.app, world.principals["organiser"]), record, raise_, consents)
    assert refused.value.code == "role" and world.head() == head


def test_free_text_is_sealed_under_the_grievance_key(world):
    world.run("leader_a", CASES[c.NoteEvidence].accept(world))
    stored = b"".join(bytes(n.state) for n in world.app.recorder.select_notifications(1, 1000))
    assert b"Payslips" not in stored


(test_the_cases_cover_the_module, test_accepted, test_refused,
 test_refused_by_the_policy) = case_tests(CASES, grievances.TABLE)
