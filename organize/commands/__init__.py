"""Commands: one msgspec Struct per thing a person can do.

These structs are the request bodies of the JSON API and the arguments of the
application's ``execute``; their constraints (lengths, patterns, list sizes) are the first
line of validation, the domain's invariants the second. Every command carries a
``command_id`` chosen by the client, so a resubmitted form is recognised; commands on an
existing aggregate may carry the ``expected_version`` the client read, so a stale write is
refused instead of silently winning.
"""


from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import Meta

# Bargaining's and imports' commands live in modules of their own (each with its ``__all__``),
# re-exported here so that ``commands.X`` names every command.
from organize.commands.bargaining import *  # noqa: F403
from organize.commands.base import (
    Amount,
)
from organize.commands.base import (
    Code as Code,
)
from organize.commands.base import (
    Codes as Codes,
)
from organize.commands.base import (
    Command as Command,
)
from organize.commands.base import (
    Currency as Currency,
)
from organize.commands.base import (
    Ids as Ids,
)
from organize.commands.base import (
    Language as Language,
)
from organize.commands.base import (
    Languages as Languages,
)
from organize.commands.base import (
    Name as Name,
)
from organize.commands.base import (
    Phone as Phone,
)
from organize.commands.base import (
    Place as Place,
)
from organize.commands.base import (
    Places as Places,
)
from organize.commands.base import (
    Purpose as Purpose,
)
from organize.commands.base import (
    ShortText as ShortText,
)
from organize.commands.base import (
    SomeIds as SomeIds,
)
from organize.commands.base import (
    Text as Text,
)
from organize.commands.base import (
    TimeZone as TimeZone,
)
from organize.commands.base import (
    Update as Update,
)
from organize.commands.base import (
    Version as Version,
)
from organize.commands.imports import *  # noqa: F403

# Collectives -----------------------------------------------------------------------------

class CreateCollective(Command, kw_only=True):
    name: Name
    kind: Code
    sectors: Codes = ()
    places: Places = ()
    languages: Languages = ()
    federation: Name | None = None
    # Meeting times are typed and shown in it; without one, from the country of its places.
    time_zone: TimeZone | None = None


class RenameCollective(Update, kw_only=True):
    collective_id: UUID
    name: Name


class UpdateCollectiveProfile(Update, kw_only=True):
    collective_id: UUID
    sectors: Codes = ()
    places: Places = ()
    languages: Languages = ()


class SetCollectiveTimeZone(Update, kw_only=True):
    collective_id: UUID
    time_zone: TimeZone


class FormAlliance(Update, kw_only=True):
    collective_id: UUID
    organisation_id: UUID
    since: date


class EndAlliance(Update, kw_only=True):
    collective_id: UUID
    organisation_id: UUID
    until: date


# Organisations ---------------------------------------------------------------------------

class CreateOrganisation(Command, kw_only=True):
    name: Name
    kind: Code
    place: Place | None = None
    # The collective that records it: its federation sees it, and only it sees a household.
    collective_id: UUID | None = None


class RenameOrganisation(Update, kw_only=True):
    organisation_id: UUID
    name: Name


class CorrectOrganisationKind(Update, kw_only=True):
    organisation_id: UUID
    kind: Code
    reason: Code


class WithdrawOrganisation(Update, kw_only=True):
    organisation_id: UUID
    reason: Code


# Workers ---------------------------------------------------------------------------------

