"""The indicators view on a real PostgreSQL: a collective built through commands, scored by
the batched runner, read back with asyncpg.

The database is shared by the session: every assertion is about ids created here.
Dates are domain dates in early 2025; "now" is the week of 31 March 2025.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

import asyncpg
import pytest

from organize import commands as c
from organize.application import new_id
from organize.persistence.reveal import opened_with
from organize.projections import registry
from organize.projections.indicators import view as indicators_view
from organize.projections.indicators.reads import (
    campaign_indicators,
    collective_indicators,
    federation_overview,
)
from organize.projections.indicators.rubric import load_rubric, parse_rubric
from organize.projections.reads import Scope
from organize.projections.runner import BatchedRunner
from tests.integration import support as h
from web.i18n.reasons import reason_text

pytestmark = pytest.mark.integration

NOW = date(2025, 3, 31)
EVERYTHING = Scope.everything()


@dataclass
class Scenario:
    federation: str
    collective: uuid.UUID
    quiet: uuid.UUID  # a second collective of the federation, with nothing recorded
    campaign: uuid.UUID
    workers: list[uuid.UUID]
    nid: dict[str, int] = field(default_factory=dict)  # what happened -> its notification id


def run(app, command) -> c.CommandResult:
    return app.execute(command)


def meeting(app, s: Scenario, key: str, day: date, attendees: list[int], facilitator: int,
            speakers: tuple[int, ...] = (), decisions: tuple[str, ...] = (), agenda=()) -> None:
    w = s.workers
    scheduled = run(app, c.ScheduleMeeting(
        command_id=h.cid(), kind="assembly", collective_ids=(s.collective,),
        scheduled_for=datetime(day.year, day.month, day.day, 10, tzinfo=UTC), language="en",
        agenda_grievance_ids=tuple(agenda)))
    held = run(app, c.RecordMeetingHeld(
        command_id=h.cid(), meeting_id=scheduled.id,
        held_at=datetime(day.year, day.month, day.day, 10, tzinfo=UTC),
        attendee_ids=tuple(w[i] for i in attendees), facilitator_ids=(w[facilitator],),
        speaker_ids=tuple(w[i] for i in speakers), language="en", decisions=decisions))
    s.nid[key] = held.notification_id


def build(app) -> Scenario:
    federation = f"fed-ind-{uuid.uuid4().hex[:8]}"
    collective = run(app, h.create_collective(name="Wan Chai domestic workers", federation=federation)).id
    quiet = run(app, h.create_collective(name="Aberdeen fishing workers", federation=federation)).id
    workers = [run(app, h.register_worker(collective)).id for _ in range(6)]
    s = Scenario(federation=federation, collective=collective, quiet=quiet, campaign=uuid.uuid4(),
                 workers=workers)
    w = workers
    for i, (sector, relationship, since) in enumerate([
        ("domestic_care", "direct_employer", date(2020, 1, 1)),
        ("garment", "direct_employer", date(2021, 1, 1)),
        ("domestic_care", "agency", date(2021, 6, 1)),
        ("domestic_care", "direct_employer", date(2022, 1, 1)),
        ("domestic_care", "direct_employer", date(2022, 3, 1)),
        ("domestic_care", "informal", date(2023, 1, 1)),
    ]):
        run(app, c.StartSpell(command_id=h.cid(), worker_id=w[i], sector=sector, occupation="worker",
                              place="HK", relationship=relationship, paid=True, started_on=since))
    # Her work spans sectors: paid domestic work and the unpaid care of her own family.
    s.nid["unpaid_care"] = run(app, c.StartSpell(
        command_id=h.cid(), worker_id=w[0], sector="unpaid_care", occupation="carer", place="HK",
        relationship="unpaid", paid=False, started_on=date(2022, 1, 1))).notification_id

    employer = run(app, h.create_organisation(name="Household 41", kind="employer")).id
    union = run(app, h.create_organisation(name="HK domestic workers' union", kind="union")).id
    womens = run(app, h.create_organisation(name="Women's centre", kind="womens_rights_group")).id
    s.nid["union"] = run(app, c.FormAlliance(command_id=h.cid(), collective_id=collective,
                                             organisation_id=union, since=date(2025, 1, 1))).notification_id
    s.nid["womens"] = run(app, c.FormAlliance(command_id=h.cid(), collective_id=collective,
                                              organisation_id=womens,
                                              since=date(2025, 1, 10))).notification_id

    g1 = run(app, h.raise_grievance(collective, [w[0], w[1]], occurred_on=date(2025, 2, 5)))
    g2 = run(app, h.raise_grievance(collective, [w[2]], occurred_on=date(2025, 2, 10)))
    g3 = run(app, h.raise_grievance(collective, [w[4]], occurred_on=date(2025, 2, 12)))
    s.nid |= {"g1": g1.notification_id, "g2": g2.notification_id, "g3": g3.notification_id}
    s.nid["g2_joined"] = run(app, c.JoinGrievance(command_id=h.cid(), grievance_id=g2.id,
                                                  worker_ids=(w[3],))).notification_id
    s.nid["g1_negotiation"] = run(app, c.RecordNegotiation(
        command_id=h.cid(), grievance_id=g1.id, with_organisation_id=employer,
        held_on=date(2025, 2, 20))).notification_id
    s.nid["g1_won"] = run(app, c.RecordOutcome(
        command_id=h.cid(), grievance_id=g1.id, outcome="wages_recovered", amount=Decimal("1200"),
        currency="HKD", on=date(2025, 3, 10))).notification_id
    s.nid["g2_retaliation"] = run(app, c.ReportRetaliation(
        command_id=h.cid(), grievance_id=g2.id, details="Threatened with dismissal.",
        on=date(2025, 3, 1))).notification_id
    s.nid["g2_escalated"] = run(app, c.EscalateGrievance(
        command_id=h.cid(), grievance_id=g2.id, target="labour_office",
        on=date(2025, 3, 5))).notification_id
    s.nid["g3_retaliation"] = run(app, c.ReportRetaliation(
        command_id=h.cid(), grievance_id=g3.id, details="Day off cancelled.",
        on=date(2025, 3, 20))).notification_id

    launch = c.LaunchCampaign(command_id=h.cid(), issue="Back pay for domestic workers",
                              demands=("Pay what is owed",), collective_ids=(collective,),
                              sectors=("domestic_care", "garment"), launched_on=date(2025, 2, 7))
    launched = run(app, launch)
    s.campaign = launched.id
    s.nid["launched"] = launched.notification_id
    run(app, c.LinkGrievance(command_id=h.cid(), campaign_id=s.campaign, grievance_id=g1.id))
    s.nid["petition"] = run(app, c.TakeAction(
        command_id=h.cid(), campaign_id=s.campaign, kind="petition", taken_on=date(2025, 2, 25),
        participant_ids=(w[0], w[1], w[2]))).notification_id
    s.nid["employer_meeting"] = run(app, c.TakeAction(
        command_id=h.cid(), campaign_id=s.campaign, kind="employer_meeting", taken_on=date(2025, 3, 12),
        participant_ids=(w[0], w[3]))).notification_id
    s.nid["demand_won"] = run(app, c.ResolveDemand(
        command_id=h.cid(), campaign_id=s.campaign, demand_id=new_id(launch.command_id, "demand:0"),
        result="won", on=date(2025, 3, 26))).notification_id
    s.nid["agreement"] = run(app, c.SignAgreement(
        command_id=h.cid(), campaign_id=s.campaign, with_organisation_id=employer,
        signed_on=date(2025, 3, 27), clauses=("Back pay within 30 days",))).notification_id

    # Five meetings; four members take turns to facilitate.
    meeting(app, s, "m1", date(2025, 2, 3), [0, 1, 2, 3], 0, speakers=(1,), decisions=("Start a petition",))
    meeting(app, s, "m2", date(2025, 2, 17), [0, 1, 2, 4], 1, speakers=(2,), decisions=("Meet the employer",))
    meeting(app, s, "m3", date(2025, 3, 3), [0, 2, 3, 5], 0)
    meeting(app, s, "m4", date(2025, 3, 17), [0, 1, 2, 3], 2, agenda=(g2.id,))
    meeting(app, s, "m5", date(2025, 3, 24), [0, 3, 4, 5], 3, decisions=("Join the march",))

    s.nid["assessment"] = run(app, c.RecordAssessment(
        command_id=h.cid(), collective_id=collective, assessed_on=date(2025, 3, 28),
        levels=(c.Level(dimension="leadership", level=1), c.Level(dimension="collective_voice", level=3),
                c.Level(dimension="safety_climate", level=4)),
        narrative="We still lean on our first leader, and we feel unsafe.")).notification_id
    return s


@pytest.fixture(scope="module")
def runner(app):
    views = registry.open_views(app.recorder.datastore, ["indicators"], taxonomy=app.taxonomy,
                                rubric=load_rubric())
    r = BatchedRunner(app.recorder, app.mapper, views, batch_size=500)
    r.catch_up()  # whatever other tests recorded before
    r.batch_size = 3  # from here on, small batches: series recomputed batch after batch
    return r


@pytest.fixture(scope="module")
def scenario(app, runner) -> Scenario:
    s = build(app)
    runner.catch_up()
    return s


def snapshot(app, s: Scenario) -> dict[str, list]:
    """This scenario's rows of the live generation's series tables."""
    (view,) = registry.open_views(app.recorder.datastore, ["indicators"])
    out = {}
    with view.datastore.transaction() as curs:
        for table, order in (("levels", "subject, id, dimension, week"), ("series", "subject, id")):
            curs.execute(f"SELECT * FROM {getattr(view.t, table)} WHERE id = ANY(%s) ORDER BY {order}",
                         ([s.collective, s.quiet, s.campaign],))
            out[table] = [tuple(r.values()) for r in curs.fetchall()]
    return out


@pytest.fixture
async def conn(database):
    connection = await asyncpg.connect(database.asyncpg_dsn())
    yield connection
    await connection.close()


def said(reason) -> str:
    """A stored reason (a code with parameters) as the English page words it."""
    return reason_text(reason.code, reason.params, "en")


def dims(result) -> dict:
    return {d.dimension: d for d in result.dimensions}


async def test_levels_and_reasons_cite_real_events(runner, scenario, conn):
    s = scenario
    result = await collective_indicators(conn, EVERYTHING, s.collective, NOW)
    assert result.name == "Wan Chai domestic workers" and result.federation == s.federation
    assert result.week == NOW and result.window_weeks == 12
    assert result.rubric_digest == load_rubric().digest and not result.updating
    d = dims(result)
    assert {k: v.level for k, v in d.items()} == {
        "issue_dynamism": 3, "collective_voice": 3, "leadership": 4, "participation_depth": 2,
        "negotiating_power": 3, "cross_sector_solidarity": 2, "alliances": 3, "safety_climate": 2}

    leadership = d["leadership"]
    assert leadership.label == "strong"
    assert leadership.descriptor == load_rubric().descriptor("leadership", 4)
    assert said(leadership.reasons[0]) == "4 different members facilitated the last 5 meetings; " \
                                         "4 for the first time."
    assert leadership.reasons[0].evidence == [s.nid[k] for k in ("m1", "m2", "m3", "m4", "m5")]
    assert said(leadership.reasons[1]) == ("3 of the last 5 meetings (60%) were led by someone other "
                                          "than the most frequent facilitator.")
    assert leadership.reasons[1].evidence == [s.nid["m2"], s.nid["m4"], s.nid["m5"]]

    voice = d["collective_voice"]
    assert [said(r) for r in voice.reasons] == [
        "Raised or joined by several workers: 2 of the 3 grievances active in the last 12 weeks (67%).",
        "Decisions were taken in 3 of the 5 meetings held (60%), 3 decisions in all.",
    ]
    assert voice.reasons[0].evidence == sorted([s.nid["g1"], s.nid["g2"], s.nid["g2_joined"]])
    assert voice.next_level == ("To reach level 4 (strong): share of meetings where decisions were "
                                "taken at least 75% (now 60%).")

    participation = d["participation_depth"]
    assert participation.measures == {"repeat_share": 1.0, "returning_share": 0.0, "role_share": 0.6667}
    assert [said(r) for r in participation.reasons] == [
        "100% of the people taking part in meetings in the last 12 weeks came two or more times.",
        "0% of them had also taken part in the 12 weeks before.",
        "67% took on a role: facilitating, speaking or taking part in a campaign action.",
    ]

    negotiating = d["negotiating_power"]
    assert [said(r) for r in negotiating.reasons] == [
        "2 negotiations held in the last 12 weeks.",
        "1 demand resolved in the collective's favour (Won: 1).",
        "1 grievance resolved favourably, 1 of them for several workers together.",
        "1 agreement signed.",
    ]
    assert negotiating.reasons[0].evidence == [s.nid["g1_negotiation"], s.nid["employer_meeting"]]
    assert negotiating.reasons[2].evidence == [s.nid["g1_won"]]

    safety = d["safety_climate"]
    assert safety.risk and safety.label == "rising risk"
    assert [said(r) for r in safety.reasons] == [
        "2 retaliations reported in the last 12 weeks.",
        "1 answered by the collective (escalated, referred, negotiated, resolved or discussed at a "
        "meeting afterwards).",
        "1 with no collective response yet.",
    ]
    assert safety.reasons[1].evidence == [s.nid["g2_escalated"]]
    assert safety.reasons[2].evidence == [s.nid["g3_retaliation"]]

    alliances = d["alliances"]
    assert said(alliances.reasons[0]) == "2 active alliances, with: Union, Women's-rights group."
    assert alliances.reasons[0].code == "alliances"
    assert alliances.reasons[0].params == {"n": 2, "kinds": ["union", "womens_rights_group"]}
    assert alliances.reasons[0].evidence == [s.nid["union"], s.nid["womens"]]

    cross = d["cross_sector_solidarity"]
    assert said(cross.reasons[1]) == ("17% of the participants with a recorded work history have worked "
                                     "in more than one sector (unpaid care included).")
    assert cross.reasons[1].evidence == [s.nid["unpaid_care"]]

    # Every cited id is a real notification of this collective's story.
    cited = {i for x in result.dimensions for r in x.reasons for i in r.evidence}
    assert cited <= set(s.nid.values())


async def test_trend_and_sparkline_compare_windows(runner, scenario, conn):
    d = dims(await collective_indicators(conn, EVERYTHING, scenario.collective, NOW))
    leadership = d["leadership"]
    assert leadership.trend.word == "growing" and leadership.trend.delta == 4
    assert leadership.trend.previous_level == 0 and leadership.trend.compared_with == date(2025, 1, 6)
    assert len(leadership.sparkline) == 12
    assert leadership.sparkline[-1].week == NOW and leadership.sparkline[-1].level == 4
    assert leadership.sparkline[0].level == 0  # mid-January: no meeting yet
    assert d["alliances"].trend.word == "steady"
    assert d["safety_climate"].trend.word == "rising"


async def test_as_of_a_past_date_answers_from_the_series(runner, scenario, conn):
    past = await collective_indicators(conn, EVERYTHING, scenario.collective, date(2025, 2, 18))
    assert past.week == date(2025, 2, 17)
    leadership = dims(past)["leadership"]
    assert leadership.level == 2
    assert said(leadership.reasons[0]) == "2 different members facilitated the last 2 meetings; " \
                                         "2 for the first time."
    assert dims(past)["safety_climate"].level == 0
    before_anything = await collective_indicators(conn, EVERYTHING, scenario.collective, date(2024, 6, 1))
    assert all(x.level == 0 for x in before_anything.dimensions)
    long_after = await collective_indicators(conn, EVERYTHING, scenario.collective, date(2026, 6, 1))
    d = dims(long_after)
    assert d["leadership"].level == 0  # the windows have emptied
    assert d["alliances"].level == 3  # alliances hold until ended


async def test_the_self_assessment_sits_beside_the_computed_levels(app, runner, scenario, conn):
    sealed = await collective_indicators(conn, EVERYTHING, scenario.collective, NOW)
    assert "first leader" not in sealed.self_assessment.narrative  # the view keeps it sealed
    result = opened_with(app.keys, sealed)
    a = result.self_assessment
    assert a.assessed_on == date(2025, 3, 28) and a.compared_week == date(2025, 3, 24)
    assert a.narrative == "We still lean on our first leader, and we feel unsafe."
    by = {x.dimension: x for x in a.divergences}
    assert set(by) == {"leadership", "collective_voice", "safety_climate"}
    lead = by["leadership"]
    assert (lead.computed, lead.self_assessed, lead.difference) == (4, 1, 3)
    assert by["leadership"].sentence == (
        "The collective sees its leadership and representation as weaker than the records show: it says "
        "emerging (1), the records show strong (4). The difference is worth talking through.")
    assert by["safety_climate"].difference == -2
    assert by["safety_climate"].sentence.startswith(
        "The collective sees more risk in its safety climate than the records show: it says severe risk (4)")
    assert by["collective_voice"].difference == 0 and by["collective_voice"].sentence is None
    d = dims(result)
    assert d["leadership"].self_level == 1 and d["leadership"].divergence == 3
    assert d["alliances"].self_level is None
    earlier = await collective_indicators(conn, EVERYTHING, scenario.collective, date(2025, 3, 1))
    assert earlier.self_assessment is None  # not yet made then


async def test_an_assessment_before_the_weeks_read_is_compared_with_its_own_week(
        runner, scenario, conn):
    """Read long after, the assessment's week lies before the series' rows of the sparkline:
    its levels are compared with that week's all the same."""
    at_now = await collective_indicators(conn, EVERYTHING, scenario.collective, NOW)
    long_after = await collective_indicators(conn, EVERYTHING, scenario.collective,
                                             date(2026, 6, 1))
    assert dims(long_after)["leadership"].level == 0  # the windows have emptied since
    assert long_after.self_assessment.compared_week == date(2025, 3, 24)
    assert ([(x.dimension, x.computed, x.difference) for x in long_after.self_assessment.divergences]
            == [(x.dimension, x.computed, x.difference) for x in at_now.self_assessment.divergences])
    assert dims(long_after)["leadership"].divergence == 3


