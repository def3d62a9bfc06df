"""binding.state / binding.list_model / binding.call in widgets (offscreen)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import shiboken6
from actorbind_qt import ActorListModel, LiveValue, use_actor
from PySide6.QtCore import QtMsgType, qInstallMessageHandler
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QLabel, QListView, QWidget

from actorbind import ActorError, Client, InvalidState
from actorbind.rx import ActorStore, append, remove_by_key, upsert
from tests.utils import until

from .conftest import QtLoop

JOURNAL = {"added": append(), "edited": upsert(), "dropped": remove_by_key()}


def _id(item: dict[str, Any]) -> Any:
    return item["id"]


def _set(_old: Any, new: Any) -> Any:
    return new


@pytest.fixture
def qt_warnings() -> Iterator[list[str]]:
    """Qt's own warnings (QAbstractItemModelTester reports broken model signals this way)."""
    seen: list[str] = []

    def handler(kind: QtMsgType, _context: Any, message: str) -> None:
        if kind != QtMsgType.QtDebugMsg:
            seen.append(message)

    previous = qInstallMessageHandler(handler)
    yield seen
    qInstallMessageHandler(previous)


def test_live_value_drives_a_label_from_the_first_frame(
    qloop: QtLoop, client: Client, store: ActorStore, make_widget: Callable[..., QWidget], uid: str
) -> None:
    async def scenario() -> None:
        await client.counter.get_or_create(uid).increment(41)  # before any window
        widget = make_widget()
        label = QLabel(widget)
        binding = use_actor(widget, "counter", [uid], client=client, store=store)
        count = binding.state("getCount", reducers={"newCount": _set})
        assert isinstance(count, LiveValue) and count.value is None and not count.loaded
        count.bind(label, "text", lambda n: f"count {n}")
        changes: list[str] = []
        count.valueChanged.connect(lambda: changes.append("value"))
        count.loadedChanged.connect(lambda: changes.append("loaded"))
        assert label.text() == "…"
        widget.show()
        await until(lambda: label.text() == "count 41", "the snapshot")
        assert count.loaded and not count.stale and count.error == ""
        assert count.property("value") == 41 and count.property("loaded") is True
        await client.counter.get_or_create(uid).increment(1)  # another client
        await until(lambda: label.text() == "count 42", "an event")
        assert changes[:2] == ["value", "loaded"]

    qloop.run(scenario())


def test_bindings_of_one_actor_share_one_state(
    qloop: QtLoop, client: Client, store: ActorStore, make_widget: Callable[..., QWidget], uid: str
) -> None:
    async def scenario() -> None:
        a, b = make_widget(), make_widget()
        ba = use_actor(a, "counter", [uid], client=client, store=store)
        bb = use_actor(b, "counter", [uid], client=client, store=store)
        first = ba.state("getCount", reducers={"newCount": _set})
        second = bb.state("getCount", reducers={"newCount": _set})
        other = bb.state("getKey")
        assert first.live is second.live and other.live is not first.live
        a.show()
        b.show()
        await until(lambda: first.loaded and second.loaded, "loaded")
        conn = ba.connection
        assert conn is not None and conn is bb.connection
        assert len(conn._dispatch.listeners["newCount"]) == 1  # one subscription for both
        a.close()
        shiboken6.delete(a)
        assert not second.live.disposed  # still used by b
        await client.counter.get_or_create(uid).increment(3)
        await until(lambda: second.value == 3, "b still follows")

    qloop.run(scenario())


def test_list_model_in_a_list_view(
    qloop: QtLoop,
    client: Client,
    store: ActorStore,
    make_widget: Callable[..., QWidget],
    uid: str,
    qt_warnings: list[str],
) -> None:
    async def scenario() -> None:
        journal = client.journal.get_or_create(uid)
        for text in ("a", "b", "c"):
            await journal.add(text)
        widget = make_widget()
        view = QListView(widget)
        binding = use_actor(widget, "journal", [uid], client=client, store=store)
        model = binding.list_model("history", key=_id, reducers=JOURNAL)
        assert isinstance(model, ActorListModel)
        tester = QAbstractItemModelTester(
            model, QAbstractItemModelTester.FailureReportingMode.Warning
        )
        view.setModel(model)
        resets: list[bool] = []
        model.modelReset.connect(lambda: resets.append(True))
        widget.show()
        await until(lambda: model.rowCount() == 3, "the snapshot's rows")

        def texts() -> list[str]:
            return [model.index(r, 0).data() for r in range(model.rowCount())]

        assert texts() == ["a", "b", "c"] and model.property("count") == 3
        names = {bytes(v.data()).decode() for v in model.roleNames().values()}
        assert {"display", "item", "id", "text"} <= names
        text_role = next(k for k, v in model.roleNames().items() if bytes(v.data()) == b"text")
        assert model.data(model.index(1, 0), text_role) == "b"
        inserted: list[tuple[int, int]] = []
        model.rowsInserted.connect(lambda _p, first, last: inserted.append((first, last)))
        await journal.add("d")
        await journal.edit(2, "B")
        await journal.drop(1)
        await until(lambda: texts() == ["B", "c", "d"], "inserts, updates, removes")
        assert inserted == [(3, 3)] and model.get(0) == {"id": 2, "text": "B"}
        view.viewport().repaint()  # the view reads every row it shows
        binding.enabled = False
        binding.enabled = True  # a new connection: a new snapshot, a reset
        await until(lambda: len(resets) >= 2 and model.loaded and not model.stale, "reload")
        assert texts() == ["B", "c", "d"]
        del tester

    qloop.run(scenario())
    assert qt_warnings == []


