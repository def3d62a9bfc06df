"""The runner config of a pool (``PUT /runner-configs/{pool}``): the engine refuses an envoy
whose pool has none (close ``ws.no_runner_config``).

RivetKit creates it itself for a local engine; against a shared or cloud engine the operator
does, so :func:`ensure_pool` runs only when asked (``ensure_pool=True``, or ``None`` and the
endpoint is loopback).
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

import httpx

from actorbind.protocol.http import bearer_header
from actorbind.protocol.management import (
    ApiRequest,
    datacenters_request,
    read_datacenters,
    runner_config_request,
)

__all__ = ["ensure_pool", "is_loopback"]


def is_loopback(endpoint: str) -> bool:
    host = urlsplit(endpoint).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def ensure_pool(
    endpoint: str,
    namespace: str,
    pool: str,
    token: str | None,
    *,
    timeout: float = 10.0,
    transport: httpx.AsyncBaseTransport | None = None,
) -> None:
    """Create (or keep) a ``normal`` runner config for ``pool`` in the first datacenter
    (``transport``: httpx's, for tests).

    Raises:
        httpx.HTTPError: the engine refused it or cannot be reached.
        MalformedMessage: its datacenter list is not one.
    """
    headers = bearer_header(token)
    base = endpoint.rstrip("/")

    async def send(http: httpx.AsyncClient, request: ApiRequest) -> httpx.Response:
        response = await http.request(request.method, request.url(base), json=request.body)
        response.raise_for_status()
        return response

    async with httpx.AsyncClient(timeout=timeout, headers=headers, transport=transport) as http:
        listed = await send(http, datacenters_request(namespace))
        datacenter = read_datacenters(listed.json())[0]
        await send(http, runner_config_request(pool, datacenter, namespace))
