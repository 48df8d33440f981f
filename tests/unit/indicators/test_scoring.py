"""Scenario tests for every indicator dimension: given these facts, this level and these
reasons (with the evidence ids they cite), at and just below every level's thresholds in
the default rubric. Pure: no database."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from uuid import UUID, uuid4

import pytest

from organize.domain.values import DIMENSIONS
from organize.projections.indicators.facts import (
    AllianceFact,
    BargainingEvent,
    CampaignEvent,
    CampaignFact,
    Facts,
    GrievanceEvent,
    MeetingFact,
    SpellFact,
)
from organize.projections.indicators.measures import CAMPAIGN_DIMENSIONS, COUNT, MEASURES
from organize.projections.indicators.rubric import load_rubric
from organize.projections.indicators.scoring import Scorer, assign_level, score_series, week_of
from web.i18n.reasons import reason_text

RUBRIC = load_rubric()
WEEK = date(2025, 3, 3)  # a Monday: the window is the 12 weeks ending Sunday 9 March
HI = WEEK + timedelta(days=6)
LO = HI - timedelta(days=7 * 12 - 1)  # the window's first day
SPAN = "in the last 12 weeks"


def day(n: int) -> date:
    """A day inside the window (0 = its first day)."""
    assert 0 <= n < 84
    return LO + timedelta(days=n)


class Ids:
    """Notification ids in order, like the log's."""

    def __init__(self) -> None:
        self._next = itertools.count(100)

    def __call__(self) -> int:
        return next(self._next)


def people(n: int) -> list[UUID]:
    return [uuid4() for _ in range(n)]


def score(facts: Facts, dimension: str, week: date = WEEK):
    return Scorer(facts, RUBRIC).score(week)[dimension]


def texts(s) -> list[str]:
    """Its reasons as the English page words them (the view stores codes)."""
    return [reason_text(r.code, r.params, "en") for r in s.reasons]


# == Every level boundary of the default rubric, on the measures ===============================


def effective(dimension: str) -> list[dict[str, float]]:
    """What each level needs, counting the levels below it (levels are cumulative)."""
    out, need = [{}], {}
    for level in RUBRIC.dimensions[dimension].levels[1:]:
        for m, t in level.thresholds.items():
            need[m] = max(t, need.get(m, t))
        out.append(dict(need))
    return out


def expected_level(dimension: str, measures: dict[str, float]) -> int:
    return max(i for i, need in enumerate(effective(dimension))
               if all(measures[m] >= t for m, t in need.items()))


def just_below(dimension: str, measure: str, value: float) -> float:
    return value - 1 if MEASURES[dimension][measure].kind == COUNT else round(value - 0.01, 4)


BOUNDARIES = [
    (dimension, level, measure)
    for dimension in DIMENSIONS
    for level in range(1, 5)
    for measure in effective(dimension)[level]
]


@pytest.mark.parametrize(("dimension", "level", "measure"), BOUNDARIES,
                         ids=[f"{d}-L{lv}-{m}" for d, lv, m in BOUNDARIES])
def test_every_threshold_of_the_default_rubric_at_and_just_below(dimension, level, measure):
    spec = RUBRIC.dimensions[dimension]
    at = {m: 0 for m in MEASURES[dimension]} | effective(dimension)[level]
    assert assign_level(spec, at)[0] == level
    below = at | {measure: just_below(dimension, measure, at[measure])}
    got, gap = assign_level(spec, below)
    assert got < level
    assert got == expected_level(dimension, below)
    assert gap is not None and MEASURES[dimension][measure].label in gap


def test_the_gap_says_what_the_next_level_needs():
    spec = RUBRIC.dimensions["leadership"]
    level, gap = assign_level(spec, {"distinct_facilitators": 2, "rotation_share": 0.25,
                                     "new_facilitators": 0, "speaker_share": 0.5})
    assert level == 2
    assert gap == ("To reach level 3 (established): different facilitators of the recent meetings "
                   "at least 3 (now 2); share of recent meetings led by someone other than the most "
                   "frequent facilitator at least 40% (now 25%).")
    risk = assign_level(RUBRIC.dimensions["safety_climate"],
                        {"retaliations": 0, "unanswered": 0, "unanswered_share": 0.0})
    assert risk == (0, "Risk would be level 1 (some risk): retaliations reported at least 1 (now 0).")


# == Issue dynamism ==========================================================================


def dynamism_facts(actions: int, moving: int, launched_only: int = 0) -> tuple[Facts, list, list]:
    nid = Ids()
    campaign = uuid4()
    cev = [CampaignEvent(nid(), campaign, "action", day(10 + i), detail="petition" if i else "delegation")
           for i in range(actions)]
    cev += [CampaignEvent(nid(), uuid4(), "launched", day(5)) for _ in range(launched_only)]
    gev = []
    for i in range(moving):
        g = uuid4()
        gev.append(GrievanceEvent(nid(), g, "raised", LO - timedelta(days=30), worker_ids=(uuid4(),)))
        gev.append(GrievanceEvent(nid(), g, "referred" if i % 2 else "negotiation", day(20 + i)))
    return Facts(campaign_events=cev, grievance_events=gev), cev, gev


