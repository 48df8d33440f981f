"""The Collective aggregate: a worker collective, union branch, worker centre or
self-help group, with the sectors, places and languages it works in and its alliances.

Every public method checks its input first and only then calls an ``@event`` method, so
a refused command records nothing and replaying stored events never re-runs a check.
"""

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from organize.domain.errors import DomainError
from organize.domain.limits import (
    NAME_MAX,
    check_codes,
    check_date,
    check_languages,
    check_not_before,
    check_optional_text,
    check_places,
    check_text,
    check_time_zone,
    check_uuid,
)
from organize.domain.taxonomy import Taxonomy


class Collective(Aggregate):
    @classmethod
    def create(
        cls,
        *,
        id: UUID,  # the application chooses ids
        name: str,
        kind: str,
        sectors: tuple[str, ...],
        places: tuple[str, ...],
        languages: tuple[str, ...],
        federation: str | None,
        taxonomy: Taxonomy,
    ) -> "Collective":
        return cls(
            id=check_uuid(id, field="id"),
            name=check_text(name, field="name", max_len=NAME_MAX),
            kind=taxonomy.require("collective_kinds", kind, field="kind"),
            sectors=check_codes(sectors, taxonomy=taxonomy, vocabulary="sectors", field="sectors"),
            places=check_places(places, field="places"),
            languages=check_languages(languages, field="languages"),
            federation=check_optional_text(federation, field="federation", max_len=NAME_MAX),
        )

    @event("Created")
    def __init__(
        self,
        id: UUID,
        name: str,
        kind: str,
        sectors: tuple[str, ...],
        places: tuple[str, ...],
        languages: tuple[str, ...],
        federation: str | None,
    ) -> None:
        self.name = name
        self.kind = kind
        self.sectors = sectors
        self.places = places
        self.languages = languages
        self.federation = federation
        # Current alliances: organisation id -> the date the alliance began.
        self.alliances: dict[UUID, date] = {}
        # Ended alliances, kept because past ties are part of a collective's story.
        self.past_alliances: list[tuple[UUID, date, date]] = []
        self.erased = False  # its texts destroyed by erase-collective

    def rename(self, name: str) -> None:
        self._renamed(name=check_text(name, field="name", max_len=NAME_MAX))

    @event("Renamed")
    def _renamed(self, name: str) -> None:
        self.name = name

    def update_profile(
        self,
        sectors: tuple[str, ...],
        places: tuple[str, ...],
        languages: tuple[str, ...],
        taxonomy: Taxonomy,
    ) -> None:
        self._profile_updated(
            sectors=check_codes(sectors, taxonomy=taxonomy, vocabulary="sectors", field="sectors"),
            places=check_places(places, field="places"),
            languages=check_languages(languages, field="languages"),
        )

    @event("ProfileUpdated")
    def _profile_updated(
        self,
        sectors: tuple[str, ...],
        places: tuple[str, ...],
        languages: tuple[str, ...],
    ) -> None:
        self.sectors = sectors
        self.places = places
        self.languages = languages

    def form_alliance(self, organisation_id: UUID, since: date) -> None:
        organisation_id = check_uuid(organisation_id, field="organisation_id")
        since = check_date(since, field="since")
        if organisation_id in self.alliances:
            raise DomainError(
                "This collective is already allied with that organisation; end the "
                "current alliance before recording a new one.",
                field="organisation_id",
                code="already_allied",
            )
        self._alliance_formed(organisation_id=organisation_id, since=since)

    @event("AllianceFormed")
    def _alliance_formed(self, organisation_id: UUID, since: date) -> None:
        self.alliances[organisation_id] = since

    def end_alliance(self, organisation_id: UUID, until: date) -> None:
        organisation_id = check_uuid(organisation_id, field="organisation_id")
        until = check_date(until, field="until")
        if organisation_id not in self.alliances:
            raise DomainError(
                "This collective has no current alliance with that organisation, so there is none to end.",
                field="organisation_id",
                code="not_allied",
            )
        check_not_before(
            until,
            self.alliances[organisation_id],
            field="until",
            what="the day the alliance began",
        )
        self._alliance_ended(organisation_id=organisation_id, until=until)

    @event("AllianceEnded")
    def _alliance_ended(self, organisation_id: UUID, until: date) -> None:
        since = self.alliances.pop(organisation_id)
        self.past_alliances.append((organisation_id, since, until))

    def record_erased(self) -> None:
        """A raided or closed centre's texts were destroyed (``erase-collective``). The fact
        carries no personal data; the collective's name and counts stay. Once is enough: a
        second erasure (a restore erases again) records nothing."""
        if not getattr(self, "erased", False):
            self._erased()

    @event("Erased")
    def _erased(self) -> None:
        self.erased = True

    # -- the collective's time zone ----------------------------------------------------------
    # Meeting times are typed and shown in it, and "today" for a date check is its today.
    # Collectives created before zones existed have none until the upgrade gives them one.
    time_zone: str | None = None
    time_zone_source: str | None = None

    def set_time_zone(self, time_zone: str, source: str = "chosen") -> None:
        """``source``: ``chosen`` by a person; ``place`` derived from the country of its
        first place; ``default`` (UTC) when no place settles it, for a person to correct."""
        if source not in ZONE_SOURCES:
            raise DomainError("Unknown source of a time zone.", field="source", code="invalid")
        zone = check_time_zone(time_zone, field="time_zone")
        if zone == self.time_zone and source == self.time_zone_source:
            return
        self._time_zone_set(time_zone=zone, source=source)

    @event("TimeZoneSet")
    def _time_zone_set(self, time_zone: str, source: str) -> None:
        self.time_zone = time_zone
        self.time_zone_source = source


ZONE_SOURCES = ("chosen", "place", "default")
