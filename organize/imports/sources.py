"""Submissions as the tools export them, made one shape: ``Submission``.

- Kobo: CSV or XLSX (repeat groups on their own sheets, joined by ``_parent_index`` to the
  main sheet's ``_index``), or JSON (the API's ``results``, repeats as nested lists);
  columns are ``group/question``, ids ``_uuid`` and ``meta/instanceID`` /
  ``meta/rootUuid`` / ``meta/deprecatedID``.
- ODK Central: CSV with one file per repeat group (``form-repeat.csv``, joined by
  ``PARENT_KEY`` to ``KEY``), columns ``group-question``; or the OData JSON (``value``),
  repeats inline (``$expand=*``) or in their own feed (``Submissions.repeat``, joined by
  ``__Submissions-id`` to ``__id``), a geopoint as GeoJSON (longitude first).
- A plain CSV / XLSX with a header row (no form): its columns are its questions.

Only a form's questions and the ids are kept; device ids, ``_submitted_by``,
``SubmitterName``, attachments and the rest are dropped here, before anything maps them.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from organize.imports.errors import ImportFailed
from organize.imports.form import METADATA, Form

# Id columns, by their last path segment. A submission keeps its root id through edits
# (Kobo's ``meta/rootUuid``, ODK Central's ``KEY`` and OData ``__id``); each version has its
# own instance id, and an edit may name the version it replaces (``deprecatedID``).
INSTANCE = ("instanceID", "_uuid")
ROOTS = ("rootUuid", "KEY", "__id")
DEPRECATED = "deprecatedID"
# A geopoint split into columns: ODK Central's ``q-Latitude`` and Kobo's ``_q_latitude``.
_SPLIT_GPS = (("-Latitude", "-Longitude", ""), ("_latitude", "_longitude", "_"))
_IDS = frozenset((*INSTANCE, *ROOTS, DEPRECATED))
_ROW_KEYS = ("_index", "KEY")  # what a repeat row's parent key points at
_PARENT_KEYS = ("_parent_index", "PARENT_KEY")
MAX_ROWS = 200_000
# A workbook is read whole, as a grid from its first cell to its last: one cell written at
# XFD1048576 makes a file of a kilobyte a grid of 17 billion cells. Refused before reading.
MAX_CELLS = 5_000_000
MAX_UNZIPPED = 128 * 1024 * 1024  # the workbook's parts, decompressed (a zip bomb)
_CELL_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\sr="([A-Z]{1,3})([0-9]{1,7})"')
_ROW_REF = re.compile(rb'<(?:\w+:)?row\b[^>]*?\sr="([0-9]{1,7})"')
_CELL = re.compile(rb'<(?:\w+:)?c[\s>/]')
# An OpenDocument sheet repeats a row or a cell by count: the grid reaches its last cell
# with a value.
_ODS = re.compile(rb'<table:table[\s>]|<table:table-row\b([^>]*)>|<table:table-cell\b([^>]*)>')
_REPEATED = re.compile(rb'number-(?:rows|columns)-repeated="([0-9]{1,9})"')


@dataclass
class Submission:
    line: int  # the row's line in its file (the header is line 1)
    values: dict[str, str]
    repeats: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    instance_id: str | None = None
    root_id: str | None = None
    deprecated_id: str | None = None


def _name(column: str) -> str:
    return column.rsplit("/", 1)[-1]


def _keep(form: Form | None, name: str) -> bool:
    if form is None:
        return True
    q = form.question(name)
    return q is not None and q.type not in METADATA


def _plain(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):  # a select_multiple as JSON sometimes gives
        return " ".join(str(v) for v in value)
    return str(value).strip()


def _resolve(form: Form | None, column: str) -> str:
    """A column's question name: ``group/q`` (Kobo), ``group-q`` (ODK Central) or ``q``."""
    name = _name(column)
    if form is not None and form.question(name) is None and "-" in name:
        tail = name.rsplit("-", 1)[-1]
        if form.question(tail) is not None or tail in (*INSTANCE, *ROOTS, DEPRECATED):
            return tail
    return name


def _submission(form: Form | None, line: int, record: dict, id_column: str | None) -> Submission:
    sub = Submission(line=line, values={})
    for column, value in record.items():
        name = _resolve(form, column)
        text = _plain(value)
        if id_column is not None and column == id_column:
            sub.instance_id = text or None
        elif name in INSTANCE and id_column is None:
            sub.instance_id = sub.instance_id or text or None
        elif name in ROOTS:
            sub.root_id = sub.root_id or text or None
        elif name == DEPRECATED:
            sub.deprecated_id = text or None
        if _keep(form, name) and name not in sub.values and name not in _IDS:
            sub.values[name] = text  # the ids only ever as keyed digests (``plan``)
    _join_gps(form, record, sub.values)
    return sub


