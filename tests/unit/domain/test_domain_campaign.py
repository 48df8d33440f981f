"""Campaign: launched on an issue with demands, joined by collectives, linked to
grievances, carried by actions, resolved demand by demand, sometimes ending in an
agreement, then closed. Every rule is checked, and a refused command records nothing.
Texts arrive sealed (the application seals them); here ``sealed`` stands in for the seal,
and the texts' own checks run before it (``check_issue`` ... ``check_summary``)."""

from datetime import date

import pytest

from organize.domain import Campaign, Demand
from organize.domain.campaign import check_clauses, check_demand_text, check_issue, check_summary
from organize.domain.errors import DomainError
from organize.domain.limits import TITLE_MAX
from tests.unit.domain.support import (
    DAY,
    TAXONOMY,
    assert_replays,
    event_names,
    new_id,
    refused,
    refused_creation,
)


def sealed(text: str) -> bytes:
    """Stands in for the application's seal: opaque bytes the domain never reads."""
    return b"\x01" + text.encode()


def demand(text: str = "Pay the legal minimum wage") -> Demand:
    return Demand(demand_id=new_id(), sealed_text=sealed(check_demand_text(text)))


def make(**overrides: object) -> Campaign:
    kwargs: dict[str, object] = {
        "id": new_id(),
        "sealed_issue": sealed("Unpaid overtime in Mae Sot garment factories"),
        "demands": (demand(), demand("Overtime paid at 1.5 times")),
        "collective_ids": (new_id(),),
        "sectors": ("garment",),
        "launched_on": date(2024, 1, 1),
        "taxonomy": TAXONOMY,
    }
    kwargs.update(overrides)
    return Campaign.launch(**kwargs)  # type: ignore[arg-type]


def test_full_life_replays() -> None:
    first = demand("  Pay the legal minimum wage  ")
    c = make(demands=[first])
    assert c.demands[first.demand_id].sealed_text == sealed("Pay the legal minimum wage")
    assert c.demands[first.demand_id].text == ""  # no clear text in the aggregate
    extra = demand("No deductions for accommodation")
    c.add_demand(extra)
    ally = new_id()
    c.join_collective(ally)
    grievance = new_id()
    c.link_grievance(grievance)
    action = new_id()
    participants = (new_id(), new_id(), new_id())
    c.take_action(
        action_id=action,
        kind="delegation",
        taken_on=date(2024, 2, 1),
        participant_ids=participants,
        collective_ids=tuple(c.collective_ids),
        taxonomy=TAXONOMY,
    )
    c.resolve_demand(first.demand_id, "partly_won", date(2024, 3, 1), TAXONOMY)
    c.resolve_demand(first.demand_id, "won", date(2024, 4, 1), TAXONOMY)  # latest stands
    c.resolve_demand(extra.demand_id, "lost", date(2024, 4, 1), TAXONOMY)
    agreement = new_id()
    employer = new_id()
    c.sign_agreement(
        agreement_id=agreement,
        with_organisation_id=employer,
        signed_on=date(2024, 4, 2),
        sealed_clauses=sealed("Minimum wage from May. Overtime paid weekly."),
        clause_count=2,
    )
    c.close(date(2024, 5, 1), sealed("Won the wage; deductions continue."))
    assert c.is_closed and c.status == "closed"
    assert ally in c.collective_ids
    assert c.grievance_ids == [grievance]
    assert c.actions[action].participant_ids == participants
    assert c.results[first.demand_id].result == "won"
    assert c.results[extra.demand_id].result == "lost"
    assert c.agreements[agreement].with_organisation_id == employer
    assert c.summary is None and c.sealed_summary == sealed("Won the wage; deductions continue.")
    assert c.agreements[agreement].clause_count == 2 and c.agreements[agreement].clauses == ()
    assert event_names(assert_replays(c)) == [
        "Launched",
        "DemandAdded",
        "CollectiveJoined",
        "GrievanceLinked",
        "ActionTaken",
        "DemandResolved",
        "DemandResolved",
        "DemandResolved",
        "AgreementSigned",
        "Closed",
    ]


def test_launch_without_demands_or_sectors_is_allowed() -> None:
    c = make(demands=(), sectors=())
    assert c.demands == {} and c.status == "active"


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"sealed_issue": b""}, "empty", "issue"),
        ({"sealed_issue": "Unpaid overtime"}, "invalid", "issue"),
        ({"demands": "Pay us"}, "invalid", "demands"),
        ({"demands": ("Pay us",)}, "invalid", "demands"),
        ({"demands": (Demand(demand_id=new_id(), text="Pay us"),)}, "invalid", "demands"),
        ({"demands": tuple(demand() for _ in range(51))}, "too_many", "demands"),
        ({"collective_ids": ()}, "empty", "collective_ids"),
        ({"sectors": ("textiles",)}, "unknown_code", "sectors"),
        ({"launched_on": None}, "invalid", "launched_on"),
    ],
)
def test_launch_refuses_bad_input(overrides: dict[str, object], code: str, field: str) -> None:
    with refused_creation(code, field):
        make(**overrides)


