"""Pages under load: the project's pages against a bare Litestar + Jinja2 baseline, in one run.

    python -m bench.pages [--workers 2] [--connections 50] [--seconds 10] [--rounds 3] [--users 50]

1. Loads the demo into a fresh database, builds the views, and starts a session for the
   demo's Hong Kong leader.
2. Serves the project with ``organize serve --workers N`` and the baseline
   (bench/page_baseline.py: one SQL query, one Jinja2 template, a page of the same size) with
   uvicorn and the same settings (same worker count, uvloop/httptools as installed, no access
   log), side by side on this machine.
3. In alternating rounds, ``wrk`` drives ``--connections`` closed-loop clients: ours rotate
   the leader's home, her grievance list and a worker's page (with her session cookie), the
   baseline requests its page. Prints pages/s, p50/p95/p99 and the ratio (medians of rounds).
4. In the same rounds, an open-loop load: ``--users`` users each ask for one page a second on
   a fixed schedule, whatever the server's pace. Latency is counted from the moment a request
   was due, not from when it was sent, so a slow server cannot hide its queue by slowing the
   clients down (closed-loop figures can). Prints p50/p95/p99 and errors for both sides.
   These clients ask for gzip, as browsers do (wrk does not): ours compresses, the
   baseline has no compression configured.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.common import fresh_database
from infra.keyfile import new_key

CLI = [sys.executable, "-c", "from organize.cli import main; main()"]
BASE_PORT = int(os.environ.get("ORGANIZE_BENCH_PORT", "8170"))

WRK_SCRIPT = """
local paths = {%(paths)s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1], {["Cookie"] = "%(cookie)s"})
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %%d %%d %%d %%d %%.1f %%.1f %%.1f\\n", summary.requests,
    summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""


