"""The taxonomy: the vocabularies of codes that grievances, spells, campaigns and
meetings are described with.

This room loads the packaged default (``taxonomy.toml``) and the extension files a
federation supplies, checks them, and answers questions about codes. The taxonomy is
data, not code (DOMAIN.md, lesson 9): a federation adapts it to its context by adding
entries. It can never redefine or remove one, because stored events refer to codes and
must keep their meaning for ever.
"""

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from organize.domain.errors import DomainError, TaxonomyError

# Vocabulary name -> the fields an entry may have beyond `code` and `label`, each with
# whether it is required.
VOCABULARIES: Mapping[str, Mapping[str, bool]] = MappingProxyType(
    {
        "collective_kinds": {},
        "organisation_kinds": {"note": False},
        "sectors": {},
        "stages": {},
        "relationships": {},
        "outcomes": {"needs_amount": True},
        "ilo_indicators": {},
        "category_groups": {},
        "categories": {"group": True, "ilo": False},
        "escalation_targets": {},
        "campaign_action_kinds": {},
        "meeting_kinds": {},
        "demand_results": {},
        "invitation_decline_reasons": {},
    }
)

CODE_RE = re.compile(r"^[a-z][a-z0-9_]{1,47}$")
LABEL_MAX = 200
_SUGGESTIONS = 6  # how many valid codes an "unknown code" message lists


@dataclass(frozen=True, slots=True)
class Entry:
    """One entry of a vocabulary. Optional fields apply to some vocabularies only."""

    code: str
    label: str
    group: str | None = None  # categories: the category group
    ilo: str | None = None  # categories: the ILO forced-labour indicator, if any
    needs_amount: bool = False  # outcomes: an amount and currency must be recorded
    note: str | None = None  # a hint for people choosing this entry
    source: str = field(default="", compare=False)  # the file that defined it


