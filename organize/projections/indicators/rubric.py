"""The rubric: the window, the thresholds of every level and what each level means.

The rubric is data, not code (DOMAIN.md, lessons 8 and 9). ``rubric.toml`` next to this
module is the default; a federation supplies its own file, merged over the default entry by
entry, so it can change one threshold or one descriptor and keep the rest. A rubric that
could not score honestly (an unknown dimension or measure, a level outside 0..4, a missing
descriptor, thresholds that ask less at a higher level, a bad window) is refused with a
``RubricError`` naming the file and the entry.

The rubric's digest is stored with every scored week, so a series tells which rubric scored
it; re-scoring history under a changed rubric is a rebuild of the "indicators" view.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from organize.domain.values import DIMENSIONS, LEVEL_MAX, LEVEL_MIN
from organize.projections.indicators.measures import COUNT, MEASURES, PARAMS, RISK_DIMENSIONS
from organize.projections.indicators.scoring import level_label

DEFAULT_SOURCE = "the default rubric (organize/projections/indicators/rubric.toml)"
WINDOW_MAX = 52
PARAM_INT_MAX = 50
TEXT_MAX = 300
_CODE = re.compile(r"^[a-z][a-z0-9_]{1,47}$")
_TOP_KEYS = {"name", "window_weeks", "sparkline_weeks", "dimensions"}
_DIMENSION_KEYS = {"title", "params", "levels"}


class RubricError(ValueError):
    """A rubric file is not valid. ``source`` names the file, ``entry`` the entry."""

    def __init__(self, source: str, entry: str, problem: str):
        self.source = source
        self.entry = entry
        self.problem = problem
        self.message = f"Rubric {source}: {entry}: {problem}"
        super().__init__(self.message)


@dataclass(frozen=True)
class LevelSpec:
    level: int
    descriptor: str
    thresholds: Mapping[str, float | int]  # measure -> the minimum this level needs


@dataclass(frozen=True)
class DimensionSpec:
    name: str
    title: str
    levels: tuple[LevelSpec, ...]  # index = level, 0..4
    params: Mapping[str, Any]

    @property
    def risk(self) -> bool:
        return self.name in RISK_DIMENSIONS


@dataclass(frozen=True)
class Rubric:
    name: str
    window_weeks: int
    sparkline_weeks: int
    dimensions: Mapping[str, DimensionSpec]
    sources: tuple[str, ...]
    digest: str

    def descriptor(self, dimension: str, level: int) -> str:
        return self.dimensions[dimension].levels[level].descriptor

    def to_dict(self) -> dict[str, Any]:
        """The rubric as plain data (what the API serves and the view stores)."""
        return {**_body(self.name, self.window_weeks, self.sparkline_weeks, self.dimensions),
                "digest": self.digest, "sources": list(self.sources)}


def load_rubric(path: Path | str | None = None) -> Rubric:
    """The default rubric, with a federation's file merged over it when ``path`` is given."""
    documents = [(DEFAULT_SOURCE, _default_document())]
    if path is not None:
        path = Path(path)
        source = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as e:
            raise RubricError(source, "file", f"cannot be read ({e.strerror or e}).") from e
        documents.append((source, _parse(text, source)))
    return build_rubric(documents)


def parse_rubric(text: str, source: str = "<text>") -> Rubric:
    """A rubric from TOML text merged over the default (for tests and previews)."""
    return build_rubric([(DEFAULT_SOURCE, _default_document()), (source, _parse(text, source))])


def build_rubric(documents: list[tuple[str, dict[str, Any]]]) -> Rubric:
    """Merge documents in order (later entries win) and check the result."""
    merged: dict[str, Any] = {}
    for source, document in documents:
        _check_shape(document, source)
        _merge(merged, document)
    # The merged rubric is blamed on the last file: the default alone is known to be valid.
    source = documents[-1][0]
    if len(documents) > 1:
        source = f"{source} (merged over the default)"
    return _finish(merged, source, tuple(s for s, _ in documents))


# -- reading ------------------------------------------------------------------------------


def _default_document() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("rubric.toml").read_text(encoding="utf-8")
    return _parse(text, DEFAULT_SOURCE)


