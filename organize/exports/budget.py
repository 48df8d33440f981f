"""Paying for a differentially private release from a researcher's budget.

The budget itself is the ``PrivacyBudget`` aggregate (events, so every spend is audited);
this is the bridge ``releases.obtain`` calls: it runs ``SpendPrivacyBudget`` through the
caller's ``execute`` (the web routes pass one that applies the access rule first; the CLI,
run by the operator, the application's own) and turns a refusal into an ``ExportError``
the page and the API can say in the researcher's language.

The command id derives from the researcher and the measurement, so a double submit, or two
tabs asking at once, is one spend.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any
from uuid import UUID

from organize import commands as c
from organize.application import Organize, privacy_budget
from organize.domain.privacy_budget import DEFAULT_TOTAL_MILLI
from organize.errors import CommandError
from organize.exports.releases import BudgetState, Spend
from organize.exports.trends import ExportError

SPEND_NAMESPACE = uuid.UUID("6f726761-6e69-7a65-8000-000000e95110")


def budget_state(app: Organize, account_id: UUID) -> BudgetState:
    """Her total, what she has spent and what is left, as epsilons."""
    agg = privacy_budget(app, account_id)
    total = DEFAULT_TOTAL_MILLI if agg is None else agg.total_milli
    spent = 0 if agg is None else agg.spent_milli
    return {"total": total / 1000, "spent": spent / 1000, "left": max(0, total - spent) / 1000}


def spender(app: Organize, account_id: UUID,
            execute: Callable[[c.Command], Any] | None = None) -> Spend:
    run = execute or app.execute

    def spend(measurement: str, epsilon_milli: int) -> BudgetState:
        agg = privacy_budget(app, account_id)
        already = agg is not None and agg.has_paid_for(measurement)
        command = c.SpendPrivacyBudget(
            command_id=uuid.uuid5(SPEND_NAMESPACE, f"{account_id}:{measurement}"),
            account_id=account_id, measurement=measurement, epsilon_milli=epsilon_milli)
        try:
            run(command)
        except CommandError as e:
            if e.code == "over_budget":
                raise ExportError(str(e), field="epsilon", code="over_budget") from None
            raise
        state = budget_state(app, account_id)
        return {**state, "epsilon_spent": 0 if already else epsilon_milli / 1000}

    return spend


__all__ = ["budget_state", "spender"]
