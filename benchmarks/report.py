"""Turn benchmark records into a text table, Markdown and a PNG chart."""

# Tables use real typography (en dash ranges, multiplication sign) and are wide on purpose.
# ruff: noqa: RUF001, RUF002, E501

from __future__ import annotations

import math
import statistics
from pathlib import Path
from typing import Any

# scenario, metric key, label, unit, better ("higher"/"lower"/None), target
# target: ("ratio<=", x) / ("ratio>=", x) on actorbind/TS, ("abs<", x) on actorbind's value
METRICS: list[tuple[str, str, str, str, str | None, tuple[str, float] | None]] = [
    ("http", "lat_p50_us", "1 HTTP latency p50 (sequential)", "µs", "lower", None),
    ("http", "lat_p99_us", "1 HTTP latency p99 (sequential)", "µs", "lower", ("ratio<=", 1.2)),
    (
        "http",
        "tput_per_s",
        "1 HTTP throughput, 32 in flight",
        "calls/s",
        "higher",
        ("ratio>=", 1.0),
    ),
    (
        "http",
        "cpu_us_per_call",
        "1 HTTP client CPU/call, 32 in flight",
        "µs",
        "lower",
        ("ratio<=", 1.0),
    ),
    (
        "http",
        "seq_cpu_us_per_call",
        "1 HTTP client CPU/call, sequential",
        "µs",
        "lower",
        ("ratio<=", 1.0),
    ),
    ("ws", "rtt_p50_us", "2 WS action RTT p50", "µs", "lower", None),
    ("ws", "rtt_p99_us", "2 WS action RTT p99", "µs", "lower", ("ratio<=", 1.2)),
    ("ws", "tput_per_s", "2 WS throughput, 100 in flight", "calls/s", "higher", ("ratio>=", 1.0)),
    (
        "ws",
        "cpu_us_per_call",
        "2 WS client CPU/call, 100 in flight",
        "µs",
        "lower",
        ("ratio<=", 1.0),
    ),
    (
        "ws",
        "seq_cpu_us_per_call",
        "2 WS client CPU/call, sequential",
        "µs",
        "lower",
        ("ratio<=", 1.0),
    ),
    ("fanin", "events_per_s", "3 fan-in events/s decoded", "ev/s", "higher", ("ratio>=", 1.0)),
    ("fanin", "cpu_us_per_event", "3 fan-in client CPU/event", "µs", "lower", ("ratio<=", 1.0)),
    ("fanin", "events_lost", "3 fan-in events missing", "", "lower", None),
    ("connect", "first_action_ms_p50", "4 connect→first result p50", "ms", "lower", None),
    (
        "connect",
        "first_action_ms_p99",
        "4 connect→first result p99",
        "ms",
        "lower",
        ("ratio<=", 1.2),
    ),
    ("connect", "open_all_s", "4 open 500 conns (wall)", "s", "lower", None),
    ("connect", "conns_failed", "4 conns refused by the server (of 500)", "", "lower", None),
    (
        "connect",
        "cpu_us_per_conn",
        "4 client CPU/conn (500 concurrent)",
        "µs",
        "lower",
        ("ratio<=", 1.0),
    ),
    (
        "connect",
        "mem_kib_per_conn",
        "4 RSS/idle conn (500 concurrent)",
        "KiB",
        "lower",
        ("abs<", 64.0),
    ),
]

QT_METRICS = [
    ("max_events_per_s", "max rate: events/s delivered to the label", "ev/s"),
    ("max_label_updates_per_s", "max rate: label updates/s", "/s"),
    ("max_lag_p99_ms", "max rate: GUI lag p99 (16 ms QTimer lateness)", "ms"),
    ("max_cpu_us_per_event", "max rate: client CPU/event", "µs"),
    ("paced_events_per_s", "paced: events/s delivered", "ev/s"),
    ("paced_label_updates_per_s", "paced: label updates/s", "/s"),
    ("paced_lag_p50_ms", "paced: GUI lag p50", "ms"),
    ("paced_lag_p99_ms", "paced: GUI lag p99", "ms"),
    ("paced_lag_max_ms", "paced: GUI lag max", "ms"),
    ("paced_cpu_us_per_event", "paced: client CPU/event", "µs"),
]


