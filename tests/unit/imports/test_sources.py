"""Reading the Worker intake XLSForm and its exports, with no database: questions, choices,
labels per language and repeat groups from pyxform; the same submissions from Kobo CSV,
XLSX and JSON and from ODK Central's CSV files; device, submitter and attachment data
dropped as they are read."""

from __future__ import annotations

import pytest

from organize.imports.errors import ImportFailed
from organize.imports.form import read_form
from organize.imports.sources import read_submissions
from tests.integration.imports import support as s

FORM = read_form(s.FORM)


def test_the_form():
    assert (FORM.id, FORM.version, FORM.repeats) == ("worker_intake", "2024061501",
                                                      ("jobs", "coworkers"))
    assert FORM.questions["sector"].repeat == "jobs"
    assert FORM.questions["consent"].type == "select all that apply"
    assert FORM.questions["name"].labels["Arabic (ar)"] == "الاسم"
    assert FORM.choices["problem"]["passport"]["Nepali (ne)"] == "राहदानी खोसिएको"


def _read(fmt: str, b):
    if fmt == "kobo_csv":
        return read_submissions(FORM, s.kobo_csv(b))
    main, extra = s.FORMATS[fmt](b)
    return read_submissions(FORM, main, extra)


@pytest.mark.parametrize("fmt", ["kobo_csv", *s.FORMATS])
def test_every_export_reads_the_same(fmt):
    b = s.edited(s.batch())
    subs = _read(fmt, b)
    assert len(subs) == 4
    first = subs[0]
    assert first.values["name"] == b.subs[0].name and first.values["consent"] == "contact research"
    assert first.root_id.removeprefix("uuid:") == b.subs[0].root_id.removeprefix("uuid:")
    assert first.values["location"].split()[:2] == b.subs[0].location.split()[:2]
    for sub in subs:  # never the device, the submitter or an attachment
        assert not {"deviceid", "_submitted_by", "SubmitterName", "DeviceID", "_attachments",
                    "start", "_geolocation"} & set(sub.values)
        assert b.subs[0].device not in repr(sub) and "field_officer_7" not in repr(sub)
    if fmt != "kobo_csv":  # Kobo's CSV export has no repeat groups
        assert [j["sector"] for j in subs[1].repeats["jobs"]] == ["garment", "construction"]
        assert subs[0].repeats["coworkers"] == [{"coworker_name": b.subs[0].coworkers[0][0],
                                                 "coworker_phone": b.subs[0].coworkers[0][1]}]


def test_odk_central_odata_json_nests_groups():
    doc = b'''{"value": [{"__id": "uuid:root-1", "name": "Asha", "meta": {"instanceID": "uuid:v2",
      "deprecatedID": "uuid:v1"}, "jobs": [{"sector": "garment"}],
      "__system": {"submitterName": "officer", "deviceId": "collect:abc"}}]}'''
    (sub,) = read_submissions(FORM, ("odata.json", doc))
    assert (sub.root_id, sub.instance_id, sub.deprecated_id) == ("uuid:root-1", "uuid:v2", "uuid:v1")
    assert sub.values == {"name": "Asha"} and sub.repeats == {"jobs": [{"sector": "garment"}]}


def test_odk_central_odata_geopoint_is_geojson_longitude_first():
    doc = b'''{"value": [{"__id": "uuid:root-1", "name": "Asha", "location": {"type": "Point",
      "coordinates": [85.324, 27.7172, 1300], "properties": {"accuracy": 5}}}]}'''
    (sub,) = read_submissions(FORM, ("odata.json", doc))
    assert sub.values["location"] == "27.7172 85.324 1300 5"


@pytest.mark.parametrize("name, data, code", [
    ("data.pdf", b"%PDF", "format"),
    ("data.csv", "name\nAsha\n".encode("utf-16"), "encoding"),
    ("data.json", b"{not json", "json"),
    ("data.xlsx", b"not a workbook", "xlsx"),
])
def test_files_that_cannot_be_read_say_so(name, data, code):
    with pytest.raises(ImportFailed) as e:
        read_submissions(FORM, (name, data))
    assert e.value.code == code
