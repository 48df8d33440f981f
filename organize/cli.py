"""The ``organize`` command line: a composition root, like the web app factory.

    organize serve [--host] [--port] [--demo]   serve the app (embedded DB unless DATABASE_URL)
    organize demo                               load the deterministic demo dataset
    organize erase WORKER_ID                    erase a worker (crypto-shredding)
    organize erase-collective COLLECTIVE_ID     erase a raided or closed centre's workers and keys
    organize user add USERNAME --role ROLE ...  create an account (prompts for the password)
    organize user grant|revoke|disable|password manage an account
    organize token create USERNAME              print a new API token for an account (once)
    organize export trends --out DIR [...]      a release of anonymised grievance trends
    organize export budget USERNAME [--total E] a researcher's privacy budget (an admin sets it)
    organize backup OUT                         dump the database (the keys stay in the keyring)
    organize restore BACKUP                     restore a backup; later erasures still hold
    organize keygen                             print a new master key
    organize verify [--proof NOTIFICATION_ID]   check the seal over the event log
    organize import COLLECTIVE_ID DATA --mapping M [--form F] [--commit]
                                                import Kobo / ODK / spreadsheet rows (dry run first)
    organize duplicates COLLECTIVE_ID           likely duplicate workers, with why
    organize merge SURVIVOR ABSORBED [--undo]   merge two records of one worker, or undo it
    organize seal checkpoint|key|cosign|run     signed checkpoints of the event log
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import click

from infra.keyfile import new_key
from infra.logging import configure_logging
from infra.settings import SettingsError, load_settings
from organize.imports.commands import duplicates_command, import_command, merge_command
from organize.seal.commands import seal_group, verify_command

WORKER_HEALTHCHECK_SECONDS = 30  # how late a web process of `serve --workers N` may answer its ping


def _runtime():
    from organize.runtime import open_configured

    try:
        return open_configured()
    except SettingsError as e:
        raise click.ClickException(str(e)) from None


@click.group()
def main() -> None:
    """organize: a CRM for worker organising and collective bargaining."""


@main.command()
@click.option("--host", default=None, help="Interface to listen on (ORGANIZE_HOST).")
@click.option("--port", default=None, type=int, help="Port (ORGANIZE_PORT).")
@click.option("--demo", is_flag=True, help="Load the demo dataset first (idempotent).")
@click.option("--workers", default=None, type=click.IntRange(1, 64),
              help="Web processes (ORGANIZE_WORKERS, default 1). Each is stateless; views are "
                   "updated by this process in embedded mode, else by `organize project`.")
def serve(host: str | None, port: int | None, demo: bool, workers: int | None) -> None:
    """Serve the web app and the JSON API."""
    import os
    import signal

    import uvicorn

    from web.app import create_app

    runtime = _runtime()
    runner = sealing = None
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
            # The runner catches up in its thread: the server listens at once, and pages
            # whose views are still behind say so (web.pages.common.CATCHING_UP).
            runner = runtime.runner()
            runner.start()
            sealing = _start_sealing(runtime)
        host = host or settings.host
        port = port or settings.port
        click.echo(f"organize is listening on http://{host}:{port}/  (API schema: /schema)")
        # uvicorn shuts down gracefully on SIGTERM, then raises the signal again: let that
        # end us through `finally`, so the embedded PostgreSQL is stopped too.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        workers = workers or int(os.environ.get("ORGANIZE_WORKERS") or 1)
        if workers == 1:
            uvicorn.run(create_app(runtime), host=host, port=port, log_config=None,
                        access_log=False)
        else:
            # Each web process opens its own runtime from the environment: the same
            # database (the embedded one too) and key, never a projection runner.
            from infra.keyfile import resolve_master_key

            os.environ.update(DATABASE_URL=runtime.database.url,
                              ORGANIZE_CIPHER_KEY=resolve_master_key(settings),
                              ORGANIZE_RUN_PROJECTIONS="0")
            # A web process busy under load answers its supervisor's ping late; at uvicorn's
            # 5 s it was killed with every request it held (seen with 50 users on 2 cores).
            uvicorn.run("organize.cli:web_app", factory=True, workers=workers, host=host,
                        port=port, log_config=None, access_log=False,
                        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS)
    finally:
        if runner is not None:
            runner.stop(wait=10)  # before the embedded server stops under it
        if sealing is not None:
            sealing.stop(wait=10)
        runtime.close()
        click.echo("organize stopped.")


def web_app():
    """One web process of `serve --workers N` (uvicorn imports this in each process)."""
    from web.app import create_app

    return create_app(_runtime())


def _start_sealing(runtime, start: bool = True):
    """The seal follows the log beside the views, off the command path (organize.seal)."""
    import os

    from organize.seal.checkpoint import CheckpointError
    from organize.seal.service import open_seal

    try:
        sealing = open_seal(runtime, dict(os.environ))
    except CheckpointError as e:  # a malformed ORGANIZE_SEAL_KEY or block setting
        raise click.ClickException(str(e)) from None
    if start:
        sealing.start()
    return sealing


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
    from organize.demo.accounts import ensure_demo_accounts

    accounts = ensure_demo_accounts(_accounts(runtime))
    click.echo("Demo accounts (username / password):")
    width = max(len(demo.username) for demo, _ in accounts)
    for demo, reach in accounts:
        click.echo(f"  {demo.username:<{width}}  {demo.password:<{width + 5}}  {reach}")


@main.command()
@click.option("--scale", type=click.IntRange(0, 1_000_000), default=0,
              help="Also build a collective with N grievances of history (organize.demo.scale).")
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
    from organize.demo import scale as demo_scale

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
    from organize.persistence.keyring import KeyringError

    if not yes:
        click.confirm(f"Erase worker {worker_id}? This cannot be undone.", abort=True)
    runtime = _runtime()
    try:
        result = runtime.app.execute(
            c.EraseWorker(command_id=uuid.uuid5(worker_id, "erase"), worker_id=worker_id)
        )
    except (CommandError, KeyringError) as e:
        raise click.ClickException(str(getattr(e, "message", e))) from None
    finally:
        runtime.close()
    click.echo(f"Worker {result.id} erased (event {result.notification_id}).")


@main.command("erase-collective")
@click.argument("collective_id", type=click.UUID)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase_collective_command(collective_id: uuid.UUID, yes: bool) -> None:
    """Erase a collective (a centre raided or closed): every worker who belongs only to it,
    and the keys it owns (its campaigns' texts, its meetings' decisions and cancellation
    reasons, its self-assessments' narratives)."""
    from organize.erasure import erase_collective
    from organize.errors import CommandError
    from organize.persistence.keyring import KeyringError

    if not yes:
        click.confirm(f"Erase collective {collective_id} and every worker who belongs only "
                      "to it? This cannot be undone.", abort=True)
    runtime = _runtime()
    try:
        done = erase_collective(runtime.app, collective_id)
    except (CommandError, KeyringError) as e:
        raise click.ClickException(str(getattr(e, "message", e))) from None
    finally:
        runtime.close()
    click.echo(f"Collective erased: {len(done.workers_erased)} workers erased, "
               f"{done.keys_shredded} keys destroyed.")


@main.command()
@click.argument("names", nargs=-1)
@click.option("--batch-size", default=500, show_default=True, help="Events per transaction.")
def project(names: tuple[str, ...], batch_size: int) -> None:
    """Run projection runners (all views, or NAMES) as a separate process, for scale."""
    import signal

    runtime = _runtime()
    sealing = None
    try:
        if names == ("seal",):  # the seal is not a view: it follows the log on its own
            sealing = _start_sealing(runtime, start=False)
            signal.signal(signal.SIGTERM, lambda *_: sealing.stop())
            sealing.run_forever()
            return
        if not names or "seal" in names:
            sealing = _start_sealing(runtime)
            names = tuple(n for n in names if n != "seal")
        _rebuild_stale(runtime, names)
        runner = runtime.runner(list(names) or None, batch_size=batch_size)
        # Ctrl-C and SIGTERM end the current batch (it commits whole or not at all), then
        # the process, with one line and no traceback.
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: runner.stop())
        _catch_up(runner, "Catching up")
        click.echo(f"Following the event log for: {', '.join(v.name for v in runner.views)}")
        runner.run_forever()
    finally:
        if sealing is not None:
            sealing.stop(wait=10)
        runtime.close()
    click.echo("organize project stopped.")


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
            extra = ""
            if building and registry.rebuild_running(runtime.app.recorder.datastore, view.name):
                extra = f", rebuilding into generation {building}"
            elif building:
                extra = (f", a rebuild into generation {building} was interrupted: run "
                         f"`organize projections rebuild {view.name}` again")
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


