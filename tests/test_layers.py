"""The layer rule of DESIGN.md, read from the source: each layer imports only from those below.

protocol <- transport <- client <- rx <- actorbind_qt; the server and the runner use the
protocol, never the client. Every ``import`` counts, wherever it stands (in a function, under
``TYPE_CHECKING``), so the rule cannot be dodged by moving an import.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = {"actorbind": ROOT / "actorbind", "actorbind_qt": ROOT / "adapters" / "actorbind_qt"}

# layer -> the layers it may import (itself included). "actorbind" is the root package's own
# __init__: the client's public re-exports, so what may import the client may import it.
# "leaf" modules import nothing of actorbind, so every layer may use them.
LEAVES = frozenset({"actorbind._extras", "actorbind._version"})
ALLOWED: dict[str, frozenset[str]] = {
    "leaf": frozenset(),
    "protocol": frozenset({"protocol"}),
    "transport": frozenset({"protocol", "transport"}),
    "client": frozenset({"protocol", "transport", "client"}),
    "rx": frozenset({"protocol", "transport", "client", "actorbind", "rx"}),
    "actorbind_qt": frozenset(
        {"protocol", "transport", "client", "actorbind", "rx", "actorbind_qt"}
    ),
    "server": frozenset({"protocol", "server"}),
    "runner": frozenset({"protocol", "server", "runner"}),
    "testing": frozenset({"testing"}),
    "actorbind": frozenset({"protocol", "client"}),
}


def _modules() -> Iterator[tuple[str, Path]]:
    for top, folder in PACKAGES.items():
        for path in sorted(folder.rglob("*.py")):
            parts = list(path.relative_to(folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            yield ".".join([top, *parts]), path


def _layer(module: str) -> str | None:
    """The layer of an actorbind module, ``None`` for anything else (stdlib, third party)."""
    parts = module.split(".")
    if parts[0] == "actorbind_qt":
        return "actorbind_qt"
    if parts[0] != "actorbind":
        return None
    if module in LEAVES:
        return "leaf"
    if len(parts) == 1:
        return "actorbind"
    return parts[1] if parts[1] in ALLOWED else "actorbind"


def _type_only(tree: ast.Module) -> set[ast.AST]:
    """The import nodes under ``if TYPE_CHECKING:`` (never run)."""
    out: set[ast.AST] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
            for stmt in node.body:
                out.update(ast.walk(stmt))
    return out


def _imports(module: str, path: Path, *, runtime_only: bool = False) -> Iterator[tuple[int, str]]:
    """``(line, absolute module)`` of every import in the file (``runtime_only``: not those
    under ``TYPE_CHECKING``)."""
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(), str(path))
    skip = _type_only(tree) if runtime_only else set()
    for node in ast.walk(tree):
        if node in skip:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                assert node.module is not None
                yield node.lineno, node.module
                continue
            base = module.split(".")
            drop = node.level - 1 if is_package else node.level
            base = base[: len(base) - drop] if drop else base
            target = ".".join([*base, node.module] if node.module else base)
            if node.module is None:  # `from . import x`: x may be a module
                for alias in node.names:
                    yield node.lineno, f"{target}.{alias.name}"
            else:
                yield node.lineno, target


def layer_violations() -> list[str]:
    out = []
    for module, path in _modules():
        layer = _layer(module)
        assert layer is not None
        for line, target in _imports(module, path):
            target_layer = _layer(target)
            if target_layer == "leaf" and layer != "leaf":
                continue
            if target_layer is not None and target_layer not in ALLOWED[layer]:
                rel = path.relative_to(ROOT)
                out.append(f"{rel}:{line}: {layer} imports {target} ({target_layer})")
    return out


def import_cycles() -> list[list[str]]:
    """Cycles among actorbind modules through imports that run (wherever they stand: an
    import inside a function still runs, and still ties the two modules together)."""
    modules = dict(_modules())
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for module, path in modules.items():
        for _, target in _imports(module, path, runtime_only=True):
            while target and target not in modules:  # `from .x import name` -> x
                target = target.rpartition(".")[0]
            if target and target != module:
                graph[module].add(target)
    return cycles_of(graph)


def cycles_of(graph: dict[str, set[str]]) -> list[list[str]]:
    # Tarjan's strongly connected components; any with two or more modules is a cycle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def test_no_import_cycle() -> None:
    assert import_cycles() == []


def test_a_cycle_is_found() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles_of(graph) == [["a", "b", "c"]]
    assert cycles_of({"a": {"b"}, "b": set()}) == []


def test_the_files_are_found() -> None:
    found = {_layer(m) for m, _ in _modules()}
    assert found == set(ALLOWED)


def test_every_import_goes_down_the_layers() -> None:
    assert layer_violations() == []


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        ("actorbind.server.app", "from ..client.conn import ActorConn", "actorbind.client.conn"),
        ("actorbind.server", "from ..client import conn", "actorbind.client"),
        ("actorbind.protocol", "from . import keys", "actorbind.protocol.keys"),
        ("actorbind.rx._store", "import actorbind_qt", "actorbind_qt"),
    ],
)
def test_relative_imports_resolve(tmp_path: Path, module: str, source: str, expected: str) -> None:
    name = "__init__.py" if module in {"actorbind.server", "actorbind.protocol"} else "m.py"
    path = tmp_path / name
    path.write_text(source + "\n")
    assert [target for _, target in _imports(module, path)] == [expected]


def test_upward_imports_are_refused() -> None:
    def allowed(module: str, target: str) -> bool:
        layer, target_layer = _layer(module), _layer(target)
        assert layer is not None and target_layer is not None
        return target_layer in ALLOWED[layer]

    assert not allowed("actorbind.server.app", "actorbind.client.conn")
    assert not allowed("actorbind.server.app", "actorbind")
    assert not allowed("actorbind.protocol.connection", "actorbind.transport.base")
    assert not allowed("actorbind.client.conn", "actorbind.rx")
    assert not allowed("actorbind.rx._store", "actorbind_qt._binding")
    assert allowed("actorbind_qt._binding", "actorbind.rx")
