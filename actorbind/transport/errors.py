"""The one error boundary of the I/O layer, and the redaction of secrets in library logs.

Every exception of httpx, h11, websockets and the OS that can escape a request or a socket
open, and every :class:`~.interface.RequestFailed` a transport reports, is turned into an
:mod:`actorbind` exception here (``raise ... from exc``), so nothing above this layer catches
library-specific errors. Here too a failed request that may have been written becomes
:class:`~actorbind.OutcomeUnknown`. URLs are never put in messages: they may hold tokens.
"""

from __future__ import annotations

import logging
import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager

import h11
import httpx
import websockets

from ..protocol.codecs import Codec
from ..protocol.errors import ActorError, ClientError, OutcomeUnknown, TransportError, actor_error
from ..protocol.http import ERROR_HEADER, read_error_body, read_error_header
from .interface import RequestFailed

__all__ = ["error_from_response", "map_transport_errors", "redact"]

# httpx logs every request URL (INFO) and websockets the handshake request line and headers
# (DEBUG); gateway URLs carry the token (``rvt-token=``, ``/gateway/{id}@{token}``) and the
# subprotocols the params. Redact them in those libraries' records, before any handler.
_SECRETS = re.compile(
    r"(rvt-token=|rivet_conn_params\.|rivet_token\.)[^&\s,\"'>]+"
    r"|(/gateway/[^/?#\s@\"']+@)[^/?#\s\"'>]+"
)


def redact(text: str) -> str:
    """``text`` with gateway tokens and connection params replaced by ``<redacted>``."""
    return _SECRETS.sub(lambda m: (m.group(1) or m.group(2)) + "<redacted>", text)


class _RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


for _name in ("httpx", "websockets.client"):
    _logger = logging.getLogger(_name)
    if not any(isinstance(f, _RedactSecrets) for f in _logger.filters):
        _logger.addFilter(_RedactSecrets())


# Failures that happen before any byte of the request is written.
_NOT_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
    httpx.InvalidURL,
    ConnectionRefusedError,
    socket.gaierror,
)
# A request that may be sent twice: its failure is never "outcome unknown".
_IDEMPOTENT = frozenset({"GET", "HEAD"})
_SENT = "; the request was sent, so it may have been applied (it is not sent again)"
_MAYBE_SENT = "; the request may have been sent and applied (it is not sent again)"


@contextmanager
def map_transport_errors(what: str, *, method: str | None = None) -> Iterator[None]:
    """Translate transport exceptions raised inside the block into :class:`TransportError`.

    With the ``method`` of an HTTP request: a failure after which a non-idempotent request
    may have been applied is an :class:`OutcomeUnknown` (the caller must not send it again).
    """
    try:
        yield
    except (ClientError, ActorError):
        raise
    except Exception as exc:
        error = _mapped(what, exc)
        if error is None:
            raise
        if method is not None and method not in _IDEMPOTENT:
            sent = exc.sent if isinstance(exc, RequestFailed) else _maybe_sent(exc)
            if sent is not False:
                error = OutcomeUnknown(f"{error}{_SENT if sent else _MAYBE_SENT}")
        raise error from exc


def _maybe_sent(exc: Exception) -> bool | None:
    return False if isinstance(exc, _NOT_SENT) else None


def _mapped(what: str, exc: Exception) -> Exception | None:
    """The actorbind error for a library exception, ``None`` if it is not one (a bug)."""
    if isinstance(exc, RequestFailed):
        return TransportError(f"{what}: {redact(str(exc))}")
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        return TransportError(f"{what}: timed out")
    if isinstance(exc, httpx.LocalProtocolError | h11.LocalProtocolError):
        # Our own request refused before it left: the message quotes the offending header
        # value, which may be a token or the conn params.
        return TransportError(f"{what}: {type(exc).__name__}: the request is not valid HTTP")
    if isinstance(
        exc,
        # HTTPError: ConnectError, ReadError, RemoteProtocolError, ...; then those that are not
        httpx.HTTPError
        | httpx.InvalidURL
        | httpx.CookieConflict
        | httpx.StreamError
        # h11's framing, if it ever escapes the pool
        | h11.ProtocolError,
    ):
        return TransportError(f"{what}: {type(exc).__name__}: {_short(exc)}")
    if isinstance(exc, websockets.InvalidStatus):
        return _from_handshake_response(what, exc)
    if isinstance(exc, websockets.InvalidURI):
        return TransportError(f"{what}: invalid websocket URL")
    if isinstance(exc, websockets.WebSocketException):  # InvalidHandshake, ConnectionClosed
        return TransportError(f"{what}: {type(exc).__name__}: {_short(exc)}")
    if isinstance(exc, OSError):  # refused, unreachable, DNS (socket.gaierror)
        return TransportError(f"{what}: {_clean(exc.strerror, type(exc).__name__)}")
    return None


def _short(exc: BaseException) -> str:
    text = str(exc)
    return _clean(text, type(exc).__name__) if text else ""


def _clean(text: str | None, fallback: str) -> str:
    # Library messages may embed URLs (so tokens: a URL's user info is not redactable) and
    # subprotocols (conn params): keep the first line, never a URL, secrets redacted.
    line = text.splitlines()[0] if text else ""
    return redact(line) if line and "://" not in line else fallback


def _from_handshake_response(what: str, exc: websockets.InvalidStatus) -> Exception:
    response = exc.response
    body = bytes(response.body or b"")
    # A refused handshake's body is always JSON: the gateway's, never the socket's encoding.
    err = read_error_body(body) if body else None
    if err is not None:
        return actor_error(
            err.group, err.code, err.message, err.metadata, err.actor, status=response.status_code
        )
    return TransportError(f"{what}: the server refused the websocket (HTTP {response.status_code})")


def error_from_response(response: httpx.Response, codec: Codec) -> Exception:
    """The error an unsuccessful HTTP reply stands for (JSON if it says so, else ``codec``)."""
    ray_id = response.headers.get("x-rivet-ray-id")
    content_type = response.headers.get("content-type", "")
    err = read_error_body(response.content, content_type, codec)
    if err is None:
        named = read_error_header(response.headers.get(ERROR_HEADER, ""))
        if named is not None:
            group, code = named
            return actor_error(
                group,
                code,
                f"HTTP {response.status_code}",
                ray_id=ray_id,
                status=response.status_code,
            )
        return TransportError(
            f"unexpected HTTP {response.status_code} reply "
            f"({len(response.content)} bytes of {content_type or 'unknown type'})"
        )
    return actor_error(
        err.group,
        err.code,
        err.message,
        err.metadata,
        err.actor,
        ray_id=ray_id,
        status=response.status_code,
    )
