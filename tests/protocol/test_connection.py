"""The sans-I/O connection state machine, driven with encoded server frames."""

from __future__ import annotations

from typing import Any

import pytest

from actorbind.protocol import (
    ActionFailed,
    ActionRequest,
    ActionResponse,
    ActionSucceeded,
    Backoff,
    Closed,
    CloseSocket,
    ConnectionProtocol,
    ConnStatus,
    Error,
    ErrorRaised,
    Event,
    EventArrived,
    Init,
    Opened,
    ScheduleReconnect,
    StatusChanged,
    SubscriptionRequest,
    codec_for,
    parse_close_reason,
)
from actorbind.protocol.errors import (
    ActionNotFound,
    ActorError,
    ActorNotFound,
    ConnDisposed,
    ConnectionLost,
    ConnectionOpenFailed,
    InvalidState,
    MalformedMessage,
    MessageTooLong,
    TransportError,
    Unauthorized,
    actor_error,
)

ENCODINGS = ("json", "cbor", "bare")
IDLE, CONNECTING, CONNECTED, DISCONNECTED = (
    ConnStatus.IDLE,
    ConnStatus.CONNECTING,
    ConnStatus.CONNECTED,
    ConnStatus.DISCONNECTED,
)


class Driver:
    """A fake I/O layer: encodes server frames, decodes what the machine sends."""

    def __init__(self, enc: str = "json", rng: float = 1.0, **kw: Any) -> None:
        self.codec = codec_for(enc)
        self.backoff = Backoff(rng=lambda: rng)
        self.conn = ConnectionProtocol(self.codec, backoff=self.backoff, **kw)

    def server(self, msg: Any) -> None:
        self.conn.receive(self.codec.encode_to_client(msg))

    def sent(self) -> list[Any]:
        return [self.codec.decode_to_server(f) for f in self.conn.data_to_send()]

    def events(self) -> list[Any]:
        return self.conn.events_received()

    def statuses(self) -> list[tuple[ConnStatus, ConnStatus]]:
        return [(e.previous, e.status) for e in self.events() if isinstance(e, StatusChanged)]

    def open(self) -> None:
        self.conn.attempt_started()
        self.conn.socket_opened()

    def connect(self, actor: str = "actor-1", conn: str = "conn-1") -> None:
        self.open()
        self.server(Init(actor, conn))


def _only(events: list[Any], kind: type) -> list[Any]:
    return [e for e in events if isinstance(e, kind)]


# --- handshake ------------------------------------------------------------------------------


@pytest.mark.parametrize("enc", ENCODINGS)
def test_connected_only_after_init(enc: str) -> None:
    d = Driver(enc)
    assert d.conn.status is IDLE
    d.conn.attempt_started()
    assert d.events() == [StatusChanged(CONNECTING, IDLE)]
    d.conn.socket_opened()
    assert d.conn.status is CONNECTING  # the socket "open" event is not "connected"
    assert d.events() == []
    d.server(Init("actor-1", "conn-1"))
    assert d.conn.status is CONNECTED
    assert d.events() == [StatusChanged(CONNECTED, CONNECTING), Opened("actor-1", "conn-1")]
    assert (d.conn.actor_id, d.conn.connection_id) == ("actor-1", "conn-1")


def test_frames_before_the_socket_opens_are_ignored() -> None:
    d = Driver()
    d.conn.attempt_started()
    d.events()
    d.server(Init("a", "c"))
    assert d.conn.status is CONNECTING
    assert d.events() == []


@pytest.mark.parametrize("enc", ENCODINGS)
def test_queued_actions_flush_after_subscriptions_in_order(enc: str) -> None:
    d = Driver(enc)
    d.conn.subscribe("zeta")
    d.conn.subscribe("alpha")
    assert d.conn.call("first", [1]) == 0
    assert d.conn.call("second", [b"\x01", {"k": None}]) == 1
    d.open()
    assert d.sent() == []  # nothing before Init
    assert d.conn.pending_actions == 2
    d.server(Init("a", "c"))
    assert d.sent() == [
        SubscriptionRequest("alpha", True),
        SubscriptionRequest("zeta", True),
        ActionRequest(0, "first", [1]),
        ActionRequest(1, "second", [b"\x01", {"k": None}]),
    ]
    d.events()
    d.server(ActionResponse(1, "two"))
    d.server(ActionResponse(0, "one"))
    assert d.events() == [ActionSucceeded(1, "two"), ActionSucceeded(0, "one")]
    assert d.conn.pending_actions == 0


