"""The RivetKit engine the tests start knows the port it is on (its topology), so first
getOrCreate calls do not time out with ``pegboard.route_resolve_query_timeout``."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.rivetkit


def test_the_engine_advertises_the_port_in_use(rivetkit_endpoint: str) -> None:
    # Without a topology the engine says http://127.0.0.1:6420/ whatever port it is on.
    reply = httpx.get(f"{rivetkit_endpoint}/datacenters", params={"namespace": "default"})
    assert reply.status_code == 200, reply.text
    datacenters = reply.json()["datacenters"]
    assert [dc["url"] for dc in datacenters] == [f"{rivetkit_endpoint}/"]
