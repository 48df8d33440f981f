"""The Campaign aggregate: collective action on one issue, with its demands, actions,
linked grievances, results and sometimes an agreement.

Campaigns are how collectives organise around specific issues (DOMAIN.md, lesson 1),
and demands won, partly won or lost are evidence of negotiating power (lesson 5). Once a
campaign is closed nothing more is recorded for it; a new campaign carries the issue on.

**Sealed texts.** A campaign's texts (its issue, its demands, its agreements' clauses and
its closing summary) can name or describe a person, so they arrive sealed under the
campaign's key, owned by the collectives it reaches; the domain checks their length before
sealing (``check_issue`` ... ``check_summary``) and keeps only the sealed bytes. Events of
version 1 kept them in the clear; an upgrade rewrites those once (``organize.migrations``).

A **joint campaign** grows out of a common grievance (lesson 3): an organiser launches it
from a cluster of grievances, the grievances are linked, and the collectives behind them
are *invited*, never enlisted. Each collective decides for itself: its leaders accept (the
collective joins) or decline (with an optional coded reason, never free text). The rules:

- a joint campaign starts with no collective joined and at least one invited: nobody
  speaks for a collective that has not said yes;
- an invitation is pending, then accepted or declined, once: accepting twice, declining
  twice, or changing one's answer is refused (``already_accepted``/``already_declined``);
- only an invited collective can answer (``not_invited``), and nothing is answered on a
  closed campaign (``closed``);
- joining (``join_collective``) while invited is accepting; a collective that declined
  cannot join afterwards (a new campaign can invite it again);
- a collective already in the campaign, or already invited, is not invited again.
"""

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from organize.domain.errors import DomainError
from organize.domain.limits import (
    LIST_MAX,
    PEOPLE_MAX,
    TEXT_MAX,
    TITLE_MAX,
    check_codes,
    check_date,
    check_ids,
    check_optional_text,
    check_reason,
    check_sealed,
    check_text,
    check_texts,
    check_uuid,
)
from organize.domain.taxonomy import Taxonomy
from organize.domain.values import Action, Agreement, Demand, DemandResult, Invitation

PENDING, ACCEPTED, DECLINED = "pending", "accepted", "declined"


