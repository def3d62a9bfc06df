"""Gateway WebSockets: the protocol socket ``/connect`` and raw ``/websocket/...``.

Like RivetKit, the handshake always succeeds with subprotocol ``rivet``; every failure is
reported after it, as a close code and a ``group.code`` reason (and, when ``on_before_connect``
rejects, an ``Error{actionId: null}`` frame first).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any, Final

from starlette.requests import Request
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from actorbind.protocol import (
    ActionRequest,
    ActionResponse,
    Codec,
    Error,
    Init,
    SubscriptionRequest,
)
from actorbind.protocol.errors import MalformedMessage
from actorbind.protocol.http import RIVET_PROTOCOL, read_subprotocols

from .context import ActionContext, ConnContext
from .errors import RivetError, public_error
from .gateway import GatewayTarget, resolve
from .host import ActorHost
from .limits import DEFAULT_LIMITS, loads_json
from .responses import ray_id
from .routes_http import actor_scope, gateway_target, strip_prefix
from .runtime import ActorRuntime, call_user
from .wire import server_codec

__all__ = ["actor_websocket", "gateway_websocket"]

log = logging.getLogger("actorbind.server")


@dataclass(frozen=True, slots=True)
class _Close:
    code: int
    reason: str


class WsOutbox:
    """A connection's ordered outgoing queue, drained by one writer task.

    Bounded: when more than ``max_bytes`` wait to be sent (a subscriber that reads too slowly,
    or not at all), the queue is dropped and the connection closed with ``1013``, logged. The
    reason has no ``group.code`` form, so clients reconnect rather than give up.
    """

    def __init__(
        self,
        ws: WebSocket,
        encoding: str,
        codec: Codec,
        max_outgoing: int,
        max_bytes: int = DEFAULT_LIMITS.max_outbox_bytes,
    ) -> None:
        self.ws = ws
        self._encoding = encoding
        self.codec = codec
        self.max_outgoing = max_outgoing
        self.max_bytes = max_bytes
        self.closed = False
        # The peer is gone: actions that have not started yet are dropped (see _action).
        self.peer_gone = False
        self._queue: asyncio.Queue[bytes | str | _Close] = asyncio.Queue()
        self._queued = 0
        self._overflowed = False
        self._writer: asyncio.Task[None] | None = None

    @property
    def encoding(self) -> str:
        return self._encoding

    def send_encoded(self, data: bytes | str) -> None:
        """Queue an encoded event; one over the limit closes the socket, as RivetKit does."""
        if self.closed:
            return
        if _size(data) > self.max_outgoing:
            self.close(1011, "message.outgoing_too_long")
            return
        self._put(data)

    def send_message(self, data: bytes | str) -> None:
        if not self.closed:
            self._put(data)

    def _put(self, data: bytes | str) -> None:
        size = _size(data)
        if self._queued + size > self.max_bytes:
            self._overflow()
            return
        self._queued += size
        self._queue.put_nowait(data)

    def _overflow(self) -> None:
        log.warning(
            "closed a WebSocket connection %d bytes behind (limit %d): it reads too slowly",
            self._queued,
            self.max_bytes,
        )
        self.closed = self._overflowed = True
        self._queue = asyncio.Queue()
        self._queued = 0
        # For a writer that has not started yet; a running one is cancelled and closes.
        self._queue.put_nowait(_Close(1013, "too far behind"))
        if self._writer is not None and not self._writer.done():
            self._writer.cancel()  # it may wait for socket buffer space that never comes

    def close(self, code: int, reason: str) -> None:
        if not self.closed:
            self.closed = True
            self._queue.put_nowait(_Close(code, reason))

    async def run(self) -> None:
        self._writer = asyncio.current_task()
        try:
            while True:
                item = await self._queue.get()
                if isinstance(item, _Close):
                    await self.ws.close(item.code, item.reason)
                    return
                self._queued -= _size(item)
                if isinstance(item, str):
                    await self.ws.send_text(item)
                else:
                    await self.ws.send_bytes(item)
        except asyncio.CancelledError:
            if not self._overflowed:
                raise
            self._writer = None
            # The server's protocol drops a connection that is not reading at all.
            with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
                await self.ws.close(1013, "too far behind")
        except (WebSocketDisconnect, RuntimeError, OSError):
            self.closed = True


def _size(data: bytes | str) -> int:
    return len(data.encode("utf-8")) if isinstance(data, str) else len(data)


def _parse_subprotocols(scope: Scope, max_depth: int) -> tuple[str, Any, bool]:
    """``(encoding, params, params_ok)`` from the offered subprotocols (params: JSON no deeper
    than ``max_depth``)."""
    return read_subprotocols(
        scope.get("subprotocols", []), lambda text: loads_json(text, max_depth)
    )


async def gateway_websocket(
    host: ActorHost, scope: Scope, receive: Receive, send: Send, *, by_header: bool = False
) -> None:
    """A gateway socket: ``/gateway/...``, or routed by ``rivet_target``/``rivet_actor``."""
    ws = WebSocket(scope, receive, send)
    await ws.accept(subprotocol=RIVET_PROTOCOL)
    try:
        target = gateway_target(scope, by_header=by_header)
        runtime = await resolve(host, target)
    except RivetError as err:
        await _close(ws, 1011, f"{err.reason}#{ray_id()}")
        return
    await actor_websocket(host, runtime, target, ws)


async def actor_websocket(
    host: ActorHost, runtime: ActorRuntime, target: GatewayTarget, ws: WebSocket
) -> None:
    """Serve an accepted WebSocket of a running actor (``target.path`` is actor-relative)."""
    scope = ws.scope
    path = target.path
    if path == "/connect":
        await _protocol_socket(host, runtime, ws, _upgrade_request(scope, target))
        return
    raw = strip_prefix(path, "/websocket")
    if raw is None:
        await _close(ws, 1011, "actor.invalid_request")
        return
    await _raw_socket(runtime, ws, actor_scope(scope, raw, target.query))


def _upgrade_request(scope: Scope, target: GatewayTarget) -> Request:
    """The upgrade as ``ctx.request`` shows it to the connection hooks (``GET /connect``)."""
    inner = actor_scope(scope, target.path, target.query)
    inner.update(type="http", method="GET")
    return Request(inner)


async def _close(ws: WebSocket, code: int, reason: str) -> None:
    if ws.application_state != WebSocketState.DISCONNECTED:
        try:
            await ws.close(code, reason[:123])
        except (RuntimeError, OSError):
            pass


async def _protocol_socket(
    host: ActorHost, runtime: ActorRuntime, ws: WebSocket, request: Request
) -> None:
    encoding, params, params_ok = _parse_subprotocols(ws.scope, runtime.host.limits.max_json_depth)
    codec = server_codec(encoding)
    if codec is None:
        await _close(ws, 1003, "actor.unsupported_websocket_encoding")
        return
    if not params_ok:
        await _close(ws, 1011, "actor.invalid_request")
        return
    outbox = WsOutbox(ws, encoding, codec, host.limits.max_outgoing, host.limits.max_outbox_bytes)
    writer = asyncio.get_running_loop().create_task(outbox.run())

    def registered(conn: ConnContext) -> None:
        outbox.send_message(codec.encode_to_client(Init(runtime.record.actor_id, conn.id)))

    try:
        conn = await runtime.locked(
            lambda: runtime.open_conn(
                params, outbox, on_registered=registered, closer=outbox.close, request=request
            )
        )
    except RivetError as err:
        outbox.send_message(
            codec.encode_to_client(Error(err.group, err.code, err.message, err.metadata, None))
        )
        outbox.close(1011, err.reason)
        await writer
        return
    actions: set[asyncio.Task[None]] = set()
    try:
        await _read_loop(host, runtime, ws, codec, conn, outbox, actions)
    finally:
        outbox.peer_gone = True
        await _finish(runtime, conn, outbox, writer)


async def _finish(
    runtime: ActorRuntime, conn: ConnContext, outbox: WsOutbox, writer: asyncio.Task[None]
) -> None:
    try:
        await runtime.host.forget_conn(runtime, conn)
    finally:
        if not writer.done():
            if outbox.closed:
                await writer
            else:
                writer.cancel()
                try:
                    await writer
                except asyncio.CancelledError:
                    pass


async def _read_loop(
    host: ActorHost,
    runtime: ActorRuntime,
    ws: WebSocket,
    codec: Codec,
    conn: ConnContext,
    outbox: WsOutbox,
    actions: set[asyncio.Task[None]],
) -> None:
    limit = host.limits.max_incoming
    while not outbox.closed:
        message = await ws.receive()
        if message["type"] == "websocket.disconnect":
            return
        data: bytes | str | None = message.get("bytes")
        if data is None:
            data = message.get("text")
        if data is None:
            continue
        if _size(data) > limit:
            outbox.close(1011, "message.incoming_too_long")
            return
        try:
            msg = codec.decode_to_server(data)
        except MalformedMessage:
            outbox.close(1011, "actor.invalid_request")
            return
        if isinstance(msg, SubscriptionRequest):
            if msg.subscribe:
                if not await _may_subscribe(runtime, conn, outbox, msg.event_name):
                    return
                conn.subscriptions.add(msg.event_name)
            else:
                conn.subscriptions.discard(msg.event_name)
        elif isinstance(msg, ActionRequest):
            if len(actions) >= host.limits.max_pending_actions:
                outbox.send_message(_too_many_actions(codec, msg, host.limits.max_pending_actions))
                continue
            task = host.spawn(_action(runtime, codec, conn, outbox, msg))
            actions.add(task)
            task.add_done_callback(actions.discard)


async def _may_subscribe(
    runtime: ActorRuntime, conn: ConnContext, outbox: WsOutbox, event: str
) -> bool:
    """``can_subscribe``; a refusal closes the connection (``1011 auth.forbidden``), as in
    RivetKit 2.3.19."""
    try:
        runtime = await runtime.host.live(runtime)
    except RivetError as err:
        outbox.close(1011, err.reason)
        return False
    if getattr(runtime.instance, "can_subscribe", None) is None:
        return True
    try:
        await runtime.locked(lambda: runtime.check_guard("can_subscribe", conn, event))
    except RivetError as err:
        outbox.close(1011, err.reason)
        return False
    return True


def _too_many_actions(codec: Codec, req: ActionRequest, limit: int) -> bytes | str:
    err = RivetError(
        "actor",
        "too_many_pending_actions",
        f"More than {limit} actions are pending on this connection; this one was not run.",
        {"limit": limit},
    )
    return codec.encode_to_client(Error(err.group, err.code, err.message, err.metadata, req.id))


_DROPPED: Final = object()


async def _action(
    runtime: ActorRuntime, codec: Codec, conn: ConnContext, outbox: WsOutbox, req: ActionRequest
) -> None:
    async def run() -> Any:
        # The socket closed while this action waited for its turn: drop it (never applied,
        # never answered). RivetKit never cancels an action that has started; neither do we.
        if outbox.peer_gone:
            return _DROPPED
        return await runtime.run_action(conn, req.name, req.args)

    try:
        # The actor may have slept since the socket opened: this wakes it (hibernation).
        runtime = await runtime.host.live(runtime)
        output = await runtime.locked(run)
        if output is _DROPPED:
            return
        try:
            data = codec.encode_to_client(ActionResponse(req.id, output))
        except (TypeError, ValueError) as exc:
            raise public_error(exc, where=f"encoding the output of action {req.name!r}") from None
    except RivetError as err:
        outbox.send_message(
            codec.encode_to_client(
                Error(err.group, err.code, err.message, err.metadata, req.id, runtime.specifier)
            )
        )
        return
    if _size(data) > outbox.max_outgoing:
        too_long = RivetError.outgoing_too_long()
        data = codec.encode_to_client(
            Error(too_long.group, too_long.code, too_long.message, None, req.id)
        )
    outbox.send_message(data)


async def _raw_socket(runtime: ActorRuntime, ws: WebSocket, scope: Scope) -> None:
    handler = getattr(runtime.instance, "on_websocket", None)
    if handler is None:
        await _close(ws, 1011, "handler.websocket_not_defined")
        return
    _, params, _ = _parse_subprotocols(ws.scope, runtime.host.limits.max_json_depth)
    # The actor closes the socket when it sleeps or is destroyed (RivetKit: 1000 actor.stopped).
    holder: dict[str, Any] = {}

    def closer(code: int, reason: str) -> None:
        holder["close"] = (code, reason)
        task = holder.get("task")
        if task is not None:
            task.cancel()

    try:
        upgrade = Request({**scope, "type": "http", "method": "GET"})
        conn = await runtime.locked(
            lambda: runtime.open_conn(params, None, request=upgrade, closer=closer)
        )
    except RivetError as err:
        await _close(ws, 1011, err.reason)
        return
    inner = WebSocket(scope, ws.receive, ws.send)
    inner.client_state = ws.client_state
    inner.application_state = ws.application_state
    task = asyncio.ensure_future(call_user(handler, ActionContext(runtime, conn), inner))
    holder["task"] = task
    try:
        await task
    except WebSocketDisconnect:
        pass
    except asyncio.CancelledError:
        if "close" not in holder:
            raise
    except Exception as exc:
        public_error(exc, where=f"on_websocket of actor {runtime.record.name}")
        await _close(inner, 1011, "rivetkit.internal_error")
    finally:
        await runtime.host.forget_conn(runtime, conn)
        code, reason = holder.get("close", (1000, ""))
        await _close(inner, code, reason)
