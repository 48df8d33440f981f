"""``organize import``, ``organize duplicates`` and ``organize merge``: the command line of
imports and of merging duplicate workers (added to ``organize.cli.main``).

    organize import COLLECTIVE_ID DATA --mapping MAP [--form XLSFORM] [--repeat FILE]...
                                                     [--commit]
        a dry run by default: the counts of new, updated, unchanged, quarantined and
        duplicate-suspect rows with each row's reason; ``--commit`` writes them.
    organize duplicates COLLECTIVE_ID      likely duplicate workers, with why (never names)
    organize merge SURVIVOR ABSORBED [--undo]
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from pathlib import Path

import click


def _runtime():
    from infra.settings import SettingsError
    from organize.runtime import open_configured

    try:
        return open_configured()
    except SettingsError as e:
        raise click.ClickException(str(e)) from None


def _read_views(runtime, views: list[str], read):
    """``read(conn)`` over the views, brought up to date first (with a progress bar)."""
    import asyncpg

    runner = runtime.runner(views)
    behind = (runner.recorder.max_notification_id() or 0) - min(runner.positions().values(),
                                                                 default=0)
    with click.progressbar(length=max(behind, 0), label="Reading the views",
                           file=sys.stderr) as bar:
        runner.catch_up(progress=bar.update)

    async def go():
        conn = await asyncpg.connect(runtime.database.asyncpg_dsn())
        try:
            return await read(conn)
        finally:
            await conn.close()

    return asyncio.run(go())


def _members(runtime, collective_id: uuid.UUID) -> list[uuid.UUID]:
    """The collective's workers, from the worker directory."""
    from organize.projections.reads import Scope
    from organize.projections.views.worker_directory import list_workers

    rows = _read_views(runtime, ["worker_directory"],
                       lambda conn: list_workers(conn, Scope.everything(), collective_id))
    if rows is None:
        raise click.ClickException(f"No collective with id {collective_id}.")
    return [r.id for r in rows]


@click.command("import")
@click.argument("collective_id", type=click.UUID)
@click.argument("data", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--mapping", "mapping_path", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The mapping file (TOML or YAML) for this form id and version.")
@click.option("--form", "form_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The XLSForm the submissions answer; without it, DATA is a plain sheet.")
@click.option("--repeat", "repeats", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A repeat group's file (ODK Central's FORM-REPEAT.csv); repeatable.")
@click.option("--commit", is_flag=True, help="Write the rows; without it, a dry run.")
def import_command(collective_id: uuid.UUID, data: Path, mapping_path: Path,
                   form_path: Path | None, repeats: tuple[Path, ...], commit: bool) -> None:
    """Import Kobo / ODK Central submissions or a spreadsheet into a collective."""
    from organize.domain import Collective
    from organize.errors import CommandError
    from organize.imports import service
    from organize.imports.plan import known_workers

    runtime = _runtime()
    try:
        app = runtime.app
        try:
            app.exists(Collective, collective_id, field="collective_id")
            prepared = service.prepare(
                app, data=(data.name, data.read_bytes()),
                mapping=(mapping_path.name, mapping_path.read_bytes()),
                form=(form_path.name, form_path.read_bytes()) if form_path else None,
                extra=[(p.name, p.read_bytes()) for p in repeats])
        except (service.ImportFailed, CommandError) as e:
            raise click.ClickException(e.message) from None
        known = known_workers(app, _members(runtime, collective_id), collective_id=collective_id)
        label = "Importing" if commit else "Checking (dry run)"
        with click.progressbar(length=len(prepared.submissions), label=label,
                               file=sys.stderr) as bar:
            report = service.run(app, prepared, collective_id, dry_run=not commit, known=known,
                                 progress=bar.update)
    finally:
        runtime.close()
    for row in report.rows:
        if row.outcome == "quarantined":
            click.echo(f"line {row.line}: quarantined: {row.reason}")
        elif row.suspect:
            click.echo(f"line {row.line}: duplicate suspect: {row.suspect}")
    counts = report.counts
    click.echo(("Imported" if commit else "Dry run, nothing written") + ": "
               + ", ".join(f"{counts[k]} {k.replace('_', '-')}" for k in counts) + ".")
    if not commit:
        click.echo("Run again with --commit to write the new and updated rows.")


@click.command("duplicates")
@click.argument("collective_id", type=click.UUID)
def duplicates_command(collective_id: uuid.UUID) -> None:
    """Likely duplicate workers in a collective, with the reason (names are never shown)."""
    from organize.application.duplicates import suggest
    from organize.projections.reads import Scope
    from organize.projections.views.grievance_register import grievance_workers

    runtime = _runtime()
    try:
        members = _members(runtime, collective_id)
        grievances = _read_views(
            runtime, ["grievance_register"],
            lambda conn: grievance_workers(conn, Scope.everything(), collective_id))
        found = suggest(runtime.app, collective_id, members, grievances)
    finally:
        runtime.close()
    for s in found:
        click.echo(f"{s.worker_ids[0]} {s.worker_ids[1]}  {', '.join(s.reasons)}")
    click.echo(f"{len(found)} possible duplicate pair(s).")


@click.command("merge")
@click.argument("survivor_id", type=click.UUID)
@click.argument("absorbed_id", type=click.UUID)
@click.option("--undo", is_flag=True, help="Undo an earlier merge of these two records.")
def merge_command(survivor_id: uuid.UUID, absorbed_id: uuid.UUID, undo: bool) -> None:
    """Merge two records of one worker (both stay, and read as one), or undo that."""
    from organize import commands as c
    from organize.errors import CommandError

    cls = c.UndoWorkerMerge if undo else c.MergeWorkers
    runtime = _runtime()
    try:
        result = runtime.app.execute(cls(command_id=uuid.uuid4(), survivor_id=survivor_id,
                                         absorbed_id=absorbed_id))
    except CommandError as e:
        raise click.ClickException(e.message) from None
    finally:
        runtime.close()
    click.echo(f"{'Merge undone' if undo else 'Merged'} (event {result.notification_id}).")
