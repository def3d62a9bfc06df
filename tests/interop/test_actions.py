"""Stateless actions and addressing over HTTP, as the official TS client does them."""

from __future__ import annotations

import pytest

from actorbind import (
    UNDEFINED,
    ActionNotFound,
    ActionTimedOut,
    ActorError,
    ActorNotFound,
    Client,
    DuplicateKey,
    InternalError,
    MessageTooLong,
    Unauthorized,
)


async def test_get_or_create_increment_and_read(client: Client, uid: str) -> None:
    counter = client.counter.get_or_create(uid)
    assert await counter.increment(5) == 5
    assert await counter.action("increment", 2) == 7
    assert await counter.getCount() == 7
    # The by-name form is the same actor.
    assert await client.get_or_create("counter", uid).getCount() == 7


async def test_handles_are_lazy(client: Client, uid: str) -> None:
    # Making a handle for a missing actor does no I/O and raises nothing.
    client.counter.get(uid)
    client.counter.get_or_create(uid)
    client.counter.get_for_id("not-an-id")


async def test_get_reaches_existing_actor_and_missing_raises(client: Client, uid: str) -> None:
    await client.counter.get_or_create(uid).increment(3)
    assert await client.counter.get(uid).getCount() == 3
    with pytest.raises(ActorNotFound) as info:
        await client.counter.get(uid + "-missing").getCount()
    assert (info.value.group, info.value.code) == ("actor", "not_found")
    with pytest.raises(ActorNotFound):
        await client.counter.get(uid + "-missing").resolve()


async def test_resolve_and_get_for_id_share_the_actor(client: Client, uid: str) -> None:
    handle = client.counter.get_or_create(uid)
    await handle.increment(4)
    actor_id = await handle.resolve()
    assert isinstance(actor_id, str) and actor_id
    assert await handle.resolve() == actor_id  # cached
    same = client.counter.get_for_id(actor_id)
    assert await same.getCount() == 4
    assert await client.counter.get(uid).resolve() == actor_id


async def test_create_with_input_and_duplicate_key(client: Client, uid: str) -> None:
    handle = await client.withInput.create(uid, input={"name": "alice", "startCount": 7})
    assert await handle.getInput() == {"name": "alice", "startCount": 7}
    assert await handle.getCount() == 7
    with pytest.raises(ActorError) as info:
        await client.withInput.create(uid, input={"name": "bob"})
    # RivetKit's engine sometimes answers a duplicate create with destroyed_during_creation
    # (its own client sees the same); the embedded server always says duplicate_key.
    assert (info.value.group, info.value.code) in (
        ("actor", "duplicate_key"),
        ("actor", "destroyed_during_creation"),
    )
    if info.value.code == "duplicate_key":
        assert isinstance(info.value, DuplicateKey)


async def test_get_or_create_with_input(client: Client, uid: str) -> None:
    handle = client.withInput.get_or_create(uid, create_with_input={"name": "bob", "startCount": 2})
    assert await handle.getInput() == {"name": "bob", "startCount": 2}
    # Input only applies on creation.
    again = client.withInput.get_or_create(uid, create_with_input={"name": "carol"})
    assert await again.getInput() == {"name": "bob", "startCount": 2}


async def test_large_input_goes_through_the_management_api(client: Client, uid: str) -> None:
    big = {"blob": "z" * 6000}  # over the 4096-byte rvt-input limit of the query gateway
    handle = client.withInput.get_or_create(uid, create_with_input=big)
    assert await handle.getInput() == big


