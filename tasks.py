#!/usr/bin/env python3
"""Set-up and everyday tasks, with nothing but Python 3.11+ on the machine.

    python3 tasks.py serve   # create .venv, install, load the demo, serve on the embedded DB
    python3 tasks.py test    # create .venv, install with test extras, run the whole suite
    python3 tasks.py bench [--full]   # every benchmark, ours beside its baseline, into bench/RESULTS.md

Uses only the standard library, so it runs before anything is installed. The virtual
environment lives in ``.venv`` (override with ORGANIZE_VENV) and is reused; it is refreshed
when pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("ORGANIZE_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"


def _run(*args: str | Path, **kw) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], check=True, cwd=ROOT, **kw)  # noqa: S603 - our own argv


def ensure_venv(extras: str = "") -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this file runs before anything checks
        sys.exit("organize needs Python 3.11 or newer.")
    if not PY.exists():
        venv.EnvBuilder(with_pip=True, clear=False).create(VENV)
    stamp = VENV / f".installed{extras}"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    target = f".[{extras}]" if extras else "."
    try:
        # uv installs the same packages from the same index in seconds where pip's resolver
        # takes most of a minute: a fresh clone serves its first page that much sooner.
        _run(PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "uv")
        _run(BIN / "uv", "pip", "install", "--quiet", "--python", PY, "-e", target)
    except (OSError, subprocess.CalledProcessError):
        print("uv is not available here: installing with pip instead", flush=True)
        _run(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
        _run(PY, "-m", "pip", "install", "--quiet", "-e", target)
    stamp.write_text(digest)


def serve(args: list[str]) -> None:
    ensure_venv()
    _run(BIN / "organize", "serve", "--demo", *args)


def test(args: list[str]) -> None:
    ensure_venv("test")
    _run(PY, "-m", "ruff", "check", ".")
    _run(PY, "-m", "pytest", "-q", *args)


# Each benchmark prints its figures beside a baseline run in the same process (medians of
# rounds). The quick sizes take minutes on a laptop; --full takes the sizes the README quotes.
BENCHES = [
    ("append", [], []),
    ("projections", ["--events", "30000", "--stock-events", "3000"], []),
    ("lists", ["--sizes", "100,1000", "--rounds", "5"], []),
    ("erasure", ["--workers", "10000", "--rounds", "3"], []),
    ("export", ["--grievance-events", "50000"], []),
    ("pages", ["--seconds", "10", "--rounds", "3"], ["--seconds", "30", "--rounds", "5"]),
    ("command_limits", ["--commands", "2000", "--rounds", "5"], []),
    ("imports", ["--rows", "500", "--rounds", "3"], ["--rows", "10000", "--rounds", "3"]),
    ("cellkey_attack", ["--draws", "100"], ["--draws", "300"]),
]


def bench(args: list[str]) -> None:
    ensure_venv("test")
    full = "--full" in args
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    parts = [f"# Benchmarks ({'full' if full else 'quick'} sizes), {stamp}, "
             f"{os.cpu_count()} cores\n"]
    for name, quick, full_args in BENCHES:
        argv = [str(PY), "-m", f"bench.{name}", *(full_args if full else quick)]
        print("+", " ".join(argv[1:]), flush=True)
        done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)  # noqa: S603
        print(done.stdout, end="", flush=True)
        parts.append(f"## bench.{name}\n\n`{' '.join(argv[1:])}`\n\n```\n{done.stdout}```\n")
        if done.returncode:
            print(done.stderr[-3000:], file=sys.stderr)
            sys.exit(done.returncode)
    (ROOT / "bench" / "RESULTS.md").write_text("\n".join(parts))
    print("written: bench/RESULTS.md")


TASKS = {"serve": serve, "test": test, "bench": bench}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in TASKS:
        sys.exit(f"usage: python3 tasks.py {{{'|'.join(TASKS)}}} [args...]")
    try:
        TASKS[sys.argv[1]](sys.argv[2:])
    except subprocess.CalledProcessError as e:
        sys.exit(e.returncode)
    except KeyboardInterrupt:
        sys.exit(130)
