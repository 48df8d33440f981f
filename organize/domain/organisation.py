"""The Organisation aggregate: an employer (a household counts), a recruiter or
sub-agent, a union, an NGO, a shelter, a labour office, a court, an embassy or a
women's-rights group.

An employer that is a household is named with a neutral label such as "Household 14":
the name is plain text, not sealed, so it must not be a person's name. A household is a
person all the same (her address identifies the worker who lives there), so it has a kind
of its own, and the collective that recorded an organisation is kept (``recorded_by``):
``organize.application.policy`` shows households only to that collective, others to its federation.
"""

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from organize.domain.errors import DomainError
from organize.domain.limits import (
    NAME_MAX,
    check_optional_place,
    check_reason,
    check_text,
    check_uuid,
)
from organize.domain.taxonomy import Taxonomy


class Organisation(Aggregate):
    @classmethod
    def create(
        cls,
        *,
        id: UUID,  # the application chooses ids
        name: str,
        kind: str,
        place: str | None,
        taxonomy: Taxonomy,
    ) -> "Organisation":
        return cls(
            id=check_uuid(id, field="id"),
            name=check_text(name, field="name", max_len=NAME_MAX),
            kind=taxonomy.require("organisation_kinds", kind, field="kind"),
            place=check_optional_place(place, field="place"),
        )

    @event("Created")
    def __init__(
        self,
        id: UUID,
        name: str,
        kind: str,
        place: str | None,
    ) -> None:
        self.name = name
        self.kind = kind
        self.place = place
        self.recorded_by: UUID | None = None  # none: shared reference data (or recorded before)

    def record_for(self, collective_id: UUID) -> None:
        """Say which collective recorded it (once, when it is created)."""
        self._recorded(collective_id=check_uuid(collective_id, field="collective_id"))

    @event("Recorded")
    def _recorded(self, collective_id: UUID) -> None:
        self.recorded_by = collective_id

    def rename(self, name: str) -> None:
        self._renamed(name=check_text(name, field="name", max_len=NAME_MAX))

    @event("Renamed")
    def _renamed(self, name: str) -> None:
        self.name = name

    # -- corrections, with the reason kept (a code) -----------------------------------------
    # Its kind decides who sees it (a household only by the collective that recorded it), so
    # a household entered as an employer is corrected here, not recorded again.
    withdrawn: bool = False

    def correct_kind(self, kind: str, reason: str, taxonomy: Taxonomy) -> None:
        reason = check_reason(reason)
        kind = taxonomy.require("organisation_kinds", kind, field="kind")
        if kind == self.kind:
            raise DomainError("Nothing was changed.", code="nothing_changed")
        self._kind_corrected(kind=kind, reason=reason)

    @event("KindCorrected")
    def _kind_corrected(self, kind: str, reason: str) -> None:
        self.kind = kind

    def withdraw(self, reason: str) -> None:
        """Recorded by mistake: it leaves the lists it was offered in (its history stays)."""
        reason = check_reason(reason)
        if self.withdrawn:
            raise DomainError("This organisation was already withdrawn.", code="nothing_changed")
        self._withdrawn(reason=reason)

    @event("Withdrawn")
    def _withdrawn(self, reason: str) -> None:
        self.withdrawn = True
