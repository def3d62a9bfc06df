"""A transport for tests: a function answers every request, as httpx's ``MockTransport``.

Pass it as ``create_client(..., http_transport=MockTransport(handler))``: the client's error
mapping, limits and sent/not-sent verdicts run as in production, only the network is replaced.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable

import httpx

from .interface import HTTPTransport, Request

__all__ = ["Handler", "MockTransport"]

Handler = Callable[[httpx.Request], httpx.Response | Awaitable[httpx.Response]]


class MockTransport(HTTPTransport):
    """Answers each request with ``handler(request)`` (a function or a coroutine function).

    The handler gets an :class:`httpx.Request` and returns an :class:`httpx.Response`, or
    raises what a network would (``httpx.ConnectError``, ``OSError``, a
    :class:`~actorbind.transport.interface.RequestFailed`, ...). A handler that does not
    answer within the request's ``timeout`` is cancelled: the call times out.
    """

    def __init__(self, handler: Handler) -> None:
        self.handler = handler

    async def handle_request(self, request: Request) -> httpx.Response:
        sent = httpx.Request(
            request.method, request.url, headers=request.headers, content=request.content
        )
        async with asyncio.timeout(request.timeout):
            response = self.handler(sent)
            if inspect.isawaitable(response):
                response = await response
            await response.aread()
        response.request = sent
        return response
