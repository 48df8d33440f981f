"""Organisations (employers, recruiters, unions, shelters...): recorded by a collective,
renamed by whoever reaches that collective.

- ``CreateOrganisation``: leaders for one of their collectives; organisers, never a household
  (a household employer is a person, recorded by the collective of the worker who lives there).
- ``RenameOrganisation``: leaders and organisers of the collective that recorded it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from organize import commands as c
from organize.application.base import Done, Use, new_id
from organize.application.policy import (
    BOTH,
    COLLECTIVE,
    HOUSEHOLD,
    Relation,
    Rule,
    touching,
)
from organize.domain import (
    Collective,
    Organisation,
)
from organize.domain.account import LEADER, ORGANISER
from organize.errors import Forbidden

if TYPE_CHECKING:
    from organize.application import Organize


def _create_organisation(app: Organize, cmd: c.CreateOrganisation) -> Done:
    agg = Organisation.create(id=new_id(cmd.command_id, "organisation"), name=cmd.name,
                              kind=cmd.kind, place=cmd.place, taxonomy=app.taxonomy)
    if cmd.collective_id is not None:
        app.exists(Collective, cmd.collective_id, field="collective_id")
        agg.record_for(cmd.collective_id)
    return Done(agg.id, [agg])


def _rename_organisation(app: Organize, cmd: c.RenameOrganisation) -> Done:
    agg = app.target(Organisation, cmd, "organisation_id")
    agg.rename(cmd.name)
    return Done(agg.id, [agg])


def _correct_organisation_kind(app: Organize, cmd: c.CorrectOrganisationKind) -> Done:
    agg = app.target(Organisation, cmd, "organisation_id")
    agg.correct_kind(cmd.kind, cmd.reason, app.taxonomy)
    return Done(agg.id, [agg])


def _withdraw_organisation(app: Organize, cmd: c.WithdrawOrganisation) -> Done:
    agg = app.target(Organisation, cmd, "organisation_id")
    agg.withdraw(cmd.reason)
    return Done(agg.id, [agg])


def _recorded_by_one_of_hers(principal, cmd: c.CreateOrganisation) -> None:
    # What a leader records belongs to one of her collectives (the federation sees it, and
    # only that collective sees a household).
    if principal.role == LEADER and cmd.collective_id is None:
        raise Forbidden("Choose the collective that records this organisation.", code="scope")
    if principal.role == ORGANISER and cmd.kind == HOUSEHOLD:
        raise Forbidden("A household employer is recorded by the collective of the worker who "
                        "lives there.", code="role")


RECORDED = touching(Relation.RECORDED, "organisation_id")

TABLE: dict[type[c.Command], Use] = {
    c.CreateOrganisation: Use(_create_organisation, Rule(BOTH, COLLECTIVE, check=_recorded_by_one_of_hers)),
    c.RenameOrganisation: Use(_rename_organisation, Rule(BOTH, RECORDED)),
    c.CorrectOrganisationKind: Use(_correct_organisation_kind, Rule(BOTH, RECORDED)),
    c.WithdrawOrganisation: Use(_withdraw_organisation, Rule(BOTH, RECORDED)),
}
