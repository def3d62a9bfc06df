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
    endpoint: str, namespace: str, pool: str, token: str | None, *, timeout: float = 10.0
) -> None:
    """Create (or keep) a ``normal`` runner config for ``pool`` in the first datacenter.

    Raises:
        httpx.HTTPError: the engine refused it or cannot be reached.
    """
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    base = endpoint.rstrip("/")
    params = {"namespace": namespace}
    async with httpx.AsyncClient(timeout=timeout, headers=headers) as http:
        response = await http.get(f"{base}/datacenters", params=params)
        response.raise_for_status()
        datacenters = response.json().get("datacenters") or [{"name": "default"}]
        name = str(datacenters[0]["name"])
        body = {"datacenters": {name: {"normal": {}, "drain_on_version_upgrade": True}}}
        response = await http.put(f"{base}/runner-configs/{pool}", params=params, json=body)
        response.raise_for_status()
