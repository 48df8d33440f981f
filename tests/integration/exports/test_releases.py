"""Releases on a real PostgreSQL, attacked the ways issue 14 lists, over everything one
researcher can obtain:

1. dimension differencing: every dimension set at every grain, obtained through the API over
   real HTTP and solved together by linear programming (``tests/integration/exports/support.py``): no
   count below k is pinned; the same attack on exact tables (the old export) pins some, so
   the attack has teeth; the form and the CLI hand out the very same bytes as the API;
2. window differencing: moving ``until`` a day at a time gives the same release, and a
   period's cells are the same in every window that holds it;
3. repeats: the same request hands back the same bytes and draws no new noise;
4. differential privacy: epsilon above the cap is refused, averaging repeats gains nothing,
   the budget refuses the (budget + 1)-th spend and records every spend as an event.

Plus: no personal byte in any format, consent withdrawal, Frictionless, Parquet, bad
requests, and the CLI handing back the same bytes.
"""

from __future__ import annotations

import io
import itertools
import json
import re
import subprocess
import sys
import uuid
import zipfile
from datetime import date
from pathlib import Path

import httpx
import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner

from organize import commands as c
from organize.accounts import AccountService
from organize.application import account_id_for, privacy_budget, privacy_budget_id
from organize.cli import main
from organize.exports import cellkey
from organize.exports.budget import budget_state, spender
from organize.exports.releases import ReleaseRequest, count_cells, obtain, snap
from organize.exports.trends import ExportError
from organize.projections.disclosure import MIN_K
from tests.integration import support as h
from tests.integration.exports.support import (
    FINEST,
    PINNED,
    exact_knowledge,
    finest_atoms,
    knowledge,
    read_release,
    small_targets,
    solve,
)
from tests.support import live_server
from web.app import create_app

pytestmark = pytest.mark.integration

MARK = "Zqx"  # in every pseudonym, description and organisation name of this world
TODAY = date(2026, 2, 1)  # every period of 2025 has closed
YEAR = {"since": date(2025, 1, 1), "until": date(2025, 12, 31)}
FINE = {"period": "month", "place": "region", "category": "category"}
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
        self.researcher = self.account("researcher")

    def account(self, role: str) -> uuid.UUID:
        name = f"{role}-{uuid.uuid4().hex[:8]}"
        self.app.execute(c.CreateAccount(command_id=h.cid(), username=name, role=role))
        return account_id_for(name)

    def worker(self, place: str, *, consent: bool):
        wid = self.app.execute(h.register_worker(
            self.collectives[place], pseudonym=f"{MARK}-Pseudonym-{place}")).id
        if consent:
            self.app.execute(c.GiveConsent(command_id=h.cid(), worker_id=wid, purpose="research"))
        return wid

    def grievance(self, place, category, workers, i, year=2025):
        sector = "domestic_care" if place == "HK" else "garment"
        return self.app.execute(h.raise_grievance(
            self.collectives[place], workers, place=place, category=category, sector=sector,
            occurred_on=date(year, 1 + i % 12, 1 + i % 27), organisation_ids=(self.employer,),
            description=f"{MARK} secret description {i}")).id

    def settle(self):
        self.runtime.runner(["research_grievances"]).catch_up()
        return self.app.recorder.max_notification_id()


@pytest.fixture(scope="module")
def world(export_runtime):
    w = World(export_runtime)
    w.settle()
    return w


async def get(conn, world, researcher=None, spend=None, **kw):
    world.settle()
    request = ReleaseRequest(**{"by": ("period", "place", "category"), "grains": FINE, "k": 10,
                                "fmt": "csv", **YEAR, **kw})
    who = researcher or world.researcher
    if spend is None and request.epsilon is not None:
        spend = spender(world.app, who)
    return await obtain(conn, request, taxonomy=world.app.taxonomy, researcher=str(who),
                        spend=spend, today=TODAY)


# -- 1. dimension differencing, solved together --------------------------------------------------

INNER = ("place", "sector", "stage", "category", "outcome", "escalation")


