"""`organize serve` as a real process on the embedded PostgreSQL: it answers, and a SIGTERM
(what a service manager or `docker stop` sends) ends it and the embedded server with it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.integration


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_sigterm_stops_serve_and_its_embedded_postgres(tmp_path: Path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "ORGANIZE_CIPHER_KEY")}
    env.update(ORGANIZE_HOME=str(tmp_path), ORGANIZE_PORT=str(port), ORGANIZE_LOG_LEVEL="WARNING")
    postgres = None
    proc = subprocess.Popen([sys.executable, "-c", "from organize.cli import main; main()", "serve"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, proc.stdout.read().decode()[-2000:]
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "serve did not answer"
            time.sleep(0.5)
        postgres = int((tmp_path / "pgdata" / "postmaster.pid").read_text().split()[0])
        assert _alive(postgres)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        deadline = time.monotonic() + 30
        while _alive(postgres) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _alive(postgres), "the embedded PostgreSQL outlived serve"
    finally:
        if proc.poll() is None:
            proc.kill()
        if postgres is not None and _alive(postgres):  # never leave a server behind
            os.kill(postgres, signal.SIGTERM)
