"""Grievance: raised by one worker or several, joined, evidenced, referred only with
consent, escalated, negotiated, resolved or withdrawn and reopened; retaliation reported
at any time. Every rule is checked, and a refused command records nothing."""

from datetime import date
from decimal import Decimal

import pytest

from organize.domain import Grievance, Worker, referral_purpose
from tests.unit.domain.support import (
    DAY,
    NOW,
    TAXONOMY,
    assert_replays,
    event_names,
    new_id,
    refused,
    refused_creation,
)

DESC = b"\x01sealed-description"


def make(**overrides: object) -> Grievance:
    kwargs: dict[str, object] = {
        "id": new_id(),
        "collective_id": new_id(),
        "worker_ids": (new_id(), new_id()),
        "category": "wages_unpaid_late",
        "sector": "garment",
        "place": "TH-TAK",
        "stage": "destination",
        "organisation_ids": (new_id(),),
        "occurred_on": date(2024, 1, 31),
        "sealed_description": DESC,
        "taxonomy": TAXONOMY,
    }
    kwargs.update(overrides)
    return Grievance.raise_grievance(**kwargs)  # type: ignore[arg-type]


def worker(worker_id: object = None, *consents: str) -> Worker:
    w = Worker.register(id=worker_id or new_id(), sealed_profile=b"p", collective_id=None, joined_on=None)
    for purpose in consents:
        w.give_consent(purpose, NOW)
    return w


def resolve(g: Grievance) -> None:
    g.record_outcome(outcome="no_result", amount=None, currency=None, on=DAY, taxonomy=TAXONOMY)


# --- raising ---------------------------------------------------------------------------


def test_raise_records_one_event_with_codes_only() -> None:
    g = make()
    assert g.status == "open"
    assert len(g.parties) == 2
    assert g.description == DESC
    events = assert_replays(g)
    assert event_names(events) == ["Raised"]
    assert events[0].category == "wages_unpaid_late"


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"worker_ids": ()}, "empty", "worker_ids"),
        ({"worker_ids": ("w1",)}, "invalid", "worker_ids"),
        ({"category": "wage_theft"}, "unknown_code", "category"),
        ({"category": "pay"}, "unknown_code", "category"),  # a group is not a category
        ({"sector": "textiles"}, "unknown_code", "sector"),
        ({"stage": "arrival"}, "unknown_code", "stage"),
        ({"place": ""}, "empty", "place"),
        ({"organisation_ids": "org"}, "invalid", "organisation_ids"),
        ({"occurred_on": "2024-01-31"}, "invalid", "occurred_on"),
        ({"sealed_description": b""}, "empty", "sealed_description"),
        ({"sealed_description": "wages not paid"}, "invalid", "sealed_description"),
        ({"collective_id": None}, "invalid", "collective_id"),
    ],
)
def test_raise_refuses_bad_input(overrides: dict[str, object], code: str, field: str) -> None:
    with refused_creation(code, field):
        make(**overrides)


def test_raise_refuses_a_worker_listed_twice() -> None:
    w = new_id()
    with refused_creation("duplicate", "worker_ids"):
        make(worker_ids=(w, w))


def test_raise_refuses_more_than_the_list_limit() -> None:
    with refused_creation("too_many", "worker_ids"):
        make(worker_ids=tuple(new_id() for _ in range(51)))


# --- a full life -----------------------------------------------------------------------


def test_full_life_replays() -> None:
    first, second = new_id(), new_id()
    org, shelter = new_id(), new_id()
    g = make(worker_ids=(first,))
    g.join((second,))
    g.note_evidence(b"\x01payslip", DAY)
    workers = {
        first: worker(first, referral_purpose(shelter)),
        second: worker(second, referral_purpose(shelter), "contact"),
    }
    g.refer(organisation_id=shelter, worker_ids=(first, second), workers=workers, on=DAY)
    g.escalate("labour_office", DAY, TAXONOMY)
    g.record_negotiation(with_organisation_id=org, held_on=DAY, sealed_notes=b"\x01notes")
    g.record_negotiation(with_organisation_id=None, held_on=DAY, sealed_notes=None)
    g.record_outcome(
        outcome="wages_recovered",
        amount=Decimal("12500.50"),
        currency="THB",
        on=date(2024, 4, 1),
        taxonomy=TAXONOMY,
    )
    assert g.status == "resolved"
    g.report_retaliation(sealed_details=b"\x01details", kind="dismissal", on=date(2024, 5, 1))
    g.reopen(date(2024, 5, 2))
    g.withdraw(date(2024, 6, 1), "found_other_work")
    assert g.status == "withdrawn"
    g.reopen(date(2024, 7, 1))
    assert g.status == "open"

    assert g.parties == (first, second)
    assert [r.organisation_id for r in g.referrals] == [shelter]
    assert [e.target for e in g.escalations] == ["labour_office"]
    assert len(g.negotiations) == 2
    assert g.outcome is None
    assert g.past_outcomes[0].amount == Decimal("12500.50")
    assert g.retaliation_count == 1
    assert g.retaliation_dates == (date(2024, 5, 1),)
    assert [h[0] for h in g.history] == [
        "raised",
        "joined",
        "evidence_noted",
        "referred",
        "escalated",
        "negotiation_recorded",
        "negotiation_recorded",
        "outcome_recorded",
        "retaliation_reported",
        "reopened",
        "withdrawn",
        "reopened",
    ]
    assert event_names(assert_replays(g)) == [
        "Raised",
        "Joined",
        "EvidenceNoted",
        "Referred",
        "Escalated",
        "NegotiationRecorded",
        "NegotiationRecorded",
        "OutcomeRecorded",
        "RetaliationReported",
        "Reopened",
        "Withdrawn",
        "Reopened",
    ]


