"""The Grievance aggregate: a wrong raised by one worker or several.

Several workers can stand behind one grievance (DOMAIN.md, lesson 3), so parties can
join it. A grievance is referred to an organisation only with the consent of every
worker referred, recipient by recipient (lesson 7). Negotiations and their results are
recorded because negotiating capacity is what matters (lesson 5). Retaliation can be
reported at any time, even after an outcome, because it often follows one (lesson 6).

Its life: open -> resolved (an outcome is recorded) or withdrawn; either can be
reopened. The description, evidence notes, negotiation notes and retaliation details
arrive sealed; the domain never reads them.
"""

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from organize.domain.bargaining import Bargaining
from organize.domain.errors import DomainError
from organize.domain.limits import (
    check_date,
    check_ids,
    check_optional_code,
    check_optional_sealed,
    check_optional_uuid,
    check_place,
    check_reason,
    check_sealed,
    check_uuid,
)
from organize.domain.money import Money, money
from organize.domain.taxonomy import Taxonomy
from organize.domain.values import (
    Escalation,
    Evidence,
    Negotiation,
    Outcome,
    Referral,
    Retaliation,
)
from organize.domain.worker import Worker, referral_purpose

OPEN = "open"
WITHDRAWN = "withdrawn"
RESOLVED = "resolved"

AMOUNT_MAX = Decimal(10) ** 12  # far above any real claim; catches slips of the keyboard
CURRENCY_RE = re.compile(r"[A-Z]{3}")  # ISO 4217 alphabetic code
# The money a grievance is about, as it moves: what she is owed, what was claimed, what the
# other side offered, what was recovered. Each is kept per kind, latest statement wins.
AMOUNT_KINDS = ("owed", "claimed", "offered", "recovered")


