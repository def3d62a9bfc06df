"""The embedded SQLite :class:`Storage` as the async :class:`ActorStore` the runtime uses."""

from __future__ import annotations

from actorbind.server.storage import ActorRecord, ActorStore, Storage


async def test_sqlite_store_state_and_queue_commit_together() -> None:
    storage = Storage()
    try:
        storage.insert(ActorRecord("a1", "default", "counter", ("k",)))
        store: ActorStore = storage
        assert await store.load_state("a1") is None
        first = await store.enqueue("a1", "jobs", b"\x01")
        second = await store.enqueue("a1", "jobs", b"\x02")
        assert [m.seq for m in await store.pending("a1")] == [first, second]
        await store.save_state("a1", b"state-1", done_message=first)
        assert await store.load_state("a1") == b"state-1"
        assert [m.seq for m in await store.pending("a1")] == [second]
        await store.delete_message("a1", second)
        assert await store.pending("a1") == []
    finally:
        storage.close()
