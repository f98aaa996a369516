"""The package's shape: imports run one way (no cycle, imports inside functions counted),
packages sit in their rooms, no two modules share a file name and no module grows past
800 lines.

Imports are read from the source with :mod:`ast` (every ``import`` and ``from … import``,
at any depth, except those under ``if TYPE_CHECKING:``, which never run), so a cycle
hidden by an import inside a function is found as well as one at the top of a module.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "ddbsql"
MAX_LINES = 800

#: rooms from the bottom up; a module may import its own room and those below it
ROOMS = [
    {"errors", "types", "config", "javatext", "progress"},
    {"sql"},
    {"catalog"},
    {"planner"},
    {"exec"},
    {"files"},
    {"session"},
    {"dbapi"},
    {"cli", "sqlalchemy"},
    {"spark", "__main__"},
]
#: inside session/: layers from the bottom up
SESSION_LAYERS = [{"result"}, {"binding"}, {"writing"}, {"storage"}, {"handlers"}, {"session"}]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _under_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(name: str, path: Path) -> list[tuple[str, int]]:
    """``(imported ddbsql module, line)`` for every import ``path`` runs."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[tuple[str, int]] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _under_type_checking(child):
                for other in child.orelse:
                    visit_one(other)
                continue
            visit_one(child)

    def visit_one(node: ast.AST) -> None:
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            for alias in node.names:
                submodule = f"{module}.{alias.name}"
                found.append((submodule if submodule in MODULES else module, node.lineno))
        visit(node)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return [(module, line) for module, line in found if module in MODULES]


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _cycles(graph: dict[str, list[tuple[str, int]]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            advanced = False
            for target, _ in edges:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(graph[target])))
                    advanced = True
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def _rank(name: str, rooms: list[set[str]], depth: int) -> int | None:
    parts = name.split(".")
    if len(parts) <= depth:
        return None
    return next((i for i, room in enumerate(rooms) if parts[depth] in room), None)


def test_the_cycle_finder_finds_a_cycle_through_a_function_level_import():
    graph = {"a": [("b", 1)], "b": [("c", 3)], "c": [("a", 9)], "d": [("a", 2)]}
    assert _cycles(graph) == [["a", "b", "c"]]
    source = "def f():\n    from . import errors\n"
    tree = ast.parse(source)
    assert any(isinstance(n, ast.ImportFrom) for n in ast.walk(tree))


def test_no_import_cycle_inside_the_package():
    assert _cycles(GRAPH) == []


def test_every_module_is_in_a_room():
    homeless = [name for name in MODULES if name != "ddbsql" and _rank(name, ROOMS, 1) is None]
    assert homeless == []


def test_imports_run_down_the_rooms():
    upward = [f"{name}:{line} imports {target}" for name, edges in GRAPH.items() for target, line in edges
              if name != "ddbsql" and target != "ddbsql"
              and _rank(target, ROOMS, 1) > _rank(name, ROOMS, 1)]
    assert upward == []


def test_session_layers_import_only_downward():
    inside = {n: e for n, e in GRAPH.items() if n.startswith("ddbsql.session.")}
    upward = [f"{name}:{line} imports {target}" for name, edges in inside.items() for target, line in edges
              if target.startswith("ddbsql.session.")
              and _rank(target, SESSION_LAYERS, 2) > _rank(name, SESSION_LAYERS, 2)]
    assert upward == []


def _shared_file_names(paths) -> dict[str, list[str]]:
    """File names used by more than one module (``__init__.py``/``__main__.py`` aside)."""
    by_name: dict[str, list[str]] = {}
    for path in paths:
        if path.name not in ("__init__.py", "__main__.py"):
            by_name.setdefault(path.name, []).append(str(path.relative_to(PACKAGE.parent)))
    return {name: places for name, places in by_name.items() if len(places) > 1}


def test_the_name_check_finds_a_shared_file_name():
    paths = [PACKAGE / "sql" / "dialect.py", PACKAGE / "sqlalchemy" / "dialect.py", PACKAGE / "sql" / "__init__.py",
             PACKAGE / "__init__.py"]
    assert _shared_file_names(paths) == {"dialect.py": ["ddbsql/sql/dialect.py", "ddbsql/sqlalchemy/dialect.py"]}


def test_no_two_modules_share_a_file_name():
    """A name says what a module is: two modules called ``types.py`` are two things
    called the same, and a reader (or a traceback) cannot tell them apart."""
    assert _shared_file_names(MODULES.values()) == {}


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_is_over_800_lines(name):
    lines = MODULES[name].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{MODULES[name].relative_to(PACKAGE.parent)} has {lines} lines"
