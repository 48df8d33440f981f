"""The ``organize`` command line: a composition root, like the web app factory.

    organize serve [--host] [--port] [--demo]   serve the app (embedded DB unless DATABASE_URL)
    organize demo                               load the deterministic demo dataset
    organize erase WORKER_ID                    erase a worker (crypto-shredding)
    organize user add USERNAME --role ROLE ...  create an account (prompts for the password)
    organize user grant|revoke|disable|password manage an account
    organize token create USERNAME              print a new API token for an account (once)
    organize export trends --out DIR [...]      anonymised grievance trends for researchers
    organize keys compact                       finish an erasure that older transactions held up
    organize keygen                             print a new master key
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path
from typing import Any

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
    import signal

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
            _rebuild_stale(runtime)
            runner = runtime.runner()
            _catch_up(runner, "Updating views")
            runner.start()
        host = host or settings.host
        port = port or settings.port
        click.echo(f"organize is listening on http://{host}:{port}/  (API schema: /schema)")
        # uvicorn shuts down gracefully on SIGTERM, then raises the signal again: let that
        # end us through `finally`, so the embedded PostgreSQL is stopped too.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
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


def _rebuild_stale(runtime, names: tuple[str, ...] = ()) -> None:
    """Rebuild the views an upgrade changed (their stored shape differs), before they serve."""
    from organize.projections import registry

    datastore = runtime.app.recorder.datastore
    todo = [n for n in registry.stale(datastore) if not names or n in names]
    head = runtime.app.recorder.max_notification_id() or 0
    for name in todo:
        with click.progressbar(length=head, label=f"Rebuilding {name} (changed by an upgrade)",
                               file=sys.stderr) as bar:
            registry.rebuild(datastore, runtime.app.recorder, runtime.app.mapper, name,
                             progress=bar.update, **runtime.view_deps())


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
    _demo_accounts(runtime)


def _accounts(runtime):
    from datetime import timedelta

    from organize.accounts import AccountService

    return AccountService(runtime.app,
                          session_idle=timedelta(minutes=runtime.settings.session_idle_minutes))


def _demo_accounts(runtime) -> None:
    from organize.accounts import ensure_demo_accounts

    accounts = ensure_demo_accounts(_accounts(runtime))
    click.echo("Demo accounts (username / password):")
    width = max(len(demo.username) for demo, _ in accounts)
    for demo, reach in accounts:
        click.echo(f"  {demo.username:<{width}}  {demo.password:<{width + 5}}  {reach}")


@main.command()
@click.option("--scale", type=click.IntRange(0, 1_000_000), default=0,
              help="Also build a collective with N grievances of history (organize.demo_scale).")
def demo(scale: int) -> None:
    """Load a realistic, deterministic demo dataset (running it twice adds nothing)."""
    runtime = _runtime()
    try:
        _load_demo(runtime)
        if scale:
            _load_scaled(runtime, scale)
    finally:
        runtime.close()


def _load_scaled(runtime, n: int) -> None:
    from organize import demo_scale

    configure_logging("WARNING")
    try:
        with click.progressbar(length=sum(1 for _ in demo_scale.commands(n, runtime.app.taxonomy)),
                               label=f"Building a collective with {n:,} grievances",
                               file=sys.stderr) as bar:
            demo_scale.load_scaled(runtime.app, n, progress=bar.update)
    finally:
        configure_logging(runtime.settings.log_level)
    accounts = _accounts(runtime)
    username, password = demo_scale.LEADER
    if accounts.find(username) is None:
        accounts.create_account(username, password, role="leader",
                                collective_ids=(demo_scale.collective_id(),))
    click.echo(f"  {username}  {password}  leader of Years of history ({n:,} grievances)")


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
        _rebuild_stale(runtime, names)
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
        stale = set(registry.stale(runtime.app.recorder.datastore))
        for view in views:
            behind = head - view.position()
            building = live[view.name][1]
            extra = f", rebuilding into generation {building}" if building else ""
            if view.name in stale:
                extra += ", changed by an upgrade: rebuild it"
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


@main.group()
def keys() -> None:
    """The table of per-worker and per-grievance data keys."""


@keys.command("compact")
@click.option("--patience", default=300.0, show_default=True,
              help="Seconds to wait for transactions older than the last erasure.")
def keys_compact(patience: float) -> None:
    """Rewrite the key table until no shredded key survives in a dead row."""
    runtime = _runtime()
    try:
        clean = runtime.app.keys.compact(patience=patience)
    finally:
        runtime.close()
    if not clean:
        raise click.ClickException("Older transactions are still running; run this again later.")
    click.echo("The key table holds no dead rows.")


# -- exports ------------------------------------------------------------------------------------

@main.group()
def export() -> None:
    """Anonymised exports for researchers: aggregates only, small counts suppressed."""


_GRAIN = {"period": ("auto", "month", "quarter", "year"), "place": ("auto", "region", "country"),
          "category": ("auto", "category", "group")}


@export.command("trends")
@click.option("--by", default="period,place,sector,stage,category", show_default=True,
              help="Dimensions, comma-separated: period, place, sector, stage, category, outcome, "
                   "escalation.")
@click.option("--k", default=10, show_default=True, type=int,
              help="Minimum published cell size (at least 5).")
@click.option("--period", type=click.Choice(_GRAIN["period"]), default="auto", show_default=True)
@click.option("--place", type=click.Choice(_GRAIN["place"]), default="auto", show_default=True)
@click.option("--category", type=click.Choice(_GRAIN["category"]), default="auto",
              show_default=True)
@click.option("--max-suppressed", type=float, default=0.25, show_default=True,
              help="Coarsen until at most this share of grievances sits in hidden cells.")
@click.option("--epsilon", type=float, default=None,
              help="Add differentially private noise (discrete Laplace, per grievance).")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--at", type=int, default=None,
              help="Reproduce an export at this notification id (from its manifest).")
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet", "datapackage"]),
              default="datapackage", show_default=True)
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path))
def export_trends(by, k, period, place, category, max_suppressed, epsilon, since, until, at,
                  fmt, out) -> None:
    """Grievance counts by period, place, sector, stage and category, with disclosure control."""
    import asyncio

    import asyncpg

    from organize.exports.trend_export import export_trends as run_export
    from organize.exports.trends import ExportError, TrendSpec

    if out.exists() and any(out.iterdir()):
        raise click.ClickException(f"{out} is not empty; give a new directory.")
    spec = TrendSpec(
        by=tuple(d.strip() for d in by.split(",") if d.strip()), k=k,
        grains={"period": period, "place": place, "category": category},
        max_suppressed=max_suppressed, epsilon=epsilon,
        since=since.date() if since else None, until=until.date() if until else None, at=at)
    try:
        spec.check()
    except ExportError as e:
        raise click.ClickException(str(e)) from None
    runtime = _runtime()
    try:
        _catch_up(runtime.runner(["research_grievances"]), "Bringing the research base up to date")
        bars: dict[str, Any] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in bars:
                bars[stage] = click.progressbar(length=total, label=stage.capitalize(),
                                                file=sys.stderr)
                bars[stage].__enter__()
            bars[stage].update(done - bars[stage].pos)
            if done >= total:
                bars.pop(stage).__exit__(None, None, None)

        async def go() -> dict:
            conn = await asyncpg.connect(runtime.database.asyncpg_dsn())
            try:
                return await run_export(conn, spec, out, fmt, taxonomy=runtime.taxonomy,
                                        progress=progress)
            finally:
                await conn.close()

        try:
            manifest = asyncio.run(go())
        except ExportError as e:
            raise click.ClickException(str(e)) from None
    finally:
        runtime.close()
    sup = manifest["suppression"]
    click.echo(f"Wrote {', '.join(manifest['files'])} to {out}")
    click.echo(f"Position {manifest['position']['notification_id']}; grains "
               f"{manifest['coarsening']['chosen']}; {sup['hidden_cells']} of {sup['cells']} "
               f"cells suppressed (k={sup['k']}).")


# -- accounts -----------------------------------------------------------------------------------

ROLE_HELP = "leader (with --collective), organiser (with --federation), researcher or admin."


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _account_command(action):
    """Run ``action(service)`` with a runtime, turning a refusal into a clean CLI error."""
    from organize.errors import CommandError

    runtime = _runtime()
    try:
        return action(_accounts(runtime))
    except CommandError as e:
        raise click.ClickException(e.message) from None
    finally:
        runtime.close()


@main.group()
def user() -> None:
    """Accounts: people who log in (never workers)."""


@user.command("add")
@click.argument("username")
@click.option("--role", required=True, help=ROLE_HELP)
@click.option("--collective", "collectives", multiple=True, type=click.UUID,
              help="A collective a leader leads (repeat for several).")
@click.option("--federation", default=None, help="The federation an organiser organises in.")
@click.option("--display-name", default=None, help="A name to show (not needed).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def user_add(username: str, role: str, collectives: tuple[uuid.UUID, ...], federation: str | None,
             display_name: str | None, password_stdin: bool) -> None:
    """Create an account with one role; the grant is recorded as an event."""
    password = _read_password(password_stdin)
    account_id = _account_command(lambda service: service.create_account(
        username, password, role=role, collective_ids=collectives, federation=federation,
        display_name=display_name))
    click.echo(f"Account created ({role}), id {account_id}.")


@user.command("grant")
@click.argument("username")
@click.option("--role", required=True, help=ROLE_HELP)
@click.option("--collective", "collectives", multiple=True, type=click.UUID)
@click.option("--federation", default=None)
def user_grant(username: str, role: str, collectives: tuple[uuid.UUID, ...],
               federation: str | None) -> None:
    """Grant a role (or the same role with a new scope)."""
    _account_command(lambda service: service.grant(username, role, collectives, federation))
    click.echo(f"Role {role} granted.")


@user.command("revoke")
@click.argument("username")
@click.argument("role")
def user_revoke(username: str, role: str) -> None:
    """Revoke the account's role: it keeps its login but reaches nothing."""
    _account_command(lambda service: service.revoke(username, role))
    click.echo(f"Role {role} revoked.")


@user.command("disable")
@click.argument("username")
def user_disable(username: str) -> None:
    """Disable an account: it cannot log in, and its sessions and API tokens end."""
    _account_command(lambda service: service.disable(username))
    click.echo("Account disabled.")


@user.command("password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def user_password(username: str, password_stdin: bool) -> None:
    """Set a new password (the old hash is replaced, and every session ends)."""
    password = _read_password(password_stdin)

    def change(service) -> None:
        account = service.require(username)
        service.set_password(account.id, account.username, password)
        service.end_all_sessions(account.id)

    _account_command(change)
    click.echo("Password changed.")


@main.group()
def token() -> None:
    """API tokens for accounts."""


@token.command("create")
@click.argument("username")
@click.option("--label", default=None, help="What the token is for.")
def token_create(username: str, label: str | None) -> None:
    """Print a new API token for the account. It is shown once and stored only as a hash."""
    _, secret = _account_command(
        lambda service: service.create_token(service.require(username).id, label))
    click.echo(secret)


@main.command()
def keygen() -> None:
    """Print a new random master key for ORGANIZE_CIPHER_KEY."""
    click.echo(new_key())


if __name__ == "__main__":
    main()