def _wait_up(url: str, proc: subprocess.Popen, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"not up (exit code {proc.poll()}): {url}")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def cpu_seconds(root: int) -> float:
    """User + system CPU seconds of a process and all its descendants (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    tree, total = {root}, 0.0
    changed = True
    while changed:
        grown = tree | {pid for pid, (ppid, _) in stats.items() if ppid in tree}
        changed, tree = grown != tree, grown
    for pid in tree:
        total += stats.get(pid, (0, 0.0))[1]
    return total


def wrk(base: str, paths: list[str], cookie: str, connections: int, seconds: int,
        workdir: Path) -> dict[str, float]:
    script = workdir / "rotate.lua"
    script.write_text(WRK_SCRIPT % {"paths": ", ".join(f'"{p}"' for p in paths),
                                    "cookie": cookie})
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
                          "-s", str(script), base], capture_output=True, text=True, check=True)
    line = next(x for x in out.stdout.splitlines() if x.startswith("RESULT "))
    n, micros, bad_status, socket_errors, p50, p95, p99 = line.split()[1:]
    return {"rate": int(n) / (int(micros) / 1e6), "p50": float(p50), "p95": float(p95),
            "p99": float(p99), "errors": int(bad_status) + int(socket_errors)}


async def _open_loop(base: str, paths: list[str], cookie: str, users: int,
                     seconds: int) -> dict[str, float]:
    loop = asyncio.get_running_loop()
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx.AsyncClient(base_url=base, headers={"Cookie": cookie} if cookie else {},
                                 limits=limits, timeout=10) as client:
        start = loop.time() + 0.1

        async def user(u: int) -> None:
            nonlocal errors
            for k in range(seconds):
                # Users are spread evenly over each second; each keeps its own schedule.
                due = start + k + u / users
                await asyncio.sleep(max(0.0, due - loop.time()))
                try:
                    answer = await client.get(paths[(u + k) % len(paths)])
                    errors += answer.status_code != 200
                except httpx.HTTPError:
                    errors += 1
                latencies.append((loop.time() - due) * 1000)

        await asyncio.gather(*(user(u) for u in range(users)))
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return {"p50": cuts[49], "p95": cuts[94], "p99": cuts[98], "errors": errors,
            "requests": len(latencies)}


def open_loop(base: str, paths: list[str], cookie: str, users: int,
              seconds: int) -> dict[str, float]:
    """``users`` users, each requesting one page a second for ``seconds`` seconds."""
    return asyncio.run(_open_loop(base, paths, cookie, users, seconds))


def prepare(env: dict[str, str]) -> tuple[str, list[str]]:
    """Demo, views, a session: (cookie value, the three page paths)."""
    subprocess.run([*CLI, "demo"], env=env, check=True, capture_output=True)
    subprocess.run([*CLI, "projections", "rebuild"], env=env, check=True, capture_output=True)
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        from infra.settings import load_settings
        from organize.accounts import AccountService
        from organize.runtime import open_runtime

        runtime = open_runtime(load_settings())
        try:
            accounts = AccountService(runtime.app)
            leader = accounts.require("leader-hk")
            collective = leader.grant.collective_ids[0]
            token = accounts.start_session(leader.id).token
        finally:
            runtime.close()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return token, [f"/c/{collective}", f"/c/{collective}/grievances"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--users", type=int, default=50,
                    help="open-loop users, each requesting one page a second")
    args = ap.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="organize-bench-pages-"))
    procs: list[subprocess.Popen] = []
    try:
        with fresh_database() as db:
            env = {k: v for k, v in os.environ.items() if not k.startswith("ORGANIZE_")}
            env.update(DATABASE_URL=db.url, ORGANIZE_CIPHER_KEY=new_key(),
                       ORGANIZE_HOME=str(workdir / "home"), ORGANIZE_RUN_PROJECTIONS="no",
                       ORGANIZE_LOG_LEVEL="WARNING")
            started = time.perf_counter()
            token, paths = prepare(env)
            print(f"demo loaded and views built in {time.perf_counter() - started:.1f} s")
            ours, base = f"http://127.0.0.1:{BASE_PORT}", f"http://127.0.0.1:{BASE_PORT + 1}"
            procs.append(subprocess.Popen(
                [*CLI, "serve", "--port", str(BASE_PORT), "--workers", str(args.workers)],
                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "bench.page_baseline:create_app", "--factory",
                 "--port", str(BASE_PORT + 1), "--workers", str(args.workers), "--no-access-log",
                 "--log-level", "warning"],
                env={**env, "BASELINE_DATABASE_URL": db.asyncpg_dsn()}, stdout=subprocess.DEVNULL,
                cwd=Path(__file__).resolve().parent.parent))
            _wait_up(f"{ours}/healthz", procs[0])
            _wait_up(f"{base}/page?rows=1", procs[1])
            cookie = f"organize_session={token}"
            with httpx.Client(base_url=ours, headers={"Cookie": cookie}) as client:
                workers_page = client.get(paths[0] + "/workers")
                worker = re.search(rf"{paths[0]}/workers/[0-9a-f-]{{36}}", workers_page.text)
                paths.append(worker.group(0))
                sizes = []
                for p in paths:
                    answer = client.get(p)
                    assert answer.status_code == 200, (p, answer.status_code)
                    sizes.append(len(answer.content))
            target = statistics.mean(sizes)
            one, hundred = (len(httpx.get(f"{base}/page?rows={n}").content) for n in (1, 101))
            rows = max(1, round(1 + (target - one) / ((hundred - one) / 100)))
            base_size = len(httpx.get(f"{base}/page?rows={rows}").content)
            print(f"pages: {', '.join(f'{s / 1024:.1f} KB' for s in sizes)} (mean "
                  f"{target / 1024:.1f} KB); baseline page {base_size / 1024:.1f} KB ({rows} rows)")
            print(f"{args.workers} web process(es) each, {args.connections} closed-loop clients, "
                  f"{args.seconds} s a round, {os.cpu_count()} cores")
            wrk(ours, paths, cookie, args.connections, 2, workdir)  # warm both up
            wrk(base, [f"/page?rows={rows}"], "", args.connections, 2, workdir)
            results: dict[str, list[dict[str, float]]] = {"ours": [], "baseline": []}
            paced: dict[str, list[dict[str, float]]] = {"ours": [], "baseline": []}
            def measured(proc: subprocess.Popen, *run) -> dict[str, float]:
                # CPU of the server's processes per page: steadier than pages/s on a
                # machine shared with other work.
                before = cpu_seconds(proc.pid)
                found = wrk(*run)
                pages = found["rate"] * args.seconds
                found["cpu_ms"] = (cpu_seconds(proc.pid) - before) * 1000 / max(pages, 1)
                return found

            for r in range(args.rounds):
                results["ours"].append(measured(procs[0], ours, paths, cookie, args.connections,
                                                args.seconds, workdir))
                results["baseline"].append(measured(procs[1], base, [f"/page?rows={rows}"], "",
                                                    args.connections, args.seconds, workdir))
                paced["ours"].append(open_loop(ours, paths, cookie, args.users, args.seconds))
                paced["baseline"].append(open_loop(base, [f"/page?rows={rows}"], "", args.users,
                                                   args.seconds))
                print(f"  round {r + 1}: ours {results['ours'][-1]['rate']:.1f} pages/s, "
                      f"baseline {results['baseline'][-1]['rate']:.1f} pages/s; open loop p95 "
                      f"ours {paced['ours'][-1]['p95']:.1f} ms, baseline "
                      f"{paced['baseline'][-1]['p95']:.1f} ms", flush=True)
            med = {side: {k: statistics.median(x[k] for x in rs) for k in rs[0]}
                   for side, rs in results.items()}
            for side in ("ours", "baseline"):
                m = med[side]
                print(f"{side:>9}: {m['rate']:8.1f} pages/s  p50 {m['p50']:7.1f} ms  "
                      f"p95 {m['p95']:7.1f} ms  p99 {m['p99']:7.1f} ms  "
                      f"server CPU {m['cpu_ms']:5.2f} ms/page  "
                      f"errors {sum(x['errors'] for x in results[side]):.0f}")
            print(f"open loop, {args.users} users each asking one page a second, {args.seconds} s "
                  f"a round (latency from the moment each request was due):")
            for side in ("ours", "baseline"):
                m = {k: statistics.median(x[k] for x in paced[side]) for k in paced[side][0]}
                print(f"{side:>9}: p50 {m['p50']:7.1f} ms  p95 {m['p95']:7.1f} ms  "
                      f"p99 {m['p99']:7.1f} ms  requests {sum(x['requests'] for x in paced[side]):.0f}"
                      f"  errors {sum(x['errors'] for x in paced[side]):.0f}")
            print(f"    ratio: {med['ours']['rate'] / med['baseline']['rate']:.3f} "
                  f"(ours / baseline pages/s, median of {args.rounds} rounds); CPU per page "
                  f"{med['ours']['cpu_ms'] / med['baseline']['cpu_ms']:.1f}x the baseline's")
            for proc in procs:
                _stop(proc)
    finally:
        for proc in procs:
            _stop(proc)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
