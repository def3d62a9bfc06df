"""The one retry policy (``actorbind.protocol.retry``): the verdict of every error code, the
connection's reading of it, the backoff, and that ``create_client(retry=, backoff=)`` reach
both the stateless requests and the connections."""

from __future__ import annotations

import random

import pytest

from actorbind.protocol import (
    DEFINITE_FAILURES,
    RULES,
    Backoff,
    Retry,
    classify,
    is_retryable,
)
from actorbind.protocol.errors import (
    ActorError,
    ConnDisposed,
    ConnectionLost,
    MalformedMessage,
    TransportError,
    actor_error,
)

# Upstream's lifecycle-errors.ts, structured codes only: request_retry and reconnect_only.
UPSTREAM_REQUEST_RETRY = {("actor", "restarting")}
UPSTREAM_RECONNECT_ONLY = {
    ("actor", "stopped"),
    ("ws", "going_away"),
    ("client", "get_params_failed"),
}


def test_upstream_lifecycle_codes_keep_their_kind() -> None:
    for key in UPSTREAM_REQUEST_RETRY:
        assert RULES[key] is Retry.RETRY, key
    for key in UPSTREAM_RECONNECT_ONLY:
        assert RULES[key] is Retry.RECONNECT, key


@pytest.mark.parametrize(("key", "verdict"), sorted(RULES.items()))
def test_classify_reads_the_table(key: tuple[str, str], verdict: Retry) -> None:
    assert classify(actor_error(*key, "m")) is verdict


@pytest.mark.parametrize(
    ("error", "verdict"),
    [
        (actor_error("actor", "destroyed", ""), Retry.STALE),
        (actor_error("actor", "destroyed_while_waiting_for_ready", ""), Retry.STALE),
        (actor_error("user", "unauthorized", ""), Retry.FATAL),
        (actor_error("guard", "not_found", ""), Retry.FATAL),  # a group of its own
        (actor_error("actor", "action_not_found", ""), Retry.FATAL),
        (TransportError("refused"), Retry.RECONNECT),
        (ConnectionLost("x", 1006), Retry.RECONNECT),
        (MalformedMessage("x"), Retry.RECONNECT),
        (ConnDisposed(), Retry.FATAL),
        (ValueError("x"), Retry.FATAL),
    ],
)
def test_classify_outside_the_table(error: BaseException, verdict: Retry) -> None:
    assert classify(error) is verdict


def test_definite_failures_are_the_fatal_rows() -> None:
    assert DEFINITE_FAILURES == {("guard", "actor_wake_retries_exceeded")}


def test_a_custom_classifier_changes_what_a_connection_retries() -> None:
    def stubborn(error: BaseException) -> Retry:
        if isinstance(error, ActorError) and error.code == "unauthorized":
            return Retry.RECONNECT  # e.g. a token refreshed by the params provider
        return classify(error)

    err = actor_error("user", "unauthorized", "")
    assert not is_retryable(err, query_target=True)
    assert is_retryable(err, query_target=True, classifier=stubborn)


def test_backoff_is_a_value() -> None:
    assert Backoff() == Backoff(initial=0.25, maximum=30.0, factor=2.0)
    assert Backoff().request_delays == (0.025, 0.05, 0.1, 0.2)  # upstream: 5 attempts
    with pytest.raises(AttributeError):
        Backoff().initial = 1.0  # type: ignore[misc]


@pytest.mark.parametrize(
    ("error", "query", "expected"),
    [
        (TransportError("refused"), True, True),
        (TransportError("refused"), False, True),
        (ConnectionLost("x", 1006), False, True),
        (MalformedMessage("x"), False, True),
        (ConnDisposed(), True, False),
        (ValueError("x"), True, False),
        (OSError("x"), True, False),
        (actor_error("actor", "not_found", ""), True, True),
        (actor_error("actor", "not_found", ""), False, False),
        (actor_error("actor", "starting", ""), True, True),
        (actor_error("actor", "stopping", ""), True, True),
        (actor_error("actor", "not_configured", ""), True, True),
        (actor_error("actor", "dropped_reply", ""), True, True),
        (actor_error("actor", "destroying", ""), True, True),
        (actor_error("actor", "destroyed_while_waiting_for_ready", ""), True, True),
        (actor_error("actor", "destroyed_during_creation", ""), False, False),
        (actor_error("actor", "restarting", ""), False, True),
        (actor_error("actor", "stopped", ""), False, True),
        (actor_error("ws", "going_away", ""), False, True),
        (actor_error("guard", "service_unavailable", ""), False, True),
        (actor_error("guard", "actor_wake_retries_exceeded", ""), True, False),
        (actor_error("guard", "actor_wake_retries_exceeded", ""), False, False),
        (actor_error("guard", "actor_stopped_while_waiting", ""), False, True),
        (actor_error("guard", "tunnel_request_aborted", ""), False, True),
        (actor_error("guard", "tunnel_message_timeout", ""), False, True),
        (actor_error("guard", "tunnel_response_closed", ""), False, True),
        (actor_error("guard", "gateway_response_start_timeout", ""), False, True),
        (actor_error("guard", "actor_ready_timeout", ""), False, True),
        (actor_error("pegboard", "route_resolve_query_timeout", ""), True, True),
        (actor_error("client", "get_params_failed", ""), False, True),
        (actor_error("user", "unauthorized", ""), True, False),
        (actor_error("actor", "action_not_found", ""), True, False),
        (actor_error("guard", "not_found", ""), True, False),
        (actor_error("rivetkit", "internal_error", ""), True, False),
        (actor_error("message", "incoming_too_long", ""), True, False),
        (actor_error("actor", "unsupported_websocket_encoding", ""), True, False),
    ],
)
def test_is_retryable(error: BaseException, query: bool, expected: bool) -> None:
    assert is_retryable(error, query_target=query) is expected


def test_backoff_with_fixed_rng() -> None:
    low, high = Backoff(rng=lambda: 0.0), Backoff(rng=lambda: 1.0)
    expected = [0.25, 0.5, 1, 2, 4, 8, 16, 30, 30]
    for failures, d in enumerate(expected, start=1):
        assert high.delay(failures) == pytest.approx(d)
        assert low.delay(failures) == pytest.approx(d / 2)
    assert high.delay(0) == pytest.approx(0.25)
    assert high.delay(5000) == 30.0
    assert low.first() == 0.0 and high.first() == 0.25


def test_backoff_random_delays_stay_in_range() -> None:
    rng = random.Random(7)
    b = Backoff(rng=rng.random)
    for failures in range(1, 40):
        d = min(30.0, 0.25 * 2 ** (failures - 1))
        for _ in range(20):
            assert d / 2 <= b.delay(failures) <= d
        assert 0 <= b.first() <= 0.25


def test_backoff_custom_parameters() -> None:
    b = Backoff(initial=1.0, maximum=5.0, factor=3.0, rng=lambda: 1.0)
    assert [b.delay(n) for n in (1, 2, 3)] == [1.0, 3.0, 5.0]