async def test_campaign_indicators(app, runner, scenario, conn):
    result = opened_with(app.keys, await campaign_indicators(conn, EVERYTHING, scenario.campaign, NOW))
    assert result.issue == "Back pay for domestic workers"
    d = dims(result)
    assert "alliances" not in d
    assert d["negotiating_power"].level == 3
    assert said(d["issue_dynamism"].reasons[1]) == "1 grievance moved in the last 12 weeks: " \
                                                  "1 negotiation, 1 outcome."
    assert d["cross_sector_solidarity"].measures["cross_sector_share"] == 1.0
    other = Scope(collective_ids=frozenset({scenario.quiet}))
    assert await campaign_indicators(conn, other, scenario.campaign, NOW) is None
    assert await campaign_indicators(conn, EVERYTHING, uuid.uuid4(), NOW) is None


async def test_federation_overview_is_by_name_never_ranked(runner, scenario, conn):
    overview = await federation_overview(conn, EVERYTHING, scenario.federation, NOW)
    assert [x.name for x in overview.collectives] == ["Aberdeen fishing workers", "Wan Chai domestic workers"]
    quiet, busy = overview.collectives
    assert all(x.level == 0 for x in quiet.levels)
    assert {x.dimension: x.level for x in busy.levels}["leadership"] == 4
    assert "not a ranking" in overview.note
    assert await federation_overview(conn, Scope(federation="elsewhere"), scenario.federation) is None
    assert await federation_overview(conn, EVERYTHING, "no-such-federation") is None


