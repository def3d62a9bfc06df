"""The production :class:`~actorbind.transport.interface.WebSocketTransport`: actor connections
get the lean callback-driven :class:`~actorbind.transport.websocket.Socket`, raw sockets
websockets' asyncio client (no compression, no proxy, no redirects, no user-agent header)."""

from __future__ import annotations

import websockets
from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as ws_connect

from .interface import SocketRequest, WebSocketTransport
from .websocket import MessageHandler, Socket, open_socket

__all__ = ["WebSocketsTransport"]


class WebSocketsTransport(WebSocketTransport):
    """WebSockets over the network, with websockets' sans-I/O protocol."""

    async def open_socket(self, request: SocketRequest, on_messages: MessageHandler) -> Socket:
        return await open_socket(
            request.url,
            request.subprotocols,
            on_messages=on_messages,
            max_size=request.max_size,
            open_timeout=request.open_timeout,
            ping_interval=request.ping_interval,
            ping_timeout=request.ping_timeout,
            close_timeout=request.close_timeout,
        )

    async def open_connection(self, request: SocketRequest) -> ClientConnection:
        return await ws_connect(
            request.url,
            subprotocols=[websockets.Subprotocol(p) for p in request.subprotocols],
            max_size=request.max_size,
            compression=None,
            open_timeout=request.open_timeout,
            ping_interval=request.ping_interval,
            ping_timeout=request.ping_timeout,
            close_timeout=request.close_timeout,
            user_agent_header=None,
        )