def test_launch_refuses_a_demand_id_used_twice() -> None:
    d = demand()
    with refused_creation("duplicate", "demands"):
        make(demands=(d, Demand(demand_id=d.demand_id, sealed_text=sealed("Other"))))


def test_rules_while_active() -> None:
    d = demand()
    member = new_id()
    c = make(demands=(d,), collective_ids=(member,))
    with refused(c, "duplicate", "demand"):
        c.add_demand(Demand(demand_id=d.demand_id, sealed_text=sealed("Again")))
    with refused(c, "invalid", "demand"):
        c.add_demand(Demand(demand_id=new_id(), text="In the clear"))
    with refused(c, "already_joined", "collective_id"):
        c.join_collective(member)
    grievance = new_id()
    c.link_grievance(grievance)
    with refused(c, "already_linked", "grievance_id"):
        c.link_grievance(grievance)
    with refused(c, "unknown_demand", "demand_id"):
        c.resolve_demand(new_id(), "won", DAY, TAXONOMY)
    with refused(c, "unknown_code", "result"):
        c.resolve_demand(d.demand_id, "victory", DAY, TAXONOMY)
    action = new_id()
    c.take_action(
        action_id=action,
        kind="petition",
        taken_on=DAY,
        participant_ids=(),
        collective_ids=(member,),
        taxonomy=TAXONOMY,
    )
    with refused(c, "duplicate", "action_id"):
        c.take_action(
            action_id=action,
            kind="strike",
            taken_on=DAY,
            participant_ids=(),
            collective_ids=(),
            taxonomy=TAXONOMY,
        )
    with refused(c, "unknown_code", "kind"):
        c.take_action(
            action_id=new_id(),
            kind="riot",
            taken_on=DAY,
            participant_ids=(),
            collective_ids=(),
            taxonomy=TAXONOMY,
        )
    p = new_id()
    with refused(c, "duplicate", "participant_ids"):
        c.take_action(
            action_id=new_id(),
            kind="strike",
            taken_on=DAY,
            participant_ids=(p, p),
            collective_ids=(),
            taxonomy=TAXONOMY,
        )
    agreement = new_id()
    with refused(c, "invalid", "clauses"):
        c.sign_agreement(agreement_id=agreement, with_organisation_id=new_id(), signed_on=DAY,
                         sealed_clauses=sealed("Pay on time."), clause_count=0)
    with refused(c, "invalid", "clauses"):
        c.sign_agreement(agreement_id=agreement, with_organisation_id=new_id(), signed_on=DAY,
                         sealed_clauses="Pay on time.", clause_count=1)
    c.sign_agreement(agreement_id=agreement, with_organisation_id=new_id(), signed_on=DAY,
                     sealed_clauses=sealed("Pay on time."), clause_count=1)
    with refused(c, "duplicate", "agreement_id"):
        c.sign_agreement(agreement_id=agreement, with_organisation_id=new_id(), signed_on=DAY,
                         sealed_clauses=sealed("Pay on time."), clause_count=1)
    with refused(c, "invalid", "summary"):
        c.close(DAY, "Won in the clear")


@pytest.mark.parametrize(
    ("check", "value", "code", "field"),
    [
        (check_issue, "", "empty", "issue"),
        (check_issue, "i" * (TITLE_MAX + 1), "too_long", "issue"),
        (check_demand_text, " ", "empty", "demand"),
        (check_demand_text, "d" * (TITLE_MAX + 1), "too_long", "demand"),
        (check_clauses, (), "empty", "clauses"),
        (check_clauses, ("Pay on time.", " "), "empty", "clauses"),
        (check_clauses, ("c" * 2001,), "too_long", "clauses"),
        (check_summary, "s" * 2001, "too_long", "summary"),
    ],
)
def test_texts_are_checked_before_they_are_sealed(check, value, code: str, field: str) -> None:
    with pytest.raises(DomainError) as info:
        check(value)
    assert (info.value.code, info.value.field) == (code, field)
    assert check_demand_text("  Pay the legal minimum wage  ") == "Pay the legal minimum wage"


@pytest.mark.parametrize(
    "command",
    [
        lambda c: c.add_demand(demand()),
        lambda c: c.join_collective(new_id()),
        lambda c: c.link_grievance(new_id()),
        lambda c: c.take_action(
            action_id=new_id(),
            kind="strike",
            taken_on=DAY,
            participant_ids=(),
            collective_ids=(),
            taxonomy=TAXONOMY,
        ),
        lambda c: c.resolve_demand(next(iter(c.demands)), "won", DAY, TAXONOMY),
        lambda c: c.sign_agreement(
            agreement_id=new_id(), with_organisation_id=new_id(), signed_on=DAY,
            sealed_clauses=sealed("x"), clause_count=1,
        ),
        lambda c: c.close(DAY, None),
    ],
)
def test_closed_campaign_refuses_every_command(command) -> None:
    c = make()
    c.close(DAY)
    with refused(c, "closed", None):
        command(c)
