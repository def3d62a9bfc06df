"""The actorbind exception hierarchy.

::

    ActorBindError
    ├── ActorError(group, code, message, metadata, actor)   an error the actor or gateway sent
    │   ├── ActorNotFound            actor.not_found
    │   ├── ActionNotFound           actor.action_not_found
    │   ├── ActionTimedOut           actor.action_timed_out
    │   ├── DuplicateKey             actor.duplicate_key
    │   ├── MessageTooLong           message.incoming_too_long / message.outgoing_too_long
    │   ├── Unauthorized             <any group>.unauthorized
    │   ├── Forbidden                <any group>.forbidden
    │   ├── InternalError            <any group>.internal_error (message masked by the server)
    │   └── ConnectionOpenFailed     client.connection_open_failed (gave up connecting)
    └── ClientError                  raised by actorbind itself
        ├── ConnDisposed             the connection (or client) was disposed
        ├── TransportError           the network failed (refused, reset, timed out)
        │   ├── ConnectionLost       the socket dropped while the call was in flight
        │   ├── OutcomeUnknown       an HTTP request was sent, then failed: it may have been applied
        │   └── ConnectTimeout       a connection did not connect in time (also TimeoutError)
        ├── MalformedMessage         the peer sent bytes that are not valid protocol
        └── InvalidState             a call that makes no sense in the current state

:class:`ActorError` keeps ``group``/``code``/``metadata`` exactly as the server sent them; match
on those (or the subclasses), never on the message. Params and tokens never appear in any
message or repr.
"""

from __future__ import annotations

from typing import Any, Final

from .messages import ActorSpecifier

__all__ = [
    "ActionNotFound",
    "ActionTimedOut",
    "ActorBindError",
    "ActorError",
    "ActorNotFound",
    "ClientError",
    "ConnDisposed",
    "ConnectTimeout",
    "ConnectionLost",
    "ConnectionOpenFailed",
    "DuplicateKey",
    "Forbidden",
    "InternalError",
    "InvalidState",
    "MalformedMessage",
    "MessageTooLong",
    "OutcomeUnknown",
    "TransportError",
    "Unauthorized",
    "actor_error",
]


class ActorBindError(Exception):
    """Base of every exception actorbind raises."""


class ActorError(ActorBindError):
    """An error reported by an actor or the gateway (RivetKit's ``ActorError``/``RivetError``).

    Attributes:
        group: the error group, e.g. ``"actor"``, ``"user"``, ``"guard"``.
        code: the code within the group, e.g. ``"not_found"``.
        message: the human-readable message (masked by the server for internal errors).
        metadata: structured data the actor attached (``None`` if none).
        actor: which actor produced it, when the server says.
        ray_id: the gateway's request id, when known.
    """

    def __init__(
        self,
        group: str,
        code: str,
        message: str,
        metadata: Any = None,
        actor: ActorSpecifier | None = None,
        *,
        ray_id: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.group = group
        self.code = code
        self.message = message
        self.metadata = metadata
        self.actor = actor
        self.ray_id = ray_id
        self.status = status

    def __str__(self) -> str:
        return f"[{self.group}.{self.code}] {self.message}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(group={self.group!r}, code={self.code!r}, "
            f"message={self.message!r})"
        )

    def __reduce__(self) -> Any:
        return (
            actor_error,
            (self.group, self.code, self.message, self.metadata, self.actor),
            {"ray_id": self.ray_id, "status": self.status},
        )


class ActorNotFound(ActorError):
    """``actor.not_found``: no actor matches (``get`` handles, destroyed actors)."""


class ActionNotFound(ActorError):
    """``actor.action_not_found``: the actor has no action of that name."""


class ActionTimedOut(ActorError):
    """``actor.action_timed_out``: the action ran past the actor's ``actionTimeout``."""


class DuplicateKey(ActorError):
    """``actor.duplicate_key``: ``create`` with a key that is already in use."""


class MessageTooLong(ActorError):
    """``message.incoming_too_long`` / ``message.outgoing_too_long``: a size limit was hit."""