@pytest.mark.parametrize(("actions", "moving", "launched_only", "level"), [
    (0, 0, 0, 0),
    (0, 1, 0, 1),  # level 1 at: one live issue
    (0, 2, 0, 2),  # level 2 at: two
    (0, 3, 0, 2),  # level 3 just below: three live issues, but no campaign action
    (1, 2, 0, 3),  # level 3 at
    (3, 3, 0, 3),  # level 4 just below: four live issues
    (2, 4, 0, 3),  # level 4 just below: two campaign actions
    (3, 4, 0, 4),  # level 4 at
    (3, 3, 1, 4),  # a campaign launched in the window is live too
])
def test_issue_dynamism_levels(actions, moving, launched_only, level):
    facts, _, _ = dynamism_facts(actions, moving, launched_only)
    s = score(facts, "issue_dynamism")
    assert s.measures == {"live_issues": (1 if actions else 0) + launched_only + moving,
                          "campaign_actions": actions, "moving_grievances": moving}
    assert s.level == level


def test_issue_dynamism_reasons_cite_the_actions_and_the_moves():
    facts, cev, gev = dynamism_facts(3, 2)
    s = score(facts, "issue_dynamism")
    assert texts(s) == [
        f"3 campaign actions {SPAN}, in 1 campaign (Delegation: 1, Petition: 2).",
        f"2 grievances moved {SPAN}: 1 referral, 1 negotiation.",
    ]
    # Stored as codes with parameters, never as sentences: the page words them.
    assert [(r.code, dict(r.params)) for r in s.reasons] == [
        ("actions", {"n": 3, "campaigns": 1, "kinds": {"delegation": 1, "petition": 2}, "weeks": 12}),
        ("grievances_moved", {"n": 2, "moves": {"referred": 1, "negotiation": 1}, "weeks": 12}),
    ]
    assert s.reasons[0].evidence == tuple(e.nid for e in cev)
    assert s.reasons[1].evidence == (gev[1].nid, gev[3].nid)  # the moves, not the raising


def test_issue_dynamism_counts_only_what_falls_in_the_window():
    nid = Ids()
    g = uuid4()
    facts = Facts(grievance_events=[
        GrievanceEvent(nid(), g, "raised", LO - timedelta(days=90)),
        GrievanceEvent(nid(), g, "escalated", LO - timedelta(days=1)),  # the day before: out
        GrievanceEvent(nid(), g, "outcome", HI + timedelta(days=1), outcome="reinstated"),  # after: out
    ])
    s = score(facts, "issue_dynamism")
    assert s.level == 0
    assert texts(s) == [f"No campaign action and no grievance moving {SPAN}."]
    on_first_day = Facts(grievance_events=[GrievanceEvent(nid(), g, "escalated", LO)])
    assert score(on_first_day, "issue_dynamism").level == 1


# == Collective voice ========================================================================


def voice_facts(shared: int, grievances: int, deciding: int, meetings: int) -> Facts:
    nid = Ids()
    gev = []
    for i in range(grievances):
        g = uuid4()
        gev.append(GrievanceEvent(nid(), g, "raised", day(i % 80), worker_ids=(uuid4(),)))
        if i < shared:  # a second worker joins: the grievance stands on several workers
            gev.append(GrievanceEvent(nid(), g, "joined", day(i % 80), worker_ids=(uuid4(),)))
    ms = []
    for i in range(meetings):
        p = uuid4()
        ms.append(MeetingFact(nid(), day(3 * i), attendees=(p,), facilitators=(p,),
                              decisions=2 if i < deciding else 0))
    return Facts(grievance_events=gev, meetings=ms)


@pytest.mark.parametrize(("shared", "grievances", "deciding", "meetings", "level"), [
    (0, 0, 0, 0, 0),
    (0, 3, 0, 2, 0),
    (0, 0, 1, 1, 1),  # level 1 at: one decision taken together
    (1, 1, 0, 0, 1),  # ... or one grievance shared
    (1, 5, 1, 4, 2),  # level 2 at: 20% shared, 25% deciding
    (1, 6, 1, 4, 1),  # level 2 just below: 17% shared
    (1, 5, 1, 5, 1),  # level 2 just below: 20% deciding
    (7, 20, 2, 4, 3),  # level 3 at: 35%, 50%
    (6, 20, 2, 4, 2),  # level 3 just below: 30% shared
    (7, 20, 3, 7, 2),  # level 3 just below: 43% deciding
    (1, 2, 3, 4, 4),  # level 4 at: 50%, 75%
    (2, 5, 3, 4, 3),  # level 4 just below: 40% shared
    (1, 2, 2, 3, 3),  # level 4 just below: 67% deciding
])
def test_collective_voice_levels(shared, grievances, deciding, meetings, level):
    s = score(voice_facts(shared, grievances, deciding, meetings), "collective_voice")
    assert s.measures["shared_grievances"] == shared
    assert s.measures["meetings_with_decisions"] == deciding
    assert s.level == level


