"""The Account aggregate (no database): roles are events, only four roles exist, and each
role's scope is checked before anything is recorded."""

from __future__ import annotations

import typing
import uuid

import pytest
from eventsourcing.domain import Aggregate

from organize.domain import ROLES, Account, DomainError

A, B = uuid.uuid4(), uuid.uuid4()


def account() -> Account:
    return Account.create(id=uuid.uuid4(), username="leader-hk", display_name=None)


def events(agg: Account) -> list[str]:
    return [type(e).__name__ for e in agg.collect_events()]


def test_roles_are_the_four_and_no_others():
    assert ROLES == ("leader", "organiser", "researcher", "admin")
    for role in ("immigration", "police", "embassy", "Admin", "", None):
        agg = account()
        with pytest.raises(DomainError) as e:
            agg.grant_role(role, (), None)
        assert e.value.code == "unknown_role" and e.value.field == "role"


def test_grants_and_revocations_are_events():
    agg = account()
    agg.grant_role("leader", (A,), None)
    agg.grant_role("leader", (A, B), None)  # the same role with a new scope replaces it
    agg.revoke_role("leader")
    agg.grant_role("organiser", (), "Mekong network")
    agg.disable()
    assert events(agg) == ["Created", "RoleGranted", "RoleGranted", "RoleRevoked", "RoleGranted",
                           "Disabled"]
    assert agg.role == "organiser" and agg.disabled


@pytest.mark.parametrize(("role", "ids", "federation", "code"), [
    ("leader", (), None, "empty"),
    ("leader", (A,), "Mekong", "not_scoped"),
    ("organiser", (), None, "empty"),
    ("organiser", (A,), "Mekong", "not_scoped"),
    ("researcher", (A,), None, "not_scoped"),
    ("admin", (), "Mekong", "not_scoped"),
    ("leader", (A, A), None, "duplicate"),
])
def test_a_role_names_exactly_its_scope(role, ids, federation, code):
    agg = account()
    agg.collect_events()
    with pytest.raises(DomainError) as e:
        agg.grant_role(role, ids, federation)
    assert e.value.code == code
    assert agg.collect_events() == []


def test_one_role_at_a_time_and_no_pointless_events():
    agg = account()
    agg.grant_role("leader", (A,), None)
    agg.collect_events()
    with pytest.raises(DomainError, match="revoke it") as e:
        agg.grant_role("admin", (), None)
    assert e.value.code == "role_held"
    with pytest.raises(DomainError) as e:
        agg.grant_role("leader", (A,), None)
    assert e.value.code == "already_granted"
    with pytest.raises(DomainError) as e:
        agg.revoke_role("admin")
    assert e.value.code == "not_held"
    assert agg.collect_events() == []


def test_a_disabled_account_gets_no_role():
    agg = account()
    agg.disable()
    with pytest.raises(DomainError) as e:
        agg.grant_role("admin", (), None)
    assert e.value.code == "disabled"
    with pytest.raises(DomainError):
        agg.disable()


@pytest.mark.parametrize("username", ["ab", "Leader", "has space", "-dash-first", "x" * 41, "é-name", 7])
def test_usernames_are_plain_codes(username):
    with pytest.raises(DomainError) as e:
        Account.create(id=uuid.uuid4(), username=username, display_name=None)
    assert e.value.code == "invalid_username"


def test_events_carry_storable_fields_and_never_a_password():
    stored = {str, uuid.UUID, str | None, tuple[uuid.UUID, ...]}
    classes = {name: cls for name, cls in vars(Account).items()
               if isinstance(cls, type) and issubclass(cls, Aggregate.Event) and name != "Event"}
    assert set(classes) == {"Created", "RoleGranted", "RoleRevoked", "Disabled"}
    for cls in classes.values():
        for field, hint in typing.get_type_hints(cls).items():
            if field in {"originator_id", "originator_version", "timestamp", "originator_topic"} or \
                    typing.get_origin(hint) is typing.ClassVar:
                continue
            assert hint in stored, (cls, field, hint)
            assert "password" not in field and "hash" not in field
