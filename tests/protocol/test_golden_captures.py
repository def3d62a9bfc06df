"""Golden vectors: every frame and HTTP action body of the RivetKit 2.3.19 wire captures.

The captures in ``/work/shared/wire-captures`` are the truth. Each WebSocket frame and each HTTP
action request/response body of the json, cbor and bare runs is decoded with the codec of the
right direction; client->server frames are re-encoded and compared with the captured bytes
(json: as parsed JSON; cbor and bare: byte for byte after rewriting our map headers into the
``b9 00 NN`` map16 form the TS client's cbor-x writes). Server->client frames that RivetKit
encodes deterministically are compared byte for byte too.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cbor2
import pytest

from actorbind.protocol import (
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
from actorbind.protocol.errors import MalformedMessage

CAPTURES = Path("/work/shared/wire-captures")
ENCODINGS = ("json", "cbor", "bare")

pytestmark = pytest.mark.skipif(
    not (CAPTURES / "json.jsonl").exists(), reason="wire captures not available"
)


# --- loading ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Frame:
    enc: str
    seq: int
    to_server: bool
    data: bytes | str
    truncated: bool
    record: dict[str, Any]

    def __str__(self) -> str:  # pytest ids
        return f"{self.enc}-{self.seq}-{'c2s' if self.to_server else 's2c'}"


@dataclasses.dataclass(frozen=True)
class HttpBody:
    enc: str
    seq: int
    kind: str  # "request" | "response" | "error"
    data: bytes
    truncated: bool
    content_type: str
    status: int | None
    record: dict[str, Any]

    def __str__(self) -> str:
        return f"{self.enc}-{self.seq}-{self.kind}"


def _records(enc: str) -> Iterator[dict[str, Any]]:
    path = CAPTURES / f"{enc}.jsonl"
    if not path.exists():
        return
    with path.open() as fh:
        for line in fh:
            yield json.loads(line)


def _body_bytes(body: dict[str, Any]) -> bytes:
    if "hex" in body:
        return bytes.fromhex(body["hex"])
    return str(body["text"]).encode("utf-8")


def load_frames(enc: str) -> list[Frame]:
    frames = []
    for r in _records(enc):
        if r["kind"] != "ws_frame":
            continue
        data: bytes | str = bytes.fromhex(r["hex"]) if r["binary"] else r["text"]
        frames.append(
            Frame(
                enc,
                r["seq"],
                r["dir"] == "client->server",
                data,
                bool(r.get("truncated")),
                r,
            )
        )
    return frames


def load_http(enc: str) -> list[HttpBody]:
    out: list[HttpBody] = []
    requests: dict[int, dict[str, Any]] = {}
    for r in _records(enc):
        if r["kind"] == "http_request":
            requests[r["id"]] = r
        if r["kind"] not in ("http_request", "http_response"):
            continue
        req = requests[r["id"]]
        if "/action/" not in req["url"] or not r.get("body"):
            continue
        body = r["body"]
        ctype = r["headers"].get("content-type", "")
        if r["kind"] == "http_request":
            kind, status = "request", None
        else:
            status = r["status"]
            kind = "response" if status == 200 else "error"
        out.append(
            HttpBody(
                enc,
                r["seq"],
                kind,
                _body_bytes(body),
                bool(body.get("truncated")),
                ctype,
                status,
                r,
            )
        )
    return out


FRAMES = [f for enc in ENCODINGS for f in load_frames(enc)]
HTTP = [b for enc in ENCODINGS for b in load_http(enc)]
WHOLE_FRAMES = [f for f in FRAMES if not f.truncated]
WHOLE_HTTP = [b for b in HTTP if not b.truncated]


# --- the cbor-x writing style of the TS client ----------------------------------------------


def ts_style_cbor(data: bytes) -> bytes:
    """Rewrite every definite-length map header as map16 (``b9 NN NN``), as cbor-x does."""
    out = bytearray()
    pos = 0

    def item() -> None:
        nonlocal pos
        start = pos
        major, info = data[pos] >> 5, data[pos] & 0x1F
        pos += 1
        if info < 24:
            n = info
        elif info in (24, 25, 26, 27):
            width = 1 << (info - 24)
            n = int.from_bytes(data[pos : pos + width], "big")
            pos += width
        else:  # pragma: no cover - we never write indefinite lengths
            raise AssertionError("indefinite length")
        if major == 5:
            out.extend(b"\xb9" + n.to_bytes(2, "big"))
            for _ in range(2 * n):
                item()
            return
        if major in (2, 3):
            pos += n
            out.extend(data[start:pos])
            return
        out.extend(data[start:pos])
        if major == 4:
            for _ in range(n):
                item()
        elif major == 6:
            item()

    item()
    assert pos == len(data)
    return bytes(out)


def _uvarint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, pos


def _enc_uvarint(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _skip_str(data: bytes, pos: int) -> int:
    n, pos = _uvarint(data, pos)
    return pos + n


def ts_style_bare_blob_last(data: bytes, pos: int) -> bytes:
    """Restyle (``ts_style_cbor``) the ``data`` blob that ends a BARE message at ``pos``."""
    n, start = _uvarint(data, pos)
    assert start + n == len(data)
    blob = ts_style_cbor(data[start:])
    return data[:pos] + _enc_uvarint(len(blob)) + blob


def ts_style_bare_to_server(data: bytes) -> bytes:
    if data[2] == 0:  # ActionRequest{id uint, name str, args data}
        _, pos = _uvarint(data, 3)
        return ts_style_bare_blob_last(data, _skip_str(data, pos))
    return data  # SubscriptionRequest has no blob


def ts_style_bare_to_client(data: bytes) -> bytes:
    tag = data[2]
    if tag == 2:  # ActionResponse{id uint, output data}
        _, pos = _uvarint(data, 3)
        return ts_style_bare_blob_last(data, pos)
    if tag == 3:  # Event{name str, args data}
        return ts_style_bare_blob_last(data, _skip_str(data, 3))
    return data


def test_ts_style_cbor_helper() -> None:
    assert ts_style_cbor(cbor2.dumps({"args": [5]})).hex() == "b9000164617267738105"
    assert ts_style_cbor(bytes.fromhex("fb3ff8000000000000")) == bytes.fromhex("fb3ff8000000000000")
    assert ts_style_cbor(cbor2.dumps([b"ab", "x", -1, None])) == cbor2.dumps([b"ab", "x", -1, None])


# --- sanity of the corpus -------------------------------------------------------------------


def test_corpus_is_complete() -> None:
    for enc in ENCODINGS:
        frames = [f for f in FRAMES if f.enc == enc]
        assert len(frames) == 38, enc
        assert sum(f.truncated for f in frames) == 2
        assert {f.to_server for f in frames} == {True, False}
        bodies = [b for b in HTTP if b.enc == enc]
        assert {b.kind for b in bodies} == {"request", "response", "error"}
    # json frames are text, cbor and bare frames are binary
    assert all(isinstance(f.data, str) for f in FRAMES if f.enc == "json")
    assert all(isinstance(f.data, bytes) for f in FRAMES if f.enc != "json")


# --- websocket frames -----------------------------------------------------------------------


def _decode(frame: Frame) -> Any:
    codec = codec_for(frame.enc)
    if frame.to_server:
        return codec.decode_to_server(frame.data)
    return codec.decode_to_client(frame.data)


@pytest.mark.parametrize("frame", WHOLE_FRAMES, ids=str)
def test_frame_decodes_to_the_right_direction(frame: Frame) -> None:
    msg = _decode(frame)
    if frame.to_server:
        assert isinstance(msg, ActionRequest | SubscriptionRequest)
    else:
        assert isinstance(msg, Init | Error | ActionResponse | Event)


@pytest.mark.parametrize("frame", [f for f in FRAMES if f.truncated], ids=str)
def test_truncated_capture_frames_are_malformed(frame: Frame) -> None:
    # The proxy kept only a prefix of these big frames: a cut-off message must be rejected.
    with pytest.raises(MalformedMessage):
        _decode(frame)


@pytest.mark.parametrize("frame", [f for f in WHOLE_FRAMES if f.to_server], ids=str)
def test_client_frames_reencode_like_the_ts_client(frame: Frame) -> None:
    codec = codec_for(frame.enc)
    msg = codec.decode_to_server(frame.data)
    ours = codec.encode_to_server(msg)
    if frame.enc == "json":
        assert isinstance(ours, str)
        assert json.loads(ours) == json.loads(frame.data)
    elif frame.enc == "cbor":
        assert isinstance(ours, bytes)
        assert ts_style_cbor(ours) == frame.data
        assert cbor2.loads(ours) == cbor2.loads(frame.data)
    else:
        assert isinstance(ours, bytes)
        assert ts_style_bare_to_server(ours) == frame.data
        if b"\xb9\x00" not in frame.data:
            assert ours == frame.data


def _value_has_map(value: Any) -> bool:
    if isinstance(value, dict):
        return True
    if isinstance(value, list | tuple):
        return any(_value_has_map(v) for v in value)
    return False


@pytest.mark.parametrize("frame", [f for f in WHOLE_FRAMES if not f.to_server], ids=str)
def test_server_frames_reencode(frame: Frame) -> None:
    codec = codec_for(frame.enc)
    msg = codec.decode_to_client(frame.data)
    ours = codec.encode_to_client(msg)
    assert codec.decode_to_client(ours) == msg
    if frame.enc == "json":
        assert isinstance(ours, str)
        assert json.loads(ours) == json.loads(frame.data)
        return
    assert isinstance(ours, bytes) and isinstance(frame.data, bytes)
    values = (
        msg.output
        if isinstance(msg, ActionResponse)
        else msg.args
        if isinstance(msg, Event)
        else None
    )
    if frame.enc == "bare":
        if isinstance(msg, ActionResponse | Event) and _value_has_map(values):
            # The actor runtime's cbor-x writes map16 headers inside the value blob.
            assert ts_style_bare_to_client(ours) == frame.data
        else:
            assert ours == frame.data
        return
    # cbor: the envelope is deterministic; values written by cbor-x use map16, and Error
    # puts ``actor`` before ``actionId``.
    assert cbor2.loads(ours) == cbor2.loads(frame.data)
    deterministic = not _value_has_map(values) and not (
        isinstance(msg, Error) and msg.actor is not None
    )
    if deterministic:
        assert ours == frame.data


def test_cbor_action_response_ids_are_eight_byte_uints() -> None:
    codec = codec_for("cbor")
    responses = [
        f
        for f in WHOLE_FRAMES
        if f.enc == "cbor" and not f.to_server and "ActionResponse" in str(f.record.get("cbor"))
    ]
    assert responses
    for frame in responses:
        msg = codec.decode_to_client(frame.data)
        assert isinstance(msg, ActionResponse)
        ours = codec.encode_to_client(msg)
        assert b"\x62id\x1b" + msg.id.to_bytes(8, "big") in ours
        assert b"\x62id\x1b" + msg.id.to_bytes(8, "big") in frame.data


def _mask(value: Any) -> Any:
    """Hide what differs between runs: actor ids, connection ids, key suffixes, encoding."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {f.name: _mask(getattr(value, f.name)) for f in dataclasses.fields(value)}
        out["__type__"] = type(value).__name__
        return out
    if isinstance(value, dict):
        return {k: _mask(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mask(v) for v in value]
    if isinstance(value, str):
        value = re.sub(
            r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", "UUID", value
        )
        value = re.sub(r"\b[a-z0-9]{30}\b", "ACTORID", value)
        value = re.sub(r"(json|cbor|bare)-[a-z0-9]{8}", "ENC-RUN", value)
    return value


def test_all_encodings_carry_the_same_conversation() -> None:
    """The three runs executed the same script: decoded, they must tell the same story."""
    stories = {}
    for enc in ENCODINGS:
        stories[enc] = [(f.to_server, _mask(_decode(f))) for f in WHOLE_FRAMES if f.enc == enc]
    assert stories["json"] == stories["cbor"] == stories["bare"]


# --- specific frames, checked field by field ------------------------------------------------


def _frames(enc: str) -> dict[int, Frame]:
    return {f.seq: f for f in WHOLE_FRAMES if f.enc == enc}


@pytest.mark.parametrize("enc", ENCODINGS)
def test_known_frames(enc: str) -> None:
    frames = _frames(enc)
    init = _decode(frames[139])
    assert isinstance(init, Init)
    assert re.fullmatch(r"[a-z0-9]{30}", init.actor_id)
    assert re.fullmatch(r"[0-9a-f-]{36}", init.connection_id)

    assert _decode(frames[140]) == SubscriptionRequest("newCount", True)
    assert _decode(frames[143]) == ActionRequest(0, "increment", [1])
    assert _decode(frames[144]) == Event("newCount", [6])
    assert _decode(frames[145]) == ActionResponse(0, 6)
    assert _decode(frames[147]) == Event("multi", [1, "two", {"three": 3}])
    assert _decode(frames[148]) == ActionResponse(1, True)
    assert _decode(frames[149]) == ActionRequest(2, "sendToSelf", [{"hello": "me"}])
    assert _decode(frames[151]) == ActionResponse(2, init.connection_id)

    user = _decode(frames[153])
    assert isinstance(user, Error)
    assert (user.group, user.code, user.message) == ("user", "custom_code", "user error: over-ws")
    assert user.metadata == {"n": 42, "reason": "over-ws"}
    assert user.action_id == 3
    assert isinstance(user.actor, ActorSpecifier)
    assert user.actor.actor_id == init.actor_id
    assert user.actor.generation == 1
    assert user.actor.key is not None and user.actor.key.startswith("probe-")

    internal = _decode(frames[155])
    assert isinstance(internal, Error)
    assert (internal.group, internal.code, internal.metadata, internal.action_id) == (
        "rivetkit",
        "internal_error",
        None,
        4,
    )
    assert _decode(frames[158]) == SubscriptionRequest("multi", False)

    assert _decode(frames[172]) == ActionRequest(0, "bytes", [4])
    assert _decode(frames[173]) == ActionResponse(0, b"\x00\x01\x02\x03")
    too_long = _decode(frames[177])
    assert isinstance(too_long, Error)
    assert (too_long.group, too_long.code, too_long.action_id, too_long.actor) == (
        "message",
        "outgoing_too_long",
        2,
        None,
    )
    rejected = _decode(frames[199])
    assert rejected == Error(
        "user", "unauthorized", "invalid auth token", {"got": "bad"}, None, None
    )


# --- HTTP bodies ---------------------------------------------------------------------------


def _http_codec(body: HttpBody) -> Any:
    if body.kind == "error" and "application/json" in body.content_type:
        return codec_for("json")  # gateway errors are always JSON
    return codec_for(body.enc)


@pytest.mark.parametrize("body", WHOLE_HTTP, ids=str)
def test_http_bodies(body: HttpBody) -> None:
    codec = _http_codec(body)
    if body.kind == "request":
        args = codec.decode_action_request(body.data)
        assert isinstance(args, list)
        ours = codec.encode_action_request(args)
        if body.enc == "json":
            assert json.loads(ours) == json.loads(body.data)
        elif body.enc == "cbor":
            assert ts_style_cbor(ours) == body.data
        else:
            assert ts_style_bare_blob_last(ours, 2) == body.data
    elif body.kind == "response":
        output = codec.decode_action_response(body.data)
        ours = codec.encode_action_response(output)
        assert codec.decode_action_response(ours) == output
        if body.enc == "json":
            assert json.loads(ours) == json.loads(body.data)
        elif body.enc == "cbor":
            assert cbor2.loads(ours) == cbor2.loads(body.data)
            # The server writes 1.5 as a half float (f9 3e00); we write a double.
            if b"\xf9" not in body.data:
                assert ours == body.data
        elif _value_has_map(output):
            assert ts_style_bare_blob_last(ours, 2) == body.data
        else:
            assert ours == body.data
    else:
        err = codec.decode_http_error(body.data)
        assert isinstance(err, HttpResponseError)
        assert body.status is not None and body.status >= 400
        ours = codec.encode_http_error(err)
        assert codec.decode_http_error(ours) == err
        if codec.name == "json":
            assert json.loads(ours) == json.loads(body.data)
        elif codec.name == "bare":
            assert ours == body.data
        else:  # the server sorts cbor map keys; compare structures
            assert cbor2.loads(ours) == cbor2.loads(body.data)


@pytest.mark.parametrize("body", [b for b in HTTP if b.truncated], ids=str)
def test_truncated_http_bodies_are_malformed(body: HttpBody) -> None:
    codec = _http_codec(body)
    decode = {
        "request": codec.decode_action_request,
        "response": codec.decode_action_response,
        "error": codec.decode_http_error,
    }[body.kind]
    with pytest.raises(MalformedMessage):
        decode(body.data)


def _http_story(enc: str) -> list[Any]:
    out = []
    for body in WHOLE_HTTP:
        if body.enc != enc:
            continue
        codec = _http_codec(body)
        if body.kind == "request":
            out.append(("request", _mask(codec.decode_action_request(body.data))))
        elif body.kind == "response":
            out.append(("response", _mask(codec.decode_action_response(body.data))))
        else:
            out.append(("error", body.status, _mask(codec.decode_http_error(body.data))))
    return out


def test_http_conversation_is_the_same_in_every_encoding() -> None:
    assert _http_story("json") == _http_story("cbor") == _http_story("bare")


@pytest.mark.parametrize("enc", ENCODINGS)
def test_http_error_details(enc: str) -> None:
    errors = {
        (e.group, e.code): e
        for b in WHOLE_HTTP
        if b.enc == enc and b.kind == "error"
        for e in [_http_codec(b).decode_http_error(b.data)]
    }
    assert set(errors) == {
        ("actor", "not_found"),
        ("core", "internal_error"),
        ("actor", "action_not_found"),
        ("user", "custom_code"),
        ("rivetkit", "internal_error"),
        ("user", "unauthorized"),
        ("actor", "action_timed_out"),
        ("message", "outgoing_too_long"),
        ("message", "incoming_too_long"),
    }
    assert errors[("actor", "not_found")].actor is None
    assert errors[("user", "custom_code")].metadata == {"n": 42, "reason": "because"}
    assert errors[("user", "unauthorized")].metadata == {"got": "bad"}
    spec = errors[("actor", "action_not_found")].actor
    assert spec is not None and spec.generation == 1 and spec.key is not None
    assert errors[("actor", "action_not_found")].message == "Action `noSuchAction` was not found."
