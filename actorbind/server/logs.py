"""Tokens and connection params never reach the server's logs, at any level.

uvicorn logs every WebSocket handshake with its query string (``rvt-token=``) at INFO, and at
DEBUG the handshake parser dumps every header (``rivet_conn_params.…`` subprotocols); at TRACE
uvicorn dumps whole ASGI scopes. :func:`redacted_logs` puts a filter on those loggers that
rewrites each record with the secrets replaced by ``<redacted>`` before any handler sees it.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
from collections.abc import Iterator
from typing import Final

from .errors import frames_only

__all__ = ["REDACTED", "RedactSecrets", "redact", "redacted_logs"]

REDACTED: Final = "<redacted>"

_SECRET_HEADERS: Final = (
    "(?:x-rivet-conn-params|x-rivet-token|authorization|sec-websocket-protocol)"
)

# What follows each marker, up to a separator, is a secret.
_PATTERNS: Final = (
    # query params and subprotocols (also percent-encoded, as dumped paths show them)
    re.compile(r"((?:rvt-token|rvt-input)=)[^&\s,\"'>]*", re.IGNORECASE),
    re.compile(r"(rivet_(?:conn_params|token)\.)[^\s,\"'>\]]*"),
    # /gateway/{id}@{token}
    re.compile(r"(/gateway/[^/@\s\"']*@)[^/?\s\"']*"),
    # header dumps: (b'name', b'value') (ASGI scopes, either quote) and "name: value" lines
    re.compile(rf"({_SECRET_HEADERS}',\s*b')[^']*", re.IGNORECASE),
    re.compile(rf"({_SECRET_HEADERS}',\s*b\")[^\"]*", re.IGNORECASE),
    re.compile(rf"({_SECRET_HEADERS}\s*:\s*)[^\r\n]*", re.IGNORECASE),
)

_LOGGERS: Final = (
    "uvicorn",
    "uvicorn.error",
    "uvicorn.access",
    "uvicorn.asgi",
    "websockets",
    "websockets.server",
    "actorbind.server",
)


def redact(text: str) -> str:
    """``text`` with tokens and connection params replaced by ``<redacted>``."""
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
    return text


class RedactSecrets(logging.Filter):
    """Rewrites a record's message (arguments merged in) without its secrets."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed record: leave it to logging
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None:
            # e.g. uvicorn's "Exception in ASGI application": the message may hold params.
            record.exc_text = frames_only(record.exc_info[1])
            record.exc_info = None
        return True


_FILTER: Final = RedactSecrets()
_lock = threading.Lock()  # servers start and stop on several threads (run_in_thread)
_users = 0


@contextlib.contextmanager
def redacted_logs() -> Iterator[None]:
    """Filter the server's loggers while at least one server runs (nesting is counted)."""
    global _users
    with _lock:
        if _users == 0:
            for name in _LOGGERS:
                logging.getLogger(name).addFilter(_FILTER)
        _users += 1
    try:
        yield
    finally:
        with _lock:
            _users -= 1
            if _users == 0:
                for name in _LOGGERS:
                    logging.getLogger(name).removeFilter(_FILTER)
