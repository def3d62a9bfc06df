"""Stateless HTTP calls through ``actorbind.transport.MockTransport`` (production's code
above the seam, no network): error bodies, retries, secrets."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from actorbind import (
    ActorError,
    ActorNotFound,
    Client,
    InternalError,
    MalformedMessage,
    TransportError,
    create_client,
)
from actorbind.protocol import Backoff, Retry, classify
from actorbind.protocol.codecs import codec_for
from actorbind.protocol.messages import HttpResponseError
from actorbind.transport import MockTransport
from tests.client.fake_server import FakeServer, Refuse, Session

pytestmark = pytest.mark.usefixtures("loop_health")

TOKEN = "tok-SECRET-71f3"
PARAM = "param-SECRET-9c2e"
Handler = Callable[[httpx.Request], httpx.Response]
# Retries without the waits, through the client's own parameter.
NO_WAIT = Backoff(initial=0.0, maximum=0.0, request_delays=(0.0,) * 4, stale_delay=0.0)


class Recorder:
    """A MockTransport handler that answers from a list (the last one repeats)."""

    def __init__(self, *replies: httpx.Response | Handler | Exception) -> None:
        self.replies = list(replies)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self.replies[min(len(self.requests), len(self.replies)) - 1]
        if isinstance(reply, Exception):
            raise reply
        if isinstance(reply, httpx.Response):
            return reply
        return reply(request)


@pytest.fixture
async def http_client() -> AsyncIterator[Callable[..., Client]]:
    clients: list[Client] = []

    def make(recorder: Recorder, encoding: str = "json", **kw: Any) -> Client:
        kw.setdefault("disable_metadata_lookup", True)
        kw.setdefault("endpoint", "http://gw.test")
        kw.setdefault("backoff", NO_WAIT)
        kw.setdefault("http_transport", MockTransport(recorder))
        client = create_client(encoding=encoding, **kw)
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.dispose()


def ok(encoding: str, output: Any) -> httpx.Response:
    codec = codec_for(encoding)
    return httpx.Response(
        200,
        content=codec.encode_action_response(output),
        headers={"content-type": codec.content_type},
    )


def json_error(status: int, group: str, code: str, message: str = "m") -> httpx.Response:
    return httpx.Response(
        status,
        json={"group": group, "code": code, "message": message},
        headers={"x-rivet-error": f"{group}.{code}", "x-rivet-ray-id": "ray-7"},
    )


# --- error bodies ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "reply", "expected"),
    [
        pytest.param(
            "json",
            httpx.Response(500, text="<html>oops</html>", headers={"content-type": "text/html"}),
            TransportError,
            id="json-html-500",
        ),
        pytest.param(
            "bare",
            httpx.Response(502, text="Bad Gateway", headers={"content-type": "text/plain"}),
            TransportError,
            id="bare-text-502",
        ),
        pytest.param(
            "cbor",
            httpx.Response(500, content=b"\xff\x00", headers={"content-type": "application/cbor"}),
            TransportError,
            id="cbor-garbage-500",
        ),
        pytest.param(
            "json",
            httpx.Response(503, content=b"", headers={"content-type": "application/json"}),
            TransportError,
            id="json-empty-503",
        ),
        pytest.param(
            "bare",
            httpx.Response(500, content=b"", headers={"x-rivet-error": "core.internal_error"}),
            InternalError,
            id="bare-empty-with-x-rivet-error",
        ),
        pytest.param(
            "json",
            httpx.Response(500, text="nope", headers={"x-rivet-error": "guard.weird_thing"}),
            ActorError,
            id="json-text-with-x-rivet-error",
        ),
        pytest.param(
            "json",
            httpx.Response(400, json={"group": 1, "code": "x", "message": "m"}),
            TransportError,
            id="json-wrong-field-types",
        ),
    ],
)
async def test_unusable_error_bodies(
    http_client: Callable[..., Client], encoding: str, reply: httpx.Response, expected: type
) -> None:
    recorder = Recorder(reply)
    client = http_client(recorder, encoding)
    with pytest.raises(expected) as info:
        await client.get_for_id("counter", "a1").action("x")
    assert str(reply.status_code) in str(info.value) or isinstance(info.value, ActorError)
    if isinstance(info.value, ActorError):
        assert info.value.status == reply.status_code
    assert len(recorder.requests) == 1


def _bare_error(cut: int | None = None) -> bytes:
    body = codec_for("bare").encode_http_error(
        HttpResponseError("user", "custom", "a user error", {"n": 1})
    )
    return body if cut is None else body[:cut]


@pytest.mark.parametrize("cut", [0, 1, 2, 3, 8, len(_bare_error()) - 1])
async def test_truncated_bare_error_body(http_client: Callable[..., Client], cut: int) -> None:
    recorder = Recorder(
        httpx.Response(
            500, content=_bare_error(cut), headers={"content-type": "application/octet-stream"}
        )
    )
    client = http_client(recorder, "bare")
    with pytest.raises(TransportError, match="500"):
        await client.get_for_id("counter", "a1").action("x")


async def test_whole_bare_error_body(http_client: Callable[..., Client]) -> None:
    recorder = Recorder(
        httpx.Response(
            500,
            content=_bare_error(),
            headers={"content-type": "application/octet-stream", "x-rivet-ray-id": "r1"},
        )
    )
    client = http_client(recorder, "bare")
    with pytest.raises(ActorError) as info:
        await client.get_for_id("counter", "a1").action("x")
    assert (info.value.group, info.value.code, info.value.metadata) == ("user", "custom", {"n": 1})
    assert info.value.ray_id == "r1"


@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        ("json", b"{"),
        ("json", b"[1]"),
        ("json", b"\xff\xfe"),
        ("cbor", b"\xff"),
        ("cbor", b"\xa1\x66output"),
        ("bare", b""),
        ("bare", b"\x04\x00"),
        ("bare", b"\x04\x00\x05\x01"),
        ("bare", b"\x03\x00\x01\x05"),
        ("bare", b"\x04\x00\x01\x05\x00"),
    ],
)
async def test_200_with_malformed_body(
    http_client: Callable[..., Client], encoding: str, body: bytes
) -> None:
    client = http_client(Recorder(httpx.Response(200, content=body)), encoding)
    with pytest.raises(MalformedMessage):
        await client.get_for_id("counter", "a1").action("x")


async def test_transport_failure_is_transport_error(http_client: Callable[..., Client]) -> None:
    recorder = Recorder(httpx.ConnectError(f"cannot reach http://gw.test/?rvt-token={TOKEN}"))
    client = http_client(recorder, "json")
    with pytest.raises(TransportError) as info:
        await client.get_or_create("counter", "k").action("x")
    assert TOKEN not in str(info.value) and TOKEN not in repr(info.value)


# --- retry rules ----------------------------------------------------------------------------


async def test_get_handle_retries_not_found_then_raises(http_client: Callable[..., Client]) -> None:
    recorder = Recorder(json_error(404, "actor", "not_found"))
    client = http_client(recorder)
    with pytest.raises(ActorNotFound) as info:
        await client.get("counter", "k").action("x")
    assert len(recorder.requests) == 24
    assert info.value.status == 404 and info.value.ray_id == "ray-7"


async def test_get_or_create_retries_stale_actor(
    http_client: Callable[..., Client],
) -> None:
    recorder = Recorder(
        json_error(503, "actor", "starting"),
        json_error(404, "actor", "not_found"),
        ok("json", 5),
    )
    client = http_client(recorder)
    assert await client.get_or_create("counter", "k").action("x") == 5
    assert len(recorder.requests) == 3


async def test_get_or_create_gives_up_after_60(http_client: Callable[..., Client]) -> None:
    recorder = Recorder(json_error(404, "actor", "not_found"))
    with pytest.raises(ActorNotFound):
        await http_client(recorder).get_or_create("counter", "k").action("x")
    assert len(recorder.requests) == 60


async def test_id_handle_does_not_retry_not_found(http_client: Callable[..., Client]) -> None:
    recorder = Recorder(json_error(404, "actor", "not_found"))
    with pytest.raises(ActorNotFound):
        await http_client(recorder).get_for_id("counter", "a1").action("x")
    assert len(recorder.requests) == 1


async def test_destroyed_becomes_not_found(http_client: Callable[..., Client]) -> None:
    recorder = Recorder(json_error(404, "actor", "destroyed_while_waiting_for_ready"))
    with pytest.raises(ActorNotFound):
        await http_client(recorder).get_for_id("counter", "a1").action("x")
    assert len(recorder.requests) == 1


@pytest.mark.parametrize("encoding", ["json", "cbor", "bare"])
async def test_lifecycle_boundary_retried_a_few_times(
    http_client: Callable[..., Client], encoding: str
) -> None:
    recorder = Recorder(json_error(503, "guard", "service_unavailable"))
    with pytest.raises(ActorError) as info:
        await http_client(recorder, encoding).get_for_id("counter", "a1").action("x")
    assert (info.value.group, info.value.code) == ("guard", "service_unavailable")
    assert len(recorder.requests) == 5

    recorder = Recorder(
        json_error(503, "guard", "service_unavailable"),
        json_error(503, "actor", "restarting"),
        ok(encoding, [1, "two"]),
    )
    assert await http_client(recorder, encoding).get_for_id("counter", "a1").action("x") == [
        1,
        "two",
    ]
    assert len(recorder.requests) == 3


async def test_the_client_retry_policy_decides_request_retries(
    http_client: Callable[..., Client],
) -> None:
    """``create_client(retry=..., backoff=...)`` reaches stateless requests: a policy may
    retry a code the default does not, and ``request_delays`` bounds the attempts."""

    def flaky_is_transient(error: BaseException) -> Retry:
        if isinstance(error, ActorError) and error.code == "flaky":
            return Retry.RETRY
        return classify(error)

    recorder = Recorder(json_error(500, "user", "flaky"), ok("json", 7))
    handle = http_client(recorder, retry=flaky_is_transient).get_for_id("counter", "a1")
    assert await handle.action("x") == 7
    assert len(recorder.requests) == 2

    two_tries = Backoff(request_delays=(0.0,))
    recorder = Recorder(json_error(503, "guard", "service_unavailable"))
    with pytest.raises(ActorError):
        await http_client(recorder, backoff=two_tries).get_for_id("counter", "a1").action("x")
    assert len(recorder.requests) == 2


async def test_wake_retries_exceeded_is_final_for_requests_too(
    http_client: Callable[..., Client],
) -> None:
    """The engine already retried waking the actor: neither a request nor a connection
    tries again (one table for both)."""
    recorder = Recorder(json_error(503, "guard", "actor_wake_retries_exceeded"))
    with pytest.raises(ActorError):
        await http_client(recorder).get_for_id("counter", "a1").action("x")
    assert len(recorder.requests) == 1


async def test_user_error_not_retried(http_client: Callable[..., Client]) -> None:
    recorder = Recorder(json_error(500, "user", "custom"))
    with pytest.raises(ActorError):
        await http_client(recorder).get_or_create("counter", "k").action("x")
    assert len(recorder.requests) == 1


# --- secrets --------------------------------------------------------------------------------


def _assert_no_secret(*texts: str) -> None:
    for text in texts:
        assert TOKEN not in text, text
        assert PARAM not in text, text


def _log_texts(caplog: pytest.LogCaptureFixture) -> list[str]:
    out = []
    for record in caplog.records:
        if record.name.startswith("websockets.server"):
            continue  # the fake server's own log, not the client's
        out.append(record.getMessage())
        if record.exc_info:
            out.append(logging.Formatter().formatException(record.exc_info))
    return out


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param(json_error(404, "actor", "not_found"), id="actor-error"),
        pytest.param(httpx.Response(500, text="x"), id="transport-error"),
        pytest.param(httpx.Response(200, content=b"{"), id="malformed"),
        pytest.param(httpx.ReadTimeout("timed out"), id="timeout"),
        pytest.param(httpx.ConnectError(f"http://x/?t={TOKEN}"), id="connect-error"),
    ],
)
@pytest.mark.parametrize("via_httpx", [False, True], ids=["mock", "httpx"])
async def test_secrets_stay_out_of_errors_reprs_and_logs(
    http_client: Callable[..., Client],
    caplog: pytest.LogCaptureFixture,
    reply: httpx.Response | Exception,
    via_httpx: bool,
) -> None:
    caplog.set_level(logging.DEBUG)
    recorder = Recorder(reply)
    # Through a user's httpx transport (public: ``http_transport=``) httpx logs each URL,
    # and the filter redacts it.
    transport = httpx.MockTransport(recorder) if via_httpx else MockTransport(recorder)
    client = http_client(
        recorder, "json", endpoint=f"http://ns:{TOKEN}@gw.test", http_transport=transport
    )
    handles = [
        client.get("counter", "k", params={"authToken": PARAM}),
        client.get_for_id("counter", "a1", params={"authToken": PARAM}),
    ]
    for handle in handles:
        with pytest.raises(Exception) as info:
            await handle.action("x", 1)
        _assert_no_secret(str(info.value), repr(info.value), repr(handle))
    _assert_no_secret(repr(client), repr(client.config), *_log_texts(caplog))
    if via_httpx and isinstance(reply, httpx.Response):  # httpx logged the URL, redacted
        assert any("rvt-token=<redacted>" in t for t in _log_texts(caplog))
    # The secrets did travel (header/URL), so the checks above are not vacuous.
    sent = recorder.requests[-1]
    assert sent.headers["x-rivet-token"] == TOKEN
    assert PARAM in sent.headers["x-rivet-conn-params"]


async def test_secrets_stay_out_of_connection_errors_and_logs(
    make_client: Callable[..., Client], caplog: pytest.LogCaptureFixture
) -> None:
    """WebSocket side: refusals, drops and close reasons, with DEBUG logging on."""
    caplog.set_level(logging.DEBUG)

    async def drop(session: Session) -> None:
        await session.init()
        await session.recv_action()
        session.abort()

    async with FakeServer(
        "json", Refuse(500, b"no"), Refuse.json(503, "guard", "service_unavailable"), drop
    ) as server:
        client = make_client(f"http://ns:{TOKEN}@127.0.0.1:{server.port}", encoding="json")
        conn = client.get_or_create("counter", "k").connect({"authToken": PARAM})
        errors: list[Exception] = []
        conn.on_error(errors.append)
        await conn.ready()
        with pytest.raises(Exception) as info:
            await conn.action("hang")
        await conn.dispose()
        assert len(errors) == 3
        texts = [str(info.value), repr(info.value), repr(conn), repr(conn.handle), repr(client)]
        texts += [str(e) for e in errors] + [repr(e) for e in errors]
        _assert_no_secret(*texts, *_log_texts(caplog))
        assert any("<redacted>" in t for t in _log_texts(caplog))
        assert server.sessions[0].params == {"authToken": PARAM}


async def test_request_shape(http_client: Callable[..., Client]) -> None:
    """Sanity: what the mocked requests carry (the secrets tests rely on it)."""
    recorder = Recorder(ok("json", 1))
    client = http_client(recorder, "json", endpoint=f"http://ns:{TOKEN}@gw.test")
    await client.get_for_id("counter", "a1", params={"p": 1}).action("x", 2)
    request = recorder.requests[0]
    assert request.url.path == f"/gateway/a1@{TOKEN}/action/x"
    assert json.loads(request.content) == {"args": [2]}
    assert request.headers["x-rivet-encoding"] == "json"
