"""Research exports on a real PostgreSQL, attacked the ways issue 5 lists:

1. no cell below k ever appears;
2. suppressed cells cannot be solved back from the published margins (linear programming);
3. a differencing attack across two exports (suppression alone reveals; DP bounds it);
4. no pseudonym, name, description or id in any exported byte;
5. a worker who withdraws research consent (or is erased) leaves the next export.

Plus: the Data Package passes ``frictionless validate``, Parquet equals the CSV, an export
reproduces at its position, bad requests write nothing, and the CLI.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from scipy.optimize import linprog

from organize import commands as c
from organize.cli import main
from organize.exports.trend_export import export_trends
from organize.exports.trends import ExportError, TrendSpec
from tests.integration import helpers as h

pytestmark = pytest.mark.integration

MARK = "Zqx"  # in every pseudonym, description and organisation name of this world
FIXED = {"place": "region", "category": "category"}
BY = ("place", "category")
# (place, category) -> grievances by consenting workers. Small cells are the point.
CELLS = {
    ("HK", "wages_unpaid_late"): 14, ("HK", "documents_confiscated"): 12,
    ("HK", "excessive_hours"): 3, ("HK", "verbal_abuse"): 2,
    ("BD-DHA", "wages_unpaid_late"): 11, ("BD-DHA", "excessive_hours"): 12,
    ("BD-DHA", "documents_confiscated"): 4,
}


class World:
    def __init__(self, runtime):
        self.runtime = runtime
        app = runtime.app
        self.app = app
        self.collectives = {
            "HK": app.execute(h.create_collective(name=f"{MARK} HK", places=("HK",),
                                                  federation="fed-export")).id,
            "BD-DHA": app.execute(h.create_collective(
                name=f"{MARK} Dhaka", places=("BD-DHA",), sectors=("garment",),
                federation="fed-export")).id}
        self.employer = app.execute(h.create_organisation(name=f"{MARK} Employer Name")).id
        self.consenting = {p: [self.worker(p, consent=True) for _ in range(6)] for p in self.collectives}
        self.silent = self.worker("HK", consent=False)
        n = 0
        for (place, category), count in CELLS.items():
            for i in range(count):
                self.grievance(place, category, [self.consenting[place][i % 6]], n)
                n += 1
        for i in range(5):  # no research consent: never counted
            self.grievance("HK", "wages_unpaid_late", [self.silent], i)
        # Shared with a non-consenting worker: left out whole.
        self.grievance("HK", "wages_unpaid_late", [self.consenting["HK"][0], self.silent], 0)
        # Sensitive category: left out whole.
        self.grievance("HK", "made_undocumented", [self.consenting["HK"][1]], 0)

    def worker(self, place: str, *, consent: bool):
        wid = self.app.execute(h.register_worker(
            self.collectives[place], pseudonym=f"{MARK}-Pseudonym-{place}")).id
        if consent:
            self.app.execute(c.GiveConsent(command_id=h.cid(), worker_id=wid, purpose="research"))
        return wid

    def grievance(self, place, category, workers, i):
        sector = "domestic_care" if place == "HK" else "garment"
        return self.app.execute(h.raise_grievance(
            self.collectives[place], workers, place=place, category=category, sector=sector,
            occurred_on=date(2025, 1 + i % 12, 1), organisation_ids=(self.employer,),
            description=f"{MARK} secret description {i}")).id

    def settle(self):
        self.runtime.runner(["research_grievances"]).catch_up()
        return self.app.recorder.max_notification_id()


@pytest.fixture(scope="module")
def world(export_runtime):
    w = World(export_runtime)
    w.settle()
    return w


async def run(conn, world, tmp_path, name="x", fmt="datapackage", **kw):
    world.settle()
    spec = TrendSpec(**{"by": BY, "grains": FIXED, "k": 10, **kw})
    out = tmp_path / name
    manifest = await export_trends(conn, spec, out, fmt, taxonomy=world.app.taxonomy)
    return manifest, out


def read_csv(out: Path) -> tuple[list[str], list[str], list[dict]]:
    with (out / "grievance_trends.csv").open(encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, hxl, body = rows[0], rows[1], rows[2:]
    return header, hxl, [dict(zip(header, r, strict=True)) for r in body]


def published(records, by=BY):
    """{(place, category): count or None} including 'all' margins."""
    return {tuple(r[d] for d in by): (int(r["count"]) if r["count"] else None) for r in records}


# -- 1. no cell below k -----------------------------------------------------------------------

@pytest.mark.parametrize("k", [5, 10, 13])
async def test_no_published_count_is_below_k(export_conn, world, tmp_path, k):
    manifest, out = await run(export_conn, world, tmp_path, k=k)
    _, _, records = read_csv(out)
    counts = [int(r["count"]) for r in records if r["count"]]
    assert counts and all(n == 0 or n >= k for n in counts)
    # The small cells of this world are really there and really hidden.
    table = published(records)
    assert table[("HK", "excessive_hours")] is None and table[("HK", "verbal_abuse")] is None
    assert all(ch["passed"] for ch in manifest["checks"])
    assert all(r["suppressed"] == ("true" if not r["count"] else "false") for r in records)


async def test_counts_are_right_where_published(export_conn, world, tmp_path):
    _, out = await run(export_conn, world, tmp_path, k=5)
    table = published(read_csv(out)[2])
    # Consent, sharing with a non-consenting worker and the sensitive category all apply.
    shown = {e: n for e, n in table.items() if n is not None and "all" not in e and n}
    assert shown
    assert shown == {e: CELLS[e] for e in shown}
    assert table[("all", "all")] == sum(CELLS.values())
    assert ("HK", "made_undocumented") not in table


# -- 2. suppressed cells cannot be solved from the margins ------------------------------------

def attack(records, by=BY) -> dict[tuple[str, str], tuple[float, float]]:
    """The attacker's tightest bounds on every hidden entry, from the published numbers:
    each line (a place's row, a category's column, the totals) sums to its total where the
    total is published; hidden entries are >= 1 (zeros are published)."""
    table = published(records, by)
    rows = sorted({p for p, _ in table if p != "all"})
    cols = sorted({cat for _, cat in table if cat != "all"})
    entries = [(r, col) for r in [*rows, "all"] for col in [*cols, "all"]]
    hidden = [e for e in entries if table.get(e, 0) is None]
    index = {e: i for i, e in enumerate(hidden)}
    eq_a, eq_b = [], []

    def equation(line: list[tuple[str, str]], total: tuple[str, str]):
        # sum(line) - total = 0, with known numbers moved to the right-hand side
        a, b = np.zeros(len(hidden)), 0.0
        for e, sign in [*((x, 1) for x in line), (total, -1)]:
            v = table.get(e, 0)
            if v is None:
                a[index[e]] += sign
            else:
                b -= sign * v
        if a.any():
            eq_a.append(a)
            eq_b.append(b)

    for r in [*rows, "all"]:
        equation([(r, col) for col in cols], (r, "all"))
    for col in [*cols, "all"]:
        equation([(r, col) for r in rows], ("all", col))
    bounds = {}
    for e, i in index.items():
        objective = np.zeros(len(hidden))
        objective[i] = 1
        lo = linprog(objective, A_eq=np.array(eq_a), b_eq=eq_b, bounds=(1, None))
        hi = linprog(-objective, A_eq=np.array(eq_a), b_eq=eq_b, bounds=(1, None))
        assert lo.status == 0
        bounds[e] = (lo.fun, -hi.fun if hi.status == 0 else float("inf"))
    return bounds


async def test_suppressed_cells_cannot_be_solved_back(export_conn, world, tmp_path):
    _, out = await run(export_conn, world, tmp_path, k=10)
    bounds = attack(read_csv(out)[2])
    assert bounds, "the world has small cells, so something must be hidden"
    for entry, (lo, hi) in bounds.items():
        assert hi - lo >= 1 - 1e-6, f"{entry} pinned to [{lo}, {hi}]"


def test_the_attack_finds_a_cell_hidden_alone():
    # The attack itself can fail: hide one cell and publish its row total.
    records = [
        {"place": "HK", "category": "a", "count": "", "suppressed": "true"},
        {"place": "HK", "category": "b", "count": "20", "suppressed": "false"},
        {"place": "HK", "category": "all", "count": "23", "suppressed": "false"},
        {"place": "all", "category": "a", "count": "", "suppressed": "true"},
        {"place": "all", "category": "b", "count": "20", "suppressed": "false"},
        {"place": "all", "category": "all", "count": "23", "suppressed": "false"},
    ]
    lo, hi = attack(records)[("HK", "a")]
    assert round(lo) == round(hi) == 3


# -- 3. differencing ------------------------------------------------------------------------------

async def test_differencing_two_exports_reveals_one_grievance_without_dp(
        export_conn, world, tmp_path):
    """The residual risk of suppression alone, documented: a grievance added between two
    exports shows as +1 in a published cell. (DP bounds it: the next test.) The manifest and
    the README say so."""
    before, out1 = await run(export_conn, world, tmp_path, "before", k=10)
    newcomer = world.worker("BD-DHA", consent=True)
    world.grievance("BD-DHA", "excessive_hours", [newcomer], 3)
    after, out2 = await run(export_conn, world, tmp_path, "after", k=10)
    t1, t2 = published(read_csv(out1)[2]), published(read_csv(out2)[2])
    moved = {e: t2[e] - t1[e] for e in t2
             if t1.get(e) is not None and t2[e] is not None and t1[e] != t2[e]}
    # Published both times and up by one: the attacker learns that one grievance came in
    # from Dhaka between the two exports (and, with outside knowledge, whose it may be).
    assert moved[("all", "all")] == 1 and moved[("BD-DHA", "all")] == 1
    assert "do not publish such differences" in (out2 / "README.md").read_text()
    assert after["reproducible"].startswith("yes")


async def test_differential_privacy_bounds_the_differencing_attack(world):
    """The best test an attacker has for "was one grievance added to this cell" (is the
    noisy count above the old true count) succeeds at most e^eps / (1 + e^eps) of the time
    under eps-DP. Measured over many releases of the real mechanism (without noise the same
    attacker is always right: the test above)."""
    from organize.exports.noise import add_noise

    eps, trials = 0.5, 1500
    counts = {("HK", "excessive_hours"): 12}
    bumped = {("HK", "excessive_hours"): 13}
    kw = dict(by=BY, grains=FIXED, taxonomy=world.app.taxonomy, epsilon=eps, places=["HK"],
              since=date(2025, 1, 1), until=date(2025, 12, 31))
    right = 0
    for i in range(trials):
        truth = i % 2
        noisy, report = add_noise(bumped if truth else counts, **kw)
        guess = int(noisy.get(("HK", "excessive_hours"), 0) >= 13)
        right += guess == truth
    bound = np.exp(eps) / (1 + np.exp(eps))
    accuracy = right / trials
    se = np.sqrt(bound * (1 - bound) / trials)
    assert accuracy <= bound + 4 * se, (accuracy, bound)
    assert accuracy > 0.5  # the noise is not so wide the table is useless
    assert report.epsilon == eps and report.sensitivity == 1 and report.ci95 > 0


async def test_dp_export_states_its_mechanism_and_keeps_k(export_conn, world, tmp_path):
    manifest, out = await run(export_conn, world, tmp_path, "dp", k=10, epsilon=1.0,
                              since=date(2025, 1, 1), until=date(2025, 12, 31))
    dp = manifest["differential_privacy"]
    assert dp["epsilon"] == 1.0 and dp["unit"] == "one grievance" and "opendp" in dp["library"]
    assert manifest["reproducible"].startswith("no")
    counts = [int(r["count"]) for r in read_csv(out)[2] if r["count"]]
    assert all(n == 0 or n >= 10 for n in counts)
    assert "Differential privacy: epsilon 1.0" in (out / "README.md").read_text()
    # Every place collectives work in is a row (data-independent), plus "other".
    places = {r["place"] for r in read_csv(out)[2]}
    assert {"HK", "BD-DHA", "other"} <= places


# -- 4. no personal bytes -----------------------------------------------------------------------

UUID_RE = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.mark.parametrize("fmt", ["csv", "parquet", "datapackage"])
async def test_no_pseudonym_name_text_or_id_in_any_byte(export_conn, world, tmp_path, fmt):
    _, out = await run(export_conn, world, tmp_path, fmt, fmt=fmt, k=5)
    blobs = [p.read_bytes() for p in out.iterdir()]
    if fmt == "parquet":  # compressed pages: read the values and metadata back as well
        import pyarrow.parquet as pq

        t = pq.read_table(out / "grievance_trends.parquet")
        blobs.append(json.dumps(t.to_pylist()).encode())
        blobs.append(repr(t.schema.metadata).encode())
    assert len(blobs) >= 3
    for blob in blobs:
        assert MARK.encode() not in blob and MARK.lower().encode() not in blob.lower()
        assert not UUID_RE.search(blob)
        for wid in [world.silent, *world.consenting["HK"]]:
            assert str(wid).encode() not in blob and wid.bytes not in blob


# -- 5. consent withdrawn, erasure ----------------------------------------------------------------

async def test_withdrawn_consent_and_erasure_leave_the_next_export(export_conn, world, tmp_path):
    first, out = await run(export_conn, world, tmp_path, "1", k=5)
    total = published(read_csv(out)[2])[("all", "all")]
    leaving = world.consenting["BD-DHA"][0]  # party to a sixth of Dhaka's grievances
    mine = sum(len(range(0, n, 6)) for (p, _), n in CELLS.items() if p == "BD-DHA")
    world.app.execute(c.WithdrawConsent(command_id=h.cid(), worker_id=leaving, purpose="research"))
    _, out2 = await run(export_conn, world, tmp_path, "2", k=5)
    assert published(read_csv(out2)[2])[("all", "all")] == total - mine
    # Re-running the first export at its old position leaves her out too.
    _, again = await run(export_conn, world, tmp_path, "3", k=5,
                         at=first["position"]["notification_id"])
    assert published(read_csv(again)[2])[("all", "all")] == total - mine
    erased = world.consenting["HK"][5]
    hers = sum(len(range(5, n, 6)) for (p, _), n in CELLS.items() if p == "HK")
    world.app.execute(c.EraseWorker(command_id=h.cid(), worker_id=erased))
    _, out4 = await run(export_conn, world, tmp_path, "4", k=5)
    assert published(read_csv(out4)[2])[("all", "all")] == total - mine - hers
    # Consent given again counts again (the withdrawal was not an erasure).
    world.app.execute(c.GiveConsent(command_id=h.cid(), worker_id=leaving, purpose="research"))
    _, out5 = await run(export_conn, world, tmp_path, "5", k=5)
    assert published(read_csv(out5)[2])[("all", "all")] == total - hers


# -- formats, reproducibility, bad requests, CLI -----------------------------------------------

async def test_frictionless_validates_the_package(export_conn, world, tmp_path):
    _, out = await run(export_conn, world, tmp_path, k=10)
    header, hxl, _ = read_csv(out)
    assert hxl == ["#adm1+code", "#x_category", "#indicator+grievances+num", "#meta+suppressed"]
    assert header == ["place", "category", "count", "suppressed"]
    done = subprocess.run([sys.executable, "-m", "frictionless", "validate", "--json",
                           str(out / "datapackage.json")], capture_output=True, text=True)
    report = json.loads(done.stdout)
    assert report["valid"], json.dumps(report["tasks"], indent=1)[:3000]
    # Break it on purpose: the validator must notice.
    broken = (out / "grievance_trends.csv").read_text().replace(",false\n", ",maybe\n", 1)
    (out / "grievance_trends.csv").write_text(broken)
    done = subprocess.run([sys.executable, "-m", "frictionless", "validate", "--json",
                           str(out / "datapackage.json")], capture_output=True, text=True)
    assert not json.loads(done.stdout)["valid"]


async def test_parquet_holds_the_same_table_and_the_manifest(export_conn, world, tmp_path):
    import pyarrow.parquet as pq

    _, csv_out = await run(export_conn, world, tmp_path, "c", fmt="csv", k=10)
    manifest, pq_out = await run(export_conn, world, tmp_path, "p", fmt="parquet", k=10)
    table = pq.read_table(pq_out / "grievance_trends.parquet")
    rows = table.to_pylist()
    from_csv = read_csv(csv_out)[2]
    assert [(r["place"], r["category"], r["count"]) for r in rows] == [
        (r["place"], r["category"], int(r["count"]) if r["count"] else None) for r in from_csv]
    meta = json.loads(table.schema.metadata[b"organize.manifest"])
    assert meta["position"] == manifest["position"]


async def test_an_export_reproduces_at_its_position(export_conn, world, tmp_path):
    first, out1 = await run(export_conn, world, tmp_path, "a", k=5)
    world.grievance("HK", "wages_unpaid_late", [world.consenting["HK"][2]], 4)
    _, later = await run(export_conn, world, tmp_path, "b", k=5)
    _, again = await run(export_conn, world, tmp_path, "c", k=5,
                         at=first["position"]["notification_id"])
    body = (out1 / "grievance_trends.csv").read_bytes()
    assert (again / "grievance_trends.csv").read_bytes() == body
    assert (later / "grievance_trends.csv").read_bytes() != body


async def test_the_readme_says_when_most_cells_are_hidden(export_conn, world, tmp_path):
    fine, out = await run(export_conn, world, tmp_path, "fine", k=10,
                          by=("period", "place", "category"), grains={"period": "month"})
    sup = fine["suppression"]
    assert sup["hidden_cells"] / sup["cells"] > 0.5
    assert "Most cells are hidden" in (out / "README.md").read_text()
    coarse, out2 = await run(export_conn, world, tmp_path, "coarse", k=5, by=("place",))
    assert coarse["suppression"]["hidden_cells"] / coarse["suppression"]["cells"] <= 0.5
    assert "Most cells are hidden" not in (out2 / "README.md").read_text()


async def test_the_ladder_reports_what_it_tried(export_conn, world, tmp_path):
    manifest, _ = await run(export_conn, world, tmp_path, k=10, grains={},
                            by=("period", "place", "category"), max_suppressed=0.3)
    cands = manifest["coarsening"]["candidates"]
    assert cands[0]["grains"] == {"period": "month", "place": "region", "category": "category"}
    chosen = [x for x in cands if x["chosen"]]
    assert len(chosen) == 1 and chosen[0]["grains"] == manifest["coarsening"]["chosen"]
    shares = [x.get("suppressed_share", x.get("suppressed_share_at_least")) for x in cands]
    assert chosen[0]["suppressed_share"] <= 0.3 or chosen[0]["suppressed_share"] == min(shares)


@pytest.mark.parametrize(("kw", "field"), [
    ({"k": 4}, "k"), ({"by": ("period", "name")}, "by"), ({"by": ()}, "by"),
    ({"at": 10**9}, "at"), ({"epsilon": 0}, "epsilon"),
    ({"since": date(2025, 2, 1), "until": date(2025, 1, 1)}, "since"),
    ({"grains": {"place": "street"}}, "grains"),
])
async def test_bad_requests_write_nothing(export_conn, world, tmp_path, kw, field):
    with pytest.raises(ExportError) as e:
        await run(export_conn, world, tmp_path, "bad", **kw)
    assert e.value.field == field
    assert not (tmp_path / "bad").exists()
    assert MARK not in str(e.value)


def test_cli_export_trends(export_runtime, world, tmp_path):
    s = export_runtime.settings
    env = {"DATABASE_URL": s.database_url, "ORGANIZE_CIPHER_KEY": s.cipher_key,
           "ORGANIZE_HOME": str(tmp_path), "ORGANIZE_LOG_LEVEL": "WARNING"}
    out = tmp_path / "cli"
    result = CliRunner().invoke(main, ["export", "trends", "--by", "place,category",
                                       "--place", "region", "--category", "category",
                                       "--format", "csv", "--out", str(out)], env=env)
    assert result.exit_code == 0, result.output
    assert "suppressed (k=10)" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["README.md", "grievance_trends.csv",
                                                     "manifest.json"]
    again = CliRunner().invoke(main, ["export", "trends", "--out", str(out)], env=env)
    assert again.exit_code != 0 and "not empty" in again.output
    low = CliRunner().invoke(main, ["export", "trends", "--k", "3", "--out", str(tmp_path / "k")],
                             env=env)
    assert low.exit_code != 0 and "at least 5" in low.output
