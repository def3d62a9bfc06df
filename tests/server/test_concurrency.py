"""Actions on one actor run one at a time: no lost updates under concurrent clients."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

from actorbind.protocol import ActionRequest, ActionResponse, codec_for
from actorbind.server import run_in_thread
from tests.support.actors import registry


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with run_in_thread(registry) as ep:
        yield ep


async def test_50_http_clients_x_20_increments(endpoint: str) -> None:
    k = uuid.uuid4().hex
    url = (
        f"{endpoint}/gateway/counter/action/increment?rvt-namespace=default&rvt-method=getOrCreate"
        f"&rvt-runner=default&rvt-key={k}&rvt-crash-policy=sleep"
    )

    async def worker() -> list[int]:
        seen = []
        async with httpx.AsyncClient(timeout=30) as client:  # 50 separate clients
            for _ in range(20):
                r = await client.post(url, content=b'{"args":[1]}')
                assert r.status_code == 200
                seen.append(r.json()["output"])
        return seen

    results = await asyncio.gather(*(worker() for _ in range(50)))
    async with httpx.AsyncClient(timeout=30) as client:
        final = await client.post(url.replace("/increment", "/getCount"), content=b"{}")
    assert final.json() == {"output": 1000}
    outputs = sorted(v for seen in results for v in seen)
    assert outputs == list(range(1, 1001))  # every increment saw a distinct count


@pytest.mark.parametrize("enc", ["json", "cbor", "bare"])
async def test_concurrent_websocket_clients(endpoint: str, enc: str) -> None:
    k = uuid.uuid4().hex
    url = (
        endpoint.replace("http://", "ws://")
        + "/gateway/counter/connect?rvt-namespace=default&rvt-method=getOrCreate"
        + f"&rvt-runner=default&rvt-key={k}"
    )
    codec = codec_for(enc)

    async def worker() -> None:
        async with connect(
            url, subprotocols=[Subprotocol("rivet"), Subprotocol(f"rivet_encoding.{enc}")]
        ) as ws:
            await ws.recv()
            for i in range(20):  # pipelined: all requests first, then the answers in order
                await ws.send(codec.encode_to_server(ActionRequest(i, "increment", [1])))
            ids = []
            for _ in range(20):
                msg = codec.decode_to_client(await ws.recv())
                assert isinstance(msg, ActionResponse)
                ids.append(msg.id)
            assert ids == list(range(20))

    await asyncio.gather(*(worker() for _ in range(10)))
    async with httpx.AsyncClient() as http:
        r = await http.post(
            url.replace("ws://", "http://").replace("/connect", "/action/getCount")
            + "&rvt-crash-policy=sleep",
            content=b"{}",
        )
    assert r.json() == {"output": 200}
