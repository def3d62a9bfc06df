"""The RivetKit client protocol (schema v4) as frozen dataclasses.

Field for field as upstream's ``client-protocol/schemas/v4.bare``. Value fields (``args``,
``output``, ``metadata``, ``body``) hold revived Python values (see :mod:`.values`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "ActionRequest",
    "ActionResponse",
    "ActorSpecifier",
    "Error",
    "Event",
    "HttpActionRequest",
    "HttpActionResponse",
    "HttpQueueSendRequest",
    "HttpQueueSendResponse",
    "HttpResponseError",
    "Init",
    "SubscriptionRequest",
    "ToClient",
    "ToServer",
]


@dataclass(frozen=True, slots=True)
class ActorSpecifier:
    """Which actor (and which incarnation of it) produced an error."""

    actor_id: str
    generation: int
    key: str | None = None


# Server -> client


@dataclass(frozen=True, slots=True)
class Init:
    actor_id: str
    connection_id: str


@dataclass(frozen=True, slots=True)
class Error:
    group: str
    code: str
    message: str
    metadata: Any = None
    action_id: int | None = None
    actor: ActorSpecifier | None = None


@dataclass(frozen=True, slots=True)
class ActionResponse:
    id: int
    output: Any


@dataclass(frozen=True, slots=True)
class Event:
    name: str
    args: list[Any]


_new = object.__new__
_set_event_name = Event.__dict__["name"].__set__  # slot descriptors: no frozen __setattr__
_set_event_args = Event.__dict__["args"].__set__


def _event(name: str, args: list[Any]) -> Event:
    """``Event(name, args)`` without the dataclass ``__init__`` (half its cost): decoders."""
    event: Event = _new(Event)
    _set_event_name(event, name)
    _set_event_args(event, args)
    return event


ToClient = Init | Error | ActionResponse | Event

# Client -> server


@dataclass(frozen=True, slots=True)
class ActionRequest:
    id: int
    name: str
    args: list[Any]


@dataclass(frozen=True, slots=True)
class SubscriptionRequest:
    event_name: str
    subscribe: bool


ToServer = ActionRequest | SubscriptionRequest

# HTTP


@dataclass(frozen=True, slots=True)
class HttpActionRequest:
    args: list[Any]


@dataclass(frozen=True, slots=True)
class HttpActionResponse:
    output: Any


@dataclass(frozen=True, slots=True)
class HttpQueueSendRequest:
    body: Any
    name: str | None = None
    wait: bool | None = None
    timeout: int | None = None


@dataclass(frozen=True, slots=True)
class HttpQueueSendResponse:
    status: str
    response: Any = None


@dataclass(frozen=True, slots=True)
class HttpResponseError:
    group: str
    code: str
    message: str
    metadata: Any = None
    actor: ActorSpecifier | None = None