class Profile(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A worker's pseudonym and personal fields. Sealed under her own key before storage."""

    pseudonym: Annotated[str, Meta(min_length=1, max_length=80)]
    legal_name: Name | None = None
    phone: Phone | None = None
    document_number: Annotated[str, Meta(min_length=1, max_length=64)] | None = None
    note: Text | None = None


class RegisterWorker(Command, kw_only=True):
    profile: Profile
    collective_id: UUID | None = None
    joined_on: date | None = None


class UpdateWorkerProfile(Update, kw_only=True):
    worker_id: UUID
    profile: Profile


class JoinCollective(Update, kw_only=True):
    worker_id: UUID
    collective_id: UUID
    on: date


class LeaveCollective(Update, kw_only=True):
    worker_id: UUID
    collective_id: UUID
    on: date


class GiveConsent(Update, kw_only=True):
    worker_id: UUID
    purpose: Purpose
    on: datetime | None = None


class WithdrawConsent(Update, kw_only=True):
    worker_id: UUID
    purpose: Purpose
    on: datetime | None = None


class StartSpell(Update, kw_only=True):
    worker_id: UUID
    sector: Code
    occupation: Name
    place: Place
    employer_id: UUID | None = None
    relationship: Code
    paid: bool
    started_on: date


class EndSpell(Update, kw_only=True):
    worker_id: UUID
    spell_id: UUID
    ended_on: date


class CorrectSpell(Update, kw_only=True):
    worker_id: UUID
    spell_id: UUID
    sector: Code
    occupation: Name | None = None  # None: as recorded
    place: Place
    started_on: date
    ended_on: date | None = None
    reason: Code


class WithdrawSpell(Update, kw_only=True):
    worker_id: UUID
    spell_id: UUID
    reason: Code


class RecordMove(Update, kw_only=True):
    worker_id: UUID
    to_place: Place
    from_place: Place | None = None
    stage: Code
    moved_on: date


class StatusChange(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A change of status. Sensitive: sealed under the worker's key, never exported."""

    status_kind: Literal["document", "immigration", "employment", "custody", "health"]
    status: ShortText
    note: Text | None = None


class ChangeStatus(Update, kw_only=True):
    worker_id: UUID
    change: StatusChange
    on: date


class EraseWorker(Update, kw_only=True):
    worker_id: UUID


class MergeWorkers(Command, kw_only=True):
    """Two records of the same woman in one collective become one: ``absorbed_id``'s record
    stays, marked as merged, and reads under ``survivor_id``'s."""

    survivor_id: UUID
    absorbed_id: UUID


class UndoWorkerMerge(Command, kw_only=True):
    survivor_id: UUID
    absorbed_id: UUID


# Grievances ------------------------------------------------------------------------------

class RaiseGrievance(Command, kw_only=True):
    collective_id: UUID
    worker_ids: SomeIds
    category: Code
    sector: Code
    place: Place
    stage: Code
    organisation_ids: Ids = ()
    occurred_on: date
    description: Text


class JoinGrievance(Update, kw_only=True):
    grievance_id: UUID
    worker_ids: SomeIds


class NoteEvidence(Update, kw_only=True):
    grievance_id: UUID
    note: Text
    on: date


class ReferGrievance(Update, kw_only=True):
    grievance_id: UUID
    organisation_id: UUID
    worker_ids: SomeIds
    on: date


class EscalateGrievance(Update, kw_only=True):
    grievance_id: UUID
    target: Code
    on: date


class RecordNegotiation(Update, kw_only=True):
    grievance_id: UUID
    with_organisation_id: UUID | None = None
    held_on: date
    notes: Text | None = None


class RecordOutcome(Update, kw_only=True):
    grievance_id: UUID
    outcome: Code
    amount: Amount | None = None
    currency: Currency | None = None
    on: date


class ReportRetaliation(Update, kw_only=True):
    grievance_id: UUID
    details: Text
    kind: Code | None = None
    on: date


class WithdrawGrievance(Update, kw_only=True):
    grievance_id: UUID
    on: date
    reason: Code | None = None


class CorrectGrievance(Update, kw_only=True):
    grievance_id: UUID
    category: Code
    sector: Code
    place: Place
    stage: Code
    occurred_on: date
    description: Text | None = None  # None: as recorded
    reason: Code


class ReopenGrievance(Update, kw_only=True):
    grievance_id: UUID
    on: date


# Grievance money and deadlines ---------------------------------------------------------

AmountKind = Literal["owed", "claimed", "offered", "recovered"]
Clock = Literal["incident", "knowledge", "previous_step"]
Days = Annotated[int, Meta(ge=1, le=3650)]


class StateAmount(Update, kw_only=True):
    grievance_id: UUID
    kind: AmountKind
    amount: Amount
    currency: Currency
    on: date


class CorrectAmount(Update, kw_only=True):
    grievance_id: UUID
    kind: AmountKind
    amount: Amount | None = None  # None (with no currency): it was never owed, claimed, ...
    currency: Currency | None = None
    reason: Code


class RecordKnowledge(Update, kw_only=True):
    grievance_id: UUID
    on: date


class FollowProcedure(Update, kw_only=True):
    grievance_id: UUID
    procedure_id: UUID


class TakeStep(Update, kw_only=True):
    grievance_id: UUID
    step: Code
    on: date


class ProcedureStep(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    code: Code
    name: Name
    days: Days
    clock: Clock = "incident"


class DefineProcedure(Command, kw_only=True):
    collective_id: UUID
    agreement_id: UUID | None = None  # a plain reference to the agreement it belongs to
    name: Name
    steps: Annotated[tuple[ProcedureStep, ...], Meta(min_length=1, max_length=20)]


class ReviseProcedure(Update, kw_only=True):
    procedure_id: UUID
    name: Name
    steps: Annotated[tuple[ProcedureStep, ...], Meta(min_length=1, max_length=20)]


class PlanDeparture(Update, kw_only=True):
    worker_id: UUID
    leaves_on: date | None = None  # the day she plans (or is made) to leave; None: she stays


# Campaigns -------------------------------------------------------------------------------

class LaunchCampaign(Command, kw_only=True):
    issue: ShortText
    demands: Annotated[tuple[ShortText, ...], Meta(max_length=50)] = ()
    collective_ids: SomeIds
    sectors: Codes = ()
    launched_on: date


class LaunchJointCampaign(Command, kw_only=True):
    """Launch a campaign from a common grievance, in one step: the grievances are linked and
    the collectives behind them invited (plus any named in ``invite_collective_ids``). No
    collective is in the campaign until its leaders accept. For organisers and admins."""

    issue: ShortText
    demands: Annotated[tuple[ShortText, ...], Meta(max_length=50)] = ()
    grievance_ids: SomeIds
    invite_collective_ids: Ids = ()
    sectors: Codes = ()
    launched_on: date


class AcceptCampaignInvitation(Update, kw_only=True):
    """A collective accepts its invitation to a campaign, and so joins it."""

    campaign_id: UUID
    collective_id: UUID
    on: date


class DeclineCampaignInvitation(Update, kw_only=True):
    """A collective declines its invitation to a campaign; the reason is a code."""

    campaign_id: UUID
    collective_id: UUID
    on: date
    reason: Code | None = None


class AddDemand(Update, kw_only=True):
    campaign_id: UUID
    text: ShortText


class CorrectDemand(Update, kw_only=True):
    campaign_id: UUID
    demand_id: UUID
    text: ShortText
    reason: Code


class WithdrawDemand(Update, kw_only=True):
    campaign_id: UUID
    demand_id: UUID
    reason: Code


class JoinCampaign(Update, kw_only=True):
    campaign_id: UUID
    collective_id: UUID


class LinkGrievance(Update, kw_only=True):
    campaign_id: UUID
    grievance_id: UUID


class TakeAction(Update, kw_only=True):
    campaign_id: UUID
    kind: Code
    taken_on: date
    participant_ids: Annotated[tuple[UUID, ...], Meta(max_length=500)] = ()
    collective_ids: Ids = ()


class ResolveDemand(Update, kw_only=True):
    campaign_id: UUID
    demand_id: UUID
    result: Code
    on: date


class SignAgreement(Update, kw_only=True):
    campaign_id: UUID
    with_organisation_id: UUID
    signed_on: date
    clauses: Annotated[tuple[ShortText, ...], Meta(min_length=1, max_length=50)]


class CloseCampaign(Update, kw_only=True):
    campaign_id: UUID
    on: date
    summary: Text | None = None


# Meetings --------------------------------------------------------------------------------

class ScheduleMeeting(Command, kw_only=True):
    kind: Code
    collective_ids: SomeIds
    scheduled_for: datetime
    language: Language
    agenda_grievance_ids: Ids = ()
    agenda_campaign_ids: Ids = ()


class RecordMeetingHeld(Update, kw_only=True):
    meeting_id: UUID
    held_at: datetime
    attendee_ids: Annotated[tuple[UUID, ...], Meta(min_length=1, max_length=500)]
    facilitator_ids: SomeIds
    speaker_ids: Annotated[tuple[UUID, ...], Meta(max_length=500)] = ()
    language: Language
    decisions: Annotated[tuple[ShortText, ...], Meta(max_length=50)] = ()


class CancelMeeting(Update, kw_only=True):
    meeting_id: UUID
    reason: ShortText | None = None


# Corrections: ``reason`` is a code (``organize.domain.meeting.CORRECTION_REASONS``).

class CorrectMeeting(Update, kw_only=True):
    meeting_id: UUID
    kind: Code
    scheduled_for: datetime
    held_at: datetime | None = None  # once held
    reason: Code


class CorrectAttendance(Update, kw_only=True):
    meeting_id: UUID
    attendee_ids: Annotated[tuple[UUID, ...], Meta(min_length=1, max_length=500)]
    facilitator_ids: SomeIds
    speaker_ids: Annotated[tuple[UUID, ...], Meta(max_length=500)] = ()
    reason: Code


class CorrectDecisions(Update, kw_only=True):
    meeting_id: UUID
    decisions: Annotated[tuple[ShortText, ...], Meta(max_length=50)] = ()
    reason: Code


# Assessments -----------------------------------------------------------------------------

class Level(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    dimension: Code
    level: Annotated[int, Meta(ge=0, le=4)]


class RecordAssessment(Command, kw_only=True):
    collective_id: UUID
    assessed_on: date
    levels: Annotated[tuple[Level, ...], Meta(min_length=1, max_length=8)]
    narrative: Text


class ReviseAssessment(Update, kw_only=True):
    assessment_id: UUID
    levels: Annotated[tuple[Level, ...], Meta(min_length=1, max_length=8)]
    narrative: Text


# Accounts ---------------------------------------------------------------------------------
# People who log in. Not workers. Only an admin (or the operator at the command line) runs
# these; the role is a plain code so the domain can refuse any role that does not exist.

Username = Annotated[str, Meta(pattern=r"^[a-z0-9][a-z0-9._-]{2,39}$", max_length=40)]


class CreateAccount(Command, kw_only=True):
    """Create an account, with its first role if one is given (both in one go)."""

    username: Username
    display_name: Name | None = None
    role: Code | None = None
    collective_ids: Ids = ()
    federation: Name | None = None


class GrantRole(Update, kw_only=True):
    account_id: UUID
    role: Code
    collective_ids: Ids = ()
    federation: Name | None = None


class RevokeRole(Update, kw_only=True):
    account_id: UUID
    role: Code


class DisableAccount(Update, kw_only=True):
    account_id: UUID


# Research privacy budgets -------------------------------------------------------------------
# Each researcher's differential-privacy budget, in thousandths of epsilon
# (organize.domain.privacy_budget). The research routes and the CLI spend from it when they
# hand out a noisy release; an admin sets a researcher's total.

Measurement = Annotated[str, Meta(pattern=r"^[0-9a-f]{16,64}$", max_length=64)]


class SpendPrivacyBudget(Command, kw_only=True):
    """Pay for one differentially private release from a researcher's budget; free when she
    already paid for that release."""

    account_id: UUID
    measurement: Measurement
    epsilon_milli: Annotated[int, Meta(ge=10, le=1000)]


class SetPrivacyBudget(Command, kw_only=True):
    """Set a researcher's total privacy budget (thousandths of epsilon)."""

    account_id: UUID
    total_milli: Annotated[int, Meta(ge=0, le=20000)]


# Correction conflicts (organize.application.conflicts): a leader settles a flag raised when
# two corrections made from one version changed the same field.

class ResolveGrievanceConflict(Update, kw_only=True):
    grievance_id: UUID
    conflict_id: UUID


class ResolveMeetingConflict(Update, kw_only=True):
    meeting_id: UUID
    conflict_id: UUID


class CommandResult(msgspec.Struct, kw_only=True):
    """What every command returns: the ids it touched and where its last event landed."""

    command_id: UUID
    id: UUID
    ids: tuple[UUID, ...]
    notification_id: int | None
    replayed: bool = False
