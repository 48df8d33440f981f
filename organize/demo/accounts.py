"""The demo's accounts: one per role, with fixed passwords, so anyone trying the demo can
log in as each (``organize demo`` creates them and prints the logins)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from uuid import UUID

from organize import commands as c
from organize.accounts import ACCOUNT_NAMESPACE, AccountService
from organize.application import new_id
from organize.demo.material import FED_DOMESTIC, SPECS
from organize.demo.plan import demo_commands
from organize.domain.account import ADMIN, LEADER, ORGANISER, RESEARCHER


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    collective: str | None = None  # the demo collective's key (organize.demo.SPECS)
    federation: str | None = None


# One account per role, with fixed passwords, so anyone trying the demo can log in as each.
# The two leaders lead collectives in different federations; the organiser organises in
# the federation of the first (Hong Kong) and not of the second (Dhaka).
DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("leader-hk", "demo-leader-hk", LEADER, collective="hk"),
    DemoAccount("leader-dhaka", "demo-leader-dhaka", LEADER, collective="dhaka"),
    # The Kuala Lumpur centre, in the organiser's federation: she answers the invitations
    # to joint campaigns the organiser launches with Hong Kong (issue 6).
    DemoAccount("leader-kl", "demo-leader-kl", LEADER, collective="kl"),
    DemoAccount("organiser", "demo-organiser", ORGANISER, federation=FED_DOMESTIC),
    DemoAccount("researcher", "demo-researcher", RESEARCHER),
    DemoAccount("admin", "demo-admin", ADMIN),
)


def demo_collectives(plan=None) -> dict[str, tuple[UUID, str]]:
    """The demo collectives' ids and names by key, as ``load_demo`` creates them."""
    keys = {s.name: s.key for s in SPECS}
    return {keys[cmd.name]: (new_id(cmd.command_id, "collective"), cmd.name)
            for cmd in demo_commands(plan) if isinstance(cmd, c.CreateCollective)}


def ensure_demo_accounts(service: AccountService, plan=None) -> list[tuple[DemoAccount, str]]:
    """Create the demo accounts that do not exist yet (idempotent): each is returned with a
    description of what it reaches."""
    collectives = demo_collectives(plan)
    out = []
    for demo in DEMO_ACCOUNTS:
        ids = (collectives[demo.collective][0],) if demo.collective else ()
        account = service.find(demo.username)
        if account is None:
            service.create_account(
                demo.username, demo.password, role=demo.role, collective_ids=ids,
                federation=demo.federation,
                command_id=uuid.uuid5(ACCOUNT_NAMESPACE, f"demo:{demo.username}"))
        elif not service.has_password(account.id):
            service.set_password(account.id, demo.username, demo.password)
        if demo.collective:
            reach = f"leader of {collectives[demo.collective][1]}"
        elif demo.federation:
            reach = f"organiser in {demo.federation}"
        else:
            reach = demo.role
        out.append((demo, reach))
    return out