def _parse(text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise RubricError(source, "file", f"is not valid TOML ({e}).") from e


def _check_shape(doc: dict[str, Any], source: str) -> None:
    """What one file may contain, checked before merging so errors name that file."""
    for key in doc:
        if key not in _TOP_KEYS:
            raise RubricError(source, key, f"is not a rubric setting; use {', '.join(sorted(_TOP_KEYS))}.")
    if "name" in doc:
        _text(doc["name"], source, "name")
    for key in ("window_weeks", "sparkline_weeks"):
        if key in doc:
            _weeks(doc[key], source, key)
    dimensions = doc.get("dimensions", {})
    if not isinstance(dimensions, dict):
        raise RubricError(source, "dimensions", "must be a table of dimensions.")
    for name, dim in dimensions.items():
        entry = f"dimensions.{name}"
        if name not in DIMENSIONS:
            raise RubricError(source, entry, f"{name!r} is not a dimension; the dimensions are "
                                             f"{', '.join(DIMENSIONS)}.")
        if not isinstance(dim, dict):
            raise RubricError(source, entry, "must be a table.")
        for key in dim:
            if key not in _DIMENSION_KEYS:
                raise RubricError(source, f"{entry}.{key}",
                                  f"is not a dimension setting; use {', '.join(sorted(_DIMENSION_KEYS))}.")
        if "title" in dim:
            _text(dim["title"], source, f"{entry}.title")
        _check_params(name, dim.get("params", {}), source, f"{entry}.params")
        levels = dim.get("levels", {})
        if not isinstance(levels, dict):
            raise RubricError(source, f"{entry}.levels", "must be a table of levels 0 to 4.")
        for key, level in levels.items():
            _check_level(name, key, level, source, f"{entry}.levels.{key}")


def _check_params(dimension: str, params: Any, source: str, entry: str) -> None:
    if not isinstance(params, dict):
        raise RubricError(source, entry, "must be a table.")
    known = PARAMS[dimension]
    for key, value in params.items():
        if key not in known:
            allowed = ", ".join(known) or "none"
            raise RubricError(source, f"{entry}.{key}",
                              f"is not a parameter of {dimension} (parameters: {allowed}).")
        if known[key] == "int":
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= PARAM_INT_MAX:
                raise RubricError(source, f"{entry}.{key}",
                                  f"must be a whole number from 1 to {PARAM_INT_MAX}.")
        elif not isinstance(value, list) or not all(isinstance(v, str) and _CODE.match(v) for v in value):
            raise RubricError(source, f"{entry}.{key}",
                              "must be a list of codes such as \"union\" or \"wages_recovered\".")


def _check_level(dimension: str, key: str, level: Any, source: str, entry: str) -> None:
    try:
        number = int(key)
    except ValueError:
        number = None
    if number is None or not LEVEL_MIN <= number <= LEVEL_MAX:
        raise RubricError(source, entry, f"levels run from {LEVEL_MIN} (not yet) to {LEVEL_MAX} "
                                         f"(strong); {key!r} is not one of them.")
    if not isinstance(level, dict):
        raise RubricError(source, entry, "must be a table with a descriptor and thresholds.")
    for measure, value in level.items():
        where = f"{entry}.{measure}"
        if measure == "descriptor":
            _text(value, source, where)
            continue
        if measure == "replace":
            if not isinstance(value, bool):
                raise RubricError(source, where, "must be true or false.")
            continue
        if measure not in MEASURES[dimension]:
            raise RubricError(source, where, f"{measure!r} is not a measure of {dimension}; its "
                                             f"measures are {', '.join(MEASURES[dimension])}.")
        if number == 0:
            raise RubricError(source, where, "level 0 (not yet) is the floor and takes no thresholds.")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise RubricError(source, where, "a threshold must be a number.")
        if MEASURES[dimension][measure].kind == COUNT:
            if not isinstance(value, int) or value < 0:
                raise RubricError(source, where, "counts take a whole number of 0 or more.")
        elif not 0 <= value <= 1:
            raise RubricError(source, where, "shares take a number from 0 to 1 (0.25 is a quarter).")


def _text(value: Any, source: str, entry: str) -> None:
    if not isinstance(value, str) or not value.strip() or len(value) > TEXT_MAX:
        raise RubricError(source, entry, f"must be a text of 1 to {TEXT_MAX} characters.")


def _weeks(value: Any, source: str, entry: str) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= WINDOW_MAX:
        raise RubricError(source, entry, f"must be a whole number of weeks from 1 to {WINDOW_MAX}.")


def _merge(into: dict[str, Any], doc: dict[str, Any]) -> None:
    for key, value in doc.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            if value.get("replace") is True:
                # An overriding level that replaces: its thresholds stand alone.
                kept = {k: v for k, v in into[key].items() if k == "descriptor"}
                into[key] = {**kept, **copy.deepcopy(value)}
            else:
                _merge(into[key], value)
        else:
            into[key] = copy.deepcopy(value)


# -- checking the whole -------------------------------------------------------------------


def _finish(doc: dict[str, Any], source: str, sources: tuple[str, ...]) -> Rubric:
    for key in ("window_weeks", "sparkline_weeks"):
        if key not in doc:
            raise RubricError(source, key, "is missing.")
    dimensions: dict[str, DimensionSpec] = {}
    for name in DIMENSIONS:
        entry = f"dimensions.{name}"
        dim = doc.get("dimensions", {}).get(name)
        if dim is None:
            raise RubricError(source, entry, "is missing; every dimension needs its levels.")
        params = dict(dim.get("params", {}))
        for param in PARAMS[name]:
            if param not in params:
                raise RubricError(source, f"{entry}.params.{param}", "is missing.")
        levels = []
        for number in range(LEVEL_MIN, LEVEL_MAX + 1):
            where = f"{entry}.levels.{number}"
            level = dim.get("levels", {}).get(str(number))
            if level is None:
                raise RubricError(source, where, "is missing; every level from 0 to 4 needs a descriptor.")
            if "descriptor" not in level:
                raise RubricError(source, f"{where}.descriptor",
                                  "is missing; say in a sentence what this level means.")
            thresholds = {m: v for m, v in level.items() if m not in ("descriptor", "replace")}
            levels.append(LevelSpec(number, level["descriptor"].strip(),
                                    MappingProxyType(dict(sorted(thresholds.items())))))
        _check_monotonic(name, levels, source)
        dimensions[name] = DimensionSpec(
            name=name, title=dim.get("title", name.replace("_", " ").capitalize()).strip(),
            levels=tuple(levels), params=MappingProxyType(params))
    name = str(doc.get("name", "default")).strip()
    body = _body(name, doc["window_weeks"], doc["sparkline_weeks"], dimensions)
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:16]
    return Rubric(name=name, window_weeks=doc["window_weeks"], sparkline_weeks=doc["sparkline_weeks"],
                  dimensions=MappingProxyType(dimensions), sources=sources, digest=digest)