def test_collective_voice_reasons():
    nid = Ids()
    a, b, c = people(3)
    g1, g2 = uuid4(), uuid4()
    gev = [
        GrievanceEvent(nid(), g1, "raised", day(1), worker_ids=(a, b)),  # raised together
        GrievanceEvent(nid(), g2, "raised", day(2), worker_ids=(c,)),
    ]
    ms = [MeetingFact(nid(), day(10 + i), attendees=(a, b), facilitators=(a,), decisions=d)
          for i, d in enumerate((2, 1, 0, 1))]
    s = score(Facts(grievance_events=gev, meetings=ms), "collective_voice")
    assert s.level == 4  # 50% shared, 75% deciding, 4 signals
    assert texts(s) == [
        f"Raised or joined by several workers: 1 of the 2 grievances active {SPAN} (50%).",
        "Decisions were taken in 3 of the 4 meetings held (75%), 4 decisions in all.",
    ]
    assert s.reasons[0].evidence == (gev[0].nid,)
    assert s.reasons[1].evidence == (ms[0].nid, ms[1].nid, ms[3].nid)


def test_collective_voice_a_join_after_the_week_does_not_count_yet():
    nid = Ids()
    g = uuid4()
    gev = [GrievanceEvent(nid(), g, "raised", day(1), worker_ids=(uuid4(),)),
           GrievanceEvent(nid(), g, "joined", HI + timedelta(days=3), worker_ids=(uuid4(),))]
    s = score(Facts(grievance_events=gev), "collective_voice")
    assert s.measures["shared_grievances"] == 0
    later = score(Facts(grievance_events=gev), "collective_voice", week=WEEK + timedelta(days=7))
    assert later.measures["shared_grievances"] == 1


# == Leadership and representation =============================================================


def leadership_facts(pattern: str, prior: str = "", speakers: int = 0) -> tuple[Facts, list, dict]:
    """One meeting per letter, each facilitated by the member that letter names."""
    nid = Ids()
    who = {letter: uuid4() for letter in sorted(set(pattern + prior))}
    ms = []
    for i, letter in enumerate(pattern):
        voices = tuple(uuid4() for _ in range(speakers))
        ms.append(MeetingFact(nid(), day(5 + 7 * i), attendees=(who[letter], *voices),
                              facilitators=(who[letter],), speakers=voices))
    facts = Facts(meetings=ms, prior_facilitators=frozenset(who[x] for x in prior))
    return facts, ms, who


@pytest.mark.parametrize(("pattern", "prior", "level"), [
    ("", "", 0),
    ("A", "", 1),  # level 1 at
    ("AAAAB", "", 2),  # level 2 at: 2 facilitators, 20% rotation
    ("AAAAAB", "", 1),  # level 2 just below: 17% rotation
    ("AAAAAA", "", 1),  # level 2 just below: one facilitator
    ("AAABC", "", 3),  # level 3 at: 3 facilitators, 40%
    ("AAAABC", "", 2),  # level 3 just below: 33%
    ("AAAABB", "", 2),  # level 3 just below: 2 facilitators
    ("AAABCD", "", 4),  # level 4 at: 4 facilitators, 50%, new ones
    ("AAABCD", "ABCD", 3),  # level 4 just below: nobody new
    ("AAAABCD", "", 4),  # only the last six meetings count: AAABCD
])
def test_leadership_levels(pattern, prior, level):
    facts, _, _ = leadership_facts(pattern, prior)
    assert score(facts, "leadership").level == level


def test_leadership_reads_the_last_six_meetings():
    facts, ms, _ = leadership_facts("BCDAAAAAA")  # the last six: all A
    s = score(facts, "leadership")
    assert s.measures["distinct_facilitators"] == 1
    assert s.level == 1
    assert s.reasons[0].evidence == tuple(m.nid for m in ms[-6:])


