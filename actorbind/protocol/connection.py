"""The actor connection as a sans-I/O state machine.

:class:`ConnectionProtocol` holds everything about an actor connection that is not I/O: the
status, the pending and queued actions, the event subscriptions, what a close means and when
to reconnect. The I/O layer feeds it what happened (:meth:`~ConnectionProtocol.attempt_started`,
:meth:`~ConnectionProtocol.receive`, :meth:`~ConnectionProtocol.socket_closed`, ...), sends
what :meth:`~ConnectionProtocol.data_to_send` returns and acts on
:meth:`~ConnectionProtocol.events_received`. No asyncio, no sockets, no clocks: tests drive it
with bytes.

Behaviour follows RivetKit's TypeScript client (``actor-conn.ts``), with three deliberate
improvements, all listed in ``docs/behaviour.md``:

* an action is "in flight" only once it was written to a socket; actions made while
  disconnected stay queued across reconnect attempts instead of failing;
* network failures (refused, reset, close 1006) are retried with backoff, on the first connect
  too, so a desktop app survives a server restart; definite rejections (auth, bad request)
  are not;
* a frame that cannot be decoded fails the socket (and reconnects) instead of being dropped,
  so no action waits forever for a lost reply.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .codecs import Codec
from .errors import (
    ActorError,
    ConnDisposed,
    ConnectionLost,
    InvalidState,
    MalformedMessage,
    MessageTooLong,
    actor_error,
)
from .messages import (
    ActionRequest,
    ActionResponse,
    Error,
    Event,
    Init,
    SubscriptionRequest,
    ToClient,
)
from .retry import Backoff, Classifier, classify, is_retryable

__all__ = [
    "ActionFailed",
    "ActionSucceeded",
    "CloseSocket",
    "ConnEvent",
    "ConnStatus",
    "ConnectionProtocol",
    "ErrorRaised",
    "EventArrived",
    "Opened",
    "ScheduleReconnect",
    "StatusChanged",
    "parse_close_reason",
]


class ConnStatus(enum.StrEnum):
    """Connection status, with upstream's values."""

    IDLE = "idle"
    """Not connected and not trying (before start, after dispose or a definite failure)."""
    CONNECTING = "connecting"
    """A socket is being opened, or waits for the server's ``Init``."""
    CONNECTED = "connected"
    """``Init`` arrived: actions and events flow."""
    DISCONNECTED = "disconnected"
    """The connection dropped; a reconnect is scheduled."""


# --- outputs ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StatusChanged:
    status: ConnStatus
    previous: ConnStatus


@dataclass(frozen=True, slots=True)
class Opened:
    """``Init`` arrived (fires ``on_open``)."""

    actor_id: str
    connection_id: str


@dataclass(frozen=True, slots=True)
class Closed:
    """A connected connection stopped being connected (fires ``on_close``)."""


ActionSucceeded = ActionResponse
"""A reply to an action (``id``, ``output``): the decoded message itself, not a copy."""


@dataclass(frozen=True, slots=True)
class ActionFailed:
    id: int
    error: Exception


EventArrived = Event
"""An event (``name``, ``args``): the decoded message itself, not a copy (one object per event)."""


@dataclass(frozen=True, slots=True)
class ErrorRaised:
    """A connection-level error (fires ``on_error``)."""

    error: Exception


@dataclass(frozen=True, slots=True)
class ScheduleReconnect:
    """Open a new socket after ``delay`` seconds (then call ``attempt_started``)."""

    delay: float


@dataclass(frozen=True, slots=True)
class CloseSocket:
    """Close the current socket with this code and reason."""

    code: int
    reason: str


ConnEvent = (
    StatusChanged
    | Opened
    | Closed
    | ActionSucceeded
    | ActionFailed
    | EventArrived
    | ErrorRaised
    | ScheduleReconnect
    | CloseSocket
)


