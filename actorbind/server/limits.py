"""Every limit and timeout of the embedded server, and the bounded JSON parse they need.

The defaults are listed in ``docs/server.md``; each one is a keyword of :func:`create_app`,
:func:`serve` and :func:`run_in_thread` (``limits=Limits(...)``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final

__all__ = ["DEFAULT_LIMITS", "Limits", "json_too_deep", "loads_json"]


@dataclass(frozen=True, slots=True)
class Limits:
    """Sizes in bytes, times in seconds.

    Attributes:
        max_incoming: largest gateway HTTP body / WebSocket message (RivetKit's 64 KiB).
        max_outgoing: largest response / message sent (RivetKit's 1 MiB).
        max_api_body: largest management API body (``PUT``/``POST /actors``).
        max_header_bytes: largest request head (request line plus headers), HTTP and WebSocket
            handshake alike; over it the answer is ``431`` at once (Node's default is 16 KiB).
        max_header_line: largest single header line of a WebSocket handshake (the handshake
            parser's own limit, 8 KiB); connection params travel in one such line.
        max_headers: most header fields in one request.
        max_json_depth: deepest JSON/CBOR nesting accepted in params and bodies (serde_json's
            128, as RivetKit decodes them).
        max_ws_message: largest WebSocket message the frame parser buffers (close ``1009``
            over it); between ``max_incoming`` and it, RivetKit's ``1011
            message.incoming_too_long``. At least ``2 * max_incoming`` is used.
        max_pending_actions: most actions queued or running per WebSocket connection.
        max_outbox_bytes: most bytes waiting to be sent to one WebSocket connection; a
            subscriber that falls further behind is closed (``1013``).
        max_connections: most open TCP connections; at the cap, the connection that has waited
            longest without sending a complete request head is dropped for the new one.
        header_timeout: time a connection has to send a complete request head (silent and
            slowloris connections), counted from its accept or the end of its last reply.
        body_timeout: time a request has to send its whole body once its head arrived
            (slow-body attacks).
        keep_alive_timeout: time an idle HTTP keep-alive connection stays open.
        shutdown_timeout: time requests and sockets get to finish when the server stops.
        close_timeout: time a WebSocket peer has to answer the server's close frame before
            the connection is dropped (uvicorn's fixed 10 s otherwise).
    """

    max_incoming: int = 65_536
    max_outgoing: int = 1_048_576
    max_api_body: int = 1_048_576
    max_header_bytes: int = 16_384
    max_header_line: int = 8_192
    max_headers: int = 100
    max_json_depth: int = 128
    max_ws_message: int = 16_777_216
    max_pending_actions: int = 256
    max_outbox_bytes: int = 8_388_608
    max_connections: int = 1_000
    header_timeout: float = 10.0
    body_timeout: float = 30.0
    keep_alive_timeout: float = 5.0
    close_timeout: float = 10.0
    shutdown_timeout: float = 5.0


DEFAULT_LIMITS: Final = Limits()


def json_too_deep(tree: Any, max_depth: int) -> bool:
    """Whether a decoded JSON-like tree nests deeper than ``max_depth`` (no recursion)."""
    stack: list[tuple[Any, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list | tuple):
            children = node
        else:
            continue
        if depth >= max_depth:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def loads_json(data: str | bytes, max_depth: int) -> Any:
    """``json.loads`` that never raises ``RecursionError``.

    Raises:
        ValueError: not JSON, or nested deeper than ``max_depth``.
    """
    try:
        tree = json.loads(data)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    if json_too_deep(tree, max_depth):
        raise ValueError("JSON nested too deeply")
    return tree
