"""The public surface of ``actorbind.server`` and its import boundary."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import actorbind.server as server
from actorbind.server import Action, Actor, Registry, action, queue

SERVER_DIR = Path(server.__file__).parent


def test_all_is_explicit_and_sorted() -> None:
    assert server.__all__ == sorted(server.__all__)
    for name in server.__all__:
        assert hasattr(server, name)
    assert {
        "Actor",
        "action",
        "ActionContext",
        "ConnContext",
        "UserError",
        "Registry",
        "serve",
        "create_app",
    } <= set(server.__all__)


def test_server_never_imports_the_client() -> None:
    for path in SERVER_DIR.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                mod = node.module
                # actorbind._extras (install hints) and actorbind._version are leaves: they
                # import no actorbind module (tests/test_layers.py checks every layer).
                leaves = ("actorbind._extras", "actorbind._version")
                assert not mod.startswith("actorbind") or mod.startswith(
                    ("actorbind.protocol", "actorbind.server", *leaves)
                ), (path, mod)
                if mod == "actorbind":
                    pytest.fail(f"{path} imports the actorbind client")
            if isinstance(node, ast.Import):
                for alias in node.names:
                    assert alias.name == "actorbind.server" or not alias.name.startswith(
                        "actorbind"
                    ), (path, alias.name)


def test_the_install_hints_module_is_a_leaf() -> None:
    tree = ast.parse((SERVER_DIR.parent / "_extras.py").read_text())
    for node in ast.walk(tree):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
        if isinstance(node, ast.ImportFrom):
            names = [("." * node.level) + (node.module or "")]
        assert not any(n.startswith(("actorbind", ".")) for n in names), names


def test_actor_declaration() -> None:
    class WithInput(Actor):
        state = {"n": 0}

        @action
        def get(self, ctx: object) -> int:
            return 1

        @queue("jobs")
        def jobs(self, ctx: object, body: object) -> None:
            return None

    class Named(Actor):
        name = "custom"

    assert WithInput.name == "withInput"
    assert Named.name == "custom"
    assert isinstance(WithInput.get, Action)
    assert set(WithInput.__actions__) == {"get"}
    assert set(WithInput.__queues__) == {"jobs"}
    with pytest.raises(TypeError, match="client handle"):
        WithInput().get()
    with pytest.raises(ValueError, match="two actors"):
        Registry(WithInput, WithInput)
    with pytest.raises(TypeError):
        Registry(object)  # type: ignore[arg-type]
