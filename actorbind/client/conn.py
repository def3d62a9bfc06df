"""``ActorConn``: the asyncio driver of :class:`~actorbind.protocol.ConnectionProtocol`.

It owns the socket (attempts, reconnects, closing) and writes what the machine sends; what the
machine's events settle (replies, events, status, handlers) is :mod:`.conn_dispatch`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar, cast

from ..protocol.connection import ConnectionProtocol, ConnStatus
from ..protocol.errors import ActorError, ConnDisposed, ConnectTimeout, InvalidState
from ..protocol.http import socket_protocols
from ..transport.websocket import Socket
from .callbacks import CallbackRunner, Unsubscribe, add_handler, consume
from .conn_dispatch import ConnDispatch
from .conn_log import ConnLog
from .context import ClientContext
from .params import ParamsProvider, resolve_params
from .target import ActorTarget, QueueSendResult

if TYPE_CHECKING:
    from .handle import ActorHandle

__all__ = ["ActorConn", "Unsubscribe"]

T = TypeVar("T")
_END = object()


class ActorConn:
    """A persistent connection to one actor: actions over the socket, events, status.

    Made by :meth:`ActorHandle.connect` (it shares the handle's :class:`ActorTarget`); it
    connects at once and reconnects on its own.
    Use ``async with handle.connect() as conn:`` or call :meth:`dispose`.
    """

    def __init__(
        self,
        ctx: ClientContext,
        target: ActorTarget,
        handle: ActorHandle,
        params: Any,
        get_params: ParamsProvider | None,
        *,
        skip_ready_wait: bool = False,
    ) -> None:
        self._handle = handle
        self._target = target
        self._ctx = ctx
        self._params = params
        self._get_params = get_params
        self._skip_ready_wait = skip_ready_wait
        self._proto = ConnectionProtocol(
            ctx.codec,
            query_target=target.is_query,
            backoff=ctx.backoff,
            retry=ctx.retry,
            max_message_size=ctx.initial.max_message_size,
        )
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ws: Socket | None = None  # the current socket, once its handshake succeeded
        self._task: asyncio.Task[None] | None = None
        self._log = ConnLog(target.name, tuple(target.key))
        self._wakeup: asyncio.Event | None = None
        self._invoke = CallbackRunner()
        self._dispatch = ConnDispatch(
            self._proto,
            ctx,
            self._log,
            self._invoke,
            pump=self._pump,
            close_socket=self._close_socket,
        )
        self._reading: list[Callable[[], Any]] | None = None  # after-read callbacks, in a read
        ctx.conns.add(self)
        self._start()

    def __repr__(self) -> str:
        return (
            f"ActorConn(name={self._target.name!r}, key={list(self._target.key)!r}, "
            f"status={self.status.value!r})"
        )

    def __getattr__(self, name: str) -> Callable[..., Awaitable[Any]]:
        if name.startswith("_"):
            raise AttributeError(name)
        return partial(self.action, name)

    def typed(self, protocol: Callable[..., T]) -> T:
        """This connection, typed as ``protocol`` (a ``typing.Protocol`` of async actions)."""
        return cast(T, self)

    # --- state ------------------------------------------------------------------------

    @property
    def status(self) -> ConnStatus:
        """``idle``, ``connecting``, ``connected`` or ``disconnected``."""
        return self._proto.status

    @property
    def actor_id(self) -> str | None:
        """Known once connected (and at once for ``get_for_id`` handles)."""
        target = self._target
        return self._proto.actor_id or (None if target.is_query else target.resolved_id)

    @property
    def connection_id(self) -> str | None:
        """The server's id of this connection (None until connected)."""
        return self._proto.connection_id

    @property
    def disposed(self) -> bool:
        """Whether :meth:`dispose` was called (the connection is then closed for good)."""
        return self._proto.disposed

    @property
    def last_error(self) -> Exception | None:
        """The last connection-level error (cleared when connected again)."""
        return self._dispatch.last_error

    @property
    def handle(self) -> ActorHandle:
        """The handle this connection was made from."""
        return self._handle

    async def ready(self, timeout: float | None = None) -> None:
        """Wait until connected (the server's ``Init`` arrived), at most ``timeout`` seconds.

        ``timeout=None`` uses the client's ``connect_timeout`` (30 s unless configured; a
        client made with ``connect_timeout=None`` waits forever). The connection keeps trying
        after a timeout.

        Raises:
            ConnectTimeout: not connected in time (names the endpoint and the last error).
            ActorError: the connection gave up (status ``idle``) before connecting on a
                definite rejection (``user.unauthorized``, ...): that error.
            Exception: it gave up on another error, one that a ``retry=`` policy of
                ``create_client`` calls ``FATAL`` (e.g. a ``TransportError`` for a refused
                socket): that error as it was raised (queued actions fail with
                ``client.connection_open_failed`` then).
            ConnDisposed: it was disposed first.
        """
        ready = self._dispatch.ready
        assert ready is not None
        bound = self._ctx.initial.connect_timeout if timeout is None else timeout
        if bound is None or ready.done():
            await asyncio.shield(ready)
            return
        try:
            async with asyncio.timeout(bound):
                await asyncio.shield(ready)
        except TimeoutError:
            if ready.done():  # settled just as the timer fired
                return await ready
            raise self._timeout_error(bound) from self._dispatch.last_error

    def _timeout_error(self, bound: float) -> ConnectTimeout:
        return ConnectTimeout(
            self._target.name,
            endpoint=self._ctx.management.endpoint,
            timeout=bound,
            last_error=self._dispatch.last_error,
        )

    # --- listeners --------------------------------------------------------------------

    def on(self, event: str, callback: Callable[..., Any]) -> Unsubscribe:
        """Call ``callback(*args)`` for each ``event``; returns a function that unsubscribes."""
        if self.disposed:
            raise ConnDisposed()
        return self._dispatch.listen(event, callback, once=False)

    def once(self, event: str, callback: Callable[..., Any]) -> Unsubscribe:
        """Like :meth:`on`, for the next event only."""
        if self.disposed:
            raise ConnDisposed()
        return self._dispatch.listen(event, callback, once=True)

    async def events(self, event: str) -> AsyncIterator[list[Any]]:
        """Iterate over the args of each ``event`` until the connection is disposed."""
        queue: asyncio.Queue[Any] = asyncio.Queue()
        off = self.on(event, lambda *args: queue.put_nowait(list(args)))
        off_idle = self.on_status_change(
            lambda status: queue.put_nowait(_END) if self.disposed else None
        )
        try:
            while True:
                item = await queue.get()
                if item is _END:
                    return
                yield item
        finally:
            off()
            off_idle()

    def on_status_change(self, callback: Callable[[ConnStatus], Any]) -> Unsubscribe:
        """Call ``callback(status)`` on every status change; returns the unsubscribe function."""
        return add_handler(self._dispatch.status_handlers, callback)

    def on_error(self, callback: Callable[[Exception], Any]) -> Unsubscribe:
        """``callback(error)`` for connection-level errors (:class:`ActorError` or transport)."""
        return add_handler(self._dispatch.error_handlers, callback)

    def on_open(self, callback: Callable[[], Any]) -> Unsubscribe:
        """``callback()`` each time the connection becomes connected (soon, if it is now)."""
        off = add_handler(self._dispatch.open_handlers, callback)
        if self.status is ConnStatus.CONNECTED and self._loop is not None:
            self._loop.call_soon(
                lambda: self._invoke(callback) if callback in self._dispatch.open_handlers else None
            )
        return off

    def on_close(self, callback: Callable[[], Any]) -> Unsubscribe:
        """``callback()`` each time a connected connection stops being connected."""
        return add_handler(self._dispatch.close_handlers, callback)

    # --- actions ----------------------------------------------------------------------

    async def action(self, name: str, *args: Any) -> Any:
        """Call an action over the socket (queued until connected, at most the client's
        ``connect_timeout``).

        Raises:
            ActorError: the actor answered with an error, or the connection gave up.
            ConnectTimeout: it waited ``connect_timeout`` for the connection and was not sent.
            ConnectionLost: the socket dropped while the call was in flight.
            ConnDisposed: the connection was (or got) disposed.
        """
        proto = self._proto
        action_id = proto.call(name, list(args))
        loop = self._loop
        assert loop is not None
        future: asyncio.Future[Any] = loop.create_future()
        self._dispatch.futures[action_id] = future
        bound = self._ctx.initial.connect_timeout
        if bound is not None and proto.is_queued(action_id):
            timer = loop.call_later(bound, self._expire, action_id, bound)
            future.add_done_callback(lambda _: timer.cancel())
        self._pump()
        return await future

    def action_in_order(
        self,
        name: str,
        args: Sequence[Any],
        on_done: Callable[[Any, Exception | None], Any],
    ) -> None:
        """Call an action over the socket; ``on_done(output, error)`` gets its outcome in the
        socket's order.

        ``on_done`` runs (on the loop thread) exactly where the reply sits in the stream of
        messages: every event the server sent before the reply has been dispatched to the
        ``on`` listeners, none sent after it. Awaiting :meth:`action` cannot promise that (the
        awaiting task resumes a loop turn later). ``error`` is ``None`` on success; otherwise
        the same errors :meth:`action` raises (then ``output`` is ``None``).

        Raises:
            ConnDisposed, TypeError, ValueError, MessageTooLong: as :meth:`action`, at once.
        """
        proto = self._proto
        action_id = proto.call(name, list(args))
        self._dispatch.in_order[action_id] = on_done
        bound = self._ctx.initial.connect_timeout
        if bound is not None and proto.is_queued(action_id):
            assert self._loop is not None
            # Not cancelled when answered: firing then is a no-op (fail_queued finds nothing).
            self._loop.call_later(bound, self._expire, action_id, bound)
        self._pump()

    def _expire(self, action_id: int, bound: float) -> None:
        error = self._timeout_error(bound)
        error.__cause__ = self._dispatch.last_error
        if self._proto.fail_queued(action_id, error):
            self._log.timed_out(error)
            self._pump()

    async def send(
        self, name: str, body: Any = None, *, wait: bool = False, timeout: float | None = None
    ) -> QueueSendResult | None:
        """Send to the actor's queue ``name`` (over HTTP, with this connection's params)."""
        params = await self._resolve_params()
        return await self._target.send_queue(name, body, wait=wait, timeout=timeout, params=params)

    # --- lifecycle --------------------------------------------------------------------

    def _start(self) -> None:
        try:
            self._loop = self._invoke.loop = asyncio.get_running_loop()
        except RuntimeError:
            self._ctx.conns.discard(self)
            raise InvalidState("connect() needs a running asyncio event loop") from None
        ready = self._dispatch.ready = self._loop.create_future()
        ready.add_done_callback(consume)
        self._wakeup = asyncio.Event()
        # Status is "connecting" as soon as connect() returns, like upstream.
        self._proto.attempt_started()
        self._pump()
        self._task = self._loop.create_task(self._run(), name=f"actorbind-conn-{self._target.name}")

    async def _run(self) -> None:
        delay = 0.0
        first = True
        while not self.disposed:
            if delay > 0:
                await asyncio.sleep(delay)
                if self.disposed:
                    return
            if not first:
                self._proto.attempt_started()
                self._pump()
            first = False
            self._log.attempt(self._ctx.management.endpoint)
            ws = await self._open()
            if ws is not None:
                # Messages arrive through _receive meanwhile, straight from the socket.
                await ws.wait_closed()
                if self._ws is ws:
                    self._ws = None
                self._proto.socket_closed(*ws.close_info())
            self._pump()
            if self._dispatch.reconnect_delay is None:
                if self.disposed or self.status is not ConnStatus.IDLE:
                    return
                # Gave up (definite failure): stay idle until reconnect() is called.
                assert self._wakeup is not None
                self._wakeup.clear()
                await self._wakeup.wait()
                delay = 0.0
                continue
            delay, self._dispatch.reconnect_delay = self._dispatch.reconnect_delay, None

    async def _open(self) -> Socket | None:
        try:
            params = await self._resolve_params()
            route = await self._target.connect_route(self._skip_ready_wait)
            cfg = await self._ctx.management.config()
            protocols = socket_protocols(self._ctx.codec.name, params, route.subprotocols)
            ws = await self._ctx.transport.open_websocket(
                route.url,
                protocols,
                max_size=cfg.max_incoming_message_size,
                what="connect",
                on_messages=self._receive,
            )
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if isinstance(exc, ActorError) and exc.group == "actor" and exc.code == "not_found":
                self._target.forget()
            self._proto.attempt_failed(exc)
            return None
        if self.disposed:
            ws.close(1000, "Disposed")
            await ws.wait_closed()
            return None
        self._ws = ws
        self._proto.socket_opened()
        ws.start()  # delivers what arrived with the 101, then live
        return ws

    def _receive(self, frames: list[bytes | str]) -> None:
        """Messages from the socket, in order, straight from its ``data_received``; then the
        callbacks that :meth:`_after_read` deferred to the end of this read."""
        after: list[Callable[[], Any]] = []
        self._reading = after
        try:
            self._proto.receive_all(frames)
            self._pump()
        finally:
            self._reading = None
        for callback in after:
            self._invoke(callback)

    def _after_read(self, callback: Callable[[], Any]) -> bool:
        """Run ``callback`` once every message of the socket read being handled now has been
        dispatched (for listeners that deliver what one read changed as one batch: rx's live
        state, Qt's models). Returns False outside a read: the caller acts at once."""
        reading = self._reading
        if reading is None:
            return False
        reading.append(callback)
        return True

    async def _resolve_params(self) -> Any:
        return await resolve_params(self._params, self._get_params)

    def reconnect(self) -> None:
        """Leave ``idle`` after the connection gave up, and try again now."""
        if self.disposed:
            raise ConnDisposed()
        if self.status is not ConnStatus.IDLE:
            return
        self._proto.restart()
        assert self._wakeup is not None
        self._wakeup.set()

    async def dispose(self) -> None:
        """Close with ``1000 Disposed``; pending and later calls raise :class:`ConnDisposed`.

        Idempotent. Waits for the socket to close (bounded by the close timeout).
        """
        if self.disposed:
            return
        ws = self._ws
        self._proto.dispose()
        self._pump()
        self._ctx.conns.discard(self)
        if self._task is not None and not self._task.done():
            self._task.cancel()
            await asyncio.wait([self._task])
        if ws is not None:
            ws.close(1000, "Disposed")  # a no-op if _pump already closed it so
            await ws.wait_closed()

    async def __aenter__(self) -> ActorConn:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.dispose()

    # --- plumbing ---------------------------------------------------------------------

    def _pump(self) -> None:
        """Act on what the protocol produced: send frames, settle calls, fire callbacks."""
        proto = self._proto
        frames = proto.data_to_send()
        if frames and self._ws is not None:
            # Written together on the next loop iteration. Without a socket they are dropped:
            # the protocol has already failed or re-queued what they stood for.
            self._ws.send(frames)
        self._dispatch.handle(proto.events_received())

    def _close_socket(self, code: int, reason: str) -> None:
        ws = self._ws
        if ws is None:
            return
        self._ws = None
        ws.close(code, reason)  # _run waits for it to finish and reports it
