"""When to try again, and how long to wait: the one retry policy of the client.

Rule 1: every failure is classified here and nowhere else. A stateless HTTP request
(``ActorHandle``) and an actor connection (``ConnectionProtocol``) read the same verdict:

==============  ====================================  =======================================
verdict         a stateless request (HTTP)            a connection (WebSocket)
==============  ====================================  =======================================
``RETRY``       sent again after a short delay        reconnects with backoff
``RECONNECT``   fails                                 reconnects with backoff
``STALE``       name+key: resolved again and resent;  name+key: reconnects (resolving again);
                by id: fails                          by id: gives up
``FATAL``       fails                                 gives up, failing its queued calls
==============  ====================================  =======================================

The table :data:`RULES` reads top to bottom with the reason beside each code, compared with
upstream's ``rivetkit/src/client/lifecycle-errors.ts`` (``request_retry`` is our ``RETRY``,
``reconnect_only`` our ``RECONNECT``) and the gateway errors RivetKit's client docs list.

Both policies are plain values passed in, never module globals: ``create_client(retry=...,
backoff=...)`` (websockets' ``backoff()`` / ``process_exception`` style). No clock, no sleep:
callers wait the delays themselves.
"""

from __future__ import annotations

import enum
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Final

from .errors import ActorError, ConnDisposed, MalformedMessage, TransportError

__all__ = [
    "DEFINITE_FAILURES",
    "RULES",
    "Backoff",
    "Classifier",
    "Retry",
    "classify",
    "is_retryable",
]


class Retry(enum.Enum):
    """What a failure means for whoever tries again (see the module's table)."""

    RETRY = "retry"
    RECONNECT = "reconnect"
    STALE = "stale"
    FATAL = "fatal"


Classifier = Callable[[BaseException], Retry]
"""The shape of :func:`classify`; pass your own to ``create_client(retry=...)`` to change it
(wrap :func:`classify` and override a few codes)."""

_R, _C, _S, _F = Retry.RETRY, Retry.RECONNECT, Retry.STALE, Retry.FATAL

RULES: Final[Mapping[tuple[str, str], Retry]] = {
    # --- the actor is between two lives --------------------------------------------------------
    # Upstream request_retry: the actor restarts and will answer the same request in a moment.
    ("actor", "restarting"): _R,
    # Upstream reconnect_only: the actor stopped under a live socket; a stateless request that
    # got this may have run, so it is not sent again.
    ("actor", "stopped"): _C,
    # Upstream reconnect_only: the server is shutting the socket down (deploy, drain).
    ("ws", "going_away"): _C,
    # Upstream reconnect_only: the params provider raised; the next attempt asks it again.
    ("client", "get_params_failed"): _C,
    # --- the Rivet gateway (guard) on the way to the actor -------------------------------------
    # No route yet (the engine or the actor's runner is starting): nothing reached the actor.
    ("guard", "service_unavailable"): _R,
    # The actor stopped before the gateway got a reply start: the next attempt wakes it again.
    ("guard", "actor_stopped_while_waiting"): _R,
    # The tunnel aborted, dropped or closed the request before its response started.
    ("guard", "tunnel_request_aborted"): _R,
    ("guard", "tunnel_message_timeout"): _R,
    ("guard", "tunnel_response_closed"): _R,
    # The actor did not start answering within the gateway's response-start timeout.
    ("guard", "gateway_response_start_timeout"): _R,
    # The actor did not become ready within the gateway's ready timeout: a request already
    # waited that long, so only a connection (which waits anyway) tries again.
    ("guard", "actor_ready_timeout"): _C,
    # The engine could not resolve a query URL's actor in time (a busy or cold engine, seen in
    # the interop suite): as above, a connection tries again, a request does not.
    ("pegboard", "route_resolve_query_timeout"): _C,
    # The engine already retried waking it: no runner serves this actor name. Retrying forever
    # would hide a typo in the name (both servers answer an unknown name this way).
    ("guard", "actor_wake_retries_exceeded"): _F,
    # --- the actor behind a name+key is gone or not there yet ----------------------------------
    # A name+key handle resolves again (a new actor may take the key); an id handle cannot.
    ("actor", "not_found"): _S,
    ("actor", "starting"): _S,
    ("actor", "stopping"): _S,
    ("actor", "not_configured"): _S,
    ("actor", "dropped_reply"): _S,
    ("actor", "destroying"): _S,
    # ("actor", "destroyed_*"): STALE, by prefix (see classify)
}

DEFINITE_FAILURES: Final = frozenset(k for k, v in RULES.items() if v is Retry.FATAL)
"""``(group, code)`` pairs in :data:`RULES` that a reader might expect to be transient but
are final. Every :class:`ActorError` not in :data:`RULES` is final too (auth, bad request,
unknown action, user errors)."""


def classify(error: BaseException) -> Retry:
    """The verdict for ``error``: the default ``retry=`` policy of ``create_client``."""
    if isinstance(error, ConnDisposed):
        return Retry.FATAL  # the caller ended it
    if isinstance(error, ActorError):
        verdict = RULES.get((error.group, error.code))
        if verdict is not None:
            return verdict
        if error.group == "actor" and error.code.startswith("destroyed"):
            return Retry.STALE  # destroyed, destroyed_while_waiting_for_ready, ...
        return Retry.FATAL  # the server meant it: auth, validation, user errors, ...
    if isinstance(error, TransportError | MalformedMessage):
        # Refused, reset, close 1006, timeouts, a garbled frame. A connection opens a fresh
        # socket; a request is not resent, since a byte of it may have reached the actor.
        return Retry.RECONNECT
    return Retry.FATAL


def is_retryable(
    error: BaseException, *, query_target: bool, classifier: Classifier = classify
) -> bool:
    """Whether a connection whose attempt (or socket) failed with ``error`` reconnects.

    Args:
        query_target: the handle addresses its actor by name+key, so "actor gone" means
            "resolve again" rather than "give up".
    """
    verdict = classifier(error)
    if verdict is Retry.STALE:
        return query_target
    return verdict is not Retry.FATAL


@dataclass(frozen=True, slots=True)
class Backoff:
    """How long to wait before trying again; the default ``backoff=`` of ``create_client``.

    Reconnects: exponential with jitter, ``initial`` doubling (``factor``) to ``maximum``
    seconds, each delay drawn in ``[d/2, d]``; the first reconnect after an established
    connection drops waits ``initial * rng()``. Stateless requests: a ``RETRY`` verdict is
    retried once per entry of ``request_delays`` (upstream's 25 ms doubling to 200 ms, 5
    attempts in all), a ``STALE`` one after ``stale_delay``.
    """

    initial: float = 0.25
    maximum: float = 30.0
    factor: float = 2.0
    request_delays: tuple[float, ...] = (0.025, 0.05, 0.1, 0.2)
    stale_delay: float = 0.1
    rng: Callable[[], float] = field(default=random.random, repr=False, compare=False)

    def first(self) -> float:
        """Delay before the first attempt after an established connection drops."""
        return self.initial * self.rng()

    def delay(self, failures: int) -> float:
        """Delay after ``failures`` consecutive failed attempts (``failures >= 1``)."""
        try:
            base = min(self.maximum, self.initial * self.factor ** max(0, failures - 1))
        except OverflowError:  # after ~1024 failures 2.0**n no longer fits a float
            base = self.maximum
        return base / 2 + base / 2 * self.rng()
