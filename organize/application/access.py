"""The application seen through one account: ``authorise`` checks a command against its
rule (``organize.application.RULES``) before it runs, and ``Authorised`` wraps the shared
application so that every command and every read of one aggregate goes through the policy
(``organize.application.policy``).
"""

from __future__ import annotations

from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from organize import commands as c
from organize.application import RULES, Organize
from organize.application.policy import ROLE_MESSAGE, Visibility, keeping_the_unnamed, not_found
from organize.domain.account import ADMIN, LEADER
from organize.errors import Forbidden, NotFound
from organize.projections.reads import Scope
from organize.provenance import recording_as

A = TypeVar("A", bound=Aggregate)


def _ids(value: UUID | tuple[UUID, ...] | None) -> tuple[UUID, ...]:
    if value is None:
        return ()
    return tuple(value) if isinstance(value, tuple) else (value,)


def authorise(app: Organize, principal, command: c.Command) -> None:
    """Refuse the command (Forbidden, or NotFound for anything out of scope) unless this
    account may run it. Runs before the command, so a refusal appends nothing."""
    rule = RULES.get(type(command))
    if rule is None:  # a command nobody classified: closed until someone does
        raise Forbidden("This action is not open to accounts yet.", code="role")
    if not rule.may(principal.role):
        raise Forbidden(ROLE_MESSAGE, code="role")
    if rule.admin_only and principal.via != "session":  # a token never manages accounts
        raise Forbidden("Accounts are managed after logging in, never with an API token.",
                        code="role")
    if principal.role == ADMIN:
        return
    if rule.check is not None:
        rule.check(principal, command)
    seen = Visibility(app, principal.scope)
    for touch in rule.touches:
        for aggregate_id in _ids(getattr(command, touch.field)):
            seen.require(touch.relation, aggregate_id, touch.field)


def may_run(role: str, command: type[c.Command]) -> bool:
    """Whether a role may run a command at all (in some scope): for pages and the README."""
    rule = RULES.get(command)
    return rule is not None and rule.may(role)


class Authorised(Organize):
    """The application seen through one account: ``execute`` authorises first, ``load``
    answers "not found" for anything out of scope, and ``visibility`` tells the reading
    functions (``organize.application.reading``) what they may name. Everything else is the shared
    application underneath (a subclass so the routes' type checks accept it)."""

    def __init__(self, app: Organize, principal):  # no super().__init__: a view
        self._app = app
        self.principal = principal
        self.visibility = Visibility(app, principal.scope or Scope(collective_ids=frozenset()))

    def __getattr__(self, name: str) -> Any:
        if name == "_app":  # not set yet (copying, unpickling): never recurse
            raise AttributeError(name)
        return getattr(self._app, name)

    @property
    def reads_personal_data(self) -> bool:
        """Leaders (of collectives in scope) and admins read personal fields and free text;
        organisers see pseudonyms and codes only (``organize.application.reading``)."""
        return self.principal.role in (LEADER, ADMIN)

    def execute(self, command: c.Command) -> c.CommandResult:
        if not self.principal.organises:
            raise Forbidden(ROLE_MESSAGE, code="role")
        authorise(self._app, self.principal, command)
        if isinstance(command, c.CorrectAttendance):
            command = keeping_the_unnamed(self.visibility, command)
        with recording_as(self.principal.role):  # the command log keeps the role (history)
            return self._app.execute(command)

    def load(self, cls: type[A], aggregate_id: UUID, *, field: str,
             expected_version: int | None = None, events: list | None = None) -> A:
        if not self.principal.organises:
            raise Forbidden(ROLE_MESSAGE, code="role")
        kept: list | None = None if events is None else []
        try:
            aggregate = self._app.load(cls, aggregate_id, field=field, events=kept)
        except NotFound:
            raise not_found(cls, aggregate_id, field) from None
        self.visibility.seen(aggregate)
        if not self.visibility.readable(aggregate):
            raise not_found(cls, aggregate_id, field)
        if expected_version is not None:  # checked only once the aggregate may be seen
            return self._app.load(cls, aggregate_id, field=field, expected_version=expected_version)
        if events is not None and kept:  # handed over only once the aggregate may be seen
            events.extend(kept)
        return aggregate

    def close(self) -> None:  # the shared application is closed by its owner, never here
        pass

    def __del__(self) -> None:
        pass


__all__ = ["Authorised", "authorise", "may_run"]