def _stats(values: list[float]) -> tuple[float, float, float] | None:
    vals = [v for v in values if v is not None and not math.isnan(v)]
    if not vals:
        return None
    return statistics.median(vals), min(vals), max(vals)


def _fmt(v: float) -> str:
    if v is None or math.isnan(v):
        return "–"
    a = abs(v)
    if a >= 100_000:
        return f"{v:,.0f}"
    if a >= 100:
        return f"{v:.0f}"
    if a >= 10:
        return f"{v:.1f}"
    if a >= 1:
        return f"{v:.2f}"
    if a == 0:
        return "0"
    return f"{v:.3f}"


def _cell(s: tuple[float, float, float] | None) -> str:
    if s is None:
        return "–"
    med, lo, hi = s
    return f"{_fmt(med)} [{_fmt(lo)}–{_fmt(hi)}]"


def one_line(rec: dict[str, Any]) -> str:
    if rec.get("error") and not rec.get("reps"):
        return "ERROR " + rec["error"][:200]
    keys = rec["reps"][0].keys() if rec.get("reps") else []
    parts = []
    for k in keys:
        s = _stats([r.get(k) for r in rec["reps"]])
        if s:
            parts.append(f"{k}={_fmt(s[0])}")
    return " ".join(parts)


def _find(records: list[dict[str, Any]], **kw: Any) -> dict[str, Any] | None:
    for r in records:
        if all(r.get(k) == v for k, v in kw.items()):
            return r
    return None


def rows(records: list[dict[str, Any]], server: str) -> list[dict[str, Any]]:
    """One row per (metric, encoding): medians, min–max, ratio, target verdict."""
    out = []
    encodings = []
    for r in records:
        if r["server"] == server and r["encoding"] not in encodings and r["scenario"] != "qt":
            encodings.append(r["encoding"])
    for scenario, key, label, unit, _better, target in METRICS:
        for enc in encodings:
            ab = _find(records, server=server, scenario=scenario, encoding=enc, client="actorbind")
            ts = _find(records, server=server, scenario=scenario, encoding=enc, client="ts")
            if ab is None and ts is None:
                continue
            sa = _stats([x.get(key) for x in ab["reps"]]) if ab else None
            st = _stats([x.get(key) for x in ts["reps"]]) if ts else None
            ratio = None
            if sa and st and st[0]:
                ratio = sa[0] / st[0]
            verdict, tgt = "", ""
            if target:
                kind, val = target
                if kind == "abs<":
                    tgt = f"< {val:g} {unit}"
                    if sa:
                        verdict = "PASS" if sa[0] < val else "MISS"
                elif ratio is not None:
                    op = kind[len("ratio") :]
                    tgt = f"{'≤' if op == '<=' else '≥'} {val:g}×"
                    ok = ratio <= val if op == "<=" else ratio >= val
                    verdict = "PASS" if ok else "MISS"
                else:
                    tgt = f"{'≤' if kind.endswith('<=') else '≥'} {val:g}×"
            out.append(
                {
                    "scenario": scenario,
                    "key": key,
                    "label": label,
                    "unit": unit,
                    "encoding": enc,
                    "ab": sa,
                    "ts": st,
                    "ratio": ratio,
                    "target": tgt,
                    "verdict": verdict,
                    "error": (ab or {}).get("error") or (ts or {}).get("error"),
                }
            )
    return out


FLOOR_KEYS = ("tput_per_s", "cpu_us_per_call", "events_per_s", "cpu_us_per_event")


