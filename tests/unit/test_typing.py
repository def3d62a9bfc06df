"""Typed handles: a typing.Protocol of async actions makes mypy check actor calls."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PREAMBLE = """
from collections.abc import Callable
from typing import Literal, Protocol, overload

from actorbind import create_client


class Counter(Protocol):
    async def increment(self, x: int) -> int: ...
    async def getCount(self) -> int: ...


class CounterConn(Counter, Protocol):
    @overload
    def on(self, event: Literal["newCount"], callback: Callable[[int], object]) -> Callable[[], None]: ...
    @overload
    def on(self, event: Literal["multi"], callback: Callable[[int, str, dict[str, int]], object]) -> Callable[[], None]: ...
    def on(self, event: str, callback: Callable[..., object]) -> Callable[[], None]: ...


async def main() -> None:
    client = create_client("http://127.0.0.1:6420")
    handle = client.counter.get_or_create(["room", "1"])
    counter = handle.typed(Counter)
    conn = handle.connect().typed(CounterConn)
"""


def check(body: str, tmp_path: Path) -> tuple[str, int]:
    source = PREAMBLE + textwrap.indent(textwrap.dedent(body), "    ")
    path = tmp_path / "snippet.py"
    path.write_text(source)
    # In a subprocess: mypy's compiled modules and Qt in one process crash at exit.
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--cache-dir=/dev/null",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    return done.stdout + done.stderr, done.returncode


@pytest.mark.timeout(300)
def test_well_typed_calls_pass(tmp_path: Path) -> None:
    out, status = check(
        """
        n: int = await counter.increment(1)
        m: int = await conn.getCount()
        off = conn.on("newCount", lambda count: print(count + 1))
        off()
        reveal_type(await counter.increment(2))
        """,
        tmp_path,
    )
    assert status == 0, out
    assert 'Revealed type is "int"' in out or 'Revealed type is "builtins.int"' in out
    assert "error" not in out, out


@pytest.mark.timeout(300)
@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ('await counter.increment("one")', 'incompatible type "str"'),
        ("s: str = await counter.increment(1)", "Incompatible types in assignment"),
        ("await counter.decrement(1)", 'has no attribute "decrement"'),
        ('conn.on("newCount", lambda count: count.upper())', "No overload variant"),
    ],
    ids=["arg-type", "return-type", "unknown-action", "event-args"],
)
def test_mistakes_are_caught(tmp_path: Path, body: str, needle: str) -> None:
    out, status = check(body, tmp_path)
    assert status == 1, out
    assert needle in out, out


@pytest.mark.timeout(300)
@pytest.mark.parametrize(
    ("call", "needle"),
    [
        ('counter.increment("x")', 'incompatible type "str"'),
        ("client.counter.get_or_create(1)", "incompatible type"),
    ],
)
def test_the_readme_snippet_catches_a_wrong_call(tmp_path: Path, call: str, needle: str) -> None:
    # Word for word from the README: with ``client`` unannotated mypy skipped the body.
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    snippet = next(b for b in readme.split("```python\n")[1:] if "CounterActions" in b)
    snippet = snippet.split("```")[0]
    assert "client: Client" in snippet
    body = snippet.replace(
        "    return await counter.increment(1)",
        f"    {call}\n    return await counter.increment(1)",
    )
    assert call in body
    path = tmp_path / "readme_snippet.py"
    path.write_text(body)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--cache-dir=/dev/null",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert needle in out, out


@pytest.mark.timeout(300)
def test_encoding_is_typed(tmp_path: Path) -> None:
    out, status = check('create_client("http://127.0.0.1:1", encoding="msgpack")', tmp_path)
    assert status == 1, out
    assert "create_client" in out and "Literal" in out, out
