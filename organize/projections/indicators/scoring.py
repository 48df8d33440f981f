"""Scoring: facts in, levels and reasons out. Pure functions, no I/O.

The view (``view.py``) loads the facts of one collective (or one campaign) from its tables
and hands them to a ``Scorer``; the scorer measures each dimension over the rubric's
rolling window ending on a given week, turns the measures into a level with the rubric's
thresholds, and explains it in short sentences that cite the evidence events by
notification id.

Rules this room keeps (DOMAIN.md, lessons 1, 4, 5 and 8):

- no membership count is ever a measure: people are only ever counted as a *ratio* of the
  people taking part (who came back, who took a role), or as the few who led a meeting;
- every level comes with reasons, and a reason names the events behind it;
- dates are domain dates (a meeting's ``held_at``, a grievance's ``occurred_on`` and the
  ``on`` of what happened to it, an action's ``taken_on``...), so back-dated facts land in
  the weeks they belong to;
- safety climate is a risk signal: a higher level means more risk.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from organize.domain.values import DIMENSIONS
from organize.projections.indicators.facts import Facts, SpellFact
from organize.projections.indicators.measures import CAMPAIGN_DIMENSIONS, assign_level, level_label  # noqa: F401
from organize.projections.indicators.reasons import REASON_CODES
from organize.projections.indicators.window import (
    READS,
    SLICES,
    CampaignStep,
    GrievanceStep,
    Meeting,
    Window,
)

if TYPE_CHECKING:  # pragma: no cover - typing only; rubric.py imports this module
    from organize.projections.indicators.rubric import Rubric

MAX_EVIDENCE = 30  # notification ids cited per reason (the most recent ones)

# What happens to a grievance that makes it "move", and what answers a retaliation.
MOVES = ("referred", "escalated", "negotiation", "outcome")
RESPONSES = ("referred", "escalated", "negotiation", "outcome", "discussed")



# -- results ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a level is what it is: a code of ``REASON_CODES`` with its parameters (counts,
    percentages, taxonomy codes; never a name or a text), and the notification ids of the
    events behind it. The web layer words it in the reader's language."""

    code: str
    params: Mapping[str, Any]
    evidence: tuple[int, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "params": dict(self.params), "evidence": list(self.evidence)}


def _bargaining(win: Window, kind: str) -> list:
    """The window's steps of the collective's bargaining rounds of one kind, in order."""
    return [e for e in win.bargaining_events if e.kind == kind]


def _r(code: str, evidence: Iterable[int] = (), **params: Any) -> Reason:
    assert code in REASON_CODES, code
    return Reason(code, params, tuple(evidence))


@dataclass(frozen=True, slots=True)
class Score:
    level: int
    reasons: tuple[Reason, ...]
    measures: Mapping[str, float | int]
    gap: str | None = None  # what the next level needs, in words

    def codes(self) -> list[str]:
        return [r.code for r in self.reasons]


def week_of(d: date) -> date:
    """The Monday of the week holding ``d``: weeks are the series' unit."""
    return d - timedelta(days=d.weekday())


def _pct(x: float) -> int:
    """A share as a whole percentage, as reasons carry it."""
    return round(x * 100)


def _ev(nids: Iterable[int]) -> tuple[int, ...]:
    return tuple(sorted(set(nids))[-MAX_EVIDENCE:])


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


# -- the scorer ---------------------------------------------------------------------------


