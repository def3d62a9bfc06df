"""ActorStore against the embedded server: sharing, grace period, enabled, errors."""

from __future__ import annotations

import asyncio

from actorbind import Client, ConnStatus, InvalidState
from actorbind.rx import ActorStore, default_hash
from tests.utils import until


async def _live(client: Client, uid: str) -> int:
    return int(await client.counter.get_or_create([uid]).liveConns()) - 1


async def test_same_values_share_one_connection(client: Client, uid: str) -> None:
    store = ActorStore(client, grace=0.05)
    e1, off1 = store.mount("counter", [uid])
    e2, off2 = store.mount("counter", uid)  # "k" and ["k"] are the same key
    other, off3 = store.mount("counter", [uid], params={"x": 1})  # params are in the hash
    assert e1 is e2 and other is not e1
    await until(lambda: e1.status is ConnStatus.CONNECTED, "connected")
    await until(lambda: other.status is ConnStatus.CONNECTED, "other connected")
    assert await _live(client, uid) == 2
    off1()
    off1()  # idempotent
    await asyncio.sleep(store.grace * 2)
    assert e1.connection is not None and await _live(client, uid) == 2
    off2()
    off3()
    await until(lambda: store.entries == (), "entries gone after grace")
    await store.wait_closed()
    assert await _live(client, uid) == 0
    assert e1.disposed and e1.status is ConnStatus.IDLE


async def test_remount_within_grace_reuses_the_socket(client: Client, uid: str) -> None:
    store = ActorStore(client, grace=30.0)
    entry, off = store.mount("counter", [uid])
    await until(lambda: entry.status is ConnStatus.CONNECTED, "connected")
    conn = entry.connection
    off()
    again, off_again = store.mount("counter", [uid])
    assert again is entry and entry.connection is conn and entry.refs == 1
    off_again()
    await store.aclose()  # no grace: now
    assert entry.disposed and conn is not None and conn.disposed
    assert await _live(client, uid) == 0


async def test_enabled_off_and_on(client: Client, uid: str) -> None:
    store = ActorStore(client, grace=0.0)
    entry, off = store.mount("counter", [uid])
    seen: list[ConnStatus] = []
    entry.statuses.subscribe(seen.append)
    await until(lambda: entry.status is ConnStatus.CONNECTED, "connected")
    first = entry.connection
    entry.set_enabled(False)
    assert entry.connection is None and entry.status is ConnStatus.IDLE
    await store.wait_closed()
    assert await _live(client, uid) == 0
    entry.set_enabled(True)
    await until(lambda: entry.status is ConnStatus.CONNECTED, "connected again")
    assert entry.connection is not first
    assert seen == [
        ConnStatus.CONNECTING,
        ConnStatus.CONNECTED,
        ConnStatus.IDLE,
        ConnStatus.CONNECTING,
        ConnStatus.CONNECTED,
    ]
    off()
    await until(lambda: entry.disposed, "disposed")


async def test_last_error_kept_then_cleared_on_connect(client: Client, uid: str) -> None:
    store = ActorStore(client, grace=0.0)
    token = {"value": "bad-token"}
    entry, off = store.mount("guarded", [uid], get_params=lambda: {"authToken": token["value"]})
    changes: list[object] = []
    entry.error_changes.subscribe(changes.append)
    await until(lambda: entry.status is ConnStatus.IDLE and entry.error is not None, "refused")
    token["value"] = "good-token"
    entry.reconnect()
    await until(lambda: entry.status is ConnStatus.CONNECTED, "connected")
    assert entry.error is None
    assert changes[0] is None and changes[-1] is None and len(changes) >= 3
    assert await entry.action("ping") == "pong"
    off()
    await until(lambda: entry.disposed, "disposed")


async def test_action_needs_a_connection(client: Client, uid: str) -> None:
    store = ActorStore(client)
    entry = store.entry("counter", [uid])
    try:
        await entry.action("getCount")
    except InvalidState:
        pass
    else:
        raise AssertionError("expected InvalidState")
    assert store.entries == (entry,)
    store.entry("counter", [uid, "other"])  # unused, connection-less entries are swept
    assert entry not in store.entries


def test_default_hash_is_framework_base_json() -> None:
    assert default_hash("counter", ("a",), {"t": 1}, False) == (
        '{"key":["a"],"name":"counter","noCreate":false,"params":{"t":1}}'
    )


def test_mount_without_a_loop_is_a_clear_error(client: Client) -> None:
    store = ActorStore(client)
    try:
        store.mount("counter", ["x"])
    except InvalidState as exc:
        assert "running asyncio loop" in str(exc)
    else:
        raise AssertionError("expected InvalidState")
