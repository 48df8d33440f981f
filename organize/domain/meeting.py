"""The Meeting aggregate: an assembly, one-to-one, committee, training, negotiation or
cross-sector coordination, with its attendance, facilitators, speakers, language,
agenda and decisions.

Who facilitates, who speaks and who decides is evidence of organising strength, and a
committee without real migrant representation is a warning sign (DOMAIN.md, lesson 4),
so facilitators and speakers are recorded by worker id and must be among the attendees.
A meeting is scheduled, then either held or cancelled, once. Its decisions and the reason
it was cancelled are sealed under the meeting's key, owned by its collectives.
"""

from datetime import UTC, datetime, timezone, tzinfo
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from organize.domain.errors import DomainError
from organize.domain.limits import (
    PEOPLE_MAX,
    TEXT_MAX,
    check_datetime,
    check_ids,
    check_language,
    check_optional_text,
    check_reason,
    check_sealed,
    check_texts,
    check_uuid,
)
from organize.domain.taxonomy import Taxonomy


def check_cancel_reason(reason: object) -> str | None:
    """A cancellation's reason as typed, checked before the application seals it."""
    return check_optional_text(reason, field="reason", max_len=TEXT_MAX)


def check_decisions(decisions: object) -> tuple[str, ...]:
    """Decisions as typed, checked before the application seals them under the meeting's
    key (owned by its collectives): a decision can name or describe a person."""
    return check_texts(decisions, field="decisions", max_len=TEXT_MAX)


SCHEDULED = "scheduled"
HELD = "held"
CANCELLED = "cancelled"


