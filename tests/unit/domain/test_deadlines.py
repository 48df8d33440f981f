"""Grievance deadlines and money in the domain: the procedure's rules, the grievance's new
facts (amounts, knowledge, steps taken), the worker's planned departure, and deadlines as a
pure function of the facts, recomputed whenever a fact changes. The property test holds
the facts folded event by event (as the projection keeps them) equal to the facts of the
final state, for random histories."""

from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from organize.domain import Grievance, Procedure, Worker
from organize.domain.deadlines import (
    DEPARTURE,
    Deadline,
    Facts,
    Step,
    deadlines,
    departure_deadline,
    departure_stored,
    facts_of,
    fold,
    fold_departure,
    urgency,
)
from organize.domain.money import Money, money
from tests.unit.domain.support import TAXONOMY, assert_replays, event_names, new_id, refused, refused_creation

INCIDENT = date(2026, 1, 5)
STEPS = (
    Step(code="written_complaint", name="Written complaint", days=30, clock="knowledge"),
    Step(code="meeting", name="Meeting with the employer", days=14, clock="previous_step"),
    Step(code="labour_claim", name="Claim at the labour office", days=365, clock="incident"),
)


def grievance(**kw: object) -> Grievance:
    args: dict[str, object] = dict(
        id=new_id(), collective_id=new_id(), worker_ids=(new_id(),), category="wages_unpaid_late",
        sector="domestic_care", place="HK", stage="destination", organisation_ids=(),
        occurred_on=INCIDENT, sealed_description=b"\x01sealed", taxonomy=TAXONOMY)
    args.update(kw)
    return Grievance.raise_grievance(**args)  # type: ignore[arg-type]


def codes() -> tuple[str, ...]:
    return tuple(s.code for s in STEPS)


# -- the pure function ---------------------------------------------------------------------

def test_each_clock_counts_from_its_own_day() -> None:
    facts = Facts(occurred_on=INCIDENT, learned_on=date(2026, 2, 1))
    assert deadlines(facts, STEPS) == (
        Deadline(step="written_complaint", due_on=date(2026, 3, 3)),  # knowledge + 30
        Deadline(step="labour_claim", due_on=date(2027, 1, 5)),  # incident + 365
    )  # the meeting waits for the complaint: its clock has not started


def test_knowledge_unknown_counts_from_the_incident_the_safer_day() -> None:
    (first, _) = deadlines(Facts(occurred_on=INCIDENT), STEPS)
    assert first.due_on == INCIDENT + timedelta(days=30)


def test_a_step_taken_is_met_and_starts_the_next_clock() -> None:
    facts = Facts(occurred_on=INCIDENT, taken=(("written_complaint", date(2026, 1, 20)),))
    got = deadlines(facts, STEPS)
    assert got[0] == Deadline(step="written_complaint", due_on=date(2026, 2, 4),
                              met_on=date(2026, 1, 20))
    assert got[1] == Deadline(step="meeting", due_on=date(2026, 2, 3))


def test_her_departure_is_a_deadline_and_the_earliest_party_departure_binds() -> None:
    a, b, stranger = new_id(), new_id(), new_id()
    facts = Facts(occurred_on=INCIDENT, parties=(a, b))
    got = deadlines(facts, STEPS, {a: date(2026, 5, 1), b: date(2026, 4, 1),
                                   stranger: date(2026, 1, 10)})
    assert got[-1] == Deadline(step=DEPARTURE, due_on=date(2026, 4, 1))


def test_a_closed_grievance_has_no_deadlines() -> None:
    assert deadlines(Facts(occurred_on=INCIDENT, is_open=False), STEPS) == ()


def test_urgency_overdue_due_soon_and_met() -> None:
    d = Deadline(step="x", due_on=date(2026, 3, 10))
    assert urgency(d, date(2026, 3, 11)) == "overdue"
    assert urgency(d, date(2026, 3, 10)) == "due_soon"
    assert urgency(d, date(2026, 3, 3)) == "due_soon"
    assert urgency(d, date(2026, 3, 2)) is None
    met = Deadline(step="x", due_on=date(2026, 3, 10), met_on=date(2026, 3, 12))
    assert urgency(met, date(2026, 4, 1)) is None


# -- the procedure -------------------------------------------------------------------------

def test_a_procedure_is_defined_and_revised_and_replays() -> None:
    p = Procedure.define(id=new_id(), collective_id=new_id(), agreement_id=None,
                         name="Our procedure", steps=STEPS)
    p.revise(name="Our procedure", steps=STEPS[:1])
    assert p.steps == STEPS[:1]
    assert event_names(assert_replays(p)) == ["Defined", "Revised"]


