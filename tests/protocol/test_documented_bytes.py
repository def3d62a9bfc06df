"""The byte examples written out in rivetkit-protocol.md §3.2 and WIRE.md §4/§5."""

from __future__ import annotations

import json

import cbor2
import pytest

from actorbind.protocol import (
    BARE_VERSION,
    ActionRequest,
    ActionResponse,
    ActorSpecifier,
    Error,
    Event,
    HttpResponseError,
    Init,
    SubscriptionRequest,
    codec_for,
)

BARE = codec_for("bare")
CBOR = codec_for("cbor")
JSON = codec_for("json")


def h(text: str) -> bytes:
    return bytes.fromhex(text.replace(" ", ""))


# rivetkit-protocol.md §3.2 "Verified bytes"
TO_SERVER_BARE = [
    (ActionRequest(0, "increment", [5]), "04 00 00 00 09 69 6e 63 72 65 6d 65 6e 74 02 81 05"),
    (SubscriptionRequest("newCount", True), "04 00 01 08 6e 65 77 43 6f 75 6e 74 01"),
]
TO_CLIENT_BARE = [
    (Init("a1", "c1"), "04 00 00 02 61 31 02 63 31"),
    (ActionResponse(0, 5), "04 00 02 00 01 05"),
    (Event("newCount", [5]), "04 00 03 08 6e 65 77 43 6f 75 6e 74 02 81 05"),
    (Error("user", "x", "m", None, 0, None), "04 00 01 04 75 73 65 72 01 78 01 6d 00 01 00 00"),
]


@pytest.mark.parametrize(("msg", "hexbytes"), TO_SERVER_BARE)
def test_verified_bare_to_server(msg: ActionRequest | SubscriptionRequest, hexbytes: str) -> None:
    assert BARE.encode_to_server(msg) == h(hexbytes)
    assert BARE.decode_to_server(h(hexbytes)) == msg


@pytest.mark.parametrize(("msg", "hexbytes"), TO_CLIENT_BARE)
def test_verified_bare_to_client(msg: Init | ActionResponse | Event | Error, hexbytes: str) -> None:
    assert BARE.encode_to_client(msg) == h(hexbytes)
    assert BARE.decode_to_client(h(hexbytes)) == msg


def test_bare_version_prefix() -> None:
    assert BARE_VERSION == 4
    for msg, _ in TO_CLIENT_BARE:
        assert BARE.encode_to_client(msg)[:2] == b"\x04\x00"


def test_bare_uint_is_leb128() -> None:
    # 300 -> ac 02
    assert BARE.encode_to_client(ActionResponse(300, 5)) == h("04 00 02 ac 02 01 05")
    assert BARE.decode_to_client(h("04 00 02 ac 02 01 05")) == ActionResponse(300, 5)
    big = 2**64 - 1
    encoded = BARE.encode_to_client(ActionResponse(big, None))
    assert encoded == h("04 00 02") + b"\xff" * 9 + b"\x01" + h("01 f6")
    assert BARE.decode_to_client(encoded) == ActionResponse(big, None)


# WIRE.md §4: HTTP action bodies for increment(5) -> 5
def test_wire_http_bodies() -> None:
    assert json.loads(JSON.encode_action_request([5])) == {"args": [5]}
    assert JSON.encode_action_request([5]) == b'{"args":[5]}'
    assert JSON.decode_action_response(b'{"output":5}') == 5
    # cbor: the TS client writes b9 0001 ("args") 81 05; the server answers a1 66 "output" 05
    assert CBOR.decode_action_request(h("b9 0001 64 61726773 81 05")) == [5]
    assert CBOR.encode_action_request([5]) == h("a1 64 61726773 81 05")
    assert CBOR.encode_action_response(5) == h("a1 66 6f7574707574 05")
    assert CBOR.decode_action_response(h("a1 66 6f7574707574 05")) == 5
    # bare: 04 00 + data(cbor [5]); response 04 00 + data(cbor 5)
    assert BARE.encode_action_request([5]) == h("04 00 02 81 05")
    assert BARE.decode_action_request(h("04 00 02 81 05")) == [5]
    assert BARE.encode_action_response(5) == h("04 00 01 05")
    assert BARE.decode_action_response(h("04 00 01 05")) == 5


def test_json_server_accepts_missing_args_and_lone_values() -> None:
    assert JSON.decode_action_request(b"{}") == []
    assert JSON.decode_action_request(b'{"args":null}') == []
    assert JSON.decode_action_request(b'{"args":7}') == [7]


# WIRE.md §5: the CBOR frames shown in hex
def test_wire_cbor_frames() -> None:
    sub = h(
        "b9000164626f6479b900026374616773537562736372697074696f6e526571756573746376616c"
        "b90002696576656e744e616d65686e6577436f756e7469737562736372696265f5"
    )
    assert CBOR.decode_to_server(sub) == SubscriptionRequest("newCount", True)
    act = h(
        "b9000164626f6479b90002637461676d416374696f6e526571756573746376616c"
        "b900036269641b0000000000000000646e616d6569696e6372656d656e7464617267738101"
    )
    assert CBOR.decode_to_server(act) == ActionRequest(0, "increment", [1])
    event = h(
        "a164626f6479a263746167654576656e746376616ca2646e616d65686e6577436f756e7464617267738106"
    )
    assert CBOR.decode_to_client(event) == Event("newCount", [6])
    assert CBOR.encode_to_client(Event("newCount", [6])) == event
    resp = h(
        "a164626f6479a2637461676e416374696f6e526573706f6e73656376616ca2"
        "6269641b0000000000000000666f757470757406"
    )
    assert CBOR.decode_to_client(resp) == ActionResponse(0, 6)
    assert CBOR.encode_to_client(ActionResponse(0, 6)) == resp


