"""ActorListModel's Qt signals, driven by a fake connection (no loop needed but Qt's)."""

from __future__ import annotations

from typing import Any

from actorbind_qt import ITEM_ROLE, ActorListModel, LiveValue
from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QApplication
from reactivex.subject import BehaviorSubject

from actorbind.rx import LiveList, append, live_list, live_state, remove_by_key, upsert
from tests.rx.fakes import FakeConn


def m(i: int, text: str = "") -> dict[str, Any]:
    return {"id": i, "text": text or f"m{i}"}


def _make(parent: QObject) -> tuple[FakeConn, LiveList, ActorListModel, list[str]]:
    conn = FakeConn()
    live = live_list(
        BehaviorSubject[Any](conn),
        "history",
        key=lambda x: x["id"],
        reducers={"message": append(), "edited": upsert(), "deleted": remove_by_key()},
    )
    model = ActorListModel(live, parent)
    signals: list[str] = []
    model.modelReset.connect(lambda: signals.append("reset"))
    model.rowsInserted.connect(lambda _p, a, b: signals.append(f"insert {a}-{b}"))
    model.rowsRemoved.connect(lambda _p, a, b: signals.append(f"remove {a}-{b}"))
    model.dataChanged.connect(lambda a, b, _r: signals.append(f"changed {a.row()}-{b.row()}"))
    return conn, live, model, signals


def _texts(model: ActorListModel) -> list[str]:
    return [model.index(r, 0).data() for r in range(model.rowCount())]


def test_model_signals(qapp: QApplication, qt_warnings: list[str]) -> None:
    parent = QObject()
    conn, live, model, signals = _make(parent)
    tester = QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Warning)
    conn.open()
    conn.reply([m(1), m(2)])
    assert signals == ["reset"] and _texts(model) == ["m1", "m2"]
    assert model.data(model.index(0, 0), ITEM_ROLE) == m(1)
    names = {bytes(v.data()).decode(): k for k, v in model.roleNames().items()}
    assert model.data(model.index(1, 0), names["text"]) == "m2"
    conn.event("message", m(3))
    conn.event("message", m(4))
    assert model.rowCount() == 2  # a burst is announced together, on the next loop turn
    QCoreApplication.processEvents()
    assert signals[-1] == "insert 2-3" and _texts(model) == ["m1", "m2", "m3", "m4"]
    conn.event("message", m(5))
    conn.event("edited", m(2, "two"))  # any other change announces the pending appends first
    assert signals[-2:] == ["insert 4-4", "changed 1-1"]
    conn.event("deleted", 1)
    assert signals[-1] == "remove 0-0" and _texts(model) == ["two", "m3", "m4", "m5"]
    assert model.property("count") == 4 and model.get(0) == m(2, "two")
    conn.drop()
    assert model.property("stale") is True
    conn.open()
    conn.reply([m(9)])
    assert signals[-1] == "reset" and _texts(model) == ["m9"] and not model.property("stale")
    del tester
    parent.deleteLater()
    QCoreApplication.processEvents()
    assert qt_warnings == []
    assert live.value == [m(9)]


def test_live_value_properties(qapp: QApplication) -> None:
    parent = QObject()
    conn = FakeConn()
    state = live_state(BehaviorSubject[Any](conn), "getCount", reducers={"n": lambda _o, n: n})
    value = LiveValue(state, parent)
    seen: list[str] = []
    for name in ("valueChanged", "loadedChanged", "staleChanged", "errorChanged"):
        getattr(value, name).connect(lambda name=name: seen.append(name))
    conn.open()
    conn.reply(3)
    assert value.property("value") == 3 and value.property("loaded") is True
    assert seen == ["valueChanged", "loadedChanged"]
    conn.drop()
    assert value.property("stale") is True and seen[-1] == "staleChanged"
    conn.open()
    from actorbind.protocol.errors import actor_error

    conn.fail(actor_error("user", "nope", "no count"))
    assert "user.nope" in value.property("error") and seen[-1] == "errorChanged"
    value.detach()
    parent.deleteLater()
    QCoreApplication.processEvents()
