"""The tunnel without an engine: every request is answered, unknown actors get the Rust
envoy client's answers (503 / close 1011), and nothing over the payload limit goes out."""

from __future__ import annotations

import asyncio

from actorbind.protocol import HttpResponseError
from actorbind.protocol.http import read_error_body, read_error_header
from actorbind.runner import _envoy_v8 as v8
from actorbind.runner.tunnel import _MARGIN, Tunnel
from actorbind.server.host import ActorHost
from actorbind.server.limits import Limits
from actorbind.server.runtime import ActorRuntime
from actorbind.server.storage import Storage
from tests.support.actors import registry
from tests.utils import until

GW, REQ = b"\x01\x02\x03\x04", b"\x05\x06\x07\x08"


async def _nobody(actor_id: str) -> ActorRuntime | None:
    return None


async def _until_sent(sent: list[v8.ToRivet], n: int) -> None:
    await until(lambda: len(sent) >= n, f"{n} tunnel messages sent")


def _msg(kind: v8.ToEnvoyTunnelMessageKind, index: int = 0) -> v8.ToEnvoyTunnelMessage:
    return v8.ToEnvoyTunnelMessage(v8.MessageId(GW, REQ, index), kind)


async def test_unknown_actor_http_gets_503_and_ws_gets_1011() -> None:
    storage = Storage()
    host = ActorHost(registry, storage, Limits())
    sent: list[v8.ToRivet] = []
    tunnel = Tunnel(host, _nobody, sent.append)
    try:
        start = v8.ToEnvoyRequestStart("a" * 30, None, "POST", "/action/x", {}, b"[]", False, False)
        tunnel.handle(_msg(start))
        await _until_sent(sent, 1)
        reply = sent[0]
        assert isinstance(reply, v8.ToRivetTunnelMessage)
        assert reply.message_id == v8.MessageId(GW, REQ, 0)
        assert reply.message_kind == v8.ToRivetResponseStart(
            503, {"x-rivet-error": "envoy.actor_not_found"}, b"Actor not found", False
        )
        tunnel.handle(_msg(v8.ToEnvoyWebSocketOpen("b" * 30, None, "/connect", {})))
        await _until_sent(sent, 2)
        close = sent[1]
        assert isinstance(close, v8.ToRivetTunnelMessage)
        assert close.message_kind == v8.ToRivetWebSocketClose(1011, "Actor not found", False)
    finally:
        await host.shutdown()
        storage.close()


async def test_streamed_request_body_is_collected_before_dispatch() -> None:
    storage = Storage()
    host = ActorHost(registry, storage, Limits())
    sent: list[v8.ToRivet] = []
    seen: list[str] = []

    async def find(actor_id: str) -> ActorRuntime | None:
        seen.append(actor_id)
        return None

    tunnel = Tunnel(host, find, sent.append)
    try:
        start = v8.ToEnvoyRequestStart("a" * 30, None, "POST", "/action/x", {}, None, True, False)
        tunnel.handle(_msg(start))
        tunnel.handle(_msg(v8.ToEnvoyRequestChunk(b"[", False), 1))
        await asyncio.sleep(0)
        assert seen == [] and sent == []  # nothing runs before the last chunk
        tunnel.handle(_msg(v8.ToEnvoyRequestChunk(b"]", True), 2))
        await _until_sent(sent, 1)
        assert seen == ["a" * 30]
    finally:
        await host.shutdown()
        storage.close()


def _error_of(reply: v8.ToRivet) -> tuple[int, tuple[str, str] | None, HttpResponseError | None]:
    # Read back as a client does (protocol.http): the status, x-rivet-error and the body.
    assert isinstance(reply, v8.ToRivetTunnelMessage)
    start = reply.message_kind
    assert isinstance(start, v8.ToRivetResponseStart)
    assert start.headers["content-length"] == str(len(start.body))
    named = read_error_header(start.headers.get("x-rivet-error", ""))
    return start.status, named, read_error_body(start.body, start.headers["content-type"])


async def test_a_failing_handler_gets_a_named_json_500() -> None:
    storage = Storage()
    host = ActorHost(registry, storage, Limits())
    sent: list[v8.ToRivet] = []

    async def broken(actor_id: str) -> ActorRuntime | None:
        raise RuntimeError("lookup failed")

    tunnel = Tunnel(host, broken, sent.append)
    try:
        start = v8.ToEnvoyRequestStart("a" * 30, None, "POST", "/action/x", {}, b"[]", False, False)
        tunnel.handle(_msg(start))
        await _until_sent(sent, 1)
        status, named, body = _error_of(sent[0])
        assert (status, named) == (500, ("core", "internal_error"))
        assert body == HttpResponseError("core", "internal_error", "An internal error occurred")
    finally:
        await host.shutdown()
        storage.close()


async def test_a_reply_over_the_payload_limit_is_refused_with_a_rivetkit_error() -> None:
    storage = Storage()
    host = ActorHost(registry, storage, Limits())
    sent: list[v8.ToRivet] = []
    record, _ = host.get_or_create("default", "raw", ("k",))

    async def find(actor_id: str) -> ActorRuntime | None:
        return await host.wake(record)

    tunnel = Tunnel(host, find, sent.append)
    tunnel.max_payload = _MARGIN + 8  # the raw actor's JSON echo is longer
    try:
        start = v8.ToEnvoyRequestStart(
            record.actor_id, None, "GET", "/request/echo", {}, None, False, False
        )
        tunnel.handle(_msg(start))
        await _until_sent(sent, 1)
        status, named, body = _error_of(sent[0])
        # RivetKit's envoy answers message.outgoing_too_long with 400 (framework_error_status).
        assert (status, named) == (400, ("message", "outgoing_too_long"))
        assert body == HttpResponseError(
            "message", "outgoing_too_long", "Outgoing message too long"
        )
    finally:
        await host.shutdown()
        storage.close()