def floor_rows(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """actorbind beside the raw websockets floor and itself under qasync (embedded server)."""
    out = []
    for scenario, key, label, unit, _better, _target in METRICS:
        if scenario not in ("ws", "fanin") or key not in FLOOR_KEYS:
            continue
        for enc in ("json", "cbor", "bare"):
            found = {
                c: _find(records, server="embedded", scenario=scenario, encoding=enc, client=c)
                for c in ("actorbind", "raw", "actorbind-qasync")
            }
            if found["raw"] is None and found["actorbind-qasync"] is None:
                continue
            s = {
                c: _stats([x.get(key) for x in r["reps"]]) if r else None for c, r in found.items()
            }
            ab, raw, qa = s["actorbind"], s["raw"], s["actorbind-qasync"]
            out.append(
                {
                    "label": label,
                    "unit": unit,
                    "encoding": enc,
                    "ab": ab,
                    "raw": raw,
                    "qa": qa,
                    "raw_ratio": ab[0] / raw[0] if ab and raw and raw[0] else None,
                    "qa_ratio": qa[0] / ab[0] if ab and qa and ab[0] else None,
                }
            )
    return out


def server_ratio_rows(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Scenario 6: actorbind on the embedded server vs actorbind on RivetKit."""
    out = []
    for scenario, key, label, unit, _b, _t in METRICS:
        if scenario not in ("http", "ws", "fanin") or key == "events_lost":
            continue
        for enc in ("json", "cbor", "bare"):
            emb = _find(
                records, server="embedded", scenario=scenario, encoding=enc, client="actorbind"
            )
            rk = _find(
                records, server="rivetkit", scenario=scenario, encoding=enc, client="actorbind"
            )
            if emb is None:
                continue
            se = _stats([x.get(key) for x in emb["reps"]])
            sr = _stats([x.get(key) for x in rk["reps"]]) if rk else None
            ratio = se[0] / sr[0] if se and sr and sr[0] else None
            out.append(
                {"label": label, "unit": unit, "encoding": enc, "emb": se, "rk": sr, "ratio": ratio}
            )
    return out


def qt_rows(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for r in records:
        if r["scenario"] != "qt":
            continue
        for key, label, unit in QT_METRICS:
            s = _stats([x.get(key) for x in r["reps"]])
            verdict = ""
            if key == "paced_lag_p99_ms" and r["mode"] == "coalesced" and s:
                verdict = "PASS" if s[0] < 16.0 else "MISS"
            out.append(
                {
                    "mode": r["mode"],
                    "label": label,
                    "unit": unit,
                    "s": s,
                    "verdict": verdict,
                    "error": r.get("error"),
                    "pending": r.get("pending"),
                }
            )
    return out


def _ratio(r: float | None) -> str:
    return "–" if r is None else f"{r:.2f}×"


SERVER_TITLES = {
    "rivetkit": "RivetKit 2.3.19 + Rivet Engine (scenarios 1–4)",
    "embedded": "Embedded Python server `python -m actorbind.server` (scenario 6; TS for reference)",
}


def _header(meta: dict[str, Any]) -> list[str]:
    p = meta["params"]
    return [
        f"mode {meta['mode']}: {p['reps']} repetitions, figures are median [min–max] over "
        f"repetitions; ratio = actorbind / TS (medians)",
        f"python {meta['python']}, node {meta['node']}, {meta['cpus']} CPUs, {meta['machine']}, "
        f"{meta['date']}, run took {meta['seconds']} s",
        "sizes: " + ", ".join(f"{k} {v}" for k, v in p.items() if isinstance(v, dict)),
    ]


def render_text(records: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    lines = _header(meta)
    for server in ("rivetkit", "embedded"):
        rs = rows(records, server)
        if not rs:
            continue
        lines += ["", SERVER_TITLES[server]]
        lines.append(
            f"{'metric':40s} {'enc':5s} {'actorbind':>26s} {'TS client':>26s} {'ratio':>7s} {'target':>10s} "
        )
        for r in rs:
            lines.append(
                f"{r['label'] + (' (' + r['unit'] + ')' if r['unit'] else ''):40.40s} {r['encoding']:5s} "
                f"{_cell(r['ab']):>26s} {_cell(r['ts']):>26s} {_ratio(r['ratio']):>7s} "
                f"{r['target']:>10s} {r['verdict']}"
            )
    sr = server_ratio_rows(records)
    if sr:
        lines += ["", "Scenario 6: actorbind client, embedded server vs RivetKit engine"]
        lines.append(
            f"{'metric':40s} {'enc':5s} {'embedded':>26s} {'RivetKit':>26s} {'emb/RK':>7s}"
        )
        for r in sr:
            lines.append(
                f"{r['label'] + ' (' + r['unit'] + ')':40.40s} {r['encoding']:5s} {_cell(r['emb']):>26s} "
                f"{_cell(r['rk']):>26s} {_ratio(r['ratio']):>7s}"
            )
    qr = qt_rows(records)
    if qr:
        lines += ["", "Scenario 5: Qt delivery (actorbind only, bare, embedded server)"]
        for r in qr:
            if r["pending"] or (r["error"] and not r["s"]):
                lines.append(
                    f"{r['mode']:10s} {r['label']:48s} {'not run: ' + (r['pending'] or r['error'])[:120]}"
                )
                continue
            lines.append(
                f"{r['mode']:10s} {r['label'] + ' (' + r['unit'] + ')':52s} {_cell(r['s']):>26s} {r['verdict']}"
            )
    for n in meta.get("notes", []):
        lines.append("NOTE: " + n)
    return "\n".join(lines)


def render_markdown(records: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    md = ["# actorbind benchmarks: results", ""]
    md += [f"- {h}" for h in _header(meta)]
    md += [
        "- produced by `python -m benchmarks"
        + (" --quick" if meta["mode"] == "quick" else "")
        + "`; raw numbers in `results.json`, chart in `results.png`; method in "
        "`benchmarks/README.md`",
        "",
    ]
    for server in ("rivetkit", "embedded"):
        rs = rows(records, server)
        if not rs:
            continue
        md += [f"## {SERVER_TITLES[server]}", ""]
        md += [
            "| metric | enc | actorbind | TS client | actorbind/TS | target | |",
            "|---|---|---:|---:|---:|---|---|",
        ]
        for r in rs:
            unit = f" ({r['unit']})" if r["unit"] else ""
            md.append(
                f"| {r['label']}{unit} | {r['encoding']} | {_cell(r['ab'])} | {_cell(r['ts'])} | "
                f"{_ratio(r['ratio'])} | {r['target']} | {r['verdict']} |"
            )
        md.append("")
    fr = floor_rows(records)
    if fr:
        md += ["## Scenario 6: the raw floor and the qasync loop (embedded server)", ""]
        md += [
            "| metric | enc | actorbind | raw websockets | actorbind/raw | actorbind on qasync | qasync/asyncio |",
            "|---|---|---:|---:|---:|---:|---:|",
        ]
        for r in fr:
            md.append(
                f"| {r['label']} ({r['unit']}) | {r['encoding']} | {_cell(r['ab'])} | {_cell(r['raw'])} | "
                f"{_ratio(r['raw_ratio'])} | {_cell(r['qa'])} | {_ratio(r['qa_ratio'])} |"
            )
        md.append("")
    sr = server_ratio_rows(records)
    if sr:
        md += ["## Scenario 6: same actorbind client, embedded server vs RivetKit engine", ""]
        md += [
            "| metric | enc | embedded | RivetKit | embedded/RivetKit |",
            "|---|---|---:|---:|---:|",
        ]
        for r in sr:
            md.append(
                f"| {r['label']} ({r['unit']}) | {r['encoding']} | {_cell(r['emb'])} | {_cell(r['rk'])} | {_ratio(r['ratio'])} |"
            )
        md.append("")
    qr = qt_rows(records)
    if qr:
        md += ["## Scenario 5: Qt delivery (actorbind only)", ""]
        md += ["| mode | metric | value | target |", "|---|---|---:|---|"]
        for r in qr:
            if r["pending"] or (r["error"] and not r["s"]):
                md.append(
                    f"| {r['mode']} | {r['label']} | not run: {(r['pending'] or r['error'])[:200]} | |"
                )
                continue
            tgt = "< 16 ms " + r["verdict"] if r["verdict"] else ""
            md.append(f"| {r['mode']} | {r['label']} ({r['unit']}) | {_cell(r['s'])} | {tgt} |")
        md.append("")
    for n in meta.get("notes", []):
        md.append(f"> {n}")
    return "\n".join(md) + "\n"


def render_png(records: list[dict[str, Any]], meta: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    servers = [s for s in ("rivetkit", "embedded") if rows(records, s)]
    if not servers:
        return
    fig, axes = plt.subplots(1, len(servers), figsize=(8 * len(servers), 11), squeeze=False)
    colors = {"json": "#4C72B0", "cbor": "#DD8452", "bare": "#55A868"}
    for ax, server in zip(axes[0], servers, strict=True):
        skip = {"events_lost", "conns_failed", "mem_kib_per_conn"}  # counts / absolute target
        rs = [
            r
            for r in rows(records, server)
            if r["ratio"] is not None and r["ratio"] > 0 and r["key"] not in skip
        ]
        labels = []
        for r in rs:
            if r["label"] not in labels:
                labels.append(r["label"])
        encs = sorted({r["encoding"] for r in rs}, key=["json", "cbor", "bare"].index)
        h = 0.8 / max(len(encs), 1)
        for j, enc in enumerate(encs):
            ys, xs, lo, hi = [], [], [], []
            for i, lab in enumerate(labels):
                r = next((x for x in rs if x["label"] == lab and x["encoding"] == enc), None)
                if r is None:
                    continue
                ys.append(i + (j - (len(encs) - 1) / 2) * h)
                xs.append(r["ratio"])
                # range of ratios the repetitions allow
                amin, amax = r["ab"][1], r["ab"][2]
                tmin, tmax = r["ts"][1], r["ts"][2]
                rlo = amin / tmax if tmax else r["ratio"]
                rhi = amax / tmin if tmin else r["ratio"]
                lo.append(max(r["ratio"] - rlo, 0))
                hi.append(max(rhi - r["ratio"], 0))
            ax.barh(
                ys,
                xs,
                height=h,
                color=colors.get(enc),
                label=enc,
                xerr=[lo, hi],
                error_kw={"elinewidth": 0.7, "capsize": 1.5, "ecolor": "#333"},
            )
        for i, lab in enumerate(labels):
            _s, _k, _l, _u, _b, target = next(m for m in METRICS if m[2] == lab)
            if target and target[0].startswith("ratio"):
                ax.plot([target[1], target[1]], [i - 0.45, i + 0.45], color="red", lw=1.5)
        ax.axvline(1.0, color="#888", lw=0.8, ls="--")
        ax.set_yticks(range(len(labels)))
        ax.set_yticklabels(labels, fontsize=8)
        ax.invert_yaxis()
        ax.set_xscale("log")
        ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax.set_xticks([0.25, 0.5, 1, 2, 4])
        ax.set_xticklabels(["0.25×", "0.5×", "1×", "2×", "4×"])
        ax.set_xlabel("actorbind / TS (median; whiskers: min–max range). Red tick = target")
        ax.set_title(SERVER_TITLES[server].replace("`", ""), fontsize=9)
        ax.legend(loc="lower right", fontsize=8)
    fig.suptitle(
        f"actorbind vs official TS client ({meta['mode']} run, {meta['date']})", fontsize=11
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
