"""Delivery of stateless calls when a connection dies after the request was written.

A loopback fault proxy in front of the embedded server forwards the request (the server
applies it), then kills the client's connection before the first reply byte. The client must
not send it again (at most once) and must say the outcome is unknown; idempotent GETs may be
sent again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import pytest

from actorbind import Client, OutcomeUnknown, TransportError, create_client
from tests.support.fault_proxy import Fault, FaultProxy

pytestmark = pytest.mark.usefixtures("loop_health")

PROBES = 10


@pytest.fixture
async def direct(embedded_endpoint: str) -> AsyncIterator[Client]:
    client = create_client(embedded_endpoint, encoding="json", disable_metadata_lookup=True)
    yield client
    await client.dispose()


def upstream(endpoint: str) -> tuple[str, int]:
    parts = urlsplit(endpoint)
    assert parts.hostname is not None and parts.port is not None
    return parts.hostname, parts.port


@pytest.mark.parametrize("fault", ["close", "reset"])
async def test_a_post_whose_connection_dies_after_the_write_is_applied_at_most_once(
    embedded_endpoint: str, direct: Client, uid: str, fault: Fault
) -> None:
    # The second request on every connection is applied upstream, then its reply is lost.
    def inject(conn: int, index: int) -> Fault:
        return fault if index == 1 else None

    async with FaultProxy(*upstream(embedded_endpoint), fault=inject) as proxy:
        client = create_client(proxy.url, encoding="json", disable_metadata_lookup=True)
        try:
            outcomes = []
            for probe in range(PROBES):
                counter = client.counter.get_or_create([uid, str(probe)])
                assert await counter.increment(1) == 1  # warms a keep-alive connection
                with pytest.raises(OutcomeUnknown) as info:
                    await counter.increment(1)  # written on the reused connection, then lost
                assert "may have been applied" in str(info.value)
                assert isinstance(info.value, TransportError)
                outcomes.append(await direct.counter.get_or_create([uid, str(probe)]).getCount())
        finally:
            await client.dispose()
    assert outcomes == [2] * PROBES  # applied exactly once each, never twice
    assert proxy.faults == PROBES
    assert len(proxy.forwarded) == 2 * PROBES  # nothing sent again


async def test_a_get_whose_reused_connection_dies_silently_is_sent_again(
    embedded_endpoint: str, uid: str
) -> None:
    def inject(conn: int, index: int) -> Fault:
        return "close" if (conn, index) == (1, 1) else None

    async with FaultProxy(*upstream(embedded_endpoint), fault=inject) as proxy:
        client = create_client(proxy.url, encoding="json", disable_metadata_lookup=True)
        try:
            counter = client.counter.get_or_create([uid])
            await counter.increment(1)
            # a management GET on the same keep-alive connection: lost once, sent again
            assert await client.counter.get([uid]).resolve()
        finally:
            await client.dispose()
    assert [(c, i) for c, i, _ in proxy.forwarded] == [(1, 0), (1, 1), (2, 0)]
    assert all(line.startswith(b"GET /actors") for _, i, line in proxy.forwarded if i != 0)