@dataclass(frozen=True)
class Taxonomy:
    """All vocabularies, merged and checked. Immutable; share one freely."""

    vocabularies: Mapping[str, tuple[Entry, ...]]
    sources: tuple[str, ...] = ()
    _index: Mapping[str, Mapping[str, Entry]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index = {
            name: MappingProxyType({e.code: e for e in entries})
            for name, entries in self.vocabularies.items()
        }
        object.__setattr__(self, "_index", MappingProxyType(index))

    def entries(self, vocabulary: str) -> tuple[Entry, ...]:
        return self.vocabularies[_known(vocabulary)]

    def codes(self, vocabulary: str) -> tuple[str, ...]:
        return tuple(e.code for e in self.entries(vocabulary))

    def has(self, vocabulary: str, code: object) -> bool:
        return isinstance(code, str) and code in self._index[_known(vocabulary)]

    def entry(self, vocabulary: str, code: str) -> Entry:
        try:
            return self._index[_known(vocabulary)][code]
        except KeyError:
            raise KeyError(f"No code {code!r} in vocabulary {vocabulary!r}") from None

    def label(self, vocabulary: str, code: str) -> str:
        return self.entry(vocabulary, code).label

    def require(self, vocabulary: str, code: object, *, field: str) -> str:
        """Return ``code`` if ``vocabulary`` has it, else refuse it naming ``field``."""
        if self.has(vocabulary, code):
            return code  # type: ignore[return-value]  # has() checked it is a str
        codes = self.codes(vocabulary)
        listed = ", ".join(codes[:_SUGGESTIONS])
        more = f" (and {len(codes) - _SUGGESTIONS} more)" if len(codes) > _SUGGESTIONS else ""
        shown = repr(code)[:60]
        raise DomainError(
            f"The {field.replace('_', ' ')} {shown} is not one of the known codes; "
            f"choose one of {listed}{more}.",
            field=field,
            code="unknown_code",
        )

    def category_group(self, code: str) -> str:
        group = self.entry("categories", code).group
        assert group is not None  # every category has a group; loading checks it
        return group

    def category_ilo(self, code: str) -> str | None:
        return self.entry("categories", code).ilo

    def categories_in_group(self, group: str) -> tuple[str, ...]:
        return tuple(e.code for e in self.entries("categories") if e.group == group)

    def outcome_needs_amount(self, code: str) -> bool:
        return self.entry("outcomes", code).needs_amount


def load_taxonomy(*extensions: Path | str) -> Taxonomy:
    """The packaged default taxonomy, extended by each file in ``extensions`` in order."""
    documents = [_default_document()]
    for path in extensions:
        documents.append(_read(Path(path)))
    return _build(documents)


@cache
def _default_document() -> tuple[str, dict[str, Any]]:
    # Parsed once per process: the packaged file never changes while we run.
    text = resources.files("organize.domain").joinpath("taxonomy.toml").read_text(encoding="utf-8")
    return _parse(text, "taxonomy.toml (default)")


def _read(path: Path) -> tuple[str, dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise TaxonomyError(f"{path.name}: cannot read the taxonomy file ({e}).") from e
    return _parse(text, path.name)


def _parse(text: str, source: str) -> tuple[str, dict[str, Any]]:
    try:
        return source, tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise TaxonomyError(f"{source}: not valid TOML ({e}).") from e


def _build(documents: list[tuple[str, dict[str, Any]]]) -> Taxonomy:
    merged: dict[str, list[Entry]] = {name: [] for name in VOCABULARIES}
    # (vocabulary, code) -> index of the document that defined it, to tell a repeat
    # within one file from an extension redefining an existing code.
    defined: dict[tuple[str, str], int] = {}
    for position, (source, data) in enumerate(documents):
        for name, raw_entries in data.items():
            if name not in VOCABULARIES:
                raise TaxonomyError(
                    f"{source}: unknown top-level key {name!r}; a taxonomy file may "
                    f"only hold these vocabularies: {', '.join(VOCABULARIES)}."
                )
            if not isinstance(raw_entries, list) or not all(isinstance(r, dict) for r in raw_entries):
                raise TaxonomyError(f"{source}: {name!r} must be an array of tables ([[{name}]]).")
            if not raw_entries:
                raise TaxonomyError(f"{source}: vocabulary {name!r} is empty.")
            for raw in raw_entries:
                entry = _entry(name, raw, source)
                defined_in = defined.get((name, entry.code))
                if defined_in is not None and defined_in != position:
                    raise TaxonomyError(
                        f"{source}: {name} entry {raw!r} redefines code "
                        f"{entry.code!r} from {documents[defined_in][0]}; an extension "
                        "may only add new codes."
                    )
                if defined_in is not None:
                    raise TaxonomyError(f"{source}: {name} entry {raw!r} repeats code {entry.code!r}.")
                defined[(name, entry.code)] = position
                merged[name].append(entry)
    for name, entries in merged.items():
        if not entries:
            raise TaxonomyError(f"taxonomy: vocabulary {name!r} is empty or missing.")
    _check_references(merged)
    return Taxonomy(
        vocabularies=MappingProxyType({k: tuple(v) for k, v in merged.items()}),
        sources=tuple(source for source, _ in documents),
    )


def _entry(vocabulary: str, raw: dict[str, Any], source: str) -> Entry:
    extra = VOCABULARIES[vocabulary]
    allowed = {"code", "label", *extra}
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise TaxonomyError(
            f"{source}: {vocabulary} entry {raw!r} has unknown field(s) "
            f"{', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}."
        )
    for name in ("code", "label", *(k for k, required in extra.items() if required)):
        if name not in raw:
            raise TaxonomyError(f"{source}: {vocabulary} entry {raw!r} is missing {name!r}.")
    code, label = raw["code"], raw["label"]
    if not isinstance(code, str) or not CODE_RE.match(code):
        raise TaxonomyError(
            f"{source}: {vocabulary} entry {raw!r} has code {code!r}, which is not a "
            "snake_case code (a lower-case letter, then 1 to 47 lower-case letters, "
            "digits or underscores)."
        )
    if not isinstance(label, str) or not label.strip() or len(label) > LABEL_MAX:
        raise TaxonomyError(
            f"{source}: {vocabulary} entry {raw!r} needs a label of 1 to {LABEL_MAX} characters."
        )
    for name in ("group", "ilo", "note"):
        if name in raw and not (isinstance(raw[name], str) and raw[name].strip()):
            raise TaxonomyError(f"{source}: {vocabulary} entry {raw!r} has an empty or non-text {name!r}.")
    if "needs_amount" in raw and not isinstance(raw["needs_amount"], bool):
        raise TaxonomyError(f"{source}: {vocabulary} entry {raw!r} must set needs_amount to true or false.")
    return Entry(
        code=code,
        label=label.strip(),
        group=raw.get("group"),
        ilo=raw.get("ilo"),
        needs_amount=raw.get("needs_amount", False),
        note=raw.get("note"),
        source=source,
    )


def _check_references(merged: dict[str, list[Entry]]) -> None:
    # Checked after merging so that an extension can add a group and its categories,
    # in either order, in one file or across files.
    groups = {e.code for e in merged["category_groups"]}
    indicators = {e.code for e in merged["ilo_indicators"]}
    for e in merged["categories"]:
        if e.group not in groups:
            raise TaxonomyError(
                f"{e.source}: category {e.code!r} names group {e.group!r}, which is not a category group."
            )
        if e.ilo is not None and e.ilo not in indicators:
            raise TaxonomyError(
                f"{e.source}: category {e.code!r} names ILO indicator {e.ilo!r}, which "
                "is not one of the ilo_indicators."
            )


def _known(vocabulary: str) -> str:
    if vocabulary not in VOCABULARIES:
        raise KeyError(f"No vocabulary named {vocabulary!r}")
    return vocabulary
