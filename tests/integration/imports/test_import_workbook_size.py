"""A workbook is read whole, as a grid from its first cell to its last: one cell far away
makes a file of a kilobyte a grid of billions of cells. Such a workbook is refused before it
is read, with a plain message."""

from __future__ import annotations

import io
import zipfile

import pytest

from organize.imports.errors import ImportFailed
from organize.imports.sources import read_submissions

_NS = "http://schemas.openxmlformats.org/"
PARTS = {
    "[Content_Types].xml":
        f'<?xml version="1.0"?><Types xmlns="{_NS}package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
        'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/></Types>',
    "_rels/.rels":
        f'<?xml version="1.0"?><Relationships xmlns="{_NS}package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_NS}officeDocument/2006/relationships/'
        'officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml":
        f'<?xml version="1.0"?><workbook xmlns="{_NS}spreadsheetml/2006/main" '
        f'xmlns:r="{_NS}officeDocument/2006/relationships"><sheets><sheet name="S" '
        'sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels":
        f'<?xml version="1.0"?><Relationships xmlns="{_NS}package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_NS}officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/></Relationships>',
}


def workbook(last_cell: str, last_row: int) -> bytes:
    """A header cell at A1 and one more cell at ``last_cell``."""
    sheet = (f'<?xml version="1.0"?><worksheet xmlns="{_NS}spreadsheetml/2006/main">'
             '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c></row>'
             f'<row r="{last_row}"><c r="{last_cell}" t="inlineStr"><is><t>x</t></is></c>'
             '</row></sheetData></worksheet>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in {**PARTS, "xl/worksheets/sheet1.xml": sheet}.items():
            z.writestr(name, text)
    return buf.getvalue()


def test_a_small_workbook_reads():
    subs = read_submissions(None, ("d.xlsx", workbook("A3", 3)))
    assert [s.values for s in subs] == [{"name": "x"}]


def test_a_workbook_spanning_millions_of_cells_is_refused_before_it_is_read():
    data = workbook("Z400000", 400_000)  # 10.4 million cells from 1.4 KB
    assert len(data) < 2048
    with pytest.raises(ImportFailed) as e:
        read_submissions(None, ("d.xlsx", data))
    assert e.value.code == "size" and "too big" in e.value.message


def ods(rows: int, cols: int) -> bytes:
    """An OpenDocument sheet: a header, then one cell with a value repeated ``cols`` times on
    a row repeated ``rows`` times."""
    ns = "urn:oasis:names:tc:opendocument:xmlns"
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office='
        f'"{ns}:office:1.0" xmlns:table="{ns}:table:1.0" xmlns:text="{ns}:text:1.0" '
        'office:version="1.2"><office:body><office:spreadsheet><table:table table:name="S">'
        '<table:table-row><table:table-cell office:value-type="string"><text:p>name</text:p>'
        f'</table:table-cell></table:table-row><table:table-row table:number-rows-repeated='
        f'"{rows}"><table:table-cell table:number-columns-repeated="{cols}" '
        'office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>'
        '</table:table></office:spreadsheet></office:body></office:document-content>')
    manifest = (f'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
                f'"{ns}:manifest:1.0"><manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" '
                'manifest:media-type="text/xml"/></manifest:manifest>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content)
        z.writestr("META-INF/manifest.xml", manifest)
    return buf.getvalue()


def test_an_opendocument_sheet_repeating_a_cell_millions_of_times_is_refused():
    assert len(read_submissions(None, ("d.ods", ods(10, 3)))) == 10
    with pytest.raises(ImportFailed) as e:
        read_submissions(None, ("d.ods", ods(3000, 2000)))  # 6 million cells from 1.4 KB
    assert e.value.code == "size"
