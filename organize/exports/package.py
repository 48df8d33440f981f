"""Writing a release: the table as CSV (with an HXL hashtag row), as Parquet, or as a
Frictionless Data Package; always with ``manifest.json`` and the caveat in ``README.md``.

Only what ``ReleaseTable.records`` yields is written: codes, periods and counts
of at least k. The manifest carries parameters, the position in the event log and the mechanism, never
a hidden value, nor how many cells were hidden.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

FORMATS = ("csv", "parquet", "datapackage")
TABLE = "grievance_trends"

CAVEAT = (
    "Low counts do not mean little abuse. Most grievances are never reported: workers fear "
    "retaliation, counter-charges, losing their visa or being deported, and many cannot reach "
    "a collective at all. These tables count only grievances recorded by collectives, and only "
    "of workers who consented to research; small counts are hidden. Read a rise as more women "
    "daring to speak or more organising reaching them, as much as more abuse; read a fall or "
    "a gap with the same care."
)

_HXL = {
    ("period", "month"): "#date+month", ("period", "quarter"): "#date+quarter",
    ("period", "year"): "#date+year",
    ("place", "region"): "#adm1+code", ("place", "country"): "#country+code",
    ("category", "category"): "#x_category", ("category", "group"): "#x_category+group",
    ("sector", None): "#sector", ("stage", None): "#x_stage", ("outcome", None): "#x_outcome",
    ("escalation", None): "#x_escalation",
    ("owed", None): "#x_owed+band", ("recovered", None): "#x_recovered+band",
    ("count", None): "#indicator+grievances+num",
}

_DESCRIPTIONS = {
    "period": "When the grievances happened ({grain}); 'all' on a margin.",
    "place": "Where ({grain} code, ISO 3166 style); 'all' on a margin.",
    "category": "Grievance {grain} (code of the organize taxonomy); 'all' on a margin.",
    "sector": "Sector of work (taxonomy code); 'all' on a margin.",
    "stage": "Migration stage (taxonomy code); 'all' on a margin.",
    "outcome": "Outcome as of the export position ('none' while open; status-revealing "
               "outcomes are 'withheld'); 'all' on a margin.",
    "escalation": "Whether the grievance was escalated; 'all' on a margin.",
    "owed": "Money the worker was owed, as a band: ISO 4217 currency and a range (at least the "
            "first number, below the second); 'none' when no amount was recorded; 'all' on a "
            "margin. Never an amount.",
    "recovered": "Money recovered, as a band like 'owed'; 'none' when none was recorded; 'all' "
                 "on a margin. Never an amount.",
    "count": "Number of grievances, perturbed (cell-key method) or with noise (differential "
             "privacy); always at least k. A combination not listed is below k, perhaps zero.",
}


def columns(table: Any) -> list[str]:
    return [*table.by, "count"]


def hxl_tag(table: Any, column: str) -> str:
    return _HXL.get((column, table.grains.get(column)), _HXL.get((column, None), ""))


def write_csv(table: Any, path: Path) -> None:
    cols = columns(table)
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(cols)
        out.writerow([hxl_tag(table, c) for c in cols])
        for rec in table.records():
            out.writerow([rec[c] for c in cols])


def write_parquet(table: Any, path: Path, manifest: dict[str, Any]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    records = table.records()
    arrays = {d: pa.array([r[d] for r in records], pa.string()) for d in table.by}
    arrays["count"] = pa.array([r["count"] for r in records], pa.int64())
    metadata = {b"organize.manifest": json.dumps(manifest).encode(),
                b"organize.caveat": CAVEAT.encode()}
    arrow = pa.table(arrays).replace_schema_metadata(metadata)
    pq.write_table(arrow, path)


def table_schema(table: Any) -> dict[str, Any]:
    fields: list[dict[str, Any]] = []
    for c in columns(table):
        grain = table.grains.get(c, "")
        desc = _DESCRIPTIONS[c].format(grain=grain)
        if c == "count":
            fields.append({"name": c, "type": "integer", "description": desc,
                           "constraints": {"minimum": 0, "required": True}})
        else:
            fields.append({"name": c, "type": "string", "description": desc,
                           "constraints": {"required": True}})
        fields[-1]["hxl"] = hxl_tag(table, c)
    return {"fields": fields, "missingValues": [""]}


def write_datapackage(table: Any, directory: Path, manifest: dict[str, Any]) -> None:
    package = {
        "name": "organize-grievance-trends",
        "title": "Anonymised grievance trends",
        "description": CAVEAT,
        "version": "1.0.0",
        "created": manifest["created"],
        "licenses": [{"name": "ODC-BY-1.0", "title": "Open Data Commons Attribution License 1.0",
                      "path": "https://opendatacommons.org/licenses/by/1-0/"}],
        "resources": [{
            "name": TABLE,
            "path": f"{TABLE}.csv",
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "description": "Grievance counts with their margins, each period on its own; the "
                           "second row holds HXL hashtags. A combination not listed is below "
                           "k, perhaps zero.",
            "dialect": {"header": True, "headerRows": [1], "commentRows": [2]},
            "schema": table_schema(table),
        }],
        "organize": {"manifest": "manifest.json"},
    }
    (directory / "datapackage.json").write_text(json.dumps(package, indent=2) + "\n",
                                               encoding="utf-8")


FEW_PUBLISHED = 3


def _mostly_hidden(manifest: dict[str, Any]) -> list[str]:
    """A word of advice when almost nothing reached k: the table is too fine for the data.
    (How many cells were hidden is not said: that would count who is in them.)"""
    sup = manifest["suppression"]
    if sup["published_cells"] >= FEW_PUBLISHED:
        return []
    return [
        f"**Almost nothing is published** ({sup['published_cells']} counts of at least k = "
        f"{sup['k']}): there are too few grievances for this many dimensions. Ask for fewer "
        "dimensions, coarser grains or longer periods.", "",
    ]


def readme(manifest: dict[str, Any]) -> str:
    p = manifest["parameters"]
    mech = manifest["mechanism"]
    lines = [
        "# Anonymised grievance trends", "",
        "## Read this first", "", CAVEAT, "",
        "## What is in here", "",
        f"- `{TABLE}.*`: counts by {', '.join(p['by'])} "
        f"(grains: {', '.join(f'{k} {v}' for k, v in p['grains'].items())}), one table per "
        f"whole, closed period from {p['since']} to {p['until']}.",
        "  Rows with `all` are totals within one period. Only counts of at least k are listed:",
        "  a combination that is not listed is below k, perhaps zero.",
        "- `manifest.json`: how this release was made, at which position of the event log, the",
        "  mechanism, the privacy budget, and the checks it passed.",
        "",
        *_mostly_hidden(manifest),
        "## Disclosure control", "",
        f"- No published count is below k = {p['k']}, and no zero is published: which cells hold "
        "someone would itself tell too much.",
    ]
    if mech["name"] == "differential_privacy":
        lines += [f"- Differential privacy: epsilon {mech['epsilon']} per grievance, "
                  f"{mech['mechanism']}; 95% of cells lie within {mech['ci95']} of the true count "
                  f"before suppression (expected error per cell {mech['expected_error_per_cell']})."]
    else:
        lines += ["- Every count is perturbed by the cell-key method: at most "
                  f"{mech['max_perturbation']} either way, {mech['expected_error_per_cell']} on "
                  "average, and always the same for the same grievances, in every table and "
                  "every release. Totals are perturbed too, so they are not the exact sums of "
                  "the cells."]
    lines += ["", "Asking again for this release hands back these same bytes.", ""]
    return "\n".join(lines)


def write(table: Any, directory: Path, manifest: dict[str, Any], fmt: str) -> list[str]:
    """Write the export in ``fmt`` into ``directory``; return the file names written."""
    directory.mkdir(parents=True, exist_ok=True)
    files = []
    if fmt in ("csv", "datapackage"):
        write_csv(table, directory / f"{TABLE}.csv")
        files.append(f"{TABLE}.csv")
    if fmt == "parquet":
        write_parquet(table, directory / f"{TABLE}.parquet", manifest)
        files.append(f"{TABLE}.parquet")
    if fmt == "datapackage":
        write_datapackage(table, directory, manifest)
        files.append("datapackage.json")
    manifest = {**manifest, "files": [*files, "manifest.json", "README.md"]}
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    (directory / "README.md").write_text(readme(manifest), encoding="utf-8")
    return manifest["files"]
