"""Frames the client cannot use: it fails that socket, reports it and reconnects."""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Callable
from typing import Any

import cbor2
import pytest

from actorbind import ConnectionLost, ConnStatus, MalformedMessage
from actorbind.protocol.codecs import Codec, codec_for
from actorbind.protocol.messages import ActionResponse, Error, Event, Init
from tests.client.conftest import wait_until
from tests.client.fake_server import FakeServer, Session

pytestmark = pytest.mark.usefixtures("loop_health")

BadFrame = Callable[[Codec], bytes | str]


def _bare_response() -> bytes:
    frame = codec_for("bare").encode_to_client(ActionResponse(0, {"big": "x" * 20}))
    assert isinstance(frame, bytes)
    return frame


def _cut(n: int) -> BadFrame:
    return lambda codec: _bare_response()[:n]


_RESPONSE_LEN = len(_bare_response())

# (encoding, label, bad frame). Each frame arrives while action 0 is in flight.
BAD_FRAMES: list[tuple[str, str, BadFrame]] = [
    ("json", "garbage-bytes", lambda c: b"\xff\xfe\x00\x81garbage"),
    ("json", "garbage-text", lambda c: "not json {"),
    ("json", "truncated", lambda c: str(c.encode_to_client(ActionResponse(0, 1)))[:20]),
    ("json", "not-an-object", lambda c: "[1,2,3]"),
    ("json", "nan", lambda c: '{"body":{"tag":"ActionResponse","val":{"id":0,"output":NaN}}}'),
    (
        "json",
        "id-wrong-type",
        lambda c: '{"body":{"tag":"ActionResponse","val":{"id":"zero","output":1}}}',
    ),
    ("json", "id-negative", lambda c: '{"body":{"tag":"ActionResponse","val":{"id":-1}}}'),
    ("json", "event-name-int", lambda c: '{"body":{"tag":"Event","val":{"name":5,"args":[]}}}'),
    (
        "json",
        "error-group-missing",
        lambda c: '{"body":{"tag":"Error","val":{"code":"x","message":"m","actionId":null}}}',
    ),
    ("json", "val-is-list", lambda c: '{"body":{"tag":"Init","val":[1]}}'),
    ("json", "unknown-tag", lambda c: '{"body":{"tag":"Bogus","val":{}}}'),
    ("json", "tag-not-str", lambda c: '{"body":{"tag":3,"val":{}}}'),
    (
        "cbor",
        "cbor-in-text-frame",
        lambda c: bytes(c.encode_to_client(ActionResponse(0, 1))).decode("latin-1"),  # type: ignore[arg-type]
    ),
    ("cbor", "garbage", lambda c: b"\xff\xff\xff\xff"),
    ("cbor", "truncated", lambda c: bytes(c.encode_to_client(ActionResponse(0, "abc")))[:-2]),  # type: ignore[arg-type]
    ("cbor", "trailing", lambda c: bytes(c.encode_to_client(ActionResponse(0, 1))) + b"\x00"),  # type: ignore[arg-type]
    (
        "cbor",
        "id-wrong-type",
        lambda c: cbor2.dumps({"body": {"tag": "ActionResponse", "val": {"id": "0"}}}),
    ),
    ("cbor", "unknown-tag", lambda c: cbor2.dumps({"body": {"tag": "Nope", "val": {}}})),
    ("cbor", "empty", lambda c: b""),
    ("bare", "cut-0", _cut(0)),
    ("bare", "cut-1", _cut(1)),
    ("bare", "cut-2-version-only", _cut(2)),
    ("bare", "cut-3-tag-only", _cut(3)),
    ("bare", "cut-4-id-only", _cut(4)),
    ("bare", "cut-mid-blob", _cut(_RESPONSE_LEN // 2 + 3)),
    ("bare", "cut-last-byte", _cut(_RESPONSE_LEN - 1)),
    ("bare", "trailing", lambda c: _bare_response() + b"\x00"),
    ("bare", "version-3", lambda c: b"\x03\x00" + _bare_response()[2:]),
    ("bare", "version-5", lambda c: b"\x05\x00" + _bare_response()[2:]),
    ("bare", "version-big", lambda c: b"\xff\xff" + _bare_response()[2:]),
    ("bare", "union-tag-4", lambda c: b"\x04\x00\x04" + _bare_response()[3:]),
    ("bare", "union-tag-255", lambda c: b"\x04\x00\xff"),
    ("bare", "text-frame", lambda c: "\x04\x00\x02\x00\x01\x05"),
    ("bare", "blob-not-cbor", lambda c: b"\x04\x00\x02\x00\x02\xff\xff"),
    ("bare", "bad-utf8-event-name", lambda c: b"\x04\x00\x03\x02\xff\xfe\x01\x80"),
    ("bare", "varint-overlong", lambda c: b"\x04\x00\x02" + b"\xff" * 12 + b"\x01\x05"),
]

# Well-formed frames that break the protocol, for every encoding.
VIOLATIONS: list[tuple[str, Callable[[Codec], bytes | str]]] = [
    ("unknown-action-id", lambda c: c.encode_to_client(ActionResponse(999, 1))),
    ("second-init", lambda c: c.encode_to_client(Init("actor-1", "again"))),
    ("error-unknown-action-id", lambda c: c.encode_to_client(Error("user", "x", "m", None, 77))),
]


def _bad_then_idle(bad: BadFrame) -> Callable[[Session], Any]:
    async def script(session: Session) -> None:
        await session.init()
        await session.recv_action()  # action 0 is now in flight
        await session.send_raw(bad(session.codec))

    return script


async def _check_fails_socket_and_recovers(
    make_client: Callable[..., Any], encoding: str, bad: BadFrame
) -> None:
    async with FakeServer(encoding, _bad_then_idle(bad), Session.serve) as server:
        client = make_client(server.endpoint, encoding=encoding)
        conn = client.counter.get_or_create("k").connect()
        errors: list[Exception] = []
        conn.on_error(errors.append)
        await conn.ready()
        with pytest.raises(MalformedMessage):
            await conn.action("hang")
        assert len(errors) == 1
        assert isinstance(errors[0], MalformedMessage)
        # That socket was closed by the client with a protocol-error code ...
        first = server.sessions[0]
        await wait_until(lambda: first.client_close is not None)
        assert first.client_close is not None and first.client_close[0] == 1002
        # ... and a second handshake happened, which works normally after its Init.
        assert await conn.echo(2) == [2]
        assert len(server.sessions) == 2
        assert conn.status is ConnStatus.CONNECTED
        assert server.errors == []


@pytest.mark.parametrize(
    ("encoding", "bad"),
    [pytest.param(enc, bad, id=f"{enc}-{label}") for enc, label, bad in BAD_FRAMES],
)
async def test_malformed_frame_fails_socket_and_reconnects(
    make_client: Callable[..., Any], encoding: str, bad: BadFrame
) -> None:
    await _check_fails_socket_and_recovers(make_client, encoding, bad)


@pytest.mark.parametrize(("label", "bad"), VIOLATIONS, ids=[v[0] for v in VIOLATIONS])
async def test_protocol_violation_fails_socket_and_reconnects(
    make_client: Callable[..., Any], encoding: str, label: str, bad: BadFrame
) -> None:
    await _check_fails_socket_and_recovers(make_client, encoding, bad)


@pytest.mark.parametrize(
    ("encoding", "bad"),
    [
        pytest.param("json", lambda c: "{", id="json"),
        pytest.param("cbor", lambda c: b"\xff", id="cbor"),
        pytest.param("bare", lambda c: b"\x04\x00\x00\x05ab", id="bare-truncated-init"),
    ],
)
async def test_malformed_first_frame_keeps_queued_actions(
    make_client: Callable[..., Any], encoding: str, bad: BadFrame
) -> None:
    """A bad frame before Init: the attempt fails and is retried; actions made before the
    connection was up were never sent, so they stay queued and succeed on the new socket."""

    async def bad_first(session: Session) -> None:
        await session.send_raw(bad(session.codec))

    async with FakeServer(encoding, bad_first, Session.serve) as server:
        client = make_client(server.endpoint, encoding=encoding)
        conn = client.counter.get_or_create("k").connect()
        errors: list[Exception] = []
        conn.on_error(errors.append)
        assert await conn.echo("queued") == ["queued"]
        assert [type(e) for e in errors] == [MalformedMessage]
        assert server.sessions[0].actions() == []
        assert [a.args for a in server.sessions[1].actions()] == [["queued"]]


async def test_oversize_frame_fails_socket_without_buffering_it(
    make_client: Callable[..., Any], encoding: str
) -> None:
    """A frame whose header announces 1 GiB is refused from its header alone (else the test
    would hang waiting for the body): the in-flight action fails, the client reconnects."""

    async def huge(session: Session) -> None:
        await session.init()
        await session.recv_action()
        assert session.ws.transport is not None
        opcode = 0x81 if session.codec.name == "json" else 0x82
        session.ws.transport.write(struct.pack("!BBQ", opcode, 127, 1 << 30) + b"\x00" * 64)

    async with FakeServer(encoding, huge, Session.serve) as server:
        client = make_client(server.endpoint, encoding=encoding, max_incoming_message_size=1024)
        conn = client.counter.get_or_create("k").connect()
        errors: list[Exception] = []
        conn.on_error(errors.append)
        await conn.ready()
        with pytest.raises(ConnectionLost) as info:
            await conn.action("hang")
        assert info.value.code == 1009  # "message too big", sent by the client
        assert "1024" in str(info.value)  # the reason names the limit
        assert errors and isinstance(errors[0], ConnectionLost)
        assert await conn.echo(1) == [1]
        assert len(server.sessions) == 2


async def test_oversize_real_frame(make_client: Callable[..., Any], encoding: str) -> None:
    """An actual event bigger than the limit: same outcome; smaller frames still work."""

    async def big_event(session: Session) -> None:
        await session.init()
        await session.send(Event("small", ["x" * 100]))
        await session.recv_action()
        await session.send(Event("big", ["x" * 5000]))

    async with FakeServer(encoding, big_event, Session.serve) as server:
        client = make_client(server.endpoint, encoding=encoding, max_incoming_message_size=1024)
        conn = client.counter.get_or_create("k").connect()
        small: list[Any] = []
        conn.on("small", lambda *a: small.append(a))
        await conn.ready()
        with pytest.raises(ConnectionLost) as info:
            await conn.action("hang")
        assert info.value.code == 1009
        assert small == [("x" * 100,)]
        assert await conn.echo(1) == [1]
        assert len(server.sessions) == 2


async def test_garbage_storm_does_not_wedge_the_loop(
    make_client: Callable[..., Any], encoding: str
) -> None:
    """Several bad sockets in a row, then a good one: each is retried, nothing leaks."""
    bad: Callable[[Session], Any]

    async def bad(session: Session) -> None:
        await session.send_raw(b"\x00\x01" if session.codec.binary else "}")

    async with FakeServer(encoding, bad, bad, bad, Session.serve) as server:
        client = make_client(server.endpoint, encoding=encoding)
        conn = client.counter.get_or_create("k").connect()
        errors: list[Exception] = []
        conn.on_error(errors.append)
        results = await asyncio.gather(*(conn.echo(i) for i in range(5)))
        assert results == [[i] for i in range(5)]
        assert len(errors) == 3 and all(isinstance(e, MalformedMessage) for e in errors)
        assert len(server.sessions) == 4


async def test_bad_frame_table_really_is_malformed() -> None:
    """Guard the table: each frame must fail to decode in its encoding."""
    for enc, label, bad in BAD_FRAMES:
        codec = codec_for(enc)
        with pytest.raises(MalformedMessage):
            codec.decode_to_client(bad(codec))
            pytest.fail(f"{enc}-{label} decoded")