async def test_scope_hides_other_collectives(runner, scenario, conn):
    mine = Scope(collective_ids=frozenset({scenario.collective}))
    assert await collective_indicators(conn, mine, scenario.collective, NOW) is not None
    assert await collective_indicators(conn, Scope(collective_ids=frozenset({scenario.quiet})),
                                       scenario.collective, NOW) is None
    assert await collective_indicators(conn, Scope(federation="elsewhere"), scenario.collective) is None
    assert await collective_indicators(conn, EVERYTHING, uuid.uuid4()) is None


async def test_dates_off_the_calendar_do_not_break_the_view(app, runner, conn):
    """The domain takes any date; a slip of the keyboard must not stop the view."""
    collective = run(app, h.create_collective(name="Typo collective")).id
    worker = run(app, h.register_worker(collective)).id
    run(app, h.raise_grievance(collective, [worker], occurred_on=date(1, 1, 1)))
    far = run(app, h.raise_grievance(collective, [worker], occurred_on=date(9999, 12, 31)))
    run(app, c.EscalateGrievance(command_id=h.cid(), grievance_id=far.id, target="court",
                                 on=date(9999, 12, 31)))
    run(app, h.raise_grievance(collective, [worker], occurred_on=date(2025, 3, 3)))
    runner.catch_up()
    result = await collective_indicators(conn, EVERYTHING, collective, NOW)
    assert said(dims(result)["collective_voice"].reasons[0]).startswith(
        "Raised or joined by several workers: 0 of the 1 grievance active")


