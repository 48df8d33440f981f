"""Submissions of a public sample form, the pyxform tutorial's household survey
(``data/household/household_roster.xlsx``; its source and what was added are in that folder's
README): a repeat group ``member`` of the people in the household, a select_multiple
``consent``, labels in English and Nepali. Written out as KoboToolbox exports them (CSV with
the repeat's own CSV, XLSX with the repeat on its own sheet, both joined by
``_parent_index``; the API's JSON) and as ODK Central does (CSV with ``FORM-member.csv``
joined by ``PARENT_KEY``; the OData ``Submissions`` feed with ``$expand=*``, or without it and the
repeat's own feed).

Every person is invented, and each batch gets its own tag so that a raw-bytes scan can look
for exactly its names and phones.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from dataclasses import dataclass, replace
from pathlib import Path

from openpyxl import Workbook

from tests.integration.imports.support import Batch, Edited, import_files, ledger, new_instance

DATA = Path(__file__).resolve().parent.parent / "data" / "household"
FORM = DATA / "household_roster.xlsx"
MAPPING = DATA / "household_roster.toml"
FORM_ID, VERSION = "household_roster", "2024070101"
KOBO_VERSION = "vHh3s9kQeZ2tLp7Rx4"


@dataclass(frozen=True)
class Member:
    name: str
    phone: str
    relationship: str
    sex: str
    age: int  # in years

    def answers(self) -> list:
        """The tutorial's questions for one member, in its order (``age_in_months`` only
        under five)."""
        older = self.age >= 5
        return [self.name, self.phone, self.relationship, self.sex, "yes", "yes",
                "yes" if older else "no", "" if older else self.age * 12,
                self.age if older else "", "yes" if self.sex == "female" and older else "",
                "no" if self.sex == "female" and 15 <= self.age <= 49 else ""]


MEMBER_QUESTIONS = ["name", "member_phone", "relationship_to_household_head", "sex",
                    "resident", "stayed_last_night", "older_than_five", "age_in_months",
                    "age_in_years", "literate", "pregnant"]


@dataclass(frozen=True)
class Household(Edited):
    instance: str
    name: str  # the respondent
    phone: str
    consent: str
    members: tuple[Member, ...]
    root: str | None = None
    deprecated: str | None = None

    def listed(self) -> list[tuple[str, str]]:
        return [(m.name, m.phone) for m in self.members]


def batch(unknown_choice: bool = True) -> Batch[Household]:
    """Four households, each told by one woman who lists the others living with her; the
    third ticks a consent the mapping does not know."""
    tag = uuid.uuid4().hex[:8]
    n = int(tag, 16) % 10**6
    subs = [
        Household(new_instance(), f"Durga Thapa {tag}", f"+977 980{n:06d}1", "contact research", (
            Member(f"Bikash Thapa {tag}", f"+977 981{n:06d}2", "son_or_daughter", "male", 19),
            Member(f"Anu Thapa {tag}", "", "son_or_daughter", "female", 3))),
        Household(new_instance(), f"Laxmi Shrestha {tag}", f"+977 982{n:06d}3", "contact", (
            Member(f"Hari Shrestha {tag}", f"+977 983{n:06d}4", "head", "male", 52),)),
        Household(new_instance(), f"Nasima Akter {tag}", f"+880 171{n:06d}5",
                  "contact whatsapp" if unknown_choice else "contact", (
                      Member(f"Rahim Uddin {tag}", f"+880 172{n:06d}8", "head", "male", 36),)),
        Household(new_instance(), f"Parbati Magar {tag}", f"+977 984{n:06d}6", "", (
            Member(f"Sunita Magar {tag}", f"+977 985{n:06d}7", "son_or_daughter", "female",
                   12),)),
    ]
    return Batch(tag, subs)


def edited(b: Batch[Household], *, with_root: bool = True, digit: str = "9") -> Batch[Household]:
    """The first household edited on the server: a new instance id naming the one it
    replaces, research consent withdrawn, and the son's phone corrected."""
    first = b.subs[0]
    son = replace(first.members[0], phone=first.members[0].phone[:-1] + digit)
    new = replace(first, instance=new_instance(), root=first.root_id if with_root else None,
                  deprecated=first.instance, consent="contact", members=(son, *first.members[1:]))
    return Batch(b.tag, [new, *b.subs[1:]])


# -- Kobo ------------------------------------------------------------------------------------

_KOBO_MAIN = ["start", "end", "respondent_name", "respondent_phone", "consent",
              "consent/contact", "consent/research", "__version__", "meta/instanceID",
              "meta/rootUuid", "meta/deprecatedID", "_id", "_uuid", "_submission_time",
              "_validation_status", "_notes", "_status", "_submitted_by", "_tags", "_index"]
