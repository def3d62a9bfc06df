"""EngineKvStore on a fake engine KV (same limits, all-or-nothing puts): chunking, the queue
cursor committed with the state, and the clear error past one atomic put."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from actorbind.runner import _envoy_v8 as v8
from actorbind.runner.kv import MAX_PUT, MAX_VALUE, KvClient, KvError, KvLimitError
from actorbind.runner.store import EngineKvStore, StateTooLarge


class FakeEngineKv:
    """Answers KvClient's requests like the engine: one dict per actor, puts atomic."""

    def __init__(self) -> None:
        self.data: dict[str, dict[bytes, bytes]] = {}
        self.requests: list[v8.ToRivetKvRequest] = []
        self.fail_puts = False
        self.client = KvClient(self._send, timeout=5)

    def _send(self, msg: v8.ToRivet) -> None:
        assert isinstance(msg, v8.ToRivetKvRequest)
        # Through the real codec, as on the wire.
        decoded = v8.decode_ToRivet(v8.encode_ToRivet(msg))
        assert isinstance(decoded, v8.ToRivetKvRequest)
        self.requests.append(decoded)
        response = self._answer(decoded.actor_id, decoded.data)
        asyncio.get_running_loop().call_soon(
            self.client.resolve, v8.ToEnvoyKvResponse(decoded.request_id, response)
        )

    def _answer(self, actor_id: str, req: Any) -> v8.KvResponseData:
        kv = self.data.setdefault(actor_id, {})
        meta = v8.KvMetadata(b"2.3.19", 0)
        if isinstance(req, v8.KvGetRequest):
            keys = [k for k in req.keys if k in kv]
            return v8.KvGetResponse(keys, [kv[k] for k in keys], [meta] * len(keys))
        if isinstance(req, v8.KvListRequest):
            assert isinstance(req.query, v8.KvListPrefixQuery)
            keys = sorted(k for k in kv if k.startswith(req.query.key))
            return v8.KvListResponse(keys, [kv[k] for k in keys], [meta] * len(keys))
        if isinstance(req, v8.KvPutRequest):
            if self.fail_puts:
                return v8.KvErrorResponse("disk full")
            kv.update(zip(req.keys, req.values, strict=True))
            return v8.KvPutResponse()
        if isinstance(req, v8.KvDeleteRequest):
            for k in req.keys:
                kv.pop(k, None)
            return v8.KvDeleteResponse()
        assert isinstance(req, v8.KvDropRequest)
        kv.clear()
        return v8.KvDropResponse()


@pytest.fixture
def engine() -> FakeEngineKv:
    return FakeEngineKv()


async def test_state_round_trips_in_chunks_of_one_put(engine: FakeEngineKv) -> None:
    store = EngineKvStore(engine.client)
    assert await store.load_state("a") is None
    state = bytes(range(256)) * 2000  # 512000 bytes: 4 chunks
    await store.save_state("a", state)
    puts = [r for r in engine.requests if isinstance(r.data, v8.KvPutRequest)]
    assert len(puts) == 1 and len(puts[0].data.keys) == 5  # 4 chunks + header, one request
    assert all(len(v) <= MAX_VALUE for v in puts[0].data.values)
    fresh = EngineKvStore(engine.client)  # another process
    assert await fresh.load_state("a") == state
    await fresh.save_state("a", b"small")  # shrinking leaves old chunks, ignored
    assert await EngineKvStore(engine.client).load_state("a") == b"small"


async def test_queue_cursor_commits_with_the_state(engine: FakeEngineKv) -> None:
    store = EngineKvStore(engine.client)
    await store.load_state("a")
    assert await store.pending("a") == []
    one = await store.enqueue("a", "jobs", b"1")
    two = await store.enqueue("a", "jobs", b"2")
    queued = dict(engine.data["a"])
    await store.save_state("a", b"after-one", done_message=one)
    engine.data["a"].update(queued)  # as if the delete after the put never happened
    restarted = EngineKvStore(engine.client)
    assert await restarted.load_state("a") == b"after-one"
    assert [(m.seq, m.body) for m in await restarted.pending("a")] == [(two, b"2")]
    # New messages never reuse a retired sequence number.
    assert await restarted.enqueue("a", "jobs", b"3") > two


async def test_state_past_one_atomic_put_is_refused_clearly(engine: FakeEngineKv) -> None:
    store = EngineKvStore(engine.client)
    await store.load_state("a")
    with pytest.raises(StateTooLarge, match="atomically"):
        await store.save_state("a", b"x" * MAX_PUT)
    assert not any(isinstance(r.data, v8.KvPutRequest) for r in engine.requests)


async def test_kv_limits_and_engine_errors(engine: FakeEngineKv) -> None:
    kv = engine.client
    with pytest.raises(KvLimitError):
        await kv.put("a", {b"k" * 2049: b""})
    with pytest.raises(KvLimitError):
        await kv.put("a", {b"k": b"v" * (MAX_VALUE + 1)})
    with pytest.raises(KvLimitError):
        await kv.get("a", [bytes([i]) for i in range(129)])
    assert engine.requests == []
    engine.fail_puts = True
    with pytest.raises(KvError, match="disk full"):
        await kv.put("a", {b"k": b"v"})


async def test_lost_connection_fails_requests_in_flight() -> None:
    sent: list[v8.ToRivet] = []
    kv = KvClient(sent.append, timeout=30)
    task = asyncio.ensure_future(kv.get("a", [b"k"]))
    await asyncio.sleep(0)
    assert len(sent) == 1
    kv.fail_all("connection lost")
    with pytest.raises(KvError, match="connection lost"):
        await task


async def test_destroyed_actor_drops_its_keyspace(engine: FakeEngineKv) -> None:
    store = EngineKvStore(engine.client)
    await store.load_state("a")
    await store.save_state("a", b"s")
    await store.drop("a")
    assert engine.data["a"] == {}
