"""Batch delivery (one socket read's changes at once) gives exactly what per-event delivery
gives: same order, same values, across a reconnect in the middle of a read."""

from __future__ import annotations

from typing import Any

import pytest
from reactivex.subject import BehaviorSubject

from actorbind.rx import (
    ListChange,
    ListInserted,
    ListRemoved,
    ListReset,
    ListUpdated,
    append,
    live_list,
    live_state,
    remove_by_key,
    upsert,
)

from .fakes import FakeConn

pytestmark = pytest.mark.filterwarnings("error")


def m(i: int, text: str = "") -> dict[str, Any]:
    return {"id": i, "text": text or f"m{i}"}


def apply(rows: list[Any], change: ListChange) -> None:
    if isinstance(change, ListReset):
        rows[:] = change.items
    elif isinstance(change, ListInserted):
        rows[change.index : change.index] = change.items
    elif isinstance(change, ListUpdated):
        rows[change.index] = change.item
    elif isinstance(change, ListRemoved):
        del rows[change.index : change.index + change.count]


def test_list_batches_equal_the_per_event_changes_across_a_reconnect() -> None:
    conn = FakeConn()
    live = live_list(
        BehaviorSubject[Any](conn),
        "history",
        key=lambda x: x["id"],
        reducers={"message": append(), "edited": upsert(), "deleted": remove_by_key()},
    )
    per_event: list[ListChange] = []
    live.changes.subscribe(per_event.append)
    batches: list[list[ListChange]] = []
    live._listen_batches(batches.append)
    shown: list[Any] = []
    applied = [0]

    def check_after_read() -> None:
        for batch in batches[applied[0] :]:
            for change in batch:
                apply(shown, change)
        applied[0] = len(batches)
        assert shown == live.value  # exact at the end of every read

    conn.open()
    with conn.read():
        conn.reply([m(1), m(2)])
        for i in range(3, 8):
            conn.event("message", m(i))
        conn.event("edited", m(2, "two"))
        conn.event("deleted", 4)
        assert len(batches) == 1  # only the snapshot so far: it does not wait for the read
    assert len(batches) == 2
    check_after_read()
    with conn.read():  # the socket drops and a new one loads, all in one "read"
        conn.event("message", m(8))
        conn.drop()
        conn.event("message", m(9))  # before the new snapshot: dropped
        conn.open()
        conn.reply([m(1, "one"), m(5)])
        conn.event("message", m(10))
        conn.event("edited", m(5, "five"))
    check_after_read()
    assert [c for b in batches for c in b] == per_event  # same changes, same order
    assert live.value == [m(1, "one"), m(5, "five"), m(10)]


def test_value_batches_end_with_the_state_and_carry_every_value() -> None:
    conn = FakeConn()
    state = live_state(BehaviorSubject[Any](conn), "getCount", reducers={"n": lambda o, n: o + n})
    per_event: list[int] = []
    state.subscribe(per_event.append)
    batches: list[list[int]] = []
    state._listen_batches(batches.append)
    conn.open()
    conn.reply(10)  # outside a read: at once
    assert batches == [[10]]
    with conn.read():
        for n in (1, 2, 3):
            conn.event("n", n)
        assert len(batches) == 1
    assert batches[-1] == [11, 13, 16] and state.value == 16
    with conn.read():
        conn.event("n", 1)
        conn.drop()
        conn.open()
        conn.reply(100)  # the fold before it goes out with it, before the flags change
        assert batches[-1] == [17, 100] and state.loaded and not state.stale
        conn.event("n", 5)
    assert batches[-1] == [105]
    assert [v for b in batches for v in b] == per_event


def test_a_listener_added_mid_read_starts_from_the_current_state() -> None:
    conn = FakeConn()
    live = live_list(BehaviorSubject[Any](conn), "history", reducers={"message": append()})
    first: list[list[ListChange]] = []
    live._listen_batches(first.append)
    conn.open()
    conn.reply([])
    late: list[list[ListChange]] = []
    with conn.read():
        conn.event("message", 1)
        live._listen_batches(late.append)  # e.g. a view made in an event handler
        conn.event("message", 2)
    assert [c for b in first for c in b][-2:] == [ListInserted(0, (1,)), ListInserted(1, (2,))]
    assert late == [[ListInserted(1, (2,))]]  # not the event before it: live.value has it
