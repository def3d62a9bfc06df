"""docs/state.md's examples run as written and print what the doc says."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "state.md"


def _run(index: int) -> list[str]:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(blocks[index], "docs/state.md", "exec"), {"__name__": "docs"})
    return out.getvalue().splitlines()


def test_counter_example() -> None:
    assert _run(0) == ["count: 41", "count: 42", "42 True False None"]


def test_list_example() -> None:
    lines = _run(1)
    assert lines[0] == "ListReset(items=())"
    assert lines[1:] == [
        "ListInserted(index=0, items=({'id': 1, 'text': 'hello'},))",
        "ListInserted(index=1, items=({'id': 2, 'text': 'world'},))",
        "ListUpdated(index=0, item={'id': 1, 'text': 'hello!'})",
        "ListRemoved(index=1, count=1)",
        "['hello!']",
    ]