def test_cbor_ids_are_always_eight_bytes() -> None:
    for action_id in (0, 1, 23, 24, 255, 2**32, 2**64 - 1):
        frame = CBOR.encode_to_server(ActionRequest(action_id, "a", []))
        assert b"\x62id\x1b" + action_id.to_bytes(8, "big") in frame
        assert CBOR.decode_to_server(frame).id == action_id  # type: ignore[union-attr]
        err = CBOR.encode_to_client(Error("g", "c", "m", None, action_id))
        assert b"\x68actionId\x1b" + action_id.to_bytes(8, "big") in err


def test_cbor_accepts_any_uint_width_and_bignum_ids() -> None:
    tree = {"body": {"tag": "ActionResponse", "val": {"id": 5, "output": 1}}}
    assert CBOR.decode_to_client(cbor2.dumps(tree)) == ActionResponse(5, 1)
    # Swift sends tag-2 bignums
    bignum = cbor2.dumps(
        {
            "body": {
                "tag": "ActionRequest",
                "val": {"id": cbor2.CBORTag(2, b"\x07"), "name": "a", "args": []},
            }
        }
    )
    assert CBOR.decode_to_server(bignum) == ActionRequest(7, "a", [])


def test_wire_bare_frames() -> None:
    assert BARE.decode_to_server(h("0400 00 00 09") + b"increment" + h("02 8101")) == ActionRequest(
        0, "increment", [1]
    )
    assert BARE.decode_to_server(h("0400 01 08") + b"newCount" + h("01")) == SubscriptionRequest(
        "newCount", True
    )
    unauthorized = (
        h("0400 01 04")
        + b"user"
        + h("0c")
        + b"unauthorized"
        + h("12")
        + b"invalid auth token"
        + h("01 09 a163676f7463626164 00 00")
    )
    msg = Error("user", "unauthorized", "invalid auth token", {"got": "bad"}, None, None)
    assert BARE.decode_to_client(unauthorized) == msg
    assert BARE.encode_to_client(msg) == unauthorized
    assert BARE.decode_to_client(h("0400 02 00 01 06")) == ActionResponse(0, 6)
    assert BARE.decode_to_client(h("0400 03 08") + b"newCount" + h("02 8106")) == Event(
        "newCount", [6]
    )


def test_wire_json_transcript() -> None:
    lines = [
        '{"body":{"tag":"Init","val":{"actorId":"5rr231o8jw14f6kuzauxyog548dl00",'
        '"connectionId":"0ba95de1-f2f1-4d28-aa4c-32d86dd03d63"}}}',
        '{"body":{"tag":"Event","val":{"args":[1,"two",{"three":3}],"name":"multi"}}}',
        '{"body":{"tag":"ActionResponse","val":{"id":["$BigInt","1"],"output":true}}}',
        '{"body":{"tag":"Error","val":{"actionId":["$BigInt","3"],"actor":{"actorId":"a",'
        '"generation":1,"key":"probe-json-mwzj4dyu"},"code":"custom_code","group":"user",'
        '"message":"user error: over-ws","metadata":{"n":42,"reason":"over-ws"}}}}',
        '{"body":{"tag":"Error","val":{"actionId":null,"code":"unauthorized","group":"user",'
        '"message":"invalid auth token","metadata":{"got":"bad"}}}}',
    ]
    decoded = [JSON.decode_to_client(line) for line in lines]
    assert decoded == [
        Init("5rr231o8jw14f6kuzauxyog548dl00", "0ba95de1-f2f1-4d28-aa4c-32d86dd03d63"),
        Event("multi", [1, "two", {"three": 3}]),
        ActionResponse(1, True),
        Error(
            "user",
            "custom_code",
            "user error: over-ws",
            {"n": 42, "reason": "over-ws"},
            3,
            ActorSpecifier("a", 1, "probe-json-mwzj4dyu"),
        ),
        Error("user", "unauthorized", "invalid auth token", {"got": "bad"}, None, None),
    ]
    for line, msg in zip(lines, decoded, strict=True):
        assert json.loads(JSON.encode_to_client(msg)) == json.loads(line)


def test_json_ids_travel_as_bigint_and_plain_numbers_are_accepted() -> None:
    frame = JSON.encode_to_server(ActionRequest(0, "increment", [1]))
    assert json.loads(frame) == {
        "body": {
            "tag": "ActionRequest",
            "val": {"id": ["$BigInt", "0"], "name": "increment", "args": [1]},
        }
    }
    plain = '{"body":{"tag":"ActionRequest","val":{"id":3,"name":"x","args":[]}}}'
    assert JSON.decode_to_server(plain) == ActionRequest(3, "x", [])
    as_float = '{"body":{"tag":"ActionResponse","val":{"id":3.0,"output":null}}}'
    assert JSON.decode_to_client(as_float) == ActionResponse(3, None)
    big = JSON.encode_to_client(ActionResponse(2**64 - 1, None))
    assert json.loads(big)["body"]["val"]["id"] == ["$BigInt", str(2**64 - 1)]


def test_bare_http_error_from_capture() -> None:
    # user.unauthorized over HTTP bare (capture seq 111, actor id shortened)
    err = HttpResponseError(
        "user", "unauthorized", "invalid auth token", {"got": "bad"}, ActorSpecifier("id", 1, "k")
    )
    data = (
        h("0400 04")
        + b"user"
        + h("0c")
        + b"unauthorized"
        + h("12")
        + b"invalid auth token"
        + h("01 09 a163676f7463626164")
        + h("01 02")
        + b"id"
        + h("01 01 01")
        + b"k"
    )
    assert BARE.encode_http_error(err) == data
    assert BARE.decode_http_error(data) == err