def test_leadership_reason_names_rotation_and_first_timers():
    # A and B facilitated before; then A, C, B, D, A, A: four members, two of them new.
    facts, ms, who = leadership_facts("ACBDAA", prior="AB", speakers=1)
    s = score(facts, "leadership")
    assert texts(s) == [
        "4 different members facilitated the last 6 meetings; 2 for the first time.",
        "3 of the last 6 meetings (50%) were led by someone other than the most frequent facilitator.",
        "60% of those attending the last 6 meetings spoke.",
    ]
    assert s.reasons[0].evidence == tuple(m.nid for m in ms)
    assert s.reasons[1].evidence == (ms[1].nid, ms[2].nid, ms[3].nid)
    assert s.measures == {"distinct_facilitators": 4, "rotation_share": 0.5, "new_facilitators": 2,
                          "speaker_share": 0.6}
    assert s.level == 4


# == Participation depth ======================================================================


def participation_facts(n: int, repeat: int, roles: int, returning: int) -> Facts:
    """``n`` people at a first meeting; ``repeat`` of them come again; ``roles`` of them
    facilitate or speak; ``returning`` of them had also come in the window before."""
    nid = Ids()
    ps = people(n)
    before = [MeetingFact(nid(), LO - timedelta(days=20), attendees=tuple(ps[:max(returning, 1)]),
                          facilitators=(ps[0],))] if returning else []
    first = MeetingFact(nid(), day(10), attendees=tuple(ps), facilitators=(ps[0],),
                        speakers=tuple(ps[1:roles]))
    second = MeetingFact(nid(), day(40), attendees=tuple(ps[:repeat]), facilitators=(ps[0],))
    return Facts(meetings=[*before, first, second])


@pytest.mark.parametrize(("repeat", "roles", "returning", "level"), [
    (3, 1, 0, 0),  # level 1 just below: 15% came back
    (4, 1, 0, 1),  # level 1 at: 20%
    (7, 3, 0, 2),  # level 2 at: 35%, 15% in a role
    (6, 3, 0, 1),  # level 2 just below: 30%
    (7, 2, 0, 1),  # level 2 just below: 10% in a role
    (10, 5, 6, 3),  # level 3 at: 50%, 25%, 30% returning
    (9, 5, 6, 2),
    (10, 4, 6, 2),
    (10, 5, 5, 2),
    (12, 7, 10, 4),  # level 4 at: 60%, 35%, 50%
    (11, 7, 10, 3),
    (12, 6, 10, 3),
    (12, 7, 9, 3),
])
def test_participation_depth_levels_are_ratios(repeat, roles, returning, level):
    s = score(participation_facts(20, repeat, roles, returning), "participation_depth")
    assert s.measures == {"repeat_share": repeat / 20, "role_share": roles / 20,
                          "returning_share": returning / 20}
    assert s.level == level


@pytest.mark.parametrize("factor", [2, 5])
def test_participation_depth_is_not_a_headcount(factor):
    """More people with the same ratios: the same measures and the same level."""
    base = score(participation_facts(20, 10, 5, 6), "participation_depth")
    more = score(participation_facts(20 * factor, 10 * factor, 5 * factor, 6 * factor),
                 "participation_depth")
    assert more.measures == base.measures
    assert more.level == base.level == 3
    assert texts(more) == texts(base)


def test_participation_depth_reasons():
    nid = Ids()
    a, b, c, d = people(4)
    m1 = MeetingFact(nid(), day(1), attendees=(a, b, c, d), facilitators=(a,), speakers=(b,))
    m2 = MeetingFact(nid(), day(8), attendees=(a, b), facilitators=(a,))
    action = CampaignEvent(nid(), uuid4(), "action", day(9), detail="petition", participants=(c,))
    s = score(Facts(meetings=[m1, m2], campaign_events=[action]), "participation_depth")
    assert texts(s) == [
        f"50% of the people taking part in meetings {SPAN} came two or more times.",
        "0% of them had also taken part in the 12 weeks before.",
        "75% took on a role: facilitating, speaking or taking part in a campaign action.",
    ]
    assert s.reasons[0].evidence == (m1.nid, m2.nid)
    assert s.reasons[2].evidence == (m1.nid, action.nid)


def test_participation_depth_for_a_campaign_counts_its_actions():
    nid = Ids()
    a, b, c = people(3)
    camp = uuid4()
    cev = [CampaignEvent(nid(), camp, "action", day(1), detail="petition", participants=(a, b, c)),
           CampaignEvent(nid(), camp, "action", day(20), detail="strike", participants=(a, b))]
    m = MeetingFact(nid(), day(30), attendees=(a,), facilitators=(a,))
    s = Scorer(Facts(subject="campaign", meetings=[m], campaign_events=cev), RUBRIC).score(WEEK)
    assert set(s) == set(CAMPAIGN_DIMENSIONS) and "alliances" not in s
    p = s["participation_depth"]
    assert p.measures["repeat_share"] == pytest.approx(2 / 3)
    assert p.measures["role_share"] == pytest.approx(1 / 3)
    assert texts(p)[0] == (f"67% of the people taking part in actions and meetings {SPAN} came two or "
                            "more times.")


