"""The protocol WebSocket (``/connect``) and raw ``/websocket`` on the embedded server, against
what RivetKit 2.3.19 does (WIRE.md §5, FACTS.md)."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from actorbind.protocol import (
    ActionRequest,
    ActionResponse,
    Error,
    Event,
    Init,
    SubscriptionRequest,
    ToClient,
    codec_for,
)
from actorbind.server import run_in_thread
from tests.support.actors import registry
from tests.utils import until_async

ENCODINGS = ["json", "cbor", "bare"]


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with run_in_thread(registry) as ep:
        yield ep


def key() -> str:
    return "w-" + uuid.uuid4().hex[:10]


def ws_url(
    endpoint: str, name: str, k: str, path: str = "/connect", method: str = "getOrCreate"
) -> str:
    q = f"rvt-namespace=default&rvt-method={method}"
    if method == "getOrCreate":
        q += "&rvt-runner=default"
    q += f"&rvt-key={k}"
    return endpoint.replace("http://", "ws://") + f"/gateway/{name}{path}?{q}"


def protocols(enc: str | None = "json", params: Any = None) -> list[Subprotocol]:
    out = ["rivet"]
    if enc is not None:
        out.append(f"rivet_encoding.{enc}")
    if params is not None:
        out.append("rivet_conn_params." + quote(json.dumps(params), safe=""))
    return [Subprotocol(p) for p in out]


async def recv(ws: ClientConnection, enc: str) -> ToClient:
    data = await asyncio.wait_for(ws.recv(), 10)
    if enc == "json":
        assert isinstance(data, str), "json messages are text frames"
    else:
        assert isinstance(data, bytes), "cbor/bare messages are binary frames"
    return codec_for(enc).decode_to_client(data)


async def send(ws: ClientConnection, enc: str, msg: ActionRequest | SubscriptionRequest) -> None:
    await ws.send(codec_for(enc).encode_to_server(msg))


async def closed(ws: ClientConnection) -> tuple[int | None, str | None]:
    with pytest.raises(ConnectionClosed):
        while True:
            await asyncio.wait_for(ws.recv(), 10)
    assert ws.close_code is not None
    return ws.close_code, ws.close_reason


@pytest.mark.parametrize("enc", ENCODINGS)
async def test_init_events_and_ordering(endpoint: str, enc: str) -> None:
    async with connect(ws_url(endpoint, "counter", key()), subprotocols=protocols(enc)) as ws:
        assert ws.subprotocol == "rivet"
        init = await recv(ws, enc)
        assert isinstance(init, Init)
        uuid.UUID(init.connection_id)
        await send(ws, enc, SubscriptionRequest("newCount", True))
        await send(ws, enc, SubscriptionRequest("direct", True))
        await send(ws, enc, ActionRequest(0, "increment", [1]))
        assert await recv(ws, enc) == Event("newCount", [1])
        assert await recv(ws, enc) == ActionResponse(0, 1)
        await send(ws, enc, ActionRequest(1, "multiEvent", []))
        assert await recv(ws, enc) == ActionResponse(1, True)  # not subscribed to "multi"
        await send(ws, enc, ActionRequest(2, "direct", [{"hello": "me"}]))
        assert await recv(ws, enc) == Event("direct", [{"hello": "me"}])
        assert await recv(ws, enc) == ActionResponse(2, {"hello": "me"})
        await send(ws, enc, ActionRequest(3, "flood", [50]))
        assert await recv(ws, enc) == ActionResponse(3, 50)  # "tick" not subscribed
        await send(ws, enc, SubscriptionRequest("newCount", False))
        await send(ws, enc, ActionRequest(4, "increment", [1]))
        assert await recv(ws, enc) == ActionResponse(4, 2)
        await ws.close(1000, "Disposed")
    assert (ws.close_code, ws.close_reason) == (1000, "Disposed")


async def test_flood_order(endpoint: str) -> None:
    async with connect(ws_url(endpoint, "counter", key()), subprotocols=protocols("bare")) as ws:
        await recv(ws, "bare")
        await send(ws, "bare", SubscriptionRequest("tick", True))
        await send(ws, "bare", ActionRequest(7, "flood", [300]))
        for i in range(300):
            assert await recv(ws, "bare") == Event("tick", [i])
        assert await recv(ws, "bare") == ActionResponse(7, 300)


async def test_json_bytes_and_ids(endpoint: str) -> None:
    async with connect(ws_url(endpoint, "counter", key()), subprotocols=protocols("json")) as ws:
        init = json.loads(await ws.recv())
        assert list(init) == ["body"] and init["body"]["tag"] == "Init"
        await ws.send(
            '{"body":{"tag":"ActionRequest","val":{"id":7,"name":"increment","args":[1]}}}'
        )
        assert (
            await ws.recv()
            == '{"body":{"tag":"ActionResponse","val":{"id":["$BigInt","7"],"output":1}}}'
        )
        await ws.send(
            '{"body":{"tag":"ActionRequest","val":{"id":["$BigInt","8"],"name":"getCount","args":[]}}}'
        )
        assert (
            await ws.recv()
            == '{"body":{"tag":"ActionResponse","val":{"id":["$BigInt","8"],"output":1}}}'
        )
        # json in a binary frame is accepted too
        await ws.send(
            b'{"body":{"tag":"ActionRequest","val":{"id":9,"name":"getCount","args":[]}}}'
        )
        assert (
            await ws.recv()
            == '{"body":{"tag":"ActionResponse","val":{"id":["$BigInt","9"],"output":1}}}'
        )


async def test_cbor_ids_are_uint64(endpoint: str) -> None:
    async with connect(ws_url(endpoint, "counter", key()), subprotocols=protocols("cbor")) as ws:
        await ws.recv()
        # {"body":{"tag":"ActionRequest","val":{"id":9,"name":"getCount","args":[]}}}, small id
        await ws.send(
            bytes.fromhex(
                "b9000164626f6479b90002637461676d416374696f6e526571756573746376616c"
                "b9000362696409646e616d6568676574436f756e74646172677380"
            )
        )
        reply = await ws.recv()
        assert reply == bytes.fromhex(
            "a164626f6479a2637461676e416374696f6e526573706f6e73656376616c"
            "a26269641b0000000000000009666f757470757400"
        )


async def test_default_encoding_is_json(endpoint: str) -> None:
    async with connect(ws_url(endpoint, "counter", key()), subprotocols=protocols(None)) as ws:
        assert isinstance(await recv(ws, "json"), Init)


async def test_rivet_is_always_answered(endpoint: str) -> None:
    # a client that does not offer "rivet" still gets it (strict clients then fail, like RivetKit)
    with pytest.raises(Exception, match="subprotocol"):
        async with connect(
            ws_url(endpoint, "counter", key()), subprotocols=[Subprotocol("rivet_encoding.json")]
        ):
            pass


@pytest.mark.parametrize("enc", ENCODINGS)
async def test_action_errors(endpoint: str, enc: str) -> None:
    async with connect(ws_url(endpoint, "errors", key()), subprotocols=protocols(enc)) as ws:
        init = await recv(ws, enc)
        assert isinstance(init, Init)
        await send(ws, enc, ActionRequest(3, "failUser", ["over-ws"]))
        err = await recv(ws, enc)
        assert isinstance(err, Error)
        assert (err.group, err.code, err.message, err.metadata, err.action_id) == (
            "user",
            "custom_code",
            "user error: over-ws",
            {"n": 42, "reason": "over-ws"},
            3,
        )
        assert err.actor is not None and err.actor.actor_id == init.actor_id
        await send(ws, enc, ActionRequest(4, "failInternal", []))
        err = await recv(ws, enc)
        assert isinstance(err, Error)
        assert (err.group, err.code, err.message, err.metadata, err.action_id) == (
            "rivetkit",
            "internal_error",
            "An internal error occurred",
            None,
            4,
        )
        await send(ws, enc, ActionRequest(5, "noSuchAction", []))
        err = await recv(ws, enc)
        assert isinstance(err, Error) and (err.code, err.message, err.action_id) == (
            "action_not_found",
            "Action `noSuchAction` was not found.",
            5,
        )
        # the socket is still usable
        await send(ws, enc, ActionRequest(6, "failPlain", []))
        err = await recv(ws, enc)
        assert isinstance(err, Error) and err.code == "user_error"


async def test_json_error_bytes(endpoint: str) -> None:
    async with connect(ws_url(endpoint, "errors", key()), subprotocols=protocols("json")) as ws:
        init = json.loads(await ws.recv())["body"]["val"]
        await ws.send(
            '{"body":{"tag":"ActionRequest","val":{"id":["$BigInt","4"],"name":"failInternal","args":[]}}}'
        )
        frame = await ws.recv()
        assert isinstance(frame, str)
        k = json.loads(frame)["body"]["val"]["actor"]["key"]
        actor_id = init["actorId"]
        assert frame == (
            '{"body":{"tag":"Error","val":{"actionId":["$BigInt","4"],"actor":{"actorId":'
            f'"{actor_id}","generation":1,"key":"{k}"}},"code":"internal_error",'
            '"group":"rivetkit","message":"An internal error occurred"}}}'
        )


@pytest.mark.parametrize("enc", ENCODINGS)
async def test_guarded_rejection(endpoint: str, enc: str) -> None:
    async with connect(
        ws_url(endpoint, "guarded", key()), subprotocols=protocols(enc, {"authToken": "bad"})
    ) as ws:
        err = await recv(ws, enc)
        assert isinstance(err, Error)
        assert (err.group, err.code, err.message, err.metadata, err.action_id, err.actor) == (
            "user",
            "unauthorized",
            "invalid auth token",
            {"got": "bad"},
            None,
            None,
        )
        assert await closed(ws) == (1011, "user.unauthorized")


async def test_guarded_rejection_json_bytes(endpoint: str) -> None:
    async with connect(ws_url(endpoint, "guarded", key()), subprotocols=protocols("json")) as ws:
        assert await ws.recv() == (
            '{"body":{"tag":"Error","val":{"actionId":null,"code":"unauthorized","group":"user",'
            '"message":"invalid auth token","metadata":{"got":null}}}}'
        )
        assert await closed(ws) == (1011, "user.unauthorized")


async def test_guarded_accepted(endpoint: str) -> None:
    params = {"authToken": "good-token", "user": "conn-user"}
    async with connect(
        ws_url(endpoint, "guarded", key()), subprotocols=protocols("cbor", params)
    ) as ws:
        assert isinstance(await recv(ws, "cbor"), Init)
        await send(ws, "cbor", ActionRequest(0, "whoami", []))
        assert await recv(ws, "cbor") == ActionResponse(
            0, {"user": "u1", "authToken": "good-token"}
        )


@pytest.mark.parametrize(
    ("enc", "frame"),
    [
        ("json", "{oops"),
        ("json", '{"body":{"tag":"Bogus","val":{}}}'),
        ("json", '{"body":{"tag":"ActionRequest","val":{"id":1,"name":"getCount"}}}'),
        ("cbor", '{"body":{"tag":"ActionRequest","val":{"id":1,"name":"getCount","args":[]}}}'),
        # CBOR byte string in args: rejected like RivetKit
        (
            "cbor",
            bytes.fromhex(
                "a164626f6479a263746167 6d416374696f6e52657175657374 6376616c"
                "a3626964 00 646e616d65 6465636 86f 6461726773 81 43010203".replace(" ", "")
            ),
        ),
        ("bare", b"\x04\x00\x07"),
        ("bare", "text in bare"),
    ],
)
async def test_malformed_frames_close_invalid_request(
    endpoint: str, enc: str, frame: str | bytes
) -> None:
    k = key()
    async with connect(ws_url(endpoint, "counter", k), subprotocols=protocols(enc)) as ws:
        await ws.recv()
        await ws.send(frame)
        assert await closed(ws) == (1011, "actor.invalid_request")
    # the actor and server are fine afterwards
    async with connect(ws_url(endpoint, "counter", k), subprotocols=protocols(enc)) as ws:
        assert isinstance(await recv(ws, enc), Init)


async def test_unsupported_encoding(endpoint: str) -> None:
    async with connect(ws_url(endpoint, "counter", key()), subprotocols=protocols("msgpack")) as ws:
        assert ws.subprotocol == "rivet"
        assert await closed(ws) == (1003, "actor.unsupported_websocket_encoding")


async def test_bad_conn_params_subprotocol(endpoint: str) -> None:
    offered = [Subprotocol(p) for p in ("rivet", "rivet_encoding.json", "rivet_conn_params.%7B")]
    async with connect(ws_url(endpoint, "counter", key()), subprotocols=offered) as ws:
        assert await closed(ws) == (1011, "actor.invalid_request")


async def test_gateway_errors_close_after_101(endpoint: str) -> None:
    async with connect(
        ws_url(endpoint, "counter", key(), method="get"), subprotocols=protocols()
    ) as ws:
        code, reason = await closed(ws)
        assert code == 1011 and reason is not None and reason.startswith("actor.not_found#")
    async with connect(ws_url(endpoint, "noSuchActor", "k"), subprotocols=protocols()) as ws:
        code, reason = await closed(ws)
        assert code == 1011 and reason is not None
        assert reason.startswith("guard.actor_wake_retries_exceeded#")


async def test_incoming_limit_closes_socket(endpoint: str) -> None:
    async with connect(
        ws_url(endpoint, "counter", key()), subprotocols=protocols("json"), max_size=None
    ) as ws:
        await ws.recv()
        overhead = len(
            '{"body":{"tag":"ActionRequest","val":{"id":1,"name":"argLength","args":[""]}}}'
        )
        await ws.send(
            '{"body":{"tag":"ActionRequest","val":{"id":1,"name":"argLength","args":["'
            + "z" * (65536 - overhead)
            + '"]}}}'
        )
        assert codec_for("json").decode_to_client(await ws.recv()) == ActionResponse(
            1, 65536 - overhead
        )
        await ws.send(
            '{"body":{"tag":"ActionRequest","val":{"id":2,"name":"argLength","args":["'
            + "z" * 100_000
            + '"]}}}'
        )
        assert await closed(ws) == (1011, "message.incoming_too_long")


@pytest.mark.parametrize("enc", ENCODINGS)
async def test_outgoing_limit_keeps_socket_open(endpoint: str, enc: str) -> None:
    async with connect(
        ws_url(endpoint, "counter", key()), subprotocols=protocols(enc), max_size=None
    ) as ws:
        await recv(ws, enc)
        await send(ws, enc, ActionRequest(1, "bigString", [100_000]))
        assert await recv(ws, enc) == ActionResponse(1, "x" * 100_000)
        await send(ws, enc, ActionRequest(2, "bigString", [2_000_000]))
        err = await recv(ws, enc)
        assert isinstance(err, Error)
        assert (err.group, err.code, err.message, err.action_id, err.actor) == (
            "message",
            "outgoing_too_long",
            "Outgoing message too long",
            2,
            None,
        )
        await send(ws, enc, ActionRequest(3, "getCount", []))
        assert await recv(ws, enc) == ActionResponse(3, 0)


def test_configured_limits_and_oversized_event() -> None:
    async def scenario(endpoint: str) -> None:
        url = ws_url(endpoint, "counter", key())
        async with connect(url, subprotocols=protocols("json")) as ws:
            await ws.recv()
            await send(ws, "json", ActionRequest(1, "argLength", ["y" * 3000]))
            assert await closed(ws) == (1011, "message.incoming_too_long")
        async with connect(url, subprotocols=protocols("json")) as ws:
            await ws.recv()
            await send(ws, "json", SubscriptionRequest("direct", True))
            await send(ws, "json", ActionRequest(1, "direct", ["y" * 1500]))
            assert await closed(ws) == (1011, "message.outgoing_too_long")

    with run_in_thread(registry, max_incoming=2000, max_outgoing=1000) as endpoint:
        asyncio.run(scenario(endpoint))


async def test_subscriptions_are_per_connection(endpoint: str) -> None:
    k = key()
    url = ws_url(endpoint, "counter", k)
    async with (
        connect(url, subprotocols=protocols("json")) as a,
        connect(url, subprotocols=protocols("cbor")) as b,
    ):
        await recv(a, "json")
        await recv(b, "cbor")
        await send(a, "json", SubscriptionRequest("newCount", True))
        await send(
            a, "json", ActionRequest(0, "getCount", [])
        )  # a round trip: the subscription is in
        assert await recv(a, "json") == ActionResponse(0, 0)
        await send(b, "cbor", ActionRequest(0, "increment", [5]))
        assert await recv(b, "cbor") == ActionResponse(0, 5)  # b is not subscribed
        assert await recv(a, "json") == Event("newCount", [5])
        # an HTTP call reaches subscribed sockets too
        async with httpx.AsyncClient() as http:
            r = await http.post(
                url.replace("ws://", "http://").replace("/connect", "/action/increment")
                + "&rvt-crash-policy=sleep",
                content=b'{"args":[10]}',
            )
            assert r.content == b'{"output":15}'
        assert await recv(a, "json") == Event("newCount", [15])


async def test_live_conns_counts_http_and_sockets(endpoint: str) -> None:
    k = key()
    url = ws_url(endpoint, "counter", k)
    http_url = (
        url.replace("ws://", "http://").replace("/connect", "/action/liveConns")
        + "&rvt-crash-policy=sleep"
    )
    async with httpx.AsyncClient() as http:
        assert (await http.post(http_url, content=b"{}")).content == b'{"output":1}'
        sockets = [
            await connect(url, subprotocols=protocols("json")).__aenter__() for _ in range(4)
        ]
        try:
            for s in sockets:
                await s.recv()
            await send(sockets[0], "json", ActionRequest(0, "liveConns", []))
            assert await recv(sockets[0], "json") == ActionResponse(0, 4)
            assert (await http.post(http_url, content=b"{}")).content == b'{"output":5}'
            await sockets[0].close()
            await send(sockets[1], "json", ActionRequest(0, "liveConns", []))
            assert await recv(sockets[1], "json") == ActionResponse(0, 3)
        finally:
            for s in sockets:
                await s.close()

        async def live() -> bytes:
            return (await http.post(http_url, content=b"{}")).content

        # The server drops a closed socket's connection just after the close handshake.
        await until_async(live, lambda out: out == b'{"output":1}', "closed sockets gone")


async def test_destroy_closes_sockets(endpoint: str) -> None:
    async with httpx.AsyncClient() as http:
        created = await http.post(f"{endpoint}/actors", json={"name": "counter", "key": key()})
        actor_id = created.json()["actor"]["actor_id"]
        url = endpoint.replace("http://", "ws://") + f"/gateway/{actor_id}/connect"
        async with connect(url, subprotocols=protocols("json")) as ws:
            assert isinstance(await recv(ws, "json"), Init)
            assert (await http.delete(f"{endpoint}/actors/{actor_id}")).json() == {}
            code, reason = await closed(ws)
            assert (code, reason) == (1000, "")  # as RivetKit 2.3.19


async def test_raw_websocket_echo(endpoint: str) -> None:
    for path in ("/websocket", "/websocket/", "/websocket/some/path"):
        async with connect(
            ws_url(endpoint, "raw", key(), path), subprotocols=protocols("bare")
        ) as ws:
            await ws.send("hi")
            assert await ws.recv() == "hi"
            await ws.send(b"\x00\x01")
            assert await ws.recv() == b"\x00\x01"


async def test_garbage_does_not_take_the_server_down(endpoint: str) -> None:
    k = key()
    for junk in (
        b"\x00" * 10,
        b"\xff",
        "null",
        "[]",
        '{"body":null}',
        '{"body":{"tag":"ActionRequest","val":{"id":-1,"name":"x","args":[]}}}',
    ):
        async with connect(ws_url(endpoint, "counter", k), subprotocols=protocols("json")) as ws:
            await ws.recv()
            await ws.send(junk)
            assert (await closed(ws))[0] == 1011
    async with connect(ws_url(endpoint, "counter", k), subprotocols=protocols("json")) as ws:
        await ws.recv()
        await send(ws, "json", ActionRequest(0, "getCount", []))
        assert await recv(ws, "json") == ActionResponse(0, 0)


def test_shutdown_with_open_sockets() -> None:
    async def scenario(endpoint: str, stop: asyncio.Event) -> tuple[int | None, str | None]:
        async with connect(
            ws_url(endpoint, "counter", key()), subprotocols=protocols("json")
        ) as ws:
            assert isinstance(await recv(ws, "json"), Init)
            stop.set()
            with pytest.raises(ConnectionClosed):
                while True:
                    await asyncio.wait_for(ws.recv(), 30)
            return ws.close_code, ws.close_reason

    import threading

    box: dict[str, Any] = {}
    with run_in_thread(registry) as endpoint:
        stop = asyncio.Event()
        done = threading.Event()

        def client() -> None:
            async def main() -> None:
                task = asyncio.create_task(scenario(endpoint, stop))
                await stop.wait()
                box["ready"] = True
                done.set()
                box["close"] = await task

            asyncio.run(main())

        thread = threading.Thread(target=client)
        thread.start()
        assert done.wait(30)
    # the server is gone: the client saw a close frame (uvicorn's 1012), not a hang
    thread.join(30)
    assert box["close"][0] == 1012
