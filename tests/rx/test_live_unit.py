"""live_state's rules with a fake connection driven in socket order (no loop, no sockets)."""

from __future__ import annotations

from typing import Any

import pytest
from reactivex.subject import BehaviorSubject

from actorbind import ActorError, ConnStatus
from actorbind.protocol.errors import actor_error
from actorbind.rx import LiveState, LiveStatus, live_state

from .fakes import FakeConn

pytestmark = pytest.mark.filterwarnings("error")


def _set(_old: Any, new: Any) -> Any:
    return new


def _add(old: int, n: int) -> int:
    return old + n


def make(
    conn: FakeConn | None = None, **kwargs: Any
) -> tuple[FakeConn, BehaviorSubject[Any], LiveState[Any]]:
    conn = conn or FakeConn()
    source: BehaviorSubject[Any] = BehaviorSubject(conn)
    kwargs.setdefault("reducers", {"newCount": _set})
    state = live_state(source, "getCount", **kwargs)
    return conn, source, state


def test_listeners_before_the_load_then_events_before_the_reply_are_dropped() -> None:
    conn, _, state = make(reducers={"added": _add})
    assert conn.sent == [("subscribe", "added")]  # listening before anything is loaded
    conn.open()
    assert conn.sent == [("subscribe", "added"), ("action", "getCount", ())]
    seen: list[int] = []
    state.subscribe(seen.append)
    conn.event("added", 1)  # before the reply: the snapshot (10) already counts it
    conn.event("added", 2)
    assert state.value is None and not state.loaded and seen == []
    conn.reply(10)
    assert state.value == 10 and state.loaded and seen == [10]
    conn.event("added", 5)  # after the reply: folded
    assert state.value == 15 and seen == [10, 15]


def test_load_args_and_initial() -> None:
    conn = FakeConn()
    state = live_state(BehaviorSubject[Any](conn), "page", 3, "x", initial=[], reducers={})
    assert state.value == [] and state.load == ("page", (3, "x"))
    conn.open()
    assert conn.actions() == [("action", "page", (3, "x"))]


def test_connected_already_loads_at_once() -> None:
    conn = FakeConn()
    conn.open()
    _, _, state = make(conn)
    assert conn.sent == [("subscribe", "newCount"), ("action", "getCount", ())]
    conn.reply(4)
    assert state.value == 4


def test_replays_the_latest_value_to_late_subscribers() -> None:
    conn, _, state = make()
    early: list[int] = []
    state.subscribe(early.append)
    conn.open()
    conn.reply(1)
    conn.event("newCount", 2)
    late: list[int] = []
    state.subscribe(late.append)
    assert early == [1, 2] and late == [2]


def test_reconnect_reloads_and_is_stale_meanwhile() -> None:
    conn, _, state = make()
    statuses: list[LiveStatus] = []
    state.status.subscribe(statuses.append)
    conn.open()
    conn.reply(1)
    conn.drop()
    assert state.value == 1 and state.stale and state.loaded
    conn.event("newCount", 99)  # a late event of a dead socket is not folded
    assert state.value == 1
    conn.open()
    assert conn.actions() == [("action", "getCount", ())] * 2
    conn.event("newCount", 7)  # before the new reply: dropped
    assert state.value == 1 and state.stale
    conn.reply(8)
    assert state.value == 8 and not state.stale
    conn.event("newCount", 9)
    assert state.value == 9
    assert statuses == [
        LiveStatus(False, False, None),
        LiveStatus(True, False, None),
        LiveStatus(True, True, None),
        LiveStatus(True, False, None),
    ]


def test_a_load_cut_by_a_drop_is_retried_not_reported() -> None:
    conn, _, state = make()
    errors: list[Exception] = []
    state.errors.subscribe(errors.append)
    conn.open()
    conn.drop()  # the load's reply never comes: ConnectionLost
    assert errors == [] and state.error is None and not state.loaded
    conn.open()
    conn.reply(3)
    assert state.value == 3


def test_load_error_then_recovery_on_the_next_connect() -> None:
    conn, _, state = make()
    errors: list[Exception] = []
    state.errors.subscribe(errors.append)
    conn.open()
    boom = actor_error("user", "nope", "cannot load")
    conn.fail(boom)
    assert state.error is boom and errors == [boom] and not state.loaded
    conn.event("newCount", 5)  # no snapshot to fold onto
    assert state.value is None
    conn.drop()
    conn.open()
    conn.reply(6)
    assert state.value == 6 and state.error is None and state.loaded
    assert isinstance(errors[0], ActorError)


