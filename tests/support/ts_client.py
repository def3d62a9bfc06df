"""Run Node scripts that use the official TypeScript client (``rivetkit/client`` 2.3.19)."""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any

from tests.support.rivetkit_server import APP_DIR, ensure_rivetkit


def run_ts_script(script: str, *args: str, timeout: float = 120) -> Any:
    """Run ``tests/rivetkit_app/<script>`` next to the cached ``node_modules``; parse its JSON.

    The script is copied beside the install because Node's ESM loader resolves ``rivetkit``
    from the script's real path.
    """
    install = ensure_rivetkit()
    run_dir = install / "runs" / f"ts-{uuid.uuid4().hex[:12]}"
    run_dir.mkdir(parents=True)
    try:
        shutil.copyfile(APP_DIR / script, run_dir / script)
        done = subprocess.run(
            ["node", str(run_dir / script), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=run_dir,
            check=False,
        )
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)
    if done.returncode != 0:
        raise AssertionError(f"{script} failed ({done.returncode}):\n{done.stderr[-4000:]}")
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise AssertionError(
            f"{script} printed no JSON:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        )
    return json.loads(lines[-1])


def script_path(name: str) -> Path:
    return APP_DIR / name
