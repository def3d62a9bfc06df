"""The tests' handling of the engine's slow first creates resends only what reached no actor."""

from __future__ import annotations

from actorbind import ActorError
from actorbind.protocol.retry import Retry, classify
from tests.runner.engine_flake import engine_retry


def test_a_request_failed_while_resolving_its_actor_is_sent_again() -> None:
    timeout = ActorError("pegboard", "route_resolve_query_timeout", "resolve timed out")
    assert classify(timeout) is Retry.RECONNECT  # the client's own policy: not resent
    assert engine_retry(timeout) is Retry.RETRY


def test_every_other_verdict_is_the_clients() -> None:
    for error in (
        ActorError("guard", "actor_ready_timeout", "not ready"),  # may have waited for the actor
        ActorError("rivetkit", "internal_error", "An internal error occurred"),
        ActorError("actor", "not_found", "gone"),
        ActorError("user", "custom_code", "no"),
        ValueError("not an actor error"),
    ):
        assert engine_retry(error) is classify(error)
