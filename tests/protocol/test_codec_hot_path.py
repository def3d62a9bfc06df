"""The decode shortcuts of the fan-in hot path keep every check of the full path."""

from __future__ import annotations

import json

import cbor2
import pytest

from actorbind.protocol.codecs import codec_for
from actorbind.protocol.errors import MalformedMessage
from actorbind.protocol.messages import ActionResponse, Event


def _json_event(args_json: str) -> str:
    return '{"body":{"tag":"Event","val":{"name":"tick","args":' + args_json + "}}}"


def test_json_tags_spelled_with_escapes_are_still_revived() -> None:
    codec = codec_for("json")
    msg = codec.decode_to_client(_json_event('[["\\u0024BigInt","9007199254740993"]]'))
    assert msg == Event("tick", [9007199254740993])
    assert codec.decode_to_client(_json_event('[["$Undefined",0], 1]')) == Event("tick", [None, 1])


@pytest.mark.parametrize("encoding", ["json", "cbor", "bare"])
def test_deep_values_are_rejected_on_the_event_path(encoding: str) -> None:
    codec = codec_for(encoding)
    deep: object = 1
    for _ in range(300):
        deep = [deep]
    data = codec.encode_to_client(Event("tick", [1]))
    if encoding == "json":
        data = _json_event(json.dumps([deep]))
    elif encoding == "cbor":
        data = cbor2.dumps({"body": {"tag": "Event", "val": {"name": "tick", "args": [deep]}}})
    else:
        blob = cbor2.dumps([deep])
        assert len(blob) < 0x80 * 0x80
        data = b"\x04\x00\x03\x04tick" + bytes([0x80 | len(blob) & 0x7F, len(blob) >> 7]) + blob
    with pytest.raises(MalformedMessage):
        codec.decode_to_client(data)


@pytest.mark.parametrize("encoding", ["cbor", "bare"])
def test_trailing_bytes_are_rejected_with_a_reused_decoder(encoding: str) -> None:
    codec = codec_for(encoding)
    good = codec.encode_to_client(Event("tick", [7]))
    reply = codec.encode_to_client(ActionResponse(3, {"$x": {1, 2}}))
    assert isinstance(good, bytes) and isinstance(reply, bytes)
    for _ in range(3):
        assert codec.decode_to_client(good) == Event("tick", [7])
        assert codec.decode_to_client(reply) == ActionResponse(3, {"$x": {1, 2}})
        with pytest.raises(MalformedMessage):
            codec.decode_to_client(good + b"\x00")
        big = codec.encode_to_client(Event("tick", [b"x" * 70000]))
        assert isinstance(big, bytes)
        assert codec.decode_to_client(big) == Event("tick", [b"x" * 70000])


def test_json_rejects_constants_and_accepts_bytes() -> None:
    codec = codec_for("json")
    with pytest.raises(MalformedMessage):
        codec.decode_to_client(_json_event("[NaN]"))
    assert codec.decode_to_client(_json_event("[1]").encode()) == Event("tick", [1])


def test_action_request_shortcuts_write_the_general_paths_bytes() -> None:
    """cbor/bare ActionRequest and to_compat's list shortcut: the same bytes and values as
    the general code (seeded differential over ids, names and argument kinds)."""
    import random

    from actorbind.protocol.codecs._tree import _TreeCodec
    from actorbind.protocol.messages import ActionRequest
    from actorbind.protocol.values import _encode, to_compat

    rng = random.Random(7)
    kinds: list[object] = [0, -1, 2**53 - 1, 2**53, "x", "$x", "", "\u00e9", None, True, 1.5]
    kinds += [b"ab", [1], {"a": 1}, {1, 2}]
    cbor, bare = codec_for("cbor"), codec_for("bare")
    for _ in range(3000):
        args = [rng.choice(kinds) for _ in range(rng.randint(0, 4))]
        if rng.random() < 0.2:
            args = [rng.choice(["$BigInt", "$x", "$Set"]), rng.choice(kinds)]
        assert repr(to_compat(args)) == repr(_encode(args, True, 0))
        action_id = rng.choice([0, 127, 128, 2**40, 2**64 - 1])
        msg = ActionRequest(action_id, "inc" * rng.randint(1, 50), args)
        assert cbor.encode_to_server(msg) == _TreeCodec.encode_to_server(cbor, msg)
        w = bare._writer()
        w.u8(0)
        w.uint(msg.id)
        w.string(msg.name)
        w.data(bare._blob(list(args)))
        assert bare.encode_to_server(msg) == w.getvalue()


@pytest.mark.parametrize("encoding", ["json", "cbor", "bare"])
def test_decoded_events_are_ordinary_frozen_events(encoding: str) -> None:
    import dataclasses

    codec = codec_for(encoding)
    event = codec.decode_to_client(codec.encode_to_client(Event("tick", [1, "a"])))
    assert type(event) is Event and event == Event("tick", [1, "a"])
    assert repr(event) == "Event(name='tick', args=[1, 'a'])"
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.name = "other"  # type: ignore[misc]