class Grievance(Aggregate):
    @classmethod
    def raise_grievance(
        cls,
        *,
        id: UUID,  # the application chooses ids
        collective_id: UUID,
        worker_ids: tuple[UUID, ...],
        category: str,
        sector: str,
        place: str,
        stage: str,
        organisation_ids: tuple[UUID, ...],
        occurred_on: date,
        sealed_description: bytes,
        taxonomy: Taxonomy,
    ) -> "Grievance":
        return cls(
            id=check_uuid(id, field="id"),
            collective_id=check_uuid(collective_id, field="collective_id"),
            worker_ids=check_ids(worker_ids, field="worker_ids", min_items=1),
            category=taxonomy.require("categories", category, field="category"),
            sector=taxonomy.require("sectors", sector, field="sector"),
            place=check_place(place, field="place"),
            stage=taxonomy.require("stages", stage, field="stage"),
            organisation_ids=check_ids(organisation_ids, field="organisation_ids"),
            occurred_on=check_date(occurred_on, field="occurred_on"),
            sealed_description=check_sealed(sealed_description, field="sealed_description"),
        )

    @event("Raised")
    def __init__(
        self,
        id: UUID,
        collective_id: UUID,
        worker_ids: tuple[UUID, ...],
        category: str,
        sector: str,
        place: str,
        stage: str,
        organisation_ids: tuple[UUID, ...],
        occurred_on: date,
        sealed_description: bytes,
    ) -> None:
        self.collective_id = collective_id
        self.worker_ids: list[UUID] = list(worker_ids)  # the parties, in joining order
        self.category = category
        self.sector = sector
        self.place = place
        self.stage = stage
        self.organisation_ids = organisation_ids
        self.occurred_on = occurred_on
        self.description: bytes | None = sealed_description
        self.evidence: list[Evidence] = []
        self.referrals: list[Referral] = []
        self.escalations: list[Escalation] = []
        self.negotiations: list[Negotiation] = []
        self.outcome: Outcome | None = None
        self.past_outcomes: list[Outcome] = []  # outcomes set aside by a reopening
        self.retaliations: list[Retaliation] = []
        self.withdrawn_on: date | None = None
        self.withdrawal_reason: str | None = None
        # What happened, in order: (event name, the date it carries, if any).
        self.history: list[tuple[str, date | None]] = [("raised", occurred_on)]
        self.amounts: dict[str, Money] = {}
        self.learned_on: date | None = None  # when she learned of it: a clock may start there
        self.steps_taken: list[tuple[str, date]] = []
        self.procedure_id: UUID | None = None  # None: the collective's own procedure

    # --- queries -----------------------------------------------------------------------

    @property
    def status(self) -> str:
        if self.withdrawn_on is not None:
            return WITHDRAWN
        if self.outcome is not None:
            return RESOLVED
        return OPEN

    @property
    def parties(self) -> tuple[UUID, ...]:
        return tuple(self.worker_ids)

    @property
    def retaliation_count(self) -> int:
        return len(self.retaliations)

    @property
    def retaliation_dates(self) -> tuple[date, ...]:
        return tuple(r.on for r in self.retaliations)

    # --- commands ----------------------------------------------------------------------

    def join(self, worker_ids: tuple[UUID, ...]) -> None:
        self._require_open("Workers cannot join")
        worker_ids = check_ids(worker_ids, field="worker_ids", min_items=1)
        for position, worker_id in enumerate(worker_ids, start=1):
            if worker_id in self.worker_ids:
                raise DomainError(
                    f"Worker {position} in the list (id {worker_id}) is already a party to this grievance.",
                    field="worker_ids",
                    code="already_party",
                )
        self._joined(worker_ids=worker_ids)

    @event("Joined")
    def _joined(self, worker_ids: tuple[UUID, ...]) -> None:
        self.worker_ids.extend(worker_ids)
        self.history.append(("joined", None))

    def note_evidence(self, sealed_note: bytes, on: date) -> None:
        self._require_open("Evidence cannot be noted")
        self._evidence_noted(
            sealed_note=check_sealed(sealed_note, field="sealed_note"),
            on=check_date(on, field="on"),
        )

    @event("EvidenceNoted")
    def _evidence_noted(self, sealed_note: bytes, on: date) -> None:
        self.evidence.append(Evidence(on=on, sealed_note=sealed_note))
        self.history.append(("evidence_noted", on))

    def refer(
        self,
        *,
        organisation_id: UUID,
        worker_ids: tuple[UUID, ...],
        workers: Mapping[UUID, Worker],
        on: date,
    ) -> None:
        """Refer the grievance, for the workers named, to one organisation.

        ``workers`` maps each referred worker's id to her aggregate, so her consent can
        be checked here, in the domain, where it cannot be skipped.
        """
        self._require_open("A referral cannot be made")
        organisation_id = check_uuid(organisation_id, field="organisation_id")
        worker_ids = check_ids(worker_ids, field="worker_ids", min_items=1)
        on = check_date(on, field="on")
        for position, worker_id in enumerate(worker_ids, start=1):
            if worker_id not in self.worker_ids:
                raise DomainError(
                    f"Worker {position} in the list (id {worker_id}) is not a party to "
                    "this grievance; she must join it before it can be referred for her.",
                    field="worker_ids",
                    code="not_a_party",
                )
        purpose = referral_purpose(organisation_id)
        missing = [
            f"worker {position} (id {worker_id})"
            for position, worker_id in enumerate(worker_ids, start=1)
            if not _consents(workers.get(worker_id), worker_id, purpose)
        ]
        if missing:
            who = _join_words(missing)
            raise DomainError(
                f"Consent to referral to this organisation is missing for {who}. "
                f"{'She' if len(missing) == 1 else 'Each'} must give consent to referral "
                "to this organisation first.",
                field="worker_ids",
                code="no_consent",
            )
        self._referred(organisation_id=organisation_id, worker_ids=worker_ids, on=on)

    @event("Referred")
    def _referred(self, organisation_id: UUID, worker_ids: tuple[UUID, ...], on: date) -> None:
        self.referrals.append(Referral(organisation_id=organisation_id, worker_ids=worker_ids, on=on))
        self.history.append(("referred", on))

    def escalate(self, target: str, on: date, taxonomy: Taxonomy) -> None:
        self._require_open("The grievance cannot be escalated")
        self._escalated(
            target=taxonomy.require("escalation_targets", target, field="target"),
            on=check_date(on, field="on"),
        )

    @event("Escalated")
    def _escalated(self, target: str, on: date) -> None:
        self.escalations.append(Escalation(target=target, on=on))
        self.history.append(("escalated", on))

    def record_negotiation(
        self,
        *,
        with_organisation_id: UUID | None,
        held_on: date,
        sealed_notes: bytes | None,
    ) -> None:
        self._require_open("A negotiation cannot be recorded")
        self._negotiation_recorded(
            with_organisation_id=check_optional_uuid(with_organisation_id, field="with_organisation_id"),
            held_on=check_date(held_on, field="held_on"),
            sealed_notes=check_optional_sealed(sealed_notes, field="sealed_notes"),
        )

    @event("NegotiationRecorded")
    def _negotiation_recorded(
        self, with_organisation_id: UUID | None, held_on: date, sealed_notes: bytes | None
    ) -> None:
        self.negotiations.append(
            Negotiation(
                with_organisation_id=with_organisation_id,
                held_on=held_on,
                sealed_notes=sealed_notes,
            )
        )
        self.history.append(("negotiation_recorded", held_on))

    def record_outcome(
        self,
        *,
        outcome: str,
        amount: Decimal | None,
        currency: str | None,
        on: date,
        taxonomy: Taxonomy,
    ) -> None:
        self._require_open("An outcome cannot be recorded")
        outcome = taxonomy.require("outcomes", outcome, field="outcome")
        if taxonomy.outcome_needs_amount(outcome):
            amount = _check_amount(amount)
            currency = _check_currency(currency)
        else:
            with_amount = ", ".join(c for c in taxonomy.codes("outcomes") if taxonomy.outcome_needs_amount(c))
            for name, value in (("amount", amount), ("currency", currency)):
                if value is not None:
                    raise DomainError(
                        f"An {name} can only be recorded with these outcomes: "
                        f"{with_amount}; leave it empty for this one.",
                        field=name,
                        code="not_allowed",
                    )
        self._outcome_recorded(
            outcome=outcome,
            amount=amount,
            currency=currency,
            on=check_date(on, field="on"),
        )

    @event("OutcomeRecorded")
    def _outcome_recorded(self, outcome: str, amount: Decimal | None, currency: str | None, on: date) -> None:
        self.outcome = Outcome(outcome=outcome, amount=amount, currency=currency, on=on)
        self.history.append(("outcome_recorded", on))

    def report_retaliation(self, *, sealed_details: bytes, kind: str | None, on: date) -> None:
        # Allowed whatever the status: retaliation often follows an outcome.
        self._retaliation_reported(
            sealed_details=check_sealed(sealed_details, field="sealed_details"),
            kind=check_optional_code(kind, field="kind"),
            on=check_date(on, field="on"),
        )

    @event("RetaliationReported")
    def _retaliation_reported(self, sealed_details: bytes, kind: str | None, on: date) -> None:
        self.retaliations.append(Retaliation(kind=kind, on=on, sealed_details=sealed_details))
        self.history.append(("retaliation_reported", on))

    def withdraw(self, on: date, reason_code: str | None = None) -> None:
        if self.status == WITHDRAWN:
            raise DomainError("This grievance is already withdrawn.", code="withdrawn")
        if self.status == RESOLVED:
            raise DomainError(
                "This grievance already has an outcome; reopen it before withdrawing it.",
                code="closed",
            )
        self._withdrawn(
            on=check_date(on, field="on"),
            reason_code=check_optional_code(reason_code, field="reason_code"),
        )

    @event("Withdrawn")
    def _withdrawn(self, on: date, reason_code: str | None) -> None:
        self.withdrawn_on = on
        self.withdrawal_reason = reason_code
        self.history.append(("withdrawn", on))

    def reopen(self, on: date) -> None:
        if self.status == OPEN:
            raise DomainError(
                "This grievance is open already; only a withdrawn or resolved grievance can be reopened.",
                code="already_open",
            )
        self._reopened(on=check_date(on, field="on"))

    @event("Reopened")
    def _reopened(self, on: date) -> None:
        if self.outcome is not None:
            self.past_outcomes.append(self.outcome)
        self.outcome = None
        self.withdrawn_on = None
        self.withdrawal_reason = None
        self.history.append(("reopened", on))

    # -- money: amounts owed, claimed, offered and recovered --------------------------------

    def state_amount(self, *, kind: str, amount: Money, on: date) -> None:
        """Record one amount; allowed whatever the status, since money is often recovered
        after an outcome (or after a withdrawal, when the employer pays at last)."""
        self._amount_stated(kind=_check_kind(kind), amount=money(getattr(amount, "amount", None),
                            getattr(amount, "currency", None)), on=check_date(on, field="on"))

    @event("AmountStated")
    def _amount_stated(self, kind: str, amount: Money, on: date) -> None:
        self.amounts[kind] = amount
        self.history.append((f"amount_{kind}", on))

    def correct_amount(self, *, kind: str, amount: Money | None, reason: str) -> None:
        """The amount as it should read, or None when it was never owed, claimed, ..."""
        reason = check_reason(reason)
        kind = _check_kind(kind)
        if kind not in self.amounts:
            raise DomainError("No such amount was recorded; record it instead of correcting it.",
                              field="kind", code="nothing_to_correct")
        if amount is not None:
            amount = money(getattr(amount, "amount", None), getattr(amount, "currency", None))
        if amount == self.amounts[kind]:
            raise DomainError("Nothing was changed.", code="nothing_changed")
        self._amount_corrected(kind=kind, amount=amount, reason=reason)

    @event("AmountCorrected")
    def _amount_corrected(self, kind: str, amount: Money | None, reason: str) -> None:
        if amount is None:
            self.amounts.pop(kind, None)
        else:
            self.amounts[kind] = amount

    # -- deadlines: the facts they are computed from (organize.domain.deadlines) -----------

    def record_knowledge(self, on: date) -> None:
        """The day she learned of the wrong; recorded again, the later record stands."""
        on = check_date(on, field="on")
        if on < self.occurred_on:
            raise DomainError("She cannot have learned of it before it happened; check the day.",
                              field="on", code="before_incident")
        self._knowledge_recorded(on=on)

    @event("KnowledgeRecorded")
    def _knowledge_recorded(self, on: date) -> None:
        self.learned_on = on

    def follow_procedure(self, procedure_id: UUID) -> None:
        procedure_id = check_uuid(procedure_id, field="procedure_id")
        if procedure_id == self.procedure_id:
            raise DomainError("This grievance follows that procedure already.",
                              field="procedure_id", code="nothing_changed")
        self._procedure_followed(procedure_id=procedure_id)

    @event("ProcedureFollowed")
    def _procedure_followed(self, procedure_id: UUID) -> None:
        self.procedure_id = procedure_id

    def take_step(self, *, step: str, on: date, steps: tuple[str, ...]) -> None:
        """A step of its procedure (``steps``: the codes of the procedure it follows) taken."""
        self._require_open("A step cannot be taken")
        on = check_date(on, field="on")
        if step not in steps:
            raise DomainError("The procedure this grievance follows has no such step.",
                              field="step", code="no_such_step")
        if any(code == step for code, _ in self.steps_taken):
            raise DomainError("This step was taken already.", field="step", code="already_taken")
        if on < self.occurred_on:
            raise DomainError("A step cannot be taken before the incident; check the day.",
                              field="on", code="before_incident")
        self._step_taken(step=step, on=on)

    @event("StepTaken")
    def _step_taken(self, step: str, on: date) -> None:
        self.steps_taken.append((step, on))
        self.history.append(("step_taken", on))

    # -- correcting what was entered, with the reason kept (a code) ------------------------

    def correct(self, *, category: str, sector: str, place: str, stage: str, occurred_on: date,
                sealed_description: bytes | None, reason: str, taxonomy: Taxonomy) -> None:
        """Its category, sector, place, stage, day or description (sealed like the one it
        was raised with; None keeps it) as they should read."""
        reason = check_reason(reason)
        self._corrected(
            category=taxonomy.require("categories", category, field="category"),
            sector=taxonomy.require("sectors", sector, field="sector"),
            place=check_place(place, field="place"),
            stage=taxonomy.require("stages", stage, field="stage"),
            occurred_on=check_date(occurred_on, field="occurred_on"),
            sealed_description=check_optional_sealed(sealed_description, field="description"),
            reason=reason)

    @event("Corrected")
    def _corrected(self, category: str, sector: str, place: str, stage: str, occurred_on: date,
                   sealed_description: bytes | None, reason: str) -> None:
        self.category = category
        self.sector = sector
        self.place = place
        self.stage = stage
        self.occurred_on = occurred_on
        if sealed_description is not None:
            self.description = sealed_description

    # -- a clause of an agreement it says was breached ------------------------------------

    breaches: tuple[tuple[UUID, UUID], ...] = ()  # (bargaining id, clause id), in citing order

    def cite_breach(self, bargaining: Bargaining, clause_id: UUID) -> None:
        """The clause of an agreement it says was breached: refused unless that clause was
        in force on the day it happened (the agreement's start to its expiry or end)."""
        clause_id = check_uuid(clause_id, field="clause_id")
        if bargaining.collective_id != self.collective_id:
            raise DomainError("The agreement is not this grievance's collective's.",
                              field="bargaining_id", code="other_collective")
        if not bargaining.in_force_on(clause_id, self.occurred_on):
            raise DomainError(
                f"That clause was not in force on {self.occurred_on.isoformat()}, the day this "
                "happened.", field="clause_id", code="clause_not_in_force")
        if (bargaining.id, clause_id) in self.breaches:
            raise DomainError("This clause is already cited.", field="clause_id",
                              code="nothing_changed")
        self._breach_cited(bargaining_id=bargaining.id, clause_id=clause_id)

    @event("BreachCited")
    def _breach_cited(self, bargaining_id: UUID, clause_id: UUID) -> None:
        self.breaches = (*self.breaches, (bargaining_id, clause_id))

    def _require_open(self, action: str) -> None:
        if self.status == WITHDRAWN:
            raise DomainError(f"{action} on a withdrawn grievance; reopen it first.", code="withdrawn")
        if self.status == RESOLVED:
            raise DomainError(
                f"{action} on a grievance that already has an outcome; reopen it first.",
                code="closed",
            )


