"""Meeting: scheduled, then held (with attendance, facilitators, speakers, language and
decisions) or cancelled, once. Every rule is checked, and a refused command records
nothing."""

from datetime import datetime, timedelta

import pytest

from organize.domain import DomainError, Meeting
from tests.unit.domain.support import (
    NOW,
    TAXONOMY,
    assert_replays,
    event_names,
    new_id,
    refused,
    refused_creation,
)


def make(**overrides: object) -> Meeting:
    kwargs: dict[str, object] = {
        "id": new_id(),
        "kind": "assembly",
        "collective_ids": (new_id(),),
        "scheduled_for": NOW,
        "language": "tl",
        "agenda_grievance_ids": (new_id(),),
        "agenda_campaign_ids": (),
        "taxonomy": TAXONOMY,
    }
    kwargs.update(overrides)
    return Meeting.schedule(**kwargs)  # type: ignore[arg-type]


def hold(m: Meeting, **overrides: object) -> tuple:
    a, b, c = new_id(), new_id(), new_id()
    kwargs: dict[str, object] = {
        "held_at": NOW + timedelta(minutes=15),
        "attendee_ids": (a, b, c),
        "facilitator_ids": (a, b),
        "speaker_ids": (b, c),
        "language": "id",
        "sealed_decisions": b"\x01sealed-decisions",
        "decision_count": 2,
    }
    kwargs.update(overrides)
    m.record_held(**kwargs)  # type: ignore[arg-type]
    return a, b, c


def test_schedule_and_hold_replays() -> None:
    m = make()
    assert m.status == "scheduled"
    a, b, c = hold(m)
    assert m.status == "held"
    assert m.attendee_ids == (a, b, c)
    assert m.facilitator_ids == (a, b)
    assert m.speaker_ids == (b, c)
    assert m.language == "id"  # the language actually used
    assert m.decision_count == 2 and m.sealed_decisions == b"\x01sealed-decisions"
    assert m.decisions == ()  # never in the clear
    assert event_names(assert_replays(m)) == ["Scheduled", "Held"]


def test_schedule_and_cancel_replays() -> None:
    m = make()
    m.cancel(b"\x01Police outside the centre.")
    assert (m.status, m.cancel_reason) == ("cancelled", None)  # never in the clear
    assert m.sealed_reason == b"\x01Police outside the centre."
    assert event_names(assert_replays(m)) == ["Scheduled", "Cancelled"]
    assert make().cancel(None) is None


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"kind": "rally"}, "unknown_code", "kind"),
        ({"collective_ids": ()}, "empty", "collective_ids"),
        ({"scheduled_for": datetime(2024, 3, 8, 10)}, "invalid", "scheduled_for"),
        ({"scheduled_for": NOW.date()}, "invalid", "scheduled_for"),
        ({"language": "Tagalog"}, "invalid", "language"),
        ({"agenda_grievance_ids": ("g",)}, "invalid", "agenda_grievance_ids"),
        ({"agenda_campaign_ids": [NOW]}, "invalid", "agenda_campaign_ids"),
    ],
)
def test_schedule_refuses_bad_input(overrides: dict[str, object], code: str, field: str) -> None:
    with refused_creation(code, field):
        make(**overrides)


def test_record_held_attendance_rules() -> None:
    m = make()
    a, outsider = new_id(), new_id()
    cases = [
        ({"attendee_ids": ()}, "empty", "attendee_ids"),
        ({"attendee_ids": (a, a)}, "duplicate", "attendee_ids"),
        ({"attendee_ids": (a,), "facilitator_ids": ()}, "empty", "facilitator_ids"),
        (
            {"attendee_ids": (a,), "facilitator_ids": (outsider,), "speaker_ids": ()},
            "not_attendee",
            "facilitator_ids",
        ),
        (
            {"attendee_ids": (a,), "facilitator_ids": (a,), "speaker_ids": (outsider,)},
            "not_attendee",
            "speaker_ids",
        ),
        ({"language": "english"}, "invalid", "language"),
        ({"decision_count": 0}, "inconsistent", "decisions"),
        ({"decision_count": -1}, "invalid", "decisions"),
        ({"sealed_decisions": "Raise the deductions"}, "invalid", "decisions"),
        ({"held_at": datetime(2024, 3, 8)}, "invalid", "held_at"),
        ({"attendee_ids": tuple(new_id() for _ in range(501))}, "too_many", "attendee_ids"),
    ]
    for overrides, code, field in cases:
        with refused(m, code, field):
            hold(m, **overrides)


def test_speakers_may_be_none_and_decisions_empty() -> None:
    m = make()
    a = new_id()
    hold(m, attendee_ids=(a,), facilitator_ids=(a,), speaker_ids=(), sealed_decisions=None,
         decision_count=0)
    assert m.speaker_ids == () and m.decisions == () and m.decision_count == 0


@pytest.mark.parametrize(("decisions", "code"), [(("",), "empty"), (("d" * 2001,), "too_long")])
def test_decisions_are_checked_before_they_are_sealed(decisions: tuple, code: str) -> None:
    from organize.domain.meeting import check_decisions

    with pytest.raises(DomainError) as e:
        check_decisions(decisions)
    assert (e.value.code, e.value.field) == (code, "decisions")


def test_held_or_cancelled_only_once() -> None:
    held = make()
    hold(held)
    with refused(held, "already_held", None):
        hold(held)
    with refused(held, "already_held", None):
        held.cancel(b"\x01too late")
    cancelled = make()
    cancelled.cancel(None)
    with refused(cancelled, "cancelled", None):
        hold(cancelled)
    with refused(cancelled, "cancelled", None):
        cancelled.cancel(None)
