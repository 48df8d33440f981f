"""``organize import`` on a real PostgreSQL: a dry run that writes nothing and says what a
commit will do, the commit with the same counts, a re-run that adds nothing, and a
suspect against a worker already recorded; then ``duplicates`` and ``merge``."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from organize.cli import main
from organize.domain import Worker
from tests.integration import support as h
from tests.integration.imports import support as s

pytestmark = pytest.mark.integration


def test_import_dry_run_commit_duplicates_and_merge(app, cli_env, tmp_path):
    collective = app.execute(h.create_collective()).id
    b = s.batch()
    # Already recorded by hand: the second woman, with the phone the form gives her.
    by_hand = app.execute(h.register_worker(collective, pseudonym="R. T.",
                                            phone=b.subs[1].phone)).id
    (main_name, main_data), extra = s.odk_csv(b)
    data = tmp_path / main_name
    data.write_bytes(main_data)
    repeats = []
    for name, blob in extra:
        (tmp_path / name).write_bytes(blob)
        repeats += ["--repeat", str(tmp_path / name)]
    args = ["import", str(collective), str(data), "--mapping", str(s.MAPPING),
            "--form", str(s.FORM), *repeats]
    before = app.recorder.max_notification_id()
    dry = CliRunner().invoke(main, args, env=cli_env)
    assert dry.exit_code == 0, dry.output
    assert app.recorder.max_notification_id() == before
    assert "line 4: quarantined: an unknown choice in 'sector'" in dry.output
    assert "line 3: duplicate suspect: same phone as a worker already recorded" in dry.output
    summary = "3 new, 0 updated, 0 unchanged, 1 quarantined, 1 duplicate-suspect."
    assert f"Dry run, nothing written: {summary}" in dry.output
    for secret in [*b.names(), *b.phones()]:
        assert secret not in dry.output

    done = CliRunner().invoke(main, [*args, "--commit"], env=cli_env)
    assert done.exit_code == 0, done.output
    assert f"Imported: {summary}" in done.output
    again = CliRunner().invoke(main, [*args, "--commit"], env=cli_env)
    assert "Imported: 0 new, 0 updated, 3 unchanged, 1 quarantined, 0 duplicate-suspect." \
        in again.output

    imported = s.landed(app, collective, b.subs[1]).worker_ids[0]
    dupes = CliRunner().invoke(main, ["duplicates", str(collective)], env=cli_env)
    assert dupes.exit_code == 0, dupes.output
    pair = {line.split()[0] for line in dupes.output.splitlines() if "same phone" in line} | {
        line.split()[1] for line in dupes.output.splitlines() if "same phone" in line}
    assert pair == {str(by_hand), str(imported)}
    merged = CliRunner().invoke(main, ["merge", str(by_hand), str(imported)], env=cli_env)
    assert merged.exit_code == 0, merged.output
    assert app.get(Worker, imported).merged_into == by_hand
    undone = CliRunner().invoke(main, ["merge", str(by_hand), str(imported), "--undo"],
                                env=cli_env)
    assert undone.exit_code == 0 and app.get(Worker, imported).merged_into is None


def test_a_bad_mapping_is_a_plain_error(app, cli_env, tmp_path):
    collective = app.execute(h.create_collective()).id
    name, blob = s.kobo_json(s.batch())
    (tmp_path / name).write_bytes(blob)
    bad = tmp_path / "bad.toml"
    bad.write_text(s.MAPPING.read_text().replace('"domestic_care"', '"domestic_chores"'))
    result = CliRunner().invoke(main, ["import", str(collective), str(tmp_path / name),
                                       "--mapping", str(bad), "--form", str(s.FORM)], env=cli_env)
    assert result.exit_code == 1
    assert "'domestic_chores', which is not a sectors code of the taxonomy" in result.output
    assert "Traceback" not in result.output


def test_duplicates_counts_shared_grievances(app, cli_env):
    """Two records with loosely alike pseudonyms, the only two on one of the collective's
    grievances, are a pair "shared grievances"; two unalike coworkers on another are not."""
    collective = app.execute(h.create_collective()).id
    first, second, third, fourth = (
        app.execute(h.register_worker(collective, pseudonym=name)).id
        for name in ("Parbati", "Parbati Sherpa", "Mumtaz", "Ishrat"))
    app.execute(h.raise_grievance(collective, (first, second)))
    app.execute(h.raise_grievance(collective, (third, fourth)))
    dupes = CliRunner().invoke(main, ["duplicates", str(collective)], env=cli_env)
    assert dupes.exit_code == 0, dupes.output
    pairs = [line.split("  ", 1) for line in dupes.output.splitlines() if "  " in line]
    assert [({*ids.split()}, why) for ids, why in pairs] == [
        ({str(first), str(second)}, "shared grievances")]
    assert "1 possible duplicate pair(s)." in dupes.output
    assert "Parbati" not in dupes.output
