"""ActorTarget keeps the gateway route of a query target per (path, skip) and config; it never
serves one built for another config, for an input, or for an id."""

from __future__ import annotations

from dataclasses import replace

from actorbind import create_client
from actorbind.protocol.urls import IdTarget, QueryTarget, gateway_route


async def test_a_query_route_is_built_once_per_config_and_rebuilt_for_a_new_one() -> None:
    async with create_client(
        "http://127.0.0.1:9", encoding="json", disable_metadata_lookup=True
    ) as client:
        target = client.counter.get_or_create(["room", "1"])._target
        cfg = await client._ctx.management.config()
        first = await target.route(cfg, "/action/increment", False)
        assert await target.route(cfg, "/action/increment", False) is first
        address = await target.address()
        assert isinstance(address, QueryTarget)
        want = gateway_route(cfg.endpoint, address, "/action/increment", namespace=cfg.namespace)
        assert first == want
        skipped = await target.route(cfg, "/action/increment", True)
        assert skipped != first and "rvt-skip-ready-wait=true" in skipped.url
        moved = replace(cfg, endpoint="http://127.0.0.1:10", token="t2")  # e.g. /metadata
        again = await target.route(moved, "/action/increment", False)
        assert again.url.startswith("http://127.0.0.1:10/") and "rvt-token=t2" in again.url


async def test_inputs_and_ids_are_built_at_each_call() -> None:
    async with create_client(
        "http://127.0.0.1:9", encoding="json", disable_metadata_lookup=True
    ) as client:
        cfg = await client._ctx.management.config()
        state = {"n": 1}
        with_input = client.counter.get_or_create("k", create_with_input=state)._target
        first = await with_input.route(cfg, "/action/x", False)
        state["n"] = 2  # the caller's object, as it is at the call
        second = await with_input.route(cfg, "/action/x", False)
        assert first.url != second.url
        by_id = client.counter.get_for_id("actor-1")._target
        assert isinstance(await by_id.address(), IdTarget)
        assert await by_id.route(cfg, "/action/x", False) is not await by_id.route(
            cfg, "/action/x", False
        )