def test_calls_when_connected_go_out_immediately() -> None:
    d = Driver()
    d.connect()
    d.sent()
    assert d.conn.call("a", []) == 0
    assert d.sent() == [ActionRequest(0, "a", [])]
    assert d.sent() == []  # data_to_send drains


# --- subscriptions --------------------------------------------------------------------------


def test_subscribe_sent_once_and_replayed_after_every_init() -> None:
    d = Driver()
    d.connect()
    d.sent()
    d.conn.subscribe("ev")
    d.conn.subscribe("ev")
    assert d.sent() == [SubscriptionRequest("ev", True)]
    assert d.conn.subscriptions == frozenset({"ev"})
    for attempt in range(3):
        d.conn.socket_closed(1006)
        d.open()
        assert d.sent() == []
        d.server(Init("a", f"c{attempt}"))
        assert d.sent() == [SubscriptionRequest("ev", True)]


def test_unsubscribe() -> None:
    d = Driver()
    d.conn.unsubscribe("never")  # unknown name: no-op
    d.conn.subscribe("ev")
    d.conn.subscribe("other")
    d.connect()
    d.sent()
    d.conn.unsubscribe("ev")
    assert d.sent() == [SubscriptionRequest("ev", False)]
    d.conn.unsubscribe("ev")
    assert d.sent() == []
    # while disconnected: dropped locally, not replayed
    d.conn.socket_closed(1006)
    d.conn.unsubscribe("other")
    d.connect()
    assert d.sent() == []
    assert d.conn.subscriptions == frozenset()


def test_unsubscribe_never_sent_after_dispose() -> None:
    d = Driver()
    d.conn.subscribe("ev")
    d.connect()
    d.sent()
    d.conn.dispose()
    d.conn.unsubscribe("ev")
    assert d.sent() == []
    assert d.conn.subscriptions == frozenset()
    with pytest.raises(ConnDisposed):
        d.conn.subscribe("ev")


@pytest.mark.parametrize("enc", ENCODINGS)
def test_events_are_delivered(enc: str) -> None:
    d = Driver(enc)
    d.connect()
    d.events()
    d.server(Event("multi", [1, "two", {"three": 3}]))
    d.server(Event("none", []))
    assert d.events() == [EventArrived("multi", [1, "two", {"three": 3}]), EventArrived("none", [])]


# --- drops and reconnects -------------------------------------------------------------------


def test_drop_rejects_in_flight_but_keeps_unsent() -> None:
    d = Driver(rng=0.5)
    d.connect()
    in_flight = d.conn.call("slow", [])
    d.events()
    d.conn.socket_closed(1006, "")
    events = d.events()
    assert events[0] == StatusChanged(DISCONNECTED, CONNECTED)
    assert events[1] == Closed()
    failed = _only(events, ActionFailed)
    assert [f.id for f in failed] == [in_flight]
    assert isinstance(failed[0].error, ConnectionLost)
    assert failed[0].error.code == 1006
    assert "Connection lost" in str(failed[0].error)
    assert _only(events, ErrorRaised) == [ErrorRaised(failed[0].error)]
    assert events[-1] == ScheduleReconnect(0.25 * 0.5)  # Backoff.first()
    assert d.conn.status is DISCONNECTED

    # "slow" was never drained by the I/O layer before the drop: it must not leak onto the
    # next socket (it was already reported as failed)
    queued = d.conn.call("later", [1])  # made while disconnected
    d.conn.attempt_started()
    d.conn.attempt_failed(TransportError("refused"))
    events = d.events()
    assert _only(events, ActionFailed) == []  # never written to a socket: survives
    assert events[-1] == ScheduleReconnect(0.125 + 0.125 * 0.5)
    d.connect()
    assert d.sent() == [ActionRequest(queued, "later", [1])]
    assert d.conn.pending_actions == 1


def test_status_sequence_across_a_drop() -> None:
    d = Driver()
    d.connect()
    d.conn.socket_closed(1011, "ws.going_away")
    d.connect()
    assert d.statuses() == [
        (IDLE, CONNECTING),
        (CONNECTING, CONNECTED),
        (CONNECTED, DISCONNECTED),
        (DISCONNECTED, CONNECTING),
        (CONNECTING, CONNECTED),
    ]


