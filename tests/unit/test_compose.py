"""The compose file runs the whole topology that ``tests/integration/test_topology.py``
starts as plain processes (Docker does not run on every machine that runs the tests): a
web service with several workers that never projects, two runners on every view, the
database, and one key and keyring shared by every organize process."""

from __future__ import annotations

from pathlib import Path

import yaml

COMPOSE = yaml.safe_load((Path(__file__).parents[2] / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def organize_services() -> dict[str, dict]:
    return {name: s for name, s in SERVICES.items() if s.get("command", [""])[0] == "organize"}


def test_the_web_service_runs_several_workers_and_no_projections():
    web = SERVICES["web"]
    command = web["command"]
    assert command[:2] == ["organize", "serve"]
    assert int(command[command.index("--workers") + 1]) >= 2
    assert web["environment"]["ORGANIZE_RUN_PROJECTIONS"] == "no"


def test_two_runners_follow_every_view():
    runners = [s for s in organize_services().values() if s["command"][1] == "project"]
    assert len(runners) == 2
    for runner in runners:
        # No view names after `project`: every view, so each has an active and a standby.
        assert [a for a in runner["command"][2:] if not a.startswith("-") and not a.isdigit()] == []
        assert runner.get("restart") == "unless-stopped"


def test_every_organize_process_shares_the_database_key_and_keyring():
    services = organize_services()
    assert set(services) == {"web", "runner-a", "runner-b"}
    envs = [s["environment"] for s in services.values()]
    for key in ("DATABASE_URL", "ORGANIZE_CIPHER_KEY", "ORGANIZE_KEYRING"):
        assert len({env[key] for env in envs}) == 1, key
    for service in services.values():
        assert "keyring:/keyring" in service["volumes"]
        assert service["depends_on"]["db"]["condition"] == "service_healthy"


def test_the_optional_replica_streams_from_db_and_the_web_can_read_from_it():
    replica = SERVICES["replica"]
    assert replica["profiles"] == ["replica"]
    script = replica["command"][-1]
    assert "pg_basebackup -h db" in script and " -R" in script and "exec postgres" in script
    assert replica["depends_on"]["db"]["condition"] == "service_healthy"
    assert "DATABASE_READ_URL" in SERVICES["web"]["environment"]
    assert any("allow-replication.sh" in v for v in SERVICES["db"]["volumes"])