# == Negotiating power ========================================================================


def negotiation_facts(negotiations: int = 0, won: int = 0, won_together: int = 0, lost: int = 0,
                      demands: tuple[str, ...] = (), agreements: int = 0) -> tuple[Facts, dict]:
    nid = Ids()
    gev, cev, ids = [], [], {"negotiations": [], "outcomes": [], "results": [], "agreements": []}
    camp = uuid4()
    for i in range(negotiations):
        g = uuid4()
        gev.append(GrievanceEvent(nid(), g, "raised", day(0), worker_ids=(uuid4(),)))
        gev.append(e := GrievanceEvent(nid(), g, "negotiation", day(5 + i)))
        ids["negotiations"].append(e.nid)
    for i in range(won + lost):
        g = uuid4()
        workers = (uuid4(), uuid4()) if i < won_together else (uuid4(),)
        gev.append(GrievanceEvent(nid(), g, "raised", day(1), worker_ids=workers))
        gev.append(e := GrievanceEvent(nid(), g, "outcome", day(30 + i),
                                       outcome="wages_recovered" if i < won else "no_result"))
        ids["outcomes"].append(e.nid)
    for result in demands:
        cev.append(e := CampaignEvent(nid(), camp, "result", day(40), detail=result))
        ids["results"].append(e.nid)
    for _ in range(agreements):
        cev.append(e := CampaignEvent(nid(), camp, "agreement", day(50), organisation_id=uuid4()))
        ids["agreements"].append(e.nid)
    return Facts(grievance_events=gev, campaign_events=cev), ids


@pytest.mark.parametrize(("kw", "level"), [
    ({}, 0),
    ({"negotiations": 1}, 1),  # level 1 at
    ({"negotiations": 1, "won": 1}, 2),  # level 2 at
    ({"negotiations": 1, "lost": 1}, 1),  # level 2 just below: no win
    ({"negotiations": 0, "won": 1}, 0),  # a win with no negotiation recorded
    ({"negotiations": 2, "won": 1, "won_together": 1, "demands": ("partly_won",)}, 3),  # level 3 at
    ({"negotiations": 1, "won": 1, "won_together": 1, "demands": ("won",)}, 2),  # 3 just below: 1 negotiation
    ({"negotiations": 2, "won": 2}, 2),  # level 3 just below: no collective win
    ({"negotiations": 2, "won": 1, "won_together": 1, "demands": ("lost",)}, 2),  # 3 just below: one win
    ({"negotiations": 3, "won": 2, "won_together": 1, "demands": ("won",), "agreements": 1}, 4),  # 4 at
    ({"negotiations": 3, "won": 2, "won_together": 1, "demands": ("won",)}, 3),  # 4 just below
    ({"negotiations": 2, "won": 2, "won_together": 1, "demands": ("won",), "agreements": 1}, 3),
])
def test_negotiating_power_levels(kw, level):
    facts, _ = negotiation_facts(**kw)
    assert score(facts, "negotiating_power").level == level


def test_negotiating_power_reasons():
    facts, ids = negotiation_facts(negotiations=2, won=2, won_together=1, lost=1,
                                   demands=("won", "partly_won", "lost"), agreements=1)
    s = score(facts, "negotiating_power")
    assert texts(s) == [
        f"2 negotiations held {SPAN}.",
        "2 demands resolved in the collective's favour (Partly won: 1, Won: 1).",
        "2 grievances resolved favourably, 1 of them for several workers together.",
        "1 agreement signed.",
    ]
    assert s.reasons[0].evidence == tuple(ids["negotiations"])
    assert s.reasons[1].evidence == tuple(ids["results"][:2])
    assert s.reasons[2].evidence == tuple(ids["outcomes"][:2])
    assert s.reasons[3].evidence == tuple(ids["agreements"])
    assert s.measures["collective_win_share"] == 0.5


def test_negotiation_meetings_and_employer_meetings_count_as_negotiations():
    nid = Ids()
    p = uuid4()
    m = MeetingFact(nid(), day(3), attendees=(p,), facilitators=(p,), kind="negotiation")
    a = CampaignEvent(nid(), uuid4(), "action", day(4), detail="employer_meeting", participants=(p,))
    s = score(Facts(meetings=[m], campaign_events=[a]), "negotiating_power")
    assert s.measures["negotiations"] == 2
    assert s.reasons[0].evidence == (m.nid, a.nid)


# == Cross-sector solidarity ==================================================================


