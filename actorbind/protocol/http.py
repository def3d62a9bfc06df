"""Gateway HTTP and handshake rules that both sides share: how connection params travel.

The client writes, the server reads, with the same functions (tested in pairs):

- a stateless request carries them as plain JSON in ``x-rivet-conn-params``;
- a WebSocket carries them in a ``rivet_conn_params.<urlencoded JSON>`` subprotocol, and its
  encoding in ``rivet_encoding.<name>``.

Params are secrets: nothing here logs them or puts them in an error message.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any, Final
from urllib.parse import quote, unquote

__all__ = [
    "CONN_PARAMS_HEADER",
    "CONN_PARAMS_PROTOCOL",
    "ENCODING_PROTOCOL",
    "conn_params_header",
    "conn_params_protocol",
    "read_conn_params_header",
    "read_subprotocols",
]

CONN_PARAMS_HEADER: Final = "x-rivet-conn-params"
CONN_PARAMS_PROTOCOL: Final = "rivet_conn_params."
ENCODING_PROTOCOL: Final = "rivet_encoding."
# What the TS client leaves unescaped (encodeURIComponent), so both write the same bytes.
_PARAM_SAFE: Final = "-_.!~*'"

JsonLoads = Callable[[str], Any]


def conn_params_header(params: Any) -> str | None:
    """The ``x-rivet-conn-params`` value for ``params`` (``None``: send no header)."""
    if params is None:
        return None
    return json.dumps(params, separators=(",", ":"))


def read_conn_params_header(value: str, loads: JsonLoads = json.loads) -> Any:
    """The params of an ``x-rivet-conn-params`` value.

    Raises:
        ValueError: not JSON (or whatever ``loads``, e.g. a depth-limited one, refuses).
    """
    return loads(value)


def conn_params_protocol(params: Any) -> list[str]:
    """The ``rivet_conn_params.<urlencoded json>`` subprotocol, if there are params."""
    if params is None:
        return []
    text = json.dumps(params, separators=(",", ":"), ensure_ascii=False)
    return [CONN_PARAMS_PROTOCOL + quote(text, safe=_PARAM_SAFE)]


def read_subprotocols(
    offered: Iterable[str], loads: JsonLoads = json.loads, *, default_encoding: str = "json"
) -> tuple[str, Any, bool]:
    """``(encoding, params, params_ok)`` from a handshake's offered subprotocols.

    ``params_ok`` is false when a params subprotocol was there but ``loads`` refused it.
    """
    encoding = default_encoding
    params: Any = None
    ok = True
    for proto in offered:
        if proto.startswith(ENCODING_PROTOCOL):
            encoding = proto[len(ENCODING_PROTOCOL) :]
        elif proto.startswith(CONN_PARAMS_PROTOCOL):
            try:
                params = loads(unquote(proto[len(CONN_PARAMS_PROTOCOL) :]))
            except ValueError:
                ok = False
    return encoding, params, ok
