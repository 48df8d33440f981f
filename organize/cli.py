"""The ``organize`` command line: a composition root, like the web app factory.

    organize serve [--host] [--port] [--demo]   serve the app (embedded DB unless DATABASE_URL)
    organize demo                               load the deterministic demo dataset
    organize erase WORKER_ID                    erase a worker (crypto-shredding)
    organize keygen                             print a new master key
"""

from __future__ import annotations

import sys
import uuid

import click

from infra.keyfile import new_key
from infra.logging import configure_logging
from infra.settings import SettingsError, load_settings


def _runtime():
    from organize.runtime import open_runtime

    settings = load_settings()
    configure_logging(settings.log_level)
    try:
        runtime = open_runtime(settings)
    except SettingsError as e:
        raise click.ClickException(str(e)) from None
    # Again: the embedded server's library installs its own log handler when it loads.
    configure_logging(settings.log_level)
    return runtime


@click.group()
def main() -> None:
    """organize: a CRM for worker organising and collective bargaining."""


@main.command()
@click.option("--host", default=None, help="Interface to listen on (ORGANIZE_HOST).")
@click.option("--port", default=None, type=int, help="Port (ORGANIZE_PORT).")
@click.option("--demo", is_flag=True, help="Load the demo dataset first (idempotent).")
def serve(host: str | None, port: int | None, demo: bool) -> None:
    """Serve the web app and the JSON API."""
    import uvicorn

    from web.app import create_app

    runtime = _runtime()
    runner = None
    try:
        if demo:
            _load_demo(runtime)
        settings = runtime.settings
        in_process = settings.run_projections
        if in_process is None:
            in_process = settings.embedded
        if in_process:
            # Embedded mode: one process does everything. At scale, run `organize project`.
            runner = runtime.runner()
            _catch_up(runner, "Updating views")
            runner.start()
        host = host or settings.host
        port = port or settings.port
        click.echo(f"organize is listening on http://{host}:{port}/  (API schema: /schema)")
        uvicorn.run(create_app(runtime), host=host, port=port, log_config=None,
                    access_log=False)
    finally:
        if runner is not None:
            runner.stop()
        runtime.close()


def _catch_up(runner, label: str) -> None:
    head = runner.recorder.max_notification_id() or 0
    behind = head - min(runner.positions().values(), default=head)
    if behind <= 0:
        return
    with click.progressbar(length=behind, label=label, file=sys.stderr) as bar:
        runner.catch_up(progress=bar.update)


def _load_demo(runtime) -> None:
    from organize.demo import DemoPlan, load_demo

    plan = DemoPlan()
    # One log line per demo command would drown the progress bar.
    configure_logging("WARNING")
    try:
        with click.progressbar(length=plan.total_commands(), label="Loading demo data",
                               file=sys.stderr) as bar:
            summary = load_demo(runtime.app, plan, progress=bar.update)
    finally:
        configure_logging(runtime.settings.log_level)
    click.echo(summary.describe())


@main.command()
def demo() -> None:
    """Load a realistic, deterministic demo dataset (running it twice adds nothing)."""
    runtime = _runtime()
    try:
        _load_demo(runtime)
    finally:
        runtime.close()


@main.command()
@click.argument("worker_id", type=click.UUID)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase(worker_id: uuid.UUID, yes: bool) -> None:
    """Erase a worker: destroy her key, so her personal data is unreadable everywhere."""
    from organize import commands as c
    from organize.errors import CommandError

    if not yes:
        click.confirm(f"Erase worker {worker_id}? This cannot be undone.", abort=True)
    runtime = _runtime()
    try:
        result = runtime.app.execute(
            c.EraseWorker(command_id=uuid.uuid5(worker_id, "erase"), worker_id=worker_id)
        )
    except CommandError as e:
        raise click.ClickException(e.message) from None
    finally:
        runtime.close()
    click.echo(f"Worker {result.id} erased (event {result.notification_id}).")


@main.command()
@click.argument("names", nargs=-1)
@click.option("--batch-size", default=500, show_default=True, help="Events per transaction.")
def project(names: tuple[str, ...], batch_size: int) -> None:
    """Run projection runners (all views, or NAMES) as a separate process, for scale."""
    import signal

    runtime = _runtime()
    try:
        runner = runtime.runner(list(names) or None, batch_size=batch_size)
        signal.signal(signal.SIGTERM, lambda *_: runner.stop())
        _catch_up(runner, "Catching up")
        click.echo(f"Following the event log for: {', '.join(v.name for v in runner.views)}")
        try:
            runner.run_forever()
        except KeyboardInterrupt:
            runner.stop()
    finally:
        runtime.close()


@main.group()
def projections() -> None:
    """Inspect and rebuild the views."""


@projections.command("status")
def projections_status() -> None:
    """Each view's live generation and how far behind the event log it is."""
    from organize.projections import registry

    runtime = _runtime()
    try:
        views = runtime.open_views()
        head = runtime.app.recorder.max_notification_id() or 0
        live = registry.generations(runtime.app.recorder.datastore)
        for view in views:
            behind = head - view.position()
            building = live[view.name][1]
            extra = f", rebuilding into generation {building}" if building else ""
            click.echo(f"{view.name:22} generation {view.generation}, {behind} events behind{extra}")
    finally:
        runtime.close()


@projections.command("rebuild")
@click.argument("names", nargs=-1)
@click.option("--batch-size", default=1000, show_default=True)
def projections_rebuild(names: tuple[str, ...], batch_size: int) -> None:
    """Rebuild views blue/green: fill a new generation, then switch reads to it."""
    from organize.projections import registry

    runtime = _runtime()
    try:
        datastore = runtime.app.recorder.datastore
        targets = list(names) or list(registry.load_all())
        head = runtime.app.recorder.max_notification_id() or 0
        for name in targets:
            with click.progressbar(length=head, label=f"Rebuilding {name}",
                                   file=sys.stderr) as bar:
                try:
                    generation = registry.rebuild(
                        datastore, runtime.app.recorder, runtime.app.mapper, name,
                        progress=bar.update, batch_size=batch_size, **runtime.view_deps())
                except KeyError as e:
                    raise click.ClickException(str(e.args[0])) from None
            click.echo(f"{name}: now serving generation {generation}")
    finally:
        runtime.close()


@main.command()
def keygen() -> None:
    """Print a new random master key for ORGANIZE_CIPHER_KEY."""
    click.echo(new_key())


if __name__ == "__main__":
    main()
