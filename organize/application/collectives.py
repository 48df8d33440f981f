"""Collectives: created by an organiser in her own federation; renamed, profiled and allied
by whoever organises in them.

- ``CreateCollective``: organisers (and admins), only in their own federation.
- ``RenameCollective``, ``UpdateCollectiveProfile``: leaders and organisers of the collective.
- ``FormAlliance``, ``EndAlliance``: the same, with an organisation they may name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from organize import commands as c
from organize.application.base import Done, Use, new_id
from organize.application.policy import (
    BOTH,
    COLLECTIVE,
    ORGANISATION,
    ORGANISERS,
    Rule,
)
from organize.domain import (
    Collective,
    Organisation,
)
from organize.domain.account import ORGANISER
from organize.errors import Forbidden
from organize.time_zones import zone_for_places

if TYPE_CHECKING:
    from organize.application import Organize


def _create_collective(app: Organize, cmd: c.CreateCollective) -> Done:
    agg = Collective.create(
        id=new_id(cmd.command_id, "collective"), name=cmd.name, kind=cmd.kind,
        sectors=cmd.sectors, places=cmd.places, languages=cmd.languages,
        federation=cmd.federation, taxonomy=app.taxonomy,
    )
    if cmd.time_zone is not None:
        agg.set_time_zone(cmd.time_zone)
    else:
        agg.set_time_zone(*zone_for_places(agg.places))
    return Done(agg.id, [agg])


def _set_collective_time_zone(app: Organize, cmd: c.SetCollectiveTimeZone) -> Done:
    agg = app.target(Collective, cmd, "collective_id")
    agg.set_time_zone(cmd.time_zone)
    return Done(agg.id, [agg])


def _rename_collective(app: Organize, cmd: c.RenameCollective) -> Done:
    agg = app.target(Collective, cmd, "collective_id")
    agg.rename(cmd.name)
    return Done(agg.id, [agg])


def _update_collective(app: Organize, cmd: c.UpdateCollectiveProfile) -> Done:
    agg = app.target(Collective, cmd, "collective_id")
    agg.update_profile(sectors=cmd.sectors, places=cmd.places, languages=cmd.languages,
                       taxonomy=app.taxonomy)
    return Done(agg.id, [agg])


def _form_alliance(app: Organize, cmd: c.FormAlliance) -> Done:
    agg = app.target(Collective, cmd, "collective_id")
    app.exists(Organisation, cmd.organisation_id, field="organisation_id")
    agg.form_alliance(cmd.organisation_id, cmd.since)
    return Done(agg.id, [agg])


def _end_alliance(app: Organize, cmd: c.EndAlliance) -> Done:
    agg = app.target(Collective, cmd, "collective_id")
    agg.end_alliance(cmd.organisation_id, cmd.until)
    return Done(agg.id, [agg])


def _own_federation(principal, cmd: c.CreateCollective) -> None:
    if principal.role == ORGANISER and cmd.federation != principal.federation:
        raise Forbidden("You can create collectives only in your own federation.", code="scope")


TABLE: dict[type[c.Command], Use] = {
    c.CreateCollective: Use(_create_collective, Rule(ORGANISERS, check=_own_federation)),
    c.RenameCollective: Use(_rename_collective, Rule(BOTH, COLLECTIVE)),
    c.UpdateCollectiveProfile: Use(_update_collective, Rule(BOTH, COLLECTIVE)),
    c.SetCollectiveTimeZone: Use(_set_collective_time_zone, Rule(BOTH, COLLECTIVE)),
    c.FormAlliance: Use(_form_alliance, Rule(BOTH, COLLECTIVE + ORGANISATION)),
    c.EndAlliance: Use(_end_alliance, Rule(BOTH, COLLECTIVE + ORGANISATION)),
}
