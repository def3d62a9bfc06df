"""Connection params: the user's provider, and how params travel on a socket."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from typing import Any

from ..protocol.errors import actor_error
from ..protocol.http import conn_params_protocol

__all__ = ["ParamsProvider", "conn_params_protocol", "resolve_params"]

ParamsProvider = Callable[[], Any]
"""Returns connection params (or an awaitable of them); called before every connect attempt."""


async def resolve_params(params: Any, get_params: ParamsProvider | None) -> Any:
    """``get_params()`` (awaited if needed) when given, else ``params``.

    Raises:
        ActorError: ``client.get_params_failed`` (retried by connections, like upstream); the
            message names only the exception type: params are secrets.
    """
    if get_params is None:
        return params
    try:
        value = get_params()
        if inspect.isawaitable(value):
            value = await value
        return value
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        raise actor_error(
            "client",
            "get_params_failed",
            f"Failed to resolve connection params: {type(exc).__name__}",
        ) from exc