async def test_a_back_dated_meeting_changes_the_past_weeks(app, runner, scenario, conn):
    s = scenario
    before = dims(await collective_indicators(conn, EVERYTHING, s.collective, date(2025, 2, 18)))
    assert before["leadership"].level == 2
    # Recorded today, held on 10 February, led by a fifth member.
    meeting(app, s, "m0", date(2025, 2, 10), [4, 5], 4)
    runner.catch_up()
    after = dims(await collective_indicators(conn, EVERYTHING, s.collective, date(2025, 2, 18)))
    assert after["leadership"].level == 3
    assert said(after["leadership"].reasons[0]) == "3 different members facilitated the last 3 meetings; " \
                                                  "3 for the first time."
    assert after["leadership"].reasons[0].evidence == [s.nid["m1"], s.nid["m2"], s.nid["m0"]]
    now = dims(await collective_indicators(conn, EVERYTHING, s.collective, NOW))
    assert said(now["leadership"].reasons[0]) == "5 different members facilitated the last 6 meetings; " \
                                                "5 for the first time."


async def test_far_behind_the_log_the_series_waits_and_says_so(app, runner, conn, monkeypatch):
    collective = run(app, h.create_collective(name="Catching-up collective")).id
    s = Scenario(federation="", collective=collective, quiet=collective, campaign=collective,
                 workers=[run(app, h.register_worker(collective)).id for _ in range(2)])
    monkeypatch.setattr(indicators_view, "CATCH_UP_LAG", -1)  # as if far behind the head
    meeting(app, s, "first", date(2025, 3, 3), [0, 1], 0)
    runner.catch_up()
    waiting = await collective_indicators(conn, EVERYTHING, collective, NOW)
    assert waiting.updating and dims(waiting)["leadership"].level == 0
    monkeypatch.setattr(indicators_view, "CATCH_UP_LAG", 100)
    meeting(app, s, "second", date(2025, 3, 10), [0, 1], 1)
    runner.catch_up()
    done = await collective_indicators(conn, EVERYTHING, collective, NOW)
    assert not done.updating
    assert said(dims(done)["leadership"].reasons[0]) == "2 different members facilitated the last 2 " \
                                                      "meetings; 2 for the first time."