def cross_facts(gatherings: int, cross: int, known: int, multi: int) -> Facts:
    """``gatherings`` meetings; the first ``cross`` bring together workers of two sectors.
    ``known`` participants have a recorded work history, ``multi`` of them across sectors."""
    nid = Ids()
    ps = people(max(known, 2))
    spells: dict[UUID, list[SpellFact]] = {}
    for i, p in enumerate(ps[:known]):
        spells[p] = [SpellFact(nid(), "domestic_care", LO - timedelta(days=400))]
        if i < multi:
            spells[p].append(SpellFact(nid(), "unpaid_care", LO - timedelta(days=300),
                                       ended_on=LO - timedelta(days=200)))
    garment = uuid4()
    spells[garment] = [SpellFact(nid(), "garment", LO - timedelta(days=10))]
    ms = []
    for i in range(gatherings):
        attendees = (*ps, garment) if i < cross else tuple(ps)
        ms.append(MeetingFact(nid(), day(2 * i), attendees=attendees, facilitators=(ps[0],)))
    return Facts(meetings=ms, spells=spells)


@pytest.mark.parametrize(("gatherings", "cross", "known", "multi", "level"), [
    (2, 0, 10, 5, 0),
    (1, 1, 10, 0, 1),  # level 1 at
    (2, 2, 9, 1, 2),  # level 2 at: 2 events, 10% of 10 known (9 + the garment worker)
    (2, 2, 10, 0, 1),  # level 2 just below: nobody across sectors
    (2, 1, 9, 1, 1),  # level 2 just below: 1 event
    (12, 3, 9, 2, 3),  # level 3 at: 3 of 12 (25%), 20%
    (13, 3, 9, 2, 2),  # level 3 just below: 23%
    (12, 3, 9, 1, 2),  # level 3 just below: 10%
    (8, 4, 9, 3, 4),  # level 4 at: 4 of 8 (50%), 30%
    (9, 4, 9, 3, 3),  # level 4 just below: 44%
    (8, 4, 9, 2, 3),  # level 4 just below: 20%
])
def test_cross_sector_solidarity_levels(gatherings, cross, known, multi, level):
    s = score(cross_facts(gatherings, cross, known, multi), "cross_sector_solidarity")
    assert s.measures["cross_sector_events"] == cross
    assert s.level == level


def test_cross_sector_reads_the_spells_held_on_the_day():
    nid = Ids()
    a, b = people(2)
    spells = {a: [SpellFact(nid(), "garment", LO - timedelta(days=100))],
              b: [SpellFact(nid(), "domestic_care", LO - timedelta(days=100), ended_on=day(5))]}
    m1 = MeetingFact(nid(), day(4), attendees=(a, b), facilitators=(a,))  # both sectors held that day
    m2 = MeetingFact(nid(), day(6), attendees=(a, b), facilitators=(a,))  # b's spell has ended
    m3 = MeetingFact(nid(), day(7), attendees=(a,), facilitators=(a,), kind="cross_sector")
    s = score(Facts(meetings=[m1, m2, m3], spells=spells), "cross_sector_solidarity")
    assert s.measures["cross_sector_events"] == 2
    assert texts(s)[0] == (f"2 of the 3 meetings and actions {SPAN} (67%) brought together workers of "
                            "two or more sectors.")
    assert s.reasons[0].evidence == (m1.nid, m3.nid)


def test_cross_sector_counts_trajectories_and_cross_sector_campaigns():
    nid = Ids()
    a, b = people(2)
    spells = {a: [SpellFact(nid(), "garment", date(2020, 1, 1), ended_on=date(2021, 1, 1)),
                  s2 := SpellFact(nid(), "domestic_care", date(2021, 2, 1))],
              b: [SpellFact(nid(), "domestic_care", date(2021, 2, 1))]}
    camp = uuid4()
    action = CampaignEvent(nid(), camp, "action", day(3), detail="petition", participants=(a, b))
    facts = Facts(campaign_events=[action], spells=spells,
                  campaigns={camp: CampaignFact(camp, day(0), ("garment", "domestic_care"))})
    s = score(facts, "cross_sector_solidarity")
    assert s.measures == {"cross_sector_events": 1, "cross_sector_share": 1.0, "multi_sector_share": 0.5}
    assert texts(s)[1] == ("50% of the participants with a recorded work history have worked in more "
                            "than one sector (unpaid care included).")
    assert s.reasons[1].evidence == (s2.nid,)


# == Alliances ==============================================================================


def alliance(nid: Ids, kind: str | None, since: date = date(2024, 1, 1), until: date | None = None):
    return AllianceFact(nid(), uuid4(), kind, since, until)