# -- backups ------------------------------------------------------------------------------------

@main.command("backup")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
def backup_command(out: Path) -> None:
    """Dump the database into OUT; the keys stay in the keyring, never in the backup."""
    from organize.backup import BackupError, backup

    runtime = _runtime()
    try:
        manifest = backup(runtime, out)
    except BackupError as e:
        raise click.ClickException(str(e)) from None
    finally:
        runtime.close()
    click.echo(f"Backup written to {out} (KEK generation {manifest['kek_generation']}). "
               f"It holds no key: keep the keyring ({runtime.settings.keyring_dir}) apart.")


@main.command("restore")
@click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(source: Path, yes: bool) -> None:
    """Replace the database with the backup in SOURCE, keyed from the keyring.

    Whoever was erased after the backup was taken stays erased.
    """
    from infra.database import open_database
    from organize.backup import BackupError, restore
    from organize.persistence.keyring import KeyringError

    if not yes:
        click.confirm("Replace everything in the database with this backup?", abort=True)
    settings = load_settings()
    configure_logging(settings.log_level)
    try:
        database = open_database(settings)
    except SettingsError as e:
        raise click.ClickException(str(e)) from None
    try:
        runtime = restore(settings, database, source)
    except (BackupError, KeyringError, SettingsError) as e:
        database.close()
        raise click.ClickException(str(e)) from None
    erased = len(runtime.app.keys.keyring.erased())
    runtime.close()
    click.echo(f"Restored from {source}; {erased} erasures from the keyring's ledger hold.")


