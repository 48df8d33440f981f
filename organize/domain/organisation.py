"""The Organisation aggregate: an employer (a household counts), a recruiter or
sub-agent, a union, an NGO, a shelter, a labour office, a court, an embassy or a
women's-rights group.

An employer that is a household is named with a neutral label such as "Household 14":
the name is plain text, not sealed, so it must not be a person's name.
"""

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from organize.domain.limits import (
    NAME_MAX,
    check_optional_place,
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

    def rename(self, name: str) -> None:
        self._renamed(name=check_text(name, field="name", max_len=NAME_MAX))

    @event("Renamed")
    def _renamed(self, name: str) -> None:
        self.name = name
