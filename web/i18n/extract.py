"""A Babel extractor for the taxonomy and rubric TOML files.

Their English labels and titles are the msgids that ``labels.py`` translates, so they must
reach the catalogues without being copied into Python by hand. ``babel.cfg`` names this
extractor and, per file, which keys to take (``keys = label note``). Only single-line basic
strings are read (that is all these files use); tomllib parses each value, so escapes such
as ``\\"`` come out right.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

_LINE = re.compile(r'^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*("(?:[^"\\]|\\.)*")\s*(?:#.*)?$')


def extract_toml(fileobj: IO[bytes], keywords: Mapping[str, Any], comment_tags: Collection[str],
                 options: Mapping[str, Any]) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """Yield ``(lineno, funcname, message, comments)`` for each string under one of the keys
    in ``options["keys"]`` (space-separated; default ``label``)."""
    keys = set(str(options.get("keys", "label")).split())
    for lineno, raw in enumerate(fileobj.read().decode("utf-8").splitlines(), start=1):
        match = _LINE.match(raw)
        if not match or match.group(1) not in keys:
            continue
        value = tomllib.loads(f"v = {match.group(2)}")["v"]
        if value.strip():
            yield lineno, None, value, [f"{match.group(1)} in a data file"]
