"""Fixtures for the Rx layer: a client on the embedded server (pytest-asyncio's loop)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from actorbind import Client, create_client


@pytest.fixture
async def client(embedded_endpoint: str) -> AsyncIterator[Client]:
    async with create_client(embedded_endpoint) as c:
        yield c