# --- joining ---------------------------------------------------------------------------


def test_join_rules() -> None:
    first = new_id()
    g = make(worker_ids=(first,))
    with refused(g, "already_party", "worker_ids"):
        g.join((new_id(), first))
    with refused(g, "empty", "worker_ids"):
        g.join(())
    with refused(g, "duplicate", "worker_ids"):
        w = new_id()
        g.join((w, w))
    g.withdraw(DAY, None)
    with refused(g, "withdrawn", None):
        g.join((new_id(),))


# --- referral and consent --------------------------------------------------------------


def test_refer_needs_every_referred_workers_consent_to_this_organisation() -> None:
    a, b, c = new_id(), new_id(), new_id()
    org = new_id()
    g = make(worker_ids=(a, b, c))
    workers = {
        a: worker(a, referral_purpose(org)),
        b: worker(b, referral_purpose(new_id()), "contact", "research"),  # another org
        c: worker(c),
    }
    with refused(g, "no_consent", "worker_ids") as info:
        g.refer(organisation_id=org, worker_ids=(a, b, c), workers=workers, on=DAY)
    message = info.value.message
    assert f"worker 2 (id {b})" in message and f"worker 3 (id {c})" in message
    assert f"id {a}" not in message
    assert "must give consent to referral to this organisation first" in message
    # Referring only the worker who consented works.
    g.refer(organisation_id=org, worker_ids=(a,), workers=workers, on=DAY)
    assert g.referrals[-1].worker_ids == (a,)


def test_refer_refuses_withdrawn_consent_and_erased_workers() -> None:
    a, b = new_id(), new_id()
    org = new_id()
    wa = worker(a, referral_purpose(org))
    wa.withdraw_consent(referral_purpose(org), NOW)
    wb = worker(b, referral_purpose(org))
    wb.erase(NOW)
    g = make(worker_ids=(a, b))
    for wid in (a, b):
        with refused(g, "no_consent", "worker_ids"):
            g.refer(organisation_id=org, worker_ids=(wid,), workers={a: wa, b: wb}, on=DAY)


def test_refer_refuses_missing_or_mismatched_worker_aggregates() -> None:
    a = new_id()
    org = new_id()
    g = make(worker_ids=(a,))
    with refused(g, "no_consent", "worker_ids"):
        g.refer(organisation_id=org, worker_ids=(a,), workers={}, on=DAY)
    impostor = worker(None, referral_purpose(org))
    with refused(g, "no_consent", "worker_ids"):
        g.refer(organisation_id=org, worker_ids=(a,), workers={a: impostor}, on=DAY)


def test_refer_only_parties() -> None:
    a, stranger = new_id(), new_id()
    org = new_id()
    g = make(worker_ids=(a,))
    workers = {stranger: worker(stranger, referral_purpose(org))}
    with refused(g, "not_a_party", "worker_ids"):
        g.refer(organisation_id=org, worker_ids=(stranger,), workers=workers, on=DAY)
    with refused(g, "empty", "worker_ids"):
        g.refer(organisation_id=org, worker_ids=(), workers=workers, on=DAY)
    with refused(g, "invalid", "organisation_id"):
        g.refer(organisation_id="shelter", worker_ids=(a,), workers=workers, on=DAY)


