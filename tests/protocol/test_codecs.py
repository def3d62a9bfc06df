"""Round trips of every message type through every codec, and codec metadata."""

from __future__ import annotations

import json
from typing import Any

import cbor2
import pytest

from actorbind.protocol import (
    ENCODINGS,
    UNDEFINED,
    ActionRequest,
    ActionResponse,
    ActorSpecifier,
    BareCodec,
    CborCodec,
    Error,
    Event,
    HttpQueueSendRequest,
    HttpQueueSendResponse,
    HttpResponseError,
    Init,
    JsonCodec,
    SubscriptionRequest,
    codec_for,
)

SPEC = ActorSpecifier("actor-1", 7, "a/b\\/c")
NOKEY = ActorSpecifier("actor-2", 0, None)

TO_SERVER = [
    ActionRequest(0, "increment", [5]),
    ActionRequest(2**64 - 1, "a.b", []),
    ActionRequest(1, "ünïcode", ["$BigInt", "5"]),  # user args that look like a tag
    ActionRequest(2, "x", ["$x", 1]),
    ActionRequest(3, "x", [[1, 2], {"k": [b"\x00"]}, None, True, 2**70]),
    SubscriptionRequest("newCount", True),
    SubscriptionRequest("", False),
]
TO_CLIENT = [
    Init("actor-1", "conn-1"),
    Error("user", "custom_code", "boom", {"n": 42, "b": b"\x01"}, 3, SPEC),
    Error("user", "x", "m", None, None, None),
    Error("user", "x", "m", [1, 2], 0, NOKEY),
    Error("actor", "not_found", "", "text metadata", None, SPEC),
    ActionResponse(0, None),
    ActionResponse(5, {"deep": [{"deeper": [2**60]}]}),
    ActionResponse(2**64 - 1, "s"),
    Event("newCount", [6]),
    Event("multi", [1, "two", {"three": 3}]),
    Event("none", []),
]


@pytest.mark.parametrize("enc", ENCODINGS)
@pytest.mark.parametrize("msg", TO_SERVER, ids=repr)
def test_to_server_round_trip(enc: str, msg: Any) -> None:
    codec = codec_for(enc)
    frame = codec.encode_to_server(msg)
    assert isinstance(frame, str if enc == "json" else bytes)
    assert codec.decode_to_server(frame) == msg


@pytest.mark.parametrize("enc", ENCODINGS)
@pytest.mark.parametrize("msg", TO_CLIENT, ids=repr)
def test_to_client_round_trip(enc: str, msg: Any) -> None:
    codec = codec_for(enc)
    frame = codec.encode_to_client(msg)
    assert isinstance(frame, str if enc == "json" else bytes)
    assert codec.decode_to_client(frame) == msg


def test_json_error_shape() -> None:
    codec = codec_for("json")
    tree = json.loads(codec.encode_to_client(Error("g", "c", "m", None, None, None)))
    assert tree == {
        "body": {
            "tag": "Error",
            "val": {"group": "g", "code": "c", "message": "m", "actionId": None},
        }
    }
    tree = json.loads(codec.encode_to_client(Error("g", "c", "m", {"b": b"\x01"}, 4, NOKEY)))
    assert tree["body"]["val"] == {
        "group": "g",
        "code": "c",
        "message": "m",
        "metadata": {"b": ["$Uint8Array", "AQ=="]},
        "actionId": ["$BigInt", "4"],
        "actor": {"actorId": "actor-2", "generation": 0},
    }


def test_actor_key_of_wrong_type_is_dropped() -> None:
    text = (
        '{"body":{"tag":"Error","val":{"group":"g","code":"c","message":"m","actionId":null,'
        '"actor":{"actorId":"a","generation":1,"key":5}}}}'
    )
    msg = codec_for("json").decode_to_client(text)
    assert isinstance(msg, Error) and msg.actor == ActorSpecifier("a", 1, None)


HTTP_ERRORS = [
    HttpResponseError("actor", "not_found", "gone"),
    HttpResponseError("user", "custom_code", "boom", {"n": 42}, SPEC),
    HttpResponseError("user", "custom_code", "boom", None, NOKEY),
    HttpResponseError("user", "x", "m", UNDEFINED, None),
]


