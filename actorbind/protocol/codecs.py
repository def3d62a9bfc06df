"""Codecs for the three RivetKit encodings: ``json``, ``cbor`` and ``bare``.

A codec turns protocol messages (:mod:`.messages`) into wire bytes and back, for both
directions, so the client and the embedded server share it. Every decode either returns a
well-formed message or raises :class:`~actorbind.protocol.errors.MalformedMessage`.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any, Final, Literal, TypeVar

import cbor2

from .bare import Reader, Writer
from .errors import MalformedMessage
from .messages import (
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
    ToClient,
    ToServer,
)
from .values import from_compat, to_compat

__all__ = [
    "BARE_VERSION",
    "ENCODINGS",
    "BareCodec",
    "CborCodec",
    "Codec",
    "Encoding",
    "JsonCodec",
    "codec_for",
]

Encoding = Literal["json", "cbor", "bare"]
ENCODINGS: Final[tuple[Encoding, ...]] = ("json", "cbor", "bare")
BARE_VERSION: Final = 4
_BARE_PREFIX: Final = BARE_VERSION.to_bytes(2, "little")
_T = TypeVar("_T")


def _cbor_loads(data: bytes) -> Any:
    """One CBOR item; trailing bytes are an error (cbor2.loads ignores them)."""
    fp = io.BytesIO(data)
    value = cbor2.CBORDecoder(fp).decode()
    if fp.tell() != len(data):
        raise MalformedMessage(f"{len(data) - fp.tell()} trailing bytes after the CBOR item")
    return value


def _reject_constant(name: str) -> Any:
    raise MalformedMessage(f"{name} is not valid JSON")


def _guard(what: str, fn: Callable[[], _T]) -> _T:
    """Run a decoder, turning any failure into one clear MalformedMessage."""
    try:
        return fn()
    except MalformedMessage:
        raise
    except (ValueError, TypeError, KeyError, IndexError, OverflowError, RecursionError) as exc:
        raise MalformedMessage(f"malformed {what}: {exc}") from exc
    except Exception as exc:  # cbor2 raises its own error types (CBORDecodeError, ...)
        raise MalformedMessage(f"malformed {what}: {exc}") from exc


# --- shape checks shared by json and cbor ------------------------------------------------


def _field(obj: dict[str, Any], key: str, kind: type | tuple[type, ...], what: str) -> Any:
    if key not in obj:
        raise MalformedMessage(f"malformed {what}: missing {key!r}")
    value = obj[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise MalformedMessage(f"malformed {what}: {key!r} has the wrong type")
    return value


def _uint(obj: dict[str, Any], key: str, what: str) -> int:
    value = _field(obj, key, int, what)
    if value < 0 or value >= 2**64:
        raise MalformedMessage(f"malformed {what}: {key!r} out of range")
    return int(value)


def _dict(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MalformedMessage(f"malformed {what}: expected a map")
    return value


def _envelope(tree: Any, what: str) -> tuple[str, dict[str, Any]]:
    body = _dict(_dict(tree, what).get("body"), what)
    tag = body.get("tag")
    if not isinstance(tag, str):
        raise MalformedMessage(f"malformed {what}: missing tag")
    return tag, _dict(body.get("val"), f"{what} {tag}")


def _args_list(value: Any) -> list[Any]:
    # RivetKit turns null into [] and wraps a lone value; mirror that leniency.
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _actor_tree(actor: ActorSpecifier) -> dict[str, Any]:
    tree: dict[str, Any] = {"actorId": actor.actor_id, "generation": actor.generation}
    if actor.key is not None:
        tree["key"] = actor.key
    return tree


def _actor_from_tree(value: Any, what: str) -> ActorSpecifier | None:
    if value is None:
        return None
    obj = _dict(value, what)
    key = obj.get("key")
    return ActorSpecifier(
        actor_id=_field(obj, "actorId", str, what),
        generation=_uint(obj, "generation", what),
        key=key if isinstance(key, str) else None,
    )


def _error_tree(err: Error | HttpResponseError, action_id: Any) -> dict[str, Any]:
    tree: dict[str, Any] = {"group": err.group, "code": err.code, "message": err.message}
    if err.metadata is not None:
        tree["metadata"] = err.metadata
    if isinstance(err, Error):
        tree["actionId"] = action_id
    if err.actor is not None:
        tree["actor"] = _actor_tree(err.actor)
    return tree


def _error_from_tree(val: dict[str, Any], what: str, action_id: int | None) -> dict[str, Any]:
    return {
        "group": _field(val, "group", str, what),
        "code": _field(val, "code", str, what),
        "message": _field(val, "message", str, what),
        "metadata": val.get("metadata"),
        "actor": _actor_from_tree(val.get("actor"), what),
    }


class _TreeCodec:
    """Shared logic of json and cbor: both carry the same map shapes."""

    name: Encoding
    binary: bool
    content_type: str

    # Subclasses: how a whole tree becomes bytes, and how ids travel.
    def _dumps(self, tree: Any) -> bytes | str:
        raise NotImplementedError

    def _loads(self, data: bytes | str) -> Any:
        raise NotImplementedError

    def _id(self, value: int) -> Any:
        return value

    def _val(self, value: Any) -> Any:
        return to_compat(value)

    def _revive(self, tree: Any) -> Any:
        return from_compat(tree)

    # --- websocket ---------------------------------------------------------------------

    def encode_to_server(self, msg: ToServer) -> bytes | str:
        if isinstance(msg, ActionRequest):
            val: dict[str, Any] = {
                "id": self._id(msg.id),
                "name": msg.name,
                "args": self._val(list(msg.args)),
            }
            return self._dumps({"body": {"tag": "ActionRequest", "val": val}})
        val = {"eventName": msg.event_name, "subscribe": msg.subscribe}
        return self._dumps({"body": {"tag": "SubscriptionRequest", "val": val}})

    def decode_to_server(self, data: bytes | str) -> ToServer:
        return _guard("message to server", lambda: self._decode_to_server(data))

    def _decode_to_server(self, data: bytes | str) -> ToServer:
        tag, val = _envelope(self._loads(data), "message to server")
        if tag == "ActionRequest":
            if "args" not in val:
                raise MalformedMessage("malformed ActionRequest: missing 'args'")
            return ActionRequest(
                id=_uint(self._ids(val), "id", tag),
                name=_field(val, "name", str, tag),
                args=_args_list(self._revive(val["args"])),
            )
        if tag == "SubscriptionRequest":
            return SubscriptionRequest(
                event_name=_field(val, "eventName", str, tag),
                subscribe=_field(val, "subscribe", bool, tag),
            )
        raise MalformedMessage(f"unknown message to server {tag[:40]!r}")

    def _ids(self, val: dict[str, Any]) -> dict[str, Any]:
        return val

    def encode_to_client(self, msg: ToClient) -> bytes | str:
        tag: str
        val: dict[str, Any]
        if isinstance(msg, Init):
            tag, val = "Init", {"actorId": msg.actor_id, "connectionId": msg.connection_id}
        elif isinstance(msg, ActionResponse):
            tag, val = "ActionResponse", {"id": self._id(msg.id), "output": self._val(msg.output)}
        elif isinstance(msg, Event):
            tag, val = "Event", {"name": msg.name, "args": self._val(list(msg.args))}
        else:
            tag = "Error"
            action_id = None if msg.action_id is None else self._id(msg.action_id)
            err = Error(msg.group, msg.code, msg.message, self._val(msg.metadata), None, msg.actor)
            val = _error_tree(err, action_id)
            if msg.metadata is None:
                val.pop("metadata", None)
        return self._dumps({"body": {"tag": tag, "val": val}})

    def decode_to_client(self, data: bytes | str) -> ToClient:
        return _guard("message from server", lambda: self._decode_to_client(data))

    def _decode_to_client(self, data: bytes | str) -> ToClient:
        tag, val = _envelope(self._loads(data), "message from server")
        if tag == "Init":
            return Init(_field(val, "actorId", str, tag), _field(val, "connectionId", str, tag))
        if tag == "ActionResponse":
            return ActionResponse(_uint(self._ids(val), "id", tag), self._revive(val.get("output")))
        if tag == "Event":
            return Event(_field(val, "name", str, tag), _args_list(self._revive(val.get("args"))))
        if tag == "Error":
            ids = self._ids(val)
            action_id = None if ids.get("actionId") is None else _uint(ids, "actionId", tag)
            fields = _error_from_tree(val, tag, action_id)
            fields["metadata"] = self._revive(fields["metadata"])
            return Error(action_id=action_id, **fields)
        raise MalformedMessage(f"unknown message from server {tag[:40]!r}")

    # --- http --------------------------------------------------------------------------

    def encode_action_request(self, args: list[Any]) -> bytes:
        return self._bytes(self._dumps({"args": self._val(list(args))}))

    def decode_action_request(self, data: bytes) -> list[Any]:
        def run() -> list[Any]:
            obj = _dict(self._loads(data), "action request")
            return _args_list(self._revive(obj.get("args")))

        return _guard("action request", run)

    def encode_action_response(self, output: Any) -> bytes:
        return self._bytes(self._dumps({"output": self._val(output)}))

    def decode_action_response(self, data: bytes) -> Any:
        return _guard(
            "action response",
            lambda: self._revive(_dict(self._loads(data), "action response").get("output")),
        )

    def encode_http_error(self, err: HttpResponseError) -> bytes:
        tree = _error_tree(err, None)
        if err.metadata is not None:
            tree["metadata"] = self._val(err.metadata)
        return self._bytes(self._dumps(tree))

    def decode_http_error(self, data: bytes) -> HttpResponseError:
        def run() -> HttpResponseError:
            fields = _error_from_tree(_dict(self._loads(data), "error"), "error", None)
            fields["metadata"] = self._revive(fields["metadata"])
            return HttpResponseError(**fields)

        return _guard("error response", run)

    def encode_queue_send(self, req: HttpQueueSendRequest) -> bytes:
        tree: dict[str, Any] = {"body": self._val(req.body)}
        if req.name is not None:
            tree["name"] = req.name
        if req.wait is not None:
            tree["wait"] = req.wait
        if req.timeout is not None:
            tree["timeout"] = req.timeout
        return self._bytes(self._dumps(tree))

    def decode_queue_send(self, data: bytes) -> HttpQueueSendRequest:
        def run() -> HttpQueueSendRequest:
            obj = _dict(self._loads(data), "queue send")
            name, wait, timeout = obj.get("name"), obj.get("wait"), obj.get("timeout")
            if name is not None and not isinstance(name, str):
                raise MalformedMessage("malformed queue send: 'name' has the wrong type")
            if wait is not None and not isinstance(wait, bool):
                raise MalformedMessage("malformed queue send: 'wait' has the wrong type")
            if timeout is not None:
                timeout = _uint(obj, "timeout", "queue send")
            return HttpQueueSendRequest(self._revive(obj.get("body")), name, wait, timeout)

        return _guard("queue send", run)

    def encode_queue_response(self, resp: HttpQueueSendResponse) -> bytes:
        tree: dict[str, Any] = {"status": resp.status}
        if resp.response is not None:
            tree["response"] = self._val(resp.response)
        return self._bytes(self._dumps(tree))

    def decode_queue_response(self, data: bytes) -> HttpQueueSendResponse:
        def run() -> HttpQueueSendResponse:
            obj = _dict(self._loads(data), "queue response")
            status = _field(obj, "status", str, "queue response")
            return HttpQueueSendResponse(status, self._revive(obj.get("response")))

        return _guard("queue response", run)

    @staticmethod
    def _bytes(data: bytes | str) -> bytes:
        return data.encode("utf-8") if isinstance(data, str) else data


class JsonCodec(_TreeCodec):
    """``json``: text frames; ids as ``["$BigInt", "N"]`` like the TS client."""

    name: Encoding = "json"
    binary = False
    content_type = "application/json"

    def _dumps(self, tree: Any) -> str:
        return json.dumps(tree, separators=(",", ":"), ensure_ascii=False, allow_nan=False)

    def _loads(self, data: bytes | str) -> Any:
        return json.loads(data, parse_constant=_reject_constant)

    def _id(self, value: int) -> Any:
        return ["$BigInt", str(value)]

    def _val(self, value: Any) -> Any:
        return to_compat(value, allow_nan=False)

    def _ids(self, val: dict[str, Any]) -> dict[str, Any]:
        # Ids arrive as ["$BigInt","N"] (always from RivetKit) or as plain numbers.
        out = dict(val)
        for key in ("id", "actionId"):
            raw = out.get(key)
            if isinstance(raw, list):
                out[key] = from_compat(raw)
            elif isinstance(raw, float) and raw.is_integer():
                out[key] = int(raw)
        return out


class CborCodec(_TreeCodec):
    """``cbor``: binary frames; ids as 64-bit CBOR uints (so JavaScript reads a bigint)."""

    name: Encoding = "cbor"
    binary = True
    content_type = "application/octet-stream"

    def _dumps(self, tree: Any) -> bytes:
        return _cbor_dumps(tree)

    def _loads(self, data: bytes | str) -> Any:
        if isinstance(data, str):
            raise MalformedMessage("cbor message arrived in a text frame")
        return _cbor_loads(data)

    def _id(self, value: int) -> Any:
        return _Uint64(value)


class _Uint64(int):
    """An int that CBOR writes in its 8-byte form, as RivetKit does for ids."""


def _cbor_default(encoder: Any, value: Any) -> None:
    raise TypeError(f"cannot encode {type(value).__name__} as CBOR")


def _cbor_dumps(tree: Any) -> bytes:
    return _CborWriter().dumps(tree)


class _CborWriter:
    """cbor2, except that :class:`_Uint64` ints are written as ``1b`` + 8 bytes."""

    def dumps(self, tree: Any) -> bytes:
        if not self._has_u64(tree):
            return bytes(cbor2.dumps(tree))
        out = bytearray()
        self._write(tree, out)
        return bytes(out)

    def _has_u64(self, tree: Any) -> bool:
        # Only envelope maps carry ids, and only one level below "val".
        if isinstance(tree, dict):
            body = tree.get("body")
            if isinstance(body, dict):
                val = body.get("val")
                if isinstance(val, dict):
                    return any(type(v) is _Uint64 for v in val.values())
        return False

    def _write(self, value: Any, out: bytearray) -> None:
        if type(value) is _Uint64:
            out += b"\x1b" + int(value).to_bytes(8, "big")
        elif isinstance(value, dict):
            out += _cbor_head(5, len(value))
            for k, v in value.items():
                out += cbor2.dumps(k)
                self._write(v, out)
        else:
            out += cbor2.dumps(value)


def _cbor_head(major: int, n: int) -> bytes:
    if n < 24:
        return bytes([major << 5 | n])
    if n < 256:
        return bytes([major << 5 | 24, n])
    if n < 65536:
        return bytes([major << 5 | 25]) + n.to_bytes(2, "big")
    return bytes([major << 5 | 26]) + n.to_bytes(4, "big")


def _fast_event_or_reply(data: bytes) -> Event | ActionResponse | None:
    """``Event``/``ActionResponse`` with one-byte lengths/ids, or ``None`` for the full path."""
    end = len(data)
    if end < 5:
        return None
    tag = data[2]
    if tag == 3:  # Event{name: str, args: data}
        n = data[3]
        pos = 4 + n
        if n >= 0x80 or pos >= end:
            return None
        size = data[pos]
        if size >= 0x80 or pos + 1 + size != end:
            return None
        try:
            name = data[4:pos].decode("utf-8")
            return Event(name, _args_list(from_compat(_cbor_loads(data[pos + 1 :]))))
        except Exception:
            return None  # let the checked path report it
    if tag == 2:  # ActionResponse{id: uint, output: data}
        action_id = data[3]
        size = data[4]
        if action_id >= 0x80 or size >= 0x80 or 5 + size != end:
            return None
        try:
            return ActionResponse(action_id, from_compat(_cbor_loads(data[5:])))
        except Exception:
            return None
    return None


class BareCodec:
    """``bare``: vbare version prefix ``04 00`` + the v4 schema; values as CBOR blobs."""

    name: Encoding = "bare"
    binary = True
    content_type = "application/octet-stream"

    # Versions 1-4 share the client->server shapes; RivetKit accepts them all.
    accepted_versions: tuple[int, ...] = (1, 2, 3, 4)

    # --- helpers -----------------------------------------------------------------------

    @staticmethod
    def _writer() -> Writer:
        w = Writer()
        w.u16(BARE_VERSION)
        return w

    def _reader(self, data: bytes | str, versions: tuple[int, ...]) -> Reader:
        if isinstance(data, str):
            raise MalformedMessage("bare message arrived in a text frame")
        r = Reader(bytes(data))
        version = r.u16()
        if version not in versions:
            raise MalformedMessage(f"unsupported bare protocol version {version}")
        return r

    @staticmethod
    def _blob(value: Any) -> bytes:
        return bytes(cbor2.dumps(to_compat(value)))

    @staticmethod
    def _unblob(raw: bytes) -> Any:
        return from_compat(_cbor_loads(raw))

    @staticmethod
    def _write_actor(w: Writer, actor: ActorSpecifier | None) -> None:
        w.optional_present(actor is not None)
        if actor is not None:
            w.string(actor.actor_id)
            w.uint(actor.generation)
            w.optional_present(actor.key is not None)
            if actor.key is not None:
                w.string(actor.key)

    @staticmethod
    def _read_actor(r: Reader) -> ActorSpecifier | None:
        if not r.optional():
            return None
        actor_id, generation = r.string(), r.uint()
        key = r.string() if r.optional() else None
        return ActorSpecifier(actor_id, generation, key)

    def _write_error_head(self, w: Writer, err: Error | HttpResponseError) -> None:
        w.string(err.group)
        w.string(err.code)
        w.string(err.message)
        w.optional_present(err.metadata is not None)
        if err.metadata is not None:
            w.data(self._blob(err.metadata))

    def _read_error_head(self, r: Reader) -> tuple[str, str, str, Any]:
        group, code, message = r.string(), r.string(), r.string()
        metadata = self._unblob(r.data()) if r.optional() else None
        return group, code, message, metadata

    # --- websocket ---------------------------------------------------------------------

    def encode_to_server(self, msg: ToServer) -> bytes:
        w = self._writer()
        if isinstance(msg, ActionRequest):
            w.u8(0)
            w.uint(msg.id)
            w.string(msg.name)
            w.data(self._blob(list(msg.args)))
        else:
            w.u8(1)
            w.string(msg.event_name)
            w.boolean(msg.subscribe)
        return w.getvalue()

    def decode_to_server(self, data: bytes | str) -> ToServer:
        def run() -> ToServer:
            r = self._reader(data, self.accepted_versions)
            tag = r.u8()
            msg: ToServer
            if tag == 0:
                msg = ActionRequest(r.uint(), r.string(), _args_list(self._unblob(r.data())))
            elif tag == 1:
                msg = SubscriptionRequest(r.string(), r.boolean())
            else:
                raise MalformedMessage(f"unknown message to server tag {tag}")
            r.end()
            return msg

        return _guard("message to server", run)

    def encode_to_client(self, msg: ToClient) -> bytes:
        w = self._writer()
        if isinstance(msg, Init):
            w.u8(0)
            w.string(msg.actor_id)
            w.string(msg.connection_id)
        elif isinstance(msg, Error):
            w.u8(1)
            self._write_error_head(w, msg)
            w.optional_present(msg.action_id is not None)
            if msg.action_id is not None:
                w.uint(msg.action_id)
            self._write_actor(w, msg.actor)
        elif isinstance(msg, ActionResponse):
            w.u8(2)
            w.uint(msg.id)
            w.data(self._blob(msg.output))
        else:
            w.u8(3)
            w.string(msg.name)
            w.data(self._blob(list(msg.args)))
        return w.getvalue()

    def decode_to_client(self, data: bytes | str) -> ToClient:
        # Events and action replies are the hot path (fan-in): parse them inline; anything
        # unusual (including every malformed message) takes the checked path below.
        if type(data) is bytes and data[:2] == _BARE_PREFIX:
            fast = _fast_event_or_reply(data)
            if fast is not None:
                return fast

        def run() -> ToClient:
            r = self._reader(data, (BARE_VERSION,))
            tag = r.u8()
            msg: ToClient
            if tag == 0:
                msg = Init(r.string(), r.string())
            elif tag == 1:
                group, code, message, metadata = self._read_error_head(r)
                action_id = r.uint() if r.optional() else None
                msg = Error(group, code, message, metadata, action_id, self._read_actor(r))
            elif tag == 2:
                msg = ActionResponse(r.uint(), self._unblob(r.data()))
            elif tag == 3:
                msg = Event(r.string(), _args_list(self._unblob(r.data())))
            else:
                raise MalformedMessage(f"unknown message from server tag {tag}")
            r.end()
            return msg

        return _guard("message from server", run)

    # --- http --------------------------------------------------------------------------

    def encode_action_request(self, args: list[Any]) -> bytes:
        w = self._writer()
        w.data(self._blob(list(args)))
        return w.getvalue()

    def decode_action_request(self, data: bytes) -> list[Any]:
        def run() -> list[Any]:
            r = self._reader(data, self.accepted_versions)
            args = _args_list(self._unblob(r.data()))
            r.end()
            return args

        return _guard("action request", run)

    def encode_action_response(self, output: Any) -> bytes:
        w = self._writer()
        w.data(self._blob(output))
        return w.getvalue()

    def decode_action_response(self, data: bytes) -> Any:
        def run() -> Any:
            r = self._reader(data, (BARE_VERSION,))
            output = self._unblob(r.data())
            r.end()
            return output

        return _guard("action response", run)

    def encode_http_error(self, err: HttpResponseError) -> bytes:
        w = self._writer()
        self._write_error_head(w, err)
        self._write_actor(w, err.actor)
        return w.getvalue()

    def decode_http_error(self, data: bytes) -> HttpResponseError:
        def run() -> HttpResponseError:
            r = self._reader(data, (BARE_VERSION,))
            group, code, message, metadata = self._read_error_head(r)
            err = HttpResponseError(group, code, message, metadata, self._read_actor(r))
            r.end()
            return err

        return _guard("error response", run)

    def encode_queue_send(self, req: HttpQueueSendRequest) -> bytes:
        w = self._writer()
        w.data(self._blob(req.body))
        w.optional_present(req.name is not None)
        if req.name is not None:
            w.string(req.name)
        w.optional_present(req.wait is not None)
        if req.wait is not None:
            w.boolean(req.wait)
        w.optional_present(req.timeout is not None)
        if req.timeout is not None:
            w.u64(req.timeout)
        return w.getvalue()

    def decode_queue_send(self, data: bytes) -> HttpQueueSendRequest:
        def run() -> HttpQueueSendRequest:
            r = self._reader(data, (3, 4))
            body = self._unblob(r.data())
            name = r.string() if r.optional() else None
            wait = r.boolean() if r.optional() else None
            timeout = r.u64() if r.optional() else None
            r.end()
            return HttpQueueSendRequest(body, name, wait, timeout)

        return _guard("queue send", run)

    def encode_queue_response(self, resp: HttpQueueSendResponse) -> bytes:
        w = self._writer()
        w.string(resp.status)
        w.optional_present(resp.response is not None)
        if resp.response is not None:
            w.data(self._blob(resp.response))
        return w.getvalue()

    def decode_queue_response(self, data: bytes) -> HttpQueueSendResponse:
        def run() -> HttpQueueSendResponse:
            r = self._reader(data, (BARE_VERSION,))
            status = r.string()
            response = self._unblob(r.data()) if r.optional() else None
            r.end()
            return HttpQueueSendResponse(status, response)

        return _guard("queue response", run)


Codec = JsonCodec | CborCodec | BareCodec

_CODECS: Final[dict[str, Codec]] = {"json": JsonCodec(), "cbor": CborCodec(), "bare": BareCodec()}


def codec_for(encoding: str) -> Codec:
    """The codec for an encoding name.

    Raises:
        ValueError: the encoding is not ``json``, ``cbor`` or ``bare``.
    """
    try:
        return _CODECS[encoding]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown encoding {encoding!r}: expected one of 'json', 'cbor', 'bare'"
        ) from None