# --- outcomes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "amount", "currency", "code", "field"),
    [
        ("wages_recovered", None, "HKD", "empty", "amount"),
        ("wages_recovered", Decimal(100), None, "empty", "currency"),
        ("compensation", Decimal(0), "HKD", "out_of_range", "amount"),
        ("compensation", Decimal(-5), "HKD", "out_of_range", "amount"),
        ("compensation", Decimal("1e12"), "HKD", "out_of_range", "amount"),
        ("compensation", 100.5, "HKD", "invalid", "amount"),
        ("compensation", Decimal("NaN"), "HKD", "invalid", "amount"),
        ("compensation", Decimal("Infinity"), "HKD", "invalid", "amount"),
        ("compensation", True, "HKD", "invalid", "amount"),
        ("compensation", Decimal(100), "hkd", "invalid", "currency"),
        ("compensation", Decimal(100), "HKDX", "invalid", "currency"),
        ("compensation", Decimal(100), "$", "invalid", "currency"),
        ("reinstated", Decimal(100), None, "not_allowed", "amount"),
        ("reinstated", None, "HKD", "not_allowed", "currency"),
        ("won", None, None, "unknown_code", "outcome"),
    ],
)
def test_record_outcome_amount_rules(
    outcome: str, amount: object, currency: object, code: str, field: str
) -> None:
    g = make()
    with refused(g, code, field):
        g.record_outcome(outcome=outcome, amount=amount, currency=currency, on=DAY, taxonomy=TAXONOMY)


def test_outcome_amount_may_be_a_whole_number() -> None:
    g = make()
    g.record_outcome(outcome="compensation", amount=3000, currency="PHP", on=DAY, taxonomy=TAXONOMY)
    assert g.outcome is not None and g.outcome.amount == Decimal(3000)
    assert_replays(g)


def test_outcome_on_withdrawn_or_resolved_grievance_is_refused() -> None:
    g = make()
    g.withdraw(DAY, None)
    with refused(g, "withdrawn", None) as info:
        resolve(g)
    assert info.value.message == ("An outcome cannot be recorded on a withdrawn grievance; reopen it first.")
    g.reopen(DAY)
    resolve(g)
    with refused(g, "closed", None):
        resolve(g)


@pytest.mark.parametrize(
    "command",
    [
        lambda g: g.join((new_id(),)),
        lambda g: g.note_evidence(b"n", DAY),
        lambda g: g.refer(organisation_id=new_id(), worker_ids=g.parties, workers={}, on=DAY),
        lambda g: g.escalate("court", DAY, TAXONOMY),
        lambda g: g.record_negotiation(with_organisation_id=None, held_on=DAY, sealed_notes=None),
        resolve,
    ],
)
def test_closed_grievance_refuses_work_until_reopened(command) -> None:
    for close, code in ((resolve, "closed"), (lambda g: g.withdraw(DAY, None), "withdrawn")):
        g = make()
        close(g)
        with refused(g, code, None):
            command(g)


# --- retaliation, withdrawal, reopening ------------------------------------------------


def test_retaliation_can_be_reported_in_any_state() -> None:
    g = make()
    g.report_retaliation(sealed_details=b"d", kind=None, on=DAY)
    resolve(g)
    g.report_retaliation(sealed_details=b"d", kind="counter_charge", on=DAY)
    g.reopen(DAY)
    g.withdraw(DAY, None)
    g.report_retaliation(sealed_details=b"d", kind="dismissal", on=DAY)
    assert g.retaliation_count == 3
    assert [r.kind for r in g.retaliations] == [None, "counter_charge", "dismissal"]
    with refused(g, "empty", "sealed_details"):
        g.report_retaliation(sealed_details=b"", kind=None, on=DAY)
    with refused(g, "invalid", "kind"):
        g.report_retaliation(sealed_details=b"d", kind="Fired!", on=DAY)
    assert_replays(g)


def test_withdraw_and_reopen_rules() -> None:
    g = make()
    with refused(g, "already_open", None):
        g.reopen(DAY)
    with refused(g, "invalid", "reason_code"):
        g.withdraw(DAY, "She found other work")
    g.withdraw(DAY, "found_other_work")
    assert g.withdrawal_reason == "found_other_work"
    with refused(g, "withdrawn", None):
        g.withdraw(DAY, None)
    g.reopen(DAY)
    assert g.withdrawal_reason is None
    resolve(g)
    with refused(g, "closed", None):
        g.withdraw(DAY, None)


def test_evidence_escalation_negotiation_input_rules() -> None:
    g = make()
    with refused(g, "empty", "sealed_note"):
        g.note_evidence(b"", DAY)
    with refused(g, "unknown_code", "target"):
        g.escalate("police", DAY, TAXONOMY)
    with refused(g, "empty", "sealed_notes"):
        g.record_negotiation(with_organisation_id=None, held_on=DAY, sealed_notes=b"")
    with refused(g, "invalid", "with_organisation_id"):
        g.record_negotiation(with_organisation_id="boss", held_on=DAY, sealed_notes=None)
    with refused(g, "invalid", "held_on"):
        g.record_negotiation(with_organisation_id=None, held_on=None, sealed_notes=None)
