"""live_list: snapshot resets, list operations, diffs of reducer results (no loop, no sockets)."""

from __future__ import annotations

import random
from typing import Any

import pytest
from reactivex.subject import BehaviorSubject

from actorbind.rx import (
    ListChange,
    ListInserted,
    ListRemoved,
    ListReset,
    ListUpdated,
    LiveList,
    append,
    live_list,
    remove_by_key,
    upsert,
)
from actorbind.rx._rows import Rows

from .fakes import FakeConn


def _id(item: dict[str, Any]) -> Any:
    return item["id"]


def m(i: int, text: str = "") -> dict[str, Any]:
    return {"id": i, "text": text or f"m{i}"}


def apply(mirror: list[Any], change: ListChange) -> None:
    """What a view does with each change (the Qt model does exactly this)."""
    if isinstance(change, ListReset):
        mirror[:] = change.items
    elif isinstance(change, ListInserted):
        mirror[change.index : change.index] = change.items
    elif isinstance(change, ListUpdated):
        mirror[change.index] = change.item
    else:
        del mirror[change.index : change.index + change.count]


def make(**kwargs: Any) -> tuple[FakeConn, LiveList, list[ListChange], list[Any]]:
    conn = FakeConn()
    kwargs.setdefault("key", _id)
    kwargs.setdefault(
        "reducers",
        {"message": append(), "edited": upsert(), "deleted": remove_by_key()},
    )
    live = live_list(BehaviorSubject[Any](conn), "history", **kwargs)
    changes: list[ListChange] = []
    mirror: list[Any] = []
    live.changes.subscribe(changes.append)
    live.changes.subscribe(lambda c: apply(mirror, c))
    return conn, live, changes, mirror


def test_snapshot_then_operations() -> None:
    conn, live, changes, mirror = make()
    conn.open()
    conn.event("message", m(1))  # before the reply: in the snapshot
    conn.reply([m(1), m(2)])
    conn.event("message", m(3))
    conn.event("edited", m(2, "two"))
    conn.event("edited", m(2, "two"))  # same: no change
    conn.event("deleted", 1)
    conn.event("deleted", 42)  # unknown key: nothing
    conn.event("edited", m(4))  # upsert of a new key appends
    assert changes == [
        ListReset((m(1), m(2))),
        ListInserted(2, (m(3),)),
        ListUpdated(1, m(2, "two")),
        ListRemoved(0, 1),
        ListInserted(2, (m(4),)),
    ]
    assert live.value == mirror == [m(2, "two"), m(3), m(4)]
    assert len(live) == 3 and live.at(0) == m(2, "two") and live.index_of(4) == 2


def test_append_of_a_key_already_there_replaces_it() -> None:
    """An actor that awaits between changing its state and broadcasting: the snapshot may
    already hold the item the event brings. Keyed append does not show it twice."""
    conn, live, _, mirror = make()
    conn.open()
    conn.reply([m(1)])
    conn.event("message", m(1, "again"))
    assert live.value == mirror == [m(1, "again")]


def test_reload_resets_and_late_subscribers_get_a_reset() -> None:
    conn, live, changes, mirror = make()
    conn.open()
    conn.reply([m(1)])
    conn.drop()
    conn.open()
    conn.event("message", m(2))
    conn.reply([m(1), m(2)])
    assert changes[-1] == ListReset((m(1), m(2))) and mirror == [m(1), m(2)]
    late: list[ListChange] = []
    live.changes.subscribe(late.append)
    assert late == [ListReset((m(1), m(2)))]


def test_value_subscribers_get_whole_lists() -> None:
    conn, live, _, _ = make()
    lists: list[list[Any]] = []
    conn.open()
    conn.reply([m(1)])
    live.subscribe(lists.append)
    conn.event("message", m(2))
    assert lists == [[m(1)], [m(1), m(2)]]


def test_reducer_returning_the_new_list_is_diffed_by_key() -> None:
    def reorder(items: list[Any], order: list[int]) -> list[Any]:
        by_id = {i["id"]: i for i in items}
        return [by_id.get(i, m(i)) for i in order]

    conn, live, changes, mirror = make(reducers={"order": reorder})
    conn.open()
    conn.reply([m(1), m(2), m(3), m(4)])
    changes.clear()
    conn.event("order", [1, 2, 3, 4, 5, 6])  # appends: one insert of two rows
    assert changes == [ListInserted(4, (m(5), m(6)))]
    changes.clear()
    conn.event("order", [1, 3, 4, 5, 6])  # 2 gone
    assert changes == [ListRemoved(1, 1)]
    conn.event("order", [6, 1, 3, 4, 5])
    assert mirror == live.value == [m(6), m(1), m(3), m(4), m(5)]


def test_unkeyed_reducer_results_are_diffed_around_the_change() -> None:
    conn, live, changes, mirror = make(key=None, reducers={"set": lambda _old, new: new})
    conn.open()
    conn.reply(["a", "b", "c"])
    changes.clear()
    conn.event("set", ["a", "x", "y", "c"])
    assert changes == [ListRemoved(1, 1), ListInserted(1, ("x", "y"))]
    conn.event("set", ["a", "x", "y", "c", "d"])
    assert changes[-1] == ListInserted(4, ("d",)) and mirror == live.value


