"""`organize serve` as a real process on the embedded PostgreSQL: it answers, and a SIGTERM
(what a service manager or `docker stop` sends) or a Ctrl-C ends it and the embedded server
with it, quietly: at the default log level no warning at start, and one line at the end,
no traceback."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
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


@pytest.fixture
def home():
    """An ORGANIZE_HOME as a user's would be: the embedded server runs its tools as a user of
    its own when started as root, and pytest's own temporary directories shut that user out
    (mode 0700), which only shows as a failed stop."""
    path = Path(tempfile.mkdtemp(prefix="organize-serve-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["sigterm", "ctrl-c"])
def test_a_signal_stops_serve_and_its_embedded_postgres_quietly(home: Path, signum):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "ORGANIZE_CIPHER_KEY")}
    env.pop("ORGANIZE_LOG_LEVEL", None)  # the default level: what a new user sees
    env.pop("XDG_RUNTIME_DIR", None)  # unset on servers and in containers
    env.update(ORGANIZE_HOME=str(home), ORGANIZE_PORT=str(port))
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
        postgres = int((home / "pgdata" / "postmaster.pid").read_text().split()[0])
        assert _alive(postgres)
        proc.send_signal(signum)
        proc.wait(timeout=60)
        output = proc.stdout.read().decode()
        lines = output.splitlines()
        noisy = [line for line in lines
                 if "warning" in line.lower() or "traceback" in line.lower()
                 or '"level": "error"' in line]
        assert not noisy, output[-3000:]
        assert lines[-1] == "organize stopped.", output[-3000:]
        assert proc.returncode in (0, -signum), proc.returncode
        deadline = time.monotonic() + 30
        while _alive(postgres) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _alive(postgres), "the embedded PostgreSQL outlived serve"
    finally:
        if proc.poll() is None:
            proc.kill()
        if postgres is not None and _alive(postgres):  # never leave a server behind
            os.kill(postgres, signal.SIGTERM)
