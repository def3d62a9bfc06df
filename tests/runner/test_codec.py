"""The envoy v8 codec: generated from the checked-in schema, byte-exact on real frames.

``golden_frames.jsonl``: frames of rivet-engine 2.3.19 and of RivetKit's own envoy (the
``v8:`` ones; ``v6:`` frames use the older schema and are skipped), each with its decoded
form. ``js_codec_samples.jsonl``: frames encoded by npm ``@rivetkit/engine-envoy-protocol``.
"""

from __future__ import annotations

import enum
import json
from pathlib import Path
from typing import Any

import pytest

from actorbind.protocol.bare import BareError
from actorbind.runner import _envoy_v8 as v8
from actorbind.runner import codegen

HERE = Path(__file__).parent
SCHEMA = codegen.parse(codegen.SCHEMA.read_text())
DECODE = {"ToRivet": v8.decode_ToRivet, "ToEnvoy": v8.decode_ToEnvoy}
ENCODE: dict[str, Any] = {"ToRivet": v8.encode_ToRivet, "ToEnvoy": v8.encode_ToEnvoy}


def _lines(name: str) -> list[Any]:
    return [json.loads(line) for line in (HERE / name).read_text().splitlines() if line]


GOLDEN = [f for f in _lines("golden_frames.jsonl") if f["source"].startswith("v8:")]
JS_SAMPLES = _lines("js_codec_samples.jsonl")


def _args(expr: str, prefix: str) -> list[str]:
    return codegen._args(expr, prefix)


def render(value: Any, expr: str) -> Any:
    """A decoded value in the fixture's JSON shape, walking the schema (not the classes)."""
    if expr.startswith("optional<"):
        return None if value is None else render(value, _args(expr, "optional")[0])
    if expr.startswith("list<"):
        return [render(v, _args(expr, "list")[0]) for v in value]
    if expr.startswith("map<"):
        _, val = _args(expr, "map")
        return {k: render(v, val) for k, v in value.items()}
    decl = SCHEMA.get(expr)
    if decl is None:
        return value
    if decl.kind == "enum":
        assert isinstance(value, enum.IntEnum)
        return value.name
    if decl.kind == "void":
        return None
    if decl.kind == "struct":
        return {f: render(getattr(value, codegen._snake(f)), t) for f, t in decl.fields}
    if decl.kind == "union":
        member = type(value).__name__
        return {member: render(value, member)}
    if decl.target.startswith("list<"):
        return render(value.value, decl.target)
    return render(value, decl.target)


def normalise(msg: Any) -> Any:
    """The fixture writes bytes as ``{"hex": ...}`` or ``{"utf8": ...}``."""
    if isinstance(msg, dict):
        if set(msg) == {"hex"}:
            return bytes.fromhex(msg["hex"])
        if set(msg) == {"utf8"}:
            return msg["utf8"].encode("utf-8")
        return {k: normalise(v) for k, v in msg.items()}
    if isinstance(msg, list):
        return [normalise(v) for v in msg]
    return msg


def test_generated_module_matches_the_schema() -> None:
    assert codegen.main(["--check"]) == 0
    assert v8.PROTOCOL_VERSION == 8


@pytest.mark.parametrize("frame", GOLDEN, ids=[f["kind"] for f in GOLDEN])
def test_golden_frame_round_trips_byte_for_byte(frame: dict[str, Any]) -> None:
    raw = bytes.fromhex(frame["hex"])
    msg = DECODE[frame["schema"]](raw)
    assert render(msg, frame["schema"]) == normalise(frame["msg"])
    assert ENCODE[frame["schema"]](msg) == raw


@pytest.mark.parametrize("sample", JS_SAMPLES, ids=[s[2] for s in JS_SAMPLES])
def test_js_codec_sample_round_trips(sample: list[str]) -> None:
    schema, hex_, kind = sample
    raw = bytes.fromhex(hex_)
    msg = DECODE[schema](raw)
    assert type(msg).__name__ == kind
    assert ENCODE[schema](msg) == raw


def test_tunnel_tags_are_the_2_3_19_ones() -> None:
    # 2.3.19 shifted the tunnel tags (WebSocketOpen is 5, not v6's 3): pin a few bytes.
    mid = v8.MessageId(b"\x01\x02\x03\x04", b"\x05\x06\x07\x08", 0)
    frame = v8.encode_ToRivet(v8.ToRivetTunnelMessage(mid, v8.ToRivetWebSocketOpen(False)))
    assert frame == bytes.fromhex("06010203040506070800000500")
    assert v8.encode_ToRivet(v8.ToRivetStopping()) == b"\x03"


@pytest.mark.parametrize(
    "raw",
    [b"", b"\x63", b"\x04\x00", b"\x03\x00", b"\x01\xff\xff\xff\xff\x0f"],
    ids=["empty", "unknown-tag", "truncated", "trailing", "huge-list"],
)
def test_malformed_frames_raise_bare_error(raw: bytes) -> None:
    with pytest.raises(BareError):
        v8.decode_ToRivet(raw)


def test_unknown_enum_member_raises() -> None:
    good = v8.encode_ToEnvoy(
        v8.ToEnvoyCommands(
            [
                v8.CommandWrapper(
                    v8.ActorCheckpoint("a" * 30, 1, 2),
                    v8.CommandStopActor(v8.StopActorReason.Destroy),
                )
            ]
        )
    )
    assert v8.decode_ToEnvoy(good).value[0].inner == v8.CommandStopActor(v8.StopActorReason.Destroy)
    with pytest.raises(BareError):
        v8.decode_ToEnvoy(good[:-1] + b"\x09")
