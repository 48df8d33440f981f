"""Accounts and the researchers' privacy budgets.

- ``CreateAccount``, ``GrantRole``, ``RevokeRole``, ``DisableAccount``: admins only, after
  logging in (never with an API token); no API route (``organize user``, the admin pages).
- ``SpendPrivacyBudget``: a researcher, her own budget, as she obtains releases
  (``organize.exports.budget``, the research page); ``SetPrivacyBudget``: admins. No API route.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID, uuid5

from eventsourcing.application import AggregateNotFoundError

from organize import commands as c
from organize.application.base import ID_NAMESPACE, Done, Use, check_all
from organize.application.policy import (
    ACCOUNTS,
    Rule,
)
from organize.domain import (
    Account,
    Collective,
    PrivacyBudget,
)
from organize.domain.account import ADMIN, RESEARCHER
from organize.errors import Conflict, Forbidden, Invalid

if TYPE_CHECKING:
    from organize.application import Organize


def account_id_for(username: str) -> UUID:
    """An account's id derives from its username, so the event store itself refuses a
    second account with the same name, and a login finds the account without a lookup."""
    return uuid5(ID_NAMESPACE, f"account:{username}")


def _grant(app: Organize, agg: Account, role: str, collective_ids: tuple[UUID, ...],
           federation: str | None) -> None:
    check_all(app, Collective, collective_ids, "collective_ids")
    agg.grant_role(role, collective_ids, federation)


def _create_account(app: Organize, cmd: c.CreateAccount) -> Done:
    account_id = account_id_for(cmd.username)
    try:
        app.repository.get(account_id)
    except AggregateNotFoundError:
        pass
    else:
        raise Conflict("This username is taken; choose another.", field="username",
                       code="username_taken")
    agg = Account.create(id=account_id, username=cmd.username, display_name=cmd.display_name)
    if cmd.role is not None:
        _grant(app, agg, cmd.role, cmd.collective_ids, cmd.federation)
    elif cmd.collective_ids or cmd.federation is not None:
        raise Invalid("Collectives or a federation were given without a role.", field="role",
                      code="empty")
    return Done(agg.id, [agg])


def _grant_role(app: Organize, cmd: c.GrantRole) -> Done:
    agg = app.target(Account, cmd, "account_id")
    _grant(app, agg, cmd.role, cmd.collective_ids, cmd.federation)
    return Done(agg.id, [agg])


def _revoke_role(app: Organize, cmd: c.RevokeRole) -> Done:
    agg = app.target(Account, cmd, "account_id")
    agg.revoke_role(cmd.role)
    return Done(agg.id, [agg])


def _disable_account(app: Organize, cmd: c.DisableAccount) -> Done:
    agg = app.target(Account, cmd, "account_id")
    agg.disable()
    return Done(agg.id, [agg])





# -- research privacy budgets ------------------------------------------------------------------

def privacy_budget_id(account_id: UUID) -> UUID:
    """One budget per researcher's account, at an id derived from it."""
    return uuid5(ID_NAMESPACE, f"privacy-budget:{account_id}")


def privacy_budget(app: Organize, account_id: UUID) -> PrivacyBudget | None:
    try:
        return app.repository.get(privacy_budget_id(account_id))
    except AggregateNotFoundError:
        return None


def _budget_of(app: Organize, account_id: UUID) -> PrivacyBudget:
    app.exists(Account, account_id, field="account_id")
    return privacy_budget(app, account_id) or PrivacyBudget.open(
        id=privacy_budget_id(account_id), account_id=account_id)


def _spend_privacy_budget(app: Organize, cmd: c.SpendPrivacyBudget) -> Done:
    agg = _budget_of(app, cmd.account_id)
    agg.spend(cmd.measurement, cmd.epsilon_milli)  # records nothing when already paid for
    return Done(agg.id, [agg])


def _set_privacy_budget(app: Organize, cmd: c.SetPrivacyBudget) -> Done:
    agg = _budget_of(app, cmd.account_id)
    agg.set_total(cmd.total_milli)
    return Done(agg.id, [agg])



def _own_privacy_budget(principal, cmd: c.SpendPrivacyBudget) -> None:
    if principal.role != ADMIN and cmd.account_id != principal.account_id:
        raise Forbidden("A researcher spends only her own privacy budget.", code="scope")


TABLE: dict[type[c.Command], Use] = {
    c.CreateAccount: Use(_create_account, ACCOUNTS, api=False),
    c.GrantRole: Use(_grant_role, ACCOUNTS, api=False),
    c.RevokeRole: Use(_revoke_role, ACCOUNTS, api=False),
    c.DisableAccount: Use(_disable_account, ACCOUNTS, api=False),
    c.SpendPrivacyBudget: Use(_spend_privacy_budget, Rule(frozenset({RESEARCHER}),
                                                          check=_own_privacy_budget), api=False),
    c.SetPrivacyBudget: Use(_set_privacy_budget, ACCOUNTS, api=False),
}
