"""The bargaining view on a real PostgreSQL: a round's stages, clauses (proposals and breaches
per clause), sessions, the renewal reminder, texts kept sealed, and every reader's scope."""

from __future__ import annotations

from datetime import date

import msgspec
import pytest

from organize.persistence.reveal import opened_with
from organize.projections.reads import Scope
from organize.projections.views.bargaining import due_for_renewal, list_rounds, one_round
from tests.integration.support import (  # noqa: F401 - conn_fixture
    bargaining_round,
    catch_up,
    collective,
    conn_fixture,
    fed,
    organisation,
    worker,
)

pytestmark = pytest.mark.integration


def _story(app, federation):
    home = collective(app, federation=federation)
    members = [worker(app, home, pseudonym=f"M{i}") for i in range(3)]
    employer = organisation(app, name="Star Placement", kind="recruiter", collective_id=home)
    opened, clauses, breach = bargaining_round(app, home, employer, members)
    catch_up(app, ["bargaining"])
    return home, opened, clauses, breach


async def test_a_round_reads_from_mandate_to_breaches_per_clause(app, conn):
    home, opened, clauses, _ = _story(app, fed())
    found = await one_round(conn, Scope(collective_ids=frozenset({home})), opened, words=True)
    plain = msgspec.json.encode(found).decode()
    for text in ("Pay by the 7th", "Wong", "By the 10th"):
        assert text not in plain  # the view holds sealed tokens only
    detail = opened_with(app.keys, found)
    r = detail.round
    assert (r.status, r.counterpart, r.team, r.demand_count, r.sessions) == (
        "in_force", "Star Placement", 1, 2, 1)
    assert (r.mandate_on, r.tentative_on, r.vote_on) == (
        date(2026, 2, 1), date(2026, 3, 20), date(2026, 4, 2))
    assert (r.votes_for, r.against, r.abstaining, r.rule, r.carried) == (
        3, 0, 0, "simple_majority", True)
    assert (r.starts_on, r.expires_on) == (date(2026, 5, 1), date(2027, 4, 30))
    assert r.demands == ["Pay by the 7th", "A rest day a week"]
    assert [(x.clause_id, x.wording, x.agreed, x.theirs, x.breaches) for x in detail.clauses] == [
        (clauses[0], "Pay by the 7th", True, 1, 1), (clauses[1], "A rest day a week", True, 0, 0)]
    (session,) = detail.sessions
    assert (session.held_on, session.ours, session.their_side, session.clause_ids,
            session.notes) == (date(2026, 2, 10), 1, ["Mr Wong, HR"], [clauses[0]],
                               ["Wong said the 10th"])


async def test_without_words_no_sealed_token_leaves_the_read(app, conn):
    federation = fed()
    _home, opened, _, _ = _story(app, federation)
    found = await one_round(conn, Scope(federation=federation), opened, words=False)
    assert found is not None
    assert "\x1esealed" not in msgspec.json.encode(found).decode()
    assert found.round.demands == [] and all(x.wording is None for x in found.clauses)
    assert found.sessions[0].notes == [] and found.sessions[0].their_side == []
    assert found.clauses[0].breaches == 1  # counts stay


async def test_other_collectives_and_federations_see_nothing(app, conn):
    federation = fed()
    home, opened, _, _ = _story(app, federation)
    neighbour = collective(app, federation=federation)
    stranger = collective(app, federation=fed())
    for scope in (Scope(collective_ids=frozenset({neighbour})),
                  Scope(collective_ids=frozenset({stranger})), Scope(federation=fed())):
        assert await one_round(conn, scope, opened, words=True) is None
        assert opened not in [r.id for r in await list_rounds(conn, scope)]
        assert opened not in [r.id for r in await due_for_renewal(conn, scope, date(2027, 4, 1))]
    assert [r.id for r in await list_rounds(conn, Scope(collective_ids=frozenset({home})))] == [
        opened]
    assert [r.id for r in await list_rounds(conn, Scope(federation=federation))] == [opened]


@pytest.mark.parametrize("today,due", [(date(2027, 1, 29), False), (date(2027, 1, 30), True),
                                       (date(2027, 5, 2), True)])