class Campaign(Aggregate):
    @classmethod
    def launch(
        cls,
        *,
        id: UUID,  # the application chooses ids
        sealed_issue: bytes,
        demands: tuple[Demand, ...],
        collective_ids: tuple[UUID, ...],
        sectors: tuple[str, ...],
        launched_on: date,
        taxonomy: Taxonomy,
    ) -> "Campaign":
        checked = _check_launch_demands(demands)
        return cls(
            id=check_uuid(id, field="id"),
            issue="",
            sealed_issue=check_sealed(sealed_issue, field="issue"),
            demands=checked,
            collective_ids=check_ids(collective_ids, field="collective_ids", min_items=1),
            sectors=check_codes(sectors, taxonomy=taxonomy, vocabulary="sectors", field="sectors"),
            launched_on=check_date(launched_on, field="launched_on"),
        )

    @classmethod
    def launch_joint(
        cls,
        *,
        id: UUID,
        sealed_issue: bytes,
        demands: tuple[Demand, ...],
        invite_collective_ids: tuple[UUID, ...],
        grievance_ids: tuple[UUID, ...],
        sectors: tuple[str, ...],
        launched_on: date,
        taxonomy: Taxonomy,
    ) -> "Campaign":
        """A campaign from a common grievance: no collective joined yet, the collectives
        invited and the grievances linked, all recorded at once (the launch date dates the
        invitations)."""
        invited = check_ids(invite_collective_ids, field="invite_collective_ids", min_items=1)
        linked = check_ids(grievance_ids, field="grievance_ids", min_items=1)
        checked = _check_launch_demands(demands)
        launched_on = check_date(launched_on, field="launched_on")
        campaign = cls(
            id=check_uuid(id, field="id"),
            issue="",
            sealed_issue=check_sealed(sealed_issue, field="issue"),
            demands=checked,
            collective_ids=(),
            sectors=check_codes(sectors, taxonomy=taxonomy, vocabulary="sectors", field="sectors"),
            launched_on=launched_on,
        )
        for collective_id in invited:
            campaign.invite_collective(collective_id, launched_on)
        for grievance_id in linked:
            campaign.link_grievance(grievance_id)
        return campaign

    class Launched(Aggregate.Created):
        """Version 2 seals the issue (``sealed_issue``) and each demand's text
        (``Demand.sealed_text``); version 1 kept them in the clear (``issue``, ``text``)."""

        class_version = 2
        issue: str
        sealed_issue: bytes | None
        demands: tuple[Demand, ...]
        collective_ids: tuple[UUID, ...]
        sectors: tuple[str, ...]
        launched_on: date

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state["sealed_issue"] = None

    @event(Launched)
    def __init__(
        self,
        id: UUID,
        issue: str,
        sealed_issue: bytes | None,
        demands: tuple[Demand, ...],
        collective_ids: tuple[UUID, ...],
        sectors: tuple[str, ...],
        launched_on: date,
    ) -> None:
        self.issue = issue  # only campaigns launched before texts were sealed
        self.sealed_issue = sealed_issue
        self.demands: dict[UUID, Demand] = {d.demand_id: d for d in demands}
        self.results: dict[UUID, DemandResult] = {}  # the latest result of each demand
        self.collective_ids: list[UUID] = list(collective_ids)
        self.sectors = sectors
        self.launched_on = launched_on
        self.grievance_ids: list[UUID] = []
        self.actions: dict[UUID, Action] = {}
        self.agreements: dict[UUID, Agreement] = {}
        self.closed_on: date | None = None
        self.summary: str | None = None  # only campaigns closed before texts were sealed
        self.sealed_summary: bytes | None = None
        self.invitations: dict[UUID, Invitation] = {}

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None

    @property
    def status(self) -> str:
        return "closed" if self.is_closed else "active"

    def add_demand(self, demand: Demand) -> None:
        self._require_active()
        demand = _check_demand(demand, field="demand")
        if demand.demand_id in self.demands:
            raise DomainError(
                "A demand with this identifier is already part of the campaign.",
                field="demand",
                code="duplicate",
            )
        self._demand_added(demand=demand)

    class DemandAdded(Aggregate.Event):
        """Version 2: the demand's text is sealed (``Demand.sealed_text``)."""

        class_version = 2
        demand: Demand

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            pass  # a version 1 demand decodes with ``sealed_text`` None

    @event(DemandAdded)
    def _demand_added(self, demand: Demand) -> None:
        self.demands[demand.demand_id] = demand

    def join_collective(self, collective_id: UUID) -> None:
        self._require_active()
        collective_id = check_uuid(collective_id, field="collective_id")
        if collective_id in self.collective_ids:
            raise DomainError(
                "This collective is already part of the campaign.",
                field="collective_id",
                code="already_joined",
            )
        invitation = self.invitations.get(collective_id)
        if invitation is not None:
            # Invited: joining is answering yes, dated by the campaign's latest date.
            self.accept_invitation(collective_id, max(self.launched_on, invitation.invited_on))
            return
        self._collective_joined(collective_id=collective_id)

    @property
    def reach_ids(self) -> tuple[UUID, ...]:
        """Every collective the campaign reaches: those in it and those invited to it
        (whatever their answer). Scope follows these."""
        return tuple(dict.fromkeys([*self.collective_ids, *self.invitations]))

    @property
    def pending_ids(self) -> tuple[UUID, ...]:
        return tuple(i for i, inv in self.invitations.items() if inv.state == PENDING)

    def invite_collective(self, collective_id: UUID, on: date) -> None:
        self._require_active()
        collective_id = check_uuid(collective_id, field="collective_id")
        on = check_date(on, field="on")
        if collective_id in self.collective_ids:
            raise DomainError(
                "This collective is already part of the campaign.",
                field="collective_id",
                code="already_joined",
            )
        if collective_id in self.invitations:
            raise DomainError(
                "This collective has already been invited to the campaign.",
                field="collective_id",
                code="already_invited",
            )
        self._collective_invited(collective_id=collective_id, on=on)

    @event("CollectiveInvited")
    def _collective_invited(self, collective_id: UUID, on: date) -> None:
        self.invitations[collective_id] = Invitation(collective_id=collective_id, state=PENDING,
                                                     invited_on=on)

    def _pending_invitation(self, collective_id: UUID, on: date) -> Invitation:
        self._require_active()
        check_uuid(collective_id, field="collective_id")
        check_date(on, field="on")
        invitation = self.invitations.get(collective_id)
        if invitation is None:
            raise DomainError(
                "This collective was not invited to the campaign.",
                field="collective_id",
                code="not_invited",
            )
        if invitation.state == ACCEPTED:
            raise DomainError(
                "This collective has already accepted the invitation and is part of the campaign.",
                field="collective_id",
                code="already_accepted",
            )
        if invitation.state == DECLINED:
            raise DomainError(
                "This collective has already declined the invitation. The answer stands; a new "
                "campaign can invite it again.",
                field="collective_id",
                code="already_declined",
            )
        if on < invitation.invited_on:
            raise DomainError(
                f"An invitation cannot be answered before it was made ({invitation.invited_on.isoformat()}).",
                field="on",
                code="before_invitation",
            )
        return invitation

    def accept_invitation(self, collective_id: UUID, on: date) -> None:
        self._pending_invitation(collective_id, on)
        self._invitation_accepted(collective_id=collective_id, on=on)
        self._collective_joined(collective_id=collective_id)

    @event("InvitationAccepted")
    def _invitation_accepted(self, collective_id: UUID, on: date) -> None:
        invitation = self.invitations[collective_id]
        self.invitations[collective_id] = Invitation(
            collective_id=collective_id, state=ACCEPTED, invited_on=invitation.invited_on,
            decided_on=on)

    def decline_invitation(self, collective_id: UUID, on: date, reason: str | None,
                           taxonomy: Taxonomy) -> None:
        self._pending_invitation(collective_id, on)
        if reason is not None:
            reason = taxonomy.require("invitation_decline_reasons", reason, field="reason")
        self._invitation_declined(collective_id=collective_id, on=on, reason=reason)

    @event("InvitationDeclined")
    def _invitation_declined(self, collective_id: UUID, on: date, reason: str | None) -> None:
        invitation = self.invitations[collective_id]
        self.invitations[collective_id] = Invitation(
            collective_id=collective_id, state=DECLINED, invited_on=invitation.invited_on,
            decided_on=on, reason=reason)

    @event("CollectiveJoined")
    def _collective_joined(self, collective_id: UUID) -> None:
        self.collective_ids.append(collective_id)

    def link_grievance(self, grievance_id: UUID) -> None:
        self._require_active()
        grievance_id = check_uuid(grievance_id, field="grievance_id")
        if grievance_id in self.grievance_ids:
            raise DomainError(
                "This grievance is already linked to the campaign.",
                field="grievance_id",
                code="already_linked",
            )
        self._grievance_linked(grievance_id=grievance_id)

    @event("GrievanceLinked")
    def _grievance_linked(self, grievance_id: UUID) -> None:
        self.grievance_ids.append(grievance_id)

    def take_action(
        self,
        *,
        action_id: UUID,
        kind: str,
        taken_on: date,
        participant_ids: tuple[UUID, ...],
        collective_ids: tuple[UUID, ...],
        taxonomy: Taxonomy,
    ) -> None:
        self._require_active()
        action_id = check_uuid(action_id, field="action_id")
        if action_id in self.actions:
            raise DomainError(
                "An action with this identifier is already recorded.",
                field="action_id",
                code="duplicate",
            )
        self._action_taken(
            action_id=action_id,
            kind=taxonomy.require("campaign_action_kinds", kind, field="kind"),
            taken_on=check_date(taken_on, field="taken_on"),
            participant_ids=check_ids(participant_ids, field="participant_ids", max_items=PEOPLE_MAX),
            collective_ids=check_ids(collective_ids, field="collective_ids"),
        )

    @event("ActionTaken")
    def _action_taken(
        self,
        action_id: UUID,
        kind: str,
        taken_on: date,
        participant_ids: tuple[UUID, ...],
        collective_ids: tuple[UUID, ...],
    ) -> None:
        self.actions[action_id] = Action(
            action_id=action_id,
            kind=kind,
            taken_on=taken_on,
            participant_ids=participant_ids,
            collective_ids=collective_ids,
        )

    def resolve_demand(self, demand_id: UUID, result: str, on: date, taxonomy: Taxonomy) -> None:
        # A demand partly won can later be won: the latest result stands.
        self._require_active()
        demand_id = check_uuid(demand_id, field="demand_id")
        if demand_id not in self.demands:
            raise DomainError(
                "This campaign has no demand with this identifier.",
                field="demand_id",
                code="unknown_demand",
            )
        self._demand_resolved(
            demand_id=demand_id,
            result=taxonomy.require("demand_results", result, field="result"),
            on=check_date(on, field="on"),
        )

    @event("DemandResolved")
    def _demand_resolved(self, demand_id: UUID, result: str, on: date) -> None:
        self.results[demand_id] = DemandResult(result=result, on=on)

    def sign_agreement(
        self,
        *,
        agreement_id: UUID,
        with_organisation_id: UUID,
        signed_on: date,
        sealed_clauses: bytes,
        clause_count: int,
    ) -> None:
        self._require_active()
        agreement_id = check_uuid(agreement_id, field="agreement_id")
        if agreement_id in self.agreements:
            raise DomainError(
                "An agreement with this identifier is already recorded.",
                field="agreement_id",
                code="duplicate",
            )
        self._agreement_signed(
            agreement_id=agreement_id,
            with_organisation_id=check_uuid(with_organisation_id, field="with_organisation_id"),
            signed_on=check_date(signed_on, field="signed_on"),
            clauses=(),
            sealed_clauses=check_sealed(sealed_clauses, field="clauses"),
            clause_count=_clause_count(clause_count),
        )

    class AgreementSigned(Aggregate.Event):
        """Version 2 seals the clauses (``sealed_clauses``, a JSON list) and keeps their
        number; version 1 kept them in the clear."""

        class_version = 2
        agreement_id: UUID
        with_organisation_id: UUID
        signed_on: date
        clauses: tuple[str, ...]
        sealed_clauses: bytes | None
        clause_count: int

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state["sealed_clauses"] = None
            state["clause_count"] = len(state.get("clauses") or ())

    @event(AgreementSigned)
    def _agreement_signed(
        self,
        agreement_id: UUID,
        with_organisation_id: UUID,
        signed_on: date,
        clauses: tuple[str, ...],
        sealed_clauses: bytes | None,
        clause_count: int,
    ) -> None:
        self.agreements[agreement_id] = Agreement(
            agreement_id=agreement_id,
            with_organisation_id=with_organisation_id,
            signed_on=signed_on,
            clauses=clauses,
            sealed_clauses=sealed_clauses,
            clause_count=clause_count,
        )

    def close(self, on: date, sealed_summary: bytes | None = None) -> None:
        self._require_active()
        on = check_date(on, field="on")
        if sealed_summary is not None:
            sealed_summary = check_sealed(sealed_summary, field="summary")
        self._closed(on=on, summary=None, sealed_summary=sealed_summary)

    class Closed(Aggregate.Event):
        """Version 2 seals the summary (``sealed_summary``); version 1 kept it in the clear."""

        class_version = 2
        on: date
        summary: str | None
        sealed_summary: bytes | None

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state["sealed_summary"] = None

    @event(Closed)
    def _closed(self, on: date, summary: str | None, sealed_summary: bytes | None) -> None:
        self.closed_on = on
        self.summary = summary
        self.sealed_summary = sealed_summary

    def _require_active(self) -> None:
        if self.closed_on is not None:
            raise DomainError(
                f"This campaign was closed on {self.closed_on.isoformat()}; nothing more "
                "can be recorded for it. Launch a new campaign to carry the issue on.",
                code="closed",
            )

    # -- corrections of a demand, with the reason kept (a code) ----------------------------
    # The corrected text travels as a ``Demand``, the same shape as ``DemandAdded.demand``,
    # so whatever seals a demand's text seals a correction the same way.

    def correct_demand(self, demand: Demand, reason: str) -> None:
        reason = check_reason(reason)
        demand = _check_demand(demand, field="text")
        if demand.demand_id not in self.demands:
            raise DomainError("This campaign has no demand with this identifier.",
                              field="demand_id", code="unknown_demand")
        if demand == self.demands[demand.demand_id]:
            raise DomainError("Nothing was changed.", code="nothing_changed")
        self._demand_corrected(demand=demand, reason=reason)

    @event("DemandCorrected")
    def _demand_corrected(self, demand: Demand, reason: str) -> None:
        self.demands[demand.demand_id] = demand

    def withdraw_demand(self, demand_id: UUID, reason: str) -> None:
        """A demand entered by mistake leaves the campaign (its history keeps it)."""
        reason = check_reason(reason)
        demand_id = check_uuid(demand_id, field="demand_id")
        if demand_id not in self.demands:
            raise DomainError("This campaign has no demand with this identifier.",
                              field="demand_id", code="unknown_demand")
        self._demand_withdrawn(demand_id=demand_id, reason=reason)

    @event("DemandWithdrawn")
    def _demand_withdrawn(self, demand_id: UUID, reason: str) -> None:
        self.demands.pop(demand_id, None)
        self.results.pop(demand_id, None)


