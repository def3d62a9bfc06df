"""actorbind.runner: the same ``actorbind.server`` actors, hosted by a Rivet Engine.

The process connects to the engine as an *envoy* (protocol v8 of rivet-engine 2.3.19, see
``envoy_v8.bare``); the engine schedules the actors, tunnels their HTTP requests and
WebSockets to this process, and keeps their state in its per-actor KV. It uses
:mod:`actorbind.protocol` and :mod:`actorbind.server`, never the client::

    from actorbind.runner import serve_engine

    async with serve_engine(registry, endpoint="http://127.0.0.1:6420", pool="default"):
        ...  # clients reach the actors through the engine

or ``python -m actorbind.runner my_app:registry --endpoint http://127.0.0.1:6420``.
"""

from __future__ import annotations

from ._envoy_v8 import PROTOCOL_VERSION
from .envoy import Envoy, EnvoyError
from .serve import serve_engine, serve_engine_in_thread
from .store import EngineKvStore, StateTooLarge

__all__ = [
    "PROTOCOL_VERSION",
    "EngineKvStore",
    "Envoy",
    "EnvoyError",
    "StateTooLarge",
    "serve_engine",
    "serve_engine_in_thread",
]
