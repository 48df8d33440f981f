"""The mapping file (TOML or YAML), one per form id and version.

    form_id = "worker_intake"            # the XLSForm's id, and
    version = "2024061501"               # its version: a new version needs its own mapping
    id_column = "meta/instanceID"        # optional; else instanceID / _uuid / KEY

    [worker]                             # the woman the submission is about
    pseudonym = "name"                   # question -> field (legal_name, phone, note too)
    phone = "phone"
    joined_on = "2024-06-01"             # a date, or a date question

    [consent]                            # a select_multiple: one consent per ticked purpose
    question = "consent"
    choices = { contact = "contact", research = "research" }

    [spells]                             # a repeat group: one work spell per repeat
    repeat = "jobs"
    sector = "sector"  occupation = "job_title"  place = "job_place"
    started_on = "job_start"  relationship = "relationship"  paid = true

    [grievance]
    category = "problem"  description = "story"  occurred_on = "problem_on"
    place = "location"                   # a geopoint becomes the nearest [places] code
    stage = "destination"                # a constant, or a question

    [coworkers]                          # a repeat group: more workers on the grievance
    repeat = "coworkers"  pseudonym = "coworker_name"  phone = "coworker_phone"

    [meeting]                            # a meeting register (instead of [worker]): each
    kind = "kind"                        #   submission schedules and records one meeting held;
    held_at = "held_at"                  #   a meeting_kinds code or a choice; a dateTime/date
    language = "ne"                      #   question; a constant (default "en")

    [attendees]                          # a repeat group: who came; each matched to a worker
    repeat = "attendees"  pseudonym = "attendee_name"  phone = "attendee_phone"
                                         #   of the collective by the same phone or pseudonym,
                                         #   else registered; the first facilitated

    [choices.sector]                     # per choice list: choice -> taxonomy code
    domestic = "domestic_care"

    [places]                             # place code -> [latitude, longitude]
    radius_km = 100
    KTM = [27.7172, 85.3240]

A value the mapping does not name is quarantined with its row, and every code the mapping
names must already be in the taxonomy: the taxonomy never grows silently. A field kept in
the clear (a code, a place) takes a choice question, a [choices] table or a GPS point, never
a free-text answer: a mapping that would put a name or phone there is refused.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from organize.domain import Taxonomy
from organize.imports.errors import ImportFailed
from organize.imports.form import METADATA, Form

# The vocabulary of the taxonomy each mapped field's codes belong to.
VOCABULARY = {"sector": "sectors", "relationship": "relationships", "category": "categories",
              "stage": "stages", "kind": "meeting_kinds"}
CODED = ("spells", "grievance", "meeting")  # the sections whose fields are taxonomy codes
PERSONAL = ("pseudonym", "legal_name", "phone", "note")
# Fields kept in the clear (codes and places, never sealed): a question may fill one only
# through its choices (a select question, or a [choices] table for it), or, for a place, as
# a GPS point; a free-text answer (a name, a phone) must never become a code.
CLEAR = {"spells": ("sector", "place", "relationship"),
         "grievance": ("category", "sector", "place", "stage"), "meeting": ("kind", "language")}
SECTIONS = {
    "worker": (*PERSONAL, "joined_on"),
    "coworkers": ("repeat", *PERSONAL),
    "spells": ("repeat", "sector", "occupation", "place", "started_on", "relationship", "paid"),
    "grievance": ("category", "sector", "place", "stage", "occurred_on", "description"),
    "consent": ("question", "choices"),
    "meeting": ("kind", "held_at", "language"),
    "attendees": ("repeat", *PERSONAL),
}


# -- why a row is set aside ------------------------------------------------------------------

def N_(message: str) -> str:  # noqa: N802 - marks a message for the catalogues
    return message


UNKNOWN_CHOICE = N_("unknown choice '%(value)s' for '%(question)s'")
# A plain sheet's column may hold free text (a household's name): never echoed.
UNKNOWN_VALUE = N_("an unknown choice in '%(question)s'")
EMPTY = N_("'%(question)s' is empty")
UNMAPPED = N_("no %(field)s: the mapping names no question for it")
NOT_A_DATE = N_("'%(question)s' is not a date")
NOT_GPS = N_("'%(question)s' is not a GPS point")
FAR = N_("'%(question)s' is far from every place in the mapping's [places]")
NOT_VALID = N_("'%(question)s' is not valid")
PURPOSE = N_("consent purpose '%(value)s' is not known")
NO_ID = N_("no submission id (instanceID, _uuid or the id column)")
LIKE_KNOWN = {"same phone as": N_("same phone as a worker already recorded"),
              "pseudonym like": N_("pseudonym like a worker already recorded")}
LIKE_LINE = {"same phone as": N_("same phone as line %(line)s's"),
             "pseudonym like": N_("pseudonym like line %(line)s's")}


class Quarantine(Exception):  # noqa: N818 - a row set aside, not a failure of the import
    """Why a row is set aside: an English template (translated by the import page) and its
    parameters, which name questions and choice codes of the files, never a person."""

    def __init__(self, template: str, **params: object):
        self.template = template
        self.params = {k: str(v) for k, v in params.items()}
        super().__init__(template % self.params)


@dataclass(frozen=True)
class Mapping:
    form_id: str
    version: str
    id_column: str | None
    sections: dict[str, dict[str, Any]]
    choices: dict[str, dict[str, str]]  # list (or question) -> value -> code
    places: dict[str, tuple[float, float]] = field(default_factory=dict)
    radius_km: float = 100.0

    def section(self, name: str) -> dict[str, Any]:
        return self.sections.get(name, {})


def parse_mapping(name: str, data: bytes) -> dict:
    try:
        if Path(name).suffix.lower() in (".yaml", ".yml"):
            import yaml

            text = data.decode("utf-8")
            # An alias (``*name``) repeats a whole value: nine of nine levels deep is a
            # kilobyte that reads as hundreds of millions of items. A mapping needs none.
            if any(isinstance(t, yaml.AliasToken) for t in yaml.scan(text)):
                raise ValueError("it repeats values with YAML aliases (*name); write "
                                 "each value out")
            doc = yaml.safe_load(text)
        else:
            doc = tomllib.loads(data.decode("utf-8"))
    except Exception as e:  # noqa: BLE001 - any parser's complaint, said plainly
        raise ImportFailed(f"The mapping file could not be read: {e}", code="mapping") from None
    if not isinstance(doc, dict):
        raise ImportFailed("The mapping file holds no table of settings.", code="mapping")
    return doc


def load_mapping(doc: dict, form: Form | None, taxonomy: Taxonomy) -> Mapping:
    """The mapping, checked against the form and the taxonomy, or ``ImportFailed``."""
    def fail(message: str):
        raise ImportFailed(message, code="mapping")

    form_id, version = str(doc.get("form_id", "")), str(doc.get("version", ""))
    if form is not None and (form_id, version) != (form.id, form.version):
        fail(f"This mapping is for form {form_id!r} version {version!r}; the form is "
             f"{form.id!r} version {form.version!r}. Write a mapping for this version.")
    sections = {}
    for section, allowed in SECTIONS.items():
        body = doc.get(section) or {}
        unknown = sorted(set(body) - set(allowed))
        if unknown:
            fail(f"[{section}] does not know {', '.join(unknown)}.")
        sections[section] = body
    if "pseudonym" not in sections["worker"] and not sections["meeting"]:
        fail("[worker] must name the question holding her pseudonym.")
    if sections["meeting"] and (sections["worker"] or "kind" not in sections["meeting"]
                                or "held_at" not in sections["meeting"]):
        fail("[meeting] names its kind and held_at, and takes the place of [worker].")
    if sections["meeting"] and not sections["attendees"].get("repeat"):
        fail("[meeting] needs [attendees], the repeat group of who came.")
    for section in ("coworkers", "attendees"):
        if sections[section] and "pseudonym" not in sections[section]:
            fail(f"[{section}] must name the question holding each pseudonym.")
    choices = {str(k): {str(v): str(code) for v, code in (m or {}).items()}
               for k, m in (doc.get("choices") or {}).items()}
    if form is not None:
        for section, body in sections.items():
            for key, question in body.items():
                if key in ("repeat", "choices", "paid") or not isinstance(question, str):
                    continue
                q = form.question(question)
                if q is not None and q.type in METADATA:
                    fail(f"[{section}] {key} names {question!r}, device or submitter data, "
                         "which is never imported.")
        for section in ("spells", "coworkers", "attendees"):
            repeat = sections[section].get("repeat")
            if repeat and repeat not in form.repeats:
                fail(f"[{section}] repeat {repeat!r} is not a repeat group of the form.")
    for field_, vocabulary in VOCABULARY.items():
        for section in CODED:
            value = sections[section].get(field_)
            if isinstance(value, str) and form is not None and form.question(value) is None \
                    and not taxonomy.has(vocabulary, value):
                fail(f"[{section}] {field_} = {value!r} is neither a question nor a "
                     f"{vocabulary} code of the taxonomy.")
    for section, fields in CLEAR.items():
        for field_ in fields:
            spec = sections[section].get(field_)
            q = form.question(spec) if form is not None and isinstance(spec, str) else None
            if q is not None and not (q.select or spec in choices or q.list_name in choices
                                      or (field_ == "place" and q.type == "geopoint")):
                fail(f"[{section}] {field_} names {spec!r}, a question answered in free text, "
                     f"and {field_} is kept in the clear: name a choice question, or add "
                     f"[choices.{spec}] to turn its answers into codes.")
    for list_name, table in choices.items():
        vocabulary = _vocabulary_of(list_name, sections, form)
        if vocabulary is None:
            continue
        for value, code in table.items():
            if not taxonomy.has(vocabulary, code):
                fail(f"[choices.{list_name}] maps {value!r} to {code!r}, which is not a "
                     f"{vocabulary} code of the taxonomy. Add it to the taxonomy first.")
    places = {str(k): (float(v[0]), float(v[1])) for k, v in (doc.get("places") or {}).items()
              if isinstance(v, list | tuple) and len(v) == 2}
    radius = float((doc.get("places") or {}).get("radius_km", 100))
    return Mapping(form_id=form_id, version=version, id_column=doc.get("id_column") or None,
                   sections=sections, choices=choices, places=places, radius_km=radius)


def _vocabulary_of(list_name: str, sections: dict, form: Form | None) -> str | None:
    for section in CODED:
        for field_, vocabulary in VOCABULARY.items():
            question = sections[section].get(field_)
            if not isinstance(question, str):
                continue
            q = form.question(question) if form is not None else None
            if question == list_name or (q is not None and q.list_name == list_name):
                return vocabulary
    return None


def as_date(text: str) -> date:
    return date.fromisoformat(text.strip()[:10])


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The distance between two points, in kilometres (for ``[places]``)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(min(1.0, a)))
