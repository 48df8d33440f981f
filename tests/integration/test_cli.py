"""The CLI on a real PostgreSQL: projection status and a blue/green rebuild with its
progress bar, and erasing a worker."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from organize.cli import main
from organize.projections import registry
from tests.integration import support as h

pytestmark = pytest.mark.integration


def test_projections_status_and_rebuild(app, cli_env):
    app.execute(h.create_organisation(name="Recruiter for the CLI test", kind="recruiter"))
    runner = CliRunner()
    before = registry.generations(app.recorder.datastore).get("organisations", (1, None))[0]
    result = runner.invoke(main, ["projections", "rebuild", "organisations"], env=cli_env)
    assert result.exit_code == 0, result.output
    assert f"organisations: now serving generation {before + 1}" in result.output
    status = runner.invoke(main, ["projections", "status"], env=cli_env)
    assert status.exit_code == 0, status.output
    assert f"organisations          generation {before + 1}, 0 events behind" in status.output
    unknown = runner.invoke(main, ["projections", "rebuild", "no_such_view"], env=cli_env)
    assert unknown.exit_code != 0 and "Unknown view" in unknown.output


def test_erase_from_the_cli(app, cli_env):
    worker = app.execute(h.register_worker(pseudonym="Cli"))
    result = CliRunner().invoke(main, ["erase", str(worker.id), "--yes"], env=cli_env)
    assert result.exit_code == 0, result.output
    from organize.domain import Worker

    assert app.get(Worker, worker.id).erased
    again = CliRunner().invoke(main, ["erase", str(worker.id), "--yes"], env=cli_env)
    assert again.exit_code == 0  # the same erase command id: replayed, not an error


def test_a_keyring_that_is_not_the_databases_is_refused(app, cli_env, tmp_path):
    worker = app.execute(h.register_worker(pseudonym="Elsewhere"))
    env = {**cli_env, "ORGANIZE_KEYRING": str(tmp_path / "another-keyring")}
    result = CliRunner().invoke(main, ["erase", str(worker.id), "--yes"], env=env)
    assert result.exit_code == 1 and "ORGANIZE_KEYRING" in result.output, result.output
    assert "Traceback" not in result.output and str(worker.id) not in result.output.split(
        "Erase worker")[-1]
    from organize.domain import Worker

    assert not app.get(Worker, worker.id).erased


def test_a_view_an_upgrade_changed_is_rebuilt_before_it_serves(app, runtime, cli_env):
    from organize.cli import _rebuild_stale

    datastore = app.recorder.datastore
    runtime.open_views(["organisations"])
    assert "organisations" not in registry.stale(datastore)
    with datastore.transaction(commit=True) as curs:  # as if built by an older release
        curs.execute("UPDATE organize_projections SET shape = 'older' WHERE name = 'organisations'")
    assert "organisations" in registry.stale(datastore)
    status = CliRunner().invoke(main, ["projections", "status"], env=cli_env)
    assert "organisations" in status.output and "changed by an upgrade" in status.output
    before = registry.generations(datastore)["organisations"][0]
    _rebuild_stale(runtime, ("organisations",))
    assert registry.generations(datastore)["organisations"][0] == before + 1
    assert "organisations" not in registry.stale(datastore)


def test_view_shapes_follow_their_tables_and_events():
    from organize.projections.views.organisations import OrganisationsView

    classes = registry.load_all()
    shapes = {name: registry.shape(cls) for name, cls in classes.items()}
    assert len(set(shapes.values())) == len(shapes)
    assert shapes == {name: registry.shape(cls) for name, cls in classes.items()}

    class Wider(OrganisationsView):
        def ddl(self, t):
            return [*super().ddl(t), f"ALTER TABLE {t.orgs} ADD COLUMN IF NOT EXISTS x int"]

    class Bumped(OrganisationsView):
        version = 2

    assert registry.shape(Wider) != shapes["organisations"] != registry.shape(Bumped)


def test_erase_collective_from_the_cli(app, cli_env):
    import uuid

    from organize.domain import Worker

    collective = app.execute(h.create_collective(name="Closed centre")).id
    worker = app.execute(h.register_worker(collective, pseudonym="Only here")).id
    unknown = CliRunner().invoke(main, ["erase-collective", str(uuid.uuid4()), "--yes"],
                                 env=cli_env)
    assert unknown.exit_code == 1 and "No collective" in unknown.output
    assert "Traceback" not in unknown.output
    result = CliRunner().invoke(main, ["erase-collective", str(collective), "--yes"], env=cli_env)
    assert result.exit_code == 0, result.output
    assert "1 workers erased" in result.output
    assert app.get(Worker, worker).erased
