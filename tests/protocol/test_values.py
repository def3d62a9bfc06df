"""The JSON-compat value layer (rivetkit-protocol.md §2.5, WIRE.md §6)."""

from __future__ import annotations

import math
import pickle
from collections import OrderedDict
from typing import Any

import pytest

from actorbind.protocol import (
    MAX_SAFE_INTEGER,
    UNDEFINED,
    ActionResponse,
    Undefined,
    codec_for,
    from_compat,
    to_compat,
)
from actorbind.protocol.errors import MalformedMessage

ENCODINGS = ("json", "cbor", "bare")


# --- to_compat ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "wire"),
    [
        (None, None),
        (True, True),
        (False, False),
        (0, 0),
        (-5, -5),
        (1.5, 1.5),
        ("s", "s"),
        (MAX_SAFE_INTEGER, MAX_SAFE_INTEGER),
        (-MAX_SAFE_INTEGER, -MAX_SAFE_INTEGER),
        (MAX_SAFE_INTEGER + 1, ["$BigInt", str(MAX_SAFE_INTEGER + 1)]),
        (-MAX_SAFE_INTEGER - 1, ["$BigInt", str(-MAX_SAFE_INTEGER - 1)]),
        (12345678901234567890, ["$BigInt", "12345678901234567890"]),
        (b"\x01\x02\x03", ["$Uint8Array", "AQID"]),
        (bytearray(b"\x00\x01\x02\x03"), ["$Uint8Array", "AAECAw=="]),
        (memoryview(b"ab"), ["$Uint8Array", "YWI="]),
        (b"", ["$Uint8Array", ""]),
        (UNDEFINED, ["$Undefined", 0]),
        ({1}, ["$Set", [1]]),
        (frozenset(), ["$Set", []]),
        (["$x", 1], ["$$x", 1]),
        (("$x", 1), ["$$x", 1]),
        (["$$x", 1], ["$$$x", 1]),
        (["$x", 1, 2], ["$x", 1, 2]),  # only 2-item lists look like tags
        (["x", 1], ["x", 1]),
        ([1, "$x"], [1, "$x"]),
        (["$", 1], ["$$", 1]),
        (
            {"a": [b"\x01", {"b": UNDEFINED}]},
            {"a": [["$Uint8Array", "AQ=="], {"b": ["$Undefined", 0]}]},
        ),
        (OrderedDict(a=1), {"a": 1}),
    ],
)
def test_to_compat(value: Any, wire: Any) -> None:
    assert to_compat(value) == wire


def test_to_compat_bool_stays_bool() -> None:
    assert to_compat(True) is True
    assert type(to_compat([True])[0]) is bool


def test_to_compat_int_subclass_becomes_int() -> None:
    import enum

    class Color(enum.IntEnum):
        RED = 1

    assert type(to_compat(Color.RED)) is int


@pytest.mark.parametrize("bad", [object(), 1j, type, print, ...])
def test_to_compat_unsupported_types(bad: Any) -> None:
    with pytest.raises(TypeError, match="cannot be sent"):
        to_compat(bad)
    with pytest.raises(TypeError):
        to_compat({"nested": [bad]})


@pytest.mark.parametrize("key", [1, None, (1, 2), b"k", 1.5])
def test_to_compat_non_str_dict_keys(key: Any) -> None:
    with pytest.raises(TypeError, match="dict keys must be str"):
        to_compat({key: 1})


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_nan_and_infinity(value: float) -> None:
    result = to_compat(value)  # allowed by default (cbor, bare can carry them)
    assert result == value or math.isnan(result)
    with pytest.raises(ValueError, match="json"):
        to_compat(value, allow_nan=False)
    with pytest.raises(ValueError):
        to_compat([{"x": value}], allow_nan=False)
    with pytest.raises(ValueError):
        codec_for("json").encode_action_request([value])


@pytest.mark.parametrize("enc", ["cbor", "bare"])
def test_nan_travels_in_binary_encodings(enc: str) -> None:
    codec = codec_for(enc)
    out = codec.decode_action_request(codec.encode_action_request([math.inf, math.nan]))
    assert out[0] == math.inf and math.isnan(out[1])


def _nest(depth: int, leaf: Any = 1) -> Any:
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


def test_depth_limit_encode() -> None:
    to_compat(_nest(256))
    with pytest.raises(ValueError, match="nested too deeply"):
        to_compat(_nest(257))
    deep_dict: Any = 1
    for _ in range(300):
        deep_dict = {"a": deep_dict}
    with pytest.raises(ValueError, match="nested too deeply"):
        to_compat(deep_dict)


def test_depth_limit_decode() -> None:
    assert from_compat(_nest(256)) == _nest(256)
    with pytest.raises(ValueError, match="nested too deeply"):
        from_compat(_nest(300))


@pytest.mark.parametrize("enc", ENCODINGS)
def test_deep_nesting_from_the_wire_is_malformed(enc: str) -> None:
    # Our encoder refuses it, so build the wire bytes by hand.
    codec = codec_for(enc)
    if enc == "json":
        data = b'{"output":' + b"[" * 1000 + b"]" * 1000 + b"}"
    elif enc == "cbor":
        data = b"\xa1\x66output" + b"\x81" * 1000 + b"\x80"
    else:
        blob = b"\x81" * 1000 + b"\x80"
        data = b"\x04\x00" + bytes([0x80 | (len(blob) & 0x7F), len(blob) >> 7]) + blob
    with pytest.raises(MalformedMessage):
        codec.decode_action_response(data)


