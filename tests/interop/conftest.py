"""Every interop test runs for each server (embedded, RivetKit) and each encoding."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from actorbind import Client, create_client
from tests.conftest import ENCODINGS


@pytest.fixture(
    params=[
        pytest.param("embedded", marks=pytest.mark.embedded),
        pytest.param("rivetkit", marks=pytest.mark.rivetkit),
    ]
)
def endpoint(request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue(f"{request.param}_endpoint"))


@pytest.fixture(params=ENCODINGS)
def encoding(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def client(endpoint: str, encoding: str) -> AsyncIterator[Client]:
    async with create_client(endpoint, encoding=encoding) as c:
        yield c
