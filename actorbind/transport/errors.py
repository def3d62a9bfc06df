"""The one error boundary of the I/O layer, and the redaction of secrets in library logs.

Every exception of httpx, websockets and the OS that can escape a request or a socket open is
turned into an :mod:`actorbind` exception here (``raise ... from exc``), so nothing above this
layer catches library-specific errors. URLs are never put in messages: they may hold tokens.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

import h11
import httpx
import websockets

from ..protocol.codecs import Codec
from ..protocol.errors import ActorError, ClientError, TransportError, actor_error
from ..protocol.http import ERROR_HEADER, read_error_body, read_error_header

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


@contextmanager
def map_transport_errors(what: str) -> Iterator[None]:
    """Translate transport exceptions raised inside the block into :class:`TransportError`."""
    try:
        yield
    except (ClientError, ActorError):
        raise
    except httpx.TimeoutException as exc:
        raise TransportError(f"{what}: timed out") from exc
    except httpx.HTTPError as exc:  # ConnectError, ReadError, RemoteProtocolError, ...
        raise TransportError(f"{what}: {type(exc).__name__}: {_short(exc)}") from exc
    except (httpx.InvalidURL, httpx.CookieConflict, httpx.StreamError) as exc:  # not HTTPErrors
        raise TransportError(f"{what}: {type(exc).__name__}: {_short(exc)}") from exc
    except h11.ProtocolError as exc:  # the HTTP/1.1 pool's framing, if it ever escapes
        raise TransportError(f"{what}: {type(exc).__name__}: {_short(exc)}") from exc
    except websockets.InvalidStatus as exc:
        raise _from_handshake_response(what, exc) from exc
    except websockets.InvalidURI as exc:
        raise TransportError(f"{what}: invalid websocket URL") from exc
    except websockets.WebSocketException as exc:  # InvalidHandshake, ConnectionClosed, ...
        raise TransportError(f"{what}: {type(exc).__name__}: {_short(exc)}") from exc
    except TimeoutError as exc:
        raise TransportError(f"{what}: timed out") from exc
    except OSError as exc:  # refused, unreachable, DNS (socket.gaierror)
        raise TransportError(f"{what}: {exc.strerror or type(exc).__name__}") from exc


def _short(exc: BaseException) -> str:
    # Library messages may embed URLs (and so tokens); keep only the first line, no URL.
    text = str(exc).splitlines()[0] if str(exc) else ""
    return text if "://" not in text else type(exc).__name__


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
