"""``python -m actorbind.runner my_module:registry --endpoint URL [--namespace NS] [--pool P]
[--token T]``: host the registry's actors on a Rivet Engine.

The RivetKit environment variables stand in for missing flags: ``RIVET_ENDPOINT``,
``RIVET_NAMESPACE``, ``RIVET_TOKEN``, ``RIVET_POOL``, ``RIVET_ENVOY_VERSION``. Logs
``actorbind runner connected to URL (pool P, envoy KEY)`` once the engine accepted it; SIGTERM
or SIGINT drains (the engine moves the actors away) and exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from collections.abc import Sequence

from actorbind.server.__main__ import load_registry
from actorbind.server.registry import Registry

from .envoy import EnvoyError
from .serve import serve_engine

log = logging.getLogger("actorbind.runner")


async def _run(registry: Registry, args: argparse.Namespace) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    ensure = {"auto": None, "yes": True, "no": False}[args.ensure_pool]
    async with serve_engine(
        registry,
        endpoint=args.endpoint,
        namespace=args.namespace,
        pool=args.pool,
        token=args.token,
        version=args.version,
        ensure_pool=ensure,
    ) as envoy:
        log.info(
            "actorbind runner connected to %s (pool %s, envoy %s)",
            args.endpoint,
            args.pool,
            envoy.envoy_key,
        )
        done = loop.create_task(stop.wait())
        ended = loop.create_task(envoy.ended.wait())
        await asyncio.wait([done, ended], return_when=asyncio.FIRST_COMPLETED)
        done.cancel()
        ended.cancel()
        if envoy.error is not None:
            raise envoy.error


def main(argv: Sequence[str] | None = None) -> int:
    env = os.environ
    parser = argparse.ArgumentParser(prog="python -m actorbind.runner", description=__doc__)
    parser.add_argument("registry", help="the registry to host, as module:attribute")
    parser.add_argument("--endpoint", default=env.get("RIVET_ENDPOINT"), help="engine URL")
    parser.add_argument("--namespace", default=env.get("RIVET_NAMESPACE", "default"))
    parser.add_argument("--pool", default=env.get("RIVET_POOL", "default"))
    parser.add_argument("--token", default=env.get("RIVET_TOKEN"), help="engine admin token")
    parser.add_argument(
        "--version",
        type=int,
        default=int(env.get("RIVET_ENVOY_VERSION", "1")),
        help="deploy version (the engine prefers the highest)",
    )
    parser.add_argument(
        "--ensure-pool",
        choices=("auto", "yes", "no"),
        default="auto",
        help="PUT the pool's runner config first (auto: for a loopback engine)",
    )
    args = parser.parse_args(argv)
    if not args.endpoint:
        parser.error("--endpoint (or RIVET_ENDPOINT) is required")
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    registry = load_registry(args.registry)
    try:
        asyncio.run(_run(registry, args))
    except EnvoyError as exc:
        log.error("actorbind runner: %s", exc)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
