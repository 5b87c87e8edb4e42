"""The layout's rules, checked on the source (an AST walk, no imports executed):

- api/ never imports nlu_models or bot (they run in the Rasa env, behind HTTP);
- no route reaches into app.state: only the lifespan in api/main.py sets it;
- no import cycle between api's domain packages. The composition root (main, bootstrap,
  services, deps, background) and the HTTP edge (modules that import api.deps or
  api.services: routers, channels) may import any package; the domain packages below them
  must form a DAG. Imports under `if TYPE_CHECKING:` do not count (they never run).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

API = Path(__file__).resolve().parents[2] / "api"
COMPOSITION = {"main", "bootstrap", "services", "deps", "background"}


def _modules() -> Iterator[tuple[Path, str, ast.Module]]:
    for path in sorted(API.rglob("*.py")):
        parts = path.relative_to(API).parts
        if "migrations" in parts:
            continue
        package = parts[0] if len(parts) > 1 else parts[0].removesuffix(".py")
        yield path, package, ast.parse(path.read_text(encoding="utf-8"))


def runtime_imports(tree: ast.AST) -> list[tuple[str, int]]:
    """Return (module, line) for every absolute import that runs (TYPE_CHECKING blocks skipped)."""
    found: list[tuple[str, int]] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, ast.Import):
                found.extend((alias.name, child.lineno) for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                found.append((child.module, child.lineno))
            visit(child)

    visit(tree)
    return found


def domain_graph() -> dict[str, dict[str, str]]:
    """Return package -> imported package -> where (file:line), for the domain modules."""
    graph: dict[str, dict[str, str]] = {}
    for path, package, tree in _modules():
        imports = runtime_imports(tree)
        if package in COMPOSITION or any(m in ("api.deps", "api.services") for m, _ in imports):
            continue
        for module, line in imports:
            target = module.split(".")[1] if module.startswith("api.") else None
            if target and target != package and target not in COMPOSITION:
                graph.setdefault(package, {}).setdefault(target, f"{path.relative_to(API.parent)}:{line}")
    return graph


def find_cycle(graph: dict[str, dict[str, str]]) -> list[str]:
    """Return one cycle as [a, b, ..., a], or [] when the graph is a DAG."""
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, {})):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b": ""}, "b": {"c": ""}, "c": {"a": ""}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b": ""}, "b": {"c": ""}}) == []


def test_type_checking_imports_do_not_count() -> None:
    tree = ast.parse("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import api.x\nimport api.y\n")
    assert [m for m, _ in runtime_imports(tree)] == ["typing", "api.y"]


def test_no_import_cycle_between_api_domain_packages() -> None:
    graph = domain_graph()
    seen = set(graph) | {target for targets in graph.values() for target in targets}
    assert {"conversations", "dialogue", "turns", "privacy", "behaviour"} <= seen  # the walk saw them
    cycle = find_cycle(graph)
    where = [graph[a][b] for a, b in zip(cycle, cycle[1:], strict=False)]
    assert not cycle, f"import cycle {' -> '.join(cycle)} at {where}"


def test_api_never_imports_the_rasa_side() -> None:
    offenders = [
        f"{path.relative_to(API.parent)}:{line} imports {module}"
        for path, _, tree in _modules()
        for module, line in runtime_imports(tree)
        + [(n.module or "", n.lineno) for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        if module.split(".")[0] in ("nlu_models", "bot")
    ]
    assert offenders == []


def test_only_the_lifespan_touches_app_state() -> None:
    offenders = []
    for path, _, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "state" and ast.unparse(node.value).endswith("app"):
                offenders.append(f"{path.relative_to(API.parent)}:{node.lineno}")
    assert offenders == ["api/main.py:" + str(_lifespan_state_line())], offenders


def _lifespan_state_line() -> int:
    tree = ast.parse((API / "main.py").read_text(encoding="utf-8"))
    lifespan = next(n for n in ast.walk(tree) if isinstance(n, ast.AsyncFunctionDef) and n.name == "lifespan")
    return next(n.lineno for n in ast.walk(lifespan) if isinstance(n, ast.Attribute) and n.attr == "state")


MAX_FUNCTION_LINES = 60


def test_functions_stay_short() -> None:
    """Every function in api/, retrieval/ and nlu_models/ (migrations aside) is at most 60
    lines, decorators and docstring included: a longer one is split into named steps."""
    root = API.parent
    long = []
    for package in ("api", "retrieval", "nlu_models"):
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                    lines = (node.end_lineno or node.lineno) - first + 1
                    if lines > MAX_FUNCTION_LINES:
                        long.append(f"{path.relative_to(root)}:{node.lineno} {node.name} ({lines} lines)")
    assert long == []


def test_routers_never_query_the_database() -> None:
    """A router maps HTTP to a service call: no select(), no session.get/scalar(s)/execute/add/delete."""
    queries = []
    for path in sorted(API.rglob("*router*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = ast.unparse(node.func)
                if (
                    name == "select"
                    or name.endswith((".get", ".scalar", ".scalars", ".execute", ".add", ".delete"))
                    and "session" in name
                ):
                    queries.append(f"{path.relative_to(API.parent)}:{node.lineno} {name}")
    assert queries == []
