"""The :class:`~actorbind.transport.interface.HTTPTransport` on httpx: ``https://``, what the
HTTP/1.1 pool does not do, and a user's own ``httpx.AsyncBaseTransport``.

httpx's exceptions pass through unchanged: :mod:`.errors` maps them above the seam.
"""

from __future__ import annotations

import asyncio

import httpx

from .interface import HTTPTransport, Request, RequestFailed

__all__ = ["HttpxTransport"]

# The whole call is bounded by the request's deadline (asyncio.timeout); these bound its steps.
_STEPS = httpx.Timeout(connect=10.0, read=None, write=30.0, pool=None)


class HttpxTransport(HTTPTransport):
    """Requests sent by an :class:`httpx.AsyncClient` over ``transport`` (httpx's default
    pool if ``None``): no redirects, no environment proxies, bodies read within the limit."""

    def __init__(self, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._transport = transport
        self._client: httpx.AsyncClient | None = None

    def _get_client(self) -> httpx.AsyncClient:
        if self._client is None or self._client.is_closed:
            self._client = httpx.AsyncClient(
                timeout=_STEPS,
                transport=self._transport,
                follow_redirects=False,
                trust_env=False,
                # Keep every connection alive: httpx's default of 20 makes concurrent actions
                # churn through new TCP connections.
                limits=httpx.Limits(max_connections=512, max_keepalive_connections=512),
            )
        return self._client

    async def handle_request(self, request: Request) -> httpx.Response:
        async with asyncio.timeout(request.timeout):
            return await self._send(request)

    async def _send(self, req: Request) -> httpx.Response:
        # Streamed so that the body limit holds before the body is in memory.
        client = self._get_client()
        request = client.build_request(
            req.method, req.url, headers=dict(req.headers), content=req.content
        )
        response = await client.send(request, stream=True)
        limit = req.max_body
        if response.is_stream_consumed:  # a transport that read it already (MockTransport)
            return response
        try:
            length = response.headers.get("content-length", "")
            if length.isdigit() and int(length) > limit:
                raise RequestFailed(
                    f"the reply's body ({length} bytes) is over the limit of {limit} bytes",
                    sent=True,
                )
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_raw():
                size += len(chunk)
                if size > limit:
                    raise RequestFailed(
                        f"the reply's body is over the limit of {limit} bytes", sent=True
                    )
                chunks.append(chunk)
        finally:
            await response.aclose()
        whole = httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=httpx.ByteStream(b"".join(chunks)),
            request=request,
            extensions=response.extensions,
        )
        await whole.aread()  # decodes a content-encoding, as httpx would have
        return whole

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