# -- exports ------------------------------------------------------------------------------------

@main.group()
def export() -> None:
    """Anonymised releases for researchers: aggregates only, over whole closed periods."""


_GRAIN = {"period": ("auto", "month", "quarter", "year"), "place": ("auto", "region", "country"),
          "category": ("auto", "category", "group")}


@export.command("trends")
@click.option("--by", default="period,place,sector,stage,category", show_default=True,
              help="Dimensions, comma-separated: period, place, sector, stage, category, outcome, "
                   "escalation, owed, recovered (money, in bands). Every release is split by "
                   "period.")
@click.option("--k", default=10, show_default=True, type=int,
              help="Minimum published cell size (at least 5).")
@click.option("--period", type=click.Choice(_GRAIN["period"]), default="auto", show_default=True,
              help="Whole closed periods of this length (auto: quarter).")
@click.option("--place", type=click.Choice(_GRAIN["place"]), default="auto", show_default=True,
              help="auto: country.")
@click.option("--category", type=click.Choice(_GRAIN["category"]), default="auto",
              show_default=True, help="auto: group.")
@click.option("--epsilon", type=float, default=None,
              help="Differential privacy instead of the cell-key method (at most 1), paid for "
                   "from the researcher's budget.")
@click.option("--researcher", default=None,
              help="The researcher's username: whose budget pays, and whose release it is.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Snaps to the start of its period.")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Snaps to the end of its period, or of the last closed one.")
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet", "datapackage"]),
              default="datapackage", show_default=True)
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path))
def export_trends(by, k, period, place, category, epsilon, researcher, since, until, fmt,
                  out) -> None:
    """A release of grievance counts: the stored one when it was asked for before."""
    import asyncio
    import io
    import zipfile

    import asyncpg

    from organize.application import account_id_for
    from organize.domain import Account
    from organize.errors import NotFound
    from organize.exports.budget import budget_state, spender
    from organize.exports.releases import ReleaseRequest, obtain
    from organize.exports.trends import ExportError

    if out.exists() and any(out.iterdir()):
        raise click.ClickException(f"{out} is not empty; give a new directory.")
    request = ReleaseRequest(
        by=tuple(d.strip() for d in by.split(",") if d.strip()), k=k,
        grains={"period": period, "place": place, "category": category}, epsilon=epsilon,
        since=since.date() if since else None, until=until.date() if until else None, fmt=fmt)
    try:
        request.check()
    except ExportError as e:
        raise click.ClickException(str(e)) from None
    runtime = _runtime()
    try:
        who, spend, budget = "operator", None, None
        if researcher is not None:
            account_id = account_id_for(researcher)
            try:
                account = runtime.app.load(Account, account_id, field="researcher")
            except NotFound:
                raise click.ClickException(f"There is no account {researcher!r}.") from None
            if account.role not in ("researcher", "admin"):
                raise click.ClickException(f"{researcher!r} is not a researcher.")
            who = str(account_id)
            spend = spender(runtime.app, account_id)
            budget = lambda: budget_state(runtime.app, account_id)  # noqa: E731
        _catch_up(runtime.runner(["research_grievances"]), "Bringing the research base up to date")

        async def go():
            conn = await asyncpg.connect(runtime.database.asyncpg_dsn())
            try:
                return await obtain(conn, request, taxonomy=runtime.taxonomy, researcher=who,
                                    spend=spend, budget=budget)
            finally:
                await conn.close()

        try:
            release = asyncio.run(go())
        except ExportError as e:
            raise click.ClickException(str(e)) from None
    finally:
        runtime.close()
    out.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(io.BytesIO(release.body)) as z:
        z.extractall(out)
    manifest = release.manifest
    sup = manifest["suppression"]
    for note in manifest["snapped"]:
        click.echo(f"Snapped: {note['why']} ({note['asked'] or '-'} -> {note['released'] or '-'})",
                   err=True)
    click.echo(f"Wrote release {manifest['release']} to {out}"
               + (" (stored: handed back as first issued)" if release.repeat else ""))
    click.echo(f"Position {manifest['position']['notification_id']}; periods "
               f"{manifest['parameters']['since']} to {manifest['parameters']['until']}; "
               f"{sup['published_cells']} counts of at least k={sup['k']} published; "
               f"{manifest['mechanism']['name']}, epsilon spent "
               f"{manifest['mechanism']['epsilon_spent']}.")


