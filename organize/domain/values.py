"""Value objects: small immutable records that events carry or aggregates keep.

This room holds every value object in the domain as a frozen, keyword-only
``msgspec.Struct``. Frozen because a value shared between an event and an aggregate's
state must never change under either of them; msgspec because the stored-event
transcoder encodes and decodes these types directly. Fields hold stable codes, never
display labels, and sealed personal data stays ``bytes`` the domain cannot read.
"""

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

import msgspec

# The eight dimensions of organising strength (DOMAIN.md). Safety climate is a risk
# signal, not a strength, but it is assessed on the same 0..4 scale.
DIMENSIONS: tuple[str, ...] = (
    "issue_dynamism",
    "collective_voice",
    "leadership",
    "participation_depth",
    "negotiating_power",
    "cross_sector_solidarity",
    "alliances",
    "safety_climate",
)
LEVEL_MIN = 0  # not yet
LEVEL_MAX = 4  # strong


# --- carried by events ---------------------------------------------------------------


class Demand(msgspec.Struct, frozen=True, kw_only=True):
    """One demand of an issue campaign. Its text is sealed under the campaign's key
    (``sealed_text``); ``text`` holds the clear text of demands recorded before that, and,
    once opened, for reading."""

    demand_id: UUID
    text: str = ""
    sealed_text: bytes | None = None


class DimensionLevel(msgspec.Struct, frozen=True, kw_only=True):
    """A level (0 not yet .. 4 strong) given to one dimension of organising strength."""

    dimension: str
    level: int


# --- kept in aggregate state ---------------------------------------------------------


class Membership(msgspec.Struct, frozen=True, kw_only=True):
    """One period of a worker's membership of a collective."""

    collective_id: UUID
    joined_on: date
    left_on: date | None = None


class ConsentChange(msgspec.Struct, frozen=True, kw_only=True):
    """A consent given or withdrawn; withdrawal applies from that moment on."""

    purpose: str
    given: bool
    on: datetime


class Spell(msgspec.Struct, frozen=True, kw_only=True):
    """One period of work, paid or unpaid. A worker's spells may overlap."""

    spell_id: UUID
    sector: str
    # Sealed under her key; ``occupation`` holds the clear text of spells recorded before
    # occupations were sealed (version 1 events), and, once opened, for reading.
    occupation: str | None = None
    sealed_occupation: bytes | None = None
    place: str
    employer_id: UUID | None
    relationship: str
    paid: bool
    started_on: date
    ended_on: date | None = None


class Move(msgspec.Struct, frozen=True, kw_only=True):
    """One move in a worker's journey. Stages can repeat: journeys loop."""

    to_place: str
    from_place: str | None
    stage: str
    moved_on: date


class StatusChange(msgspec.Struct, frozen=True, kw_only=True):
    """A change of status, such as documented to undocumented. Details are sealed and
    become ``None`` once the worker's record is erased."""

    on: date
    sealed_status: bytes | None


class Evidence(msgspec.Struct, frozen=True, kw_only=True):
    on: date
    sealed_note: bytes


class Referral(msgspec.Struct, frozen=True, kw_only=True):
    organisation_id: UUID
    worker_ids: tuple[UUID, ...]
    on: date


class Escalation(msgspec.Struct, frozen=True, kw_only=True):
    target: str
    on: date


class Negotiation(msgspec.Struct, frozen=True, kw_only=True):
    with_organisation_id: UUID | None
    held_on: date
    sealed_notes: bytes | None


class Outcome(msgspec.Struct, frozen=True, kw_only=True):
    outcome: str
    amount: Decimal | None
    currency: str | None
    on: date


class Retaliation(msgspec.Struct, frozen=True, kw_only=True):
    kind: str | None
    on: date
    sealed_details: bytes


class Action(msgspec.Struct, frozen=True, kw_only=True):
    """A collective action taken in a campaign."""

    action_id: UUID
    kind: str
    taken_on: date
    participant_ids: tuple[UUID, ...]
    collective_ids: tuple[UUID, ...]


class DemandResult(msgspec.Struct, frozen=True, kw_only=True):
    result: str
    on: date


class Invitation(msgspec.Struct, frozen=True, kw_only=True):
    """A collective's invitation to a campaign, and its answer (codes only)."""

    collective_id: UUID
    state: str  # pending | accepted | declined
    invited_on: date
    decided_on: date | None = None
    reason: str | None = None  # a code of ``invitation_decline_reasons``


class Agreement(msgspec.Struct, frozen=True, kw_only=True):
    agreement_id: UUID
    with_organisation_id: UUID
    signed_on: date
    clauses: tuple[str, ...]  # only agreements signed before clauses were sealed
    sealed_clauses: bytes | None = None
    clause_count: int = 0
