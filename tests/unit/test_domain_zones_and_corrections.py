"""Time zones and corrections in the domain: a collective's zone is an IANA name (an unknown
one is refused, nothing recorded) set by an event that replays; a meeting's typed clock, stored
as UTC before zones existed, is read again in its zone; corrections carry a reason code."""

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from organize.domain import Collective, Meeting
from organize.time_zones import zone_for_places
from tests.unit.domain.support import TAXONOMY, assert_replays, event_names, new_id, refused


def collective(places=("HK",)) -> Collective:
    return Collective.create(
        id=new_id(),
        name="Circle",
        kind="self_help_group",
        sectors=(),
        places=places,
        languages=("en",),
        federation=None,
        taxonomy=TAXONOMY,
    )


def meeting(at: datetime) -> Meeting:
    return Meeting.schedule(
        id=new_id(),
        kind="assembly",
        collective_ids=(new_id(),),
        scheduled_for=at,
        language="en",
        agenda_grievance_ids=(),
        agenda_campaign_ids=(),
        taxonomy=TAXONOMY,
    )


def test_a_zone_is_set_once_and_replays():
    agg = collective()
    assert agg.time_zone is None
    agg.set_time_zone("Asia/Hong_Kong")
    agg.set_time_zone("Asia/Hong_Kong")  # the same: nothing new
    assert event_names(assert_replays(agg)) == ["Created", "TimeZoneSet"]
    assert (agg.time_zone, agg.time_zone_source) == ("Asia/Hong_Kong", "chosen")


def test_an_unknown_zone_or_source_is_refused():
    agg = collective()
    for bad in ("Mars/Olympus_Mons", "", "+08:00", 8, None):
        with refused(agg, "unknown_time_zone", "time_zone"):
            agg.set_time_zone(bad)  # type: ignore[arg-type]
    with refused(agg, "invalid", "source"):
        agg.set_time_zone("UTC", source="guessed")


def test_a_zone_from_the_country_of_a_place_or_utc_to_be_chosen():
    assert zone_for_places(("HK-KLN",)) == ("Asia/Hong_Kong", "place")
    assert zone_for_places(("np-ktm", "BD")) == ("Asia/Kathmandu", "place")
    assert zone_for_places(("MY-KUL",)) == ("UTC", "default")  # two zones: hers to choose
    assert zone_for_places(()) == ("UTC", "default")


def test_a_typed_clock_is_read_again_in_the_zone_keeping_day_and_time():
    typed = datetime(2025, 3, 1, 18, 30, tzinfo=UTC)  # 18:30 typed in Kathmandu, stored as UTC
    agg = meeting(typed)
    agg.localise_times(ZoneInfo("Asia/Kathmandu"))
    assert agg.scheduled_for == datetime(2025, 3, 1, 18, 30, tzinfo=timezone(timedelta(hours=5, minutes=45)))
    assert event_names(assert_replays(agg)) == ["Scheduled", "TimesLocalised"]
    again = meeting(typed)
    again.localise_times(ZoneInfo("UTC"))  # UTC: the same instant, nothing to record
    assert event_names(list(again.collect_events())) == ["Scheduled"]


# -- corrections of a held meeting ------------------------------------------------------------


def held_meeting() -> tuple[Meeting, tuple]:
    agg = meeting(datetime(2025, 3, 1, 18, 30, tzinfo=UTC))
    people = (new_id(), new_id(), new_id())
    agg.record_held(
        held_at=agg.scheduled_for,
        attendee_ids=people[:2],
        facilitator_ids=people[:1],
        speaker_ids=(),
        language="en",
        sealed_decisions=None,
        decision_count=0,
    )
    return agg, people


def test_attendance_is_corrected_with_a_reason_and_the_roles_kept_consistent():
    agg, people = held_meeting()
    with refused(agg, "correction_reason", "reason"):
        agg.correct_attendance(
            attendee_ids=people, facilitator_ids=people[:1], speaker_ids=(), reason="because I said so"
        )
    with refused(agg, "not_attendee", "facilitator_ids"):
        agg.correct_attendance(
            attendee_ids=people[1:], facilitator_ids=people[:1], speaker_ids=(), reason="wrong_person"
        )
    with refused(agg, "nothing_changed"):
        agg.correct_attendance(
            attendee_ids=people[:2], facilitator_ids=people[:1], speaker_ids=(), reason="other"
        )
    agg.correct_attendance(
        attendee_ids=people, facilitator_ids=people[2:], speaker_ids=people[:1], reason="wrong_person"
    )
    events = assert_replays(agg)
    assert event_names(events)[-1] == "AttendanceCorrected" and events[-1].reason == "wrong_person"
    assert (agg.attendee_ids, agg.facilitator_ids, agg.speaker_ids) == (people, people[2:], people[:1])


def test_a_planned_meeting_has_no_attendance_or_held_time_to_correct():
    agg = meeting(datetime(2025, 3, 1, 18, 30, tzinfo=UTC))
    with refused(agg, "meeting_not_held"):
        agg.correct_attendance(attendee_ids=(new_id(),), facilitator_ids=(), speaker_ids=(), reason="other")
    with refused(agg, "meeting_not_held", "held_at"):
        agg.correct(
            kind="assembly",
            scheduled_for=agg.scheduled_for,
            held_at=agg.scheduled_for,
            reason="other",
            taxonomy=TAXONOMY,
        )
    agg.correct(
        kind="committee",
        scheduled_for=agg.scheduled_for + timedelta(days=1),
        held_at=None,
        reason="wrong_day_or_time",
        taxonomy=TAXONOMY,
    )
    assert agg.kind == "committee" and event_names(assert_replays(agg))[-1] == "Corrected"


def test_a_work_spell_is_corrected_end_after_start_or_withdrawn():
    from datetime import date

    from organize.domain import Worker

    worker = Worker.register(id=new_id(), sealed_profile=b"x" * 40, collective_id=None, joined_on=None)
    spell_id = new_id()
    worker.start_spell(
        spell_id=spell_id,
        sector="garment",
        sealed_occupation=b"y" * 40,
        place="HK",
        employer_id=None,
        relationship="direct_employer",
        paid=True,
        started_on=date(2024, 1, 1),
        taxonomy=TAXONOMY,
    )
    with refused(worker, "correction_reason", "reason"):
        worker.correct_spell(
            spell_id=spell_id,
            sector="garment",
            sealed_occupation=None,
            place="HK",
            started_on=date(2024, 1, 1),
            ended_on=None,
            reason="",
            taxonomy=TAXONOMY,
        )
    with refused(worker, "date_order", "ended_on"):
        worker.correct_spell(
            spell_id=spell_id,
            sector="garment",
            sealed_occupation=None,
            place="HK",
            started_on=date(2024, 1, 1),
            ended_on=date(2023, 1, 1),
            reason="wrong_day_or_time",
            taxonomy=TAXONOMY,
        )
    worker.correct_spell(
        spell_id=spell_id,
        sector="domestic_care",
        sealed_occupation=None,
        place="HK-KLN",
        started_on=date(2023, 6, 1),
        ended_on=date(2024, 2, 1),
        reason="wrong_day_or_time",
        taxonomy=TAXONOMY,
    )
    spell = worker.spells[spell_id]
    assert (spell.sector, spell.started_on, spell.sealed_occupation) == (
        "domestic_care",
        date(2023, 6, 1),
        b"y" * 40,
    )  # the work kept as sealed
    worker.withdraw_spell(spell_id, "other")
    assert spell_id not in worker.spells
    assert event_names(assert_replays(worker))[-2:] == ["SpellCorrected", "SpellWithdrawn"]