@pytest.mark.parametrize(
    "key",
    [
        ["plain"],
        ["a", "b/c", "d"],
        ["with,comma"],
        ["x", "", "y"],
        ["back\\slash"],
        ["üñí", "日本"],
        [" spaced out ", "+plus"],
    ],
    ids=["plain", "slash", "comma", "empty-part", "backslash", "non-ascii", "space-plus"],
)
async def test_keys_reach_the_same_actor_through_every_path(
    client: Client, uid: str, key: list[str]
) -> None:
    full = [uid, *key]
    await client.counter.get_or_create(full).increment(1)
    assert await client.counter.get_or_create(full).getKey() == full
    actor_id = await client.counter.get_or_create(full).resolve()
    assert await client.counter.get(full).resolve() == actor_id
    assert await client.counter.get_for_id(actor_id).getCount() == 1
    assert await client.counter.get(full).increment(1) == 2
    async with client.counter.get_or_create(full).connect() as conn:
        await conn.ready()
        assert conn.actor_id == actor_id
        assert await conn.getCount() == 2


async def test_string_key_equals_one_part_list(client: Client, uid: str) -> None:
    await client.counter.get_or_create(uid).increment(9)
    assert await client.counter.get_or_create([uid]).getCount() == 9


@pytest.mark.parametrize(
    "value",
    [
        0,
        -1,
        2**53 - 1,
        2**60,
        -(2**63),
        1.5,
        "text",
        "üñí",
        None,
        True,
        [1, [2, [3]]],
        {"nested": {"list": [1, "two", None]}},
        b"\x00\x01\xfe\xff",
        ["$looks-like-a-tag", 1],
        {"a": {"b": b"bytes inside"}},
    ],
    ids=repr,
)
async def test_values_round_trip(client: Client, uid: str, value: object) -> None:
    assert await client.counter.get_or_create(uid).echo(value) == [value]


async def test_undefined_and_empty_args(client: Client, uid: str) -> None:
    counter = client.counter.get_or_create(uid)
    assert await counter.echo() == []
    assert await counter.echo(UNDEFINED) == [None]
    assert await counter.echo({"a": UNDEFINED, "b": 1}) == [{"b": 1}]


async def test_binary_and_large_outputs(client: Client, uid: str) -> None:
    counter = client.counter.get_or_create(uid)
    assert await counter.bytes(16) == bytes(range(16))
    assert await counter.bigString(100_000) == "x" * 100_000
    with pytest.raises(MessageTooLong) as info:
        await counter.bigString(2_000_000)
    assert (info.value.group, info.value.code) == ("message", "outgoing_too_long")
    with pytest.raises(MessageTooLong) as info:
        await counter.argLength("y" * 100_000)
    assert (info.value.group, info.value.code) == ("message", "incoming_too_long")
    assert await counter.argLength("y" * 1000) == 1000


async def test_user_errors_keep_group_code_metadata(client: Client, uid: str) -> None:
    errors = client.errors.get_or_create(uid)
    with pytest.raises(ActorError) as info:
        await errors.failUser("because")
    err = info.value
    assert (err.group, err.code) == ("user", "custom_code")
    assert err.message == "user error: because"
    assert err.metadata == {"n": 42, "reason": "because"}
    assert err.actor is not None and err.actor.actor_id == await errors.resolve()
    with pytest.raises(ActorError) as info:
        await errors.failPlain()
    assert (info.value.group, info.value.code, info.value.message) == (
        "user",
        "user_error",
        "plain failure",
    )


async def test_internal_errors_stay_masked(client: Client, uid: str) -> None:
    with pytest.raises(InternalError) as info:
        await client.errors.get_or_create(uid).failInternal()
    assert (info.value.group, info.value.code) == ("rivetkit", "internal_error")
    assert "secret" not in str(info.value)
    assert info.value.metadata is None


async def test_unknown_action_and_timeout(client: Client, uid: str) -> None:
    with pytest.raises(ActionNotFound):
        await client.counter.get_or_create(uid).noSuchAction()
    slow = client.slow.get_or_create(uid)
    assert await slow.sleepMs(10) == 10
    with pytest.raises(ActionTimedOut) as info:
        await slow.sleepMs(2000)
    assert (info.value.group, info.value.code) == ("actor", "action_timed_out")


