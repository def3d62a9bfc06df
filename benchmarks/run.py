"""Run every benchmark: actorbind vs the official TypeScript client, json/cbor/bare.

``python -m benchmarks [--quick]`` (or ``.venv/bin/python benchmarks/run.py``). See
``benchmarks/README.md`` for what is measured and how.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # `python benchmarks/run.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "benchmarks"

from benchmarks import report
from benchmarks.servers import (
    ROOT,
    embedded_available,
    embedded_server,
    node_bench_dir,
    rivetkit_server,
)

ENCODINGS = ("json", "cbor", "bare")
SCENARIOS = ("http", "ws", "fanin", "connect")
EMBEDDED_SCENARIOS = ("http", "ws", "fanin")  # scenario 6: 1-3 on the embedded server
# Scenario 6 also runs ws and fan-in with the raw floor (a plain websockets client doing the
# same decoding, raw_bench.py) and with actorbind under the qasync loop.
FLOOR_SCENARIOS = ("ws", "fanin")
FLOOR_CLIENTS = ("raw", "actorbind-qasync")

FULL = {
    "reps": 5,
    "warmup": 50,
    "http": {"seq": 500, "tput": 2000},
    "ws": {"seq": 500, "tput": 5000},
    "fanin": {"events": 100_000},
    "connect": {"connects": 20, "conns": 500},
    "qt": {"seconds": 5.0, "rate": 10_000, "flood": 100_000},
}
QUICK = {
    "reps": 3,
    "warmup": 20,
    "http": {"seq": 200, "tput": 500},
    "ws": {"seq": 300, "tput": 2000},
    "fanin": {"events": 20_000},
    "connect": {"connects": 10, "conns": 500},
    "qt": {"seconds": 3.0, "rate": 10_000, "flood": 20_000},
}

CHILD_TIMEOUT = 1800.0


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def run_child(cmd: list[str], cwd: Path, timeout: float = CHILD_TIMEOUT) -> dict[str, Any]:
    """Run one benchmark process; return its BENCH_RESULT plus the OS's view of the process.

    The process is reaped with ``os.wait4`` so its total CPU time and peak RSS come from the
    kernel (``proc_cpu_s``, ``proc_maxrss_kib``), start-up included.
    """
    out = tempfile.TemporaryFile()
    err = tempfile.TemporaryFile()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    t0 = time.monotonic()
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=out,
        stderr=err,
        env=env,
        start_new_session=True,
    )
    status = None
    rusage = None
    while True:
        pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() - t0 > timeout:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            _, status, rusage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.05)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - t0
    out.seek(0)
    err.seek(0)
    stdout = out.read().decode(errors="replace")
    stderr = err.read().decode(errors="replace")
    result: dict[str, Any] = {}
    for line in stdout.splitlines():
        if line.startswith("BENCH_RESULT "):
            result = json.loads(line[len("BENCH_RESULT ") :])
    if not result:
        tail = "\n".join((stdout + stderr).splitlines()[-15:])
        result = {"error": f"exit {proc.returncode} after {wall:.0f} s: {tail}"}
    result["proc_cpu_s"] = rusage.ru_utime + rusage.ru_stime
    result["proc_maxrss_kib"] = rusage.ru_maxrss
    result["wall_s"] = wall
    return result


def child_args(scenario: str, p: dict[str, Any], reps: int) -> list[str]:
    args = ["--scenario", scenario, "--reps", str(reps), "--warmup", str(p["warmup"])]
    for k, v in p.get(scenario, {}).items():
        args += [f"--{k}", str(v)]
    return args


def run_pair(
    server: str,
    endpoint: str,
    scenario: str,
    encoding: str,
    p: dict[str, Any],
    node_dir: Path,
    clients: tuple[str, ...],
) -> list[dict[str, Any]]:
    """actorbind then TS (one process each) for one (server, scenario, encoding).

    ``connect`` measures RSS growth, which a process can only do cleanly once, so it runs one
    fresh process per repetition, alternating the two clients.
    """
    node = shutil.which("node") or "node"
    merged: dict[str, dict[str, Any]] = {}
    per_proc = scenario == "connect"
    rounds = p["reps"] if per_proc else 1
    reps = 1 if per_proc else p["reps"]
    for _ in range(rounds):
        for client in clients:
            common = [
                "--endpoint",
                endpoint,
                "--encoding",
                encoding,
                *child_args(scenario, p, reps),
            ]
            if client == "actorbind":
                cmd, cwd = [sys.executable, "-m", "benchmarks.py_bench", *common], ROOT
            elif client == "actorbind-qasync":
                py = [sys.executable, "-m", "benchmarks.py_bench", "--loop", "qasync"]
                cmd, cwd = [*py, *common], ROOT
            elif client == "raw":
                cmd, cwd = [sys.executable, "-m", "benchmarks.raw_bench", *common], ROOT
            else:
                cmd, cwd = [node, "--expose-gc", str(node_dir / "ts_bench.mjs"), *common], node_dir
            res = run_child(cmd, cwd)
            rec = merged.setdefault(
                client,
                {
                    "server": server,
                    "scenario": scenario,
                    "encoding": encoding,
                    "client": client,
                    "reps": [],
                    "proc_cpu_s": [],
                    "proc_maxrss_kib": [],
                    "wall_s": 0.0,
                },
            )
            if "error" in res:
                rec["error"] = res["error"]
                log(f"  {client}: ERROR {res['error'][:400]}")
            rec["reps"] += res.get("reps", [])
            rec["proc_cpu_s"].append(res["proc_cpu_s"])
            rec["proc_maxrss_kib"].append(res["proc_maxrss_kib"])
            rec["wall_s"] += res["wall_s"]
    for rec in merged.values():
        log(f"  {rec['client']:9s} {report.one_line(rec)}  ({rec['wall_s']:.0f} s)")
    return list(merged.values())


def run_qt(endpoint: str, server: str, p: dict[str, Any]) -> list[dict[str, Any]]:
    q = p["qt"]
    records = []
    for mode in ("raw", "coalesced"):
        cmd = [
            sys.executable,
            "-m",
            "benchmarks.qt_bench",
            "--endpoint",
            endpoint,
            "--mode",
            mode,
            "--reps",
            str(p["reps"]),
            "--seconds",
            str(q["seconds"]),
            "--rate",
            str(q["rate"]),
            "--flood",
            str(q["flood"]),
        ]
        res = run_child(cmd, ROOT)
        rec = {
            "server": server,
            "scenario": "qt",
            "encoding": res.get("encoding", "bare"),
            "client": "actorbind",
            "mode": mode,
            "reps": res.get("reps", []),
            "proc_cpu_s": [res["proc_cpu_s"]],
            "proc_maxrss_kib": [res["proc_maxrss_kib"]],
            "wall_s": res["wall_s"],
        }
        for k in ("error", "pending", "api"):
            if k in res:
                rec[k] = res[k]
        log(f"  qt {mode}: {report.one_line(rec)}")
        records.append(rec)
    return records


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="3 repetitions, smaller counts")
    ap.add_argument("--reps", type=int, help="override the number of repetitions")
    ap.add_argument("--encodings", default=",".join(ENCODINGS))
    ap.add_argument(
        "--scenarios",
        default=",".join((*SCENARIOS, "qt", "embedded")),
        help="comma list of http,ws,fanin,connect,qt,embedded",
    )
    ap.add_argument(
        "--embedded-scenarios",
        default=",".join(EMBEDDED_SCENARIOS),
        help="scenario 6: which of http,ws,fanin run on the embedded server",
    )
    ap.add_argument(
        "--no-floor",
        action="store_true",
        help="scenario 6: skip the raw websockets floor and the qasync runs of ws and fanin",
    )
    ap.add_argument(
        "--no-ts-on-embedded",
        action="store_true",
        help="scenario 6: skip the TS reference runs on the embedded server",
    )
    ap.add_argument(
        "--out",
        default=str(ROOT / "docs" / "benchmarks"),
        help="folder for results.md / results.png / results.json",
    )
    ap.add_argument(
        "--render-only",
        action="store_true",
        help="rebuild the table, results.md and results.png from OUT/results.json; run nothing",
    )
    return ap.parse_args(argv)


def render(records: list[dict[str, Any]], meta: dict[str, Any], out: Path) -> None:
    text = report.render_text(records, meta)
    print(text)
    (out / "results.md").write_text(report.render_markdown(records, meta))
    try:
        report.render_png(records, meta, out / "results.png")
    except Exception as exc:  # matplotlib missing or a headless quirk: the tables still stand
        log(f"chart not written: {type(exc).__name__}: {exc}")


def main(argv: list[str] | None = None) -> int:
    a = parse_args(argv)
    out = Path(a.out)
    if a.render_only:
        data = json.loads((out / "results.json").read_text())
        render(data["records"], data["meta"], out)
        return 0
    p = json.loads(json.dumps(QUICK if a.quick else FULL))
    if a.reps:
        p["reps"] = a.reps
    encodings = [e for e in a.encodings.split(",") if e]
    wanted = [s for s in a.scenarios.split(",") if s]
    started = time.monotonic()
    records: list[dict[str, Any]] = []
    notes: list[str] = []
    both = ("actorbind", "ts")

    with node_bench_dir() as node_dir:
        engine_scen = [s for s in SCENARIOS if s in wanted]
        if engine_scen:
            log("starting RivetKit 2.3.19 + engine")
            with rivetkit_server() as endpoint:
                log(f"RivetKit at {endpoint}")
                for scenario in engine_scen:
                    for enc in encodings:
                        log(f"rivetkit {scenario} {enc}")
                        records += run_pair("rivetkit", endpoint, scenario, enc, p, node_dir, both)
            log("RivetKit stopped")

        if "embedded" in wanted or "qt" in wanted:
            why = embedded_available()
            if why is not None:
                notes.append(f"Embedded server unavailable ({why}): scenarios 5/6 not run.")
                log(notes[-1])
            else:
                with embedded_server() as (endpoint, pid):
                    log(f"embedded server at {endpoint} (pid {pid})")
                    if "embedded" in wanted:
                        clients = ("actorbind",) if a.no_ts_on_embedded else both
                        embedded = [s for s in a.embedded_scenarios.split(",") if s]
                        for scenario in embedded:
                            extra = FLOOR_CLIENTS if scenario in FLOOR_SCENARIOS else ()
                            if a.no_floor:
                                extra = ()
                            for enc in encodings:
                                log(f"embedded {scenario} {enc}")
                                records += run_pair(
                                    "embedded",
                                    endpoint,
                                    scenario,
                                    enc,
                                    p,
                                    node_dir,
                                    (*clients, *extra),
                                )
                    if "qt" in wanted:
                        log("qt delivery (actorbind only, embedded server)")
                        records += run_qt(endpoint, "embedded", p)
                log("embedded server stopped")

    node_version = subprocess.run(["node", "--version"], capture_output=True, text=True)
    meta = {
        "mode": "quick" if a.quick else "full",
        "params": p,
        "encodings": encodings,
        "python": platform.python_version(),
        "node": node_version.stdout.strip(),
        "cpus": os.cpu_count(),
        "machine": platform.platform(),
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "seconds": round(time.monotonic() - started),
        "notes": notes,
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps({"meta": meta, "records": records}, indent=1))
    render(records, meta, out)
    log(f"done in {meta['seconds']} s; wrote {out}/results.md, results.png, results.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
