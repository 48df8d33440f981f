"""Accounts from the command line and the demo: ``organize user add`` and ``organize token
create`` against the session's database, account commands as audited events, and the demo
accounts (one per role) created idempotently."""

from __future__ import annotations

import uuid

import pytest
from click.testing import CliRunner

from infra.logging import configure_logging
from organize import cli
from organize import commands as c
from organize.application import account_id_for
from organize.demo import demo_commands
from organize.demo.accounts import DEMO_ACCOUNTS, demo_collectives, ensure_demo_accounts
from organize.errors import Conflict, Invalid, NotFound
from tests.e2e.auth.conftest import call, max_id

pytestmark = pytest.mark.integration


@pytest.fixture
def cli_env(settings, master_key, tmp_path):
    # The database's keyring, as on a server: every command's log digest is keyed by its KEK.
    yield {"DATABASE_URL": settings.database_url, "ORGANIZE_CIPHER_KEY": master_key,
           "ORGANIZE_HOME": str(tmp_path), "ORGANIZE_KEYRING": str(settings.keyring_dir),
           "ORGANIZE_LOG_LEVEL": "WARNING"}
    configure_logging("INFO")  # the CLI configures logging for the whole process


def run(env, *args, input=None):
    result = CliRunner().invoke(cli.main, list(args), env=env, input=input, catch_exceptions=False)
    return result


async def test_user_add_and_token_create(cli_env, client, app, world):
    username = f"cli-{uuid.uuid4().hex[:8]}"
    result = run(cli_env, "user", "add", username, "--role", "leader", "--collective",
                 str(world.b.collective), "--password-stdin", input="a long secret\n")
    assert result.exit_code == 0, result.output
    assert "a long secret" not in result.output
    account = app.repository.get(account_id_for(username))
    assert account.role == "leader" and account.grant.collective_ids == (world.b.collective,)
    token = run(cli_env, "token", "create", username, "--label", "laptop")
    assert token.exit_code == 0
    secret = token.output.strip()
    assert secret.startswith("org_")
    bearer = {"Authorization": f"Bearer {secret}"}
    client.cookies.clear()
    assert (await client.get(f"/api/v1/collectives/{world.b.collective}", headers=bearer)
            ).status_code == 200
    assert (await client.get(f"/api/v1/collectives/{world.a.collective}", headers=bearer)
            ).status_code == 404
    login = await client.post("/login", json={"username": username, "password": "a long secret"})
    assert login.status_code == 200


def test_user_add_prompts_twice_and_refuses_what_the_domain_refuses(cli_env, world):
    username = f"cli-{uuid.uuid4().hex[:8]}"
    mismatch = run(cli_env, "user", "add", username, "--role", "admin",
                   input="first password\nsecond password\nfirst password\nfirst password\n")
    assert mismatch.exit_code == 0, mismatch.output
    assert "do not match" in mismatch.output.lower() or "error" in mismatch.output.lower()
    for args, message in [
        (("--role", "police"), "no such role"),
        (("--role", "leader"), "at least one"),
        (("--role", "organiser"), "federation"),
        (("--role", "leader", "--collective", str(uuid.uuid4())), "no collective"),
    ]:
        other = f"cli-{uuid.uuid4().hex[:8]}"
        r = run(cli_env, "user", "add", other, *args, "--password-stdin", input="long enough pw\n")
        assert r.exit_code != 0 and message in r.output.lower(), (args, r.output)
    short = run(cli_env, "user", "add", f"cli-{uuid.uuid4().hex[:8]}", "--role", "admin",
                "--password-stdin", input="short\n")
    assert short.exit_code != 0 and "at least 8" in short.output
    taken = run(cli_env, "user", "add", username, "--role", "admin", "--password-stdin",
                input="long enough pw\n")
    assert taken.exit_code != 0 and "taken" in taken.output