def test_alliances_levels_and_reasons():
    nid = Ids()
    union = alliance(nid, "union")
    ngo = alliance(nid, "ngo")
    union2 = alliance(nid, "union")
    shelter = alliance(nid, "shelter")
    employer = alliance(nid, "employer")
    ended = alliance(nid, "womens_rights_group", until=day(3))
    future = alliance(nid, "womens_rights_group", since=HI + timedelta(days=1))
    cases = [
        ([], 0),
        ([employer, ended, future], 0),  # not an ally kind, ended, not yet formed
        ([union], 1),  # level 1 at
        ([union, union2], 2),  # level 2 at: two alliances, one kind
        ([union, ngo], 3),  # level 3 at: two kinds
        ([union, ngo, shelter], 3),  # level 4 just below: none put to use
    ]
    for alliances, level in cases:
        assert score(Facts(alliances=alliances), "alliances").level == level, alliances
    referral = GrievanceEvent(nid(), uuid4(), "referred", day(10), organisation_id=union.organisation_id)
    s = score(Facts(alliances=[union, ngo, shelter], grievance_events=[referral]), "alliances")
    assert s.level == 4  # level 4 at: three kinds, one put to use
    assert texts(s) == [
        "3 active alliances, with: Union, NGO, Shelter.",
        f"1 of them put to use {SPAN} (a referral, a negotiation or an agreement with the ally).",
    ]
    assert s.reasons[0].evidence == (union.nid, ngo.nid, shelter.nid)
    assert s.reasons[1].evidence == (referral.nid,)
    assert score(Facts(alliances=[union, ngo, shelter], grievance_events=[referral]), "alliances",
                 week=WEEK + timedelta(weeks=13)).level == 3  # the referral has left the window


# == Safety climate (a risk) =====================================================================


def safety_facts(answered: int, unanswered: int, *, answer: str = "escalated") -> tuple[Facts, dict]:
    nid = Ids()
    gev, ids = [], {"retaliations": [], "answers": [], "unanswered": []}
    for i in range(answered + unanswered):
        g = uuid4()
        gev.append(GrievanceEvent(nid(), g, "raised", day(0)))
        gev.append(GrievanceEvent(nid(), g, "referred", day(1)))  # before: not an answer
        gev.append(r := GrievanceEvent(nid(), g, "retaliation", day(10 + i)))
        ids["retaliations"].append(r.nid)
        if i < answered:
            gev.append(a := GrievanceEvent(nid(), g, answer, day(20 + i)))
            ids["answers"].append(a.nid)
        else:
            ids["unanswered"].append(r.nid)
    return Facts(grievance_events=gev), ids


@pytest.mark.parametrize(("answered", "unanswered", "level"), [
    (0, 0, 0),
    (1, 0, 1),  # level 1 at: reported and answered
    (3, 0, 1),  # answered retaliation stays at "some risk"
    (0, 1, 2),  # level 2 at: one unanswered
    (5, 1, 2),  # level 3 just below: one unanswered
    (0, 2, 3),  # level 3 at
    (1, 2, 3),  # level 4 just below: 3 retaliations, 2 unanswered
    (0, 3, 4),  # level 4 at: 3 unanswered, 100%
    (3, 3, 4),  # level 4 at: 50% unanswered
    (4, 3, 3),  # level 4 just below: 43% unanswered
])
def test_safety_climate_is_a_risk_level(answered, unanswered, level):
    facts, _ = safety_facts(answered, unanswered)
    assert score(facts, "safety_climate").level == level


def test_safety_climate_reasons():
    facts, ids = safety_facts(1, 1, answer="discussed")  # discussed at a meeting afterwards
    s = score(facts, "safety_climate")
    assert texts(s) == [
        f"2 retaliations reported {SPAN}.",
        "1 answered by the collective (escalated, referred, negotiated, resolved or discussed at a "
        "meeting afterwards).",
        "1 with no collective response yet.",
    ]
    assert s.reasons[0].evidence == tuple(ids["retaliations"])
    assert s.reasons[1].evidence == tuple(ids["answers"])
    assert s.reasons[2].evidence == tuple(ids["unanswered"])
    quiet = score(Facts(), "safety_climate")
    assert texts(quiet) == [f"No retaliation reported {SPAN}. Few reports do not mean little risk: "
                             "fear silences reporting."]


def test_an_answer_after_the_week_is_not_yet_an_answer():
    nid = Ids()
    g = uuid4()
    facts = Facts(grievance_events=[GrievanceEvent(nid(), g, "retaliation", day(80)),
                                    GrievanceEvent(nid(), g, "escalated", HI + timedelta(days=2))])
    assert score(facts, "safety_climate").level == 2
    assert score(facts, "safety_climate", week=WEEK + timedelta(days=7)).level == 1


# == The series ==============================================================================


def test_score_series_covers_every_week_and_every_dimension():
    facts, _, _ = leadership_facts("AAABCD")
    series = score_series(facts, RUBRIC, day(0), day(83))
    weeks = [w for w, _ in series]
    assert weeks[0] == week_of(day(0)) and weeks[-1] == WEEK
    assert all(b - a == timedelta(days=7) for a, b in itertools.pairwise(weeks))
    assert all(set(scores) == set(DIMENSIONS) for _, scores in series)
    assert series[-1][1]["leadership"].level == 4


