"""Issue 9, point 9: no token and no connection params in the server's logs, at DEBUG."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

from actorbind import ActorError, create_client
from actorbind.server import ActionContext, Actor, ActorContext, Registry, action, run_in_thread
from actorbind.server.logs import redact

TOKEN = "tok-" + uuid.uuid4().hex
SECRET = "param-" + uuid.uuid4().hex


class Leaky(Actor):
    """Puts the params where careless code would: in exception messages."""

    name = "leaky"
    state = {"n": 0}

    def on_before_connect(self, ctx: ActorContext, params: Any) -> None:
        if (params or {}).get("fail"):
            raise ValueError(f"refusing params {params}")

    async def on_request(self, ctx: ActionContext, request: Request) -> Response:
        leaked = request.headers.get("x-rivet-conn-params")

        async def body() -> AsyncIterator[bytes]:
            yield b"partial"
            raise ValueError(f"stream broke for {leaked}")  # escapes to uvicorn

        return StreamingResponse(body())

    @action
    def boom(self, ctx: ActionContext) -> None:
        raise KeyError(f"no luck with {ctx.conn.params}")

    @action
    def bad_state(self, ctx: ActionContext) -> None:
        ctx.state["n"] = {"not storable": object(), "params": ctx.conn.params}

    @action
    def ok(self, ctx: ActionContext) -> int:
        ctx.state["n"] += 1
        return int(ctx.state["n"])


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def collected() -> Iterator[_Collect]:
    handler = _Collect()
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    loggers = [logging.getLogger(n) for n in ("", "uvicorn", "uvicorn.access", "uvicorn.asgi")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.removeHandler(handler)
            lg.setLevel(level)


def _secrets_in(text: str) -> list[str]:
    forms = {TOKEN, SECRET, quote(TOKEN, safe=""), quote(SECRET, safe="")}
    return sorted(f for f in forms if f in text)


async def _traffic(endpoint: str) -> None:
    params = {"secret": SECRET}
    async with create_client(endpoint, token=TOKEN, encoding="json") as client:
        handle = client.get_or_create("leaky", ["k"], params=params)
        assert await handle.action("ok") == 1
        for name in ("boom", "bad_state"):
            with pytest.raises(ActorError):
                await handle.action(name)
        async with handle.connect(params) as conn:
            await asyncio.wait_for(conn.ready(), 10)
            assert await conn.action("ok") == 2
            with pytest.raises(ActorError):
                await conn.action("boom")
        failing = client.get_or_create("leaky", ["k"]).connect({"fail": True, "s": SECRET})
        try:
            with pytest.raises(ActorError):
                await asyncio.wait_for(failing.ready(), 10)
        finally:
            await failing.dispose()
    # By hand: the token in the query and a subprotocol, params in a subprotocol.
    ws = endpoint.replace("http://", "ws://")
    url = f"{ws}/gateway/leaky/connect?rvt-namespace=default&rvt-method=get&rvt-key=k"
    protos = [
        Subprotocol("rivet"),
        Subprotocol(f"rivet_token.{TOKEN}"),
        Subprotocol("rivet_conn_params." + quote(f'{{"s":"{SECRET}"}}', safe="")),
    ]
    async with connect(url + f"&rvt-token={TOKEN}", subprotocols=protos) as sock:
        assert "Init" in str(await asyncio.wait_for(sock.recv(), 10))
    async with httpx.AsyncClient(timeout=10) as http:
        r = await http.post(
            f"{endpoint}/gateway/leaky/action/boom?rvt-namespace=default&rvt-method=get"
            f"&rvt-key=k&rvt-token={TOKEN}",
            json={"args": []},
            headers={"x-rivet-conn-params": f'{{"s":"{SECRET}"}}', "authorization": TOKEN},
        )
        assert r.status_code == 500
        with pytest.raises(httpx.HTTPError):
            await http.get(
                f"{endpoint}/gateway/leaky/request/x?rvt-namespace=default&rvt-method=get"
                f"&rvt-key=k&rvt-token={TOKEN}",
                headers={"x-rivet-conn-params": f'{{"s":"{SECRET}"}}'},
            )


@pytest.mark.parametrize("level", ["debug", "trace"])
def test_no_secret_in_any_server_log(
    level: str, collected: _Collect, capfd: pytest.CaptureFixture[str]
) -> None:
    with run_in_thread(Registry(Leaky), token=TOKEN, log_level=level) as endpoint:
        asyncio.run(_traffic(endpoint))
    captured = capfd.readouterr()
    text = "\n".join([*collected.lines, captured.out, captured.err])
    assert "WebSocket" in text and "failed with KeyError" in text  # the logs were captured
    assert "Exception in ASGI application" in text
    assert _secrets_in(text) == []


def test_redact_forms() -> None:
    assert redact(f"GET /gateway/a/connect?rvt-token={TOKEN}&x=1") == (
        "GET /gateway/a/connect?rvt-token=<redacted>&x=1"
    )
    assert TOKEN not in redact(f"/gateway/abc@{TOKEN}/action/x")
    assert SECRET not in redact(f"< Sec-WebSocket-Protocol: rivet, rivet_conn_params.{SECRET}")
    assert SECRET not in redact(f"(b'x-rivet-conn-params', b'{{\"s\": \"{SECRET}\"}}')")


async def test_uvicorn_access_log_of_create_app_is_redacted(collected: _Collect) -> None:
    import uvicorn

    from actorbind.server import create_app

    config = uvicorn.Config(
        create_app(Registry(Leaky), token=TOKEN), port=0, access_log=True, log_config=None
    )
    server = uvicorn.Server(config)
    task = asyncio.get_running_loop().create_task(server.serve())
    try:
        async with asyncio.timeout(10):
            while not server.started:
                await asyncio.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        async with httpx.AsyncClient(timeout=10) as http:
            r = await http.post(
                f"http://127.0.0.1:{port}/gateway/leaky/action/ok?rvt-namespace=default"
                f"&rvt-method=getOrCreate&rvt-runner=default&rvt-key=k&rvt-token={TOKEN}",
                json={"args": []},
            )
            assert r.json() == {"output": 1}
    finally:
        server.should_exit = True
        await task
    text = "\n".join(collected.lines)
    assert "rvt-token=<redacted>" in text  # the access line was written, without the token
    assert _secrets_in(text) == []