def test_action_ids_are_not_reset_on_reconnect() -> None:
    d = Driver()
    d.connect()
    assert d.conn.call("a", []) == 0
    d.conn.socket_closed(1006)
    d.connect()
    assert d.conn.call("a", []) == 1


def test_close_1000_without_reason() -> None:
    d = Driver()
    d.connect()
    d.events()
    d.conn.socket_closed(1000)
    err = _only(d.events(), ErrorRaised)[0].error
    assert isinstance(err, ConnectionLost)
    assert str(err).startswith("Connection closed (code: 1000")


def test_close_reason_becomes_actor_error() -> None:
    d = Driver()
    d.connect()
    d.conn.call("a", [])
    d.events()
    d.conn.socket_closed(1011, "message.incoming_too_long")
    events = d.events()
    err = _only(events, ErrorRaised)[0].error
    assert isinstance(err, MessageTooLong)
    assert (err.group, err.code, err.ray_id) == ("message", "incoming_too_long", None)
    assert _only(events, ActionFailed)[0].error is err
    assert isinstance(events[-1], ScheduleReconnect)  # dropped while connected: reconnect


def test_backoff_grows_over_failed_attempts_and_resets_after_init() -> None:
    d = Driver(rng=1.0)
    delays = []
    for _ in range(10):
        d.conn.attempt_started()
        d.conn.attempt_failed(TransportError("refused"))
        delays.append(_only(d.events(), ScheduleReconnect)[0].delay)
    assert delays == [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0]
    d.connect()
    d.conn.socket_closed(1006)
    assert _only(d.events(), ScheduleReconnect) == [ScheduleReconnect(0.25)]
    d.conn.attempt_started()
    d.conn.attempt_failed(TransportError("refused"))
    assert _only(d.events(), ScheduleReconnect) == [ScheduleReconnect(0.25)]


def test_many_failures_do_not_overflow() -> None:
    d = Driver()
    for _ in range(1100):
        d.conn.attempt_started()
        d.conn.attempt_failed(TransportError("refused"))
    assert _only(d.events(), ScheduleReconnect)[-1] == ScheduleReconnect(30.0)


# --- definite failures ----------------------------------------------------------------------


def test_rejected_connection_goes_idle_and_reports_once() -> None:
    d = Driver()
    d.conn.call("a", [])  # queued
    d.open()
    rejection = Error("user", "unauthorized", "invalid auth token", {"got": "bad"}, None, None)
    d.server(rejection)
    events = d.events()
    err = _only(events, ErrorRaised)[0].error
    assert isinstance(err, Unauthorized)
    assert err.metadata == {"got": "bad"}
    d.conn.socket_closed(1011, "user.unauthorized")
    events += d.events()
    assert _only(events, ErrorRaised) == [ErrorRaised(err)]  # not again on the close
    assert [f.error for f in _only(events, ActionFailed)] == [err]
    assert _only(events, ScheduleReconnect) == []
    assert _only(events, Closed) == []  # never was connected
    statuses = [(e.previous, e.status) for e in events if isinstance(e, StatusChanged)]
    assert statuses == [(IDLE, CONNECTING), (CONNECTING, DISCONNECTED), (DISCONNECTED, IDLE)]
    assert d.conn.pending_actions == 0


def test_non_retryable_non_actor_error_becomes_connection_open_failed() -> None:
    d = Driver()
    queued = d.conn.call("a", [])
    d.conn.attempt_started()
    d.events()
    boom = OSError("certificate verify failed")
    d.conn.attempt_failed(boom)
    events = d.events()
    assert _only(events, ErrorRaised) == [ErrorRaised(boom)]
    failed = _only(events, ActionFailed)
    assert [f.id for f in failed] == [queued]
    assert isinstance(failed[0].error, ConnectionOpenFailed)
    assert failed[0].error.group == "client"
    assert "certificate verify failed" in failed[0].error.message
    assert d.conn.status is IDLE


