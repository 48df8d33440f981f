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
        return open_runtime(settings)
    except SettingsError as e:
        raise click.ClickException(str(e)) from None


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
    try:
        if demo:
            _load_demo(runtime)
        settings = runtime.settings
        host = host or settings.host
        port = port or settings.port
        click.echo(f"organize is listening on http://{host}:{port}/  (API schema: /schema)")
        uvicorn.run(create_app(runtime), host=host, port=port, log_config=None,
                    access_log=False)
    finally:
        runtime.close()


def _load_demo(runtime) -> None:
    from organize.demo import DemoPlan, load_demo

    plan = DemoPlan()
    with click.progressbar(length=plan.total_commands(), label="Loading demo data",
                           file=sys.stderr) as bar:
        summary = load_demo(runtime.app, plan, progress=bar.update)
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
def keygen() -> None:
    """Print a new random master key for ORGANIZE_CIPHER_KEY."""
    click.echo(new_key())


if __name__ == "__main__":
    main()