def test_a_reducer_that_mutates_its_argument_still_makes_changes() -> None:
    def push(items: list[Any], item: Any) -> list[Any]:
        items.append(item)
        return items

    conn, live, changes, _ = make(reducers={"message": push})
    conn.open()
    conn.reply([])
    conn.event("message", m(1))
    assert changes[-1] == ListInserted(0, (m(1),)) and live.value == [m(1)]


def test_bad_results_are_reported_and_change_nothing() -> None:
    conn, live, _, mirror = make(reducers={"bad": lambda items, _x: 5, "dup": lambda i, x: [x, x]})
    errors: list[Exception] = []
    live.errors.subscribe(errors.append)
    conn.open()
    conn.reply([m(1)])
    conn.event("bad", 0)
    conn.event("dup", m(7))
    assert [type(e) for e in errors] == [TypeError, ValueError]
    assert live.value == mirror == [m(1)]


def test_a_snapshot_that_is_not_a_list_or_has_duplicate_keys_is_a_load_error() -> None:
    conn, live, _, _ = make()
    conn.open()
    conn.reply({"not": "a list"})
    assert isinstance(live.error, TypeError) and not live.loaded
    live.reload()
    conn.reply([m(1), m(1)])
    assert isinstance(live.error, ValueError) and not live.loaded
    live.reload()
    conn.reply([m(1)])
    assert live.loaded and live.error is None


def test_keyed_operations_need_a_key() -> None:
    with pytest.raises(ValueError, match="needs key="):
        make(key=None, reducers={"x": upsert()})
    with pytest.raises(ValueError, match="needs key="):
        make(key=None, reducers={"x": remove_by_key()})
    make(key=None, reducers={"x": append()})  # fine


def test_select_picks_the_item_from_the_event() -> None:
    conn, live, _, _ = make(
        reducers={"said": append(lambda user, text: {"id": text, "user": user})}
    )
    conn.open()
    conn.reply([])
    conn.event("said", "ann", "hi")
    assert live.value == [{"id": "hi", "user": "ann"}]


def test_ten_thousand_items_cost_one_key_call_each() -> None:
    """O(1) work per item: appends, updates and removing the last row never re-scan."""
    calls = 0

    def key(item: dict[str, Any]) -> Any:
        nonlocal calls
        calls += 1
        return item["id"]

    rows = Rows(key)
    rows.reset([])
    for i in range(10_000):
        rows.append(m(i))
    assert calls == 10_000 and len(rows) == 10_000
    rows.upsert(m(5_000, "changed"))
    rows.remove_key(9_999)
    assert calls == 10_001
    assert rows.index_of(9_998) == 9_998 and rows.index_of(5_000) == 5_000
    rows.remove_key(0)  # a removal at the front re-indexes lazily, on the next lookup past it
    assert rows.index_of(1) == 0 and rows.index_of(9_998) == 9_997


@pytest.mark.parametrize("seed", range(20))
def test_random_edits_keep_rows_and_a_mirror_in_step(seed: int) -> None:
    rnd = random.Random(seed)
    rows = Rows(_id)
    mirror: list[Any] = []
    apply(mirror, rows.reset([m(i) for i in range(rnd.randrange(6))]))
    next_id = 100
    for _ in range(60):
        op = rnd.randrange(4)
        changes: list[ListChange] = []
        if op == 0:
            next_id += 1
            changes = [rows.append(m(next_id))]
        elif op == 1 and rows.items:
            changes = [c for c in [rows.upsert(m(rnd.choice(rows.items)["id"], "u"))] if c]
        elif op == 2 and rows.items:
            changes = [c for c in [rows.remove_key(rnd.choice(rows.items)["id"])] if c]
        else:
            new = [dict(x) for x in rows.items if rnd.random() > 0.3]
            rnd.shuffle(new)
            for _ in range(rnd.randrange(3)):
                next_id += 1
                new.insert(rnd.randrange(len(new) + 1), m(next_id))
            changes = rows.replace_all(new)
            assert rows.items == new
        for change in changes:
            apply(mirror, change)
        assert mirror == rows.items
        for row, item in enumerate(rows.items):
            assert rows.index_of(item["id"]) == row


def test_optimistic_list_changes_and_rollback() -> None:
    conn, live, _, mirror = make()
    conn.open()
    conn.reply([m(1)])
    settle = live.optimistic(lambda items: [*items, m(99, "sending")])
    assert mirror == live.value == [m(1), m(99, "sending")]
    assert live.confirmed == [m(1)]
    conn.event("message", m(2))  # another user's message lands under ours
    assert mirror == [m(1), m(2), m(99, "sending")]
    conn.event("message", m(3, "mine"))  # the real one
    settle()
    assert mirror == live.value == live.confirmed == [m(1), m(2), m(3, "mine")]
    rollback = live.optimistic(lambda items: items[1:])
    assert mirror == [m(2), m(3, "mine")]
    rollback()
    assert mirror == [m(1), m(2), m(3, "mine")]
    conn.event("message", m(4))  # back on the O(1) path
    assert mirror == live.value == [m(1), m(2), m(3, "mine"), m(4)]
