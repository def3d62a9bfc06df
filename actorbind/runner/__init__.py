"""actorbind.runner: the same ``actorbind.server`` actors, hosted by a Rivet Engine.

The process connects to the engine as an *envoy* (protocol v8 of rivet-engine 2.3.19, see
``envoy_v8.bare``); the engine schedules the actors, tunnels their HTTP requests and
WebSockets to this process, and keeps their state in its per-actor KV. It uses
:mod:`actorbind.protocol` and :mod:`actorbind.server`, never the client.
"""

from __future__ import annotations

__all__: list[str] = []
