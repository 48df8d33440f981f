"""Accounts' and privacy budgets' use cases in memory: accepted, refused by the
application or the domain, and refused by the policy (admins only; a researcher spends her
own budget)."""

from __future__ import annotations

import pytest

from organize import commands as c
from organize.application import accounts
from tests.unit.application.conftest import (
    Case,
    case_tests,
    cid,
)


def _acct(w, key="account_leader_b"):
    return {"account_id": w.ids[key], "expected_version": w.version(w.ids[key])}


CASES = {
    c.CreateAccount: Case(
        accept=lambda w: c.CreateAccount(command_id=cid(), username="new-leader", role="leader",
                                         collective_ids=(w.a,)),
        by="admin", event="RoleGranted",
        refuse=lambda w: c.CreateAccount(command_id=cid(), username="leader-a"),
        code="username_taken", outsider="leader_a", outsider_error="Forbidden"),
    c.GrantRole: Case(
        accept=lambda w: c.GrantRole(command_id=cid(), role="leader", collective_ids=(w.a2,),
                                     **_acct(w)),
        by="admin", event="RoleGranted",
        refuse=lambda w: c.GrantRole(command_id=cid(), role="no_such_role", **_acct(w)),
        code="unknown_role", outsider="organiser", outsider_error="Forbidden"),
    c.RevokeRole: Case(
        accept=lambda w: c.RevokeRole(command_id=cid(), role="leader", **_acct(w)),
        by="admin", event="RoleRevoked",
        refuse=lambda w: c.RevokeRole(command_id=cid(), role="organiser", **_acct(w)),
        code="not_held", outsider="leader_b", outsider_error="Forbidden"),
    c.DisableAccount: Case(
        accept=lambda w: c.DisableAccount(command_id=cid(), **_acct(w)),
        by="admin", event="Disabled",
        refuse=lambda w: c.DisableAccount(command_id=cid(), account_id=w.w1),
        code="not_found", outsider="researcher", outsider_error="Forbidden"),
    c.SpendPrivacyBudget: Case(
        accept=lambda w: c.SpendPrivacyBudget(command_id=cid(),
                                              account_id=w.account_researcher,
                                              measurement="0123456789abcdef", epsilon_milli=500),
        by="researcher", event="Spent",
        refuse=lambda w: c.SpendPrivacyBudget(command_id=cid(),
                                              account_id=w.account_researcher,
                                              measurement="0123456789abcdef",
                                              epsilon_milli=900_000),
        # Over the field's limit: refused by the application before the domain is asked.
        code="invalid_input", outsider="leader_a", outsider_error="Forbidden"),
    c.SetPrivacyBudget: Case(
        accept=lambda w: c.SetPrivacyBudget(command_id=cid(), account_id=w.account_researcher,
                                            total_milli=5000),
        by="admin", event="TotalSet",
        refuse=lambda w: c.SetPrivacyBudget(command_id=cid(), account_id=w.w1, total_milli=5000),
        code="not_found", outsider="researcher", outsider_error="Forbidden"),
}


def test_a_researcher_spends_only_her_own_budget(world):
    with pytest.raises(Exception) as refused:
        world.run("researcher", c.SpendPrivacyBudget(
            command_id=cid(), account_id=world.account_admin, measurement="0123456789abcdef",
            epsilon_milli=100))
    assert refused.value.code == "scope"


def test_an_api_token_never_manages_accounts(world):
    from dataclasses import replace

    world.principals["admin"] = replace(world.principals["admin"], via="token")
    with pytest.raises(Exception) as refused:
        world.run("admin", CASES[c.CreateAccount].accept(world))
    assert refused.value.code == "role"


(test_the_cases_cover_the_module, test_accepted, test_refused,
 test_refused_by_the_policy) = case_tests(CASES, accounts.TABLE)
