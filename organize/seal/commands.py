"""The seal's command line: ``organize verify`` and ``organize seal ...``.

    organize verify [--log-key VKEY] [--witness VKEY]   recompute the seal; non-zero on failure
    organize verify --proof NOTIFICATION_ID             one event's inclusion proof (JSON)
    organize seal checkpoint [--export FILE]            seal the tail, sign, print or export
    organize seal key                                   print the log's verifier key
    organize seal cosign FILE --witness VKEY            store a witness's countersignature

The sealer itself runs in ``organize serve`` and ``organize project`` (``organize project seal``
runs it alone).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import click


def _runtime():
    from infra.settings import SettingsError
    from organize.runtime import open_configured

    try:
        return open_configured()
    except SettingsError as e:
        raise click.ClickException(str(e)) from None


@click.command("verify")
@click.option(
    "--proof",
    "proof",
    type=int,
    default=None,
    metavar="NOTIFICATION_ID",
    help="Print the inclusion proof of this event instead.",
)
@click.option("--log-key", default=None, help="The log's verifier key (name+hash+base64).")
@click.option(
    "--witness",
    "witnesses",
    multiple=True,
    help="A witness's verifier key whose countersignature every checkpoint needs.",
)
def verify_command(proof: int | None, log_key: str | None, witnesses: tuple[str, ...]) -> None:
    """Recompute every block root, the chain and the checkpoints from the stored events."""
    from organize.seal.checkpoint import CheckpointError, Verifier
    from organize.seal.service import log_verifier, open_sealer
    from organize.seal.verify import describe, inclusion, verify

    runtime = _runtime()
    try:
        sealer = open_sealer(runtime)
        if proof is not None:
            try:
                found = inclusion(runtime.app.recorder, sealer, proof)
            except LookupError as e:
                raise click.ClickException(str(e)) from None
            click.echo(json.dumps(found, indent=2))
            return
        try:
            key = log_verifier(runtime.settings.home, dict(os.environ), log_key)
            trusted = tuple(Verifier.parse(w) for w in witnesses)
        except CheckpointError as e:
            raise click.ClickException(str(e)) from None
        report = verify(runtime.app.recorder, sealer, key, trusted)
        if key is None:
            report.problems.append("no log key: give --log-key to check checkpoint signatures")
        click.echo(describe(report))
        if not report.ok:
            raise SystemExit(1)
    finally:
        runtime.close()


@click.group("seal")
def seal_group() -> None:
    """The tamper-evident seal over the event log."""


@seal_group.command("checkpoint")
@click.option(
    "--export",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the checkpoint note to this file (to print, or send to a witness).",
)
def checkpoint_command(out: Path | None) -> None:
    """Seal every event logged so far and sign a checkpoint of the whole log."""
    from organize.seal.service import open_seal

    runtime = _runtime()
    try:
        note = open_seal(runtime).checkpoint()
    finally:
        runtime.close()
    if note is None:
        raise click.ClickException("The log is empty: nothing to seal yet.")
    if out is None:
        click.echo(note, nl=False)
    else:
        out.write_text(note)
        click.echo(f"Checkpoint written to {out}.")


@seal_group.command("key")
def key_command() -> None:
    """Print the log's verifier key, for partners who check its checkpoints."""
    from infra.settings import load_settings
    from organize.seal.service import log_verifier

    settings = load_settings()
    key = log_verifier(settings.home, dict(os.environ))
    if key is None:
        raise click.ClickException("No seal key yet: run `organize seal checkpoint` first.")
    click.echo(key.vkey())


@seal_group.command("cosign")
@click.argument("note_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--witness", required=True, help="The witness's verifier key (name+hash+base64).")
def cosign_command(note_file: Path, witness: str) -> None:
    """Store a witness's countersignature from the checkpoint note it signed and sent back."""
    from organize.seal.checkpoint import CheckpointError, Verifier, parse_note
    from organize.seal.service import open_sealer

    try:
        verifier = Verifier.parse(witness)
        note = parse_note(note_file.read_text())
    except (CheckpointError, UnicodeDecodeError) as e:
        raise click.ClickException(f"Not a countersigned checkpoint: {e}") from None
    lines = [s for s in note.signatures if verifier.check(note.body, s)]
    if not lines:
        raise click.ClickException(f"The note carries no valid signature by {verifier.name}.")
    runtime = _runtime()
    try:
        sealer = open_sealer(runtime)
        ours = {c["tree_size"]: c["note"] for c in sealer.checkpoints()}
        if note.size not in ours or parse_note(ours[note.size]).body != note.body:
            raise click.ClickException("This log never issued that checkpoint.")
        sealer.add_cosignature(note.size, verifier.vkey(), lines[0])
    finally:
        runtime.close()
    click.echo(f"Countersignature by {verifier.name} stored for tree size {note.size}.")
