"""The layers, over the whole import graph (the domain contract's approach, for everything):

- no import cycle among the project's modules;
- ``web/`` never reaches the repository or the event store (it reads through the views and
  the application's reads, and writes through ``execute``);
- projections import only the domain and projections (they are rebuilt from events alone);
- every command has a handler, an access rule, and a route or an explicit "no API" mark.

Imports are read as text (``ast``), at module level and inside functions alike; only those
under ``if TYPE_CHECKING:`` are left out, as they never run. What still breaks a rule stands
in ``ALLOWED`` below, one line each, to be emptied, never grown.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import msgspec

from organize import commands as c
from organize.application import HANDLERS, RULES, USES
from web.api.commands import COMMAND_ROUTES

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("organize", "web", "infra")
# What the event store and the write model are reached through (web never names them).
STORE_NAMES = {"repository", "event_store", "recorder"}

# Known breaks, each to be removed by the change that mends it.
ALLOWED_CYCLES: set[frozenset[str]] = set()
ALLOWED_WEB_STORE: set[str] = set()  # "module: .attribute"
ALLOWED_PROJECTION_IMPORTS: set[tuple[str, str]] = set()  # (importer, imported)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _walk(tree: ast.AST):
    """Every node, leaving out what stands under ``if TYPE_CHECKING:``."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not _type_checking(child):
                stack.append(child)


def _resolve(name: str) -> str | None:
    """The project module an imported name is (or lives in), or None for anything else."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(module: str) -> set[str]:
    path = MODULES[module]
    tree = ast.parse(path.read_text(), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out: set[str] = set()
    for node in _walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")
                up = up[: len(up) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            names = [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        for name in names:
            target = _resolve(name)
            if target is not None and target != module:
                out.add(target)
    return out


GRAPH = {m: imports_of(m) for m in MODULES}


def cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[frozenset[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_graph_is_read():
    assert len(MODULES) > 100
    assert "organize.application.grievances" in GRAPH["organize.application"]
    assert "organize.domain" in GRAPH["organize.projections.views.grievance_register"]


def test_no_import_cycles():
    found = set(cycles(GRAPH))
    assert not found - ALLOWED_CYCLES, "import cycles:\n" + "\n".join(
        " <-> ".join(sorted(x)) for x in found - ALLOWED_CYCLES)
    assert not ALLOWED_CYCLES - found, "mended cycles still allowed: drop them from ALLOWED_CYCLES"


def _store_reaches(module: str) -> set[str]:
    path = MODULES[module]
    tree = ast.parse(path.read_text(), filename=str(path))
    return {f"{module}: .{node.attr}" for node in _walk(tree)
            if isinstance(node, ast.Attribute) and node.attr in STORE_NAMES}


def test_web_never_reaches_the_repository_or_event_store():
    found = set()
    for module in MODULES:
        if module.startswith("web."):
            found |= _store_reaches(module)
            found |= {f"{module}:import {m}" for m in GRAPH[module]
                      if m == "organize.persistence.recorder"}
    assert not found - ALLOWED_WEB_STORE, "web/ reaches the write model's store:\n" + "\n".join(
        sorted(found - ALLOWED_WEB_STORE))
    assert not ALLOWED_WEB_STORE - found, "mended: drop them from ALLOWED_WEB_STORE"


def test_projections_import_only_the_domain_and_projections():
    found = set()
    for module, targets in GRAPH.items():
        if module.startswith("organize.projections"):
            found |= {(module, t) for t in targets
                      if not t.startswith(("organize.domain", "organize.projections"))}
    assert not found - ALLOWED_PROJECTION_IMPORTS, "projections import outside their layer:\n" + \
        "\n".join(f"{a} -> {b}" for a, b in sorted(found - ALLOWED_PROJECTION_IMPORTS))
    assert not ALLOWED_PROJECTION_IMPORTS - found, "mended: drop them from the allow-list"


def _commands() -> set[type]:
    out = set()
    for value in vars(c).values():
        if (isinstance(value, type) and issubclass(value, c.Command) and value is not c.Command
                and value is not c.Update and issubclass(value, msgspec.Struct)):
            out.add(value)
    return out


def test_every_command_has_a_handler_a_rule_and_a_route_or_a_no_api_mark():
    commands = _commands()
    assert len(commands) >= 50
    routed = {command for _area, _action, command in COMMAND_ROUTES}
    assert len(routed) == len(COMMAND_ROUTES), "a command with two routes"
    for command in sorted(commands, key=lambda k: k.__name__):
        name = command.__name__
        assert command in HANDLERS, f"{name} has no handler"
        assert command in RULES, f"{name} has no access rule"
        use = USES[command]
        assert use.api == (command in routed), (
            f"{name}: " + ("no API route and no 'api=False' mark" if use.api
                           else "marked 'no API' but has a route"))
    assert set(USES) == commands, f"tables name what is no command: {set(USES) - commands}"


def _reach(start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        m = todo.pop()
        if m not in seen:
            seen.add(m)
            todo.extend(GRAPH.get(m, ()))
    return seen


def test_the_web_app_does_not_load_the_demo():
    assert not {m for m in _reach("web.app") if m.startswith("organize.demo")}


def test_tests_share_helpers_only_through_conftest_and_support():
    tests = ROOT / "tests"
    strays = [str(p.relative_to(ROOT)) for p in tests.rglob("*.py")
              if not p.name.startswith("test_")
              and p.name not in ("conftest.py", "support.py", "__init__.py")]
    assert not strays, f"helpers outside conftest.py/support.py: {strays}"
    borrowed = []
    for path in tests.rglob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").rpartition(".")[2].startswith(
                    "test_"):
                borrowed.append(f"{path.relative_to(ROOT)}: {node.module}")
    assert not borrowed, "tests importing from other test modules:\n" + "\n".join(borrowed)


def test_the_readme_noun_table_names_what_exists():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("### One noun, every layer", 1)[1].split("\n### ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and "`" in line]
    nouns = {row.split("|")[1].strip() for row in rows}
    assert {"grievance", "worker", "meeting", "campaign", "assessment", "indicator",
            "export"} <= nouns
    paths = [p for row in rows for p in re.findall(r"`([\w./]+)`", row) if "/" in p]
    missing = [p for p in paths if not (ROOT / p).exists()]
    assert paths and not missing, f"the README's noun table names what does not exist: {missing}"
