"""The one error boundary (``actorbind.transport.errors``): every exception class that httpx,
h11 and websockets export becomes an actorbind exception, with no URL (so no token) in it.

Like httpx's ``tests/test_exceptions.py``: the list of classes is read from the libraries, so a
new exception class in an upgrade fails here until it is mapped.
"""

from __future__ import annotations

import inspect
from types import ModuleType

import h11
import httpx
import pytest
import websockets.exceptions as ws_exceptions
from websockets.datastructures import Headers
from websockets.http11 import Response

from actorbind import ActorBindError, ActorError, TransportError
from actorbind.transport.errors import map_transport_errors

SECRET_URL = "http://127.0.0.1:1/gateway/a@tok-SECRET?rvt-token=tok-SECRET"


def _exported(module: ModuleType) -> list[type[BaseException]]:
    return [
        obj
        for name in module.__all__
        if inspect.isclass(obj := getattr(module, name)) and issubclass(obj, BaseException)
    ]


# h11.ProtocolError refuses to be instantiated: only its two subclasses are ever raised.
CLASSES = sorted(
    {*_exported(httpx), *_exported(h11), *_exported(ws_exceptions)} - {h11.ProtocolError},
    key=lambda c: f"{c.__module__}.{c.__qualname__}",
)


def _instance(cls: type[BaseException]) -> BaseException:
    """An instance whose message holds a URL with a token, however the class is built."""
    if issubclass(cls, ws_exceptions.InvalidStatus):
        return cls(Response(503, "Service Unavailable", Headers(), b""))  # type: ignore[call-arg]
    if issubclass(cls, ws_exceptions.InvalidProxyStatus):
        return cls(Response(407, "Proxy Auth", Headers(), b""))  # type: ignore[call-arg]
    if issubclass(cls, ws_exceptions.ConnectionClosed):
        return cls(None, None)  # type: ignore[call-arg]
    if issubclass(cls, ws_exceptions.PayloadTooBig):
        return cls(10, 5)  # type: ignore[call-arg]
    if issubclass(cls, ws_exceptions.InvalidHeaderFormat):
        return cls("Host", SECRET_URL, SECRET_URL, 0)
    if issubclass(cls, httpx.HTTPStatusError):
        request = httpx.Request("GET", SECRET_URL)
        return cls(SECRET_URL, request=request, response=httpx.Response(500, request=request))
    for args in ((SECRET_URL,), (SECRET_URL, SECRET_URL), (SECRET_URL, SECRET_URL, SECRET_URL)):
        try:
            return cls(*args)
        except TypeError:
            continue
    return cls()


def test_every_library_exception_is_listed() -> None:
    names = {c.__name__ for c in CLASSES}
    assert {"ConnectError", "ReadTimeout", "InvalidStatus", "ConnectionClosedError"} <= names
    assert {"LocalProtocolError", "RemoteProtocolError"} <= names


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_mapped_to_an_actorbind_error(cls: type[BaseException]) -> None:
    exc = _instance(cls)
    with pytest.raises(ActorBindError) as info:
        with map_transport_errors("connect"):
            raise exc
    assert isinstance(info.value, TransportError | ActorError)
    assert info.value.__cause__ is exc
    assert "tok-SECRET" not in str(info.value)
    assert str(info.value).startswith(("connect:", "[")) or isinstance(info.value, ActorError)
