"""``create_client`` configuration: validation, env vars, URL auth and the /metadata redirect."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from actorbind import Client, MalformedMessage, TransportError, create_client
from actorbind.transport import MockTransport
from tests.client.fake_server import FakeServer

pytestmark = pytest.mark.usefixtures("loop_health")

TOKEN = "tok-SECRET-3b8a"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("RIVET_ENGINE", "RIVET_ENDPOINT", "RIVET_TOKEN", "RIVET_NAMESPACE", "RIVET_POOL"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("encoding", ["msgpack", "JSON", "", "protobuf"])
async def test_unknown_encoding(encoding: str) -> None:
    with pytest.raises(ValueError, match="encoding") as info:
        create_client(f"http://ns:{TOKEN}@h.test", token=TOKEN, encoding=encoding)
    assert TOKEN not in str(info.value)


@pytest.mark.parametrize(
    "endpoint",
    [
        "ftp://h.test",
        "ws://h.test",
        "h.test:6420",
        "http://",
        f"http://ns:{TOKEN}@h.test/?x=1",
        f"http://ns:{TOKEN}@h.test#frag",
        f"http://ns:{TOKEN}@h.test?",
        f"http://:{TOKEN}@h.test",
        f"http://ns:{TOKEN}@h.test:99999",
        f"http://ns:{TOKEN}@h.test:port",
        "http://[::1",
    ],
)
async def test_malformed_endpoint(endpoint: str) -> None:
    with pytest.raises(ValueError) as info:
        create_client(endpoint)
    assert TOKEN not in str(info.value) and TOKEN not in repr(info.value)


async def test_env_vars(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RIVET_ENDPOINT", "http://env.test:7000/base/")
    monkeypatch.setenv("RIVET_TOKEN", TOKEN)
    monkeypatch.setenv("RIVET_NAMESPACE", "envns")
    async with create_client(disable_metadata_lookup=True) as client:
        cfg = client.config
        assert (cfg.endpoint, cfg.namespace, cfg.token) == (
            "http://env.test:7000/base",
            "envns",
            TOKEN,
        )
        assert TOKEN not in repr(client) and TOKEN not in repr(cfg)
    # Arguments beat the environment.
    async with create_client(
        "http://arg.test", token="t2", namespace="argns", disable_metadata_lookup=True
    ) as client:
        assert (client.config.endpoint, client.config.namespace, client.config.token) == (
            "http://arg.test",
            "argns",
            "t2",
        )


async def test_rivet_engine_beats_rivet_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RIVET_ENGINE", "http://engine.test")
    monkeypatch.setenv("RIVET_ENDPOINT", "http://endpoint.test")
    async with create_client(disable_metadata_lookup=True) as client:
        assert client.config.endpoint == "http://engine.test"


async def test_url_auth_form(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RIVET_NAMESPACE", "envns")
    async with create_client(f"http://myns:{TOKEN}@h.test:6420", disable_metadata_lookup=True) as c:
        assert (c.config.endpoint, c.config.namespace, c.config.token) == (
            "http://h.test:6420",
            "myns",
            TOKEN,
        )
        assert TOKEN not in repr(c)


class Recorder:
    def __init__(self, routes: dict[str, Callable[[httpx.Request], httpx.Response]]) -> None:
        self.routes = routes
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        for prefix, reply in self.routes.items():
            if str(request.url).startswith(prefix):
                return reply(request)
        return httpx.Response(404, json={"group": "test", "code": "no_route", "message": "?"})


def _metadata(**extra: Any) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(200, json={"runtime": "rivetkit", **extra})


async def test_metadata_redirects_later_calls() -> None:
    actor = {"actor_id": "a9", "name": "counter", "key": "k"}
    recorder = Recorder(
        {
            "http://a.test/metadata": _metadata(
                clientEndpoint="http://b.test/base", clientNamespace="ns2", clientToken="tok2"
            ),
            "http://b.test/base/gateway/": lambda r: httpx.Response(200, json={"output": 7}),
            "http://b.test/base/actors": lambda r: httpx.Response(
                200, json={"actor": actor, "created": True}
            ),
        }
    )
    async with create_client(
        f"http://ns1:{TOKEN}@a.test", encoding="json", http_transport=MockTransport(recorder)
    ) as client:
        assert await client.counter.get_or_create("k").action("x") == 7
        assert await client.counter.get_or_create("k").resolve() == "a9"
        assert await client.counter.get_or_create("k").action("y") == 7
    meta, action, resolve, action2 = recorder.requests
    assert meta.url.path == "/metadata" and meta.url.params["namespace"] == "ns1"
    assert meta.headers["authorization"] == f"Bearer {TOKEN}"
    for request in (action, action2):
        assert request.url.host == "b.test" and request.url.path.startswith("/base/gateway/")
        assert request.url.params["rvt-namespace"] == "ns2"
        assert request.url.params["rvt-token"] == "tok2"
        assert request.headers["x-rivet-token"] == "tok2"
    assert resolve.url.path == "/base/actors" and resolve.url.params["namespace"] == "ns2"
    assert resolve.headers["authorization"] == "Bearer tok2"


async def test_metadata_without_redirect_keeps_config() -> None:
    recorder = Recorder(
        {
            "http://a.test/metadata": _metadata(clientNamespace="ignored"),
            "http://a.test/gateway/": lambda r: httpx.Response(200, json={"output": 1}),
        }
    )
    async with create_client(
        "http://a.test", encoding="json", http_transport=MockTransport(recorder)
    ) as client:
        assert await client.counter.get_or_create("k").action("x") == 1
    assert recorder.requests[1].url.params["rvt-namespace"] == "default"


async def test_metadata_redirects_websocket(make_client: Callable[..., Client]) -> None:
    async with FakeServer("bare") as server:
        recorder = Recorder(
            {
                "http://a.test/metadata": _metadata(
                    clientEndpoint=server.endpoint, clientNamespace="ns2", clientToken="tok2"
                )
            }
        )
        client = make_client(
            "http://a.test",
            encoding="bare",
            disable_metadata_lookup=False,
            http_transport=MockTransport(recorder),
        )
        conn = client.counter.get_or_create("k").connect()
        assert await conn.echo(1) == [1]
        query = parse_qs(server.sessions[0].path.partition("?")[2])
        assert query["rvt-namespace"] == ["ns2"] and query["rvt-token"] == ["tok2"]


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (httpx.Response(500, text="down"), TransportError),
        (httpx.Response(200, text="not json"), MalformedMessage),
        (httpx.ConnectError("refused"), TransportError),
    ],
)
async def test_metadata_failure_is_clear(reply: Any, expected: type) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if isinstance(reply, Exception):
            raise reply
        return reply

    recorder = Recorder({"http://a.test/metadata": handler})
    async with create_client(
        "http://a.test", encoding="json", http_transport=MockTransport(recorder)
    ) as client:
        with pytest.raises(expected):
            await client.counter.get_or_create("k").action("x")
    assert len(recorder.requests) == 1  # one try per call, no hidden retries


async def test_metadata_not_an_object() -> None:
    recorder = Recorder({"http://a.test/metadata": lambda r: httpx.Response(200, json=[1, 2])})
    async with create_client(
        "http://a.test", encoding="json", http_transport=MockTransport(recorder)
    ) as client:
        with pytest.raises(MalformedMessage):
            await client.counter.get_or_create("k").action("x")
