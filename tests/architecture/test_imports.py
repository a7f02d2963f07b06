"""The package's import graph has no cycle, and no module reads another library's private
attributes. Every ``import`` counts, at module level or inside a function (a loop hidden in a
function is still a loop); only ``if TYPE_CHECKING:`` blocks are left out."""

from __future__ import annotations

import ast
import pathlib

PKG = pathlib.Path(__file__).resolve().parents[2] / "specclient"


def _module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(path: pathlib.Path, modules: set[str]) -> set[str]:
    """The specclient modules ``path`` imports (``from . import x`` names module x)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, ast.Import):
                found.update(a.name for a in child.names if a.name.split(".")[0] == "specclient")
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")
                    base = base[:len(base) - (child.level - 1)]
                    target = ".".join([*base, *([child.module] if child.module else [])])
                else:
                    target = child.module or ""
                if target.split(".")[0] != "specclient":
                    continue
                for alias in child.names:
                    sub = f"{target}.{alias.name}"
                    found.add(sub if sub in modules else target)
            visit(child)

    visit(ast.parse(path.read_text(), str(path)))
    return {m for m in found if m in modules and m != name}


def import_graph() -> dict[str, set[str]]:
    files = sorted(PKG.rglob("*.py"))
    modules = {_module_name(f) for f in files}
    return {_module_name(f): _imports(f, modules) for f in files}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan), each sorted.

    A package's ``__init__`` re-exporting its own submodules is not counted as a loop with
    them: importing ``specclient.x.y`` runs ``specclient.x`` first by Python's own rules."""
    def edges(m: str) -> set[str]:
        return {t for t in graph[m] if not t.startswith(m + ".")}

    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(edges(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on.add(root)
        while work:
            node, it = work[-1]
            nxt = next(it, None)
            if nxt is not None:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on.add(nxt)
                    work.append((nxt, iter(sorted(edges(nxt)))))
                elif nxt in on:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    m = stack.pop()
                    on.discard(m)
                    group.append(m)
                    if m == node:
                        break
                if len(group) > 1:
                    out.append(sorted(group))
    return out


def test_the_import_graph_has_no_cycle():
    found = cycles(import_graph())
    assert found == [], "import cycles:\n" + "\n".join(" <-> ".join(c) for c in found)


def test_the_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "p": {"p.x"}, "p.x": {"p"}}
    assert cycles(graph) == [["a", "b", "c"]]


#: Private names of the libraries specclient builds on (requests, urllib3, argparse, os,
#: http.server, PyYAML) that it once read; attribute access to any of them on anything but
#: ``self``/``cls`` is refused, and so is ``getattr(obj, "_private")``.
PRIVATE = {"_data", "_store", "_actions", "_SubParsersAction", "_option_string_actions",
           "_content", "_content_consumed", "_fp", "_original_response", "_headers_buffer",
           "_cookies", "_get_socket", "_sock"}


def test_no_private_attributes_of_other_libraries():
    hits = []
    for path in sorted(PKG.rglob("*.py")):
        where = path.relative_to(PKG.parent)
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Attribute) and node.attr in PRIVATE and not (
                    isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")):
                hits.append(f"{where}:{node.lineno}: .{node.attr}")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                    and node.func.id == "getattr" and len(node.args) >= 2 \
                    and isinstance(node.args[1], ast.Constant) \
                    and str(node.args[1].value).startswith("_") \
                    and not str(node.args[1].value).startswith("__"):
                hits.append(f"{where}:{node.lineno}: getattr(..., {node.args[1].value!r})")
    assert hits == []


def test_function_local_imports_say_why():
    """An import inside a function is there to keep start-up fast (or it hides a loop, which
    the test above would find): each says why, on its line or the line before."""
    silent = []
    for path in sorted(PKG.rglob("*.py")):
        lines = path.read_text().splitlines()
        for fn in ast.walk(ast.parse("\n".join(lines), str(path))):
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(fn):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    line, before = lines[node.lineno - 1], lines[node.lineno - 2]
                    if "#" not in line and not before.strip().startswith("#"):
                        silent.append(f"{path.relative_to(PKG.parent)}:{node.lineno}: "
                                      f"{line.strip()}")
    assert silent == []


def test_no_module_is_loaded_by_name():
    """Every import is visible to the cycle finder: no importlib.import_module / __import__."""
    hits = [f"{p.relative_to(PKG.parent)}" for p in sorted(PKG.rglob("*.py"))
            if "import_module(" in p.read_text() or "__import__(" in p.read_text()]
    assert hits == []


def test_no_module_imports_a_package_it_is_inside():
    """``from .. import x`` inside specclient.a.b runs specclient.a's __init__, which may be
    importing specclient.a.b at that moment: a loop the cycle finder would not see."""
    graph = import_graph()

    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            node = todo.pop()
            if node == goal:
                return True
            if node not in seen:
                seen.add(node)
                todo.extend(graph.get(node, ()))
        return False

    found = [f"{m} imports {t}" for m, targets in graph.items() for t in targets
             if m.startswith(t + ".") and reaches(t, m)]
    assert found == []
