"""The ``bare`` codec: vbare version prefix ``04 00`` + the v4 schema; values as CBOR blobs."""

from __future__ import annotations

from typing import Any, Final

import cbor2

from ..bare import Reader, Writer
from ..errors import MalformedMessage
from ..messages import (
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
    _event,
)
from ..values import from_compat, to_compat
from ._shapes import Encoding, _args_list, _cbor_loads, _guard, _plain

__all__ = ["BARE_VERSION", "BareCodec"]

BARE_VERSION: Final = 4
_BARE_PREFIX: Final = BARE_VERSION.to_bytes(2, "little")
_ACTION_HEAD: Final = _BARE_PREFIX + b"\x00"  # ToServer tag 0: ActionRequest


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
            blob = data[pos + 1 :]
            args = _cbor_loads(blob)
            return _event(name, _args_list(args if _plain(blob) else from_compat(args)))
        except Exception:
            return None  # let the checked path report it
    if tag == 2:  # ActionResponse{id: uint, output: data}
        action_id = data[3]
        size = data[4]
        if action_id >= 0x80 or size >= 0x80 or 5 + size != end:
            return None
        try:
            blob = data[5:]
            output = _cbor_loads(blob)
            return ActionResponse(action_id, output if _plain(blob) else from_compat(output))
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
        if type(msg) is ActionRequest and 0 <= msg.id < 0x80:
            name = msg.name.encode("utf-8")
            blob = self._blob(list(msg.args))
            if len(name) < 0x80 and len(blob) < 0x80:
                # Hot path: the bytes the Writer below produces, with one-byte lengths.
                return b"".join(
                    (_ACTION_HEAD, bytes((msg.id, len(name))), name, bytes((len(blob),)), blob)
                )
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
