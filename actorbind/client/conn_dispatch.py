"""Where the connection machine's events meet the user: a reply its caller, an event its
``on`` listeners, a status change the handlers.

:class:`ConnDispatch` keeps what waits on a connection (the futures and in-order callbacks of
calls in flight, by action id; the listeners of each event; the status, error, open and close
handlers; the ``ready`` future) and settles it from
:meth:`~actorbind.protocol.ConnectionProtocol.events_received`. It does no I/O: the socket's
frames and ``CloseSocket`` go back to :class:`~actorbind.client.conn.ActorConn` through
``close_socket`` and ``pump``.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from ..protocol.connection import (
    ActionFailed,
    ActionSucceeded,
    Closed,
    CloseSocket,
    ConnectionProtocol,
    ConnEvent,
    ConnStatus,
    ErrorRaised,
    EventArrived,
    Opened,
    ScheduleReconnect,
    StatusChanged,
)
from ..protocol.errors import ConnDisposed, actor_error
from .callbacks import CallbackRunner, Unsubscribe
from .conn_log import ConnLog
from .context import ClientContext

__all__ = ["ConnDispatch"]


class ConnDispatch:
    """The waiting side of one connection; ``pump`` makes the connection act on its machine
    again (after a subscription changed), ``close_socket(code, reason)`` closes its socket."""

    def __init__(
        self,
        proto: ConnectionProtocol,
        ctx: ClientContext,
        log: ConnLog,
        invoke: CallbackRunner,
        *,
        pump: Callable[[], None],
        close_socket: Callable[[int, str], None],
    ) -> None:
        self._proto = proto
        self._ctx = ctx
        self._log = log
        self._invoke = invoke
        self._pump = pump
        self._close_socket = close_socket
        self.futures: dict[int, asyncio.Future[Any]] = {}
        self.in_order: dict[int, Callable[[Any, Exception | None], Any]] = {}
        self.listeners: defaultdict[str, list[tuple[Callable[..., Any], bool]]] = defaultdict(list)
        self.status_handlers: list[Callable[[ConnStatus], Any]] = []
        self.error_handlers: list[Callable[[Exception], Any]] = []
        self.open_handlers: list[Callable[[], Any]] = []
        self.close_handlers: list[Callable[[], Any]] = []
        self.ready: asyncio.Future[None] | None = None
        self.last_error: Exception | None = None
        self.reconnect_delay: float | None = None  # set by ScheduleReconnect, taken by the run

    def listen(self, event: str, callback: Callable[..., Any], once: bool) -> Unsubscribe:
        """Add a listener; the first of an event subscribes to it, the last one out withdraws."""
        entry = (callback, once)
        listeners = self.listeners[event]
        listeners.append(entry)
        if len(listeners) == 1:
            self._proto.subscribe(event)
            self._pump()

        def off() -> None:
            current = self.listeners.get(event)
            if current is None or entry not in current:
                return
            current.remove(entry)
            if not current:
                del self.listeners[event]
                self._proto.unsubscribe(event)
                self._pump()

        return off

    def handle(self, events: Iterable[ConnEvent]) -> None:
        """Settle what the machine's ``events`` decide, in their order."""
        for event in events:
            # Hot path first: events and replies are nearly all of a busy connection's traffic.
            if type(event) is EventArrived:
                self._dispatch_event(event.name, event.args)
            elif type(event) is ActionSucceeded:
                future = self.futures.pop(event.id, None)
                if future is not None:
                    if not future.done():
                        future.set_result(event.output)
                elif event.id in self.in_order:
                    self._invoke(self.in_order.pop(event.id), event.output, None)
            elif isinstance(event, ActionFailed):
                future = self.futures.pop(event.id, None)
                if future is not None:
                    if not future.done():
                        future.set_exception(event.error)
                elif event.id in self.in_order:
                    self._invoke(self.in_order.pop(event.id), None, event.error)
            elif isinstance(event, StatusChanged):
                self._log.status(event.previous, event.status)
                self._on_status(event.status)
            elif isinstance(event, Opened):
                self._log.connected(event.actor_id)
                self.last_error = None
                if self.ready is not None and not self.ready.done():
                    self.ready.set_result(None)
                for open_cb in list(self.open_handlers):
                    self._invoke(open_cb)
            elif isinstance(event, Closed):
                for close_cb in list(self.close_handlers):
                    self._invoke(close_cb)
            elif isinstance(event, ErrorRaised):
                self.last_error = event.error
                for error_cb in list(self.error_handlers):
                    self._invoke(error_cb, event.error)
            elif isinstance(event, ScheduleReconnect):
                self._log.retry(self._ctx.management.endpoint, self.last_error, event.delay)
                self.reconnect_delay = event.delay
            elif isinstance(event, CloseSocket):
                self._close_socket(event.code, event.reason)

    def _on_status(self, status: ConnStatus) -> None:
        gave_up = self._proto.gave_up
        if status is ConnStatus.IDLE and gave_up is not None:
            self._log.gave_up(gave_up)
        if status is ConnStatus.IDLE and self.ready is not None and not self.ready.done():
            error: Exception = (
                ConnDisposed()
                if self._proto.disposed
                else (self.last_error or actor_error("client", "connection_open_failed", "gave up"))
            )
            self.ready.set_exception(error)
        for status_cb in list(self.status_handlers):
            self._invoke(status_cb, status)

    def _dispatch_event(self, name: str, args: list[Any]) -> None:
        listeners = self.listeners.get(name)
        if not listeners:
            return
        for entry in list(listeners):
            callback, once = entry
            if once and entry in listeners:
                listeners.remove(entry)
            self._invoke(callback, *args)
        if not listeners and name in self.listeners:
            del self.listeners[name]
            self._proto.unsubscribe(name)
            self._pump()
