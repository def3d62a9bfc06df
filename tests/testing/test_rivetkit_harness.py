"""The real-RivetKit harness itself: it starts, answers, and leaves nothing behind."""

from __future__ import annotations

import os
import socket
import uuid

import httpx
import pytest

from tests.support.rivetkit_server import RivetKitServer

pytestmark = [pytest.mark.rivetkit, pytest.mark.timeout(600)]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def test_rivetkit_server_starts_answers_and_stops() -> None:
    server = RivetKitServer()
    server.start()
    try:
        assert server.endpoint == f"http://127.0.0.1:{server.port}"
        engine_pid = server.engine_pid
        assert engine_pid is not None and _pid_alive(engine_pid)
        with httpx.Client(timeout=30.0) as client:
            health = client.get(f"{server.endpoint}/health")
            assert health.status_code == 200
            assert health.json() == {"runtime": "engine", "status": "ok", "version": "2.3.19"}

            key = f"harness-{uuid.uuid4().hex[:12]}"
            resp = client.post(
                f"{server.endpoint}/gateway/counter/action/increment"
                f"?rvt-namespace=default&rvt-method=getOrCreate&rvt-runner=default"
                f"&rvt-key={key}&rvt-crash-policy=sleep",
                content=b'{"args":[5]}',
                headers={"x-rivet-encoding": "json", "content-type": "application/json"},
            )
            assert resp.status_code == 200, resp.text
            assert resp.json() == {"output": 5}
            assert resp.headers["x-rivet-actor-key"] == key
    finally:
        server.stop()
    storage = server.storage_dir
    assert storage is not None and not storage.exists()
    assert not _pid_alive(engine_pid)
    for port in (server.port, server.port + 1, server.port + 10):
        assert _port_free(port), f"port {port} still bound after stop()"


def test_context_manager_and_double_stop() -> None:
    with RivetKitServer() as server:
        engine_pid = server.engine_pid
        assert engine_pid is not None
        with httpx.Client(timeout=30.0) as client:
            assert client.get(f"{server.endpoint}/health").status_code == 200
    server.stop()  # idempotent
    assert not _pid_alive(engine_pid)
    assert _port_free(server.port)