class Meeting(Aggregate):
    @classmethod
    def schedule(
        cls,
        *,
        id: UUID,  # the application chooses ids
        kind: str,
        collective_ids: tuple[UUID, ...],
        scheduled_for: datetime,
        language: str,
        agenda_grievance_ids: tuple[UUID, ...],
        agenda_campaign_ids: tuple[UUID, ...],
        taxonomy: Taxonomy,
    ) -> "Meeting":
        return cls(
            id=check_uuid(id, field="id"),
            kind=taxonomy.require("meeting_kinds", kind, field="kind"),
            collective_ids=check_ids(collective_ids, field="collective_ids", min_items=1),
            scheduled_for=check_datetime(scheduled_for, field="scheduled_for"),
            language=check_language(language, field="language"),
            agenda_grievance_ids=check_ids(agenda_grievance_ids, field="agenda_grievance_ids"),
            agenda_campaign_ids=check_ids(agenda_campaign_ids, field="agenda_campaign_ids"),
        )

    @event("Scheduled")
    def __init__(
        self,
        id: UUID,
        kind: str,
        collective_ids: tuple[UUID, ...],
        scheduled_for: datetime,
        language: str,
        agenda_grievance_ids: tuple[UUID, ...],
        agenda_campaign_ids: tuple[UUID, ...],
    ) -> None:
        self.kind = kind
        self.collective_ids = collective_ids
        self.scheduled_for = scheduled_for
        self.language = language  # planned; replaced by the language actually used
        self.agenda_grievance_ids = agenda_grievance_ids
        self.agenda_campaign_ids = agenda_campaign_ids
        self.status = SCHEDULED
        self.held_at: datetime | None = None
        self.attendee_ids: tuple[UUID, ...] = ()
        self.facilitator_ids: tuple[UUID, ...] = ()
        self.speaker_ids: tuple[UUID, ...] = ()
        self.decisions: tuple[str, ...] = ()  # only meetings held before decisions were sealed
        self.sealed_decisions: bytes | None = None
        self.decision_count = 0
        self.cancel_reason: str | None = None  # only meetings cancelled before reasons were sealed
        self.sealed_reason: bytes | None = None

    def record_held(
        self,
        *,
        held_at: datetime,
        attendee_ids: tuple[UUID, ...],
        facilitator_ids: tuple[UUID, ...],
        speaker_ids: tuple[UUID, ...],
        language: str,
        sealed_decisions: bytes | None,
        decision_count: int,
    ) -> None:
        self._require_scheduled()
        attendee_ids, facilitator_ids, speaker_ids = _check_roles(
            attendee_ids, facilitator_ids, speaker_ids)
        self._held(
            held_at=check_datetime(held_at, field="held_at"),
            attendee_ids=attendee_ids,
            facilitator_ids=facilitator_ids,
            speaker_ids=speaker_ids,
            language=check_language(language, field="language"),
            decisions=(),
            sealed_decisions=(None if sealed_decisions is None else
                              check_sealed(sealed_decisions, field="decisions")),
            decision_count=_count(decision_count, sealed_decisions),
        )

    class Held(Aggregate.Event):
        """Version 2 seals the decisions (``sealed_decisions``) and keeps their number
        (``decision_count``) for the indicators. Version 1 kept them in the clear."""

        class_version = 2
        held_at: datetime
        attendee_ids: tuple[UUID, ...]
        facilitator_ids: tuple[UUID, ...]
        speaker_ids: tuple[UUID, ...]
        language: str
        decisions: tuple[str, ...]
        sealed_decisions: bytes | None
        decision_count: int

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state["sealed_decisions"] = None
            state["decision_count"] = len(state.get("decisions") or ())

    @event(Held)
    def _held(
        self,
        held_at: datetime,
        attendee_ids: tuple[UUID, ...],
        facilitator_ids: tuple[UUID, ...],
        speaker_ids: tuple[UUID, ...],
        language: str,
        decisions: tuple[str, ...],
        sealed_decisions: bytes | None,
        decision_count: int,
    ) -> None:
        self.status = HELD
        self.held_at = held_at
        self.attendee_ids = attendee_ids
        self.facilitator_ids = facilitator_ids
        self.speaker_ids = speaker_ids
        self.language = language
        self.decisions = decisions
        self.sealed_decisions = sealed_decisions
        self.decision_count = decision_count

    def cancel(self, sealed_reason: bytes | None = None) -> None:
        self._require_scheduled()
        if sealed_reason is not None:
            sealed_reason = check_sealed(sealed_reason, field="reason")
        self._cancelled(reason=None, sealed_reason=sealed_reason)

    class Cancelled(Aggregate.Event):
        """Version 2 seals the reason (``sealed_reason``); version 1 kept it in the clear."""

        class_version = 2
        reason: str | None
        sealed_reason: bytes | None

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state["sealed_reason"] = None

    @event(Cancelled)
    def _cancelled(self, reason: str | None, sealed_reason: bytes | None) -> None:
        self.status = CANCELLED
        self.cancel_reason = reason
        self.sealed_reason = sealed_reason

    def _require_scheduled(self) -> None:
        if self.status == HELD:
            raise DomainError("This meeting has already been recorded as held.", code="already_held")
        if self.status == CANCELLED:
            raise DomainError(
                "This meeting was cancelled; schedule a new meeting instead.",
                code="cancelled",
            )

    # -- times read in the collective's zone (the upgrade that gave collectives a zone) ------

    def localise_times(self, zone: tzinfo) -> None:
        """Before collectives had a time zone, a typed time was stored as if it were UTC:
        18:30 in Hong Kong became 18:30 UTC. Read those clocks again in ``zone``, keeping
        the day and the time she typed, now with the zone's offset."""
        def again(value: datetime | None) -> datetime | None:
            return None if value is None else value.replace(tzinfo=None).replace(tzinfo=zone)

        scheduled_for, held_at = again(self.scheduled_for), again(self.held_at)
        if all(v is None or v.utcoffset() == w.utcoffset()  # the same clock, the same instant
               for v, w in ((scheduled_for, self.scheduled_for), (held_at, self.held_at))):
            return
        self._times_localised(scheduled_for=_fixed(scheduled_for), held_at=_fixed(held_at))

    @event("TimesLocalised")
    def _times_localised(self, scheduled_for: datetime, held_at: datetime | None) -> None:
        self.scheduled_for = scheduled_for
        self.held_at = held_at

    # -- corrections: what was entered wrongly, put right, with the reason kept ------------
    # A reason is a code (CORRECTION_REASONS), never free text: the history says why without
    # a sentence that could name someone.

    def correct(self, *, kind: str, scheduled_for: datetime, held_at: datetime | None,
                reason: str, taxonomy: Taxonomy) -> None:
        """Correct the kind of meeting and its time (and the time it was held, once held)."""
        reason = check_reason(reason)
        kind = taxonomy.require("meeting_kinds", kind, field="kind")
        scheduled_for = check_datetime(scheduled_for, field="scheduled_for")
        if self.status == HELD:
            held_at = check_datetime(held_at, field="held_at")
        elif held_at is not None:
            raise DomainError("Only a meeting that was held has a time it was held.",
                              field="held_at", code="meeting_not_held")
        if (kind, scheduled_for, held_at) == (self.kind, self.scheduled_for, self.held_at):
            raise DomainError("Nothing was changed.", code="nothing_changed")
        self._corrected(kind=kind, scheduled_for=scheduled_for, held_at=held_at, reason=reason)

    @event("Corrected")
    def _corrected(self, kind: str, scheduled_for: datetime, held_at: datetime | None,
                   reason: str) -> None:
        self.kind = kind
        self.scheduled_for = scheduled_for
        self.held_at = held_at

    def correct_attendance(self, *, attendee_ids: tuple[UUID, ...],
                           facilitator_ids: tuple[UUID, ...], speaker_ids: tuple[UUID, ...],
                           reason: str) -> None:
        """Who came, led and spoke, after the fact: the whole lists, as they should be."""
        reason = check_reason(reason)
        if self.status != HELD:
            raise DomainError("Attendance is taken when a meeting is held.", code="meeting_not_held")
        attendee_ids, facilitator_ids, speaker_ids = _check_roles(
            attendee_ids, facilitator_ids, speaker_ids)
        if (attendee_ids, facilitator_ids, speaker_ids) == (
                self.attendee_ids, self.facilitator_ids, self.speaker_ids):
            raise DomainError("Nothing was changed.", code="nothing_changed")
        self._attendance_corrected(attendee_ids=attendee_ids, facilitator_ids=facilitator_ids,
                                   speaker_ids=speaker_ids, reason=reason)

    @event("AttendanceCorrected")
    def _attendance_corrected(self, attendee_ids: tuple[UUID, ...],
                              facilitator_ids: tuple[UUID, ...], speaker_ids: tuple[UUID, ...],
                              reason: str) -> None:
        self.attendee_ids = attendee_ids
        self.facilitator_ids = facilitator_ids
        self.speaker_ids = speaker_ids

    def correct_decisions(self, *, sealed_decisions: bytes | None, decision_count: int,
                          reason: str) -> None:
        """The decisions as they should read, sealed like the ones recorded when held."""
        reason = check_reason(reason)
        if self.status != HELD:
            raise DomainError("Decisions are recorded when a meeting is held.", code="meeting_not_held")
        self._decisions_corrected(
            sealed_decisions=(None if sealed_decisions is None else
                              check_sealed(sealed_decisions, field="decisions")),
            decision_count=_count(decision_count, sealed_decisions), reason=reason)

    @event("DecisionsCorrected")
    def _decisions_corrected(self, sealed_decisions: bytes | None, decision_count: int,
                             reason: str) -> None:
        self.decisions = ()
        self.sealed_decisions = sealed_decisions
        self.decision_count = decision_count


