"""The XLSForm, read with pyxform: its id and version, its questions (with the repeat group
each sits in), their labels per language, and its choice lists."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from organize.imports.errors import ImportFailed

# Question types whose answers are never imported: the device and the person who
# submitted (never stored), and attachments (not sealed, so skipped).
METADATA = frozenset({"start", "end", "today", "deviceid", "subscriberid", "simserial",
                      "phonenumber", "username", "email", "audit", "start-geopoint"})
ATTACHMENTS = frozenset({"image", "audio", "video", "file", "photo", "background-audio"})
SELECT_ONE, SELECT_MANY = "select one", "select all that apply"


@dataclass(frozen=True)
class Question:
    name: str
    type: str
    list_name: str | None = None
    repeat: str | None = None  # the repeat group it sits in, if any
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def select(self) -> bool:
        return self.type in (SELECT_ONE, SELECT_MANY)


@dataclass(frozen=True)
class Form:
    id: str
    version: str
    questions: dict[str, Question]
    choices: dict[str, dict[str, dict[str, str]]]  # list -> value -> language -> label
    repeats: tuple[str, ...]

    def question(self, name: str) -> Question | None:
        return self.questions.get(name)


def read_form(path: Path | str) -> Form:
    """The XLSForm at ``path`` (.xlsx, .xls or .csv, as pyxform reads them)."""
    from pyxform.errors import PyXFormError
    from pyxform.xls2json import parse_file_to_json

    try:
        survey = parse_file_to_json(str(path), warnings=[])
    except (PyXFormError, ValueError, KeyError, OSError) as e:
        raise ImportFailed(f"The form could not be read as an XLSForm: {e}", code="form") from None
    questions: dict[str, Question] = {}
    repeats: list[str] = []

    def walk(children, repeat: str | None) -> None:
        for child in children:
            kind = child.get("type", "")
            if kind == "repeat":
                repeats.append(child["name"])
                walk(child.get("children", []), child["name"])
            elif kind == "group":
                walk(child.get("children", []), repeat)
            elif kind in ATTACHMENTS or kind == "note":
                continue
            else:
                label = child.get("label")
                labels = label if isinstance(label, dict) else ({"default": label} if label else {})
                questions[child["name"]] = Question(
                    name=child["name"], type=kind, list_name=child.get("list_name")
                    or child.get("itemset"), repeat=repeat, labels=labels)

    walk(survey.get("children", []), None)
    choices: dict[str, dict[str, dict[str, str]]] = {}
    for list_name, options in (survey.get("choices") or {}).items():
        choices[list_name] = {
            str(o["name"]): (o.get("label") if isinstance(o.get("label"), dict)
                             else {"default": o.get("label") or str(o["name"])})
            for o in options}
    return Form(id=survey.get("id_string") or survey.get("name", ""),
                version=str(survey.get("version") or ""), questions=questions,
                choices=choices, repeats=tuple(repeats))