def every_request() -> list[dict]:
    """Every dimension set at every grain a researcher may ask for (k at its floor, where
    the most is shown)."""
    out = []
    for r in range(len(INNER) + 1):
        for subset in itertools.combinations(INNER, r):
            places = ("region", "country") if "place" in subset else ("country",)
            cats = ("category", "group") if "category" in subset else ("group",)
            for period, place, cat in itertools.product(("month", "quarter", "year"), places, cats):
                out.append({"by": ("period", *subset), "k": MIN_K,
                            "grains": {"period": period, "place": place, "category": cat}})
    return out


async def true_atoms(conn, world) -> tuple[list[dict], list[int]]:
    return await finest_atoms(conn, world.app.taxonomy, FINEST, FINE, YEAR, TODAY)


@pytest.fixture(scope="module")
def site(export_runtime, world):
    """The real app over real HTTP, and one researcher with a password, a session and an API
    token: what she obtains through the form, the API and the CLI."""
    accounts = AccountService(export_runtime.app, hasher=PasswordHasher(
        time_cost=1, memory_cost=1024, parallelism=1))
    username = f"attacker-{uuid.uuid4().hex[:6]}"
    account_id = accounts.create_account(username, "attack-password", role="researcher")
    _, token = accounts.create_token(account_id)
    session = accounts.start_session(account_id)
    with live_server(create_app(export_runtime, accounts)) as base:
        yield {"base": base, "username": username, "account_id": account_id,
               "api": {"Authorization": f"Bearer {token}"},
               "form": {"Cookie": f"organize_session={session.token}"},
               "csrf": session.csrf_token}


def api_release(site, kw: dict) -> bytes:
    body = {"by": list(kw["by"]), "k": kw["k"], **kw["grains"], "format": "csv",
            "since": "2025-01-01", "until": "2025-12-31"}
    r = httpx.post(f"{site['base']}/api/v1/research/releases", json=body, headers=site["api"],
                   timeout=60)
    assert r.status_code == 200, r.text[:300]
    return r.content


async def test_no_count_below_k_can_be_pinned_across_every_table(export_conn, world, site):
    """Everything she can obtain through the API (real HTTP): every dimension set at every
    grain, solved together."""
    world.settle()
    atoms, truth = await true_atoms(export_conn, world)
    group = world.app.taxonomy.category_group
    known = []
    for kw in every_request():
        manifest, records = read_release(api_release(site, kw))
        assert all(r["count"] >= MIN_K for r in records)
        known += knowledge(manifest, records, atoms, group, cellkey.MAX_NOISE)
    targets = small_targets(known, truth)
    assert len(every_request()) == 432 and len(targets) > 100  # plenty of small counts
    ranges = solve(known, len(atoms), targets)
    pinned = [(sum(truth[i] for i in m), lo, hi) for m, (lo, hi) in ranges.items()
              if hi - lo < PINNED]
    assert not pinned, pinned[:5]


def test_the_form_the_api_and_the_cli_hand_out_the_same_bytes(export_runtime, world, site,
                                                               tmp_path):
    """So what the API gives (and the attack above used) is all the form and the CLI give."""
    s = export_runtime.settings
    env = {"DATABASE_URL": s.database_url, "ORGANIZE_CIPHER_KEY": s.cipher_key,
           "ORGANIZE_HOME": str(tmp_path), "ORGANIZE_LOG_LEVEL": "WARNING"}
    for kw in every_request()[::37]:
        api = api_release(site, kw)
        form = httpx.post(f"{site['base']}/research/exports", headers=site["form"], timeout=60,
                          data={"by": list(kw["by"]), "k": str(kw["k"]),
                                **{f"grain_{d}": g for d, g in kw["grains"].items()},
                                "since": "2025-01-01", "until": "2025-12-31", "format": "csv",
                                "csrf_token": site["csrf"]})
        assert form.status_code == 200 and form.content == api
        out = tmp_path / uuid.uuid4().hex
        args = ["export", "trends", "--by", ",".join(kw["by"]), "--k", str(kw["k"]),
                "--period", kw["grains"]["period"], "--place", kw["grains"]["place"],
                "--category", kw["grains"]["category"], "--since", "2025-01-01", "--until",
                "2025-12-31", "--format", "csv", "--researcher", site["username"], "--out",
                str(out)]
        result = CliRunner().invoke(main, args, env=env)
        assert result.exit_code == 0, result.output
        with zipfile.ZipFile(io.BytesIO(api)) as z:
            for name in z.namelist():
                assert (out / name).read_bytes() == z.read(name), name