def _consents(worker: Worker | None, worker_id: UUID, purpose: str) -> bool:
    # A worker the caller did not load cannot be shown to consent, so she is not referred.
    return worker is not None and worker.id == worker_id and worker.has_consent(purpose)


def _check_amount(amount: object) -> Decimal:
    if amount is None:
        raise DomainError("Please give the amount for this outcome.", field="amount", code="empty")
    # Money is never a float: 0.1 + 0.2 is not 0.3. An int is exact, so it is accepted.
    if isinstance(amount, int) and not isinstance(amount, bool):
        amount = Decimal(amount)
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise DomainError(
            "The amount must be an exact number, such as 1500 or 1500.50.",
            field="amount",
        )
    if amount <= 0 or amount >= AMOUNT_MAX:
        raise DomainError(
            "The amount must be more than zero (and less than a trillion); please check it.",
            field="amount",
            code="out_of_range",
        )
    return amount


def _check_currency(currency: object) -> str:
    if currency is None:
        raise DomainError(
            "Please give the currency of the amount, such as HKD or PHP.",
            field="currency",
            code="empty",
        )
    if not isinstance(currency, str) or not CURRENCY_RE.fullmatch(currency):
        raise DomainError(
            "The currency must be a three-letter ISO 4217 code in capitals, such as HKD, PHP or USD.",
            field="currency",
        )
    return currency


def _check_kind(kind: object) -> str:
    if kind not in AMOUNT_KINDS:
        raise DomainError("Choose whether the amount is owed, claimed, offered or recovered.",
                          field="kind")
    return kind  # type: ignore[return-value]


def _join_words(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} and {items[-1]}"