@pytest.mark.parametrize(
    ("query_target", "reconnects"),
    [(True, True), (False, False)],
)
def test_stale_actor_retried_only_for_query_targets(query_target: bool, reconnects: bool) -> None:
    d = Driver(query_target=query_target)
    d.conn.attempt_started()
    d.conn.socket_opened()
    d.events()
    d.conn.socket_closed(1011, "actor.not_found#ray123")
    events = d.events()
    err = _only(events, ErrorRaised)[0].error
    assert isinstance(err, ActorNotFound)
    assert err.ray_id == "ray123"
    assert bool(_only(events, ScheduleReconnect)) is reconnects
    assert d.conn.status is (DISCONNECTED if reconnects else IDLE)


def test_restart_after_giving_up() -> None:
    d = Driver()
    d.conn.attempt_started()
    with pytest.raises(InvalidState, match="connecting"):
        d.conn.restart()
    d.conn.attempt_failed(ValueError("no"))
    assert d.conn.status is IDLE
    d.conn.restart()
    d.connect()
    assert d.conn.status is CONNECTED
    with pytest.raises(InvalidState, match="connected"):
        d.conn.restart()


@pytest.mark.parametrize("opened", [True, False], ids=["close-frame", "handshake"])
def test_an_actor_that_cannot_exist_fails_queued_and_later_calls_at_once(opened: bool) -> None:
    # A name nobody serves: the engine and the embedded server accept the socket and close it
    # with guard.actor_wake_retries_exceeded (or refuse the upgrade with it, as HTTP does).
    d = Driver()
    queued = [d.conn.call("a", []), d.conn.call("b", [1])]
    d.conn.attempt_started()
    d.events()
    if opened:
        d.conn.socket_opened()
        d.conn.socket_closed(1011, "guard.actor_wake_retries_exceeded#ray")
    else:
        d.conn.attempt_failed(actor_error("guard", "actor_wake_retries_exceeded", "no actor"))
    events = d.events()
    assert _only(events, ScheduleReconnect) == []
    failed = _only(events, ActionFailed)
    assert [f.id for f in failed] == queued
    error = failed[0].error
    assert (error.group, error.code) == ("guard", "actor_wake_retries_exceeded")
    assert d.conn.status is IDLE and d.conn.gave_up is error
    assert d.conn.pending_actions == 0
    # A later call fails at once with the same error instead of waiting for a socket forever.
    later = d.conn.call("c", [])
    assert _only(d.events(), ActionFailed) == [ActionFailed(later, error)]
    assert d.conn.pending_actions == 0
    # restart() (conn.reconnect()) queues calls again.
    d.conn.restart()
    assert d.conn.gave_up is None
    again = d.conn.call("d", [])
    assert d.events() == [] and d.conn.pending_actions == 1
    d.connect()
    assert [m.id for m in d.sent() if isinstance(m, ActionRequest)] == [again]


def test_late_failure_reports_are_ignored() -> None:
    d = Driver()
    d.conn.attempt_started()
    d.conn.attempt_failed(ValueError("no"))
    d.events()
    d.conn.attempt_failed(ValueError("again"))
    d.conn.socket_closed(1006)
    assert d.events() == []


# --- errors for actions ----------------------------------------------------------------------


@pytest.mark.parametrize("enc", ENCODINGS)
def test_error_with_action_id_rejects_only_that_action(enc: str) -> None:
    d = Driver(enc)
    d.connect()
    a = d.conn.call("noSuchAction", [])
    b = d.conn.call("ok", [])
    d.events()
    spec_error = Error("actor", "action_not_found", "Action `x` was not found.", None, a, None)
    d.server(spec_error)
    events = d.events()
    assert len(events) == 1
    assert isinstance(events[0], ActionFailed) and events[0].id == a
    assert isinstance(events[0].error, ActionNotFound)
    assert d.conn.status is CONNECTED
    d.server(ActionResponse(b, 5))
    assert d.events() == [ActionSucceeded(b, 5)]


@pytest.mark.parametrize("enc", ENCODINGS)
def test_connection_level_error_rejects_in_flight_and_reports_once(enc: str) -> None:
    d = Driver(enc)
    d.connect()
    a = d.conn.call("a", [])
    b = d.conn.call("b", [])
    d.events()
    d.server(Error("actor", "callback_timed_out", "timeout", None, None, None))
    events = d.events()
    err = _only(events, ErrorRaised)[0].error
    assert isinstance(err, ActorError)
    assert [(f.id, f.error) for f in _only(events, ActionFailed)] == [(a, err), (b, err)]
    d.conn.socket_closed(1011, "actor.callback_timed_out")
    events = d.events()
    assert _only(events, ErrorRaised) == []
    assert _only(events, ActionFailed) == []
    assert isinstance(events[-1], ScheduleReconnect)
    assert d.conn.status is DISCONNECTED