async def test_the_same_attack_pins_counts_in_exact_tables(export_conn, world):
    """Without the perturbation (exact counts, those below k left out), the same solver pins
    small counts: the attack above has teeth."""
    atoms, truth = await true_atoms(export_conn, world)
    known = await exact_knowledge(export_conn, every_request()[:80], atoms, world.app.taxonomy,
                                  YEAR, TODAY, MIN_K)
    ranges = solve(known, len(atoms), small_targets(known, truth))
    assert any(hi - lo < PINNED for lo, hi in ranges.values())


# -- 2. window differencing -----------------------------------------------------------------------

async def test_moving_until_a_day_at_a_time_gives_whole_periods_only(export_conn, world):
    bodies = {}
    for day in range(0, 365, 7):
        until = date.fromordinal(date(2025, 1, 1).toordinal() + day)
        release = await get(export_conn, world, since=date(2025, 1, 1), until=until,
                            grains={**FINE, "period": "quarter"})
        manifest = release.manifest
        assert manifest["parameters"]["until"] in ("2025-03-31", "2025-06-30", "2025-09-30",
                                                   "2025-12-31")
        bodies.setdefault(manifest["parameters"]["until"], set()).add(release.body)
    assert len(bodies) == 4 and all(len(b) == 1 for b in bodies.values())
    # A period's cells are the same whichever window holds it: nothing to subtract.
    _, q1 = read_release(next(iter(bodies["2025-03-31"])))
    _, year = read_release(next(iter(bodies["2025-12-31"])))
    in_q1 = [r for r in year if r["period"] == "2025-Q1"]
    assert q1 == in_q1


async def test_a_period_still_running_is_never_released(export_conn, world):
    release = await get(export_conn, world, since=date(2025, 10, 1), until=date(2026, 3, 1),
                        grains={**FINE, "period": "quarter"})
    assert release.manifest["parameters"]["until"] == "2025-12-31"  # 2026-Q1 runs until March
    assert [n.code for n in release.notes] == ["open_period"]
    with pytest.raises(ExportError) as e:
        await get(export_conn, world, since=date(2026, 1, 5), until=date(2026, 1, 20),
                  grains={**FINE, "period": "quarter"})
    assert e.value.code == "not_closed"


# -- 3. repeats ------------------------------------------------------------------------------------

async def test_repeats_hand_back_the_same_bytes(export_conn, world):
    first = await get(export_conn, world, by=("period", "sector", "category"))
    for _ in range(5):
        again = await get(export_conn, world, by=("period", "sector", "category"))
        assert again.body == first.body and again.repeat
    assert first.manifest["position"]["notification_id"] > 0
    assert first.manifest["tables"]["periods"] == [f"2025-{m:02d}" for m in range(1, 13)]


async def test_the_same_cell_gets_the_same_value_however_it_is_reached(export_conn, world):
    ask = {"k": 5, "grains": {**FINE, "period": "quarter"}}
    _, by_place = read_release((await get(export_conn, world, by=("period", "place"), **ask)).body)
    _, wide = read_release((await get(export_conn, world, by=("period", "place", "stage",
                                                              "category"), **ask)).body)
    margins = {(r["period"], r["place"]): r["count"] for r in wide
               if r["category"] == "all" and r["stage"] != "all"}
    direct = {(r["period"], r["place"]): r["count"] for r in by_place if r["place"] != "all"}
    # The stage is always "destination" here, so those row totals are the same grievances.
    assert margins and all(direct[key] == v for key, v in margins.items())