def test_reload_by_hand_after_a_failed_load() -> None:
    conn, _, state = make()
    conn.open()
    conn.fail(actor_error("user", "busy", "try later"))
    state.reload()
    conn.event("newCount", 1)
    conn.reply(2)
    assert state.value == 2 and state.error is None


def test_a_raising_reducer_is_reported_and_the_stream_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def picky(old: int, new: int) -> int:
        if new < 0:
            raise ValueError("negative")
        return new

    conn, _, state = make(reducers={"newCount": picky})
    seen: list[int] = []
    errors: list[Exception] = []
    completed: list[bool] = []
    state.subscribe(seen.append, on_completed=lambda: completed.append(True))
    state.errors.subscribe(errors.append)
    conn.open()
    conn.reply(1)
    conn.event("newCount", -1)
    assert state.value == 1 and isinstance(state.error, ValueError) and len(errors) == 1
    conn.event("newCount", 2)
    assert seen == [1, 2] and completed == []
    assert "reducer" in caplog.text


def test_a_superseded_reply_is_ignored() -> None:
    conn, _, state = make()
    conn.open()
    state.reload()  # two loads in flight: only the last one counts
    conn.reply(1)
    assert not state.loaded
    conn.reply(2)
    assert state.value == 2


def test_following_a_new_connection() -> None:
    first, source, state = make()
    first.open()
    first.reply(1)
    second = FakeConn()
    source.on_next(second)
    assert first.listeners == {} and state.stale
    first.event("newCount", 50)
    assert state.value == 1
    second.open()
    second.reply(2)
    second.event("newCount", 3)
    assert state.value == 3 and not state.stale
    source.on_next(None)
    assert second.listeners == {} and state.stale and state.value == 3


def test_dispose_removes_listeners_and_completes() -> None:
    conn, _, state = make()
    done: list[str] = []
    state.subscribe(on_completed=lambda: done.append("values"))
    state.status.subscribe(on_completed=lambda: done.append("status"))
    state.errors.subscribe(on_completed=lambda: done.append("errors"))
    conn.open()
    state.dispose()
    state.dispose()
    assert conn.listeners == {} and conn.status_handlers == []
    assert sorted(done) == ["errors", "status", "values"] and state.disposed
    conn.reply(5)  # late: ignored
    assert state.value is None
    after: list[str] = []
    state.subscribe(on_completed=lambda: after.append("done"))
    assert after == ["done"]


def test_the_source_completing_ends_the_state() -> None:
    conn, source, state = make()
    done: list[bool] = []
    state.subscribe(on_completed=lambda: done.append(True))
    source.on_completed()
    assert done == [True] and conn.listeners == {}


def test_a_disposed_connection_leaves_the_last_value_stale() -> None:
    conn, _, state = make()
    conn.open()
    conn.reply(1)
    conn.dispose()
    assert state.value == 1 and state.stale and conn.listeners == {}
    assert conn.status is ConnStatus.IDLE


def test_load_args_that_cannot_be_sent_are_reported() -> None:
    conn, _, state = make()

    def refuse(*_: Any) -> None:
        raise TypeError("cannot encode")

    conn.action_in_order = refuse  # type: ignore[method-assign]
    conn.open()
    assert isinstance(state.error, TypeError)


def test_bad_reducers_are_refused() -> None:
    with pytest.raises(TypeError, match="not callable"):
        make(reducers={"newCount": 3})
    with pytest.raises(TypeError, match="ActorConn or an ActorEntry"):
        live_state(object(), "getCount")  # type: ignore[arg-type]


def test_optimistic_changes_sit_on_top_until_settled() -> None:
    conn, _, state = make(reducers={"added": _add})
    seen: list[int] = []
    state.subscribe(seen.append)
    conn.open()
    conn.reply(10)
    settle = state.optimistic(lambda v: v + 1)  # shown at once
    assert state.value == 11 and state.confirmed == 10
    conn.event("added", 5)  # someone else's change: folded underneath, ours stays on top
    assert state.value == 16 and state.confirmed == 15
    conn.event("added", 1)  # the real change (its event comes before the action's reply)
    settle()
    settle()  # idempotent
    assert state.value == state.confirmed == 16
    assert seen == [10, 11, 16, 17, 16]


def test_a_failed_action_rolls_back_and_a_raising_change_is_dropped() -> None:
    conn, _, state = make(reducers={"added": _add})
    conn.open()
    conn.reply(1)
    rollback = state.optimistic(lambda v: v * 100)
    assert state.value == 100
    rollback()
    assert state.value == 1

    def bad(_v: int) -> int:
        raise RuntimeError("oops")

    state.optimistic(bad)
    assert state.value == 1 and isinstance(state.error, RuntimeError)
    conn.event("added", 1)
    assert state.value == 2