# --- protocol violations ---------------------------------------------------------------------


@pytest.mark.parametrize("enc", ENCODINGS)
def test_malformed_frame_fails_the_socket(enc: str) -> None:
    d = Driver(enc)
    d.connect()
    a = d.conn.call("a", [])
    d.events()
    d.conn.receive(b"\xff\x00garbage" if enc != "json" else "{not json")
    events = d.events()
    assert events[0] == CloseSocket(1002, "malformed message")
    failed = _only(events, ActionFailed)
    assert [f.id for f in failed] == [a]
    assert isinstance(failed[0].error, MalformedMessage)
    assert _only(events, ErrorRaised) == [ErrorRaised(failed[0].error)]
    assert isinstance(events[-1], ScheduleReconnect)
    assert d.conn.status is DISCONNECTED
    # the close that follows is not reported again
    d.conn.socket_closed(1002, "malformed message")
    assert d.events() == []
    # frames from the dead socket are ignored
    d.server(ActionResponse(a, 1))
    assert d.events() == []


def test_malformed_frame_before_init_is_retried_and_keeps_queue() -> None:
    d = Driver("bare")
    queued = d.conn.call("a", [])
    d.open()
    d.events()
    d.conn.receive("text frame for bare")
    events = d.events()
    assert events[0] == CloseSocket(1002, "malformed message")
    assert _only(events, ActionFailed) == []
    assert isinstance(events[-1], ScheduleReconnect)
    d.connect()
    assert d.sent() == [ActionRequest(queued, "a", [])]


@pytest.mark.parametrize(
    "msg",
    [ActionResponse(99, 1), Error("user", "x", "m", None, 99, None)],
)
def test_reply_to_unknown_action_id(msg: Any) -> None:
    d = Driver()
    d.connect()
    d.events()
    d.server(msg)
    events = d.events()
    assert events[0] == CloseSocket(1002, "unknown id")
    err = _only(events, ErrorRaised)[0].error
    assert isinstance(err, MalformedMessage) and "99" in str(err)
    assert isinstance(events[-1], ScheduleReconnect)


def test_duplicate_reply_is_an_unknown_id() -> None:
    d = Driver()
    d.connect()
    a = d.conn.call("a", [])
    d.server(ActionResponse(a, 1))
    d.events()
    d.server(ActionResponse(a, 1))
    assert d.events()[0] == CloseSocket(1002, "unknown id")


def test_duplicate_init() -> None:
    d = Driver()
    d.connect()
    d.events()
    d.server(Init("actor-1", "conn-2"))
    events = d.events()
    assert events[0] == CloseSocket(1002, "duplicate init")
    assert isinstance(_only(events, ErrorRaised)[0].error, MalformedMessage)
    assert d.conn.connection_id == "conn-1"


def test_new_init_on_a_new_socket_updates_ids() -> None:
    d = Driver()
    d.connect("a", "c1")
    d.conn.socket_closed(1006)
    d.events()
    d.connect("a", "c2")
    assert Opened("a", "c2") in d.events()
    assert d.conn.connection_id == "c2"


# --- dispose ------------------------------------------------------------------------------


@pytest.mark.parametrize("enc", ENCODINGS)
def test_dispose_when_connected(enc: str) -> None:
    d = Driver(enc)
    d.connect()
    in_flight = d.conn.call("a", [])
    d.conn.socket_closed(1006)
    d.connect()
    d.sent()
    d.conn.call("b", [])
    d.conn.subscribe("ev")
    d.events()
    d.conn.dispose()
    events = d.events()
    assert events[0] == StatusChanged(IDLE, CONNECTED)
    assert events[1] == Closed()
    failed = _only(events, ActionFailed)
    assert len(failed) == 1 and failed[0].id == in_flight + 1
    assert all(isinstance(f.error, ConnDisposed) for f in failed)
    assert events[-1] == CloseSocket(1000, "Disposed")
    assert d.sent() == []  # outbox cleared
    assert d.conn.disposed and d.conn.status is IDLE and d.conn.pending_actions == 0