def _check_monotonic(dimension: str, levels: list[LevelSpec], source: str) -> None:
    """Each level must ask at least as much as the one below, and something more."""
    effective: dict[str, float | int] = {}
    for spec in levels[1:]:
        entry = f"dimensions.{dimension}.levels.{spec.level}"
        before = dict(effective)
        for measure, value in spec.thresholds.items():
            if measure in before and value < before[measure]:
                raise RubricError(
                    source, f"{entry}.{measure}",
                    f"{value} is lower than below this level ({before[measure]}); thresholds must "
                    "not go down as levels go up.")
            effective[measure] = max(value, effective.get(measure, value))
        if effective == before:
            raise RubricError(source, entry, f"asks nothing more than level {spec.level - 1}; give it "
                                             "at least one higher or new threshold.")


def _body(name: str, window: int, sparkline: int, dimensions: Mapping[str, DimensionSpec]) -> dict:
    return {
        "name": name,
        "window_weeks": window,
        "sparkline_weeks": sparkline,
        "dimensions": {
            d.name: {
                "title": d.title,
                "risk": d.risk,
                "params": {k: (list(v) if isinstance(v, (list, tuple)) else v) for k, v in d.params.items()},
                "levels": [
                    {"level": lv.level, "label": level_label(d.name, lv.level),
                     "descriptor": lv.descriptor, "thresholds": dict(lv.thresholds),
                     "measures": {m: MEASURES[d.name][m].label for m in lv.thresholds}}
                    for lv in d.levels
                ],
            }
            for d in dimensions.values()
        },
    }
