"""The reasons behind an indicator's level, as codes: what the view stores and the API
returns, never a sentence. The web layer words each code in the reader's language
(``web/i18n/reasons.py``), with plural forms, percentages and digits of her locale.

A reason is ``{"code": ..., "params": {...}, "evidence": [notification ids]}``. Parameters
are only counts, whole percentages, the window's length in weeks and taxonomy codes: no
name, no free text, nothing that could identify a person.

Common parameters: ``weeks`` is the rubric's window (``window_weeks``: "in the last 12
weeks"); ``share`` is a whole percentage (0-100); ``n`` is the count the sentence's plural
follows. Another dimension adding reasons adds its codes here, in the same form, and their
wording in ``web/i18n/reasons.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

# code -> the parameters it carries (and what they are), by dimension.
REASON_CODES: Mapping[str, str] = MappingProxyType({
    # Any dimension, when nothing it reads is recorded yet (said by the reads, never stored)
    "nothing_yet": "(none)",
    # Issue dynamism
    "actions": "n campaign actions in the window, in `campaigns` campaigns; `kinds`: "
               "{campaign_action_kinds code: count}; weeks",
    "campaigns_moved": "n campaigns launched, with a demand resolved or an agreement signed, and "
                       "no action; weeks",
    "grievances_moved": "n grievances moved; `moves`: {referred|escalated|negotiation|outcome: count}; "
                        "weeks",
    "no_issue_moving": "weeks",
    # Collective voice
    "shared_grievances": "`shared` of the n grievances active were raised or joined by several "
                         "workers (`share`); weeks",
    "no_grievance": "weeks",
    "decisions": "decisions taken in `deciding` of the n meetings held (`share`), `decisions` in "
                 "all",
    "no_meeting": "weeks",
    "ratified_in_meeting": "n agreements ratified in a meeting; `members`: how many took part in "
                           "the vote of the last one",
    # Leadership
    "facilitators": "n members facilitated the last `meetings` meetings, `new` of them for the "
                    "first time",
    "rotation": "n of the last `meetings` meetings (`share`) led by someone other than the most "
                "frequent facilitator",
    "speakers": "`share` of those attending the last `meetings` meetings spoke",
    # Participation depth (`campaign`: true when the subject is a campaign, whose gatherings
    # are actions and meetings and whose roles are facilitating or speaking)
    "no_participants": "campaign; weeks",
    "repeat": "`share` of the people taking part came two or more times; campaign; weeks",
    "returning": "`share` of them had also taken part in the window before; weeks",
    "roles": "`share` took on a role; campaign",
    # Negotiating power
    "negotiations": "n negotiations held; weeks",
    "no_negotiation": "weeks",
    "demands_won": "n demands resolved in the collective's favour; `results`: "
                   "{demand_results code: count}",
    "grievances_won": "n grievances resolved favourably, `together` for several workers together",
    "agreements": "n agreements signed",
    "bargaining_sessions": "n bargaining sessions held with the other side; weeks",
    "agreement_ratified": "n agreements ratified by the members; `members`: how many took part "
                          "in the vote of the last one",
    "clauses_enforced": "n clauses of agreements enforced through grievances citing their "
                        "breach; weeks",
    # Cross-sector solidarity
    "cross_gatherings": "`cross` of the n meetings and actions (`share`) brought together workers "
                        "of two or more sectors; weeks",
    "no_gathering": "weeks",
    "multi_sector": "`share` of the participants with a work history worked in more than one sector",
    # Alliances
    "no_alliance": "(none)",
    "alliances": "n active alliances; `kinds`: [organisation_kinds code]",
    "alliances_used": "n of them put to use (a referral, a negotiation or an agreement); weeks",
    # Safety climate (a risk)
    "no_retaliation": "weeks",
    "retaliations": "n retaliations reported; weeks",
    "answered": "n answered by the collective",
    "unanswered": "n with no collective response yet",
})
