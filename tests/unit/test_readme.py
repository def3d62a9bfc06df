"""The README's Python snippets run as written (against the embedded server)."""

from __future__ import annotations

import asyncio
import contextlib
import io
import re
from pathlib import Path
from typing import Any

README = Path(__file__).resolve().parents[2] / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_readme_has_the_three_quick_starts() -> None:
    blocks = python_blocks()
    assert len(blocks) >= 3
    assert "create_client" in blocks[0] and "use_actor" in blocks[2]


def test_client_quick_start_runs() -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(python_blocks()[0], "README.md", "exec"), {"__name__": "readme"})
    lines = out.getvalue().splitlines()
    assert lines == ["5", "count is now 6", "user bad_amount amount must be positive"]


def test_typed_snippet_runs(embedded_endpoint: str) -> None:
    from actorbind import create_client

    namespace: dict[str, Any] = {"__name__": "readme"}
    exec(compile(python_blocks()[1], "README.md", "exec"), namespace)

    async def main() -> int:
        async with create_client(embedded_endpoint) as client:
            return int(await namespace["typed"](client))

    assert asyncio.run(main()) >= 1
