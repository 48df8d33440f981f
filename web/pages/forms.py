"""Forms, once for every page: a posted form becomes a command struct, or comes back with a
message on each field in the reader's language and everything she typed kept.

The command structs in ``organize.commands`` already say what each field is (a date, an id,
a list of ids, text up to so many characters, a code). ``decode`` reads that description
(``msgspec.inspect``), so a page names the command and the values the server fixes (ids from
the path) and nothing else:

    form = await read_form(request)
    command = decode(c.EscalateGrievance, form, lang, fixed={"grievance_id": gid})
    if command is not None:
        result = await execute(organize, command, form, lang)

Field names in the form are the command's field names (``profile.pseudonym`` for a field of
a nested struct). A list of ids is repeated fields (checkboxes, a multiple select); a list of
texts is one textarea, a line each (``lines``). Digits typed in Devanagari, Bengali or
Arabic-Indic script are read as numbers. Dates come from ``<input type="date">``
(YYYY-MM-DD) and times from ``<input type="datetime-local">``, read in the collective's
time zone (``zone``); a date outside the calendar (``calendar_problem``: after the
collective's today, except a planned meeting, or before a plausible first day) is refused
on its field.

What she typed is never put in a message (it could be a name or a number).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any

import anyio
import msgspec
import msgspec.inspect as mi
from litestar import Request

from organize.errors import CommandError
from organize.time_zones import today_in
from web.i18n import error_message, field_message

# Native digits (Devanagari, Bengali, Arabic-Indic, Persian) read as Latin ones.
_DIGITS = {zero + i: str(i) for zero in (0x0966, 0x09E6, 0x0660, 0x06F0) for i in range(10)}
_TRUE = frozenset({"on", "true", "1", "yes"})
HIDDEN = ("command_id", "expected_version")  # fields a form carries, never shown
# Fields the domain names that a page shows under another name.
ALIASES = {"sealed_details": "details", "sealed_note": "note", "sealed_notes": "notes",
           "reason_code": "reason"}


# The calendar a typed date must fall in: nothing after today (today anywhere on earth, so a
# leader ahead of UTC is never refused her own today), except a planned meeting (within five
# years); nothing before a plausible first day (a work history reaches further back).
EARLIEST = date(1990, 1, 1)
EARLIEST_HISTORY = date(1950, 1, 1)
HISTORY = frozenset({"started_on", "ended_on", "moved_on"})  # a worker's own past
PLANNED = frozenset({"scheduled_for", "leaves_on", "starts_on", "expires_on"})  # may lie ahead
AHEAD_YEARS = 5


def latest_today() -> date:
    """The latest date that is today somewhere (UTC+14)."""
    return (datetime.now(UTC) + timedelta(hours=14)).date()


def calendar_problem(value: date, name: str,
                     today: date | None = None) -> tuple[str, dict[str, Any]] | None:
    """Why a date (or a datetime's day) typed for field ``name`` falls outside the calendar,
    as a field message kind and its parameters; None when it is fine. ``today``: the
    collective's today; without it, the latest today on earth."""
    day = value.date() if isinstance(value, datetime) else value
    latest = today or latest_today()
    first = EARLIEST_HISTORY if name in HISTORY else EARLIEST
    if day < first:
        return "too_early", {"first": str(first.year)}
    if name in PLANNED:
        if day > latest + timedelta(days=366 * AHEAD_YEARS):
            return "too_far_ahead", {"years": AHEAD_YEARS}
    elif day > latest:
        return "in_the_future", {}
    return None


def latin_digits(text: str) -> str:
    return text.translate(_DIGITS)


@dataclass
class Form:
    """A posted (or first shown) form: what was typed, and what is wrong with it."""

    values: dict[str, list[str]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    message: str | None = None  # about the whole form
    prefix: str = ""  # makes the ids of its fields unique on a page of several forms

    @classmethod
    def blank(cls, **values: Any) -> Form:
        """A form shown for the first time, with values to start from and a new
        ``command_id`` (so sending it twice does the thing once)."""
        form = cls()
        form.set("command_id", str(uuid.uuid4()))
        for name, value in values.items():
            form.set(name, value)
        return form

    def set(self, name: str, value: Any) -> None:
        if value is None:
            self.values.pop(name, None)
        elif isinstance(value, list | tuple | set | frozenset):
            self.values[name] = [str(v) for v in value]
        else:
            self.values[name] = [str(value)]

    def keyed(self, prefix: str) -> Form:
        self.prefix = prefix
        return self

    def get(self, name: str, default: str = "") -> str:
        found = self.values.get(name)
        return found[0] if found else default

    def all(self, name: str) -> list[str]:
        return list(self.values.get(name, ()))

    def has(self, name: str, value: Any) -> bool:
        return str(value) in self.values.get(name, ())

    def error(self, name: str) -> str | None:
        return self.errors.get(name)

    @property
    def ok(self) -> bool:
        return not self.errors and self.message is None

    def hidden(self, *names: str) -> list[tuple[str, str]]:
        """(name, value) pairs to carry in hidden fields, repeated fields repeated."""
        return [(n, v) for n in names for v in self.values.get(n, ())]


async def read_form(request: Request) -> Form:
    data = await request.form()
    values: dict[str, list[str]] = {}
    for name, value in data.multi_items():
        if isinstance(value, str):
            values.setdefault(name, []).append(value)
    return Form(values=values)


# -- from text to typed values ------------------------------------------------------------


class _Bad(Exception):  # noqa: N818 - a field's problem, turned into its message
    def __init__(self, kind: str, **params: Any):
        self.kind = kind
        self.params = params


def _unwrap(t: mi.Type) -> tuple[mi.Type, bool]:
    """The type without ``None`` and metadata, and whether ``None`` is allowed."""
    optional = False
    while True:
        if isinstance(t, mi.Metadata):
            t = t.type
        elif isinstance(t, mi.UnionType):
            rest = [x for x in t.types if not isinstance(x, mi.NoneType)]
            optional = optional or len(rest) < len(t.types)
            t = rest[0] if len(rest) == 1 else mi.AnyType()
        else:
            return t, optional


def _scalar(t: mi.Type, raw: str, *, code: bool, zone: tzinfo | None = None) -> Any:
    if isinstance(t, mi.UUIDType):
        try:
            return uuid.UUID(raw)
        except ValueError:
            raise _Bad("unknown_choice") from None
    if isinstance(t, mi.DateType):
        try:
            return date.fromisoformat(latin_digits(raw))
        except ValueError:
            raise _Bad("not_a_date") from None
    if isinstance(t, mi.DateTimeType):
        try:
            value = datetime.fromisoformat(latin_digits(raw))
        except ValueError:
            raise _Bad("not_a_date") from None
        # A typed clock is the collective's: 18:30 in Hong Kong is 18:30+08:00.
        return value if value.tzinfo else value.replace(tzinfo=zone or UTC)
    if isinstance(t, mi.IntType):
        try:
            value = int(latin_digits(raw))
        except ValueError:
            raise _Bad("not_a_number") from None
        if (t.ge is not None and value < t.ge) or (t.le is not None and value > t.le):
            raise _Bad("out_of_range")
        return value
    if isinstance(t, mi.DecimalType | mi.FloatType):
        text = latin_digits(raw).replace(" ", "").replace("\u066b", ".").replace("\u066c", "")
        if "," in text and "." not in text and text.count(",") == 1 and len(text.split(",")[1]) != 3:
            text = text.replace(",", ".")  # 12,50: a decimal comma
        text = text.replace(",", "")  # 1,200.50 or 12,34,567: grouping
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise _Bad("not_a_number") from None
        if not value.is_finite():
            raise _Bad("not_a_number")
        return value
    if isinstance(t, mi.BoolType):
        return raw.lower() in _TRUE
    if isinstance(t, mi.StrType):
        if t.max_length is not None and len(raw) > t.max_length:
            raise _Bad("too_long", max=t.max_length)
        if t.pattern is not None:
            if t.pattern == "^[A-Z]{3}$":
                raw = raw.upper()
            if not re.search(t.pattern, raw):
                raise _Bad("unknown_choice" if code else "invalid_input")
        return raw
    return raw


def _message(bad: _Bad, lang: str) -> str:
    if bad.kind in ("required", "too_long", "not_a_date", "not_a_number", "unknown_choice",
                    "too_early", "in_the_future", "too_far_ahead"):
        return field_message(bad.kind, lang, **bad.params)
    return error_message(bad.kind, lang)


def _is_code(t: mi.Type) -> bool:
    return isinstance(t, mi.StrType) and t.pattern is not None and t.pattern.startswith("^[a-z]")


def _decode_struct(fields: Iterable[mi.Field], form: Form, lang: str, *, prefix: str,
                   fixed: Mapping[str, Any], lines: frozenset[str],
                   only: frozenset[str] | None, data: dict[str, Any],
                   zone: tzinfo | None = None) -> bool:
    """Fill ``data`` from ``form``; errors go on the form. True when anything was given."""
    given = False
    for f in fields:
        name = prefix + f.name
        if f.name in fixed and not prefix:
            data[f.name] = fixed[f.name]
            continue
        if only is not None and name not in only and not any(o.startswith(name + ".") for o in only):
            continue
        t, optional = _unwrap(f.type)
        required = f.required and not optional
        try:
            if isinstance(t, mi.StructType):
                inner: dict[str, Any] = {}
                inner_given = _decode_struct(t.fields, form, lang, prefix=name + ".", fixed={},
                                             lines=lines, only=only, data=inner, zone=zone)
                if inner_given or required:
                    data[f.name] = inner
                    given = True
                continue
            if isinstance(t, mi.VarTupleType | mi.ListType | mi.SetType | mi.FrozenSetType):
                raw_items = form.all(name)
                if name in lines:
                    raw_items = [line.strip() for text in raw_items for line in text.splitlines()]
                raw_items = [r.strip() for r in raw_items if r.strip()]
                item_type, _ = _unwrap(t.item_type)
                items = []
                for raw in dict.fromkeys(raw_items):
                    items.append(_scalar(item_type, raw, code=_is_code(item_type)))
                if t.min_length and len(items) < t.min_length:
                    raise _Bad("required")
                if t.max_length is not None and len(items) > t.max_length:
                    raise _Bad("too_many")
                if items or f.required:
                    data[f.name] = items
                    given = given or bool(items)
                continue
            raw = form.get(name).strip()
            if not raw:
                if required:
                    raise _Bad("required")
                continue
            value = _scalar(t, raw, code=_is_code(t), zone=zone)
            if isinstance(value, date):
                problem = calendar_problem(value, f.name,
                                           None if zone is None else today_in(zone))
                if problem:
                    raise _Bad(problem[0], **problem[1])
            data[f.name] = value
            given = True
        except _Bad as bad:
            form.errors.setdefault(name, _message(bad, lang))
    return given


def decode(command_type: type[msgspec.Struct], form: Form, lang: str, *,
           fixed: Mapping[str, Any] | None = None, lines: Iterable[str] = (),
           only: Iterable[str] | None = None, zone: tzinfo | None = None) -> Any | None:
    """The command ``form`` describes, or None with ``form.errors`` filled in.

    ``fixed``: values the server decides (ids from the path, a version), never read from the
    form. ``lines``: list fields typed as one line each. ``only``: check just these fields
    (a step of a longer form); then nothing is built and the result is None either way.
    ``zone``: the collective's time zone; typed times are read in it, and a date is checked
    against its today."""
    fixed = dict(fixed or {})
    only_set = frozenset(only) if only is not None else None
    data: dict[str, Any] = {}
    info = mi.type_info(command_type)
    assert isinstance(info, mi.StructType)
    _decode_struct(info.fields, form, lang, prefix="", fixed=fixed, lines=frozenset(lines),
                   only=only_set, data=data, zone=zone)
    for name in HIDDEN:  # not hers to fix: the form itself is broken or too old
        if form.errors.pop(name, None) is not None:
            form.message = error_message("csrf", lang)
    if only_set is not None or form.errors:
        return None
    try:
        return msgspec.convert(data, command_type, strict=False)
    except msgspec.ValidationError as e:  # a rule the walk above does not know
        path = str(e).rsplit("at `$.", 1)
        where = path[1].rstrip("`").split("[")[0] if len(path) == 2 else None
        if where:
            form.errors[where] = error_message("invalid_input", lang)
        else:
            form.message = error_message("invalid_input", lang)
        return None


def refusal(form: Form, error: CommandError, lang: str, *, fields: Iterable[str] = ()) -> None:
    """Put a refused command's message on its field when the form shows that field, else on
    the whole form."""
    text = error_message(error.code, lang)
    name = ALIASES.get(error.field or "", error.field or "")
    shown = set(fields) | set(form.values)
    if name and name in shown and name not in HIDDEN:
        form.errors[name] = text
    else:
        form.message = text


async def execute(organize: Any, command: Any, form: Form, lang: str, *,
                  fields: Iterable[str] = ()) -> Any | None:
    """Run ``command`` (in a thread: the application is synchronous). The result, or None
    with the refusal on the form. A stale version is raised for the page to show what
    changed."""
    try:
        return await anyio.to_thread.run_sync(organize.execute, command)
    except CommandError as e:
        if e.code == "stale_version":
            raise
        refusal(form, e, lang, fields=fields)
        return None


def status_of(form: Form) -> int:
    return 200 if form.ok else 422


__all__ = ["Form", "decode", "execute", "latin_digits", "read_form", "refusal", "status_of"]