@export.command("budget")
@click.argument("username")
@click.option("--total", type=float, default=None,
              help="Set her total privacy budget (epsilon, 0 to 20); without it, show it.")
def export_budget(username: str, total: float | None) -> None:
    """A researcher's privacy budget: what is left of it, or a new total (an admin's step,
    recorded as an event)."""
    from organize import commands as c
    from organize.application import account_id_for
    from organize.domain import Account
    from organize.errors import CommandError, NotFound
    from organize.exports.budget import budget_state

    runtime = _runtime()
    try:
        account_id = account_id_for(username)
        try:
            runtime.app.load(Account, account_id, field="username")
        except NotFound:
            raise click.ClickException(f"There is no account {username!r}.") from None
        if total is not None:
            if not 0 <= total <= 20:  # SetPrivacyBudget's bound, said in the option's unit
                raise click.BadParameter("must be between 0 and 20", param_hint="'--total'")
            try:
                runtime.app.execute(c.SetPrivacyBudget(
                    command_id=uuid.uuid4(), account_id=account_id,
                    total_milli=round(total * 1000)))
            except CommandError as e:
                raise click.ClickException(e.message) from None
        state = budget_state(runtime.app, account_id)
    finally:
        runtime.close()
    click.echo(f"Privacy budget of {username}: {state['left']:g} left of {state['total']:g} "
               f"(spent {state['spent']:g}).")


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


main.add_command(verify_command)
main.add_command(seal_group)
main.add_command(import_command)
main.add_command(duplicates_command)
main.add_command(merge_command)

if __name__ == "__main__":
    main()