_KOBO_MEMBER = [f"member/{q}" for q in MEMBER_QUESTIONS] + [
    "_index", "_parent_table_name", "_parent_index", "_submission__id", "_submission__uuid",
    "_submission__submission_time", "_submission__validation_status", "_submission__notes",
    "_submission__status", "_submission__submitted_by", "_submission__tags"]


def _kobo_row(s: Household, index: int) -> list:
    ticked = s.consent.split()
    return ["2024-07-02T10:04:11.000+05:45", "2024-07-02T10:19:40.000+05:45", s.name, s.phone,
            s.consent, int("contact" in ticked), int("research" in ticked), KOBO_VERSION,
            s.instance, s.root or "", s.deprecated or "", 2000 + index,
            s.instance.removeprefix("uuid:"), "2024-07-02T04:35:02", "", "", "submitted_via_web",
            "enumerator_3", "", index]


def _kobo_members(b: Batch) -> list[list]:
    rows, j = [], 0
    for i, s in enumerate(b.subs, 1):
        for m in s.members:
            j += 1
            rows.append([*m.answers(), j, "household_roster", i, 2000 + i,
                         s.instance.removeprefix("uuid:"), "2024-07-02T04:35:02", "", "",
                         "submitted_via_web", "enumerator_3", ""])
    return rows


def _csv(rows: list[list], delimiter: str = ",") -> bytes:
    out = io.StringIO()
    w = csv.writer(out, delimiter=delimiter)
    w.writerows(rows)
    return out.getvalue().encode()


def kobo_csv(b: Batch) -> tuple[tuple[str, bytes], list[tuple[str, bytes]]]:
    """Kobo's CSV (";"-separated, ``group/question`` headers), and the repeat's own CSV."""
    main = [_KOBO_MAIN, *(_kobo_row(s, i) for i, s in enumerate(b.subs, 1))]
    return (("household_roster_-_all_versions_-_False_-_2024-07-03-08-00-00.csv",
             _csv(main, ";")), [("member.csv", _csv([_KOBO_MEMBER, *_kobo_members(b)], ";"))])


def kobo_xlsx(b: Batch) -> tuple[tuple[str, bytes], list]:
    """Kobo's XLSX export: the main sheet, then the repeat group's sheet."""
    wb = Workbook()
    main = wb.active
    main.title = "Household survey (pyxform t"  # Kobo cuts a sheet's name to 31 characters
    main.append(_KOBO_MAIN)
    for i, s in enumerate(b.subs, 1):
        main.append(_kobo_row(s, i))
    members = wb.create_sheet("member")
    members.append(_KOBO_MEMBER)
    for row in _kobo_members(b):
        members.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return ("household_roster_-_all_versions.xlsx", buf.getvalue()), []


def kobo_json(b: Batch) -> tuple[tuple[str, bytes], list]:
    """Kobo's API (``/api/v2/assets/<uid>/data.json``): ``results``, the repeat a list."""
    results = []
    for i, s in enumerate(b.subs, 1):
        results.append({
            "_id": 2000 + i, "formhub/uuid": "5c8d1e6a0b7e4f2c9d3a1b0c2d4e6f80",
            "start": "2024-07-02T10:04:11.000+05:45", "end": "2024-07-02T10:19:40.000+05:45",
            "respondent_name": s.name, "respondent_phone": s.phone,
            **({"consent": s.consent} if s.consent else {}),
            "member": [{f"member/{q}": v for q, v in zip(MEMBER_QUESTIONS, m.answers(), strict=True)
                        if v != ""} for m in s.members],
            "__version__": KOBO_VERSION, "meta/instanceID": s.instance,
            **({"meta/rootUuid": s.root} if s.root else {}),
            **({"meta/deprecatedID": s.deprecated} if s.deprecated else {}),
            "_xform_id_string": FORM_ID, "_uuid": s.instance.removeprefix("uuid:"),
            "_attachments": [], "_status": "submitted_via_web", "_geolocation": [None, None],
            "_submission_time": "2024-07-02T04:35:02", "_tags": [], "_notes": [],
            "_validation_status": {}, "_submitted_by": "enumerator_3",
        })
    return ("data.json", json.dumps({"count": len(results), "next": None, "previous": None,
                                     "results": results}, ensure_ascii=False).encode()), []


# -- ODK Central -----------------------------------------------------------------------------

