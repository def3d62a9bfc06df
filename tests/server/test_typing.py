"""``@action`` is a typed descriptor: through an instance it is the client-side call."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from mypy import api

SNIPPET = """
from collections.abc import Awaitable
from actorbind.server import Actor, ActionContext, action

class Counter(Actor):
    @action
    def increment(self, ctx: ActionContext, x: int) -> int:
        return x

    @action
    async def slow(self, ctx: ActionContext, ms: int, label: str = "") -> str:
        return label

typed = Counter()
reveal_type(typed.increment)
x: Awaitable[int] = typed.increment(1)
y: Awaitable[str] = typed.slow(5, label="a")
"""

BAD = """
typed.increment("nope")
z: Awaitable[str] = typed.increment(1)
typed.slow()
"""


def _mypy(tmp_path: Path, source: str) -> tuple[str, int]:
    path = tmp_path / "snippet.py"
    path.write_text(textwrap.dedent(source))
    stdout, stderr, status = api.run(
        ["--strict", "--no-incremental", "--cache-dir", str(tmp_path / ".mypy_cache"), str(path)]
    )
    return stdout + stderr, status


def test_action_types_a_client_call(tmp_path: Path) -> None:
    out, status = _mypy(tmp_path, SNIPPET)
    assert re.search(
        r'Revealed type is "def \(x: (builtins\.)?int\) -> typing\.Awaitable\[(builtins\.)?int\]"',
        out,
    ), out
    assert status == 0, out
    assert "error:" not in out, out


def test_wrong_arguments_fail(tmp_path: Path) -> None:
    out, status = _mypy(tmp_path, SNIPPET + BAD)
    assert status == 1
    assert 'Argument 1 to "increment" of "Counter" has incompatible type "str"' in out or (
        'incompatible type "str"; expected "int"' in out
    ), out
    assert out.count("error:") == 3, out