async def test_a_rebuild_under_a_changed_rubric_rescores_history(app, runner, scenario, conn):
    changed = parse_rubric("[dimensions.leadership.levels.4]\ndistinct_facilitators = 6\n",
                           "federation-rubric.toml")
    datastore = app.recorder.datastore
    kept = snapshot(app, scenario)  # kept batch after batch, with a back-dated meeting
    assert kept["levels"] and kept["series"]
    try:
        registry.rebuild(datastore, app.recorder, app.mapper, "indicators", taxonomy=app.taxonomy,
                         rubric=changed)
        result = await collective_indicators(conn, EVERYTHING, scenario.collective, NOW)
        assert result.rubric_digest == changed.digest
        assert dims(result)["leadership"].level == 3  # five facilitators no longer make "strong"
        (view,) = registry.open_views(datastore, ["indicators"], rubric=changed)
        digests = await conn.fetch(f"SELECT DISTINCT rubric_digest FROM {view.t.levels} WHERE id = $1",
                                   scenario.collective)
        assert [r["rubric_digest"] for r in digests] == [changed.digest]  # the whole history
    finally:
        registry.rebuild(datastore, app.recorder, app.mapper, "indicators", taxonomy=app.taxonomy,
                         rubric=load_rubric())
    result = await collective_indicators(conn, EVERYTHING, scenario.collective, NOW)
    assert result.rubric_digest == load_rubric().digest
    assert dims(result)["leadership"].level == 4
    # Rebuilt from scratch under the same rubric: the very rows kept incrementally.
    assert snapshot(app, scenario) == kept
