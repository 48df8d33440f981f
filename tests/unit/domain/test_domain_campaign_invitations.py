"""Joint campaigns: launched from a common grievance with collectives invited, never
enlisted; each invited collective accepts (and joins) or declines, once. Every refusal
records nothing, and random sequences of answers keep the invariants."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from organize.domain import Campaign, Demand, DomainError
from organize.domain.campaign import ACCEPTED, DECLINED, PENDING
from tests.unit.domain.support import (
    TAXONOMY,
    assert_replays,
    event_names,
    new_id,
    refused,
    refused_creation,
)

LAUNCHED = date(2025, 3, 1)


def joint(invited=None, grievances=None, **overrides) -> Campaign:
    kwargs = {
        "id": new_id(),
        "sealed_issue": b"\x01Recruitment fees charged by Himal Overseas Manpower",
        "demands": (Demand(demand_id=new_id(), sealed_text=b"\x01Refund every fee above the ceiling"),),
        "invite_collective_ids": invited if invited is not None else (new_id(), new_id()),
        "grievance_ids": grievances if grievances is not None else (new_id(), new_id()),
        "sectors": ("domestic_care", "manufacturing"),
        "launched_on": LAUNCHED,
        "taxonomy": TAXONOMY,
    }
    kwargs.update(overrides)
    return Campaign.launch_joint(**kwargs)


def test_launch_invites_links_and_joins_nobody() -> None:
    a, b = new_id(), new_id()
    g1, g2 = new_id(), new_id()
    camp = joint((a, b), (g1, g2))
    assert camp.collective_ids == []
    assert camp.grievance_ids == [g1, g2]
    assert camp.pending_ids == (a, b)
    assert camp.reach_ids == (a, b)
    assert {i.invited_on for i in camp.invitations.values()} == {LAUNCHED}
    events = assert_replays(camp)
    assert event_names(events) == ["Launched", "CollectiveInvited", "CollectiveInvited",
                                   "GrievanceLinked", "GrievanceLinked"]
    assert events[0].collective_ids == ()


def test_accept_joins_and_decline_keeps_out_with_a_code() -> None:
    a, b = new_id(), new_id()
    camp = joint((a, b))
    camp.accept_invitation(a, LAUNCHED + timedelta(days=3))
    camp.decline_invitation(b, LAUNCHED + timedelta(days=4), "no_capacity_now", TAXONOMY)
    assert camp.collective_ids == [a]
    assert camp.invitations[a].state == ACCEPTED
    assert camp.invitations[a].decided_on == LAUNCHED + timedelta(days=3)
    assert camp.invitations[b].state == DECLINED
    assert camp.invitations[b].reason == "no_capacity_now"
    assert camp.reach_ids == (a, b)  # a declined collective still sees what it declined
    names = event_names(assert_replays(camp))
    assert names[-3:] == ["InvitationAccepted", "CollectiveJoined", "InvitationDeclined"]


def test_decline_without_a_reason() -> None:
    a = new_id()
    camp = joint((a,))
    camp.decline_invitation(a, LAUNCHED, None, TAXONOMY)
    assert camp.invitations[a].reason is None


@pytest.mark.parametrize("first", ["accept", "decline"])
@pytest.mark.parametrize("then", ["accept", "decline", "join"])
def test_an_answer_stands(first: str, then: str) -> None:
    a = new_id()
    camp = joint((a,))
    on = LAUNCHED + timedelta(days=1)
    if first == "accept":
        camp.accept_invitation(a, on)
    else:
        camp.decline_invitation(a, on, "other", TAXONOMY)
    if then == "join" and first == "accept":
        code = "already_joined"
    else:
        code = "already_accepted" if first == "accept" else "already_declined"
    field = "collective_id"
    with refused(camp, code, field):
        if then == "accept":
            camp.accept_invitation(a, on)
        elif then == "decline":
            camp.decline_invitation(a, on, None, TAXONOMY)
        else:
            camp.join_collective(a)


def test_only_an_invited_collective_answers() -> None:
    camp = joint((new_id(),))
    stranger = new_id()
    with refused(camp, "not_invited", "collective_id"):
        camp.accept_invitation(stranger, LAUNCHED)
    with refused(camp, "not_invited", "collective_id"):
        camp.decline_invitation(stranger, LAUNCHED, None, TAXONOMY)


def test_nothing_is_answered_on_a_closed_campaign() -> None:
    a, b = new_id(), new_id()
    camp = joint((a, b))
    camp.close(LAUNCHED + timedelta(days=30))
    with refused(camp, "closed"):
        camp.accept_invitation(a, LAUNCHED + timedelta(days=31))
    with refused(camp, "closed"):
        camp.decline_invitation(b, LAUNCHED + timedelta(days=31), None, TAXONOMY)


def test_an_answer_cannot_come_before_the_invitation() -> None:
    a = new_id()
    camp = joint((a,))
    with refused(camp, "before_invitation", "on"):
        camp.accept_invitation(a, LAUNCHED - timedelta(days=1))


def test_a_reason_must_be_a_known_code() -> None:
    a = new_id()
    camp = joint((a,))
    with refused(camp, "unknown_code", "reason"):
        camp.decline_invitation(a, LAUNCHED, "because the organiser is rude", TAXONOMY)


def test_joining_while_invited_is_accepting() -> None:
    a = new_id()
    camp = joint((a,))
    camp.join_collective(a)
    assert camp.collective_ids == [a]
    assert camp.invitations[a].state == ACCEPTED
    assert event_names(assert_replays(camp))[-2:] == ["InvitationAccepted", "CollectiveJoined"]


def test_no_second_invitation() -> None:
    a = new_id()
    camp = joint((a,))
    with refused(camp, "already_invited", "collective_id"):
        camp.invite_collective(a, LAUNCHED)
    camp.accept_invitation(a, LAUNCHED)
    with refused(camp, "already_joined", "collective_id"):
        camp.invite_collective(a, LAUNCHED)


def test_a_joint_launch_needs_an_invitation_and_a_grievance() -> None:
    with refused_creation("empty", "invite_collective_ids"):
        joint(())
    with refused_creation("empty", "grievance_ids"):
        joint(grievances=())
    twice = new_id()
    with refused_creation("duplicate", "invite_collective_ids"):
        joint((twice, twice))


# -- random answers keep the invariants ---------------------------------------------------------

STEPS = st.lists(
    st.tuples(st.sampled_from(["accept", "decline", "join", "close", "invite"]),
              st.integers(min_value=0, max_value=4), st.integers(min_value=-2, max_value=20)),
    max_size=25)


@settings(max_examples=200, deadline=None)
@given(steps=STEPS)
def test_random_answers_keep_the_invariants(steps) -> None:
    pool = [new_id() for _ in range(5)]  # 0..2 invited at launch, 3..4 not
    camp = joint(tuple(pool[:3]))
    for action, who, days in steps:
        collective, on = pool[who], LAUNCHED + timedelta(days=days)
        before_state = {k: v.state for k, v in camp.invitations.items()}
        try:
            if action == "accept":
                camp.accept_invitation(collective, on)
            elif action == "decline":
                camp.decline_invitation(collective, on, "other", TAXONOMY)
            elif action == "join":
                camp.join_collective(collective)
            elif action == "invite":
                camp.invite_collective(collective, on)
            else:
                camp.close(on)
        except DomainError as e:
            assert e.code in {"already_accepted", "already_declined", "not_invited", "closed",
                              "already_joined", "already_invited", "before_invitation"}, e
        # An answer, once given, never changes.
        for k, state in before_state.items():
            if state != PENDING:
                assert camp.invitations[k].state == state
        joined = set(camp.collective_ids)
        accepted = {k for k, v in camp.invitations.items() if v.state == ACCEPTED}
        declined = {k for k, v in camp.invitations.items() if v.state == DECLINED}
        assert accepted <= joined, "every accepted invitation joined the collective"
        assert not (declined & joined), "a collective that declined is never in the campaign"
        assert len(camp.collective_ids) == len(joined), "no collective joins twice"
        assert all(v.decided_on is None or v.decided_on >= v.invited_on
                   for v in camp.invitations.values())
    assert_replays(camp)