@pytest.mark.parametrize(("steps", "code", "field"), [
    ((), "empty", "steps"),
    ((Step(code="a_step", name="A", days=0),), "out_of_range", "steps.1"),
    ((Step(code="a_step", name="A", days=3651),), "out_of_range", "steps.1"),
    ((Step(code="a_step", name="A", days=3, clock="previous_step"),), "no_previous_step", "steps.1"),
    ((Step(code="a_step", name="A", days=3, clock="whenever"),), "invalid", "steps.1"),
    ((Step(code="a_step", name="A", days=3), Step(code="a_step", name="B", days=3)),
     "duplicate", "steps.2"),
    ((Step(code="departure", name="A", days=3),), "duplicate", "steps.1"),
    ((Step(code="A B", name="A", days=3),), "invalid", "steps.1"),
    ((Step(code="a_step", name="", days=3),), "empty", "steps.1"),
])
def test_bad_steps_are_refused(steps: tuple[Step, ...], code: str, field: str) -> None:
    with refused_creation(code, field):
        Procedure.define(id=new_id(), collective_id=new_id(), agreement_id=None, name="P",
                         steps=steps)


def test_a_revision_that_changes_nothing_is_refused() -> None:
    p = Procedure.define(id=new_id(), collective_id=new_id(), agreement_id=None, name="P",
                         steps=STEPS)
    with refused(p, "nothing_changed"):
        p.revise(name="P", steps=STEPS)


# -- the grievance's money and deadline facts ----------------------------------------------

def test_amounts_are_stated_corrected_and_cleared_exactly() -> None:
    g = grievance()
    g.state_amount(kind="owed", amount=money("12000.50", "HKD"), on=INCIDENT)
    g.state_amount(kind="recovered", amount=money("0.10", "HKD"), on=INCIDENT)
    g.correct_amount(kind="owed", amount=money("12000.55", "HKD"), reason="typing_mistake")
    g.correct_amount(kind="recovered", amount=None, reason="typing_mistake")
    assert g.amounts == {"owed": Money(amount=Decimal("12000.55"), currency="HKD")}
    assert event_names(assert_replays(g))[-2:] == ["AmountCorrected", "AmountCorrected"]


def test_amount_refusals() -> None:
    g = grievance()
    with refused(g, "invalid", "kind"):
        g.state_amount(kind="stolen", amount=money(1, "HKD"), on=INCIDENT)
    with refused(g, "nothing_to_correct", "kind"):
        g.correct_amount(kind="owed", amount=money(1, "HKD"), reason="typing_mistake")
    g.state_amount(kind="owed", amount=money(1, "HKD"), on=INCIDENT)
    with refused(g, "nothing_changed"):
        g.correct_amount(kind="owed", amount=money("1.00", "HKD"), reason="typing_mistake")
    with refused(g, "correction_reason", "reason"):
        g.correct_amount(kind="owed", amount=money(2, "HKD"), reason="because")


def test_amounts_may_be_recorded_after_an_outcome() -> None:
    g = grievance()
    g.record_outcome(outcome="no_result", amount=None, currency=None, on=INCIDENT, taxonomy=TAXONOMY)
    g.state_amount(kind="recovered", amount=money(500, "HKD"), on=date(2026, 6, 1))
    assert g.amounts["recovered"].amount == 500


def test_knowledge_before_the_incident_is_refused() -> None:
    g = grievance()
    with refused(g, "before_incident", "on"):
        g.record_knowledge(INCIDENT - timedelta(days=1))


def test_step_refusals() -> None:
    g = grievance()
    with refused(g, "no_such_step", "step"):
        g.take_step(step="strike", on=INCIDENT, steps=codes())
    with refused(g, "before_incident", "on"):
        g.take_step(step="meeting", on=INCIDENT - timedelta(days=1), steps=codes())
    g.take_step(step="meeting", on=INCIDENT, steps=codes())
    with refused(g, "already_taken", "step"):
        g.take_step(step="meeting", on=INCIDENT, steps=codes())
    g.withdraw(INCIDENT)
    with refused(g, "withdrawn"):
        g.take_step(step="labour_claim", on=INCIDENT, steps=codes())


def test_a_deadline_after_a_corrected_incident_date() -> None:
    g = grievance()
    before = deadlines(facts_of(g), STEPS)
    g.correct(category=g.category, sector=g.sector, place=g.place, stage=g.stage,
              occurred_on=date(2026, 2, 5), sealed_description=None, reason="wrong_day_or_time",
              taxonomy=TAXONOMY)
    after = deadlines(facts_of(g), STEPS)
    assert [d.due_on for d in before] == [date(2026, 2, 4), date(2027, 1, 5)]
    assert [d.due_on for d in after] == [date(2026, 3, 7), date(2027, 2, 5)]


def _sealed(day: date) -> bytes:
    """A stand-in for the day sealed under her key (the application seals it)."""
    return b"\x01" + day.isoformat().encode()


def _opened(stored: dict[UUID, bytes]) -> dict[UUID, date]:
    return {w: date.fromisoformat(s[1:].decode()) for w, s in stored.items()}