# -- 4. differential privacy and the budget ------------------------------------------------------

async def test_epsilon_above_the_cap_is_refused(export_conn, world):
    for eps in (10.0, 1.5, 1.001):
        with pytest.raises(ExportError) as e:
            await get(export_conn, world, epsilon=eps)
        assert e.value.code == "above_cap" and e.value.field == "epsilon"


async def test_averaging_repeats_gains_nothing_and_the_budget_refuses_the_next_spend(
        export_conn, world):
    who = world.account("researcher")
    by = ("period", "place", "category")
    first = await get(export_conn, world, researcher=who, by=by, epsilon=1.0)
    _, records = read_release(first.body)
    assert first.manifest["mechanism"]["name"] == "differential_privacy"
    assert first.manifest["mechanism"]["epsilon_spent"] == 1.0
    assert first.manifest["privacy_budget"]["left"] == 2.0
    assert first.manifest["mechanism"]["expected_error_per_cell"] > 0
    # Twenty repeats: the same bytes, so their average is the first release itself.
    for _ in range(20):
        assert (await get(export_conn, world, researcher=who, by=by, epsilon=1.0)).body == first.body
    # Another k or format is post-processing of the same noisy numbers: free, same numbers.
    other = await get(export_conn, world, researcher=who, by=by, epsilon=1.0, k=12, fmt="datapackage")
    assert other.manifest["measurement"] == first.manifest["measurement"]
    assert other.manifest["privacy_budget"]["left"] == 2.0
    assert budget_state(world.app, who) == {"total": 3.0, "spent": 1.0, "left": 2.0}
    # The budget (3) pays for two more releases, then refuses the fourth.
    await get(export_conn, world, researcher=who, by=("period", "place"), epsilon=1.0)
    await get(export_conn, world, researcher=who, by=("period", "category"), epsilon=1.0)
    with pytest.raises(ExportError) as e:
        await get(export_conn, world, researcher=who, by=("period", "sector"), epsilon=1.0)
    assert e.value.code == "over_budget" and "only 0 of" in str(e.value)
    budget = privacy_budget(world.app, who)
    assert budget.spent_milli == 3000 and len(budget.measurements) == 3
    events = list(world.app.events.get(privacy_budget_id(who)))
    assert [type(x).__name__ for x in events] == ["Opened", "Spent", "Spent", "Spent"]
    # What she already has is still free.
    again = await get(export_conn, world, researcher=who, by=by, epsilon=1.0)
    assert again.body == first.body
    # Another researcher's budget is her own.
    assert budget_state(world.app, world.account("researcher"))["left"] == 3.0


async def test_an_admin_can_raise_a_budget(export_conn, world):
    who = world.account("researcher")
    world.app.execute(c.SetPrivacyBudget(command_id=h.cid(), account_id=who, total_milli=500))
    with pytest.raises(ExportError):
        await get(export_conn, world, researcher=who, by=("period", "stage"), epsilon=0.6)
    world.app.execute(c.SetPrivacyBudget(command_id=h.cid(), account_id=who, total_milli=700))
    release = await get(export_conn, world, researcher=who, by=("period", "stage"), epsilon=0.6)
    assert release.manifest["privacy_budget"]["left"] == pytest.approx(0.1)


async def test_a_noisy_release_needs_a_budget_to_pay(export_conn, world):
    world.settle()
    request = ReleaseRequest(by=("period", "place"), epsilon=0.5, **YEAR)
    with pytest.raises(ExportError) as e:
        await obtain(export_conn, request, taxonomy=world.app.taxonomy, researcher="operator",
                     today=TODAY)
    assert e.value.code == "no_budget"


# -- no personal bytes ----------------------------------------------------------------------------

