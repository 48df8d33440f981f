"""The researchers' release form: what she may choose, and her choices read back into a
``ReleaseRequest`` or a message on each field in her language; and, in her language, why a
request was snapped to whole closed periods or refused (``NOTE_WORDS``, ``MESSAGES``).

Every check the release engine makes (``ReleaseRequest.check``) is made here first, field by
field, so that all that is wrong is said at once rather than one thing per submission; the
engine's own ``ExportError`` is still mapped back to a field in case it refuses something
this layer let through (``message_for_export_error``). Messages never echo what was typed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from organize.domain.privacy_budget import MAX_RELEASE_MILLI, MIN_RELEASE_MILLI
from organize.exports.package import FORMATS
from organize.exports.releases import MAX_K, Note, ReleaseRequest
from organize.exports.trends import AUTO, DEFAULT_BY, DIMENSIONS, GRAINS, ExportError
from organize.projections.disclosure import DEFAULT_K, MIN_K
from web.i18n import format_number, get_translations, localise_digits
from web.i18n.messages import N_
from web.pages.forms import Form, latin_digits

EPSILON_RANGE = (MIN_RELEASE_MILLI / 1000, MAX_RELEASE_MILLI / 1000)  # the cap per release
EARLIEST, LATEST = date(1900, 1, 1), date(2100, 12, 31)
MAX_CHARS = 40  # no value of this form is longer; anything longer is refused unread
DEFAULT_FORMAT = "datapackage"
GRAIN_FIELDS = {d: f"grain_{d}" for d in GRAINS}  # "period" -> "grain_period"
FIELDS = ("by", "k", *GRAIN_FIELDS.values(), "epsilon", "since", "until", "format")

# -- words ---------------------------------------------------------------------------------

DIMENSION_WORDS = {
    "period": N_("When it happened (month, quarter or year)"),
    "place": N_("Where (region or country)"),
    "sector": N_("Sector of work"),
    "stage": N_("Migration stage"),
    "category": N_("Kind of grievance"),
    "outcome": N_("Outcome"),
    "escalation": N_("Whether it was escalated"),
    "owed": N_("Money owed (in bands)"),
    "recovered": N_("Money recovered (in bands)"),
}
GRAIN_LEGENDS = {
    "period": N_("Time"),
    "place": N_("Place"),
    "category": N_("Kind of grievance"),
}
GRAIN_WORDS = {
    AUTO: N_("Standard: quarter, country, groups of kinds"),
    "month": N_("Month"),
    "quarter": N_("Quarter"),
    "year": N_("Year"),
    "region": N_("Region"),
    "country": N_("Country"),
    "category": N_("Each kind"),
    "group": N_("Groups of kinds"),
}
FORMAT_WORDS = {
    "csv": N_("CSV, with HXL tags under the header"),
    "parquet": N_("Parquet"),
    "datapackage": N_("Data Package: the CSV with a schema (Frictionless)"),
}

# (field, code) -> the message. ``None`` as the code: any other code on that field.
MESSAGES: Mapping[tuple[str, str | None], str] = {
    ("by", "required"): N_("Choose at least one dimension."),
    ("by", "unknown"): N_("Choose dimensions from the list."),
    ("by", "duplicate"): N_("Choose each dimension only once."),
    ("by", "too_many_cells"): N_(
        "With differential privacy this table would be too large. Choose fewer dimensions or "
        "coarser grains."),
    ("k", "required"): N_("Give the smallest count to show."),
    ("k", "not_a_number"): N_("Give a whole number, such as 10."),
    ("k", "too_small"): N_("The smallest count shown must be at least %(min)s."),
    ("k", "too_large"): N_("The smallest count shown can be at most %(max)s."),
    ("grain", "unknown"): N_("Choose one of the options."),
    ("epsilon", "not_a_number"): N_("Give a number, such as 1 or 0.5, or leave it empty."),
    ("epsilon", "out_of_range"): N_("Epsilon must be between %(min)s and %(max)s."),
    ("epsilon", "above_cap"): N_(
        "Epsilon can be at most %(max)s in one release: a larger epsilon adds too little noise "
        "to protect one grievance."),
    ("epsilon", "over_budget"): N_(
        "Refused: this release needs epsilon %(need)s, but only %(left)s of your privacy budget "
        "is left. Ask for a release you already have (it costs nothing), or ask an admin for "
        "more budget."),
    ("epsilon", "no_budget"): N_("A release with epsilon is paid for from a researcher's budget."),
    ("until", "not_closed"): N_(
        "No whole period has closed in these dates yet. Releases hold only periods that have "
        "ended."),
    ("date", "not_a_date"): N_("Give a date, or leave it empty."),
    ("date", "out_of_range"): N_("Give a date between %(first)s and %(last)s."),
    ("since", "order"): N_("The start must not be after the end."),
    ("format", "unknown"): N_("Choose one of the formats."),
    ("any", "too_long"): N_("This is too long. Choose from the form."),
    ("any", None): N_("This export cannot be made as asked. Check the choices and try again."),
}
FORM_ERROR = N_("Some choices need changing. See the messages below.")

# Why the release differs from what she asked (``organize.exports.releases.Note``).
NOTE_WORDS: Mapping[str, str] = {
    "since": N_("The start was moved from %(asked)s to %(released)s: a release holds whole "
                "periods, from the first day of a period."),
    "until": N_("The end was moved from %(asked)s to %(released)s: a release holds whole "
                "periods, to the last day of a period."),
    "open_period": N_("The end was moved from %(asked)s to %(released)s: that period has not "
                      "ended yet, and a period still running is never released."),
    "period_added": N_("The period was added to the dimensions: every release is split by "
                       "whole periods."),
}
def explain(lang: str, notes: list[Note]) -> list[str]:
    """Each adjustment, in her language, dates written her way."""
    return [translate(lang, NOTE_WORDS[n.code],
                      **({"asked": localise_digits(n.asked, lang),
                          "released": localise_digits(n.released, lang)} if n.asked else {}))
            for n in notes]


def translate(lang: str, message: str, **params: Any) -> str:
    text = get_translations(lang).gettext(message)
    return text % params if params else text


def message(lang: str, field: str, code: str, **params: Any) -> str:
    kind = ("grain" if field.startswith("grain") else "date" if field in ("since", "until")
            and code in ("not_a_date", "out_of_range") else field)
    english = MESSAGES.get((kind, code)) or MESSAGES.get(("any", code)) or MESSAGES[("any", None)]
    return translate(lang, english, **params)


def choices(lang: str) -> dict[str, Any]:
    """What the form offers, in her language."""
    return {
        "dimensions": [(d, translate(lang, DIMENSION_WORDS[d])) for d in DIMENSIONS],
        "grains": [(d, GRAIN_FIELDS[d], translate(lang, GRAIN_LEGENDS[d]),
                    [(g, translate(lang, GRAIN_WORDS[g])) for g in (AUTO, *GRAINS[d])])
                   for d in GRAINS],
        "formats": [(f, translate(lang, FORMAT_WORDS[f])) for f in FORMATS],
    }


def blank() -> Form:
    """The form as first shown: the default dimensions, k and format; grains automatic."""
    form = Form()
    form.set("by", list(DEFAULT_BY))
    form.set("k", DEFAULT_K)
    for name in GRAIN_FIELDS.values():
        form.set(name, AUTO)
    form.set("format", DEFAULT_FORMAT)
    return form


def keep_only_ours(form: Form) -> Form:
    """Drop whatever the form does not have (the CSRF token among them), so nothing else is
    ever shown back."""
    return Form(values={k: v for k, v in form.values.items() if k in FIELDS})


@dataclass(frozen=True)
class ExportRequest:
    spec: ReleaseRequest


def _k_bounds(lang: str) -> dict[str, str]:
    return {"min": format_number(MIN_K, lang), "max": format_number(MAX_K, lang)}


def epsilon_bounds(lang: str) -> dict[str, str]:
    return {"min": format_number(EPSILON_RANGE[0], lang), "max": format_number(EPSILON_RANGE[1], lang)}


def _one(form: Form, name: str) -> str:
    values = form.all(name)
    return values[-1].strip() if values else ""


def _date(form: Form, name: str, lang: str) -> date | None:
    raw = latin_digits(_one(form, name))
    if not raw:
        return None
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        form.errors[name] = message(lang, name, "not_a_date")
        return None
    if not EARLIEST <= value <= LATEST:
        form.errors[name] = message(lang, name, "out_of_range",
                                    first=localise_digits(str(EARLIEST.year), lang),
                                    last=localise_digits(str(LATEST.year), lang))
        return None
    return value


def parse(form: Form, lang: str) -> ExportRequest | None:
    """Her choices as an export request, or None with ``form.errors`` (and
    ``form.message``) set."""
    for name in FIELDS:
        if any(len(v) > MAX_CHARS for v in form.all(name)):
            form.errors[name] = message(lang, name, "too_long")
    if len(form.all("by")) > 2 * len(DIMENSIONS):
        form.errors["by"] = message(lang, "by", "duplicate")

    by = tuple(v.strip() for v in form.all("by") if v.strip())
    if "by" not in form.errors:
        if not by:
            form.errors["by"] = message(lang, "by", "required")
        elif any(d not in DIMENSIONS for d in by):
            form.errors["by"] = message(lang, "by", "unknown")
        elif len(set(by)) != len(by):
            form.errors["by"] = message(lang, "by", "duplicate")

    k = DEFAULT_K
    if "k" not in form.errors:
        raw = latin_digits(_one(form, "k"))
        if not raw:
            form.errors["k"] = message(lang, "k", "required")
        elif not raw.isascii() or not raw.isdigit():
            form.errors["k"] = message(lang, "k", "not_a_number")
        else:
            k = int(raw)
            if k < MIN_K:
                form.errors["k"] = message(lang, "k", "too_small", **_k_bounds(lang))
            elif k > MAX_K:
                form.errors["k"] = message(lang, "k", "too_large", **_k_bounds(lang))

    grains: dict[str, str] = {}
    for dimension, name in GRAIN_FIELDS.items():
        if name in form.errors:
            continue
        grain = _one(form, name) or AUTO
        if grain not in (AUTO, *GRAINS[dimension]):
            form.errors[name] = message(lang, name, "unknown")
        else:
            grains[dimension] = grain

    epsilon = None
    if "epsilon" not in form.errors:
        raw = latin_digits(_one(form, "epsilon")).replace("\u066b", ".").replace(",", ".")
        if raw:
            try:
                epsilon = float(raw)
            except ValueError:
                form.errors["epsilon"] = message(lang, "epsilon", "not_a_number")
            else:
                low, high = EPSILON_RANGE
                if not math.isfinite(epsilon):
                    form.errors["epsilon"] = message(lang, "epsilon", "not_a_number")
                elif epsilon > high:
                    form.errors["epsilon"] = message(lang, "epsilon", "above_cap",
                                                     **epsilon_bounds(lang))
                elif epsilon < low:
                    form.errors["epsilon"] = message(lang, "epsilon", "out_of_range",
                                                     **epsilon_bounds(lang))

    since = _date(form, "since", lang) if "since" not in form.errors else None
    until = _date(form, "until", lang) if "until" not in form.errors else None
    if since and until and since > until:
        form.errors["since"] = message(lang, "since", "order")

    fmt = _one(form, "format") or DEFAULT_FORMAT
    if "format" not in form.errors and fmt not in FORMATS:
        form.errors["format"] = message(lang, "format", "unknown")

    if form.errors:
        form.message = translate(lang, FORM_ERROR)
        return None
    spec = ReleaseRequest(by=by, k=k, grains=grains, epsilon=epsilon, since=since, until=until,
                          fmt=fmt)
    try:
        spec.check()
    except ExportError as e:
        refuse(form, e, lang)
        return None
    return ExportRequest(spec=spec)


def refuse(form: Form, error: ExportError, lang: str, **extra: str) -> None:
    """The engine refused: its field's message (the whole form's if no field here fits)."""
    field = error.field if error.field in FIELDS else None
    if error.field == "grains":
        field = next(iter(GRAIN_FIELDS.values()))
    if field is None:
        form.message = message(lang, "any", error.code)
        return
    params = (_k_bounds(lang) if field == "k" else epsilon_bounds(lang) if field == "epsilon"
              else {})
    params.update(extra)
    form.errors[field] = message(lang, field, error.code, **params)
    form.message = translate(lang, FORM_ERROR)
