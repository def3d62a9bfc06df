"""``python -m actorbind.server my_module:registry [--host H] [--port P] [--data FILE]``
(also installed as ``actorbind-server``).

Logs one line, ``actorbind server listening on http://H:P``, then serves until SIGTERM/SIGINT.
A mistake (port in use, a module that does not import, a bad ``--data``, a missing extra) is one
line on stderr and exit status 2; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import importlib
import logging
import os
import signal
import sqlite3
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from actorbind._extras import MissingExtra, require_extra

from . import __version__
from .registry import Registry

__all__ = ["CliError", "check_data", "load_registry", "main"]

log = logging.getLogger("actorbind.server")

EXIT_USAGE = 2
LOG_LEVELS = ("debug", "info", "warning", "error")


class CliError(Exception):
    """A user mistake: its message is the one line the CLI prints."""


def load_registry(spec: str) -> Registry:
    """Import ``module:attribute`` and check it is a :class:`Registry`."""
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise CliError(f"expected module:attribute (e.g. my_app:registry), got {spec!r}")
    if module_name.endswith(".py") or "/" in module_name or os.sep in module_name:
        raise CliError(
            f"{module_name!r} is a file path; give the module's dotted name, run from the folder "
            f"that holds it, e.g. {_dotted(module_name)}:{attr}"
        )
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name and module_name.startswith(error.name):
            raise CliError(
                f"no module named {error.name!r} (from {os.getcwd()}; check the name, or run "
                "from the folder that holds it)"
            ) from error
        raise CliError(f"importing {module_name} failed: {_one_line(error)}") from error
    except Exception as error:  # the module's own code raised: say where
        raise CliError(f"importing {module_name} failed: {_one_line(error)}") from error
    if not hasattr(module, attr):
        found = [n for n, v in vars(module).items() if isinstance(v, Registry)]
        hint = f" (its registries: {', '.join(found)})" if found else " (it has no Registry)"
        raise CliError(f"module {module_name} has no attribute {attr!r}{hint}")
    registry = getattr(module, attr)
    if not isinstance(registry, Registry):
        raise CliError(
            f"{spec} is of type {type(registry).__name__}, not an actorbind.server.Registry "
            "(make it with Registry(MyActor, ...))"
        )
    return registry


def check_data(data: str) -> None:
    """Refuse a ``--data`` that cannot be a SQLite file, before the server starts."""
    if data == ":memory:":
        return
    path = Path(data)
    if path.is_dir():
        raise CliError(f"--data {data}: is a folder; give a file in it, e.g. {path / 'actors.db'}")
    folder = path.parent
    if not folder.is_dir():
        raise CliError(f"--data {data}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise CliError(f"--data {data}: no permission to write in {folder}")


def _dotted(path: str) -> str:
    parts = Path(path).with_suffix("").parts
    return ".".join(p for p in parts if p not in (".", "..", "/")) or "my_module"


def _one_line(error: BaseException) -> str:
    """``Type: message`` plus where it was raised (file:line), without the traceback."""
    if isinstance(error, SyntaxError):  # its message says where
        return f"{type(error).__name__}: {error}"
    frames = traceback.extract_tb(error.__traceback__)
    where = f" ({frames[-1].filename}:{frames[-1].lineno})" if frames else ""
    return f"{type(error).__name__}: {error}{where}"


def _bind_error(error: OSError, host: str, port: int) -> CliError:
    if error.errno == errno.EADDRINUSE:
        return CliError(
            f"port {port} on {host} is in use (another server?); use --port with another "
            "number, or --port 0 for any free one"
        )
    if error.errno == errno.EACCES:
        return CliError(f"no permission to listen on port {port}; use a port above 1023")
    if error.errno == errno.EADDRNOTAVAIL:
        return CliError(f"--host {host} is not an address of this machine")
    return CliError(f"cannot listen on {host}:{port}: {error.strerror or error}")


async def _run(
    registry: Registry,
    host: str,
    port: int,
    data: str | None,
    level: str,
    *,
    token: str | None = None,
    allow_unknown_names: bool = False,
) -> None:
    from . import serve  # needs the `server` extra (uvicorn, starlette)

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with contextlib.AsyncExitStack() as stack:
        try:
            endpoint = await stack.enter_async_context(
                serve(
                    registry,
                    host,
                    port,
                    data,
                    log_level=level,
                    token=token,
                    allow_unknown_names=allow_unknown_names,
                )
            )
        except OSError as error:
            if error.errno is None:
                raise
            raise _bind_error(error, host, port) from error
        except sqlite3.Error as error:
            raise CliError(
                f"--data {data}: cannot use it as a SQLite database ({error})"
            ) from error
        log.info("actorbind server listening on %s", endpoint)
        await stop.wait()


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port (0-65535)")
    return port


def _prog() -> str:
    as_module = Path(sys.argv[0]).name == "__main__.py"
    return "python -m actorbind.server" if as_module else "actorbind-server"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line (``--help`` lists it)."""
    parser = argparse.ArgumentParser(
        prog=_prog(),
        description="Serve the actors of a Python registry over the RivetKit 2.3 protocol.",
    )
    parser.add_argument("registry", help="the registry to serve, as module:attribute")
    parser.add_argument("--host", default="127.0.0.1", help="interface (default: loopback)")
    parser.add_argument(
        "--port", type=_port, default=6420, help="port (default 6420; 0 = any free one)"
    )
    parser.add_argument(
        "--data", default=None, help="SQLite file for durable state (default: memory)"
    )
    parser.add_argument(
        "--log-level", choices=LOG_LEVELS, default="info", help="what to log (default: info)"
    )
    parser.add_argument(
        "--token",
        default=os.environ.get("ACTORBIND_SERVER_TOKEN") or None,
        help="require this token on the management API and the gateway (default: the "
        "ACTORBIND_SERVER_TOKEN environment variable, which keeps it out of `ps`; none)",
    )
    parser.add_argument(
        "--allow-unknown-names",
        action="store_true",
        help="create actors whose name the registry does not serve",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks of errors")
    parser.add_argument("--version", action="version", version=f"actorbind {__version__}")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    args = parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(), format="%(message)s", stream=sys.stderr, force=True
    )
    # Like `python -m`, the console script imports the registry's module from the current folder.
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        require_extra("actorbind.server", "server", "starlette", "uvicorn")
        if args.data is not None:
            check_data(args.data)
        registry = load_registry(args.registry)
        uvicorn_level = "debug" if args.log_level == "debug" else "warning"
        asyncio.run(
            _run(
                registry,
                args.host,
                args.port,
                args.data,
                uvicorn_level,
                token=args.token,
                allow_unknown_names=args.allow_unknown_names,
            )
        )
    except (CliError, MissingExtra) as error:
        if args.debug:
            raise
        print(f"{_prog()}: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    return 0


if __name__ == "__main__":
    sys.exit(main())
