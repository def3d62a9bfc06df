"""The one error boundary (``actorbind.transport.errors``): every exception class that httpx,
h11, websockets and the OS can raise on our paths becomes an actorbind exception, with no URL,
token or conn params in it, and a failed HTTP request gets its delivery verdict there.

Like httpx's ``tests/test_exceptions.py``: the classes are read from the libraries (their
``__all__`` and each root's subclasses, recursively), so a new exception class in an upgrade
fails here until it is mapped.
"""

from __future__ import annotations

import asyncio
import inspect
import socket
import ssl
from types import ModuleType

import h11
import httpx
import pytest
import websockets.exceptions as ws_exceptions
from websockets.datastructures import Headers
from websockets.http11 import Response

from actorbind import ActorBindError, ActorError, OutcomeUnknown, TransportError
from actorbind.transport import RequestFailed
from actorbind.transport.errors import map_transport_errors

SECRET_URL = "http://ns:tok-SECRET@127.0.0.1:1/gateway/a@tok-SECRET?rvt-token=tok-SECRET"
# What a subprotocol list or a path may carry, without a scheme (so not dropped as a URL).
SECRET_TEXT = (
    "bad: rivet_conn_params.%7B%22authToken%22%3A%22par-SECRET%22%7D rivet_token.tok-SECRET "
    "/gateway/a@tok-SECRET?rvt-token=tok-SECRET"
)
SECRETS = ("tok-SECRET", "par-SECRET")


def _exported(module: ModuleType) -> set[type[BaseException]]:
    return {
        obj
        for name in module.__all__
        if inspect.isclass(obj := getattr(module, name)) and issubclass(obj, BaseException)
    }


def _family(root: type[BaseException]) -> set[type[BaseException]]:
    """``root`` and every subclass of it, recursively (as loaded)."""
    found = {root}
    for sub in root.__subclasses__():
        found |= _family(sub)
    return found


# Where each library's exceptions come from. h11.ProtocolError refuses to be instantiated:
# only its two subclasses are ever raised.
HTTPX = _family(httpx.HTTPError) | {httpx.InvalidURL, httpx.CookieConflict}
HTTPX |= _family(httpx.StreamError)
H11 = _family(h11.ProtocolError) - {h11.ProtocolError}
WEBSOCKETS = _family(ws_exceptions.WebSocketException)
# The OS family a socket, a DNS lookup, TLS or a deadline (asyncio.TimeoutError) can raise.
OS = {
    c
    for c in _family(OSError)
    if c.__module__ in ("builtins", "socket", "ssl") or c.__module__.startswith("asyncio")
}
CLASSES = sorted(HTTPX | H11 | WEBSOCKETS | OS, key=lambda c: f"{c.__module__}.{c.__qualname__}")
# A failed request with one of these was not written: not "outcome unknown".
NOT_SENT = {
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
    httpx.InvalidURL,
    ConnectionRefusedError,
    socket.gaierror,
}


def _instance(cls: type[BaseException], text: str = SECRET_URL) -> BaseException:
    """An instance whose message holds ``text`` (secrets), however the class is built."""
    if issubclass(cls, ws_exceptions.InvalidStatus):
        return cls(Response(503, "Service Unavailable", Headers(), b""))  # type: ignore[call-arg]
    if issubclass(cls, ws_exceptions.InvalidProxyStatus):
        return cls(Response(407, "Proxy Auth", Headers(), b""))  # type: ignore[call-arg]
    if issubclass(cls, ws_exceptions.ConnectionClosed):
        return cls(None, None)  # type: ignore[call-arg]
    if issubclass(cls, ws_exceptions.PayloadTooBig):
        return cls(10, 5)  # type: ignore[call-arg]
    if issubclass(cls, ws_exceptions.InvalidHeaderFormat):
        return cls("Host", text, text, 0)
    if issubclass(cls, httpx.HTTPStatusError):
        request = httpx.Request("GET", SECRET_URL)
        return cls(text, request=request, response=httpx.Response(500, request=request))
    if issubclass(cls, OSError):  # (errno, strerror), as the OS raises them
        return cls(1, text)
    for args in ((text,), (text, text), (text, text, text)):
        try:
            return cls(*args)
        except TypeError:
            continue
    return cls()


