"""The Account aggregate: a person who logs in (a collective leader, an organiser, a
researcher or an admin). Accounts are not workers, and no worker is ever an account's
subject.

Who an account is and which role it holds are events, so every grant and revocation is
audited. The password hash is not here: it must be replaceable and must never sit in an
immutable log, so it lives in a table of its own (``organize_credentials``).

An account holds at most one role at a time. Granting the role it already holds with a new
scope replaces the scope (a leader who takes on a second collective is granted ``leader``
with both); granting another role needs the first revoked. There is no role for
immigration, police or embassies: any code but the four below is refused.
"""

import re
from uuid import UUID

import msgspec
from eventsourcing.domain import Aggregate, event

from organize.domain.errors import DomainError
from organize.domain.limits import (
    NAME_MAX,
    check_ids,
    check_optional_text,
    check_uuid,
)

LEADER = "leader"  # scoped to one or more collectives
ORGANISER = "organiser"  # scoped to a federation
RESEARCHER = "researcher"  # anonymised research exports only
ADMIN = "admin"
ROLES: tuple[str, ...] = (LEADER, ORGANISER, RESEARCHER, ADMIN)

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,39}$")


class RoleGrant(msgspec.Struct, frozen=True, kw_only=True):
    """The role an account holds and what it reaches."""

    role: str
    collective_ids: tuple[UUID, ...] = ()
    federation: str | None = None


def check_username(value: object) -> str:
    if not isinstance(value, str) or not USERNAME_PATTERN.match(value):
        raise DomainError(
            "A username is 3 to 40 lower-case letters, digits, dots, dashes or underscores, "
            "starting with a letter or digit.",
            field="username",
            code="invalid_username",
        )
    return value


def check_role(value: object) -> str:
    if value not in ROLES:
        raise DomainError(
            "There is no such role. The roles are leader, organiser, researcher and admin.",
            field="role",
            code="unknown_role",
        )
    return str(value)


class Account(Aggregate):
    @classmethod
    def create(
        cls,
        *,
        id: UUID,  # the application chooses ids
        username: str,
        display_name: str | None,
    ) -> "Account":
        return cls(
            id=check_uuid(id, field="id"),
            username=check_username(username),
            display_name=check_optional_text(display_name, field="display_name", max_len=NAME_MAX),
        )

    @event("Created")
    def __init__(self, id: UUID, username: str, display_name: str | None) -> None:
        self.username = username
        self.display_name = display_name
        self.grant: RoleGrant | None = None
        self.disabled = False

    @property
    def role(self) -> str | None:
        return None if self.grant is None else self.grant.role

    def grant_role(
        self,
        role: str,
        collective_ids: tuple[UUID, ...],
        federation: str | None,
    ) -> None:
        self._require_enabled()
        role = check_role(role)
        ids = check_ids(collective_ids, field="collective_ids")
        federation = check_optional_text(federation, field="federation", max_len=NAME_MAX)
        if role == LEADER and not ids:
            raise DomainError(
                "A leader's role names the collectives she leads; choose at least one.",
                field="collective_ids",
                code="empty",
            )
        if role != LEADER and ids:
            raise DomainError(
                "Only a leader's role names collectives.", field="collective_ids", code="not_scoped"
            )
        if role == ORGANISER and federation is None:
            raise DomainError(
                "An organiser's role names the federation she organises in.",
                field="federation",
                code="empty",
            )
        if role != ORGANISER and federation is not None:
            raise DomainError(
                "Only an organiser's role names a federation.", field="federation", code="not_scoped"
            )
        if self.grant is not None and self.grant.role != role:
            raise DomainError(
                f"This account already holds the {self.grant.role} role; revoke it before "
                "granting another.",
                field="role",
                code="role_held",
            )
        if self.grant == RoleGrant(role=role, collective_ids=ids, federation=federation):
            raise DomainError(
                "This account already holds exactly this role.", field="role", code="already_granted"
            )
        self._role_granted(role=role, collective_ids=ids, federation=federation)

    @event("RoleGranted")
    def _role_granted(self, role: str, collective_ids: tuple[UUID, ...], federation: str | None) -> None:
        self.grant = RoleGrant(role=role, collective_ids=collective_ids, federation=federation)

    def revoke_role(self, role: str) -> None:
        role = check_role(role)
        if self.grant is None or self.grant.role != role:
            raise DomainError(
                f"This account does not hold the {role} role.", field="role", code="not_held"
            )
        self._role_revoked(role=role)

    @event("RoleRevoked")
    def _role_revoked(self, role: str) -> None:
        self.grant = None

    def disable(self) -> None:
        self._require_enabled()
        self._disabled()

    @event("Disabled")
    def _disabled(self) -> None:
        # The grant is kept for the record; a disabled account reaches nothing.
        self.disabled = True

    def _require_enabled(self) -> None:
        if self.disabled:
            raise DomainError(
                "This account is disabled.", field="account_id", code="disabled"
            )