def odk_csv(b: Batch) -> tuple[tuple[str, bytes], list[tuple[str, bytes]]]:
    """ODK Central's CSV zip, unpacked: the main file and ``household_roster-member.csv``.
    ``KEY`` is the submission's id through edits."""
    main = [["SubmissionDate", "start", "end", "respondent_name", "respondent_phone", "consent",
             "meta-instanceID", "KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent",
             "AttachmentsExpected", "Status", "ReviewState", "DeviceID", "Edits", "FormVersion"]]
    members = [[*MEMBER_QUESTIONS, "PARENT_KEY", "KEY"]]
    for s in b.subs:
        key = s.root_id
        main.append(["2024-07-02T04:35:02.118Z", "2024-07-02T10:04:11.000+05:45",
                     "2024-07-02T10:19:40.000+05:45", s.name, s.phone, s.consent, s.instance,
                     key, "23", "enumerator 3", "0", "0", "", "edited" if s.deprecated else "",
                     "collect:Qm7c2Lx9Pa4Vn8Tz", "1" if s.deprecated else "0", VERSION])
        for i, m in enumerate(s.members, 1):
            members.append([*m.answers(), key, f"{key}/member[{i}]"])
    return (("household_roster.csv", _csv(main)),
            [("household_roster-member.csv", _csv(members))])


def odk_odata(b: Batch) -> tuple[tuple[str, bytes], list]:
    """ODK Central's OData feed (``Submissions?$expand=*``): ``__id`` is the submission's id
    through edits, groups are objects, the repeat a list."""
    value = []
    for s in b.subs:
        key = s.root_id
        value.append({
            "__id": key, "start": "2024-07-02T10:04:11.000+05:45",
            "end": "2024-07-02T10:19:40.000+05:45", "respondent_name": s.name,
            "respondent_phone": s.phone, "consent": s.consent or None,
            "member@odata.navigationLink": f"Submissions('{key}')/member",
            "member": [{"__id": uuid.uuid5(uuid.NAMESPACE_URL, f"{key}/{i}").hex,
                        "__Submissions-id": key,
                        **{q: (v if v != "" else None)
                           for q, v in zip(MEMBER_QUESTIONS, m.answers(), strict=True)}}
                       for i, m in enumerate(s.members)],
            "meta": {"instanceID": s.instance,
                     **({"deprecatedID": s.deprecated} if s.deprecated else {})},
            "__system": {"submissionDate": "2024-07-02T04:35:02.118Z", "updatedAt": None,
                         "submitterId": "23", "submitterName": "enumerator 3",
                         "attachmentsPresent": 0, "attachmentsExpected": 0, "status": None,
                         "reviewState": "edited" if s.deprecated else None,
                         "deviceId": "collect:Qm7c2Lx9Pa4Vn8Tz",
                         "edits": 1 if s.deprecated else 0, "formVersion": VERSION},
        })
    return ("Submissions.json", json.dumps({
        "@odata.context": "https://central.example/v1/projects/4/forms/household_roster.svc/"
                          "$metadata#Submissions", "value": value}, ensure_ascii=False).encode()), []


def odk_odata_feeds(b: Batch) -> tuple[tuple[str, bytes], list[tuple[str, bytes]]]:
    """ODK Central's OData without ``$expand``: ``Submissions`` with a navigation link for
    the repeat, and the repeat's own feed ``Submissions.member`` (``__Submissions-id``)."""
    (name, data), _ = odk_odata(b)
    doc = json.loads(data)
    rows = [row for sub in doc["value"] for row in sub.pop("member")]
    feed = {"@odata.context": doc["@odata.context"].replace("#Submissions",
                                                            "#Submissions.member"),
            "value": rows}
    return ((name, json.dumps(doc, ensure_ascii=False).encode()),
            [("Submissions.member.json", json.dumps(feed, ensure_ascii=False).encode())])


FORMATS = {"kobo_csv": kobo_csv, "kobo_xlsx": kobo_xlsx, "kobo_json": kobo_json,
           "odk_csv": odk_csv, "odk_odata": odk_odata, "odk_odata_feeds": odk_odata_feeds}


def run_import(app, collective_id, b: Batch[Household], fmt: str, *, dry_run: bool,
               known=None):
    """Import a batch in one of ``FORMATS`` with the form and its mapping."""
    return import_files(app, collective_id, FORMATS[fmt](b), (FORM.name, FORM.read_bytes()),
                        (MAPPING.name, MAPPING.read_bytes()), dry_run=dry_run, known=known)


def landed(app, collective_id, sub: Household):
    return ledger(app, collective_id, FORM_ID, sub)
