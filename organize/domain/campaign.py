"""The Campaign aggregate: collective action on one issue, with its demands, actions,
linked grievances, results and sometimes an agreement.

Campaigns are how collectives organise around specific issues (DOMAIN.md, lesson 1),
and demands won, partly won or lost are evidence of negotiating power (lesson 5). Once a
campaign is closed nothing more is recorded for it; a new campaign carries the issue on.
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
    check_text,
    check_texts,
    check_uuid,
)
from organize.domain.taxonomy import Taxonomy
from organize.domain.values import Action, Agreement, Demand, DemandResult


class Campaign(Aggregate):
    @classmethod
    def launch(
        cls,
        *,
        id: UUID,  # the application chooses ids
        issue: str,
        demands: tuple[Demand, ...],
        collective_ids: tuple[UUID, ...],
        sectors: tuple[str, ...],
        launched_on: date,
        taxonomy: Taxonomy,
    ) -> "Campaign":
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
        return cls(
            id=check_uuid(id, field="id"),
            issue=check_text(issue, field="issue", max_len=TITLE_MAX),
            demands=checked,
            collective_ids=check_ids(collective_ids, field="collective_ids", min_items=1),
            sectors=check_codes(sectors, taxonomy=taxonomy, vocabulary="sectors", field="sectors"),
            launched_on=check_date(launched_on, field="launched_on"),
        )

    @event("Launched")
    def __init__(
        self,
        id: UUID,
        issue: str,
        demands: tuple[Demand, ...],
        collective_ids: tuple[UUID, ...],
        sectors: tuple[str, ...],
        launched_on: date,
    ) -> None:
        self.issue = issue
        self.demands: dict[UUID, Demand] = {d.demand_id: d for d in demands}
        self.results: dict[UUID, DemandResult] = {}  # the latest result of each demand
        self.collective_ids: list[UUID] = list(collective_ids)
        self.sectors = sectors
        self.launched_on = launched_on
        self.grievance_ids: list[UUID] = []
        self.actions: dict[UUID, Action] = {}
        self.agreements: dict[UUID, Agreement] = {}
        self.closed_on: date | None = None
        self.summary: str | None = None

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

    @event("DemandAdded")
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
        self._collective_joined(collective_id=collective_id)

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
        clauses: tuple[str, ...],
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
            clauses=check_texts(clauses, field="clauses", max_len=TEXT_MAX, min_items=1),
        )

    @event("AgreementSigned")
    def _agreement_signed(
        self,
        agreement_id: UUID,
        with_organisation_id: UUID,
        signed_on: date,
        clauses: tuple[str, ...],
    ) -> None:
        self.agreements[agreement_id] = Agreement(
            agreement_id=agreement_id,
            with_organisation_id=with_organisation_id,
            signed_on=signed_on,
            clauses=clauses,
        )

    def close(self, on: date, summary: str | None = None) -> None:
        self._require_active()
        on = check_date(on, field="on")
        self._closed(on=on, summary=check_optional_text(summary, field="summary", max_len=TEXT_MAX))

    @event("Closed")
    def _closed(self, on: date, summary: str | None) -> None:
        self.closed_on = on
        self.summary = summary

    def _require_active(self) -> None:
        if self.closed_on is not None:
            raise DomainError(
                f"This campaign was closed on {self.closed_on.isoformat()}; nothing more "
                "can be recorded for it. Launch a new campaign to carry the issue on.",
                code="closed",
            )


def _check_demand(demand: object, *, field: str) -> Demand:
    if not isinstance(demand, Demand):
        raise DomainError("Each demand must be a demand with an identifier and text.", field=field)
    return Demand(
        demand_id=check_uuid(demand.demand_id, field=field),
        text=check_text(demand.text, field=field, max_len=TITLE_MAX),
    )
