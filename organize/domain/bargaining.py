"""The Bargaining aggregate: one round of collective bargaining, from the members' mandate
to the agreement in force and its end.

A collective (its bargaining team, workers who are its members) bargains with a
**counterpart** from the organisation registry: an employer, an employers' association, a
recruitment agency or a government office. The round moves in one direction:

1. **opened**, with the team and the counterpart (and the campaign it grew from, if any);
2. the **mandate**: demands adopted in a meeting of the collective that was held;
3. **clauses** tabled, and **sessions** with the other side (the day, who came from each
   side, what was said per clause) and **proposals / counter-proposals** per clause;
4. the **tentative agreement**: the clauses both sides initialled;
5. **ratification** in a held meeting: counts for, against and abstaining and the rule
   used, never who voted how. A vote that does not carry sends the round back to the table;
6. the **agreement in force** (start, expiry), until it **ends** (expiry, termination or
   a new agreement).

Every text (demands, clause wording, session notes, the other side's attendees, proposals)
can name or describe a person (a household employer, a worker who spoke), so it arrives
sealed under the round's key, owned by its collective; the domain never reads it. A clause
is **in force on a day** when the agreement holding it was in force that day: a grievance
may cite only such a clause as breached.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

import msgspec
from eventsourcing.domain import Aggregate, event

from organize.domain.errors import DomainError
from organize.domain.limits import (
    PEOPLE_MAX,
    check_code,
    check_date,
    check_ids,
    check_not_before,
    check_optional_sealed,
    check_optional_uuid,
    check_sealed,
    check_uuid,
)
from organize.domain.money import Money

OPEN = "open"  # at the table (before and after the mandate)
TENTATIVE = "tentative"
RATIFIED = "ratified"
IN_FORCE = "in_force"
ENDED = "ended"

OURS = "ours"
THEIRS = "theirs"
SIDES = (OURS, THEIRS)

# The rules a ratification vote is counted by: abstentions never count either way.
SIMPLE_MAJORITY = "simple_majority"  # more for than against
TWO_THIRDS = "two_thirds"  # at least two thirds of those for or against
RULES = (SIMPLE_MAJORITY, TWO_THIRDS)
END_REASONS = ("expired", "terminated", "replaced")
VOTES_MAX = 1_000_000


class ClauseAmount(msgspec.Struct, frozen=True, kw_only=True):
    """The amount agreed on one clause (the last one proposed on it)."""

    clause_id: UUID
    amount: Money


def carried(rule: str, votes_for: int, against: int) -> bool:
    """Whether a vote carries under its rule (abstentions are not counted)."""
    if rule == SIMPLE_MAJORITY:
        return votes_for > against
    return votes_for > 0 and 3 * votes_for >= 2 * (votes_for + against)


def _count(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= VOTES_MAX:
        raise DomainError(f"{field} is a whole number from 0 to {VOTES_MAX}.", field=field,
                          code="invalid_count")
    return value


def _one_of(value: object, allowed: tuple[str, ...], field: str) -> str:
    code = check_code(value, field=field)
    if code not in allowed:
        raise DomainError(f"Unknown {field} {code!r}: one of {', '.join(allowed)}.",
                          field=field, code="unknown_code")
    return code


class Bargaining(Aggregate):
    @classmethod
    def open(
        cls,
        *,
        id: UUID,  # the application chooses ids
        collective_id: UUID,
        counterpart_id: UUID,
        team_ids: tuple[UUID, ...],
        opened_on: date,
        campaign_id: UUID | None = None,
    ) -> Bargaining:
        return cls(
            id=check_uuid(id, field="id"),
            collective_id=check_uuid(collective_id, field="collective_id"),
            counterpart_id=check_uuid(counterpart_id, field="counterpart_id"),
            team_ids=check_ids(team_ids, field="team_ids", min_items=1, max_items=PEOPLE_MAX),
            opened_on=check_date(opened_on, field="opened_on"),
            campaign_id=check_optional_uuid(campaign_id, field="campaign_id"),
        )

    @event("Opened")
    def __init__(self, id: UUID, collective_id: UUID, counterpart_id: UUID,
                 team_ids: tuple[UUID, ...], opened_on: date, campaign_id: UUID | None) -> None:
        self.collective_id = collective_id
        self.counterpart_id = counterpart_id
        self.team_ids = team_ids
        self.opened_on = opened_on
        self.campaign_id = campaign_id
        self.status = OPEN
        self.mandate_meeting_id: UUID | None = None
        self.mandate_on: date | None = None
        self.sealed_mandate: bytes | None = None
        self.demand_count = 0
        self.clauses: dict[UUID, bytes] = {}  # clause id -> its sealed wording
        self.sessions: list[dict] = []
        self.proposals: list[dict] = []
        self.tentative_clause_ids: tuple[UUID, ...] = ()
        self.tentative_on: date | None = None
        self.agreed_amounts: tuple[ClauseAmount, ...] = ()
        self.ratification: dict | None = None
        self.agreed_clause_ids: tuple[UUID, ...] = ()
        self.starts_on: date | None = None
        self.expires_on: date | None = None
        self.ended_on: date | None = None
        self.end_reason: str | None = None

    # -- the mandate ---------------------------------------------------------------------

    def adopt_mandate(self, *, meeting_id: UUID, adopted_on: date, sealed_demands: bytes,
                      demand_count: int) -> None:
        """Demands adopted in a held meeting (the application checks the meeting is the
        collective's and was held that day). Adopted again while still at the table."""
        self._require(OPEN, "adopt a mandate", code="not_open")
        adopted_on = check_date(adopted_on, field="adopted_on")
        check_not_before(adopted_on, self.opened_on, field="adopted_on",
                         what="the day bargaining opened")
        if not 1 <= demand_count <= 50:
            raise DomainError("A mandate holds from 1 to 50 demands.", field="demands",
                              code="invalid_count")
        self._mandate_adopted(meeting_id=check_uuid(meeting_id, field="meeting_id"),
                              adopted_on=adopted_on,
                              sealed_demands=check_sealed(sealed_demands, field="demands"),
                              demand_count=demand_count)

    @event("MandateAdopted")
    def _mandate_adopted(self, meeting_id: UUID, adopted_on: date, sealed_demands: bytes,
                         demand_count: int) -> None:
        self.mandate_meeting_id = meeting_id
        self.mandate_on = adopted_on
        self.sealed_mandate = sealed_demands
        self.demand_count = demand_count

    # -- at the table --------------------------------------------------------------------

    def table_clause(self, *, clause_id: UUID, sealed_wording: bytes, on: date) -> None:
        self._require_mandate(check_date(on, field="on"), "table a clause")
        clause_id = check_uuid(clause_id, field="clause_id")
        if clause_id in self.clauses:
            raise DomainError("This clause is already tabled.", field="clause_id",
                              code="duplicate")
        if len(self.clauses) >= 50:
            raise DomainError("A round holds at most 50 clauses.", field="clause_id",
                              code="too_many")
        self._clause_tabled(clause_id=clause_id,
                            sealed_wording=check_sealed(sealed_wording, field="wording"), on=on)

    @event("ClauseTabled")
    def _clause_tabled(self, clause_id: UUID, sealed_wording: bytes, on: date) -> None:
        self.clauses[clause_id] = sealed_wording

    def record_session(self, *, session_id: UUID, held_on: date, our_ids: tuple[UUID, ...],
                       sealed_their_side: bytes | None, sealed_notes: bytes | None,
                       clause_ids: tuple[UUID, ...]) -> None:
        """A session with the other side: the day (in the collective's time zone), our
        attendees (workers, by id), theirs (sealed names or roles), and what was said per
        clause (sealed, one note per clause in ``clause_ids``)."""
        held_on = check_date(held_on, field="held_on")
        self._require_mandate(held_on, "hold a session")
        if self.status in (IN_FORCE, ENDED):
            raise DomainError("The agreement is already in force: sessions are over.",
                              field="held_on", code="bargaining_closed")
        clause_ids = self._known(check_ids(clause_ids, field="clause_ids"))
        self._session_held(
            session_id=check_uuid(session_id, field="session_id"), held_on=held_on,
            our_ids=check_ids(our_ids, field="our_ids", min_items=1, max_items=PEOPLE_MAX),
            sealed_their_side=check_optional_sealed(sealed_their_side, field="their_side"),
            sealed_notes=check_optional_sealed(sealed_notes, field="notes"),
            clause_ids=clause_ids)

    @event("SessionHeld")
    def _session_held(self, session_id: UUID, held_on: date, our_ids: tuple[UUID, ...],
                      sealed_their_side: bytes | None, sealed_notes: bytes | None,
                      clause_ids: tuple[UUID, ...]) -> None:
        self.sessions.append({"session_id": session_id, "held_on": held_on, "our_ids": our_ids,
                              "sealed_their_side": sealed_their_side,
                              "sealed_notes": sealed_notes, "clause_ids": clause_ids})

    def propose(self, *, clause_id: UUID, side: str, sealed_text: bytes, on: date,
                offered: Money | None = None) -> None:
        """A proposal (ours) or counter-proposal (theirs) on one clause, with the amount it
        offers (exact, checked by ``organize.domain.money.money``) if it is about money."""
        if offered is not None and not isinstance(offered, Money):
            raise DomainError("An amount comes with its currency.", field="amount",
                              code="invalid")
        on = check_date(on, field="on")
        self._require_mandate(on, "record a proposal")
        if self.status != OPEN:
            raise DomainError("A tentative agreement is already reached.", field="clause_id",
                              code="bargaining_closed")
        (clause_id,) = self._known((check_uuid(clause_id, field="clause_id"),))
        self._proposed(clause_id=clause_id, side=_one_of(side, SIDES, "side"),
                       sealed_text=check_sealed(sealed_text, field="text"), on=on,
                       offered=offered)

    @event("Proposed")
    def _proposed(self, clause_id: UUID, side: str, sealed_text: bytes, on: date,
                  offered: Money | None = None) -> None:
        self.proposals.append({"clause_id": clause_id, "side": side, "sealed_text": sealed_text,
                               "on": on, "offered": offered})

    # -- agreement -----------------------------------------------------------------------

    def reach_tentative(self, *, clause_ids: tuple[UUID, ...], on: date) -> None:
        on = check_date(on, field="on")
        self._require_mandate(on, "reach a tentative agreement")
        self._require(OPEN, "reach a tentative agreement", code="not_open")
        clause_ids = self._known(check_ids(clause_ids, field="clause_ids", min_items=1))
        last: dict[UUID, Money] = {}
        for p in self.proposals:  # in the order proposed: the last amount on a clause stands
            if p["clause_id"] in clause_ids and p.get("offered") is not None:
                last[p["clause_id"]] = p["offered"]
        self._tentative_reached(clause_ids=clause_ids, on=on, amounts=tuple(
            ClauseAmount(clause_id=i, amount=last[i]) for i in clause_ids if i in last))

    @event("TentativeReached")
    def _tentative_reached(self, clause_ids: tuple[UUID, ...], on: date,
                           amounts: tuple[ClauseAmount, ...] = ()) -> None:
        self.status = TENTATIVE
        self.tentative_clause_ids = clause_ids
        self.tentative_on = on
        self.agreed_amounts = amounts

    def ratify(self, *, meeting_id: UUID, on: date, votes_for: int, against: int,
               abstaining: int, rule: str, attendance: int | None) -> None:
        """The members' vote on the tentative agreement, in a held meeting: counts only.
        More votes than people recorded at the meeting are refused. A vote that does not
        carry sends the round back to the table."""
        if self.status != TENTATIVE:
            raise DomainError("There is no tentative agreement to ratify.", field="bargaining_id",
                              code="no_tentative")
        on = check_date(on, field="on")
        check_not_before(on, self.tentative_on, field="on", what="the tentative agreement")
        votes = (_count(votes_for, "votes_for"), _count(against, "against"),
                 _count(abstaining, "abstaining"))
        if sum(votes) == 0:
            raise DomainError("Record how many voted.", field="votes_for", code="invalid_count")
        if attendance is not None and sum(votes) > attendance:
            raise DomainError(f"More votes than the {attendance} people recorded at the meeting.",
                              field="votes_for", code="more_votes_than_attendees")
        rule = _one_of(rule, RULES, "rule")
        self._vote_recorded(meeting_id=check_uuid(meeting_id, field="meeting_id"), on=on,
                            votes_for=votes[0], against=votes[1], abstaining=votes[2], rule=rule,
                            carried=carried(rule, votes[0], votes[1]))

    @event("VoteRecorded")
    def _vote_recorded(self, meeting_id: UUID, on: date, votes_for: int, against: int,
                       abstaining: int, rule: str, carried: bool) -> None:
        self.ratification = {"meeting_id": meeting_id, "on": on, "votes_for": votes_for,
                             "against": against, "abstaining": abstaining, "rule": rule,
                             "carried": carried}
        self.status = RATIFIED if carried else OPEN

    def bring_into_force(self, *, starts_on: date, expires_on: date) -> None:
        self._require(RATIFIED, "bring the agreement into force", code="not_ratified")
        starts_on = check_date(starts_on, field="starts_on")
        expires_on = check_date(expires_on, field="expires_on")
        check_not_before(starts_on, self.ratification["on"], field="starts_on",
                         what="the ratification")
        if expires_on <= starts_on:
            raise DomainError("An agreement expires after it starts.", field="expires_on",
                              code="expires_before_start")
        self._in_force(clause_ids=self.tentative_clause_ids, starts_on=starts_on,
                       expires_on=expires_on)

    @event("InForce")
    def _in_force(self, clause_ids: tuple[UUID, ...], starts_on: date, expires_on: date) -> None:
        self.status = IN_FORCE
        self.agreed_clause_ids = clause_ids
        self.starts_on = starts_on
        self.expires_on = expires_on

    def end(self, *, on: date, reason: str) -> None:
        self._require(IN_FORCE, "end the agreement", code="not_in_force")
        on = check_date(on, field="on")
        check_not_before(on, self.starts_on, field="on", what="the agreement's start")
        self._ended(on=on, reason=_one_of(reason, END_REASONS, "reason"))

    @event("Ended")
    def _ended(self, on: date, reason: str) -> None:
        self.status = ENDED
        self.ended_on = on
        self.end_reason = reason

    # -- reading -------------------------------------------------------------------------

    def in_force_on(self, clause_id: UUID, day: date) -> bool:
        """Whether the clause was part of the agreement in force on that day."""
        if clause_id not in self.agreed_clause_ids or self.starts_on is None:
            return False
        last = self.expires_on if self.ended_on is None else min(self.expires_on, self.ended_on)
        return self.starts_on <= day <= last

    def _known(self, clause_ids: tuple[UUID, ...]) -> tuple[UUID, ...]:
        unknown = [i for i in clause_ids if i not in self.clauses]
        if unknown:
            raise DomainError("No such clause in this round.", field="clause_ids",
                              code="unknown_clause")
        return clause_ids

    def _require(self, status: str, action: str, *, code: str) -> None:
        if self.status != status:
            raise DomainError(f"Cannot {action} now (the round is {self.status}).",
                              field="bargaining_id", code=code)

    def _require_mandate(self, on: date, action: str) -> None:
        if self.mandate_on is None:
            raise DomainError(f"Cannot {action} before the members adopt a mandate.",
                              field="bargaining_id", code="no_mandate")
        if on < self.mandate_on:
            raise DomainError(f"Cannot {action} on a day before the mandate was adopted.",
                              field="held_on", code="before_mandate")
