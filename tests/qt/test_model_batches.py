"""ActorListModel and LiveValue fed one socket read at a time: one model update per burst,
the rows exactly the live list's after every read, across a reconnect in the middle."""

from __future__ import annotations

from typing import Any

from actorbind_qt import ITEM_ROLE, ActorListModel, LiveValue
from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QApplication
from reactivex.subject import BehaviorSubject

from actorbind.rx import append, live_list, live_state, remove_by_key, upsert
from tests.rx.fakes import FakeConn

from .test_model_unit import _make, m


def _rows(model: ActorListModel) -> list[Any]:
    return [model.data(model.index(r, 0), ITEM_ROLE) for r in range(model.rowCount())]


def test_one_update_per_read_and_exact_rows(qapp: QApplication, qt_warnings: list[str]) -> None:
    parent = QObject()
    conn, live, model, signals = _make(parent)
    tester = QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Warning)
    conn.open()
    conn.reply([m(i) for i in range(1, 6)])
    with conn.read():
        for i in range(6, 11):
            conn.event("message", m(i))
    QCoreApplication.processEvents()
    assert signals[-1] == "insert 5-9" and _rows(model) == live.value
    count = len(signals)
    with conn.read():  # a run of updates: one dataChanged over the rows it touched
        conn.event("edited", m(2, "two"))
        conn.event("edited", m(7, "seven"))
        conn.event("edited", m(4, "four"))
    assert signals[count:] == ["changed 1-6"] and _rows(model) == live.value
    count = len(signals)
    with conn.read():  # mixed: each kind in order, runs merged
        conn.event("edited", m(1, "one"))
        conn.event("message", m(11))
        conn.event("message", m(12))
        conn.event("edited", m(12, "twelve"))  # an appended row: announced first
        conn.event("deleted", 3)
        conn.event("edited", m(5, "five"))
    assert signals[count:] == [
        "changed 0-0",
        "insert 10-11",
        "changed 11-11",
        "remove 2-2",
        "changed 3-3",
    ]
    assert _rows(model) == live.value
    with conn.read():  # the socket drops and a new one loads within one read
        conn.event("message", m(13))
        conn.drop()
        conn.event("message", m(14))  # before the new snapshot: dropped
        conn.open()
        conn.reply([m(1, "uno"), m(20)])
        conn.event("message", m(21))
        conn.event("edited", m(20, "twenty"))
    QCoreApplication.processEvents()
    assert _rows(model) == live.value == [m(1, "uno"), m(20, "twenty"), m(21)]
    assert model.property("count") == 3 and not model.property("stale")
    del tester
    parent.deleteLater()
    QCoreApplication.processEvents()
    assert qt_warnings == []


def test_a_model_made_mid_read_starts_exact(qapp: QApplication) -> None:
    parent = QObject()
    conn = FakeConn()
    live = live_list(
        BehaviorSubject[Any](conn),
        "history",
        key=lambda x: x["id"],
        reducers={"message": append(), "edited": upsert(), "deleted": remove_by_key()},
    )
    first = ActorListModel(live, parent)
    conn.open()
    conn.reply([m(1)])
    made: list[ActorListModel] = []
    with conn.read():
        conn.event("message", m(2))
        made.append(ActorListModel(live, parent))  # e.g. a view opened by an event handler
        conn.event("message", m(3))
    QCoreApplication.processEvents()
    assert _rows(first) == _rows(made[0]) == live.value == [m(1), m(2), m(3)]
    parent.deleteLater()
    QCoreApplication.processEvents()


def test_live_value_changes_once_per_read(qapp: QApplication) -> None:
    parent = QObject()
    conn = FakeConn()
    state = live_state(BehaviorSubject[Any](conn), "getCount", reducers={"n": lambda _o, n: n})
    value = LiveValue(state, parent)
    seen: list[Any] = []
    value.valueChanged.connect(lambda: seen.append(value.property("value")))
    value.loadedChanged.connect(lambda: seen.append("loaded"))
    conn.open()
    with conn.read():
        conn.reply(1)
        conn.event("n", 2)
        conn.event("n", 3)
    assert seen == [1, "loaded", 3]  # the snapshot before its flag, then the read's burst once
    with conn.read():
        conn.event("n", 4)
        conn.drop()
        conn.open()
        conn.reply(10)
    assert seen[-1] == 10 and value.property("value") == 10
    value.detach()
    parent.deleteLater()
    QCoreApplication.processEvents()