UUID_RE = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.mark.parametrize("fmt", ["csv", "parquet", "datapackage"])
async def test_no_pseudonym_name_text_or_id_in_any_byte(export_conn, world, fmt, tmp_path):
    release = await get(export_conn, world, fmt=fmt, k=5)
    with zipfile.ZipFile(__import__("io").BytesIO(release.body)) as z:
        z.extractall(tmp_path)
        blobs = [z.read(n) for n in z.namelist()]
    if fmt == "parquet":  # compressed pages: read the values and metadata back as well
        import pyarrow.parquet as pq

        t = pq.read_table(tmp_path / "grievance_trends.parquet")
        blobs.append(json.dumps(t.to_pylist()).encode())
        blobs.append(repr(t.schema.metadata).encode())
    assert len(blobs) >= 3
    for blob in [*blobs, release.body]:
        assert MARK.encode() not in blob and MARK.lower().encode() not in blob.lower()
        assert not UUID_RE.search(blob)
        for wid in [world.silent, *world.consenting["HK"]]:
            assert str(wid).encode() not in blob and wid.bytes not in blob


async def test_only_consented_grievances_are_counted(export_conn, world):
    """The grand totals, perturbed by at most 2 per period, are near the consented ones."""
    _, records = read_release((await get(export_conn, world, by=("period",),
                                         grains={**FINE, "period": "year"}, k=5)).body)
    assert len(records) == 1
    assert abs(records[0]["count"] - sum(CELLS.values())) <= cellkey.MAX_NOISE


async def test_withdrawn_consent_leaves_releases_made_after_it(export_conn, world):
    leaving = world.consenting["BD-DHA"][0]
    ask = {"by": ("period", "escalation"), "grains": {**FINE, "period": "year"}, "k": 5}
    before = await get(export_conn, world, **ask)
    world.app.execute(c.WithdrawConsent(command_id=h.cid(), worker_id=leaving, purpose="research"))
    # The release she may already have is handed back as it was...
    assert (await get(export_conn, world, **ask)).body == before.body
    # ...and a release made after the withdrawal leaves her grievances out.
    _, after = read_release((await get(export_conn, world, by=("period", "outcome"),
                                       grains={**FINE, "period": "year"}, k=5)).body)
    mine = sum(len(range(0, n, 6)) for (p, _), n in CELLS.items() if p == "BD-DHA")
    total = next(r["count"] for r in after if r["outcome"] == "all")
    assert abs(total - (sum(CELLS.values()) - mine)) <= cellkey.MAX_NOISE
    world.app.execute(c.GiveConsent(command_id=h.cid(), worker_id=leaving, purpose="research"))


# -- formats, bad requests, CLI -----------------------------------------------------------------

async def test_frictionless_validates_the_package(export_conn, world, tmp_path):
    release = await get(export_conn, world, fmt="datapackage")
    with zipfile.ZipFile(__import__("io").BytesIO(release.body)) as z:
        z.extractall(tmp_path)
    done = subprocess.run([sys.executable, "-m", "frictionless", "validate", "--json",
                           str(tmp_path / "datapackage.json")], capture_output=True, text=True)
    report = json.loads(done.stdout)
    assert report["valid"], json.dumps(report["tasks"], indent=1)[:3000]


@pytest.mark.parametrize(("kw", "field"), [
    ({"k": 4}, "k"), ({"by": ("period", "name")}, "by"), ({"by": ()}, "by"),
    ({"epsilon": 0}, "epsilon"), ({"fmt": "xlsx"}, "format"),
    ({"since": date(2025, 2, 1), "until": date(2025, 1, 1)}, "since"),
    ({"grains": {"place": "street"}}, "grains"),
])
async def test_bad_requests_store_nothing(export_conn, world, kw, field):
    before = await export_conn.fetchval("SELECT count(*) FROM organize_research_releases")
    with pytest.raises(ExportError) as e:
        await get(export_conn, world, **kw)
    assert e.value.field == field
    assert MARK not in str(e.value)
    assert await export_conn.fetchval("SELECT count(*) FROM organize_research_releases") == before