class Unauthorized(ActorError):
    """``*.unauthorized``: e.g. ``onBeforeConnect`` rejected the params."""


class Forbidden(ActorError):
    """``*.forbidden``, e.g. ``auth.forbidden``."""


class InternalError(ActorError):
    """``*.internal_error``: the server hides the details on purpose."""


class ConnectionOpenFailed(ActorError):
    """``client.connection_open_failed``: the connection gave up; its status is ``idle``."""


_BY_GROUP_CODE: Final[dict[tuple[str, str], type[ActorError]]] = {
    ("actor", "not_found"): ActorNotFound,
    ("actor", "action_not_found"): ActionNotFound,
    ("actor", "action_timed_out"): ActionTimedOut,
    ("actor", "duplicate_key"): DuplicateKey,
    ("message", "incoming_too_long"): MessageTooLong,
    ("message", "outgoing_too_long"): MessageTooLong,
    ("client", "connection_open_failed"): ConnectionOpenFailed,
}
_BY_CODE: Final[dict[str, type[ActorError]]] = {
    "unauthorized": Unauthorized,
    "forbidden": Forbidden,
    "internal_error": InternalError,
}


def actor_error(
    group: str,
    code: str,
    message: str,
    metadata: Any = None,
    actor: ActorSpecifier | None = None,
    *,
    ray_id: str | None = None,
    status: int | None = None,
) -> ActorError:
    """Build the most specific :class:`ActorError` subclass for ``group.code``."""
    cls = _BY_GROUP_CODE.get((group, code)) or _BY_CODE.get(code) or ActorError
    return cls(group, code, message, metadata, actor, ray_id=ray_id, status=status)


class ClientError(ActorBindError):
    """An error raised by actorbind itself rather than sent by a server."""


class ConnDisposed(ClientError, RuntimeError):
    """The connection or client was disposed; the call cannot proceed."""

    def __init__(self, message: str = "the actor connection was disposed") -> None:
        super().__init__(message)


class TransportError(ClientError, ConnectionError):
    """The network failed: refused, reset, timed out, or an unexpected HTTP reply."""


class ConnectionLost(TransportError):
    """The socket closed while the call was in flight.

    Attributes:
        code: the WebSocket close code (1006 when there was no close frame).
        reason: the close reason the server sent.
    """

    def __init__(self, message: str, code: int | None = None, reason: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason


class ConnectTimeout(TransportError, TimeoutError):
    """A connection did not connect within its bound (``connect_timeout``, ``ready(timeout)``).

    Raised by ``ready()`` and by actions that waited for the connection; the connection itself
    keeps trying. The message names the actor and the endpoint (never a token or params) and
    the last failure, which is also ``__cause__`` and :attr:`last_error`.

    Attributes:
        endpoint: the endpoint tried, without credentials.
        timeout: the bound, in seconds.
        last_error: why the last attempt failed (``None`` while the first is still running).
    """

    def __init__(
        self, actor: str, *, endpoint: str, timeout: float, last_error: BaseException | None
    ) -> None:
        # Keyword-only: positional args would be read as errno/strerror by OSError.__new__.
        cause = (
            f"{type(last_error).__name__}: {last_error}"
            if last_error is not None
            else "none yet (the first attempt is still running)"
        )
        super().__init__(
            f"could not connect to actor {actor!r} at {endpoint} within {timeout:g} s; "
            f"last error: {cause}"
        )
        self.endpoint = endpoint
        self.timeout = timeout
        self.last_error = last_error


class MalformedMessage(ClientError, ValueError):
    """The peer sent bytes that are not a valid protocol message."""


class InvalidState(ClientError):
    """The call makes no sense in the object's current state."""


class OutcomeUnknown(TransportError):
    """A non-idempotent HTTP request (a stateless action, a queue send, a create) was written
    to the server, and then the call failed before its reply was complete: the connection
    died, the call's deadline passed, or the reply was malformed or over a limit.

    The server may or may not have applied it; actorbind does not send it again (never
    twice). Retry only if applying it twice is acceptable, or check the actor's state first.
    """
