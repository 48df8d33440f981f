"""Who may do what: the access policy, as data beside the use cases.

Every command has one ``Rule`` in ``RULES``: the roles that may run it (an admin runs
everything) and, for each id it names, the **relation** the account must have to that
aggregate. A read of one aggregate asks the same relations (``Visibility``). The web and API
layers only authenticate, call ``Authorised`` and map a refusal to 403 (the role may not) or
404 (out of scope: answered word for word as for an id that does not exist, so guessing ids
tells nothing).

The relations (``Relation``):

- ``COLLECTIVE``: one of a leader's collectives, or one in an organiser's federation;
- ``MEMBER``: a worker who is **currently** a member of such a collective. A collective she
  left keeps what it recorded while she was a member (her pseudonym on it), but cannot edit,
  consent for or erase her, and reads nothing recorded about her since (``FORMER``);
- ``GRIEVANCE`` / ``ASSESSMENT``: its collective is in scope;
- ``JOINED``: a campaign one of the account's collectives joined (for an organiser: one that
  reaches her federation); ``REACHED``: joined or invited, enough to see it and answer;
- ``MEETING``: one of its collectives is in scope;
- ``ORGANISATION``: an organisation the account may name. Organisations recorded by a
  collective are visible to its federation; a private household employer is a person (her
  address identifies the worker who lives there), so only the collective that recorded it
  sees it. Organisations recorded by no collective (by an admin, or before this rule) are
  shared reference data, except households, which then only an admin sees;
- ``RECORDED``: an organisation recorded by a collective in scope (to rename it).

The roles' duties (DOMAIN.md): **leaders** hold their collectives' files. **Organisers**
coordinate: they create collectives in their federation, launch joint campaigns, schedule
and record coordination meetings, assess, and read counts and indicators; they never write
personal data or consent, never erase, never touch a grievance. **Researchers** reach none
of this (``web.research``). **Admins** reach everything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any, TypeVar
from uuid import UUID

import msgspec
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from organize import commands as c
from organize.application import Organize
from organize.domain import (
    Assessment,
    Campaign,
    Collective,
    Grievance,
    Meeting,
    Organisation,
    Worker,
)
from organize.domain.account import ADMIN, LEADER, ORGANISER, RESEARCHER
from organize.errors import Forbidden, NotFound
from organize.projections.reads import Scope
from organize.provenance import recording_as

A = TypeVar("A", bound=Aggregate)

ROLE_MESSAGE = "Your account's role does not reach this."
HOUSEHOLD = "household"  # the organisation kind that is a person


class Relation(Enum):
    COLLECTIVE = "a collective in scope"
    MEMBER = "a worker who is now a member of a collective in scope"
    GRIEVANCE = "a grievance of a collective in scope"
    ASSESSMENT = "an assessment of a collective in scope"
    JOINED = "a campaign a collective in scope joined"
    REACHED = "a campaign a collective in scope joined or is invited to"
    MEETING = "a meeting of a collective in scope"
    ORGANISATION = "an organisation the account may name"
    RECORDED = "an organisation a collective in scope recorded"


KIND = {
    Relation.COLLECTIVE: Collective, Relation.MEMBER: Worker, Relation.GRIEVANCE: Grievance,
    Relation.ASSESSMENT: Assessment, Relation.JOINED: Campaign, Relation.REACHED: Campaign,
    Relation.MEETING: Meeting, Relation.ORGANISATION: Organisation,
    Relation.RECORDED: Organisation,
}


@dataclass(frozen=True)
class Touch:
    """A command names aggregates in ``field`` (one id, a tuple, or None), each of which
    must stand in ``relation`` to the account."""

    field: str
    relation: Relation


Check = Callable[[Any, Any], None]  # (principal, command): raises Forbidden


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str]  # besides admin
    touches: tuple[Touch, ...] = ()
    check: Check | None = None  # a further rule on the role and the command
    admin_only: bool = False

    def may(self, role: str | None) -> bool:
        return role == ADMIN or (not self.admin_only and role in self.roles)


LEADERS = frozenset({LEADER})
ORGANISERS = frozenset({ORGANISER})
BOTH = frozenset({LEADER, ORGANISER})


def _t(relation: Relation, *fields: str) -> tuple[Touch, ...]:
    return tuple(Touch(f, relation) for f in fields)


def _own_federation(principal, cmd: c.CreateCollective) -> None:
    if principal.role == ORGANISER and cmd.federation != principal.federation:
        raise Forbidden("You can create collectives only in your own federation.", code="scope")


def _recorded_by_one_of_hers(principal, cmd: c.CreateOrganisation) -> None:
    # What a leader records belongs to one of her collectives (the federation sees it, and
    # only that collective sees a household).
    if principal.role == LEADER and cmd.collective_id is None:
        raise Forbidden("Choose the collective that records this organisation.", code="scope")
    if principal.role == ORGANISER and cmd.kind == HOUSEHOLD:
        raise Forbidden("A household employer is recorded by the collective of the worker who "
                        "lives there.", code="role")


def _in_a_collective(principal, cmd: c.RegisterWorker) -> None:
    # A worker in no collective would be out of every scope but an admin's.
    if cmd.collective_id is None:
        raise Forbidden("Choose one of your collectives for her.", code="scope")


def _own_privacy_budget(principal, cmd: c.SpendPrivacyBudget) -> None:
    if principal.role != ADMIN and cmd.account_id != principal.account_id:
        raise Forbidden("A researcher spends only her own privacy budget.", code="scope")


def _no_names_for_organisers(principal, cmd: c.TakeAction) -> None:
    if principal.role == ORGANISER and cmd.participant_ids:
        raise Forbidden("Organisers record an action by collective; the collectives name their "
                        "own members.", code="role")


COLLECTIVE = _t(Relation.COLLECTIVE, "collective_id")
WORKER = _t(Relation.MEMBER, "worker_id")
GRIEVANCE = _t(Relation.GRIEVANCE, "grievance_id")
CAMPAIGN = _t(Relation.JOINED, "campaign_id")
MEETING = _t(Relation.MEETING, "meeting_id")
ORGANISATION = _t(Relation.ORGANISATION, "organisation_id")
ACCOUNTS = Rule(frozenset(), admin_only=True)

RULES: dict[type[c.Command], Rule] = {
    # Collectives: organisers found them in their federation; leaders and organisers keep
    # their profile and alliances.
    c.CreateCollective: Rule(ORGANISERS, check=_own_federation),
    c.RenameCollective: Rule(BOTH, COLLECTIVE),
    c.UpdateCollectiveProfile: Rule(BOTH, COLLECTIVE),
    c.SetCollectiveTimeZone: Rule(BOTH, COLLECTIVE),
    c.FormAlliance: Rule(BOTH, COLLECTIVE + ORGANISATION),
    c.EndAlliance: Rule(BOTH, COLLECTIVE + ORGANISATION),
    # Organisations: recorded by a collective, renamed by whoever reaches that collective.
    c.CreateOrganisation: Rule(BOTH, COLLECTIVE, check=_recorded_by_one_of_hers),
    c.RenameOrganisation: Rule(BOTH, _t(Relation.RECORDED, "organisation_id")),
    c.CorrectOrganisationKind: Rule(BOTH, _t(Relation.RECORDED, "organisation_id")),
    c.WithdrawOrganisation: Rule(BOTH, _t(Relation.RECORDED, "organisation_id")),
    # Workers: her current collective's leaders hold her file; organisers never do.
    c.RegisterWorker: Rule(LEADERS, COLLECTIVE, check=_in_a_collective),
    c.UpdateWorkerProfile: Rule(LEADERS, WORKER),
    c.JoinCollective: Rule(LEADERS, WORKER + COLLECTIVE),
    c.LeaveCollective: Rule(LEADERS, WORKER + COLLECTIVE),
    c.GiveConsent: Rule(LEADERS, WORKER),
    c.WithdrawConsent: Rule(LEADERS, WORKER),
    c.StartSpell: Rule(LEADERS, WORKER + _t(Relation.ORGANISATION, "employer_id")),
    c.EndSpell: Rule(LEADERS, WORKER),
    c.CorrectSpell: Rule(LEADERS, WORKER),
    c.WithdrawSpell: Rule(LEADERS, WORKER),
    c.RecordMove: Rule(LEADERS, WORKER),
    c.ChangeStatus: Rule(LEADERS, WORKER),
    c.EraseWorker: Rule(LEADERS, WORKER),
    # Grievances: the collective's own casework.
    c.RaiseGrievance: Rule(LEADERS, COLLECTIVE + _t(Relation.MEMBER, "worker_ids")
                           + _t(Relation.ORGANISATION, "organisation_ids")),
    c.JoinGrievance: Rule(LEADERS, GRIEVANCE + _t(Relation.MEMBER, "worker_ids")),
    c.NoteEvidence: Rule(LEADERS, GRIEVANCE),
    c.ReferGrievance: Rule(LEADERS, GRIEVANCE + ORGANISATION + _t(Relation.MEMBER, "worker_ids")),
    c.EscalateGrievance: Rule(LEADERS, GRIEVANCE),
    c.RecordNegotiation: Rule(LEADERS, GRIEVANCE + _t(Relation.ORGANISATION,
                                                      "with_organisation_id")),
    c.RecordOutcome: Rule(LEADERS, GRIEVANCE),
    c.ReportRetaliation: Rule(LEADERS, GRIEVANCE),
    c.WithdrawGrievance: Rule(LEADERS, GRIEVANCE),
    c.CorrectGrievance: Rule(LEADERS, GRIEVANCE),
    c.ReopenGrievance: Rule(LEADERS, GRIEVANCE),
    # Campaigns: a collective launches its own and joins; an organiser launches joint ones
    # (the collectives are invited, never enrolled) and helps run what reaches her federation.
    c.LaunchCampaign: Rule(LEADERS, _t(Relation.COLLECTIVE, "collective_ids")),
    c.LaunchJointCampaign: Rule(ORGANISERS, _t(Relation.GRIEVANCE, "grievance_ids")
                                + _t(Relation.COLLECTIVE, "invite_collective_ids")),
    c.AcceptCampaignInvitation: Rule(LEADERS, _t(Relation.REACHED, "campaign_id") + COLLECTIVE),
    c.DeclineCampaignInvitation: Rule(LEADERS, _t(Relation.REACHED, "campaign_id") + COLLECTIVE),
    c.AddDemand: Rule(BOTH, CAMPAIGN),
    c.JoinCampaign: Rule(LEADERS, CAMPAIGN + COLLECTIVE),
    c.LinkGrievance: Rule(LEADERS, CAMPAIGN + GRIEVANCE),
    c.TakeAction: Rule(BOTH, CAMPAIGN + _t(Relation.MEMBER, "participant_ids")
                       + _t(Relation.COLLECTIVE, "collective_ids"),
                       check=_no_names_for_organisers),
    c.ResolveDemand: Rule(BOTH, CAMPAIGN),
    c.CorrectDemand: Rule(BOTH, CAMPAIGN),
    c.WithdrawDemand: Rule(BOTH, CAMPAIGN),
    c.SignAgreement: Rule(BOTH, CAMPAIGN + _t(Relation.ORGANISATION, "with_organisation_id")),
    c.CloseCampaign: Rule(BOTH, CAMPAIGN),
    # Meetings: anyone who organises in the collectives; attendees are current members.
    c.ScheduleMeeting: Rule(BOTH, _t(Relation.COLLECTIVE, "collective_ids")
                            + _t(Relation.GRIEVANCE, "agenda_grievance_ids")
                            + _t(Relation.REACHED, "agenda_campaign_ids")),
    c.RecordMeetingHeld: Rule(BOTH, MEETING + _t(Relation.MEMBER, "attendee_ids",
                                                 "facilitator_ids", "speaker_ids")),
    c.CancelMeeting: Rule(BOTH, MEETING),
    c.CorrectMeeting: Rule(BOTH, MEETING),
    c.CorrectAttendance: Rule(BOTH, MEETING + _t(Relation.MEMBER, "attendee_ids",
                                                 "facilitator_ids", "speaker_ids")),
    c.CorrectDecisions: Rule(BOTH, MEETING),
    # Assessments: a collective's own judgement, or its organiser's.
    c.RecordAssessment: Rule(BOTH, COLLECTIVE),
    c.ReviseAssessment: Rule(BOTH, _t(Relation.ASSESSMENT, "assessment_id")),
    # Accounts: admins only (and never through an API token: web.auth.routes).
    c.CreateAccount: ACCOUNTS,
    c.GrantRole: ACCOUNTS,
    c.RevokeRole: ACCOUNTS,
    c.DisableAccount: ACCOUNTS,
    # Research privacy budgets (organize.exports.budget): a researcher spends her own as she
    # obtains releases; only an admin sets a total.
    c.SpendPrivacyBudget: Rule(frozenset({RESEARCHER}), check=_own_privacy_budget),
    c.SetPrivacyBudget: ACCOUNTS,
}


def _ids(value: UUID | tuple[UUID, ...] | None) -> tuple[UUID, ...]:
    if value is None:
        return ()
    return tuple(value) if isinstance(value, tuple) else (value,)


def not_found(kind: type[Aggregate], aggregate_id: UUID, field: str) -> NotFound:
    # Word for word what the application says of an id that does not exist.
    return NotFound(f"No {kind.__name__.lower()} with id {aggregate_id}.", field=field,
                    code="not_found")


def current(worker: Worker, collective_id: UUID) -> bool:
    return collective_id in worker.collectives


def member_on(worker: Worker, collective_id: UUID, day: date) -> bool:
    """Whether she was a member of the collective on that day."""
    return any(m.collective_id == collective_id and m.joined_on <= day
               and (m.left_on is None or day <= m.left_on) for m in worker.memberships)


class Visibility:
    """Answers "what may this account see of this aggregate?" for one request, loading what
    it must once. Used by the command rules and by every read of one aggregate."""

    def __init__(self, app: Organize, scope: Scope):
        self.app = app
        self.scope = scope
        self.everything = scope == Scope.everything()
        self._federations: dict[UUID, str | None] = {}
        self._loaded: dict[UUID, Aggregate | None] = {}

    def get(self, aggregate_id: UUID) -> Aggregate | None:
        if aggregate_id not in self._loaded:
            try:
                self._loaded[aggregate_id] = self.app.repository.get(aggregate_id)
            except AggregateNotFoundError:
                self._loaded[aggregate_id] = None
        return self._loaded[aggregate_id]

    # -- collectives -----------------------------------------------------------------------

    def federation_of(self, collective_id: UUID) -> str | None:
        if collective_id not in self._federations:
            found = self.get(collective_id)
            self._federations[collective_id] = (
                found.federation if isinstance(found, Collective) else None)
        return self._federations[collective_id]

    def collective(self, collective_id: UUID) -> bool:
        """A collective in scope (and one that exists)."""
        if self.everything:
            return isinstance(self.get(collective_id), Collective)
        if self.scope.collective_ids is not None and collective_id not in self.scope.collective_ids:
            return False
        if not isinstance(self.get(collective_id), Collective):
            return False
        if self.scope.federation is None:
            return True
        federation = self.federation_of(collective_id)
        return federation is not None and federation == self.scope.federation

    # -- workers ---------------------------------------------------------------------------

    def member(self, worker: Worker) -> bool:
        """She is now a member of a collective in scope: her file is the account's."""
        return self.everything or any(self.collective(i) for i in worker.collectives)

    def former(self, worker: Worker) -> bool:
        """She was a member of a collective in scope and is no longer in any: the account
        keeps her pseudonym on what it recorded, nothing more."""
        return not self.member(worker) and any(
            self.collective(m.collective_id) for m in worker.memberships)

    def knows_worker(self, worker_id: UUID, on: date | None = None) -> bool:
        """Whether a worker may be named to this account: a current member of a collective
        in scope, or (for a record of ``on``) a member of one on that day."""
        if self.everything:
            return True
        worker = self.get(worker_id)
        if not isinstance(worker, Worker):
            return False
        if self.member(worker):
            return True
        return on is not None and any(
            self.collective(m.collective_id) and member_on(worker, m.collective_id, on)
            for m in worker.memberships)

    def ever_member(self, worker_id: UUID) -> bool:
        """A worker who is or was a member of a collective in scope: her pseudonym stands on
        what the collective recorded while she was."""
        if self.everything:
            return True
        worker = self.get(worker_id)
        return isinstance(worker, Worker) and any(
            self.collective(m.collective_id) for m in worker.memberships)

    # -- grievances and campaigns by id ----------------------------------------------------

    def grievance_id(self, grievance_id: UUID) -> bool:
        found = self.get(grievance_id)
        return isinstance(found, Grievance) and self.collective(found.collective_id)

    def campaign_id(self, campaign_id: UUID) -> bool:
        found = self.get(campaign_id)
        return isinstance(found, Campaign) and self.campaign(found)

    # -- organisations ---------------------------------------------------------------------

    def organisation(self, org: Organisation) -> bool:
        if self.everything:
            return True
        recorder = getattr(org, "recorded_by", None)
        if recorder is None:
            return org.kind != HOUSEHOLD  # shared reference data, but never a person
        if org.kind == HOUSEHOLD:
            return self.scope.collective_ids is not None and self.collective(recorder)
        federation = self.federation_of(recorder)
        if self.scope.collective_ids is not None:  # a leader: her collectives' federations
            return self.collective(recorder) or (federation is not None and any(
                self.federation_of(i) == federation for i in self.scope.collective_ids))
        return federation is not None and federation == self.scope.federation

    def organisation_id(self, organisation_id: UUID | None) -> bool:
        found = None if organisation_id is None else self.get(organisation_id)
        return isinstance(found, Organisation) and self.organisation(found)

    def recorded(self, org: Organisation) -> bool:
        recorder = getattr(org, "recorded_by", None)
        return self.everything or (recorder is not None and self.collective(recorder))

    # -- campaigns -------------------------------------------------------------------------

    def campaign(self, campaign: Campaign, *, joined: bool = False) -> bool:
        if self.everything:
            return True
        leader = self.scope.collective_ids is not None
        ids = campaign.collective_ids if joined and leader else campaign.reach_ids
        return any(self.collective(i) for i in ids)

    def nameable_collective(self, collective_id: UUID, campaign: Campaign | None = None) -> bool:
        """Another collective is named only where it joined the same campaign as one of the
        account's (an invitation alone names nobody); for an organiser, only within her
        federation."""
        if self.collective(collective_id):
            return True
        if campaign is None or self.scope.collective_ids is None:
            return False
        return collective_id in campaign.collective_ids and any(
            self.collective(i) for i in campaign.collective_ids)

    # -- the relation of a command's touch -------------------------------------------------

    def holds(self, relation: Relation, agg: Aggregate) -> bool:
        if relation is Relation.COLLECTIVE:
            return self.collective(agg.id)
        if relation is Relation.MEMBER:
            return self.member(agg)
        if relation in (Relation.GRIEVANCE, Relation.ASSESSMENT):
            return self.collective(agg.collective_id)
        if relation is Relation.JOINED:
            return self.campaign(agg, joined=True)
        if relation is Relation.REACHED:
            return self.campaign(agg)
        if relation is Relation.MEETING:
            return self.everything or any(self.collective(i) for i in agg.collective_ids)
        if relation is Relation.ORGANISATION:
            return self.organisation(agg)
        if relation is Relation.RECORDED:
            return self.recorded(agg)
        raise AssertionError(relation)

    def require(self, relation: Relation, aggregate_id: UUID, field: str) -> None:
        kind = KIND[relation]
        found = self.get(aggregate_id)
        if not isinstance(found, kind) or not self.holds(relation, found):
            raise not_found(kind, aggregate_id, field)

    def readable(self, agg: Aggregate) -> bool:
        """Whether the account may read this aggregate at all (``Authorised.load``)."""
        if self.everything:
            return True
        if isinstance(agg, Collective):
            return self.collective(agg.id)
        if isinstance(agg, Worker):
            return self.member(agg) or self.former(agg)
        if isinstance(agg, (Grievance, Assessment)):
            return self.collective(agg.collective_id)
        if isinstance(agg, Campaign):
            return self.campaign(agg)
        if isinstance(agg, Meeting):
            return any(self.collective(i) for i in agg.collective_ids)
        if isinstance(agg, Organisation):
            return self.organisation(agg)
        return False  # accounts, and anything not named here: admins only