def test_cli_hands_back_the_stored_release(export_runtime, world, tmp_path):
    s = export_runtime.settings
    env = {"DATABASE_URL": s.database_url, "ORGANIZE_CIPHER_KEY": s.cipher_key,
           "ORGANIZE_HOME": str(tmp_path), "ORGANIZE_LOG_LEVEL": "WARNING"}
    args = ["export", "trends", "--by", "place,category", "--place", "region", "--category",
            "category", "--period", "quarter", "--since", "2025-01-01", "--until", "2025-12-31",
            "--format", "csv"]
    out = tmp_path / "cli"
    result = CliRunner().invoke(main, [*args, "--out", str(out)], env=env)
    assert result.exit_code == 0, result.output
    assert "Snapped: Every release is split by period" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["README.md", "grievance_trends.csv",
                                                     "manifest.json"]
    again = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "cli2")], env=env)
    assert again.exit_code == 0 and "handed back as first issued" in again.output
    for name in ("grievance_trends.csv", "manifest.json"):
        assert (tmp_path / "cli2" / name).read_bytes() == (out / name).read_bytes()
    high = CliRunner().invoke(main, [*args, "--epsilon", "10", "--out", str(tmp_path / "e")], env=env)
    assert high.exit_code != 0 and "at most 1" in high.output
    nobody = CliRunner().invoke(main, [*args, "--epsilon", "0.5", "--out", str(tmp_path / "n")],
                                env=env)
    assert nobody.exit_code != 0 and "budget" in nobody.output
    low = CliRunner().invoke(main, ["export", "trends", "--k", "3", "--out", str(tmp_path / "k")],
                             env=env)
    assert low.exit_code != 0 and "at least 5" in low.output
    assert not Path(tmp_path / "e").exists() and not Path(tmp_path / "n").exists()


async def test_who_is_counted_follows_every_party(export_conn, world):
    """The research base's own rule (read with the true counts, which never leave
    ``releases``): a party who joins without consent takes the grievance out; her consent
    given later brings it back; an erased party takes it out for good."""
    async def counted() -> int:
        world.settle()
        request, _, _ = snap(ReleaseRequest(by=("period",), grains={"period": "year"},
                                            since=date(2024, 1, 1), until=date(2024, 12, 31)),
                             TODAY)
        _, cells = await count_cells(export_conn, request, world.app.taxonomy)
        return sum(n for _, n, _ in cells)

    start = await counted()
    g = world.grievance("HK", "verbal_abuse", [world.consenting["HK"][3]], 1, year=2024)
    assert await counted() == start + 1
    late = world.worker("HK", consent=False)
    world.app.execute(c.JoinGrievance(command_id=h.cid(), grievance_id=g, worker_ids=(late,)))
    assert await counted() == start
    world.app.execute(c.GiveConsent(command_id=h.cid(), worker_id=late, purpose="research"))
    assert await counted() == start + 1
    world.app.execute(c.EraseWorker(command_id=h.cid(), worker_id=late))
    assert await counted() == start


def test_cli_shows_and_sets_a_budget(export_runtime, world, site, tmp_path):
    s = export_runtime.settings
    env = {"DATABASE_URL": s.database_url, "ORGANIZE_CIPHER_KEY": s.cipher_key,
           "ORGANIZE_HOME": str(tmp_path), "ORGANIZE_KEYRING": str(s.keyring_dir),
           "ORGANIZE_LOG_LEVEL": "WARNING"}
    shown = CliRunner().invoke(main, ["export", "budget", site["username"]], env=env)
    assert shown.exit_code == 0 and "3 left of 3 (spent 0)" in shown.output
    raised = CliRunner().invoke(main, ["export", "budget", site["username"], "--total", "4.5"],
                                env=env)
    assert raised.exit_code == 0 and "4.5 left of 4.5" in raised.output
    too_much = CliRunner().invoke(main, ["export", "budget", site["username"], "--total", "50"],
                                  env=env)
    assert too_much.exit_code != 0 and "between 0 and 20" in too_much.output
    nobody = CliRunner().invoke(main, ["export", "budget", "no-such-person"], env=env)
    assert nobody.exit_code != 0 and "no account" in nobody.output
