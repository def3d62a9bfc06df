"""``python -m actorbind.server my_module:registry [--host H] [--port P] [--data FILE]``.

Logs one line, ``actorbind server listening on http://H:P``, then serves until SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import signal
import sys
from collections.abc import Sequence

from .registry import Registry
from .serve import serve

log = logging.getLogger("actorbind.server")


def load_registry(spec: str) -> Registry:
    """Import ``module:attribute`` and check it is a :class:`Registry`."""
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise SystemExit(f"expected module:attribute, got {spec!r}")
    module = importlib.import_module(module_name)
    registry = getattr(module, attr, None)
    if not isinstance(registry, Registry):
        raise SystemExit(f"{spec} is not an actorbind.server.Registry")
    return registry


async def _run(registry: Registry, host: str, port: int, data: str | None) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with serve(registry, host, port, data) as endpoint:
        log.info("actorbind server listening on %s", endpoint)
        await stop.wait()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m actorbind.server", description=__doc__)
    parser.add_argument("registry", help="the registry to serve, as module:attribute")
    parser.add_argument("--host", default="127.0.0.1", help="interface (default: loopback)")
    parser.add_argument("--port", type=int, default=6420, help="port (default 6420; 0 = any)")
    parser.add_argument(
        "--data", default=None, help="SQLite file for durable state (default: memory)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    registry = load_registry(args.registry)
    asyncio.run(_run(registry, args.host, args.port, args.data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