def test_dispose_rejects_queued_actions_and_sends_no_close_without_socket() -> None:
    d = Driver()
    a = d.conn.call("a", [])
    d.conn.attempt_started()
    d.events()
    d.conn.dispose()
    events = d.events()
    assert events[0] == StatusChanged(IDLE, CONNECTING)
    assert [(f.id, type(f.error)) for f in _only(events, ActionFailed)] == [(a, ConnDisposed)]
    assert _only(events, CloseSocket) == []
    assert _only(events, Closed) == []


def test_dispose_before_init_closes_the_open_socket() -> None:
    d = Driver()
    d.open()
    d.events()
    d.conn.dispose()
    assert d.events()[-1] == CloseSocket(1000, "Disposed")


def test_after_dispose() -> None:
    d = Driver()
    d.connect()
    d.conn.dispose()
    d.events()
    with pytest.raises(ConnDisposed):
        d.conn.call("a", [])
    with pytest.raises(ConnDisposed):
        d.conn.attempt_started()
    with pytest.raises(ConnDisposed):
        d.conn.socket_opened()
    with pytest.raises(ConnDisposed):
        d.conn.restart()
    d.conn.dispose()  # idempotent
    d.server(ActionResponse(0, 1))
    d.conn.socket_closed(1000, "Disposed")  # the server's echo
    d.conn.attempt_failed(TransportError("x"))
    assert d.events() == []
    assert d.sent() == []


# --- message size ---------------------------------------------------------------------------


def _frame_size(codec: Any, arg: str) -> int:
    frame = codec.encode_to_server(ActionRequest(0, "a", [arg]))
    return len(frame.encode()) if isinstance(frame, str) else len(frame)


@pytest.mark.parametrize("enc", ENCODINGS)
def test_oversize_action_raises_at_call_time(enc: str) -> None:
    d = Driver(enc)
    codec = d.codec
    overhead = _frame_size(codec, "x" * 60000) - 60000  # same length-header widths
    exact = "x" * (65536 - overhead)
    assert _frame_size(codec, exact) == 65536
    d.connect()
    d.sent()
    with pytest.raises(MessageTooLong) as info:
        d.conn.call("a", [exact + "x"])
    assert (info.value.group, info.value.code) == ("message", "incoming_too_long")
    assert "65537" in info.value.message
    assert d.sent() == [] and d.conn.pending_actions == 0
    assert d.conn.call("a", [exact]) == 0  # the failed call consumed no id
    assert len(d.conn.data_to_send()) == 1


def test_json_size_counts_utf8_bytes() -> None:
    d = Driver("json", max_message_size=100)
    with pytest.raises(MessageTooLong):
        d.conn.call("a", ["é" * 40])  # 40 chars, 80 bytes + envelope


def test_no_size_limit() -> None:
    d = Driver("bare", max_message_size=None)
    d.conn.call("a", ["x" * 200_000])


def test_unencodable_args_raise_and_consume_no_id() -> None:
    d = Driver("json")
    with pytest.raises(TypeError):
        d.conn.call("a", [object()])
    with pytest.raises(ValueError):
        d.conn.call("a", [float("nan")])
    assert d.conn.call("a", []) == 0


# --- policy helpers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "parsed"),
    [
        ("user.unauthorized", ("user", "unauthorized", None)),
        ("actor.not_found#t1s80abc", ("actor", "not_found", "t1s80abc")),
        ("guard.actor_runner_failed#", ("guard", "actor_runner_failed", None)),
        ("message.incoming_too_long", ("message", "incoming_too_long", None)),
        ("Disposed", None),
        ("", None),
        (".code", None),
        ("group.", None),
        ("a.b.c", None),
        ("#ray", None),
        ("no dot#ray", None),
    ],
)
def test_parse_close_reason(reason: str, parsed: tuple[str, str, str | None] | None) -> None:
    assert parse_close_reason(reason) == parsed


def test_status_values_match_upstream() -> None:
    assert [s.value for s in ConnStatus] == ["idle", "connecting", "connected", "disconnected"]
    assert ConnStatus.CONNECTED == "connected"


def test_repeated_attempt_started_reports_status_once() -> None:
    d = Driver()
    d.conn.attempt_started()
    d.conn.attempt_started()
    assert d.statuses() == [(IDLE, CONNECTING)]
