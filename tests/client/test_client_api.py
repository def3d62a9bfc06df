"""API habits: ``aclose()``/``async with`` as in httpx, attribute lookup, use after dispose."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from actorbind import ConnDisposed, create_client
from actorbind.transport import MockTransport
from tests.client.fake_server import FakeServer

pytestmark = pytest.mark.usefixtures("loop_health")


def _ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"output": 1}, headers={"content-type": "application/json"})


def _json_client(**kw: Any) -> Any:
    return create_client(
        "http://127.0.0.1:1",
        encoding="json",
        disable_metadata_lookup=True,
        http_transport=MockTransport(_ok),
        **kw,
    )


@pytest.mark.parametrize("name", ["_foo", "__bar__", "__deepcopy__", "_ctx_typo"])
def test_private_and_dunder_names_are_not_actors(name: str) -> None:
    client = create_client("http://127.0.0.1:1")
    with pytest.raises(AttributeError, match=name):
        getattr(client, name)
    assert not hasattr(client, name)
    copy.copy(client.counter)  # the accessor's own copy protocol still works


@pytest.mark.parametrize("name", ["close", "disconnect", "shutdown"])
def test_calling_an_accessor_says_what_it_is(name: str) -> None:
    client = create_client("http://127.0.0.1:1")
    with pytest.raises(TypeError, match=r"client\.aclose\(\)") as info:
        getattr(client, name)()
    assert f"actors named {name!r}" in str(info.value)
    # A name that happens to be "close" is still an actor through the accessor.
    assert getattr(client, name).get("k").name == name


async def test_aclose_and_async_with_like_httpx() -> None:
    client = _json_client()
    assert await client.counter.get_or_create("k").increment(1) == 1
    assert not client.is_closed
    await client.aclose()
    assert client.is_closed
    await client.aclose()  # idempotent, no warning (filterwarnings=error; logs checked below)
    async with _json_client() as second:
        assert await second.counter.get("k").getCount() == 1
    assert second.is_closed


async def test_http_calls_after_dispose_raise(caplog: pytest.LogCaptureFixture) -> None:
    client = _json_client()
    handle = client.counter.get_or_create("k")
    assert await handle.increment(1) == 1
    await client.dispose()
    for call in (
        lambda: handle.increment(1),
        lambda: client.counter.get("other").getCount(),
        lambda: handle.fetch("/x"),
        lambda: handle.send("jobs", {}),
        lambda: handle.resolve(),
        lambda: handle.websocket("/x"),
        lambda: client.counter.create("new"),
        lambda: client.destroy_actor("some-id"),
    ):
        with pytest.raises(ConnDisposed, match="the client was disposed"):
            await call()
    with pytest.raises(ConnDisposed, match="the client was disposed"):
        handle.connect()
    assert "disposed twice" not in caplog.text


async def test_connections_of_a_disposed_client_raise(
    make_client: Callable[..., Any], encoding: str
) -> None:
    async with FakeServer(encoding) as server:
        client = make_client(server.endpoint, encoding=encoding)
        conn = client.counter.get_or_create("k").connect()
        await client.aclose()
        with pytest.raises(ConnDisposed):
            await conn.increment(1)
        with pytest.raises(ConnDisposed):
            await conn.send("jobs", {})
