"""A workbook is read whole, as a grid from its first cell to its last: one cell far away
makes a file of a kilobyte a grid of billions of cells. Such a workbook is refused before it
is read, with a plain message."""

from __future__ import annotations

import pytest

from organize.imports.errors import ImportFailed
from organize.imports.sources import read_submissions
from tests.integration.imports.support import ods, workbook


def test_a_small_workbook_reads():
    subs = read_submissions(None, ("d.xlsx", workbook("A3", 3)))
    assert [s.values for s in subs] == [{"name": "x"}]


def test_a_workbook_spanning_millions_of_cells_is_refused_before_it_is_read():
    data = workbook("Z400000", 400_000)  # 10.4 million cells from 1.4 KB
    assert len(data) < 2048
    with pytest.raises(ImportFailed) as e:
        read_submissions(None, ("d.xlsx", data))
    assert e.value.code == "size" and "too big" in e.value.message


def test_an_opendocument_sheet_repeating_a_cell_millions_of_times_is_refused():
    assert len(read_submissions(None, ("d.ods", ods(10, 3)))) == 10
    with pytest.raises(ImportFailed) as e:
        read_submissions(None, ("d.ods", ods(3000, 2000)))  # 6 million cells from 1.4 KB
    assert e.value.code == "size"