def test_her_departure_is_planned_sealed_changed_cleared_and_erased() -> None:
    w = Worker.register(id=new_id(), sealed_profile=b"\x01p", collective_id=new_id(),
                        joined_on=INCIDENT)
    with refused(w, "nothing_changed"):  # none to clear
        w.plan_departure(None)
    with refused(w, "empty", "leaves_on"):
        w.plan_departure(b"")
    with pytest.raises(Exception, match="sealed"):
        w.plan_departure(date(2026, 4, 1))  # a day in the clear never reaches the domain
    w.plan_departure(_sealed(date(2026, 4, 1)))
    w.plan_departure(None)
    w.plan_departure(_sealed(date(2026, 5, 1)))
    assert w.sealed_departure == _sealed(date(2026, 5, 1)) and w.departure_on is None
    events = assert_replays(w)
    assert event_names(events).count("DeparturePlanned") == 3
    planned = [e for e in events if type(e).__name__ == "DeparturePlanned"]
    assert [e.on for e in planned] == [None, None, None]
    from datetime import UTC, datetime  # noqa: PLC0415
    w.erase(datetime(2026, 6, 1, tzinfo=UTC))
    assert w.sealed_departure is None and departure_stored(w) is None


def test_a_version_1_departure_reads_back_in_the_clear_with_nothing_sealed() -> None:
    state = {"on": date(2026, 4, 1)}
    Worker.DeparturePlanned.upcast_v1_v2(state)
    assert state == {"on": date(2026, 4, 1), "sealed_on": None}
    assert fold_departure({}, UUID(int=1), "DeparturePlanned", state) == {UUID(int=1): date(2026, 4, 1)}


# -- the property: event by event equals the final state -----------------------------------

DAYS = st.integers(min_value=0, max_value=400).map(lambda n: INCIDENT + timedelta(days=n))
ACTIONS = st.lists(st.one_of(
    st.tuples(st.just("correct"), DAYS),
    st.tuples(st.just("know"), DAYS),
    st.tuples(st.just("step"), st.sampled_from(codes()), DAYS),
    st.tuples(st.just("withdraw"), DAYS),
    st.tuples(st.just("reopen"), DAYS),
    st.tuples(st.just("join"), DAYS),
    st.tuples(st.just("depart"), st.integers(0, 2), st.one_of(st.none(), DAYS)),
    st.tuples(st.just("erase"), st.integers(0, 2)),
), max_size=25)


def _try(action, *args) -> None:
    try:
        action(*args)
    except Exception as e:  # a refused command records nothing; the history goes on
        assert type(e).__name__ == "DomainError", e


@settings(max_examples=150, deadline=None)
@given(ACTIONS)
def test_deadlines_replayed_event_by_event_equal_those_of_the_final_state(actions) -> None:
    g = grievance()
    workers = [Worker.register(id=new_id(), sealed_profile=b"\x01p", collective_id=g.collective_id,
                               joined_on=INCIDENT) for _ in range(3)]
    stream: list[tuple[UUID | None, object]] = []  # (worker id, event) in the order recorded

    def collect() -> None:
        stream.extend((None, e) for e in g.collect_events())
        for w in workers:
            stream.extend((w.id, e) for e in w.collect_events())

    collect()
    for action in actions:
        kind = action[0]
        if kind == "correct":
            _try(lambda d: g.correct(category=g.category, sector=g.sector, place=g.place,
                                     stage=g.stage, occurred_on=d, sealed_description=None,
                                     reason="wrong_day_or_time", taxonomy=TAXONOMY), action[1])
        elif kind == "know":
            _try(g.record_knowledge, action[1])
        elif kind == "step":
            _try(lambda s, d: g.take_step(step=s, on=d, steps=codes()), action[1], action[2])
        elif kind == "withdraw":
            _try(g.withdraw, action[1])
        elif kind == "reopen":
            _try(g.reopen, action[1])
        elif kind == "join":
            _try(g.join, tuple(w.id for w in workers[1:] if w.id not in g.worker_ids)[:1])
        elif kind == "depart":
            _try(workers[action[1]].plan_departure,
                 None if action[2] is None else _sealed(action[2]))
        elif kind == "erase":
            from datetime import UTC, datetime  # noqa: PLC0415
            _try(workers[action[1]].erase, datetime(2026, 6, 1, tzinfo=UTC))
        collect()

    facts = None
    departures: dict[UUID, bytes] = {}  # as the projection keeps them: sealed
    for worker_id, e in stream:
        name, data = type(e).__name__, vars(e)
        if worker_id is None:
            facts = fold(facts, name, data)
        else:
            departures = fold_departure(departures, worker_id, name, data)
    final_departures = {w.id: departure_stored(w) for w in workers if departure_stored(w)}
    assert facts == facts_of(g)
    assert departures == final_departures
    expected = deadlines(facts_of(g), STEPS, _opened(final_departures))
    assert deadlines(facts, STEPS, _opened(departures)) == expected
    # The read path: the projection's deadlines (no departure), then the departure deadline
    # from the departures opened for the reader, equal the pure function on the final state.
    leaving = departure_deadline(facts.parties, _opened(departures)) if facts.is_open else None
    assert (*deadlines(facts, STEPS), *([leaving] if leaving else [])) == expected
