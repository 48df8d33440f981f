"""The Meeting aggregate: an assembly, one-to-one, committee, training, negotiation or
cross-sector coordination, with its attendance, facilitators, speakers, language,
agenda and decisions.

Who facilitates, who speaks and who decides is evidence of organising strength, and a
committee without real migrant representation is a warning sign (DOMAIN.md, lesson 4),
so facilitators and speakers are recorded by worker id and must be among the attendees.
A meeting is scheduled, then either held or cancelled, once. Its decisions and the reason
it was cancelled are sealed under the meeting's key, owned by its collectives.
"""

from datetime import datetime
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


def _count(count: object, sealed: bytes | None) -> int:
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= 50:
        raise DomainError("The number of decisions must be a whole number from 0 to 50.",
                          field="decisions", code="invalid")
    if (count == 0) != (sealed is None):
        raise DomainError("Sealed decisions and their number disagree.", field="decisions",
                          code="inconsistent")
    return count
