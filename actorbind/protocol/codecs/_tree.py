"""The shared logic of the ``json`` and ``cbor`` codecs: both carry the same map shapes."""

from __future__ import annotations

from typing import Any

from ..errors import MalformedMessage
from ..messages import (
    ActionRequest,
    ActionResponse,
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
from ._shapes import (
    Encoding,
    _args_list,
    _dict,
    _envelope,
    _error_from_tree,
    _error_tree,
    _field,
    _guard,
    _plain,
    _uint,
)

__all__: list[str] = []


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
        try:
            return self._decode_to_client(data)
        except MalformedMessage:
            raise
        except Exception as exc:  # as _guard: any decoder failure is one MalformedMessage
            raise MalformedMessage(f"malformed message from server: {exc}") from exc

    def _decode_to_client(self, data: bytes | str) -> ToClient:
        tree = self._loads(data)
        # Events are the hot path (fan-in): the same checks as below, inline.
        body = tree.get("body") if type(tree) is dict else None
        if type(body) is dict and body.get("tag") == "Event":
            val = body.get("val")
            if type(val) is dict and type(name := val.get("name")) is str:
                args = val.get("args")
                return _event(name, _args_list(args if _plain(data) else self._revive(args)))
        tag, val = _envelope(tree, "message from server")
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