async def test_renewal_is_due_ninety_days_before_expiry(app, conn, today, due):
    home, opened, _, _ = _story(app, fed())
    found = await due_for_renewal(conn, Scope(collective_ids=frozenset({home})), today)
    assert [r.id for r in found] == ([opened] if due else [])


async def test_amounts_offered_and_agreed_are_exact(app, conn):
    from decimal import Decimal

    from organize import commands as c
    from tests.integration.support import cid, held_meeting

    home = collective(app, federation=fed())
    members = [worker(app, home, pseudonym="M")]
    employer = organisation(app, kind="employer", collective_id=home)
    opened = app.execute(c.OpenBargaining(command_id=cid(), collective_id=home,
                                          counterpart_id=employer, team_ids=tuple(members),
                                          opened_on=date(2026, 1, 20))).id
    app.execute(c.AdoptMandate(command_id=cid(), bargaining_id=opened,
                               meeting_id=held_meeting(app, home, date(2026, 2, 1), members),
                               demands=("A monthly wage of 5,200",)))
    table = c.TableClause(command_id=cid(), bargaining_id=opened, wording="Monthly wage",
                          on=date(2026, 2, 3))
    app.execute(table)
    from organize.application import new_id

    clause = new_id(table.command_id, "clause")
    for side, amount in (("ours", "5200.10"), ("theirs", "4870.05"), ("theirs", "4999.99")):
        app.execute(c.ProposeClause(command_id=cid(), bargaining_id=opened, clause_id=clause,
                                    side=side, text="wage", on=date(2026, 2, 10),
                                    amount=Decimal(amount), currency="HKD"))
    catch_up(app, ["bargaining"])
    (row,) = (await one_round(conn, Scope.everything(), opened, words=False)).clauses
    assert (row.offer_ours, row.offer_theirs, row.agreed_amount) == (
        Decimal("5200.10"), Decimal("4999.99"), None)
    app.execute(c.ReachTentativeAgreement(command_id=cid(), bargaining_id=opened,
                                          clause_ids=(clause,), on=date(2026, 3, 1)))
    catch_up(app, ["bargaining"])
    (row,) = (await one_round(conn, Scope.everything(), opened, words=False)).clauses
    assert (str(row.agreed_amount), row.agreed_currency) == ("4999.99", "HKD")


async def test_the_indicators_read_the_round_with_reasons(app, conn):
    """Through the real view: the round's ratification and its cited clause reach the
    collective's negotiating power and collective voice, as codes with their counts."""
    from organize.projections.indicators.reads import collective_indicators

    home = collective(app, federation=fed())
    members = [worker(app, home, pseudonym=f"V{i}") for i in range(4)]
    employer = organisation(app, kind="employer", collective_id=home)
    bargaining_round(app, home, employer, members)
    catch_up(app, ["indicators"])
    found = await collective_indicators(conn, Scope(collective_ids=frozenset({home})), home,
                                        as_of=date(2026, 6, 21))
    dims = {d.dimension: d for d in found.dimensions}
    power = {r.code: r.params for r in dims["negotiating_power"].reasons}
    voice = {r.code: r.params for r in dims["collective_voice"].reasons}
    assert power["agreement_ratified"] == {"n": 1, "members": 4}
    assert power["clauses_enforced"] == {"n": 1, "weeks": 12}
    assert voice["ratified_in_meeting"] == {"n": 1, "members": 4}
    assert dims["negotiating_power"].measures["agreements"] == 1


async def test_erasing_the_collective_shreds_the_rounds_words(app, conn):
    """A raided centre is erased (``organize erase-collective``): its rounds' demands, clauses
    and notes were sealed under keys it alone owned, so they read as erased from then on;
    the counts stay."""
    from organize.erasure import erase_collective
    from organize.persistence.reveal import ERASED

    home, opened, _clauses, _ = _story(app, fed())
    erase_collective(app, home)
    catch_up(app, ["bargaining"])
    found = opened_with(app.keys, await one_round(conn, Scope.everything(), opened, words=True))
    assert found.round.demands == [ERASED]
    assert [x.wording for x in found.clauses] == [ERASED, ERASED]
    assert found.sessions[0].notes == [ERASED] and found.sessions[0].their_side == [ERASED]
    assert found.clauses[0].breaches == 1 and found.round.status == "in_force"