def test_call_signals_and_optimistic_rollback(
    qloop: QtLoop, client: Client, store: ActorStore, make_widget: Callable[..., QWidget], uid: str
) -> None:
    async def scenario() -> None:
        widget = make_widget()
        binding = use_actor(widget, "counter", [uid], client=client, store=store)
        count = binding.state("getCount", reducers={"newCount": _set})
        finished: list[tuple[str, Any]] = []
        failed: list[tuple[str, Any]] = []
        errors: list[Exception] = []
        binding.actionFinished.connect(lambda n, r: finished.append((n, r)))
        binding.actionFailed.connect(lambda n, e: failed.append((n, e)))
        binding.errors.subscribe(errors.append)
        binding.call("increment", 1)  # not shown: fails at once, visibly
        assert failed and isinstance(failed[0][1], InvalidState) and errors == [failed[0][1]]
        widget.show()
        await until(lambda: count.loaded, "loaded")
        binding.call("increment", 5, optimistic=(count, lambda v: v + 5))
        assert count.value == 5  # at once
        await until(lambda: finished == [("increment", 5)], "finished")
        assert count.value == 5 and count.live.confirmed == 5
        binding.call("noSuchAction", optimistic=(count, lambda v: v + 100))
        assert count.value == 105
        await until(lambda: len(failed) == 2, "failed")
        assert failed[1][0] == "noSuchAction" and isinstance(failed[1][1], ActorError)
        assert count.value == 5 and errors[-1] is failed[1][1]

    qloop.run(scenario())


def test_create_task_errors_are_never_lost(
    qloop: QtLoop, client: Client, store: ActorStore, make_widget: Callable[..., QWidget], uid: str
) -> None:
    async def scenario() -> None:
        widget = make_widget()
        binding = use_actor(widget, "counter", [uid], client=client, store=store)
        occurred: list[object] = []
        binding.errorOccurred.connect(occurred.append)
        widget.show()
        await until(lambda: binding.connected, "connected")
        binding.create_task(binding.action("noSuchAction"))  # the README idiom, not awaited
        await until(lambda: bool(occurred), "the error reached errorOccurred")
        assert isinstance(occurred[0], ActorError)

    qloop.run(scenario())
    assert qloop.errors == []  # no "Task exception was never retrieved"


def test_use_actor_off_the_gui_thread_is_refused(
    qloop: QtLoop, client: Client, make_widget: Callable[..., QWidget], uid: str
) -> None:
    import threading

    widget = make_widget()
    caught: list[BaseException] = []

    def worker() -> None:
        try:
            use_actor(widget, "counter", [uid], client=client)
        except BaseException as exc:
            caught.append(exc)

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(10)
    assert len(caught) == 1 and isinstance(caught[0], InvalidState)
    assert "GUI thread" in str(caught[0])


def test_a_widget_shown_without_a_running_loop_says_so(
    qloop: QtLoop,
    client: Client,
    make_widget: Callable[..., QWidget],
    uid: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from actorbind_qt import _lifecycle

    monkeypatch.setattr(_lifecycle, "_warned_no_loop", False)
    monkeypatch.setattr(_lifecycle, "RETRY_MS", 1)
    store = ActorStore(client)  # bound to no loop yet
    widget = make_widget()
    binding = use_actor(widget, "counter", [uid], client=client, store=store)
    widget.show()  # the asyncio loop is not running: Qt events only
    from PySide6.QtCore import QCoreApplication, QDeadlineTimer, QEventLoop

    deadline = QDeadlineTimer(15_000)
    while "no asyncio loop runs" not in caplog.text and not deadline.hasExpired():
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 50)
    assert "actorbind_qt.run" in caplog.text and not binding.mounted

    async def then_it_connects() -> None:
        await until(lambda: binding.connected, "connected once the loop runs")

    qloop.run(then_it_connects())
    widget.close()