# --- from_compat ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wire", "value"),
    [
        (["$BigInt", "12345678901234567890"], 12345678901234567890),
        (["$BigInt", "-5"], -5),
        (["$Uint8Array", "AAECAw=="], b"\x00\x01\x02\x03"),
        (["$ArrayBuffer", "AQID"], b"\x01\x02\x03"),
        (["$Undefined", 0], None),
        ([["$Undefined", 0], 1], [None, 1]),
        ({"a": ["$Undefined", 0], "b": 1}, {"b": 1}),
        (["$Set", [1, 2, 2]], {1, 2}),
        (["$Set", [[1], [2]]], [[1], [2]]),  # unhashable items: a list
        (["$Set", [["$Undefined", 0]]], {None}),
        (["$$x", 1], ["$x", 1]),
        (["$$$x", ["$BigInt", "9007199254740993"]], ["$$x", 9007199254740993]),
        (["x", 1], ["x", 1]),
        ([1, "$x"], [1, "$x"]),
        ({"k": {"n": [1, {"m": None}]}}, {"k": {"n": [1, {"m": None}]}}),
    ],
)
def test_from_compat(wire: Any, value: Any) -> None:
    assert from_compat(wire) == value


@pytest.mark.parametrize(
    "wire",
    [
        ["$Unknown", 1],
        ["$Map", []],
        ["$Date", "2020"],
        ["$BigInt", 5],
        ["$BigInt", "12x"],
        ["$BigInt", "9" * 5000],
        ["$Uint8Array", 5],
        ["$Uint8Array", "not base64!"],
        ["$ArrayBuffer", "AQI"],  # bad padding
        ["$Set", "abc"],
        ["$Set", {"a": 1}],
        {"x": [1, ["$Nope", 0]]},
    ],
)
def test_from_compat_malformed(wire: Any) -> None:
    with pytest.raises(ValueError):
        from_compat(wire)


@pytest.mark.parametrize("enc", ENCODINGS)
@pytest.mark.parametrize(
    "output",
    [
        ["$Unknown", 1],
        ["$BigInt", "x"],
        ["$Uint8Array", "%%%"],
        ["$Set", 1],
    ],
)
def test_bad_tags_on_the_wire_are_malformed(enc: str, output: Any) -> None:
    import json

    import cbor2

    codec = codec_for(enc)
    if enc == "json":
        data = json.dumps({"output": output}).encode()
    elif enc == "cbor":
        data = cbor2.dumps({"output": output})
    else:
        blob = cbor2.dumps(output)
        data = b"\x04\x00" + bytes([len(blob)]) + blob
    with pytest.raises(MalformedMessage):
        codec.decode_action_response(data)


# --- round trips ----------------------------------------------------------------------------

ROUND_TRIP = [
    None,
    True,
    0,
    -1,
    2**53 - 1,
    2**53,
    -(2**53),
    2**64,
    -(2**100),
    1.25,
    "",
    "héllo ✓ \x00 𝄞",
    b"",
    b"\x00\xff" * 10,
    [],
    {},
    [1, [2, [3]]],
    {"a": {"b": {"c": [b"x", 2**60]}}},
    {1, 2, 3},
    frozenset({"a"}),
    ["$x", 1],
    ["$$x", ["$y", 2]],
    ["$BigInt", "5"],  # a user list that looks like a tag
    ["$Uint8Array", "AQID"],
    {"$BigInt": "5"},
    [["$x", 1], ["$y", 2]],
]


def _python_equal(value: Any) -> Any:
    """What a value is expected to come back as (tuples become lists, bytearrays bytes)."""
    if isinstance(value, frozenset):
        return set(value)
    return value


@pytest.mark.parametrize("value", ROUND_TRIP, ids=repr)
def test_round_trip_tree(value: Any) -> None:
    assert from_compat(to_compat(value)) == _python_equal(value)


@pytest.mark.parametrize("enc", ENCODINGS)
@pytest.mark.parametrize("value", ROUND_TRIP, ids=repr)
def test_round_trip_through_every_codec(enc: str, value: Any) -> None:
    codec = codec_for(enc)
    assert codec.decode_action_response(codec.encode_action_response(value)) == _python_equal(value)
    assert (
        codec.decode_action_request(codec.encode_action_request([value, value]))
        == [_python_equal(value)] * 2
    )
    frame = codec.encode_to_client(ActionResponse(1, value))
    assert codec.decode_to_client(frame) == ActionResponse(1, _python_equal(value))


@pytest.mark.parametrize("enc", ENCODINGS)
def test_bigint_both_ways_on_the_wire(enc: str) -> None:
    import json

    import cbor2

    codec = codec_for(enc)
    data = codec.encode_action_request([12345678901234567890, 5])
    if enc == "json":
        tree = json.loads(data)["args"]
    elif enc == "cbor":
        tree = cbor2.loads(data)["args"]
    else:
        tree = cbor2.loads(data[3:])
    assert tree == [["$BigInt", "12345678901234567890"], 5]
    assert codec.decode_action_request(data) == [12345678901234567890, 5]


def test_undefined_in_dict_drops_key_and_in_list_is_none() -> None:
    for enc in ENCODINGS:
        codec = codec_for(enc)
        out = codec.decode_action_response(
            codec.encode_action_response({"a": UNDEFINED, "b": [UNDEFINED, 1]})
        )
        assert out == {"b": [None, 1]}
        assert codec.decode_action_response(codec.encode_action_response(UNDEFINED)) is None


def test_undefined_singleton() -> None:
    assert Undefined() is UNDEFINED
    assert repr(UNDEFINED) == "UNDEFINED"
    assert not UNDEFINED
    assert pickle.loads(pickle.dumps(UNDEFINED)) is UNDEFINED


def test_to_compat_does_not_mutate_input() -> None:
    value = {"a": ["$x", 1], "b": [b"\x01"]}
    to_compat(value)
    assert value == {"a": ["$x", 1], "b": [b"\x01"]}