def _check_launch_demands(demands: object) -> tuple[Demand, ...]:
    if isinstance(demands, Demand) or not isinstance(demands, (tuple, list)):
        raise DomainError("The demands must be a list of demands.", field="demands")
    if len(demands) > LIST_MAX:
        raise DomainError(
            f"A campaign can be launched with at most {LIST_MAX} demands; add the others afterwards.",
            field="demands",
            code="too_many",
        )
    checked = tuple(_check_demand(d, field="demands") for d in demands)
    check_ids(tuple(d.demand_id for d in checked), field="demands")
    return checked


def _check_demand(demand: object, *, field: str) -> Demand:
    if not isinstance(demand, Demand):
        raise DomainError("Each demand must be a demand with an identifier and text.", field=field)
    return Demand(
        demand_id=check_uuid(demand.demand_id, field=field),
        sealed_text=check_sealed(demand.sealed_text, field=field),
    )


def _clause_count(count: object) -> int:
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= LIST_MAX:
        raise DomainError(f"An agreement has from 1 to {LIST_MAX} clauses.", field="clauses",
                          code="invalid")
    return count


# The texts as typed, checked before the application seals them.


def check_issue(issue: object) -> str:
    return check_text(issue, field="issue", max_len=TITLE_MAX)


def check_demand_text(text: object, *, field: str = "demand") -> str:
    return check_text(text, field=field, max_len=TITLE_MAX)


def check_clauses(clauses: object) -> tuple[str, ...]:
    return check_texts(clauses, field="clauses", max_len=TEXT_MAX, min_items=1)


def check_summary(summary: object) -> str | None:
    return check_optional_text(summary, field="summary", max_len=TEXT_MAX)