def authorise(app: Organize, principal, command: c.Command) -> None:
    """Refuse the command (Forbidden, or NotFound for anything out of scope) unless this
    account may run it. Runs before the command, so a refusal appends nothing."""
    rule = RULES.get(type(command))
    if rule is None:  # a command nobody classified: closed until someone does
        raise Forbidden("This action is not open to accounts yet.", code="role")
    if not rule.may(principal.role):
        raise Forbidden(ROLE_MESSAGE, code="role")
    if rule.admin_only and principal.via != "session":  # a token never manages accounts
        raise Forbidden("Accounts are managed after logging in, never with an API token.",
                        code="role")
    if principal.role == ADMIN:
        return
    if rule.check is not None:
        rule.check(principal, command)
    seen = Visibility(app, principal.scope)
    for touch in rule.touches:
        for aggregate_id in _ids(getattr(command, touch.field)):
            seen.require(touch.relation, aggregate_id, touch.field)


def may_run(role: str, command: type[c.Command]) -> bool:
    """Whether a role may run a command at all (in some scope): for pages and the README."""
    rule = RULES.get(command)
    return rule is not None and rule.may(role)


def keeping_the_unnamed(seen: Visibility, cmd: c.CorrectAttendance) -> c.CorrectAttendance:
    """A correction of attendance sends the whole lists, but an account names only the
    workers it may (``MEMBER``): the people of a joint meeting's other collectives (and those
    who left hers) stay as they were recorded, in the meeting's order, never dropped by a
    correction they could not be named in."""
    meeting = seen.get(cmd.meeting_id)
    if seen.everything or not isinstance(meeting, Meeting):
        return cmd

    def kept(sent: tuple[UUID, ...], recorded: tuple[UUID, ...]) -> tuple[UUID, ...]:
        unnamed = tuple(w for w in recorded if w not in sent and not (
            isinstance(worker := seen.get(w), Worker) and seen.member(worker)))
        return (*sent, *unnamed)

    return msgspec.structs.replace(
        cmd, attendee_ids=kept(cmd.attendee_ids, meeting.attendee_ids),
        facilitator_ids=kept(cmd.facilitator_ids, meeting.facilitator_ids),
        speaker_ids=kept(cmd.speaker_ids, meeting.speaker_ids))


