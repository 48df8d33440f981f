"""Bargaining's commands (``organize.application.bargaining``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import Meta

from organize.commands.base import (
    Amount,
    Command,
    Currency,
    ShortText,
    SomeIds,
    Text,
    Update,
)

# Bargaining -------------------------------------------------------------------------------
# One round of collective bargaining (organize.domain.bargaining): every text is sealed under
# the round's key, owned by its collective. Votes are counts, never who voted how.

Count = Annotated[int, Meta(ge=0, le=1_000_000)]

__all__ = [
    "AdoptMandate", "BringAgreementIntoForce", "CiteBreach", "ClauseNote", "Count",
    "EndAgreement", "OpenBargaining", "ProposeClause", "RatifyAgreement",
    "ReachTentativeAgreement", "RecordBargainingSession", "TableClause",
]


class OpenBargaining(Command, kw_only=True):
    collective_id: UUID
    counterpart_id: UUID  # an organisation: employer, employers' association, agency, office
    team_ids: SomeIds  # the bargaining team: members of the collective
    opened_on: date
    campaign_id: UUID | None = None  # the campaign it grew from, if any


class AdoptMandate(Update, kw_only=True):
    """The demands members adopted in a held meeting of the collective."""

    bargaining_id: UUID
    meeting_id: UUID
    demands: Annotated[tuple[ShortText, ...], Meta(min_length=1, max_length=50)]


class TableClause(Update, kw_only=True):
    bargaining_id: UUID
    wording: Text
    on: date


class ClauseNote(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    clause_id: UUID
    note: Text


class RecordBargainingSession(Update, kw_only=True):
    """A session with the other side, on a day in the collective's time zone."""

    bargaining_id: UUID
    held_on: date
    our_attendee_ids: SomeIds
    their_attendees: Annotated[tuple[ShortText, ...], Meta(max_length=50)] = ()
    notes: Annotated[tuple[ClauseNote, ...], Meta(max_length=50)] = ()


class ProposeClause(Update, kw_only=True):
    """A proposal (``ours``) or counter-proposal (``theirs``) on one clause, with the amount
    it offers if it is about money (a wage, an allowance): exact, with its currency. The
    amount agreed on a clause is the last one proposed on it when the tentative agreement
    is reached."""

    bargaining_id: UUID
    clause_id: UUID
    side: Literal["ours", "theirs"]
    text: Text
    on: date
    amount: Amount | None = None
    currency: Currency | None = None


class ReachTentativeAgreement(Update, kw_only=True):
    bargaining_id: UUID
    clause_ids: SomeIds
    on: date


class RatifyAgreement(Update, kw_only=True):
    """The members' vote in a held meeting: counts and the rule, never who voted how."""

    bargaining_id: UUID
    meeting_id: UUID
    votes_for: Count
    against: Count
    abstaining: Count
    rule: Literal["simple_majority", "two_thirds"]


class BringAgreementIntoForce(Update, kw_only=True):
    bargaining_id: UUID
    starts_on: date
    expires_on: date


class EndAgreement(Update, kw_only=True):
    bargaining_id: UUID
    on: date
    reason: Literal["expired", "terminated", "replaced"]


class CiteBreach(Update, kw_only=True):
    """A grievance says this clause of an agreement in force was breached."""

    grievance_id: UUID
    bargaining_id: UUID
    clause_id: UUID
