"""Malformed input: every decoder raises MalformedMessage and nothing else."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

import cbor2
import pytest

from actorbind.protocol import (
    ActionRequest,
    ActionResponse,
    ActorSpecifier,
    Error,
    Event,
    HttpQueueSendRequest,
    HttpQueueSendResponse,
    HttpResponseError,
    Init,
    SubscriptionRequest,
    codec_for,
)
from actorbind.protocol.bare import BareError, Reader, Writer
from actorbind.protocol.errors import ClientError, MalformedMessage

ENCODINGS = ("json", "cbor", "bare")
BARE = codec_for("bare")
CBOR = codec_for("cbor")
JSON = codec_for("json")

DECODERS = (
    "decode_to_server",
    "decode_to_client",
    "decode_action_request",
    "decode_action_response",
    "decode_http_error",
    "decode_queue_send",
    "decode_queue_response",
)


def _decoders(enc: str) -> list[Callable[[Any], Any]]:
    codec = codec_for(enc)
    return [getattr(codec, name) for name in DECODERS]


def test_malformed_message_is_a_value_error_and_client_error() -> None:
    assert issubclass(MalformedMessage, ValueError)
    assert issubclass(MalformedMessage, ClientError)


# --- every valid BARE message, cut at every point -----------------------------------------

SPEC = ActorSpecifier("actor-1", 3, "a/b")
TO_SERVER = [
    ActionRequest(300, "increment", [5, "x", {"k": b"\x01"}]),
    SubscriptionRequest("ev", False),
]
TO_CLIENT = [
    Init("actor-1", "conn-1"),
    Error("user", "code", "message", {"n": 42}, 7, SPEC),
    Error("user", "code", "message", None, None, None),
    Error("g", "c", "m", [1], None, ActorSpecifier("a", 0, None)),
    ActionResponse(2**40, {"out": [1, 2]}),
    Event("newCount", [6, None]),
]


def _bare_samples() -> list[tuple[str, bytes]]:
    samples = [("decode_to_server", BARE.encode_to_server(m)) for m in TO_SERVER]
    samples += [("decode_to_client", BARE.encode_to_client(m)) for m in TO_CLIENT]
    samples += [
        ("decode_action_request", BARE.encode_action_request([1, "two"])),
        ("decode_action_response", BARE.encode_action_response({"a": 1})),
        (
            "decode_http_error",
            BARE.encode_http_error(HttpResponseError("g", "c", "m", {"x": 1}, SPEC)),
        ),
        (
            "decode_queue_send",
            BARE.encode_queue_send(HttpQueueSendRequest({"b": 1}, "q", True, 1000)),
        ),
        (
            "decode_queue_response",
            BARE.encode_queue_response(HttpQueueSendResponse("completed", [1])),
        ),
    ]
    return samples


BARE_SAMPLES = _bare_samples()


@pytest.mark.parametrize(
    ("decoder", "data"), BARE_SAMPLES, ids=lambda v: v if isinstance(v, str) else ""
)
def test_bare_round_trip_of_samples(decoder: str, data: bytes) -> None:
    getattr(BARE, decoder)(data)  # the uncut message is valid


@pytest.mark.parametrize(
    ("decoder", "data"), BARE_SAMPLES, ids=lambda v: v if isinstance(v, str) else ""
)
def test_bare_truncated_at_every_cut_point(decoder: str, data: bytes) -> None:
    decode = getattr(BARE, decoder)
    for cut in range(len(data)):
        with pytest.raises(MalformedMessage):
            decode(data[:cut])


@pytest.mark.parametrize(
    ("decoder", "data"), BARE_SAMPLES, ids=lambda v: v if isinstance(v, str) else ""
)
def test_bare_trailing_bytes(decoder: str, data: bytes) -> None:
    with pytest.raises(MalformedMessage, match="trailing"):
        getattr(BARE, decoder)(data + b"\x00")


@pytest.mark.parametrize(
    ("decoder", "data"), BARE_SAMPLES, ids=lambda v: v if isinstance(v, str) else ""
)
@pytest.mark.parametrize("version", [b"\x00\x00", b"\x05\x00", b"\x00\x04", b"\xff\xff"])
def test_bare_wrong_version(decoder: str, data: bytes, version: bytes) -> None:
    with pytest.raises(MalformedMessage, match="version"):
        getattr(BARE, decoder)(version + data[2:])


def test_bare_older_versions_accepted_only_from_clients() -> None:
    frame = BARE.encode_to_server(ActionRequest(0, "a", []))
    for v in (1, 2, 3):
        old = v.to_bytes(2, "little") + frame[2:]
        assert BARE.decode_to_server(old) == ActionRequest(0, "a", [])
        assert BARE.decode_action_request(v.to_bytes(2, "little") + b"\x01\x80") == []
    init = BARE.encode_to_client(Init("a", "c"))
    with pytest.raises(MalformedMessage):
        BARE.decode_to_client(b"\x03\x00" + init[2:])
    queue = BARE.encode_queue_send(HttpQueueSendRequest(1))
    assert BARE.decode_queue_send(b"\x03\x00" + queue[2:]) == HttpQueueSendRequest(1)
    with pytest.raises(MalformedMessage):
        BARE.decode_queue_send(b"\x02\x00" + queue[2:])


@pytest.mark.parametrize("tag", [2, 3, 4, 0x7F, 0xFF])
def test_bare_unknown_to_server_tag(tag: int) -> None:
    with pytest.raises(MalformedMessage, match="unknown"):
        BARE.decode_to_server(b"\x04\x00" + bytes([tag]) + b"\x00\x01a\x01\x80")


@pytest.mark.parametrize("tag", [4, 5, 0x80, 0xFF])
def test_bare_unknown_to_client_tag(tag: int) -> None:
    with pytest.raises(MalformedMessage, match="unknown"):
        BARE.decode_to_client(b"\x04\x00" + bytes([tag]) + b"\x00\x01\x05")


def test_bare_invalid_utf8() -> None:
    with pytest.raises(MalformedMessage, match="UTF-8"):
        BARE.decode_to_client(b"\x04\x00\x00\x02\xff\xfe\x01c")
    with pytest.raises(MalformedMessage):
        BARE.decode_to_server(b"\x04\x00\x01\x01\xc3\x01")


@pytest.mark.parametrize(
    "varint",
    [
        b"\xff" * 10 + b"\x01",  # longer than 10 bytes
        b"\xff" * 9 + b"\x02",  # 2**64 (overflow)
        b"\xff" * 9 + b"\x7f",
        b"\x80" * 11,
    ],
)
def test_bare_bad_varints(varint: bytes) -> None:
    with pytest.raises(MalformedMessage):
        BARE.decode_to_client(b"\x04\x00\x02" + varint + b"\x01\x05")


def test_bare_max_varint_is_fine() -> None:
    assert BARE.decode_to_client(b"\x04\x00\x02" + b"\xff" * 9 + b"\x01" + b"\x01\x05") == (
        ActionResponse(2**64 - 1, 5)
    )


@pytest.mark.parametrize("byte", [2, 0x80, 0xFF])
def test_bare_bad_bool_and_optional(byte: int) -> None:
    with pytest.raises(MalformedMessage, match="bool"):
        BARE.decode_to_server(b"\x04\x00\x01\x01e" + bytes([byte]))
    # Error.metadata optional flag
    with pytest.raises(MalformedMessage, match="optional"):
        BARE.decode_to_client(b"\x04\x00\x01\x01g\x01c\x01m" + bytes([byte]))


def test_bare_data_length_past_end() -> None:
    with pytest.raises(MalformedMessage, match="truncated"):
        BARE.decode_action_response(b"\x04\x00\xff\xff\xff\x0f\x05")


@pytest.mark.parametrize(
    "blob",
    [b"", b"\xff", b"\x1c", b"\x5f", b"\x81", b"\x05\x05", b"\xa1\x01", b"\x7f\x61"],
)
def test_bare_bad_cbor_blob(blob: bytes) -> None:
    data = b"\x04\x00" + bytes([len(blob)]) + blob
    with pytest.raises(MalformedMessage):
        BARE.decode_action_response(data)


def test_bare_text_frame() -> None:
    with pytest.raises(MalformedMessage, match="text frame"):
        BARE.decode_to_client("\x04\x00\x00\x01a\x01c")
    with pytest.raises(MalformedMessage, match="text frame"):
        BARE.decode_to_server("hello")


def test_bare_accepts_bytearray_and_memoryview() -> None:
    data = BARE.encode_to_client(Init("a", "c"))
    assert BARE.decode_to_client(bytearray(data)) == Init("a", "c")  # type: ignore[arg-type]
    assert BARE.decode_to_client(memoryview(data)) == Init("a", "c")  # type: ignore[arg-type]


# --- bare Reader / Writer ------------------------------------------------------------------


def test_reader_writer_primitives() -> None:
    w = Writer()
    w.u8(7)
    w.u16(0x1234)
    w.u64(2**64 - 1)
    w.uint(0)
    w.uint(127)
    w.uint(128)
    w.data(b"xy")
    w.optional_present(True)
    w.optional_present(False)
    data = w.getvalue()
    assert data.hex() == "07" + "3412" + "ff" * 8 + "00" + "7f" + "8001" + "027879" + "01" + "00"
    r = Reader(data)
    assert [r.u8(), r.u16(), r.u64(), r.uint(), r.uint(), r.uint(), r.data()] == [
        7,
        0x1234,
        2**64 - 1,
        0,
        127,
        128,
        b"xy",
    ]
    assert r.optional() is True
    assert r.optional() is False
    r.end()
    with pytest.raises(BareError):
        r.u8()


@pytest.mark.parametrize("value", [-1, 2**64])
def test_writer_uint_range(value: int) -> None:
    with pytest.raises(BareError, match="out of range"):
        Writer().uint(value)


def test_bare_error_is_value_error() -> None:
    assert issubclass(BareError, ValueError)


# --- cbor ---------------------------------------------------------------------------------


def _cbor_frame(body: Any) -> bytes:
    return cbor2.dumps(body)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\xff",
        b"\xa1",
        b"\x18",
        b"\x9f",
        b"\x5f\x41",
        b"\x7b" + b"\xff" * 8,  # string of 2**64-1 bytes
        cbor2.dumps({"body": {"tag": "Init", "val": {"actorId": "a", "connectionId": "c"}}})
        + b"\x00",
        cbor2.dumps([1, 2]),
        cbor2.dumps({"body": 1}),
        cbor2.dumps({"body": {"tag": 5, "val": {}}}),
        cbor2.dumps({"body": {"tag": "Init"}}),
        cbor2.dumps({"body": {"tag": "Init", "val": {"actorId": b"a", "connectionId": "c"}}}),
        cbor2.dumps({"body": {"tag": "Nope", "val": {}}}),
        cbor2.dumps({"body": {"tag": "ActionResponse", "val": {"id": -1, "output": 1}}}),
        cbor2.dumps({"body": {"tag": "ActionResponse", "val": {"id": 2**64, "output": 1}}}),
        cbor2.dumps({"body": {"tag": "ActionResponse", "val": {"id": "1", "output": 1}}}),
        cbor2.dumps({"body": {"tag": "ActionResponse", "val": {"id": True, "output": 1}}}),
        cbor2.dumps({"body": {"tag": "ActionResponse", "val": {"output": 1}}}),
        cbor2.dumps({"body": {"tag": "Event", "val": {"args": []}}}),
        cbor2.dumps({"body": {"tag": "Error", "val": {"group": "g", "code": "c"}}}),
        cbor2.dumps(
            {
                "body": {
                    "tag": "Error",
                    "val": {"group": "g", "code": "c", "message": "m", "actionId": "x"},
                }
            }
        ),
        cbor2.dumps(
            {
                "body": {
                    "tag": "Error",
                    "val": {"group": "g", "code": "c", "message": "m", "actor": {"generation": 1}},
                }
            }
        ),
        cbor2.dumps(
            {
                "body": {
                    "tag": "Error",
                    "val": {"group": "g", "code": "c", "message": "m", "actor": 5},
                }
            }
        ),
        b"\x61\xff",  # invalid UTF-8 text string
    ],
)
def test_cbor_malformed_to_client(data: bytes) -> None:
    with pytest.raises(MalformedMessage):
        CBOR.decode_to_client(data)


@pytest.mark.parametrize(
    "val",
    [
        {"id": 0, "name": "a"},  # missing args
        {"id": 0, "args": []},  # missing name
        {"name": "a", "args": []},  # missing id
        {"id": 0, "name": 5, "args": []},
        {"id": 0.5, "name": "a", "args": []},
    ],
)
def test_cbor_malformed_action_request(val: dict[str, Any]) -> None:
    data = cbor2.dumps({"body": {"tag": "ActionRequest", "val": val}})
    with pytest.raises(MalformedMessage):
        CBOR.decode_to_server(data)


def test_cbor_malformed_subscription() -> None:
    for val in ({"eventName": "e"}, {"eventName": "e", "subscribe": 1}, {"subscribe": True}):
        data = cbor2.dumps({"body": {"tag": "SubscriptionRequest", "val": val}})
        with pytest.raises(MalformedMessage):
            CBOR.decode_to_server(data)
    with pytest.raises(MalformedMessage, match="unknown"):
        CBOR.decode_to_server(cbor2.dumps({"body": {"tag": "Init", "val": {}}}))


def test_cbor_in_a_text_frame() -> None:
    with pytest.raises(MalformedMessage, match="text frame"):
        CBOR.decode_to_client("\xa1dbody")
    with pytest.raises(MalformedMessage, match="text frame"):
        CBOR.decode_to_server("{}")


def test_cbor_trailing_bytes() -> None:
    good = CBOR.encode_to_client(ActionResponse(1, 2))
    assert CBOR.decode_to_client(good) == ActionResponse(1, 2)
    with pytest.raises(MalformedMessage, match="trailing"):
        CBOR.decode_to_client(good + b"\xf6")
    with pytest.raises(MalformedMessage, match="trailing"):
        CBOR.decode_action_response(cbor2.dumps({"output": 1}) + b"\x01")
    with pytest.raises(MalformedMessage, match="trailing"):
        BARE.decode_action_response(b"\x04\x00\x02\x05\x05")


def test_json_in_binary_frame_is_accepted() -> None:
    data = JSON.encode_to_client(Init("a", "c"))
    assert isinstance(data, str)
    assert JSON.decode_to_client(data.encode()) == Init("a", "c")


# --- json ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "{",
        "null",
        "[]",
        '"body"',
        '{"body":null}',
        '{"body":{"val":{}}}',  # missing tag
        '{"body":{"tag":null,"val":{}}}',
        '{"body":{"tag":"Init","val":[]}}',
        '{"body":{"tag":"Init","val":{"actorId":1,"connectionId":"c"}}}',
        '{"body":{"tag":"Unknown","val":{}}}',
        '{"body":{"tag":"ActionResponse","val":{"id":["$BigInt","x"],"output":1}}}',
        '{"body":{"tag":"ActionResponse","val":{"id":["$BigInt","-1"],"output":1}}}',
        '{"body":{"tag":"ActionResponse","val":{"id":["$Set",[1]],"output":1}}}',
        '{"body":{"tag":"ActionResponse","val":{"id":1.5,"output":1}}}',
        '{"body":{"tag":"ActionResponse","val":{"id":"1","output":1}}}',
        '{"body":{"tag":"ActionResponse","val":{"id":[1,2,3],"output":1}}}',
        '{"body":{"tag":"ActionResponse","val":{"id":1,"output":NaN}}}',
        '{"body":{"tag":"ActionResponse","val":{"id":1,"output":Infinity}}}',
        '{"body":{"tag":"Error","val":{"group":"g","code":"c","message":5,"actionId":null}}}',
        '{"body":{"tag":"Error","val":{"group":"g","code":"c","message":"m","actionId":"3"}}}',
        '{"body":{"tag":"Event","val":{"name":null,"args":[]}}}',
        '{"body":{"tag":"Event","val":{"name":"e","args":["$Nope",1]}}}',
        "\ud800",
    ],
)
def test_json_malformed_to_client(text: str) -> None:
    with pytest.raises(MalformedMessage):
        JSON.decode_to_client(text)


def test_json_invalid_utf8_bytes() -> None:
    with pytest.raises(MalformedMessage):
        JSON.decode_to_client(
            b'{"body":{"tag":"Init","val":{"actorId":"\xff","connectionId":"c"}}}'
        )


@pytest.mark.parametrize(
    "text",
    [
        '{"body":{"tag":"ActionRequest","val":{"id":0,"name":"x"}}}',  # missing args
        '{"body":{"tag":"ActionRequest","val":{"id":-1,"name":"x","args":[]}}}',
        '{"body":{"tag":"ActionRequest","val":{"id":true,"name":"x","args":[]}}}',
        '{"body":{"tag":"ActionRequest","val":{"id":0,"name":["x"],"args":[]}}}',
        '{"body":{"tag":"SubscriptionRequest","val":{"eventName":"e","subscribe":"yes"}}}',
        '{"body":{"tag":"SubscriptionRequest","val":{"eventName":"e"}}}',
        '{"body":{"tag":"Init","val":{"actorId":"a","connectionId":"c"}}}',
        '{"body":{"tag":"ActionRequest","val":null}}',
        '{"body":{"tag":["ActionRequest"],"val":{}}}',
        "[" * 100000,
    ],
)
def test_json_malformed_to_server(text: str) -> None:
    with pytest.raises(MalformedMessage):
        JSON.decode_to_server(text)


@pytest.mark.parametrize("enc", ["json", "cbor"])
def test_http_bodies_with_wrong_shapes(enc: str) -> None:
    codec = codec_for(enc)

    def dump(tree: Any) -> bytes:
        return json.dumps(tree).encode() if enc == "json" else cbor2.dumps(tree)

    for tree in ([1], "x", 5, None):
        with pytest.raises(MalformedMessage):
            codec.decode_action_request(dump(tree))
        with pytest.raises(MalformedMessage):
            codec.decode_action_response(dump(tree))
        with pytest.raises(MalformedMessage):
            codec.decode_http_error(dump(tree))
        with pytest.raises(MalformedMessage):
            codec.decode_queue_send(dump(tree))
        with pytest.raises(MalformedMessage):
            codec.decode_queue_response(dump(tree))
    for bad in ({"group": "g", "code": "c"}, {"group": 1, "code": "c", "message": "m"}):
        with pytest.raises(MalformedMessage):
            codec.decode_http_error(dump(bad))
    for bad_queue in (
        {"body": 1, "name": 5},
        {"body": 1, "wait": "yes"},
        {"body": 1, "timeout": -1},
        {"body": 1, "timeout": "5"},
    ):
        with pytest.raises(MalformedMessage):
            codec.decode_queue_send(dump(bad_queue))
    with pytest.raises(MalformedMessage):
        codec.decode_queue_response(dump({"status": 1}))


# --- random garbage -----------------------------------------------------------------------


def _mutations(rng: random.Random, seeds: list[bytes], count: int) -> list[bytes]:
    out = []
    for _ in range(count):
        kind = rng.randrange(4)
        if kind == 0 or not seeds:
            out.append(bytes(rng.randrange(256) for _ in range(rng.randrange(0, 40))))
            continue
        data = bytearray(rng.choice(seeds))
        if kind == 1 and data:  # flip bytes
            for _ in range(rng.randrange(1, 4)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        elif kind == 2:  # insert bytes
            pos = rng.randrange(len(data) + 1)
            data[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 4)))
        elif data:  # delete a slice
            pos = rng.randrange(len(data))
            del data[pos : pos + rng.randrange(1, 4)]
        out.append(bytes(data))
    return out


def _seeds(enc: str) -> list[bytes]:
    codec = codec_for(enc)
    seeds: list[bytes] = []
    for msg in TO_SERVER:
        frame = codec.encode_to_server(msg)
        seeds.append(frame.encode() if isinstance(frame, str) else frame)
    for cmsg in TO_CLIENT:
        frame = codec.encode_to_client(cmsg)
        seeds.append(frame.encode() if isinstance(frame, str) else frame)
    seeds.append(codec.encode_action_request([1, b"x", {"a": 2**60}]))
    seeds.append(codec.encode_http_error(HttpResponseError("g", "c", "m", {"x": 1}, SPEC)))
    seeds.append(codec.encode_queue_send(HttpQueueSendRequest({"b": 1}, "q", True, 5)))
    return seeds


@pytest.mark.parametrize("enc", ENCODINGS)
def test_random_garbage_only_raises_malformed(enc: str) -> None:
    rng = random.Random(f"actorbind-{enc}")
    decoders = _decoders(enc)
    inputs = _mutations(rng, _seeds(enc), 3000)
    accepted = 0
    for data in inputs:
        for decode in decoders:
            try:
                decode(data)
            except MalformedMessage:
                continue
            except Exception as exc:  # pragma: no cover - the failure we look for
                pytest.fail(f"{decode.__name__}({data!r}) raised {type(exc).__name__}: {exc}")
            accepted += 1
    assert accepted < len(inputs) * len(decoders)


@pytest.mark.parametrize("enc", ["json", "cbor"])
def test_random_garbage_text_frames(enc: str) -> None:
    rng = random.Random(f"text-{enc}")
    codec = codec_for(enc)
    alphabet = '{}[]":,0123456789.-eEtrufalsn \\$BigInt body tag val Init'
    for _ in range(1500):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 60)))
        for decode in (codec.decode_to_client, codec.decode_to_server):
            try:
                decode(text)
            except MalformedMessage:
                pass