def _join_gps(form: Form | None, record: dict, values: dict[str, str]) -> None:
    if form is None:
        return
    for q in form.questions.values():
        if q.type != "geopoint" or values.get(q.name):
            continue
        for lat, lon, lead in _SPLIT_GPS:
            found = {_name(k): _plain(v) for k, v in record.items()}
            a, b = found.get(f"{lead}{q.name}{lat}"), found.get(f"{lead}{q.name}{lon}")
            if a and b:
                values[q.name] = f"{a} {b}"
                break


def _rows_from_table(rows: list[list]) -> list[tuple[int, dict]]:
    if not rows:
        return []
    header = [_plain(h) for h in rows[0]]
    out = []
    for i, row in enumerate(rows[1:], start=2):
        cells = list(row) + [""] * (len(header) - len(row))
        if any(_plain(c) for c in cells):
            out.append((i, {h: cells[j] for j, h in enumerate(header) if h}))
    if len(out) > MAX_ROWS:
        raise ImportFailed(f"The file has more than {MAX_ROWS:,} rows; split it.", code="size")
    return out


def _csv_rows(data: bytes) -> list[tuple[int, dict]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFailed("The CSV file is not UTF-8 text; export it again as UTF-8.",
                           code="encoding") from None
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = list(csv.reader(io.StringIO(text), dialect))
    except csv.Error:  # a cell over the csv module's limit (128 KB), or a broken quote
        raise ImportFailed("The CSV file could not be read: a cell is too long or its "
                           "quotes are broken.", code="csv") from None
    return _rows_from_table(rows)


def _column(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _check_workbook(data: bytes) -> None:
    """Refuse a workbook whose sheets span more than ``MAX_CELLS`` cells, or whose parts
    decompress to more than ``MAX_UNZIPPED`` bytes, before anything reads it whole. A file
    that is no zip (an old .xls) is left to the reader."""
    too_big = ImportFailed(f"The spreadsheet is too big: more than {MAX_CELLS:,} cells; "
                           "split it.", code="size")
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return
    unzipped = 0
    with book:
        for info in book.infolist():
            sheet = info.filename.startswith("xl/worksheets/")
            content = bytearray() if info.filename == "content.xml" else None
            rows = cols = cells = 0
            try:
                with book.open(info) as part:
                    tail = b""
                    while chunk := part.read(1 << 20):
                        unzipped += len(chunk)
                        if unzipped > MAX_UNZIPPED:
                            raise too_big
                        if sheet:
                            text = tail + chunk
                            for letters, row in _CELL_REF.findall(text):
                                cols, rows = max(cols, _column(letters)), max(rows, int(row))
                            rows = max([rows, *map(int, _ROW_REF.findall(text))])
                            cells += len(_CELL.findall(chunk))
                            if max(rows * max(cols, 1), cells) > MAX_CELLS:
                                raise too_big
                            tail = chunk[-64:]
                        if content is not None:
                            content += chunk
                if content is not None and _ods_cells(bytes(content)) > MAX_CELLS:
                    raise too_big
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError):
                raise ImportFailed("The spreadsheet could not be read.", code="xlsx") from None


def _ods_cells(content: bytes) -> int:
    """The largest grid of a sheet in an OpenDocument ``content.xml``: rows up to its last
    with a value, times columns up to the last cell with a value in any row."""
    most = rows = width = row_at = col_at = 0
    repeat_row = 1
    for m in _ODS.finditer(content):
        row_attrs, cell_attrs = m.group(1), m.group(2)
        if row_attrs is None and cell_attrs is None:  # a new sheet
            most, rows, width, row_at = max(most, rows * width), 0, 0, 0
        elif row_attrs is not None:
            found = _REPEATED.search(row_attrs)
            row_at, col_at = row_at + repeat_row, 0
            repeat_row = int(found.group(1)) if found else 1
        else:
            found = _REPEATED.search(cell_attrs)
            col_at += int(found.group(1)) if found else 1
            if b"value-type" in cell_attrs:
                rows, width = row_at + repeat_row - 1, max(width, col_at)
    return max(most, rows * width)


def _xlsx_sheets(data: bytes) -> dict[str, list[tuple[int, dict]]]:
    from python_calamine import CalamineError, CalamineWorkbook

    _check_workbook(data)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        return {name: _rows_from_table(book.get_sheet_by_name(name).to_python())
                for name in book.sheet_names}
    except (CalamineError, ValueError) as e:
        raise ImportFailed(f"The spreadsheet could not be read: {e}", code="xlsx") from None


def _parent_key(column: str) -> bool:
    """A repeat row's pointer at its submission: Kobo's ``_parent_index``, ODK Central's
    CSV ``PARENT_KEY`` or OData ``__Submissions-id``."""
    return _name(column) in _PARENT_KEYS or (column.startswith("__Submissions")
                                             and column.endswith("-id"))


def _attach(form: Form | None, subs: list[Submission], keyed: dict[str, Submission],
            repeat: str, rows: Iterable[tuple[int, dict]]) -> None:
    for _line, record in rows:
        parent = next((_plain(record[k]) for k in record if _parent_key(k)), None)
        owner = keyed.get(parent or "")
        if owner is None:
            continue  # a repeat row of a submission not in this file
        values = {}
        for column, value in record.items():
            name = _resolve(form, column)
            if _keep(form, name) and (form is None or form.questions[name].repeat == repeat):
                values[name] = _plain(value)
        owner.repeats.setdefault(repeat, []).append(values)


def _keyed(subs: list[Submission], rows: list[tuple[int, dict]]) -> dict[str, Submission]:
    out: dict[str, Submission] = {}
    for sub, (_line, record) in zip(subs, rows, strict=True):
        for column, value in record.items():
            if _name(column) in _ROW_KEYS:
                out[_plain(value)] = sub
    return out


def _repeat_of(form: Form | None, label: str) -> str | None:
    if form is None:
        return None
    for repeat in form.repeats:
        # Kobo names a sheet by the repeat (cut to 31 characters); ODK Central a file
        # ``form-repeat.csv``; its OData feed ``Submissions.repeat``.
        if label == repeat or label[:31] == repeat[:31] or label.endswith(("-" + repeat,
                                                                           "." + repeat)):
            return repeat
    return None


def _json_records(data: bytes) -> list:
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError):  # broken, not UTF-8, nested too deep, a huge number
        raise ImportFailed("The JSON file could not be read.", code="json") from None
    records = doc.get("results", doc.get("value")) if isinstance(doc, dict) else doc
    if not isinstance(records, list):
        raise ImportFailed("The JSON file holds no list of submissions.", code="json")
    return records