def _fixed(value: datetime | None) -> datetime | None:
    """The same instant with a fixed offset: what an event stores (its offset, not a rule)."""
    if value is None:
        return None
    offset = value.utcoffset()
    return value.replace(tzinfo=timezone(offset) if offset else UTC)


def _check_roles(attendee_ids: object, facilitator_ids: object, speaker_ids: object
                 ) -> tuple[tuple[UUID, ...], tuple[UUID, ...], tuple[UUID, ...]]:
    """Attendees (at least one), facilitators (at least one) and speakers, each of them
    among the attendees."""
    attendee_ids = check_ids(attendee_ids, field="attendee_ids", min_items=1, max_items=PEOPLE_MAX)
    facilitator_ids = check_ids(facilitator_ids, field="facilitator_ids", min_items=1)
    speaker_ids = check_ids(speaker_ids, field="speaker_ids", max_items=PEOPLE_MAX)
    attendees = set(attendee_ids)
    for field, ids, role in (
        ("facilitator_ids", facilitator_ids, "facilitator"),
        ("speaker_ids", speaker_ids, "speaker"),
    ):
        for position, worker_id in enumerate(ids, start=1):
            if worker_id not in attendees:
                raise DomainError(
                    f"{role.capitalize()} {position} in the list (id {worker_id}) is "
                    f"not among the attendees; add her to the attendees or remove "
                    f"her as a {role}.",
                    field=field,
                    code="not_attendee",
                )
    return attendee_ids, facilitator_ids, speaker_ids


def _count(count: object, sealed: bytes | None) -> int:
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= 50:
        raise DomainError("The number of decisions must be a whole number from 0 to 50.",
                          field="decisions", code="invalid")
    if (count == 0) != (sealed is None):
        raise DomainError("Sealed decisions and their number disagree.", field="decisions",
                          code="inconsistent")
    return count
