"""The one rule for the day an event is about (``organize.domain.dates``), shared by the
as-of reads and the pages."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

from organize.domain import Collective, Meeting, load_taxonomy
from organize.domain.dates import OWN_DATE, day_of, own_date
from organize.projections import domain_time

TAXONOMY = load_taxonomy()


def _meeting_held_on(day: datetime) -> Meeting:
    meeting = Meeting.schedule(id=uuid4(), kind="assembly", collective_ids=(uuid4(),),
                               scheduled_for=day, language="en", agenda_grievance_ids=(),
                               agenda_campaign_ids=(), taxonomy=TAXONOMY)
    worker = uuid4()
    meeting.record_held(held_at=day, attendee_ids=(worker,), facilitator_ids=(worker,),
                        speaker_ids=(), language="en", sealed_decisions=None, decision_count=0)
    return meeting


def test_a_held_meeting_is_dated_by_the_day_it_was_held_not_the_day_it_was_typed():
    held = datetime(2025, 3, 4, 18, 30, tzinfo=UTC)
    (scheduled, held_event) = _meeting_held_on(held).collect_events()
    assert held_event.timestamp.date() != held.date()  # typed in today
    assert day_of(held_event) == own_date(held_event) == date(2025, 3, 4)


def test_an_event_without_a_date_of_its_own_is_dated_by_the_day_it_was_recorded():
    collective = Collective.create(id=uuid4(), name="Sisters", kind="worker_collective",
                                   sectors=(), places=(), languages=(), federation=None,
                                   taxonomy=TAXONOMY)
    (created,) = collective.collect_events()
    assert own_date(created) is None and day_of(created) == created.timestamp.date()


def test_the_as_of_reads_use_the_same_rule():
    assert domain_time.OWN_DATE is OWN_DATE
