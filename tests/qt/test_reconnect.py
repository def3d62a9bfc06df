"""A server restart: the binding reports it, reconnects with fresh params, events resume."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from actorbind_qt import use_actor
from PySide6.QtWidgets import QWidget

from actorbind import ConnStatus, create_client
from actorbind.rx import ActorStore
from tests.utils import until

from .conftest import QtLoop, RestartableServer


def _is_subsequence(needle: list[str], haystack: list[str]) -> bool:
    it = iter(haystack)
    return all(item in it for item in needle)


def test_server_restart(
    qloop: QtLoop, make_widget: Callable[..., QWidget], own_server: RestartableServer, uid: str
) -> None:
    calls: list[int] = []

    def get_params() -> Any:
        calls.append(len(calls))
        return None

    async def scenario() -> None:
        client = create_client(own_server.endpoint)
        store = ActorStore(client, grace=0.0)
        widget = make_widget()
        binding = use_actor(
            widget, "counter", [uid], client=client, store=store, get_params=get_params
        )
        seen: list[str] = []
        rx_seen: list[ConnStatus] = []
        counts: list[int] = []
        binding.statusChanged.connect(seen.append)
        binding.status.subscribe(rx_seen.append)
        binding.on_event("newCount", counts.append)
        widget.show()
        await until(lambda: binding.connected, "connected")
        assert await binding.action("increment", 1) == 1
        await until(lambda: counts == [1], "first event")
        first_calls = len(calls)
        assert first_calls >= 1

        await asyncio.to_thread(own_server.stop)
        await until(lambda: not binding.connected, "connection lost")
        await asyncio.to_thread(own_server.start)  # same port, same data file
        await until(lambda: binding.connected, "reconnected", timeout=30)

        assert _is_subsequence(
            ["connecting", "connected", "disconnected", "connecting", "connected"], seen
        ), seen
        assert [s.value for s in rx_seen] == ["idle", *seen]
        assert len(calls) > first_calls  # the params provider ran again
        # Events resume (the subscription was sent again), state survived the restart.
        assert await client.counter.get_or_create([uid]).increment(2) == 3
        await until(lambda: counts == [1, 3], "event after restart")
        widget.close()
        await until(lambda: not client.connections, "disposed")
        await client.dispose()

    qloop.run(scenario())


def test_refused_credentials_then_fixed(
    qloop: QtLoop, make_widget: Callable[..., QWidget], embedded_endpoint: str, uid: str
) -> None:
    token = {"value": "bad-token"}

    async def scenario() -> None:
        client = create_client(embedded_endpoint)
        store = ActorStore(client, grace=0.0)
        widget = make_widget()
        binding = use_actor(
            widget,
            "guarded",
            [uid],
            client=client,
            store=store,
            get_params=lambda: {"authToken": token["value"]},
        )
        errors: list[object] = []
        binding.errorOccurred.connect(errors.append)
        widget.show()
        await until(lambda: binding.last_error is not None, "refused")
        await until(lambda: binding.conn_status is ConnStatus.IDLE, "gave up")
        assert errors and "invalid auth token" in str(errors[0])
        token["value"] = "good-token"
        binding.reconnect()
        await until(lambda: binding.connected, "connected")
        assert binding.last_error is None  # cleared on connect
        assert await binding.action("ping") == "pong"
        await client.dispose()

    qloop.run(scenario())