def compress(series) -> list:
    """Keep a week only when it differs from the week before (what the view stores)."""
    out, last = [], None
    for week, scores in series:
        key = {d: (s.level, s.reasons, dict(s.measures), s.gap) for d, s in scores.items()}
        if key != last:
            out.append((week, key))
        last = key
    return out


def test_quiet_stretches_are_skipped_without_changing_what_is_stored():
    nid = Ids()
    a, b = people(2)
    g = uuid4()
    facts = Facts(
        meetings=[MeetingFact(nid(), date(2019, 1, 7), attendees=(a, b), facilitators=(a,)),
                  MeetingFact(nid(), date(2019, 2, 4), attendees=(a, b), facilitators=(b,)),
                  MeetingFact(nid(), date(2024, 5, 6), attendees=(a,), facilitators=(a,))],
        grievance_events=[GrievanceEvent(nid(), g, "raised", date(2022, 3, 1), worker_ids=(a,)),
                          GrievanceEvent(nid(), g, "retaliation", date(2022, 3, 9))],
        alliances=[AllianceFact(nid(), uuid4(), "union", date(2020, 6, 1), until=date(2023, 1, 1))],
    )
    scorer = Scorer(facts, RUBRIC)
    first, last = date(2019, 1, 7), date(2025, 1, 6)
    every = scorer.series(first, last)
    some = list(Scorer(facts, RUBRIC).changes(first, last))
    assert compress(some) == compress(every)
    assert len(some) < len(every) / 2  # only the weeks near a fact are scored


# == Bargaining: negotiating power and collective voice ==========================================
# Sessions with the other side are negotiations, an agreement the members ratified is an
# agreement (and their own decision), and each clause a grievance cites as breached is a
# clause enforced; the reasons say so in words a leader can read, in her language.


def _round(nid: Ids, *, voters: int = 34, breaches: tuple = ()) -> list[BargainingEvent]:
    b = uuid4()
    return [BargainingEvent(nid=nid(), bargaining_id=b, kind="session", on=day(5)),
            BargainingEvent(nid=nid(), bargaining_id=b, kind="session", on=day(20)),
            BargainingEvent(nid=nid(), bargaining_id=b, kind="ratified", on=day(40),
                            voters=voters),
            *(BargainingEvent(nid=nid(), bargaining_id=b, kind="breach", on=day(60 + i),
                              clause_id=c) for i, c in enumerate(breaches))]


def test_a_ratified_agreement_and_its_enforced_clauses_are_reasons_she_can_read():
    clauses = [uuid4() for _ in range(3)]
    # the first clause cited twice: still one clause enforced
    events = _round(Ids(), breaches=(clauses[0], clauses[1], clauses[0], clauses[2]))
    scores = Scorer(Facts(bargaining_events=events), RUBRIC).score(WEEK)
    power, voice = scores["negotiating_power"], scores["collective_voice"]
    assert (power.measures["negotiations"], power.measures["bargaining_sessions"],
            power.measures["agreements"], power.measures["clauses_enforced"]) == (2, 2, 1, 3)
    said = texts(power)
    assert "Agreement ratified in a meeting with 34 members." in said
    assert "3 clauses enforced through grievances in the last 12 weeks." in said
    assert "2 bargaining sessions with the other side in the last 12 weeks." in said
    assert voice.measures["ratifications"] == 1
    assert ("The members ratified an agreement themselves, in a meeting with 34 members."
            in texts(voice))
    # evidence: the notification ids that prove each reason
    ratified = next(r for r in power.reasons if r.code == "agreement_ratified")
    assert ratified.evidence == (events[2].nid,)


def test_bargaining_lifts_negotiating_power_where_nothing_else_happened():
    before = Scorer(Facts(), RUBRIC).score(WEEK)["negotiating_power"].level
    after = Scorer(Facts(bargaining_events=_round(Ids())), RUBRIC).score(WEEK)
    assert before == 0 and after["negotiating_power"].level >= 1


def test_steps_outside_the_window_do_not_count():
    late = [BargainingEvent(nid=1, bargaining_id=uuid4(), kind="ratified",
                            on=day(83) + timedelta(days=1), voters=9)]
    power = Scorer(Facts(bargaining_events=late), RUBRIC).score(WEEK)["negotiating_power"]
    assert power.measures["agreements"] == 0
    assert all(r.code != "agreement_ratified" for r in power.reasons)


def test_the_reasons_are_worded_in_nepali_and_arabic_with_their_digits():
    ne = reason_text("agreement_ratified", {"n": 1, "members": 34}, "ne")
    ar = reason_text("clauses_enforced", {"n": 3, "weeks": 12}, "ar")
    assert "३४" in ne and "34" not in ne
    assert "3" in ar or "٣" in ar
