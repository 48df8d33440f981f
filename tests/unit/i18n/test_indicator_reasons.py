"""The reasons behind an indicator's level are stored as codes and worded at render time:
every code the scorer may store has a sentence in every language, with the plural form the
count calls for, the locale's digits and percent sign, and no English left in the others."""

from __future__ import annotations

from datetime import date

import pytest

from organize.projections.indicators.facts import Facts
from organize.projections.indicators.reasons import REASON_CODES
from organize.projections.indicators.rubric import load_rubric
from organize.projections.indicators.scoring import Scorer
from web.i18n.formatting import numbering_system
from web.i18n.reasons import reason_text

LANGS = ("en", "ne", "bn", "ar")

# Parameters of the shape the scorer stores, for every code.
SAMPLES = {
    "nothing_yet": {},
    "actions": {"n": 3, "campaigns": 2, "kinds": {"petition": 2, "delegation": 1}, "weeks": 12},
    "campaigns_moved": {"n": 2, "weeks": 12},
    "grievances_moved": {"n": 2, "moves": {"referred": 1, "outcome": 2}, "weeks": 12},
    "no_issue_moving": {"weeks": 12},
    "shared_grievances": {"n": 4, "shared": 1, "share": 25, "weeks": 12},
    "no_grievance": {"weeks": 12},
    "decisions": {"n": 5, "deciding": 3, "share": 60, "decisions": 7},
    "no_meeting": {"weeks": 12},
    "facilitators": {"n": 4, "meetings": 5, "new": 1},
    "rotation": {"n": 3, "meetings": 5, "share": 60},
    "speakers": {"meetings": 5, "share": 40},
    "no_participants": {"campaign": True, "weeks": 12},
    "repeat": {"share": 67, "campaign": False, "weeks": 12},
    "returning": {"share": 50, "weeks": 12},
    "roles": {"share": 33, "campaign": False},
    "negotiations": {"n": 2, "weeks": 12},
    "no_negotiation": {"weeks": 12},
    "demands_won": {"n": 2, "results": {"won": 1, "partly_won": 1}},
    "grievances_won": {"n": 2, "together": 1},
    "agreements": {"n": 1},
    "cross_gatherings": {"n": 3, "cross": 2, "share": 67, "weeks": 12},
    "no_gathering": {"weeks": 12},
    "multi_sector": {"share": 50},
    "no_alliance": {},
    "alliances": {"n": 2, "kinds": ["union", "shelter"]},
    "alliances_used": {"n": 1, "weeks": 12},
    "no_retaliation": {"weeks": 12},
    "retaliations": {"n": 3, "weeks": 12},
    "answered": {"n": 2},
    "unanswered": {"n": 1},
    "ratified_in_meeting": {"n": 1, "members": 34},
    "bargaining_sessions": {"n": 2, "weeks": 12},
    "agreement_ratified": {"n": 1, "members": 34},
    "clauses_enforced": {"n": 3, "weeks": 12},
}


def test_every_code_has_a_sample_here():
    assert set(SAMPLES) == set(REASON_CODES)


@pytest.mark.parametrize("code", sorted(REASON_CODES))
def test_every_code_is_worded_in_every_language(code):
    english = reason_text(code, SAMPLES[code], "en")
    assert english != code and "%(" not in english and english.endswith(".")
    for lang in LANGS[1:]:
        text = reason_text(code, SAMPLES[code], lang)
        assert text != code and "%(" not in text, (lang, text)
        assert text != english, (lang, text)  # translated, not English
        if numbering_system(lang) != "latn":  # the locale's own digits, where it writes them
            assert not any(c.isascii() and c.isdigit() for c in text), (lang, text)


def test_plural_forms_follow_the_count():
    one = reason_text("negotiations", {"n": 1, "weeks": 1}, "en")
    many = reason_text("negotiations", {"n": 2, "weeks": 12}, "en")
    assert one == "1 negotiation held in the last week."
    assert many == "2 negotiations held in the last 12 weeks."
    # Arabic has six plural forms: one week, two weeks, a few, many are each worded apart.
    spans = {n: reason_text("no_meeting", {"weeks": n}, "ar") for n in (1, 2, 3, 11, 100)}
    assert len(set(spans.values())) == 5, spans
    assert spans[1] == "لم يُعقد أي اجتماع في الأسبوع الأخير."
    assert "11" in spans[11] and "100" in spans[100]
    assert reason_text("speakers", {"meetings": 1, "share": 40}, "ar").startswith("تحدّث 40")
    assert "४०" in reason_text("speakers", {"meetings": 2, "share": 40}, "ne")
    assert "৪০" in reason_text("speakers", {"meetings": 2, "share": 40}, "bn")


def test_an_unknown_code_or_shape_is_said_as_its_code():
    assert reason_text("bargaining_rounds", {"n": 2}, "ne") == "bargaining_rounds"
    assert reason_text("negotiations", {"count": 2}, "ar") == "negotiations"


def test_the_scorer_stores_only_known_codes_and_plain_parameters():
    rubric = load_rubric()
    for subject in ("collective", "campaign"):
        for score in Scorer(Facts(subject=subject), rubric).score(date(2025, 3, 3)).values():
            for reason in score.reasons:
                assert reason.code in REASON_CODES
                assert all(isinstance(v, bool | int) for v in reason.params.values())
