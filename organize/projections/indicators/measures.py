"""The indicators' shared vocabulary: the level labels, the dimensions a campaign has, and
the measures each dimension computes with the parameters a rubric may give it. The rubric
(``rubric.py``) checks a federation's file against it and the scorer (``scoring.py``) computes
it; both import it from here, so neither imports the other."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from organize.domain.values import DIMENSIONS

if TYPE_CHECKING:  # pragma: no cover - typing only; rubric.py imports this module
    from organize.projections.indicators.rubric import DimensionSpec

_EPSILON = 1e-9  # a share of exactly a threshold meets it despite float rounding

LEVEL_LABELS = ("not yet", "emerging", "growing", "established", "strong")
# Safety climate is a risk: the same 0..4 scale read as how much risk the records show.
RISK_LEVEL_LABELS = ("none reported", "some risk", "rising risk", "high risk", "severe risk")
RISK_DIMENSIONS = frozenset({"safety_climate"})
# A campaign has no alliances of its own (its collectives do); every other dimension applies.
CAMPAIGN_DIMENSIONS = tuple(d for d in DIMENSIONS if d != "alliances")

COUNT = "count"
SHARE = "share"


@dataclass(frozen=True, slots=True)
class Measure:
    kind: str  # COUNT or SHARE
    label: str  # words for a sentence: "different facilitators in the recent meetings"


# The measures each dimension computes: the rubric may set thresholds on any of them.
MEASURES: Mapping[str, Mapping[str, Measure]] = {
    "issue_dynamism": {
        "live_issues": Measure(COUNT, "live issues (campaigns acting or grievances moving)"),
        "campaign_actions": Measure(COUNT, "campaign actions"),
        "moving_grievances": Measure(COUNT, "grievances moving"),
    },
    "collective_voice": {
        "shared_grievances": Measure(COUNT, "grievances raised or joined by several workers"),
        "shared_grievance_share": Measure(
            SHARE, "share of active grievances raised or joined by several workers"),
        "meetings_with_decisions": Measure(COUNT, "meetings where decisions were taken"),
        "decision_share": Measure(SHARE, "share of meetings where decisions were taken"),
        "voice_signals": Measure(
            COUNT, "shared grievances and meetings with decisions, together"),
        "ratifications": Measure(COUNT, "agreements the members ratified in a meeting"),
    },
    "leadership": {
        "distinct_facilitators": Measure(COUNT, "different facilitators of the recent meetings"),
        "rotation_share": Measure(
            SHARE, "share of recent meetings led by someone other than the most frequent facilitator"),
        "new_facilitators": Measure(COUNT, "first-time facilitators in the recent meetings"),
        "speaker_share": Measure(SHARE, "share of those attending the recent meetings who spoke"),
    },
    "participation_depth": {
        "repeat_share": Measure(SHARE, "share of participants who came two or more times"),
        "returning_share": Measure(
            SHARE, "share of participants who had also taken part in the window before"),
        "role_share": Measure(SHARE, "share of participants who took on a role"),
    },
    "negotiating_power": {
        "negotiations": Measure(COUNT, "negotiations held"),
        "wins": Measure(COUNT, "demands won or partly won and grievances resolved favourably"),
        "collective_wins": Measure(COUNT, "favourable outcomes for several workers together"),
        "agreements": Measure(COUNT, "agreements signed"),
        "collective_win_share": Measure(
            SHARE, "share of favourable outcomes won for several workers together"),
        "bargaining_sessions": Measure(COUNT, "bargaining sessions with the other side"),
        "clauses_enforced": Measure(
            COUNT, "clauses of an agreement enforced through grievances citing their breach"),
    },
    "cross_sector_solidarity": {
        "cross_sector_events": Measure(COUNT, "meetings and actions across sectors"),
        "cross_sector_share": Measure(SHARE, "share of meetings and actions across sectors"),
        "multi_sector_share": Measure(
            SHARE, "share of participants whose work has spanned several sectors"),
    },
    "alliances": {
        "active_alliances": Measure(COUNT, "active alliances"),
        "alliance_kinds": Measure(COUNT, "kinds of allies"),
        "alliances_in_use": Measure(COUNT, "alliances put to use"),
    },
    "safety_climate": {
        "retaliations": Measure(COUNT, "retaliations reported"),
        "unanswered": Measure(COUNT, "retaliations with no collective response"),
        "unanswered_share": Measure(SHARE, "share of retaliations with no collective response"),
    },
}

# Parameters a rubric gives a dimension besides its thresholds: name -> "int" or "codes".
PARAMS: Mapping[str, Mapping[str, str]] = {
    "issue_dynamism": {},
    "collective_voice": {},
    "leadership": {"recent_meetings": "int"},
    "participation_depth": {},
    "negotiating_power": {
        "favourable_outcomes": "codes",
        "favourable_results": "codes",
        "meeting_kinds": "codes",
        "action_kinds": "codes",
    },
    "cross_sector_solidarity": {"meeting_kinds": "codes"},
    "alliances": {"kinds": "codes"},
    "safety_climate": {},
}


def level_label(dimension: str, level: int) -> str:
    return (RISK_LEVEL_LABELS if dimension in RISK_DIMENSIONS else LEVEL_LABELS)[level]


def assign_level(spec: DimensionSpec, measures: Mapping[str, float | int]) -> tuple[int, str | None]:
    """The highest level whose thresholds (and those of every level below) are all met,
    and what the next level would need."""
    level = 0
    for lv in spec.levels[1:]:
        unmet = [(m, t) for m, t in lv.thresholds.items() if measures[m] + _EPSILON < t]
        if unmet:
            return level, _gap(spec, lv.level, unmet, measures)
        level = lv.level
    return level, None


def _gap(spec: DimensionSpec, level: int, unmet: list[tuple[str, float]],
         measures: Mapping[str, float | int]) -> str:
    parts = []
    for m, t in unmet:
        measure = MEASURES[spec.name][m]
        parts.append(f"{measure.label} at least {_fmt(measure, t)} (now {_fmt(measure, measures[m])})")
    what = "Risk would be" if spec.name in RISK_DIMENSIONS else "To reach"
    return f"{what} level {level} ({level_label(spec.name, level)}): {'; '.join(parts)}."


def _fmt(measure: Measure, value: float | int) -> str:
    if measure.kind == SHARE:
        return f"{round(value * 100)}%"  # as reasons carry it
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