def _from_json(form: Form | None, data: bytes, id_column: str | None) -> list[Submission]:
    records = _json_records(data)
    subs = []
    for i, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            continue
        flat, repeats = _flatten(form, record)
        sub = _submission(form, i, flat, id_column)
        for repeat, items in repeats.items():
            sub.repeats[repeat] = [
                {n: v for n, v in ((_resolve(form, k), _plain(v)) for k, v in _flatten(form, it)[0].items())
                 if _keep(form, n)} for it in items]
        subs.append(sub)
    return subs


def _flatten(form: Form | None, record: dict, prefix: str = "") -> tuple[dict, dict]:
    """Groups (nested objects) flattened; repeat groups (lists of objects) set aside."""
    flat: dict = {}
    repeats: dict[str, list] = {}
    for key, value in record.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value.get("type") == "Point" \
                and isinstance(value.get("coordinates"), list):
            lon, lat, *rest = [*value["coordinates"], None, None][:3]  # OData's GeoJSON
            accuracy = (value.get("properties") or {}).get("accuracy")
            flat[path] = " ".join(str(x) for x in (lat, lon, *rest, accuracy) if x is not None)
        elif isinstance(value, dict):
            inner, more = _flatten(form, value, path + "/")
            flat.update(inner)
            repeats.update(more)
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            repeat = _repeat_of(form, _name(path)) or _name(path)
            repeats[repeat] = value
        else:
            flat[path] = value
    return flat, repeats


def _json_submissions(form: Form | None, data: bytes, extra: Iterable[tuple[str, bytes]],
                      id_column: str | None) -> list[Submission]:
    subs = _from_json(form, data, id_column)
    keyed = {sub.root_id or sub.instance_id or "": sub for sub in subs}
    for extra_name, extra_data in extra:
        repeat = _repeat_of(form, Path(extra_name).stem)
        if repeat is not None:
            _attach(form, subs, keyed, repeat,
                    [(i, _flatten(form, r)[0]) for i, r in
                     enumerate(_json_records(extra_data), 1) if isinstance(r, dict)])
    return subs


def read_submissions(form: Form | None, main: tuple[str, bytes],
                     extra: Iterable[tuple[str, bytes]] = (),
                     id_column: str | None = None) -> list[Submission]:
    """The submissions in ``main`` (file name, bytes), with repeat rows from ``extra``
    files (ODK Central's ``form-repeat.csv``) or from the workbook's other sheets."""
    name, data = main
    suffix = Path(name).suffix.lower()
    if suffix == ".json":  # repeats inline, or ODK Central's ``Submissions.repeat`` feeds
        try:
            return _json_submissions(form, data, extra, id_column)
        except RecursionError:  # groups nested deeper than any form makes
            raise ImportFailed("The JSON file could not be read.", code="json") from None
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        sheets = _xlsx_sheets(data)
        first, *rest = list(sheets) or [""]
        rows = sheets.get(first, [])
        others = [(sheet, sheets[sheet]) for sheet in rest]
    elif suffix in (".csv", ".txt"):
        rows = _csv_rows(data)
        others = []
    else:
        raise ImportFailed("Choose a .csv, .xlsx or .json file.", code="format")
    for extra_name, extra_data in extra:
        others.append((Path(extra_name).stem, _csv_rows(extra_data)))
    subs = [_submission(form, line, record, id_column) for line, record in rows]
    keyed = _keyed(subs, rows)
    for label, repeat_rows in others:
        repeat = _repeat_of(form, label)
        if repeat is not None:
            _attach(form, subs, keyed, repeat, repeat_rows)
    return subs
