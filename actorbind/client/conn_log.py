"""What a connection tells the ``actorbind.conn`` logger: attempts, failures, backoff, status.

Silent by default (the package's ``NullHandler``); ``logging.basicConfig(level=logging.DEBUG)``
shows everything. Records name the actor (name and key) and the endpoint, never a URL (tokens
ride in gateway URLs) and never params; error texts go through the transport's redaction too.
"""

from __future__ import annotations

import logging

from ..protocol.connection import ConnStatus
from ..transport import redact

__all__ = ["ConnLog"]

log = logging.getLogger("actorbind.conn")


def _describe(error: BaseException | None) -> str:
    if error is None:
        return "unknown error"
    return redact(f"{type(error).__name__}: {error}")


class ConnLog:
    """The log lines of one connection (``actor`` is its ``name[key]`` description)."""

    __slots__ = ("_actor", "attempts")

    def __init__(self, name: str, key: tuple[str, ...]) -> None:
        self._actor = f"{name!r} {list(key)!r}"
        self.attempts = 0  # attempts since the last time it connected

    def attempt(self, endpoint: str) -> None:
        self.attempts += 1
        log.debug("actor %s: connecting to %s (attempt %d)", self._actor, endpoint, self.attempts)

    def connected(self, actor_id: str) -> None:
        log.info("actor %s: connected (actor id %s)", self._actor, actor_id)
        self.attempts = 0

    def retry(self, endpoint: str, error: BaseException | None, delay: float) -> None:
        what = f"attempt {self.attempts} failed" if self.attempts else "connection lost"
        log.info(
            "actor %s: %s (%s): %s; retrying in %.2f s",
            self._actor,
            what,
            endpoint,
            _describe(error),
            delay,
        )

    def status(self, previous: ConnStatus, status: ConnStatus) -> None:
        log.debug("actor %s: status %s -> %s", self._actor, previous.value, status.value)

    def gave_up(self, error: BaseException) -> None:
        log.warning(
            "actor %s: gave up connecting: %s (status idle; reconnect() tries again)",
            self._actor,
            _describe(error),
        )

    def timed_out(self, error: BaseException) -> None:
        log.warning("actor %s: an action gave up waiting: %s", self._actor, _describe(error))
