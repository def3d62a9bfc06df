"""What actor code sees: :class:`ActorContext`, :class:`ActionContext`, :class:`ConnContext`."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from actorbind.protocol import Event

from .errors import RivetError
from .wire import server_codec

if TYPE_CHECKING:
    from starlette.requests import Request

    from .queues import ActorQueue
    from .runtime import ActorRuntime
    from .schedule import Schedule

__all__ = ["ActionContext", "ActorContext", "ConnContext", "Outbox"]

_T = TypeVar("_T")


class Outbox(Protocol):
    """Where a WebSocket connection's outgoing messages go, already encoded, in order."""

    @property
    def encoding(self) -> str: ...

    def send_encoded(self, data: bytes | str) -> None: ...


class ConnContext:
    """One client connection: a WebSocket, or the short-lived connection of an HTTP call.

    Attributes:
        id: the connection id (a UUID, sent to the client in ``Init``).
        params: the connection params the client sent (``None`` if none).
        state: what ``create_conn_state`` returned (``None`` if the actor has no such hook).
    """

    __slots__ = ("id", "outbox", "params", "state", "subscriptions")

    def __init__(self, conn_id: str, params: Any, outbox: Outbox | None) -> None:
        self.id = conn_id
        self.params = params
        self.state: Any = None
        self.subscriptions: set[str] = set()
        self.outbox = outbox

    @property
    def is_websocket(self) -> bool:
        """Whether this is a WebSocket connection (not a stateless HTTP call)."""
        return self.outbox is not None

    def send(self, event: str, *args: Any) -> None:
        """Send an event to this connection only (dropped for HTTP calls).

        Raises:
            TypeError, ValueError: an argument cannot travel (see the compat value layer).
        """
        if self.outbox is not None:
            codec = server_codec(self.outbox.encoding)
            assert codec is not None
            self.outbox.send_encoded(codec.encode_to_client(Event(event, list(args))))

    def __repr__(self) -> str:
        kind = "ws" if self.is_websocket else "http"
        return f"<ConnContext {kind} {self.id}>"


class ActorContext:
    """The actor as its hooks and queue handlers see it."""

    __slots__ = ("_request", "_runtime")

    def __init__(self, runtime: ActorRuntime, request: Request | None = None) -> None:
        self._runtime = runtime
        self._request = request

    @property
    def request(self) -> Request | None:
        """In ``on_before_connect`` and ``create_conn_state``: the HTTP request (an action, a
        queue send, a raw request) or the WebSocket upgrade (method ``GET``), with the path
        the actor sees (``/action/x``, ``/connect``). ``None`` elsewhere."""
        return self._request

    @property
    def vars(self) -> Any:
        """Ephemeral per-start values (``create_vars``): never stored, rebuilt on wake."""
        return self._runtime.vars

    @vars.setter
    def vars(self, value: Any) -> None:
        self._runtime.vars = value

    @property
    def state(self) -> Any:
        """The actor's state: mutate it in place or assign a new value; it is persisted.

        Raises:
            RivetError: ``actor.state_not_enabled`` on a stateless actor.
        """
        if self._runtime.cls.__stateless__:
            raise RivetError.state_not_enabled()
        return self._runtime.instance.state

    @state.setter
    def state(self, value: Any) -> None:
        if self._runtime.cls.__stateless__:
            raise RivetError.state_not_enabled()
        self._runtime.instance.state = value

    @property
    def actor_id(self) -> str:
        """This actor's id."""
        return self._runtime.record.actor_id

    @property
    def name(self) -> str:
        """This actor's name (its type in the registry)."""
        return self._runtime.record.name

    @property
    def key(self) -> tuple[str, ...]:
        """This actor's key."""
        return self._runtime.record.key

    @property
    def conns(self) -> Mapping[str, ConnContext]:
        """The live connections by id (WebSockets, plus HTTP calls in progress)."""
        return MappingProxyType(self._runtime.conns)

    @property
    def queue(self) -> ActorQueue:
        """Pull messages: ``await ctx.queue.next(["jobs"], timeout=5, completable=True)``,
        ``next_batch(...)``, ``async for m in ctx.queue.iter(...)`` (see :mod:`.queues`)."""
        return self._runtime.queue

    @property
    def schedule(self) -> Schedule:
        """``await ctx.schedule.after(seconds, "action", *args)`` / ``at(timestamp, ...)``: a
        stored call of one of this actor's actions, which wakes it if it sleeps."""
        return self._runtime.schedule

    def sleep(self) -> None:
        """Put the actor to sleep once the work in flight is done (``on_sleep`` runs; the next
        request wakes it; open WebSockets stay open, as RivetKit's hibernation)."""
        self._runtime.request_sleep()

    def keep_awake(self, awaitable: Awaitable[_T]) -> asyncio.Task[_T]:
        """Run ``awaitable`` as a task; the actor does not sleep before it is done."""
        return self._runtime.keep_awake(awaitable)

    def wait_until(self, awaitable: Awaitable[Any]) -> None:
        """Like :meth:`keep_awake`, fire and forget: a sleep waits for it (bounded)."""
        self._runtime.keep_awake(awaitable)

    def destroy(self) -> None:
        """Destroy this actor once the work in flight (this action included) is done:
        ``on_destroy`` runs, sockets close (``1000``), the key is free for a new actor."""
        self._runtime.request_destroy()

    def client(self) -> Any:
        """A client for other actors (an ``actorbind.Client``), shared by the server's actors.

        The server never imports the client: ``serve(registry, client=create_client)`` (or
        ``create_app(..., client=..., endpoint=...)``) injects the factory.

        Raises:
            RuntimeError: no client factory was given.
        """
        return self._runtime.host.client()

    def broadcast(self, event: str, *args: Any) -> None:
        """Send an event to every connection subscribed to ``event``."""
        self._runtime.broadcast(Event(event, list(args)))


class ActionContext(ActorContext):
    """The actor as an action sees it, with the calling connection."""

    __slots__ = ("_conn",)

    def __init__(self, runtime: ActorRuntime, conn: ConnContext) -> None:
        super().__init__(runtime)
        self._conn = conn

    @property
    def conn(self) -> ConnContext:
        """The connection that made this call."""
        return self._conn
