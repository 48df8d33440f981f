"""Worker: registration, membership, consent per purpose, trajectory (overlapping work
spells and moves), status changes and erasure, and every rule they keep."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from organize.domain import DomainError, Worker, check_purpose, referral_purpose
from organize.domain.limits import SEALED_MAX
from tests.unit.domain.support import (
    NOW,
    TAXONOMY,
    assert_replays,
    event_names,
    new_id,
    refused,
    refused_creation,
)

SEALED = b"\x01sealed-profile"
JOINED = date(2023, 5, 1)


def make(**overrides: object) -> Worker:
    kwargs: dict[str, object] = {
        "id": new_id(),
        "sealed_profile": SEALED,
        "collective_id": new_id(),
        "joined_on": JOINED,
    }
    kwargs.update(overrides)
    return Worker.register(**kwargs)  # type: ignore[arg-type]


def spell(w: Worker, **overrides: object) -> None:
    kwargs: dict[str, object] = {
        "spell_id": new_id(),
        "sector": "domestic_care",
        "sealed_occupation": b"\x01sealed-occupation",
        "place": "HK",
        "employer_id": new_id(),
        "relationship": "direct_employer",
        "paid": True,
        "started_on": date(2023, 1, 1),
        "taxonomy": TAXONOMY,
    }
    kwargs.update(overrides)
    w.start_spell(**kwargs)  # type: ignore[arg-type]


# --- registration ----------------------------------------------------------------------


def test_register_with_a_collective_makes_her_a_member_in_the_same_event() -> None:
    collective = new_id()
    w = make(collective_id=collective)
    assert w.profile == SEALED
    assert w.collectives == {collective: JOINED}
    events = assert_replays(w)
    assert event_names(events) == ["Registered"]
    assert (events[0].collective_id, events[0].joined_on) == (collective, JOINED)


def test_register_without_a_collective() -> None:
    w = make(collective_id=None, joined_on=None)
    assert w.collectives == {} and w.memberships == []


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"sealed_profile": b""}, "empty", "sealed_profile"),
        ({"sealed_profile": "Maria"}, "invalid", "sealed_profile"),
        ({"sealed_profile": b"x" * (SEALED_MAX + 1)}, "too_long", "sealed_profile"),
        ({"joined_on": None}, "empty", "joined_on"),
        ({"collective_id": None}, "invalid", "joined_on"),
        ({"joined_on": datetime(2023, 5, 1)}, "invalid", "joined_on"),
        ({"collective_id": "c1"}, "invalid", "collective_id"),
    ],
)
def test_register_refuses_bad_input(overrides: dict[str, object], code: str, field: str) -> None:
    with refused_creation(code, field):
        make(**overrides)


def test_sealed_profile_at_the_limit_is_accepted() -> None:
    assert make(sealed_profile=bytearray(SEALED_MAX)).profile == bytes(SEALED_MAX)


def test_update_profile() -> None:
    w = make()
    w.update_profile(b"\x02new")
    assert w.profile == b"\x02new"
    with refused(w, "empty", "sealed_profile"):
        w.update_profile(b"")
    assert event_names(assert_replays(w)) == ["Registered", "ProfileUpdated"]


# --- membership ------------------------------------------------------------------------


def test_membership_join_leave_rejoin() -> None:
    first = new_id()
    other = new_id()
    w = make(collective_id=first)
    w.join_collective(other, date(2023, 6, 1))
    w.leave_collective(first, date(2023, 7, 1))
    w.join_collective(first, date(2023, 7, 1))  # she can come back, even the same day
    assert w.collectives == {other: date(2023, 6, 1), first: date(2023, 7, 1)}
    assert [(m.collective_id, m.joined_on, m.left_on) for m in w.memberships] == [
        (first, JOINED, date(2023, 7, 1)),
        (other, date(2023, 6, 1), None),
        (first, date(2023, 7, 1), None),
    ]
    assert event_names(assert_replays(w)) == [
        "Registered",
        "JoinedCollective",
        "LeftCollective",
        "JoinedCollective",
    ]


def test_membership_rules() -> None:
    collective = new_id()
    w = make(collective_id=collective)
    with refused(w, "already_member", "collective_id"):
        w.join_collective(collective, date(2024, 1, 1))
    with refused(w, "not_a_member", "collective_id"):
        w.leave_collective(new_id(), date(2024, 1, 1))
    with refused(w, "date_order", "on"):
        w.leave_collective(collective, JOINED - timedelta(days=1))
    w.leave_collective(collective, date(2024, 1, 1))
    with refused(w, "date_order", "on"):
        w.join_collective(collective, date(2023, 12, 31))
    with refused(w, "invalid", "on"):
        w.join_collective(new_id(), NOW)  # type: ignore[arg-type]


# --- consent ---------------------------------------------------------------------------


def test_consent_purposes() -> None:
    org = new_id()
    assert check_purpose("contact") == "contact"
    assert check_purpose("research") == "research"
    assert check_purpose(f"referral:{org}") == referral_purpose(org)
    for bad in (
        "Contact",
        "marketing",
        "referral:",
        "referral:not-a-uuid",
        f"referral:{str(org).upper()}",  # one consent, one spelling
        f"referral:{org.hex}",
        f"referral: {org}",
        None,
    ):
        with pytest.raises(DomainError) as info:
            check_purpose(bad)
        assert (info.value.code, info.value.field) == ("invalid_purpose", "purpose")


def test_give_and_withdraw_consent() -> None:
    org = new_id()
    w = make()
    w.give_consent("contact", NOW)
    w.give_consent(referral_purpose(org), NOW)
    assert w.has_consent("contact")
    assert w.has_consent(f"referral:{org}")
    assert not w.has_consent(f"referral:{new_id()}")  # recipient by recipient
    assert not w.has_consent("research")
    w.withdraw_consent("contact", NOW + timedelta(hours=1))
    assert not w.has_consent("contact")
    assert [(c.purpose, c.given) for c in w.consent_history] == [
        ("contact", True),
        (f"referral:{org}", True),
        ("contact", False),
    ]
    assert event_names(assert_replays(w))[1:] == [
        "ConsentGiven",
        "ConsentGiven",
        "ConsentWithdrawn",
    ]


def test_consent_rules() -> None:
    w = make()
    with refused(w, "invalid_purpose", "purpose"):
        w.give_consent("newsletter", NOW)
    with refused(w, "not_given", "purpose"):
        w.withdraw_consent("research", NOW)
    with refused(w, "invalid", "on"):
        w.give_consent("research", datetime(2024, 3, 8, 9, 30))  # no time zone
    with refused(w, "invalid", "on"):
        w.give_consent("research", date(2024, 3, 8))  # type: ignore[arg-type]
    w.give_consent("research", NOW)
    with refused(w, "already_given", "purpose"):
        w.give_consent("research", NOW)
    with refused(w, "date_order", "on"):
        w.withdraw_consent("research", NOW - timedelta(seconds=1))
    with pytest.raises(DomainError):
        w.has_consent("anything")


CONSENT_PURPOSES = ["contact", "research", "referral:00000000-0000-4000-8000-000000000001"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.sampled_from(CONSENT_PURPOSES)), max_size=25))
def test_consent_sequences_match_a_simple_model(steps: list[tuple[bool, str]]) -> None:
    """Any sequence of gives and withdrawals: refused ones change nothing, and
    has_consent always agrees with a set of current purposes."""
    w = make()
    w.collect_events()
    model: set[str] = set()
    for minute, (give, purpose) in enumerate(steps):
        on = NOW + timedelta(minutes=minute)
        try:
            if give:
                w.give_consent(purpose, on)
            else:
                w.withdraw_consent(purpose, on)
        except DomainError as e:
            assert e.code == ("already_given" if give else "not_given")
            assert (purpose in model) == give
        else:
            assert (purpose in model) != give
            (model.add if give else model.discard)(purpose)
        for p in CONSENT_PURPOSES:
            assert w.has_consent(p) == (p in model)
    assert len(w.collect_events()) == len(w.consent_history)


# --- trajectory ------------------------------------------------------------------------


def test_spells_may_overlap_and_cross_sectors() -> None:
    w = make()
    care, sell, home = new_id(), new_id(), new_id()
    spell(w, spell_id=care, started_on=date(2022, 1, 1))
    spell(
        w,
        spell_id=sell,
        sector="street_vending",
        employer_id=None,
        relationship="self_employed",
        started_on=date(2022, 6, 1),
    )
    spell(
        w,
        spell_id=home,
        sector="unpaid_care",
        employer_id=None,
        relationship="unpaid",
        paid=False,
        started_on=date(2021, 1, 1),
    )
    w.end_spell(care, date(2023, 1, 1))
    assert {s.sector for s in w.spells.values()} == {
        "domestic_care",
        "street_vending",
        "unpaid_care",
    }
    assert w.spells[care].ended_on == date(2023, 1, 1)
    assert w.spells[sell].ended_on is None
    assert w.spells[home].paid is False
    assert event_names(assert_replays(w))[1:] == [
        "SpellStarted",
        "SpellStarted",
        "SpellStarted",
        "SpellEnded",
    ]


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"sector": "nursing"}, "unknown_code", "sector"),
        ({"relationship": "family"}, "unknown_code", "relationship"),
        ({"relationship": "unpaid", "paid": True}, "inconsistent", "paid"),
        ({"paid": "yes"}, "invalid", "paid"),
        ({"sealed_occupation": b""}, "empty", "occupation"),
        ({"sealed_occupation": "Cook for the Wong family"}, "invalid", "occupation"),
        ({"place": ""}, "empty", "place"),
        ({"employer_id": "Mrs Wong"}, "invalid", "employer_id"),
        ({"started_on": None}, "invalid", "started_on"),
    ],
)
def test_start_spell_refuses_bad_input(overrides: dict[str, object], code: str, field: str) -> None:
    w = make()
    with refused(w, code, field):
        spell(w, **overrides)


@pytest.mark.parametrize(("occupation", "code"), [("", "empty"), ("o" * 121, "too_long")])
def test_an_occupation_is_checked_before_it_is_sealed(occupation: str, code: str) -> None:
    from organize.domain.worker import check_occupation

    with pytest.raises(DomainError) as e:
        check_occupation(occupation)
    assert (e.value.code, e.value.field) == (code, "occupation")
    assert check_occupation(" Cook ") == "Cook"


def test_a_spell_keeps_its_occupation_sealed_and_erasure_drops_it() -> None:
    w = make()
    sid = new_id()
    spell(w, spell_id=sid)
    assert w.spells[sid].sealed_occupation == b"\x01sealed-occupation"
    assert w.spells[sid].occupation is None
    w.erase(datetime(2025, 1, 1, tzinfo=UTC))
    assert w.spells[sid].sealed_occupation is None and w.spells[sid].occupation is None


def test_spell_rules() -> None:
    w = make()
    sid = new_id()
    spell(w, spell_id=sid, started_on=date(2023, 1, 1))
    with refused(w, "duplicate", "spell_id"):
        spell(w, spell_id=sid)
    with refused(w, "unknown_spell", "spell_id"):
        w.end_spell(new_id(), date(2024, 1, 1))
    with refused(w, "date_order", "ended_on"):
        w.end_spell(sid, date(2022, 12, 31))
    w.end_spell(sid, date(2023, 1, 1))
    with refused(w, "already_ended", "spell_id"):
        w.end_spell(sid, date(2024, 1, 1))


def test_moves_loop_and_stages_repeat() -> None:
    w = make()
    for to, frm, stage, day in [
        ("ID-JT", None, "origin", date(2019, 1, 1)),
        ("HK", "ID-JT", "destination", date(2019, 3, 1)),
        ("ID-JT", "HK", "return", date(2021, 3, 1)),
        ("HK", "ID-JT", "destination", date(2022, 1, 1)),
    ]:
        w.record_move(to_place=to, from_place=frm, stage=stage, moved_on=day, taxonomy=TAXONOMY)
    assert [m.stage for m in w.moves] == ["origin", "destination", "return", "destination"]
    with refused(w, "unknown_code", "stage"):
        w.record_move(
            to_place="HK",
            from_place=None,
            stage="arrival",
            moved_on=date(2024, 1, 1),
            taxonomy=TAXONOMY,
        )
    with refused(w, "empty", "to_place"):
        w.record_move(
            to_place=" ",
            from_place=None,
            stage="exit",
            moved_on=date(2024, 1, 1),
            taxonomy=TAXONOMY,
        )
    with refused(w, "empty", "from_place"):
        w.record_move(
            to_place="HK", from_place="", stage="exit", moved_on=date(2024, 1, 1), taxonomy=TAXONOMY
        )
    assert len(assert_replays(w)) == 5


def test_status_changes_are_events_in_time() -> None:
    w = make()
    w.change_status(b"\x03documented", date(2020, 1, 1))
    w.change_status(b"\x03undocumented", date(2022, 1, 1))
    assert [s.on for s in w.statuses] == [date(2020, 1, 1), date(2022, 1, 1)]
    with refused(w, "empty", "sealed_status"):
        w.change_status(b"", date(2023, 1, 1))
    with refused(w, "invalid", "sealed_status"):
        w.change_status("undocumented", date(2023, 1, 1))  # type: ignore[arg-type]
    assert event_names(assert_replays(w))[1:] == ["StatusChanged", "StatusChanged"]


# --- erasure ---------------------------------------------------------------------------


def test_erasure_drops_sealed_data_and_consent() -> None:
    w = make()
    w.give_consent(referral_purpose(new_id()), NOW)
    w.give_consent("contact", NOW)
    w.change_status(b"\x03status", date(2022, 1, 1))
    spell(w)
    w.erase(NOW + timedelta(days=1))
    assert w.erased and w.erased_on == NOW + timedelta(days=1)
    assert w.profile is None
    assert [s.sealed_status for s in w.statuses] == [None]
    assert w.consents == {}
    assert not w.has_consent("contact")
    assert len(w.spells) == 1  # the trajectory, which holds nothing sealed, remains
    assert event_names(assert_replays(w))[-1] == "Erased"


def test_erased_worker_refuses_every_command() -> None:
    collective = new_id()
    w = make(collective_id=collective)
    sid = new_id()
    spell(w, spell_id=sid)
    w.give_consent("contact", NOW)
    w.erase(NOW)
    w.collect_events()
    later = NOW + timedelta(days=1)
    commands = [
        lambda: w.update_profile(b"x"),
        lambda: w.join_collective(new_id(), date(2024, 1, 1)),
        lambda: w.leave_collective(collective, date(2024, 1, 1)),
        lambda: w.give_consent("research", later),
        lambda: w.withdraw_consent("contact", later),
        lambda: spell(w),
        lambda: w.end_spell(sid, date(2024, 1, 1)),
        lambda: w.record_move(
            to_place="HK",
            from_place=None,
            stage="exit",
            moved_on=date(2024, 1, 1),
            taxonomy=TAXONOMY,
        ),
        lambda: w.change_status(b"x", date(2024, 1, 1)),
        lambda: w.erase(later),
    ]
    for command in commands:
        with refused(w, "erased", None) as info:
            command()
        assert info.value.message == (
            "This worker's record was erased; nothing more can be recorded for her."
        )


def test_erase_needs_an_aware_time() -> None:
    w = make()
    with refused(w, "invalid", "on"):
        w.erase(datetime(2024, 1, 1, tzinfo=None))
    w.erase(datetime(2024, 1, 1, tzinfo=timezone(timedelta(hours=8))))
