"""The reasons behind an indicator's level, worded in the reader's language.

The indicators view stores a reason as a code with parameters
(``organize.projections.indicators.reasons.REASON_CODES``); here each code becomes a
sentence, with the plural forms, percentages and digits of the reader's locale. Every
message is a literal call so that extraction finds it. A code this module does not know
(a newer view, another dimension's) is shown as the code itself rather than breaking a page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from babel.numbers import format_percent

from web.i18n.catalogues import get_translations
from web.i18n.formatting import localise_digits, parsed_locale
from web.i18n.labels import taxonomy_label
from web.i18n.locales import DEFAULT_LOCALE, LOCALES

Params = Mapping[str, Any]
_MOVES = ("referred", "escalated", "negotiation", "outcome")  # the order a grievance moves in


def reason_text(code: str, params: Params, lang: str = DEFAULT_LOCALE) -> str:
    """One reason as a sentence in ``lang``."""
    lang = lang if lang in LOCALES else DEFAULT_LOCALE
    word = _WORDINGS.get(code)
    if word is None:
        return code
    try:
        text = word(_Words(lang), params)
    except (KeyError, TypeError, ValueError):
        return code  # parameters of another shape: say the code, never fail the page
    return localise_digits(text, lang)


def reason_texts(reasons: Any, lang: str, limit: int | None = None) -> list[str]:
    """The sentences of a list of reasons (``code``/``params`` structs), the first ``limit``."""
    return [reason_text(r.code, r.params, lang) for r in list(reasons)[:limit]]


class _Words:
    def __init__(self, lang: str):
        self.lang = lang
        self.tr = get_translations(lang)

    def pct(self, share: int) -> str:
        return format_percent(int(share) / 100, locale=parsed_locale(self.lang))

    def members(self, p: Params) -> str:
        m = int(p["members"])
        return self.tr.ngettext("%(num)d member", "%(num)d members", m) % {"num": m}

    def span(self, p: Params) -> str:
        w = int(p["weeks"])
        return self.tr.ngettext("in the last week", "in the last %(num)d weeks", w) % {"num": w}

    def before(self, p: Params) -> str:
        w = int(p["weeks"])
        return self.tr.ngettext("the week before", "the %(num)s weeks before", w) % {"num": w}

    def last(self, p: Params) -> str:
        m = int(p["meetings"])
        return self.tr.ngettext("the last meeting", "the last %(num)d meetings", m) % {"num": m}

    def counts(self, vocabulary: str, counts: Mapping[str, int]) -> str:
        """``Label: n, Label: n`` for a few taxonomy codes and their counts."""
        return self.tr.gettext(", ").join(
            self.tr.gettext("%(label)s: %(num)d") % {"label": taxonomy_label(vocabulary, k, self.lang),
                                                     "num": int(n)}
            for k, n in sorted(counts.items()))  # stored as jsonb, whose keys come back reordered

    def moves(self, moves: Mapping[str, int]) -> str:
        tr, out = self.tr, []
        for kind in sorted(moves, key=lambda k: (k not in _MOVES, _MOVES.index(k) if k in _MOVES else 0, k)):
            n = int(moves[kind])
            if kind == "referred":
                out.append(tr.ngettext("%(num)d referral", "%(num)d referrals", n) % {"num": n})
            elif kind == "escalated":
                out.append(tr.ngettext("%(num)d escalation", "%(num)d escalations", n) % {"num": n})
            elif kind == "negotiation":
                out.append(tr.ngettext("%(num)d negotiation", "%(num)d negotiations", n) % {"num": n})
            else:
                out.append(tr.ngettext("%(num)d outcome", "%(num)d outcomes", n) % {"num": n})
        return tr.gettext(", ").join(out)


def _n(p: Params) -> int:
    return int(p["n"])


_Wording = Callable[[_Words, Params], str]

_WORDINGS: dict[str, _Wording] = {
    "nothing_yet": lambda w, p: w.tr.gettext("Nothing recorded yet that this dimension reads."),
    # Issue dynamism
    "actions": lambda w, p: w.tr.ngettext(
        "%(num)d campaign action %(span)s, in %(campaigns)s (%(kinds)s).",
        "%(num)d campaign actions %(span)s, in %(campaigns)s (%(kinds)s).", _n(p)) % {
        "num": _n(p), "span": w.span(p), "kinds": w.counts("campaign_action_kinds", p["kinds"]),
        "campaigns": w.tr.ngettext("%(num)d campaign", "%(num)d campaigns", int(p["campaigns"]))
        % {"num": int(p["campaigns"])}},
    "campaigns_moved": lambda w, p: w.tr.ngettext(
        "%(num)d campaign moved %(span)s (launched, a demand resolved or an agreement signed), "
        "with no action taken.",
        "%(num)d campaigns moved %(span)s (launched, a demand resolved or an agreement signed), "
        "with no action taken.", _n(p)) % {"num": _n(p), "span": w.span(p)},
    "grievances_moved": lambda w, p: w.tr.ngettext(
        "%(num)d grievance moved %(span)s: %(moves)s.",
        "%(num)d grievances moved %(span)s: %(moves)s.", _n(p)) % {
        "num": _n(p), "span": w.span(p), "moves": w.moves(p["moves"])},
    "no_issue_moving": lambda w, p: w.tr.gettext(
        "No campaign action and no grievance moving %(span)s.") % {"span": w.span(p)},
    # Collective voice
    "shared_grievances": lambda w, p: w.tr.ngettext(
        "Raised or joined by several workers: %(shared)d of the %(num)d grievance active %(span)s "
        "(%(share)s).",
        "Raised or joined by several workers: %(shared)d of the %(num)d grievances active %(span)s "
        "(%(share)s).", _n(p)) % {
        "num": _n(p), "shared": int(p["shared"]), "span": w.span(p), "share": w.pct(p["share"])},
    "no_grievance": lambda w, p: w.tr.gettext("No grievance was active %(span)s.") % {"span": w.span(p)},
    "decisions": lambda w, p: w.tr.ngettext(
        "Decisions were taken in %(deciding)d of the %(num)d meeting held (%(share)s), %(decisions)s "
        "in all.",
        "Decisions were taken in %(deciding)d of the %(num)d meetings held (%(share)s), %(decisions)s "
        "in all.", _n(p)) % {
        "num": _n(p), "deciding": int(p["deciding"]), "share": w.pct(p["share"]),
        "decisions": w.tr.ngettext("%(num)d decision", "%(num)d decisions", int(p["decisions"]))
        % {"num": int(p["decisions"])}},
    "no_meeting": lambda w, p: w.tr.gettext("No meeting was held %(span)s.") % {"span": w.span(p)},
    "ratified_in_meeting": lambda w, p: w.tr.ngettext(
        "The members ratified an agreement themselves, in a meeting with %(members)s.",
        "The members ratified %(num)d agreements themselves, the last in a meeting with "
        "%(members)s.", _n(p)) % {
        "num": _n(p), "members": w.members(p)},
    # Leadership
    "facilitators": lambda w, p: (w.tr.ngettext(
        "%(num)d member facilitated %(last)s; %(new)d for the first time.",
        "%(num)d different members facilitated %(last)s; %(new)d for the first time.", _n(p))
        if int(p["new"]) else w.tr.ngettext(
        "%(num)d member facilitated %(last)s.",
        "%(num)d different members facilitated %(last)s.", _n(p))) % {
        "num": _n(p), "last": w.last(p), "new": int(p["new"])},
    "rotation": lambda w, p: w.tr.ngettext(
        "%(num)d of %(last)s (%(share)s) was led by someone other than the most frequent facilitator.",
        "%(num)d of %(last)s (%(share)s) were led by someone other than the most frequent "
        "facilitator.", _n(p)) % {"num": _n(p), "last": w.last(p), "share": w.pct(p["share"])},
    "speakers": lambda w, p: w.tr.gettext("%(share)s of those attending %(last)s spoke.") % {
        "share": w.pct(p["share"]), "last": w.last(p)},
    # Participation depth
    "no_participants": lambda w, p: (
        w.tr.gettext("No actions or meetings with recorded participants %(span)s.") if p["campaign"]
        else w.tr.gettext("No meetings with recorded participants %(span)s.")) % {"span": w.span(p)},
    "repeat": lambda w, p: (
        w.tr.gettext("%(share)s of the people taking part in actions and meetings %(span)s came two "
                     "or more times.") if p["campaign"]
        else w.tr.gettext("%(share)s of the people taking part in meetings %(span)s came two or more "
                          "times.")) % {"share": w.pct(p["share"]), "span": w.span(p)},
    "returning": lambda w, p: w.tr.gettext("%(share)s of them had also taken part in %(before)s.") % {
        "share": w.pct(p["share"]), "before": w.before(p)},
    "roles": lambda w, p: (
        w.tr.gettext("%(share)s took on a role: facilitating or speaking.") if p["campaign"]
        else w.tr.gettext("%(share)s took on a role: facilitating, speaking or taking part in a "
                          "campaign action.")) % {"share": w.pct(p["share"])},
    # Negotiating power
    "negotiations": lambda w, p: w.tr.ngettext(
        "%(num)d negotiation held %(span)s.", "%(num)d negotiations held %(span)s.", _n(p)) % {
        "num": _n(p), "span": w.span(p)},
    "no_negotiation": lambda w, p: w.tr.gettext("No negotiation recorded %(span)s.") % {
        "span": w.span(p)},
    "demands_won": lambda w, p: w.tr.ngettext(
        "%(num)d demand resolved in the collective's favour (%(results)s).",
        "%(num)d demands resolved in the collective's favour (%(results)s).", _n(p)) % {
        "num": _n(p), "results": w.counts("demand_results", p["results"])},
    "grievances_won": lambda w, p: w.tr.ngettext(
        "%(num)d grievance resolved favourably, %(together)d of them for several workers together.",
        "%(num)d grievances resolved favourably, %(together)d of them for several workers together.",
        _n(p)) % {"num": _n(p), "together": int(p["together"])},
    "agreements": lambda w, p: w.tr.ngettext(
        "%(num)d agreement signed.", "%(num)d agreements signed.", _n(p)) % {"num": _n(p)},
    "bargaining_sessions": lambda w, p: w.tr.ngettext(
        "%(num)d bargaining session with the other side %(span)s.",
        "%(num)d bargaining sessions with the other side %(span)s.", _n(p)) % {
        "num": _n(p), "span": w.span(p)},
    "agreement_ratified": lambda w, p: w.tr.ngettext(
        "Agreement ratified in a meeting with %(members)s.",
        "%(num)d agreements ratified; the last in a meeting with %(members)s.", _n(p)) % {
        "num": _n(p), "members": w.members(p)},
    "clauses_enforced": lambda w, p: w.tr.ngettext(
        "%(num)d clause enforced through grievances %(span)s.",
        "%(num)d clauses enforced through grievances %(span)s.", _n(p)) % {
        "num": _n(p), "span": w.span(p)},
    # Cross-sector solidarity
    "cross_gatherings": lambda w, p: w.tr.ngettext(
        "%(cross)d of the %(num)d meeting and action %(span)s (%(share)s) brought together workers of "
        "two or more sectors.",
        "%(cross)d of the %(num)d meetings and actions %(span)s (%(share)s) brought together workers "
        "of two or more sectors.", _n(p)) % {
        "num": _n(p), "cross": int(p["cross"]), "span": w.span(p), "share": w.pct(p["share"])},
    "no_gathering": lambda w, p: w.tr.gettext("No meeting or action %(span)s.") % {"span": w.span(p)},
    "multi_sector": lambda w, p: w.tr.gettext(
        "%(share)s of the participants with a recorded work history have worked in more than one "
        "sector (unpaid care included).") % {"share": w.pct(p["share"])},
    # Alliances
    "no_alliance": lambda w, p: w.tr.gettext(
        "No active alliance with a union, NGO, women's-rights group or shelter."),
    "alliances": lambda w, p: w.tr.ngettext(
        "%(num)d active alliance, with: %(kinds)s.", "%(num)d active alliances, with: %(kinds)s.",
        _n(p)) % {"num": _n(p), "kinds": w.tr.gettext(", ").join(
            taxonomy_label("organisation_kinds", k, w.lang) for k in p["kinds"])},
    "alliances_used": lambda w, p: w.tr.ngettext(
        "%(num)d of them put to use %(span)s (a referral, a negotiation or an agreement with the ally).",
        "%(num)d of them put to use %(span)s (a referral, a negotiation or an agreement with the "
        "ally).", _n(p)) % {"num": _n(p), "span": w.span(p)},
    # Safety climate
    "no_retaliation": lambda w, p: w.tr.gettext(
        "No retaliation reported %(span)s. Few reports do not mean little risk: fear silences "
        "reporting.") % {"span": w.span(p)},
    "retaliations": lambda w, p: w.tr.ngettext(
        "%(num)d retaliation reported %(span)s.", "%(num)d retaliations reported %(span)s.", _n(p)) % {
        "num": _n(p), "span": w.span(p)},
    "answered": lambda w, p: w.tr.ngettext(
        "%(num)d answered by the collective (escalated, referred, negotiated, resolved or discussed at "
        "a meeting afterwards).",
        "%(num)d answered by the collective (escalated, referred, negotiated, resolved or discussed at "
        "a meeting afterwards).", _n(p)) % {"num": _n(p)},
    "unanswered": lambda w, p: w.tr.ngettext(
        "%(num)d with no collective response yet.", "%(num)d with no collective response yet.",
        _n(p)) % {"num": _n(p)},
}
