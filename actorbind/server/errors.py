"""Server-side errors: what actors raise, and how every failure becomes a public error.

RivetKit sends an error as ``{group, code, message, metadata?}``. Public errors keep their message
and metadata; anything else is masked as ``rivetkit.internal_error`` "An internal error occurred"
(the real exception is logged on the server only).
"""

from __future__ import annotations

import logging
import traceback
from typing import Any, Final

from actorbind.protocol.messages import ActorSpecifier, HttpResponseError

__all__ = [
    "INTERNAL_MESSAGE",
    "RivetError",
    "UserError",
    "frames_only",
    "http_status",
    "log_failure",
    "public_error",
]

log = logging.getLogger("actorbind.server")

INTERNAL_MESSAGE: Final = "An internal error occurred"


class UserError(Exception):
    """An error an actor raises on purpose; it reaches the client as group ``user``.

    Args:
        message: shown to the client as is.
        code: the error code (``user.<code>``), default ``user_error``.
        metadata: any JSON-like value, sent to the client as is.
    """

    group: Final = "user"

    def __init__(self, message: str, code: str = "user_error", metadata: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.metadata = metadata

    def __repr__(self) -> str:
        return f"UserError({self.message!r}, code={self.code!r})"


class RivetError(Exception):
    """A framework error with a fixed group/code (public unless ``public=False``)."""

    def __init__(
        self,
        group: str,
        code: str,
        message: str,
        metadata: Any = None,
        *,
        status: int | None = None,
        public: bool = True,
    ) -> None:
        super().__init__(f"{group}.{code}: {message}")
        self.group = group
        self.code = code
        self.message = message
        self.metadata = metadata
        self.status = http_status(group, code) if status is None else status
        self.public = public

    @property
    def reason(self) -> str:
        """The WebSocket close reason RivetKit uses: ``group.code``."""
        return f"{self.group}.{self.code}"

    def wire(self, actor: ActorSpecifier | None = None) -> HttpResponseError:
        """The error as a reply body carries it (``actor``: from an actor, else none)."""
        return HttpResponseError(self.group, self.code, self.message, self.metadata, actor)

    # --- the errors RivetKit 2.3.19 sends (texts as captured) -------------------------

    @classmethod
    def internal(cls, group: str = "rivetkit") -> RivetError:
        """A 500 ``internal_error`` (the message hides the cause, as RivetKit's)."""
        return cls(group, "internal_error", INTERNAL_MESSAGE, status=500)

    @classmethod
    def bad_request(cls) -> RivetError:
        """A body or header the actor could not decode (400 ``core.internal_error``)."""
        return cls("core", "internal_error", INTERNAL_MESSAGE, status=400)

    @classmethod
    def action_not_found(cls, name: str) -> RivetError:
        """``actor.action_not_found`` for an action the actor does not have."""
        return cls("actor", "action_not_found", f"Action `{name}` was not found.")

    @classmethod
    def action_timed_out(cls) -> RivetError:
        """``actor.action_timed_out``: the action outlived its timeout."""
        return cls("actor", "action_timed_out", "Action timed out")

    @classmethod
    def incoming_too_long(cls) -> RivetError:
        """``message.incoming_too_long``: a request body or frame over the limit."""
        return cls("message", "incoming_too_long", "Incoming message too long")

    @classmethod
    def outgoing_too_long(cls) -> RivetError:
        """``message.outgoing_too_long``: a reply over the limit."""
        return cls("message", "outgoing_too_long", "Outgoing message too long")

    @classmethod
    def invalid_request(cls) -> RivetError:
        """``actor.invalid_request``: a request that cannot be decoded."""
        return cls("actor", "invalid_request", "Invalid request")

    @classmethod
    def method_not_allowed(cls, method: str, path: str) -> RivetError:
        """``actor.method_not_allowed`` for ``method`` on ``path``."""
        return cls(
            "actor", "method_not_allowed", "Method not allowed", {"method": method, "path": path}
        )

    @classmethod
    def state_not_enabled(cls) -> RivetError:
        """``actor.state_not_enabled``: the actor declares no state."""
        return cls(
            "actor",
            "state_not_enabled",
            "State not enabled. Must implement `createState` or `state` to use state. "
            "(https://www.rivet.dev/docs/actors/state/#initializing-state)",
        )

    @classmethod
    def actor_not_found(cls) -> RivetError:
        """404 ``actor.not_found``: no such actor, or it was destroyed."""
        return cls("actor", "not_found", "The actor does not exist or was destroyed.", status=404)


def http_status(group: str, code: str) -> int:
    """RivetKit's ``framework_error_status``: ``user.*`` is 500 like everything unlisted."""
    if (group, code) == ("auth", "forbidden"):
        return 403
    if (group, code) in (("actor", "action_not_found"), ("actor", "not_found")):
        return 404
    if (group, code) == ("actor", "method_not_allowed"):
        return 405
    if (group, code) == ("actor", "action_timed_out"):
        return 408
    if (group, code) == ("actor", "invalid_request"):
        return 400
    if group == "message" and code in ("incoming_too_long", "outgoing_too_long"):
        return 400
    if group == "queue":
        return 400
    return 500


def public_error(exc: BaseException, *, where: str = "action") -> RivetError:
    """The error to send for ``exc``; unknown exceptions are logged and masked."""
    if isinstance(exc, RivetError):
        return exc
    if isinstance(exc, UserError):
        return RivetError("user", exc.code, exc.message, exc.metadata)
    log_failure(where, exc)
    return RivetError.internal()


def log_failure(where: str, exc: BaseException) -> None:
    """Log ``exc`` as its type names and stack frames only: messages may hold params or tokens."""
    log.error("%s failed with %s\n%s", where, type(exc).__name__, frames_only(exc))


def frames_only(exc: BaseException) -> str:
    """``exc`` and its causes as type names and stack frames, without their messages."""
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen and len(seen) < 16:
        seen.add(id(current))
        frames = "".join(traceback.format_tb(current.__traceback__))
        parts.append(f"{type(current).__qualname__} (message withheld)\n{frames}")
        current = current.__cause__ or current.__context__
    return "caused by:\n".join(parts).rstrip()
