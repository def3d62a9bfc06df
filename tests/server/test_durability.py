"""The CLI, and durable state: acknowledged increments survive SIGKILL."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
LINE = re.compile(r"^actorbind server listening on (http://127\.0\.0\.1:\d+)$")


@contextmanager
def cli(*args: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "actorbind.server",
            "tests.support.actors:registry",
            "--port",
            "0",
            *args,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stderr is not None
        first = proc.stderr.readline().rstrip("\n")
        match = LINE.match(first)
        assert match, f"unexpected first line {first!r}"
        yield proc, match.group(1)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=30)


def _url(endpoint: str, k: str, action: str) -> str:
    return (
        f"{endpoint}/gateway/counter/action/{action}?rvt-namespace=default&rvt-method=getOrCreate"
        f"&rvt-runner=default&rvt-key={k}&rvt-crash-policy=sleep"
    )


def test_sigkill_keeps_acknowledged_state(tmp_path: Path) -> None:
    db = tmp_path / "actors.db"
    k = uuid.uuid4().hex
    with cli("--data", str(db)) as (proc, endpoint), httpx.Client(timeout=10) as http:
        for i in range(1, 51):
            assert http.post(_url(endpoint, k, "increment"), content=b'{"args":[1]}').json() == {
                "output": i
            }
        actor_id = http.post(_url(endpoint, k, "getCount"), content=b"{}").headers["x-rivet-actor"]
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    with cli("--data", str(db)) as (proc, endpoint), httpx.Client(timeout=10) as http:
        assert http.post(_url(endpoint, k, "getCount"), content=b"{}").json() == {"output": 50}
        by_id = http.post(
            f"{endpoint}/gateway/{actor_id}/action/increment", content=b'{"args":[1]}'
        )
        assert by_id.json() == {"output": 51}
        found = http.get(f"{endpoint}/actors?name=counter&key={k}").json()["actors"]
        assert [a["actor_id"] for a in found] == [actor_id]


def test_sigterm_exits_cleanly() -> None:
    with cli() as (proc, endpoint):
        assert httpx.get(f"{endpoint}/health").json()["status"] == "ok"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
        assert proc.stderr is not None
        rest = proc.stderr.read()
        assert "Traceback" not in rest


def test_sigint_exits_cleanly() -> None:
    with cli() as (proc, _endpoint):
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0


def test_bad_registry_argument() -> None:
    r = subprocess.run(
        [sys.executable, "-m", "actorbind.server", "tests.support.actors:nope"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode != 0
    assert "module tests.support.actors has no attribute 'nope'" in r.stderr
