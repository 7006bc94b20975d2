"""No import cycle between the suite's modules (issue #16): a cycle hides the real seam between two parts, forces
function-level imports and breaks as soon as one side imports the other at module level.

The imports of every module of ``ckanext/grandest`` — module-level and inside functions — are read with ``ast``
(no import is executed) and the strongly connected components of that graph are the cycles. ``from . import x``
counts as an import of the module ``x``, not of its package's ``__init__``.

``KNOWN_CYCLES`` lists the cycles not yet broken; the test fails on any other one, and on a listed one that no
longer exists (so the list shrinks as they are broken).
"""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "ckanext" / "grandest"

#: cycles still to break (issue #16, item 2), each as the sorted names of its modules
KNOWN_CYCLES: set[tuple[str, ...]] = set()


def module_names() -> dict[str, Path]:
    names = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join(parts)] = path
    return names


def import_graph() -> dict[str, set[str]]:
    modules = module_names()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                submodules = [f"{target}.{alias.name}" for alias in node.names if f"{target}.{alias.name}" in modules]
                targets = submodules if len(submodules) == len(node.names) else [target, *submodules]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                continue
            graph[name].update(t for t in targets if t in modules and t != name)
    return graph


def cycles(graph: dict[str, set[str]]) -> set[tuple[str, ...]]:
    """Tarjan's strongly connected components of more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: set[tuple[str, ...]] = set()

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.add(tuple(sorted(component)))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_cycle_finder_sees_a_cycle_through_a_function_level_import():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == {("a", "b", "c")}


def test_the_graph_reads_relative_and_function_level_imports():
    graph = import_graph()
    # state.py imports its vocabulary with ``from .vocab import ...`` and the quality module at module level
    assert {"ckanext.grandest.dcat.vocab", "ckanext.grandest.dcat.quality"} <= graph["ckanext.grandest.dcat.state"]
    assert "ckanext.grandest.dcat.profiles" in graph["ckanext.grandest.dcat.catalog"]


def test_no_new_import_cycle_and_the_known_ones_are_still_listed():
    found = cycles(import_graph())
    new = found - KNOWN_CYCLES
    assert not new, f"import cycles between modules (break them along their seam): {sorted(new)}"
    gone = KNOWN_CYCLES - found
    assert not gone, f"these cycles are broken: remove them from KNOWN_CYCLES: {sorted(gone)}"