def parse_close_reason(reason: str) -> tuple[str, str, str | None] | None:
    """``"group.code#rayId"`` -> ``(group, code, ray_id)``; ``None`` if not in that form."""
    main, _, ray = reason.partition("#")
    group, dot, code = main.partition(".")
    if not group or not dot or not code or "." in code:
        return None
    return group, code, ray or None


# --- the machine ----------------------------------------------------------------------------


class ConnectionProtocol:
    """State of one actor connection across sockets (a new socket per attempt)."""

    def __init__(
        self,
        codec: Codec,
        *,
        query_target: bool = True,
        backoff: Backoff | None = None,
        retry: Classifier = classify,
        max_message_size: int | None = 65536,
    ) -> None:
        self._codec = codec
        self._query_target = query_target
        self._backoff = backoff or Backoff()
        self._retry = retry
        self._max_message_size = max_message_size
        self.status = ConnStatus.IDLE
        self.actor_id: str | None = None
        self.connection_id: str | None = None
        self.disposed = False
        self._next_id = 0
        self._queued: list[tuple[int, bytes | str]] = []  # (id, frame) not yet on a socket
        self._queued_names: dict[int, str] = {}
        self._in_flight: dict[int, str] = {}  # id -> action name, written to the current socket
        self._subscriptions: set[str] = set()
        self._outbox: list[bytes | str] = []
        self._events: list[ConnEvent] = []
        self._failures = 0
        self._socket_open = False
        self._socket_error: Exception | None = None  # connection-level Error on this socket
        self._had_init = False
        self._gave_up: ActorError | None = None  # set while idle after a definite failure

    # --- outputs ----------------------------------------------------------------------

    def data_to_send(self) -> list[bytes | str]:
        """Frames to write to the current socket, in order."""
        out, self._outbox = self._outbox, []
        return out

    def events_received(self) -> list[ConnEvent]:
        """What happened since the last call, in order."""
        out, self._events = self._events, []
        return out

    @property
    def subscriptions(self) -> frozenset[str]:
        return frozenset(self._subscriptions)

    @property
    def pending_actions(self) -> int:
        """Actions waiting for a reply or for a socket."""
        return len(self._in_flight) + len(self._queued)

    # --- lifecycle inputs -------------------------------------------------------------

    def attempt_started(self) -> None:
        """The I/O layer is about to open a socket (the first one, or a reconnect)."""
        self._check_alive()
        self._socket_open = False
        self._socket_error = None
        self._had_init = False
        self._set_status(ConnStatus.CONNECTING)

    def socket_opened(self) -> None:
        """The WebSocket handshake succeeded. Not yet "connected": that needs ``Init``."""
        self._check_alive()
        self._socket_open = True

    def receive(self, data: bytes | str) -> None:
        """A frame arrived on the current socket."""
        self.receive_all((data,))

    def receive_all(self, frames: Sequence[bytes | str]) -> None:
        """Frames that arrived together on the current socket, in order: :meth:`receive`
        for each, with the per-frame overhead of the fan-in hot path taken out."""
        decode = self._codec.decode_to_client
        for data in frames:
            if self.disposed or not self._socket_open:
                return
            try:
                msg = decode(data)
            except MalformedMessage as exc:
                self._fail_socket(exc, 1002, "malformed message")
                continue
            if type(msg) is Event:
                self._events.append(msg)  # an EventArrived
            else:
                self._receive_message(msg)

    def _receive_message(self, msg: ToClient) -> None:
        if isinstance(msg, Init):
            self._on_init(msg)
        elif isinstance(msg, ActionResponse):
            if self._in_flight.pop(msg.id, None) is None:
                self._fail_socket(
                    MalformedMessage(f"reply to unknown action id {msg.id}"), 1002, "unknown id"
                )
                return
            self._events.append(msg)  # an ActionSucceeded
        elif isinstance(msg, Event):
            self._events.append(msg)  # an EventArrived
        else:
            self._on_error(msg)

    def socket_closed(self, code: int | None, reason: str = "") -> None:
        """The current socket closed (or the handshake failed with a close frame)."""
        if self.disposed:
            return
        error: Exception
        parsed = parse_close_reason(reason) if reason else None
        if self._socket_error is not None:
            error = self._socket_error
        elif parsed is not None:
            group, err_code, ray = parsed
            error = actor_error(group, err_code, f"Connection closed: {reason}", ray_id=ray)
        else:
            what = "Connection closed" if code in (1000, 1001) else "Connection lost"
            error = ConnectionLost(f"{what} (code: {code}, reason: {reason})", code, reason)
        self._lost(error)

    def attempt_failed(self, error: Exception) -> None:
        """Opening the socket failed before any close frame (refused, DNS, handshake)."""
        if self.disposed:
            return
        self._lost(error)

    def dispose(self) -> None:
        """Stop for good: pending and queued actions fail with :class:`ConnDisposed`."""
        if self.disposed:
            return
        was_open = self._socket_open
        self.disposed = True
        self._set_status(ConnStatus.IDLE)
        self._reject_all(ConnDisposed())
        self._socket_open = False
        self._outbox.clear()
        if was_open:
            self._events.append(CloseSocket(1000, "Disposed"))

    # --- user inputs ------------------------------------------------------------------

    def call(self, name: str, args: list[Any]) -> int:
        """Start an action; its outcome arrives as ActionSucceeded/ActionFailed with this id.

        Raises:
            ConnDisposed: the connection was disposed.
            TypeError, ValueError: the args cannot be encoded.
            MessageTooLong: the encoded request is over the server's incoming limit.
        """
        self._check_alive()
        action_id = self._next_id
        frame = self._codec.encode_to_server(ActionRequest(action_id, name, list(args)))
        size = len(frame.encode("utf-8")) if isinstance(frame, str) else len(frame)
        if self._max_message_size is not None and size > self._max_message_size:
            raise MessageTooLong(
                "message",
                "incoming_too_long",
                f"action request is {size} bytes, over the limit of {self._max_message_size}",
            )
        self._next_id += 1
        if self._gave_up is not None:
            # Idle after a definite failure: nothing would ever send it (until restart()).
            self._events.append(ActionFailed(action_id, self._gave_up))
        elif self.status is ConnStatus.CONNECTED and self._socket_open:
            self._in_flight[action_id] = name
            self._outbox.append(frame)
        else:
            self._queued.append((action_id, frame))
            self._queued_names[action_id] = name
        return action_id

    def is_queued(self, action_id: int) -> bool:
        """Whether the action still waits for a socket (not written to one yet)."""
        return action_id in self._queued_names

    def fail_queued(self, action_id: int, error: Exception) -> bool:
        """Fail an action that still waits for a socket (the I/O layer's connect timeout).

        Returns whether it was queued; an action already written to a socket is left alone.
        """
        if self._queued_names.pop(action_id, None) is None:
            return False
        self._queued = [entry for entry in self._queued if entry[0] != action_id]
        self._events.append(ActionFailed(action_id, error))
        return True

    def subscribe(self, event_name: str) -> None:
        """The first listener for ``event_name`` appeared: ask the server for it."""
        self._check_alive()
        if event_name in self._subscriptions:
            return
        self._subscriptions.add(event_name)
        self._send_subscription(event_name, True)

    def unsubscribe(self, event_name: str) -> None:
        """The last listener for ``event_name`` went away (never sent after dispose)."""
        if event_name not in self._subscriptions:
            return
        self._subscriptions.discard(event_name)
        if not self.disposed:
            self._send_subscription(event_name, False)

    # --- internals --------------------------------------------------------------------

    def _check_alive(self) -> None:
        if self.disposed:
            raise ConnDisposed()

    def _set_status(self, status: ConnStatus) -> None:
        previous = self.status
        if previous is status:
            return
        self.status = status
        self._events.append(StatusChanged(status, previous))
        if previous is ConnStatus.CONNECTED:
            self._events.append(Closed())

    def _send_subscription(self, name: str, subscribe: bool) -> None:
        # Ephemeral, like upstream: subscriptions are replayed after every Init anyway.
        if self.status is ConnStatus.CONNECTED and self._socket_open:
            self._outbox.append(self._codec.encode_to_server(SubscriptionRequest(name, subscribe)))

    def _on_init(self, msg: Init) -> None:
        if self._had_init:
            self._fail_socket(MalformedMessage("second Init on one socket"), 1002, "duplicate init")
            return
        self._had_init = True
        self.actor_id, self.connection_id = msg.actor_id, msg.connection_id
        self._failures = 0
        self._set_status(ConnStatus.CONNECTED)
        self._events.append(Opened(msg.actor_id, msg.connection_id))
        for name in sorted(self._subscriptions):
            self._send_subscription(name, True)
        queued, self._queued = self._queued, []
        for action_id, frame in queued:
            self._in_flight[action_id] = self._queued_names.pop(action_id)
            self._outbox.append(frame)

    def _on_error(self, msg: Error) -> None:
        err = actor_error(msg.group, msg.code, msg.message, msg.metadata, msg.actor)
        if msg.action_id is not None:
            if self._in_flight.pop(msg.action_id, None) is None:
                self._fail_socket(
                    MalformedMessage(f"error for unknown action id {msg.action_id}"),
                    1002,
                    "unknown id",
                )
                return
            self._events.append(ActionFailed(msg.action_id, err))
            return
        # Connection-level: everything on this socket fails; a close frame follows.
        self._socket_error = err
        self._reject_in_flight(err)
        self._events.append(ErrorRaised(err))

    def _fail_socket(self, error: Exception, code: int, reason: str) -> None:
        """This socket is unusable: close it and treat it as lost."""
        self._events.append(CloseSocket(code, reason))
        self._lost(error)

    def _lost(self, error: Exception) -> None:
        if not self._socket_open and self.status is not ConnStatus.CONNECTING:
            return  # already handled for this socket (e.g. close after _fail_socket)
        was_connected = self.status is ConnStatus.CONNECTED
        reported = self._socket_error is error
        self._socket_open = False
        self._socket_error = None
        self._had_init = False
        self._outbox.clear()  # unwritten frames belonged to the dead socket
        self._set_status(ConnStatus.DISCONNECTED)
        self._reject_in_flight(error)
        if not reported:
            self._events.append(ErrorRaised(error))
        if was_connected:
            self._failures = 0
            self._events.append(ScheduleReconnect(self._backoff.first()))
        elif is_retryable(error, query_target=self._query_target, classifier=self._retry):
            self._failures += 1
            self._events.append(ScheduleReconnect(self._backoff.delay(self._failures)))
        else:
            self._give_up(error)

    def _give_up(self, error: Exception) -> None:
        if not isinstance(error, ActorError):
            error = actor_error(
                "client", "connection_open_failed", f"Failed to open connection: {error}"
            )
        self._gave_up = error
        self._reject_all(error)
        self._set_status(ConnStatus.IDLE)

    def _reject_in_flight(self, error: Exception) -> None:
        for action_id in list(self._in_flight):
            self._events.append(ActionFailed(action_id, error))
        self._in_flight.clear()

    def _reject_all(self, error: Exception) -> None:
        self._reject_in_flight(error)
        for action_id, _ in self._queued:
            self._events.append(ActionFailed(action_id, error))
        self._queued.clear()
        self._queued_names.clear()

    def restart(self) -> None:
        """Leave ``idle`` after a definite failure and try again (a user's explicit retry)."""
        self._check_alive()
        if self.status is not ConnStatus.IDLE:
            raise InvalidState(f"cannot restart a connection that is {self.status.value}")
        self._failures = 0
        self._gave_up = None

    @property
    def gave_up(self) -> ActorError | None:
        """Why the connection gave up (status ``idle`` until :meth:`restart`), else ``None``."""
        return self._gave_up