async def test_params_reach_on_before_connect(client: Client, uid: str) -> None:
    good = client.guarded.get_or_create(uid, params={"authToken": "good-token"})
    assert await good.whoami() == {"user": "u1", "authToken": "good-token"}
    with pytest.raises(Unauthorized) as info:
        await client.guarded.get_or_create(uid, params={"authToken": "bad"}).ping()
    assert info.value.metadata == {"got": "bad"}
    assert "bad" not in repr(info.value)
    with pytest.raises(Unauthorized):
        await client.guarded.get_or_create(uid).ping()


async def test_destroyed_actor_is_not_found(client: Client, uid: str) -> None:
    handle = client.counter.get_or_create(uid)
    await handle.increment(1)
    actor_id = await handle.resolve()
    await client.destroy_actor(actor_id)
    with pytest.raises(ActorNotFound):
        await client.counter.get_for_id(actor_id).getCount()


async def test_raw_request(client: Client, uid: str) -> None:
    response = await client.raw.get_or_create(uid).fetch(
        "/foo/bar?x=1", method="POST", content=b"hello"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["method"] == "POST"
    assert body["path"].endswith("/foo/bar")
    assert body["body"] == "hello"


async def test_raw_request_drops_the_fragment(client: Client, uid: str) -> None:
    # Upstream's raw-http-request-properties: the actor sees the path without the fragment,
    # and the gateway query is not swallowed by it (which failed with core.internal_error).
    raw = client.raw.get_or_create(uid)
    response = await raw.fetch("test/path#fragment")
    assert response.status_code == 200
    assert response.json()["path"] == "/test/path"
    response = await raw.fetch("/test/path?foo=bar#frag?x=1")
    assert response.status_code == 200
    assert (response.json()["path"], response.json()["query"]) == ("/test/path", {"foo": "bar"})


async def test_raw_websocket_drops_the_fragment(client: Client, uid: str) -> None:
    ws = await client.raw.get_or_create(uid).websocket("/echo#fragment")
    async with ws:
        await ws.send("hi")
        assert await ws.recv() == "hi"


async def test_skip_ready_wait_per_call(client: Client, uid: str) -> None:
    # Gateway-level: both servers accept rvt-skip-ready-wait, the header and the subprotocol,
    # and route id targets by x-rivet-target/x-rivet-actor (or rivet_target/rivet_actor).
    counter = client.counter.get_or_create(uid)
    assert await counter.increment(1) == 1  # awake: skipping the wait is then safe
    assert await counter.increment(1, skip_ready_wait=True) == 2
    by_id = client.counter.get_for_id(await counter.resolve())
    assert await by_id.increment(1, skip_ready_wait=True) == 3
    raw = client.raw.get_or_create(uid)
    await raw.fetch("/warm")
    raw_id = client.raw.get_for_id(await raw.resolve())
    for handle in (raw, raw_id):
        response = await handle.fetch("/test/path?foo=bar", skip_ready_wait=True)
        assert response.status_code == 200
        assert (response.json()["path"], response.json()["query"]) == ("/test/path", {"foo": "bar"})
        ws = await handle.websocket("/echo", skip_ready_wait=True)
        async with ws:
            await ws.send("hi")
            assert await ws.recv() == "hi"


async def test_raw_websocket_echo(client: Client, uid: str) -> None:
    ws = await client.raw.get_or_create(uid).websocket("/echo")
    async with ws:
        await ws.send("hi")
        assert await ws.recv() == "hi"
        await ws.send(b"\x00\x01")
        assert await ws.recv() == b"\x00\x01"


async def test_queue_send(client: Client, uid: str) -> None:
    queued = client.queued.get_or_create(uid)
    assert await queued.send("jobs", {"n": 1}) is None
    result = await queued.send("jobs", {"n": 2}, wait=True, timeout=5)
    assert result is not None and result.status == "completed"
    received = await queued.received()
    assert {"n": 2} in received
