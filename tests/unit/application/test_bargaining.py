"""Bargaining's use cases in memory: every step from the mandate to the agreement's end and
a grievance citing a breached clause, each accepted, refused by the domain, and refused by
the policy (another collective, another federation, the researcher, the organiser: only
the collective's leaders act on a round)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from organize import commands as c
from organize.accounts import Principal
from organize.application import bargaining, new_id
from organize.errors import CommandError, Forbidden, NotFound
from tests.unit.application.conftest import (
    Case,
    World,
    case_tests,
    cid,
)

MANDATE_DAY = date(2026, 2, 1)
VOTE_DAY = date(2026, 4, 2)


def _meeting(w: World, held: date, attendees: tuple) -> object:
    meeting = w.run("app", c.ScheduleMeeting(
        command_id=cid(), kind="assembly", collective_ids=(w.a,),
        scheduled_for=datetime(held.year, held.month, held.day, 10, tzinfo=UTC),
        language="en")).id
    w.run("app", c.RecordMeetingHeld(
        command_id=cid(), meeting_id=meeting,
        held_at=datetime(held.year, held.month, held.day, 10, tzinfo=UTC),
        attendee_ids=attendees, facilitator_ids=attendees[:1], language="en"))
    return meeting


def _b(w: World) -> dict:
    return {"bargaining_id": w.round, "expected_version": w.version(w.round)}


def opened(w: World) -> World:
    if "round" not in w.ids:
        w.ids["round"] = w.run("app", c.OpenBargaining(
            command_id=cid(), collective_id=w.a, counterpart_id=w.org, team_ids=(w.w1,),
            opened_on=date(2026, 1, 20), campaign_id=w.campaign)).id
    return w


def mandated(w: World) -> World:
    opened(w)
    w.ids["mandate_meeting"] = _meeting(w, MANDATE_DAY, (w.w1, w.w2))
    w.run("app", c.AdoptMandate(command_id=cid(), bargaining_id=w.round,
                                meeting_id=w.mandate_meeting, demands=("Pay by the 7th",)))
    table = c.TableClause(command_id=cid(), bargaining_id=w.round, wording="Wages by the 7th",
                          on=date(2026, 2, 3))
    w.run("app", table)
    w.ids["clause"] = new_id(table.command_id, "clause")
    return w


def tentative(w: World) -> World:
    mandated(w)
    w.run("app", c.ReachTentativeAgreement(command_id=cid(), bargaining_id=w.round,
                                           clause_ids=(w.clause,), on=date(2026, 3, 20)))
    w.ids["vote_meeting"] = _meeting(w, VOTE_DAY, (w.w1, w.w2))
    return w


def ratified(w: World) -> World:
    tentative(w)
    w.run("app", c.RatifyAgreement(command_id=cid(), bargaining_id=w.round,
                                   meeting_id=w.vote_meeting, votes_for=2, against=0,
                                   abstaining=0, rule="simple_majority"))
    return w


def in_force(w: World) -> World:
    ratified(w)
    w.run("app", c.BringAgreementIntoForce(command_id=cid(), bargaining_id=w.round,
                                           starts_on=date(2026, 5, 1),
                                           expires_on=date(2027, 4, 30)))
    return w


def _incident(w: World, day: date) -> object:
    return w.run("app", c.RaiseGrievance(
        command_id=cid(), collective_id=w.a, worker_ids=(w.w1,),
        category="wages_unpaid_late", sector="domestic_care", place="HK", stage="destination",
        occurred_on=day, description="Paid on the 20th.")).id


def _cite(w: World, day: date) -> c.CiteBreach:
    grievance = _incident(w, day)
    return c.CiteBreach(command_id=cid(), grievance_id=grievance, bargaining_id=w.round,
                        clause_id=w.clause, expected_version=w.version(grievance))


CASES = {
    c.OpenBargaining: Case(
        accept=lambda w: c.OpenBargaining(command_id=cid(), collective_id=w.a,
                                          counterpart_id=w.org, team_ids=(w.w1, w.w2),
                                          opened_on=date(2026, 1, 20)),
        by="leader_a", event="Opened",
        refuse=lambda w: c.OpenBargaining(command_id=cid(), collective_id=w.a,
                                          counterpart_id=w.household, team_ids=(w.w1,),
                                          opened_on=date(2026, 1, 20)),
        code="not_a_counterpart", outsider="leader_b", outsider_error="NotFound"),
    c.AdoptMandate: Case(
        accept=lambda w: (opened(w), c.AdoptMandate(
            command_id=cid(), meeting_id=_meeting(w, MANDATE_DAY, (w.w1,)),
            demands=("Pay by the 7th", "A day off a week"), **_b(w)))[1],
        by="leader_a", event="MandateAdopted",
        # the world's meeting is scheduled, never held
        refuse=lambda w: (opened(w), c.AdoptMandate(command_id=cid(), meeting_id=w.meeting,
                                                    demands=("Pay",), **_b(w)))[1],
        code="meeting_not_held", outsider="organiser", outsider_error="Forbidden"),
    c.TableClause: Case(
        accept=lambda w: (mandated(w), c.TableClause(command_id=cid(), wording="A day off",
                                                     on=date(2026, 2, 5), **_b(w)))[1],
        by="leader_a", event="ClauseTabled",
        refuse=lambda w: (opened(w), c.TableClause(command_id=cid(), wording="A day off",
                                                   on=date(2026, 2, 5), **_b(w)))[1],
        code="no_mandate", outsider="leader_b", outsider_error="NotFound"),
    c.RecordBargainingSession: Case(
        accept=lambda w: (mandated(w), c.RecordBargainingSession(
            command_id=cid(), held_on=date(2026, 2, 10), our_attendee_ids=(w.w1,),
            their_attendees=("HR manager",),
            notes=(c.ClauseNote(clause_id=w.clause, note="They said the 10th"),), **_b(w)))[1],
        by="leader_a", event="SessionHeld",
        # a session before the mandate was adopted
        refuse=lambda w: (mandated(w), c.RecordBargainingSession(
            command_id=cid(), held_on=date(2026, 1, 25), our_attendee_ids=(w.w1,),
            **_b(w)))[1],
        code="before_mandate", outsider="researcher", outsider_error="Forbidden"),
    c.ProposeClause: Case(
        accept=lambda w: (mandated(w), c.ProposeClause(
            command_id=cid(), clause_id=w.clause, side="theirs", text="By the 10th",
            on=date(2026, 2, 10), **_b(w)))[1],
        by="leader_a", event="Proposed",
        refuse=lambda w: (mandated(w), c.ProposeClause(
            command_id=cid(), clause_id=w.g, side="ours", text="By the 5th",
            on=date(2026, 2, 10), **_b(w)))[1],
        code="unknown_clause", outsider="organiser", outsider_error="Forbidden"),
    c.ReachTentativeAgreement: Case(
        accept=lambda w: (mandated(w), c.ReachTentativeAgreement(
            command_id=cid(), clause_ids=(w.clause,), on=date(2026, 3, 1), **_b(w)))[1],
        by="leader_a", event="TentativeReached",
        refuse=lambda w: (opened(w), c.ReachTentativeAgreement(
            command_id=cid(), clause_ids=(w.g,), on=date(2026, 3, 1), **_b(w)))[1],
        code="no_mandate", outsider="leader_b", outsider_error="NotFound"),
    c.RatifyAgreement: Case(
        accept=lambda w: (tentative(w), c.RatifyAgreement(
            command_id=cid(), meeting_id=w.vote_meeting, votes_for=1, against=0, abstaining=1,
            rule="two_thirds", **_b(w)))[1],
        by="leader_a", event="VoteRecorded",
        # ratify without a tentative agreement
        refuse=lambda w: (mandated(w), c.RatifyAgreement(
            command_id=cid(), meeting_id=w.mandate_meeting, votes_for=2, against=0,
            abstaining=0, rule="simple_majority", **_b(w)))[1],
        code="no_tentative", outsider="organiser", outsider_error="Forbidden"),
    c.BringAgreementIntoForce: Case(
        accept=lambda w: (ratified(w), c.BringAgreementIntoForce(
            command_id=cid(), starts_on=date(2026, 5, 1), expires_on=date(2027, 4, 30),
            **_b(w)))[1],
        by="leader_a", event="InForce",
        refuse=lambda w: (tentative(w), c.BringAgreementIntoForce(
            command_id=cid(), starts_on=date(2026, 5, 1), expires_on=date(2027, 4, 30),
            **_b(w)))[1],
        code="not_ratified", outsider="leader_b", outsider_error="NotFound"),
    c.EndAgreement: Case(
        accept=lambda w: (in_force(w), c.EndAgreement(command_id=cid(), on=date(2026, 9, 1),
                                                      reason="terminated", **_b(w)))[1],
        by="leader_a", event="Ended",
        refuse=lambda w: (in_force(w), c.EndAgreement(command_id=cid(), on=date(2026, 4, 1),
                                                      reason="terminated", **_b(w)))[1],
        code="date_order", outsider="organiser", outsider_error="Forbidden"),
    c.CiteBreach: Case(
        accept=lambda w: (in_force(w), _cite(w, date(2026, 6, 20)))[1],
        by="leader_a", event="BreachCited",
        # a breach citing a clause not in force on the incident date (before its start)
        refuse=lambda w: (in_force(w), _cite(w, date(2026, 4, 20)))[1],
        code="clause_not_in_force", outsider="leader_b", outsider_error="NotFound"),
}


(test_the_cases_cover_the_module, test_accepted, test_refused,
 test_refused_by_the_policy) = case_tests(CASES, bargaining.TABLE)


@pytest.mark.parametrize("command", CASES, ids=lambda k: k.__name__)
@pytest.mark.parametrize("who,error", [("leader_b", NotFound), ("organiser", Forbidden),
                                       ("researcher", Forbidden)])
def test_every_outsider_is_refused_and_nothing_is_written(world, command, who, error):
    """Another federation's leader does not learn the round exists; organisers and
    researchers hold no role here, even in their own federation."""
    cmd = CASES[command].accept(world)
    before = world.head()
    with pytest.raises(error):
        world.run(who, cmd)
    assert world.head() == before


def test_a_leader_of_the_same_federation_cannot_reach_another_collectives_round(world):
    opened(world)
    world.principals["leader_a2"] = Principal(
        account_id=cid(), username="leader_a2", role="leader",
        collective_ids=frozenset({world.a2}), federation=None, via="session")
    with pytest.raises(NotFound) as refused:
        world.run("leader_a2", c.TableClause(command_id=cid(), bargaining_id=world.round,
                                             wording="x", on=date(2026, 2, 5)))
    assert refused.value.message == f"No bargaining with id {world.round}."


def test_an_id_she_should_not_know_reads_as_not_found(world):
    ghost = cid()
    with pytest.raises(NotFound) as ghost_refusal:
        world.run("leader_b", c.TableClause(command_id=cid(), bargaining_id=ghost,
                                            wording="x", on=date(2026, 2, 5)))
    opened(world)
    with pytest.raises(NotFound) as real_refusal:
        world.run("leader_b", c.TableClause(command_id=cid(), bargaining_id=world.round,
                                            wording="x", on=date(2026, 2, 5)))
    assert (ghost_refusal.value.message.replace(str(ghost), "ID")
            == real_refusal.value.message.replace(str(world.round), "ID"))


def test_a_vote_that_does_not_carry_sends_the_round_back_to_the_table(world):
    tentative(world)
    world.run("leader_a", c.RatifyAgreement(
        command_id=cid(), meeting_id=world.vote_meeting, votes_for=1, against=1,
        abstaining=0, rule="two_thirds", **_b(world)))
    round_ = world.get(world.round)
    assert round_.status == "open" and round_.ratification["carried"] is False
    with pytest.raises(CommandError) as refused:
        world.run("leader_a", c.BringAgreementIntoForce(
            command_id=cid(), starts_on=date(2026, 5, 1), expires_on=date(2027, 4, 30),
            **_b(world)))
    assert refused.value.code == "not_ratified"


def test_more_votes_than_people_at_the_meeting_are_refused(world):
    tentative(world)
    with pytest.raises(CommandError) as refused:
        world.run("leader_a", c.RatifyAgreement(
            command_id=cid(), meeting_id=world.vote_meeting, votes_for=3, against=0,
            abstaining=0, rule="simple_majority", **_b(world)))
    assert refused.value.code == "more_votes_than_attendees"


@pytest.mark.parametrize("day,cited", [(date(2026, 4, 30), False), (date(2026, 5, 1), True),
                                       (date(2027, 4, 30), True), (date(2027, 5, 1), False)])
def test_a_clause_is_in_force_from_its_start_to_its_expiry(world, day, cited):
    in_force(world)
    cmd = _cite(world, day)
    if cited:
        world.run("leader_a", cmd)
        assert world.get(cmd.grievance_id).breaches == ((world.round, world.clause),)
    else:
        with pytest.raises(CommandError) as refused:
            world.run("leader_a", cmd)
        assert refused.value.code == "clause_not_in_force"


def test_a_clause_is_no_longer_in_force_after_the_agreement_ends(world):
    in_force(world)
    world.run("leader_a", c.EndAgreement(command_id=cid(), on=date(2026, 9, 1),
                                         reason="terminated", **_b(world)))
    with pytest.raises(CommandError) as refused:
        world.run("leader_a", _cite(world, date(2026, 9, 2)))
    assert refused.value.code == "clause_not_in_force"
    world.run("leader_a", _cite(world, date(2026, 9, 1)))


def test_another_collectives_grievance_cannot_cite_the_clause(world):
    in_force(world)
    cmd = c.CiteBreach(command_id=cid(), grievance_id=world.gb, bargaining_id=world.round,
                       clause_id=world.clause)
    with pytest.raises(CommandError) as refused:
        world.run("app", cmd)
    assert refused.value.code == "other_collective"
    with pytest.raises(NotFound):  # and its leader does not even learn the round exists
        world.run("leader_b", cmd)


def test_texts_are_sealed_and_never_in_the_events(world):
    mandated(world)
    world.run("leader_a", c.RecordBargainingSession(
        command_id=cid(), held_on=date(2026, 2, 10), our_attendee_ids=(world.w1,),
        their_attendees=("Mr Wong of Star",),
        notes=(c.ClauseNote(clause_id=world.clause, note="Wong refused outright"),),
        **_b(world)))
    # the events as the domain holds them, deciphered from the store: texts stay sealed
    events = [world.app.mapper.to_domain_event(n)
              for n in world.app.recorder.select_notifications(1, 10_000)
              if n.originator_id == world.round]
    stored = repr([vars(e) for e in events]).encode()
    assert len(events) == 4 and b"MandateAdopted" not in stored  # (vars, not topics)
    for plain in ("Pay by the 7th", "Wages by the 7th", "Wong"):
        assert plain not in stored.decode()
        assert plain.encode() not in b"".join(
            v for e in events for v in vars(e).values() if isinstance(v, bytes))
    round_ = world.get(world.round)
    assert round_.demand_count == 1 and len(round_.sessions) == 1


def _offer(w: World, side: str, amount, currency="HKD") -> c.ProposeClause:
    return c.ProposeClause(command_id=cid(), clause_id=w.clause, side=side, text="A monthly wage",
                           on=date(2026, 2, 10), amount=amount, currency=currency, **_b(w))


def test_the_amount_agreed_is_the_last_one_offered_exactly(world):
    from decimal import Decimal

    mandated(world)
    world.run("leader_a", _offer(world, "ours", Decimal("5200.10")))
    world.run("leader_a", _offer(world, "theirs", Decimal("4870.05")))
    world.run("leader_a", _offer(world, "ours", Decimal("5000.20")))
    world.run("leader_a", c.ReachTentativeAgreement(command_id=cid(), clause_ids=(world.clause,),
                                                    on=date(2026, 3, 1), **_b(world)))
    (agreed,) = world.get(world.round).agreed_amounts
    assert agreed.clause_id == world.clause
    assert (agreed.amount.amount, agreed.amount.currency) == (Decimal("5000.20"), "HKD")
    assert str(agreed.amount.amount) == "5000.20"  # exact, never a float's 5000.2


@pytest.mark.parametrize("amount,currency,code", [
    ("12.5", None, "empty"), (None, "HKD", "empty"), ("-3", "HKD", "out_of_range"),
    ("1.5", "HDK", "invalid")])
def test_an_offer_needs_an_exact_amount_and_a_real_currency(world, amount, currency, code):
    from decimal import Decimal

    mandated(world)
    before = world.head()
    with pytest.raises(CommandError) as refused:
        world.run("leader_a", _offer(world, "ours", None if amount is None else Decimal(amount),
                                     currency))
    assert refused.value.code == code and world.head() == before