def test_grant_revoke_and_disable_from_the_cli(cli_env, app, world, accounts):
    username = f"cli-{uuid.uuid4().hex[:8]}"
    accounts.create_account(username, "long enough pw", role="leader",
                            collective_ids=(world.a.collective,))
    assert run(cli_env, "user", "grant", username, "--role", "leader", "--collective",
               str(world.a.collective), "--collective", str(world.b.collective)).exit_code == 0
    assert app.repository.get(account_id_for(username)).grant.collective_ids == (
        world.a.collective, world.b.collective)
    assert run(cli_env, "user", "revoke", username, "leader").exit_code == 0
    assert app.repository.get(account_id_for(username)).role is None
    assert run(cli_env, "user", "password", username, "--password-stdin",
               input="another long pw\n").exit_code == 0
    assert run(cli_env, "user", "disable", username).exit_code == 0
    assert app.repository.get(account_id_for(username)).disabled


def test_account_commands_are_audited_events_and_admin_only_on_the_web(app, world):
    from organize.accounts import Principal
    from organize.application.access import Authorised
    from organize.errors import Forbidden

    username = f"ev-{uuid.uuid4().hex[:8]}"
    created = app.execute(c.CreateAccount(command_id=uuid.uuid4(), username=username,
                                          role="organiser", federation=world.a.federation))
    names = [type(e).__name__ for e in app.repository.event_store.get(created.id)]
    assert names == ["Created", "RoleGranted"]
    before = max_id(app)
    with pytest.raises(Invalid) as e:
        app.execute(c.GrantRole(command_id=uuid.uuid4(), account_id=created.id, role="immigration"))
    assert e.value.code == "unknown_role" and max_id(app) == before
    with pytest.raises(Conflict):
        app.execute(c.CreateAccount(command_id=uuid.uuid4(), username=username))
    with pytest.raises(NotFound):
        app.execute(c.CreateAccount(command_id=uuid.uuid4(), username=f"x-{username}",
                                    role="leader", collective_ids=(uuid.uuid4(),)))
    assert max_id(app) == before
    leader = Principal(account_id=uuid.uuid4(), username="x", role="leader",
                       collective_ids=frozenset({world.a.collective}), federation=None, via="token")
    with pytest.raises(Forbidden):
        Authorised(app, leader).execute(c.DisableAccount(command_id=uuid.uuid4(),
                                                         account_id=created.id))
    assert max_id(app) == before


def test_every_command_has_an_authorisation_rule():
    from organize.application import HANDLERS, RULES

    assert set(HANDLERS) == set(RULES)


async def test_demo_accounts_one_per_role_idempotent(app, accounts, client, capsys, runtime):
    # The demo's collectives (the full demo is loaded elsewhere; this needs only these).
    for command in demo_commands():
        if isinstance(command, c.CreateCollective):
            app.execute(command)
    made = ensure_demo_accounts(accounts)
    assert [d.role for d, _ in made] == ["leader", "leader", "leader", "organiser", "researcher",
                                         "admin"]
    before = max_id(app)
    cli._demo_accounts(runtime)  # what `organize demo` prints at the end; adds nothing now
    assert max_id(app) == before
    printed = capsys.readouterr().out
    for demo in DEMO_ACCOUNTS:
        assert demo.username in printed and demo.password in printed
    collectives = demo_collectives()
    hk, dhaka = collectives["hk"][0], collectives["dhaka"][0]
    leaders = [d for d in DEMO_ACCOUNTS if d.role == "leader"]
    assert len({d.collective for d in leaders}) == 3  # Hong Kong, Dhaka, Kuala Lumpur
    client.cookies.clear()
    tokens = {}
    for demo in DEMO_ACCOUNTS:
        client.cookies.clear()
        r = await client.post("/login", json={"username": demo.username, "password": demo.password})
        assert r.status_code == 200 and r.json()["role"] == demo.role
        account = accounts.find(demo.username)
        tokens[demo.username] = accounts.create_token(account.id, "demo test")[1]
    leader_hk = [d.username for d in leaders if d.collective == "hk"][0]
    assert (await call(client, "GET", f"/api/v1/collectives/{hk}", None,
                       headers={"Authorization": f"Bearer {tokens[leader_hk]}"})).status_code == 200
    assert (await call(client, "GET", f"/api/v1/collectives/{dhaka}", None,
                       headers={"Authorization": f"Bearer {tokens[leader_hk]}"})).status_code == 404
