"""``python -m actorbind_demo -v`` shows actorbind's connection log (and never a secret)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.client.fake_server import free_port

SCRIPT = """
import asyncio, sys
from actorbind_demo.__main__ import configure_logging
from actorbind import ConnectTimeout, create_client

configure_logging(verbose={verbose})

async def main():
    client = create_client("http://ns:TOKEN-s3cret@127.0.0.1:{port}", disable_metadata_lookup=True)
    async with client:
        conn = client.counter.get_or_create("k").connect(params={{"authToken": "PARAM-s3cret"}})
        errors = []
        conn.on_error(errors.append)
        while len(errors) < 2:
            await asyncio.sleep(0.01)
        try:
            await conn.ready(timeout=0.01)
        except ConnectTimeout:
            pass

asyncio.run(asyncio.wait_for(main(), 30))
"""


def _run(verbose: bool) -> str:
    code = textwrap.dedent(SCRIPT.format(verbose=verbose, port=free_port()))
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    return done.stderr


def test_verbose_shows_attempts_failures_backoff_and_status() -> None:
    err = _run(verbose=True)
    assert "actorbind.conn DEBUG actor 'counter' ['k']: connecting to http://127.0.0.1:" in err
    assert "actorbind.conn INFO actor 'counter' ['k']: attempt 1 failed" in err
    assert "retrying in" in err and "status connecting -> disconnected" in err
    assert "s3cret" not in err


def test_quiet_by_default() -> None:
    assert "actorbind.conn" not in _run(verbose=False)