def test_every_library_exception_is_listed() -> None:
    names = {c.__name__ for c in CLASSES}
    assert {"ConnectError", "ReadTimeout", "InvalidStatus", "ConnectionClosedError"} <= names
    assert {"LocalProtocolError", "RemoteProtocolError", "gaierror", "SSLError"} <= names
    assert {"ConnectionResetError", "TimeoutError"} <= names and asyncio.TimeoutError in OS
    # What a library exports is in its family: a new root class fails here.
    exported = _exported(httpx) | _exported(h11) | _exported(ws_exceptions)
    assert exported - {h11.ProtocolError} <= set(CLASSES)


def _assert_clean(error: BaseException) -> None:
    for text in (str(error), repr(error)):
        assert not any(secret in text for secret in SECRETS), text
        assert "://" not in text


@pytest.mark.parametrize("text", [SECRET_URL, SECRET_TEXT], ids=["url", "subprotocols"])
@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_mapped_to_an_actorbind_error(cls: type[BaseException], text: str) -> None:
    exc = _instance(cls, text)
    with pytest.raises(ActorBindError) as info:
        with map_transport_errors("connect"):
            raise exc
    assert isinstance(info.value, TransportError | ActorError)
    assert not isinstance(info.value, OutcomeUnknown)  # no request: no delivery verdict
    assert info.value.__cause__ is exc
    _assert_clean(info.value)
    assert str(info.value).startswith(("connect:", "[")) or isinstance(info.value, ActorError)


HTTP_PATH = [c for c in CLASSES if c not in WEBSOCKETS]


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "GET", "HEAD"])
@pytest.mark.parametrize("cls", HTTP_PATH, ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_a_failed_request_gets_its_delivery_verdict(cls: type[BaseException], method: str) -> None:
    exc = _instance(cls, SECRET_TEXT)
    with pytest.raises(TransportError) as info:
        with map_transport_errors("action 'x'", method=method):
            raise exc
    unknown = method not in ("GET", "HEAD") and not issubclass(cls, tuple(NOT_SENT))
    assert isinstance(info.value, OutcomeUnknown) is unknown
    assert ("it is not sent again" in str(info.value)) is unknown
    assert info.value.__cause__ is exc
    _assert_clean(info.value)


@pytest.mark.parametrize(
    ("sent", "unknown", "said"),
    [
        (False, False, ""),
        (True, True, "the request was sent, so it may have been applied"),
        (None, True, "the request may have been sent and applied"),
    ],
)
def test_a_transports_report_says_whether_it_was_sent(
    sent: bool | None, unknown: bool, said: str
) -> None:
    exc = RequestFailed(f"cut {SECRET_TEXT}", sent=sent)
    with pytest.raises(TransportError) as info:
        with map_transport_errors("action 'x'", method="POST"):
            raise exc
    assert isinstance(info.value, OutcomeUnknown) is unknown
    assert str(info.value).startswith("action 'x': cut bad: rivet_conn_params.<redacted>")
    assert said in str(info.value)
    _assert_clean(info.value)


def test_a_header_value_quoted_by_h11_stays_out() -> None:
    # h11 (and httpx through httpcore) quote the header value they refuse: a token here.
    with pytest.raises(h11.LocalProtocolError) as refused:
        h11.Request(method="GET", target="/", headers=[("host", "a"), ("x-t", "tok-SECRET\n")])
    for exc in (refused.value, httpx.LocalProtocolError(str(refused.value))):
        assert "tok-SECRET" in str(exc)
        with pytest.raises(TransportError) as info:
            with map_transport_errors("get", method="GET"):
                raise exc
        assert str(info.value) == f"get: {type(exc).__name__}: the request is not valid HTTP"


def test_a_refused_handshake_with_an_error_body_is_the_actor_error() -> None:
    body = b'{"group":"actor","code":"not_found","message":"no such actor"}'
    exc = ws_exceptions.InvalidStatus(Response(404, "Not Found", Headers(), body))
    with pytest.raises(ActorError) as info:
        with map_transport_errors("connect"):
            raise exc
    assert (info.value.group, info.value.code) == ("actor", "not_found")


@pytest.mark.parametrize(
    "exc",
    [ValueError("a bug"), asyncio.CancelledError(), KeyboardInterrupt(), TransportError("ours")],
    ids=type,
)
def test_what_is_not_a_transport_failure_passes_unchanged(exc: BaseException) -> None:
    with pytest.raises(type(exc)) as info:
        with map_transport_errors("action 'x'", method="POST"):
            raise exc
    assert info.value is exc


def test_ssl_errors_are_in_the_family() -> None:
    assert ssl.SSLCertVerificationError in OS and ssl.SSLEOFError in OS