class Scorer:
    """Scores one subject's facts for any week. Build once, score many weeks: the facts
    are sorted and indexed up front so each week only slices them."""

    def __init__(self, facts: Facts, rubric: Rubric):
        self.facts = facts
        self.rubric = rubric
        self.subject = facts.subject
        self.window_days = 7 * rubric.window_weeks
        self.dimensions = CAMPAIGN_DIMENSIONS if facts.subject == "campaign" else DIMENSIONS
        self.specs = [(d, rubric.dimensions[d], getattr(self, f"_{d}")) for d in self.dimensions]

        people: dict[UUID, int] = {}
        grievances: dict[UUID, int] = {}

        self.person_keys: list[str] = []  # int -> the person's id as text, for stable ties

        def person(u: UUID) -> int:
            i = people.get(u)
            if i is None:
                i = people[u] = len(people)
                self.person_keys.append(str(u))
            return i

        def grievance(u: UUID) -> int:
            i = grievances.get(u)
            if i is None:
                i = grievances[u] = len(grievances)
            return i

        self.meetings = [
            Meeting(m.nid, m.on, m.kind, frozenset(map(person, m.attendees)),
                     tuple(map(person, m.facilitators)), frozenset(map(person, m.speakers)), m.decisions)
            for m in sorted(facts.meetings, key=lambda m: (m.on, m.nid))]
        self.m_dates = [m.on for m in self.meetings]
        prior = {people[p] for p in facts.prior_facilitators if p in people}

        ordered = sorted(facts.grievance_events, key=lambda e: (e.on, e.nid))
        self.gev = [GrievanceStep(e.nid, grievance(e.grievance_id), e.kind, e.on,
                                  e.organisation_id, e.outcome) for e in ordered]
        self.g_dates = [e.on for e in self.gev]
        self.cev = [CampaignStep(e.nid, e.campaign_id, e.kind, e.on, e.detail,
                              tuple(map(person, e.participants)), e.organisation_id)
                    for e in sorted(facts.campaign_events, key=lambda e: (e.on, e.nid))]
        self.c_dates = [e.on for e in self.cev]
        self.bev = sorted(facts.bargaining_events, key=lambda e: (e.on, e.nid))
        self.b_dates = [e.on for e in self.bev]

        # When each grievance first had two or more parties, its raise and joins (the
        # evidence of who stood behind it), and what answered it.
        self.shared_on: dict[int, tuple[date, int]] = {}
        self.stood_behind: dict[int, list[tuple[date, int]]] = defaultdict(list)
        self.responses: dict[int, list[tuple[date, int]]] = defaultdict(list)
        parties: dict[int, set[UUID]] = defaultdict(set)
        for e in sorted(facts.grievance_events, key=lambda e: e.nid):
            g = grievances[e.grievance_id]
            if e.kind in ("raised", "joined"):
                parties[g].update(e.worker_ids)
                self.stood_behind[g].append((e.on, e.nid))
                if len(parties[g]) >= 2 and g not in self.shared_on:
                    self.shared_on[g] = (e.on, e.nid)
            elif e.kind in RESPONSES:
                self.responses[g].append((e.on, e.nid))
        for answers in self.responses.values():
            answers.sort()

        # The meeting in which each person first facilitated.
        self.first_facilitation: dict[int, int] = {}
        for m in self.meetings:
            for f in m.facilitators:
                if f not in prior:
                    self.first_facilitation.setdefault(f, m.nid)

        # Trajectories: each person's spells, when her work history is first known and
        # when it first spanned two sectors.
        self.spells: dict[int, tuple[SpellFact, ...]] = {}
        self.known_since: dict[int, date] = {}
        self.multi_since: dict[int, tuple[date, int]] = {}
        for u, spells in facts.spells.items():
            if u not in people:
                continue
            p = people[u]
            ordered_spells = tuple(sorted(spells, key=lambda s: (s.started_on, s.nid)))
            self.spells[p] = ordered_spells
            seen: set[str] = set()
            for s in ordered_spells:
                self.known_since.setdefault(p, s.started_on)
                seen.add(s.sector)
                if len(seen) >= 2:
                    self.multi_since[p] = (s.started_on, s.nid)
                    break
        self._trajectory_days = sorted([*self.known_since.values(),
                                        *(on for on, _ in self.multi_since.values())])
        self._ally_since = sorted(a.since for a in facts.alliances)
        self._ally_until = sorted(a.until for a in facts.alliances if a.until is not None)
        self._cross: dict[int, bool] = {}
        self._kept: dict[str, tuple[tuple, Score]] = {}  # dimension -> (its key, its score)
        self._days: list[date] | None = None  # fact days and state days, for ``changes``
        self._state_days: list[date] = []

        dims = rubric.dimensions
        self.recent_meetings = int(dims["leadership"].params["recent_meetings"])
        neg = dims["negotiating_power"].params
        self.favourable_outcomes = frozenset(neg["favourable_outcomes"])
        self.favourable_results = frozenset(neg["favourable_results"])
        self.negotiation_meeting_kinds = frozenset(neg["meeting_kinds"])
        self.negotiation_action_kinds = frozenset(neg["action_kinds"])
        self.cross_meeting_kinds = frozenset(dims["cross_sector_solidarity"].params["meeting_kinds"])
        self.ally_kinds = tuple(dims["alliances"].params["kinds"])

    # -- weeks -----------------------------------------------------------------------------

    def window(self, week: date) -> Window:
        hi = week + timedelta(days=6)
        lo = hi - timedelta(days=self.window_days - 1)
        plo = lo - timedelta(days=self.window_days)
        pre = lo - timedelta(days=1)
        return Window(
            lo=lo,
            hi=hi,
            meetings=self._slice(self.meetings, self.m_dates, lo, hi),
            prev_meetings=self._slice(self.meetings, self.m_dates, plo, pre),
            grievance_events=self._slice(self.gev, self.g_dates, lo, hi),
            campaign_events=self._slice(self.cev, self.c_dates, lo, hi),
            prev_campaign_events=self._slice(self.cev, self.c_dates, plo, pre),
            bargaining_events=self._slice(self.bev, self.b_dates, lo, hi),
        )

    @staticmethod
    def _slice(items: list, dates: list[date], lo: date, hi: date) -> list:
        return items[bisect_left(dates, lo):bisect_right(dates, hi)]

    def score(self, week: date) -> dict[str, Score]:
        """Every applicable dimension, for the window ending on the Sunday of ``week``."""
        win = self.window(week_of(week))
        # Slices of one list are told apart by their first element (the very object) and
        # their length: the same pair, the same slice.
        slices = {name: (id(x[0]), len(x)) if x else None
                  for name, x in ((name, getattr(win, name)) for name in SLICES)}
        out = {}
        for dimension, spec, measure in self.specs:
            key = (*(slices[r] for r in READS[dimension]), self._state(dimension, win.hi))
            kept = self._kept.get(dimension)
            if kept is not None and kept[0] == key:
                out[dimension] = kept[1]
                continue
            measures, reasons = measure(win)
            level, gap = assign_level(spec, measures)
            out[dimension] = Score(level=level, reasons=tuple(reasons), measures=measures, gap=gap)
            self._kept[dimension] = (key, out[dimension])
        return out

    def _state(self, dimension: str, hi: date) -> tuple[int, ...] | None:
        """The dated state ``dimension`` reads against the window's last day ``hi``, as the
        number of its days up to ``hi`` (each a prefix of a fixed sorted list): which
        alliances had begun and ended, whose work history was known and spanned two
        sectors."""
        if dimension == "alliances":
            return (bisect_right(self._ally_since, hi), bisect_right(self._ally_until, hi))
        if dimension == "cross_sector_solidarity":
            return (bisect_right(self._trajectory_days, hi),)
        return None

    def series(self, first_week: date, last_week: date) -> list[tuple[date, dict[str, Score]]]:
        """Every week from ``first_week`` to ``last_week``."""
        week, last = week_of(first_week), week_of(last_week)
        out = []
        while week <= last:
            out.append((week, self.score(week)))
            week += timedelta(days=7)
        return out

    def changes(self, first_week: date, last_week: date) -> Iterator[tuple[date, dict[str, Score]]]:
        """The weeks of ``series`` that can differ from the week before, in order, from
        ``first_week`` (always scored) on. Reads carry the last week forward.

        A week scores as the week before when its windows hold the same facts and no dated
        state changed in between (``_as_week_before``); and a week whose windows (and the
        week before's) hold no fact at all scores the same as that week, so long quiet
        stretches are skipped in one step."""
        dates = sorted({*self.m_dates, *self.g_dates, *self.c_dates, *self.b_dates,
                        *(a.since for a in self.facts.alliances),
                        *(a.until for a in self.facts.alliances if a.until is not None)})
        reach = timedelta(days=2 * self.window_days - 1)  # this window and the one before
        week, last = week_of(first_week), week_of(last_week)
        quiet_before = scored = False
        while week <= last:
            hi = week + timedelta(days=6)
            i = bisect_left(dates, hi - reach)
            quiet = i == len(dates) or dates[i] > hi
            if quiet and quiet_before:
                if i == len(dates):
                    return  # nothing more will ever change
                week = max(week + timedelta(days=7), week_of(dates[i]))  # the next fact's week
                quiet_before = False  # ... may already see it: score it
                continue
            if not (scored and self._as_week_before(week)):
                yield week, self.score(week)
                scored = True
            quiet_before = quiet
            week += timedelta(days=7)

    def _as_week_before(self, week: date) -> bool:
        """Whether ``week`` scores exactly as the week before: no fact's day enters or
        leaves its window or the window before it, and no dated state that a score reads
        against the window's last day (an alliance's start or end, the start of a work
        spell: when a person's history is known, when it spans two sectors) falls in the
        week. Everything else a score reads is fixed for the scorer (who first facilitated,
        when a grievance first had two parties, what answered it: those are days of facts
        already counted as entering the window)."""
        if self._days is None:
            self._days = sorted({*self.m_dates, *self.g_dates, *self.c_dates, *self.b_dates})
            self._state_days = sorted({
                *(a.since for a in self.facts.alliances),
                *(a.until for a in self.facts.alliances if a.until is not None),
                *(s.started_on for spells in self.spells.values() for s in spells)})
        hi = week + timedelta(days=6)
        lo = hi - timedelta(days=self.window_days - 1)
        plo = lo - timedelta(days=self.window_days)
        # The days entering the window, leaving it (into the window before), leaving that.
        for first, end in ((hi - timedelta(days=6), hi), (lo - timedelta(days=7), lo - timedelta(days=1)),
                           (plo - timedelta(days=7), plo - timedelta(days=1))):
            i = bisect_left(self._days, first)
            if i < len(self._days) and self._days[i] <= end:
                return False
        i = bisect_left(self._state_days, hi - timedelta(days=6))
        return not (i < len(self._state_days) and self._state_days[i] <= hi)

    # -- dimensions ------------------------------------------------------------------------
    # Each returns (measures, reasons). Reasons are codes (``reasons.REASON_CODES``) with
    # their parameters and the evidence ids; the web layer words them.

    def _issue_dynamism(self, win: Window):
        acts = win.campaign_events
        actions = [e for e in acts if e.kind == "action"]
        live_campaigns = {e.campaign_id for e in acts}
        moves = [e for e in win.grievance_events if e.kind in MOVES]
        moving = {e.g for e in moves}
        measures = {
            "live_issues": len(live_campaigns) + len(moving),
            "campaign_actions": len(actions),
            "moving_grievances": len(moving),
        }
        reasons = []
        w = self.rubric.window_weeks
        if acts:
            if actions:
                kinds = Counter(e.detail or "action" for e in actions)
                reasons.append(_r("actions", _ev(e.nid for e in acts), n=len(actions),
                                  campaigns=len(live_campaigns), kinds=dict(sorted(kinds.items())),
                                  weeks=w))
            else:
                reasons.append(_r("campaigns_moved", _ev(e.nid for e in acts), n=len(live_campaigns),
                                  weeks=w))
        if moves:
            kinds = Counter(e.kind for e in moves)
            reasons.append(_r("grievances_moved", _ev(e.nid for e in moves), n=len(moving),
                              moves={k: kinds[k] for k in MOVES if k in kinds}, weeks=w))
        if not reasons:
            reasons.append(_r("no_issue_moving", weeks=w))
        return measures, reasons

    def _collective_voice(self, win: Window):
        active = {e.g for e in win.grievance_events}
        shared = [g for g in active if g in self.shared_on and self.shared_on[g][0] <= win.hi]
        meetings = win.meetings
        deciding = [m for m in meetings if m.decisions]
        measures = {
            "shared_grievances": len(shared),
            "shared_grievance_share": _share(len(shared), len(active)),
            "meetings_with_decisions": len(deciding),
            "decision_share": _share(len(deciding), len(meetings)),
            "voice_signals": len(shared) + len(deciding),
            "ratifications": len(ratified := _bargaining(win, "ratified")),
        }
        reasons = []
        w = self.rubric.window_weeks
        if active:
            evidence = [nid for g in shared for on, nid in self.stood_behind[g] if on <= win.hi]
            reasons.append(_r("shared_grievances", _ev(evidence), n=len(active), shared=len(shared),
                              share=_pct(measures["shared_grievance_share"]), weeks=w))
        else:
            reasons.append(_r("no_grievance", weeks=w))
        if meetings:
            reasons.append(_r("decisions", _ev(m.nid for m in deciding), n=len(meetings),
                              deciding=len(deciding), share=_pct(measures["decision_share"]),
                              decisions=sum(m.decisions for m in deciding)))
        else:
            reasons.append(_r("no_meeting", weeks=w))
        if ratified:  # members decided the agreement themselves, by a vote in a meeting
            reasons.append(_r("ratified_in_meeting", _ev(e.nid for e in ratified),
                              n=len(ratified), members=ratified[-1].voters))
        return measures, reasons

    def _leadership(self, win: Window):
        recent = win.meetings[-self.recent_meetings:]
        counts: Counter[int] = Counter()
        speakers: set[int] = set()
        attending: set[int] = set()
        for m in recent:
            counts.update(m.facilitators)
            speakers |= m.speakers
            attending |= m.attendees
        nids = {m.nid for m in recent}
        new = [f for f in counts if self.first_facilitation.get(f) in nids]
        rotated: list[int] = []
        if counts:
            top = min(counts, key=lambda f: (-counts[f], self.person_keys[f]))
            rotated = [m.nid for m in recent if top not in m.facilitators]
        measures = {
            "distinct_facilitators": len(counts),
            "rotation_share": _share(len(rotated), len(recent)),
            "new_facilitators": len(new),
            "speaker_share": _share(len(speakers), len(attending)),
        }
        if not recent:
            return measures, [_r("no_meeting", weeks=self.rubric.window_weeks)]
        reasons = [_r("facilitators", _ev(nids), n=len(counts), meetings=len(recent), new=len(new))]
        if len(recent) > 1:
            reasons.append(_r("rotation", _ev(rotated), n=len(rotated), meetings=len(recent),
                              share=_pct(measures["rotation_share"])))
        if speakers:
            reasons.append(_r("speakers", _ev(m.nid for m in recent if m.speakers), meetings=len(recent),
                              share=_pct(measures["speaker_share"])))
        return measures, reasons

    def _participation_depth(self, win: Window):
        attendance: Counter[int] = Counter()
        roles: dict[int, int] = {}  # person -> a gathering where she took a role
        for m in win.meetings:
            attendance.update(m.attendees)
            for p in m.facilitators:
                roles.setdefault(p, m.nid)
            for p in m.speakers:
                roles.setdefault(p, m.nid)
        previous: set[int] = set()
        for m in win.prev_meetings:
            previous |= m.attendees
        actions = [e for e in win.campaign_events if e.kind == "action"]
        campaign = self.subject == "campaign"
        if campaign:
            # A campaign's participants are the people in its actions and its meetings;
            # a role is facilitating or speaking.
            for e in actions:
                attendance.update(set(e.participants))
            for e in win.prev_campaign_events:
                previous.update(e.participants)
        else:
            for e in actions:
                for p in e.participants:
                    roles.setdefault(p, e.nid)
        w = self.rubric.window_weeks
        if not attendance:
            return ({"repeat_share": 0.0, "returning_share": 0.0, "role_share": 0.0},
                    [_r("no_participants", campaign=campaign, weeks=w)])
        people = attendance.keys()
        repeat = sum(1 for n in attendance.values() if n >= 2)
        returning = people & previous
        took_role = people & roles.keys()
        total = len(attendance)
        measures = {
            "repeat_share": repeat / total,
            "returning_share": len(returning) / total,
            "role_share": len(took_role) / total,
        }
        evidence = [m.nid for m in win.meetings] + ([e.nid for e in actions] if campaign else [])
        return measures, [
            _r("repeat", _ev(evidence), share=_pct(measures["repeat_share"]), campaign=campaign, weeks=w),
            _r("returning",
               _ev([m.nid for m in win.prev_meetings if not returning.isdisjoint(m.attendees)]
                   + [e.nid for e in win.prev_campaign_events
                      if campaign and not returning.isdisjoint(e.participants)]),
               share=_pct(measures["returning_share"]), weeks=w),
            _r("roles", _ev(roles[p] for p in took_role), share=_pct(measures["role_share"]),
               campaign=campaign),
        ]

    def _negotiating_power(self, win: Window):
        negotiations = [e.nid for e in win.grievance_events if e.kind == "negotiation"]
        negotiations += [m.nid for m in win.meetings if m.kind in self.negotiation_meeting_kinds]
        negotiations += [e.nid for e in win.campaign_events
                         if e.kind == "action" and e.detail in self.negotiation_action_kinds]
        results = [e for e in win.campaign_events
                   if e.kind == "result" and e.detail in self.favourable_results]
        outcomes = [e for e in win.grievance_events
                    if e.kind == "outcome" and e.outcome in self.favourable_outcomes]
        # Won for several workers together: the grievance had two parties before its outcome.
        together = [e for e in outcomes if e.g in self.shared_on and self.shared_on[e.g][1] < e.nid]
        agreements = [e for e in win.campaign_events if e.kind == "agreement"]
        # Bargaining: sessions with the other side are negotiations, an agreement the
        # members ratified is an agreement, and a clause a grievance cites as breached is a
        # clause the collective enforces (each clause counted once).
        sessions = _bargaining(win, "session")
        ratified = _bargaining(win, "ratified")
        breaches = _bargaining(win, "breach")
        enforced = {e.clause_id for e in breaches}
        negotiations += [e.nid for e in sessions]
        measures = {
            "negotiations": len(negotiations),
            "wins": len(results) + len(outcomes),
            "collective_wins": len(together),
            "agreements": len(agreements) + len(ratified),
            "collective_win_share": _share(len(together), len(outcomes)),
            "bargaining_sessions": len(sessions),
            "clauses_enforced": len(enforced),
        }
        w = self.rubric.window_weeks
        reasons = []
        if negotiations:
            reasons.append(_r("negotiations", _ev(negotiations), n=len(negotiations), weeks=w))
        else:
            reasons.append(_r("no_negotiation", weeks=w))
        if results:
            by = Counter(e.detail or "" for e in results)
            reasons.append(_r("demands_won", _ev(e.nid for e in results), n=len(results),
                              results=dict(sorted(by.items()))))
        if outcomes:
            reasons.append(_r("grievances_won", _ev(e.nid for e in outcomes), n=len(outcomes),
                              together=len(together)))
        if agreements:
            reasons.append(_r("agreements", _ev(e.nid for e in agreements), n=len(agreements)))
        if sessions:
            reasons.append(_r("bargaining_sessions", _ev(e.nid for e in sessions),
                              n=len(sessions), weeks=w))
        if ratified:
            reasons.append(_r("agreement_ratified", _ev(e.nid for e in ratified),
                              n=len(ratified), members=ratified[-1].voters))
        if enforced:
            reasons.append(_r("clauses_enforced", _ev(e.nid for e in breaches),
                              n=len(enforced), weeks=w))
        return measures, reasons

    def _is_cross(self, nid: int, people: Iterable[int], on: date, declared: bool) -> bool:
        """Whether a gathering brought together workers of two or more sectors (by the
        spells each had that day), or is cross-sector by its kind or its campaign."""
        cross = self._cross.get(nid)
        if cross is None:
            cross = declared
            if not cross:
                sectors: set[str] = set()
                for p in people:
                    for s in self.spells.get(p, ()):
                        if s.started_on <= on and (s.ended_on is None or s.ended_on >= on):
                            sectors.add(s.sector)
                cross = len(sectors) >= 2
            self._cross[nid] = cross
        return cross

    def _cross_sector_solidarity(self, win: Window):
        gatherings = 0
        cross: list[int] = []
        people: set[int] = set()
        for m in win.meetings:
            gatherings += 1
            if self._is_cross(m.nid, m.attendees, m.on, m.kind in self.cross_meeting_kinds):
                cross.append(m.nid)
            people |= m.attendees
        for e in win.campaign_events:
            if e.kind != "action":
                continue
            gatherings += 1
            campaign = self.facts.campaigns.get(e.campaign_id)
            declared = campaign is not None and len(campaign.sectors) >= 2
            if self._is_cross(e.nid, e.participants, e.on, declared):
                cross.append(e.nid)
            people.update(e.participants)
        hi = win.hi
        known = [p for p in people if p in self.known_since and self.known_since[p] <= hi]
        multi = [p for p in known if p in self.multi_since and self.multi_since[p][0] <= hi]
        measures = {
            "cross_sector_events": len(cross),
            "cross_sector_share": _share(len(cross), gatherings),
            "multi_sector_share": _share(len(multi), len(known)),
        }
        reasons = []
        w = self.rubric.window_weeks
        if gatherings:
            reasons.append(_r("cross_gatherings", _ev(cross), n=gatherings, cross=len(cross),
                              share=_pct(measures["cross_sector_share"]), weeks=w))
        else:
            reasons.append(_r("no_gathering", weeks=w))
        if known:
            reasons.append(_r("multi_sector", _ev(self.multi_since[p][1] for p in multi),
                              share=_pct(measures["multi_sector_share"])))
        return measures, reasons

    def _alliances(self, win: Window):
        hi = win.hi
        active = [a for a in self.facts.alliances
                  if a.kind in self.ally_kinds and a.since <= hi and (a.until is None or a.until > hi)]
        kinds = sorted({a.kind for a in active}, key=self.ally_kinds.index)
        allies = {a.organisation_id for a in active}
        used: dict[UUID, list[int]] = defaultdict(list)
        if allies:
            for e in win.grievance_events:
                if e.organisation_id in allies and e.kind in ("referred", "negotiation"):
                    used[e.organisation_id].append(e.nid)
            for e in win.campaign_events:
                if e.organisation_id in allies:
                    used[e.organisation_id].append(e.nid)
        measures = {
            "active_alliances": len(active),
            "alliance_kinds": len(kinds),
            "alliances_in_use": len(used),
        }
        if not active:
            return measures, [_r("no_alliance")]
        reasons = [_r("alliances", _ev(a.nid for a in active), n=len(active), kinds=[k for k in kinds if k])]
        if used:
            reasons.append(_r("alliances_used", _ev(n for nids in used.values() for n in nids),
                              n=len(used), weeks=self.rubric.window_weeks))
        return measures, reasons

    def _safety_climate(self, win: Window):
        retaliations = [e for e in win.grievance_events if e.kind == "retaliation"]
        answers: list[int] = []
        unanswered: list[int] = []
        for r in retaliations:
            found = [nid for on, nid in self.responses.get(r.g, ()) if r.on <= on <= win.hi]
            if found:
                answers.append(found[0])
            else:
                unanswered.append(r.nid)
        answered = len(retaliations) - len(unanswered)
        measures = {
            "retaliations": len(retaliations),
            "unanswered": len(unanswered),
            "unanswered_share": _share(len(unanswered), len(retaliations)),
        }
        if not retaliations:
            return measures, [_r("no_retaliation", weeks=self.rubric.window_weeks)]
        reasons = [_r("retaliations", _ev(r.nid for r in retaliations), n=len(retaliations),
                      weeks=self.rubric.window_weeks)]
        if answered:
            reasons.append(_r("answered", _ev(answers), n=answered))
        if unanswered:
            reasons.append(_r("unanswered", _ev(unanswered), n=len(unanswered)))
        return measures, reasons


def score_series(facts: Facts, rubric: Rubric, first_week: date,
                 last_week: date) -> list[tuple[date, dict[str, Score]]]:
    """Score every week from ``first_week`` to ``last_week`` (the bench times this)."""
    return Scorer(facts, rubric).series(first_week, last_week)