class Authorised(Organize):
    """The application seen through one account: ``execute`` authorises first, ``load``
    answers "not found" for anything out of scope, and ``visibility`` tells the reading
    functions (``organize.reading``) what they may name. Everything else is the shared
    application underneath (a subclass so the routes' type checks accept it)."""

    def __init__(self, app: Organize, principal):  # no super().__init__: a view
        self._app = app
        self.principal = principal
        self.visibility = Visibility(app, principal.scope or Scope(collective_ids=frozenset()))

    def __getattr__(self, name: str) -> Any:
        if name == "_app":  # not set yet (copying, unpickling): never recurse
            raise AttributeError(name)
        return getattr(self._app, name)

    @property
    def reads_personal_data(self) -> bool:
        """Leaders (of collectives in scope) and admins read personal fields and free text;
        organisers see pseudonyms and codes only (``organize.reading``)."""
        return self.principal.role in (LEADER, ADMIN)

    def execute(self, command: c.Command) -> c.CommandResult:
        if not self.principal.organises:
            raise Forbidden(ROLE_MESSAGE, code="role")
        authorise(self._app, self.principal, command)
        if isinstance(command, c.CorrectAttendance):
            command = keeping_the_unnamed(self.visibility, command)
        with recording_as(self.principal.role):  # the command log keeps the role (history)
            return self._app.execute(command)

    def load(self, cls: type[A], aggregate_id: UUID, *, field: str,
             expected_version: int | None = None) -> A:
        if not self.principal.organises:
            raise Forbidden(ROLE_MESSAGE, code="role")
        try:
            aggregate = self._app.load(cls, aggregate_id, field=field)
        except NotFound:
            raise not_found(cls, aggregate_id, field) from None
        if not self.visibility.readable(aggregate):
            raise not_found(cls, aggregate_id, field)
        if expected_version is not None:  # checked only once the aggregate may be seen
            return self._app.load(cls, aggregate_id, field=field, expected_version=expected_version)
        return aggregate

    def close(self) -> None:  # the shared application is closed by its owner, never here
        pass

    def __del__(self) -> None:
        pass


__all__ = ["RULES", "Authorised", "Relation", "Rule", "Touch", "Visibility", "authorise",
           "may_run"]