@pytest.mark.parametrize("enc", ENCODINGS)
@pytest.mark.parametrize("err", HTTP_ERRORS, ids=repr)
def test_http_error_round_trip(enc: str, err: HttpResponseError) -> None:
    codec = codec_for(enc)
    back = codec.decode_http_error(codec.encode_http_error(err))
    expected_metadata = None if err.metadata is UNDEFINED else err.metadata
    assert back == HttpResponseError(err.group, err.code, err.message, expected_metadata, err.actor)


QUEUE_SENDS = [
    HttpQueueSendRequest({"job": 1}),
    HttpQueueSendRequest([1, b"\x02"], "jobs", True, 1000),
    HttpQueueSendRequest(None, None, False, None),
    HttpQueueSendRequest("x", "q", None, 0),
    HttpQueueSendRequest(2**60, None, None, 2**64 - 1),
]


@pytest.mark.parametrize("enc", ENCODINGS)
@pytest.mark.parametrize("req", QUEUE_SENDS, ids=repr)
def test_queue_send_round_trip(enc: str, req: HttpQueueSendRequest) -> None:
    codec = codec_for(enc)
    assert codec.decode_queue_send(codec.encode_queue_send(req)) == req


@pytest.mark.parametrize("enc", ENCODINGS)
@pytest.mark.parametrize(
    "resp",
    [
        HttpQueueSendResponse("completed", {"ok": True}),
        HttpQueueSendResponse("timedOut"),
        HttpQueueSendResponse("completed", [b"\x01"]),
    ],
    ids=repr,
)
def test_queue_response_round_trip(enc: str, resp: HttpQueueSendResponse) -> None:
    codec = codec_for(enc)
    assert codec.decode_queue_response(codec.encode_queue_response(resp)) == resp


def test_queue_wire_shapes() -> None:
    req = HttpQueueSendRequest({"a": 1}, "q", True, 1000)
    assert json.loads(codec_for("json").encode_queue_send(req)) == {
        "body": {"a": 1},
        "name": "q",
        "wait": True,
        "timeout": 1000,
    }
    assert json.loads(codec_for("json").encode_queue_send(HttpQueueSendRequest(1))) == {"body": 1}
    assert cbor2.loads(codec_for("cbor").encode_queue_send(req)) == {
        "body": {"a": 1},
        "name": "q",
        "wait": True,
        "timeout": 1000,
    }
    # bare: timeout is a fixed little-endian u64
    data = codec_for("bare").encode_queue_send(req)
    assert data.startswith(b"\x04\x00")
    assert data.endswith(b"\x01" + (1000).to_bytes(8, "little"))
    resp = codec_for("bare").encode_queue_response(HttpQueueSendResponse("timedOut"))
    assert resp == b"\x04\x00\x08timedOut\x00"


def test_http_bodies_are_bytes() -> None:
    for enc in ENCODINGS:
        codec = codec_for(enc)
        for data in (
            codec.encode_action_request([1]),
            codec.encode_action_response(1),
            codec.encode_http_error(HttpResponseError("g", "c", "m")),
            codec.encode_queue_send(HttpQueueSendRequest(1)),
            codec.encode_queue_response(HttpQueueSendResponse("completed")),
        ):
            assert isinstance(data, bytes)


def test_json_output_is_compact_and_keeps_unicode() -> None:
    data = codec_for("json").encode_action_response({"k": "é ✓"})
    assert data == '{"output":{"k":"é ✓"}}'.encode()


def test_codec_for() -> None:
    assert isinstance(codec_for("json"), JsonCodec)
    assert isinstance(codec_for("cbor"), CborCodec)
    assert isinstance(codec_for("bare"), BareCodec)
    assert codec_for("json") is codec_for("json")
    assert ENCODINGS == ("json", "cbor", "bare")
    for bad in ("msgpack", "JSON", "", None, 1):
        with pytest.raises(ValueError, match="unknown encoding"):
            codec_for(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("enc", "binary", "content_type"),
    [
        ("json", False, "application/json"),
        ("cbor", True, "application/octet-stream"),
        ("bare", True, "application/octet-stream"),
    ],
)
def test_codec_attributes(enc: str, binary: bool, content_type: str) -> None:
    codec = codec_for(enc)
    assert codec.name == enc
    assert codec.binary is binary
    assert codec.content_type == content_type


def test_cbor_envelope_with_many_metadata_keys() -> None:
    # A big val map still gets a correct header when ids force the hand-written path.
    codec = codec_for("cbor")
    meta = {f"k{i}": i for i in range(300)}
    msg = Error("g", "c", "m", meta, 1, SPEC)
    assert codec.decode_to_client(codec.encode_to_client(msg)) == msg
