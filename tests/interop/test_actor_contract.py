"""The two test registries cannot drift: tests/ACTORS.md, tests/support/actors.py and
tests/rivetkit_app/registry.mjs declare the same actors with the same actions and queues."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from tests.support.actors import registry

_TESTS = Path(__file__).resolve().parent.parent
_SECTION = re.compile(r"^## `(\w+)`", re.MULTILINE)
_ROW = re.compile(r"^\| `(\w+)\(", re.MULTILINE)

# Prints {actor: {actions: [...], queues: [...]}} for registry.mjs, next to its node_modules.
_NAMES_JS = """
const { registry } = await import("./registry.mjs");
const out = {};
for (const [name, def] of Object.entries(registry.config.use)) {
  out[name] = {
    actions: Object.keys(def.config.actions ?? {}).sort(),
    queues: Object.keys(def.config.queues ?? {}).sort(),
  };
}
console.log(JSON.stringify(out));
"""


def documented() -> dict[str, list[str]]:
    """ACTORS.md: each ``## `name``` section and the actions of its table."""
    text = (_TESTS / "ACTORS.md").read_text(encoding="utf-8")
    sections = list(_SECTION.finditer(text))
    out: dict[str, list[str]] = {}
    for i, match in enumerate(sections):
        end = sections[i + 1].start() if i + 1 < len(sections) else len(text)
        body = text[match.end() : end].split("\n## ")[0]
        out[match.group(1)] = sorted(set(_ROW.findall(body)))
    return out


def python_side() -> dict[str, dict[str, list[str]]]:
    return {
        cls.name: {"actions": sorted(cls.__actions__), "queues": sorted(cls.queue_names())}
        for cls in registry
    }


def javascript_side() -> dict[str, dict[str, list[str]]]:
    if os.environ.get("ACTORBIND_SKIP_RIVETKIT") == "1":
        pytest.skip("ACTORBIND_SKIP_RIVETKIT=1")
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    from tests.support.rivetkit_server import ensure_rivetkit

    run = ensure_rivetkit() / "runs" / f"contract-{uuid.uuid4().hex[:12]}"
    run.mkdir(parents=True)
    try:
        shutil.copyfile(_TESTS / "rivetkit_app" / "registry.mjs", run / "registry.mjs")
        (run / "names.mjs").write_text(_NAMES_JS, encoding="utf-8")
        done = subprocess.run(
            [node, "names.mjs"], cwd=run, capture_output=True, text=True, timeout=120, check=True
        )
    finally:
        shutil.rmtree(run, ignore_errors=True)
    result: dict[str, dict[str, list[str]]] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_python_registry_matches_actors_md() -> None:
    py = python_side()
    assert {name: v["actions"] for name, v in py.items()} == documented()


def test_javascript_registry_matches_python_registry() -> None:
    assert javascript_side() == python_side()
