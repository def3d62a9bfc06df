// One benchmark scenario with the official RivetKit TypeScript client, in its own process.
//
//   node --expose-gc ts_bench.mjs --endpoint E --encoding bare --scenario ws --reps 5
//
// prints `BENCH_RESULT {"reps": [...]}` on stdout, with the same scenarios and metric names as
// benchmarks/py_bench.py. CPU time is process.cpuUsage() (the OS's getrusage, all threads),
// taken around the measured part only. The runner copies this file next to the cached
// `node_modules` (rivetkit 2.3.19) so that `import "rivetkit/client"` resolves.

import { randomUUID } from "node:crypto";
import { createClient } from "rivetkit/client";

function parseArgs(argv) {
	const a = {
		endpoint: undefined,
		encoding: "bare",
		scenario: undefined,
		reps: 5,
		warmup: 50,
		seq: 500,
		tput: 3000,
		events: 100000,
		connects: 20,
		conns: 500,
		timeout: 120,
	};
	for (let i = 0; i < argv.length; i += 2) {
		const name = argv[i].replace(/^--/, "");
		if (!(name in a)) throw new Error(`unknown option ${argv[i]}`);
		const v = argv[i + 1];
		a[name] = typeof a[name] === "number" ? Number(v) : v;
	}
	if (!a.endpoint || !a.scenario) throw new Error("--endpoint and --scenario are required");
	return a;
}

const cpuSeconds = () => {
	const u = process.cpuUsage();
	return (u.user + u.system) / 1e6;
};
const nowNs = () => process.hrtime.bigint();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function percentile(values, q) {
	if (values.length === 0) return NaN;
	const ordered = [...values].sort((x, y) => x - y);
	const rank = Math.max(1, Math.ceil((q / 100) * ordered.length));
	return ordered[Math.min(rank, ordered.length) - 1];
}

function gc() {
	if (typeof global.gc === "function") global.gc();
}

const key = (scenario) => `bench-ts-${scenario}-${randomUUID().slice(0, 10)}`;

async function sequential(call, n) {
	const lat = [];
	const c0 = cpuSeconds();
	for (let i = 0; i < n; i++) {
		const t0 = nowNs();
		await call();
		lat.push(Number(nowNs() - t0) / 1000);
	}
	return [lat, ((cpuSeconds() - c0) * 1e6) / n];
}

async function inFlight(call, total, window) {
	let remaining = total;
	const worker = async () => {
		while (remaining > 0) {
			remaining -= 1;
			await call();
		}
	};
	const c0 = cpuSeconds();
	const t0 = performance.now();
	await Promise.all(Array.from({ length: window }, worker));
	const elapsed = (performance.now() - t0) / 1000;
	return [total / elapsed, ((cpuSeconds() - c0) * 1e6) / total];
}

async function withTimeout(promise, seconds) {
	let timer;
	const timeout = new Promise((_, reject) => {
		timer = setTimeout(() => reject(new Error("timeout")), seconds * 1000);
	});
	try {
		return await Promise.race([promise, timeout]);
	} finally {
		clearTimeout(timer);
	}
}

// The engine sometimes answers a connect with a 500 (e.g. pegboard.route_resolve_query_timeout
// under load); the official client then logs "unhandled open promise rejection" and `ready`
// never settles. Bound the wait and retry with a fresh connection.
async function connectReady(h, attempts = 3) {
	for (let i = 1; ; i++) {
		const conn = h.connect();
		try {
			await withTimeout(conn.ready, 30);
			return conn;
		} catch (err) {
			conn.dispose().catch(() => {});
			if (i >= attempts) throw err;
			process.stderr.write(`ts_bench: connect attempt ${i} failed (${err}), retrying\n`);
		}
	}
}

async function benchHttp(client, a) {
	const h = client.counter.getOrCreate(key("http"));
	for (let i = 0; i < a.warmup; i++) await h.increment(1);
	const reps = [];
	for (let r = 0; r < a.reps; r++) {
		const [lat, cpuSeq] = await sequential(() => h.increment(1), a.seq);
		const [tput, cpu] = await inFlight(() => h.increment(1), a.tput, 32);
		reps.push({
			lat_p50_us: percentile(lat, 50),
			lat_p99_us: percentile(lat, 99),
			seq_cpu_us_per_call: cpuSeq,
			tput_per_s: tput,
			cpu_us_per_call: cpu,
		});
	}
	return reps;
}

async function benchWs(client, a) {
	const h = client.counter.getOrCreate(key("ws"));
	const conn = await connectReady(h);
	for (let i = 0; i < a.warmup; i++) await conn.increment(1);
	const reps = [];
	for (let r = 0; r < a.reps; r++) {
		const [lat, cpuSeq] = await sequential(() => conn.increment(1), a.seq);
		const [tput, cpu] = await inFlight(() => conn.increment(1), a.tput, 100);
		reps.push({
			rtt_p50_us: percentile(lat, 50),
			rtt_p99_us: percentile(lat, 99),
			seq_cpu_us_per_call: cpuSeq,
			tput_per_s: tput,
			cpu_us_per_call: cpu,
		});
	}
	await conn.dispose();
	return reps;
}

async function benchFanin(client, a) {
	const h = client.counter.getOrCreate(key("fanin"));
	const conn = await connectReady(h);
	const state = { count: 0, target: 0, resolve: null };
	conn.on("tick", (_i) => {
		state.count += 1;
		if (state.count >= state.target && state.resolve) {
			const r = state.resolve;
			state.resolve = null;
			r();
		}
	});
	const flood = async (n) => {
		state.count = 0;
		state.target = n;
		const done = new Promise((r) => {
			state.resolve = r;
		});
		const c0 = cpuSeconds();
		const t0 = performance.now();
		try {
			await withTimeout(conn.flood(n), a.timeout);
			await withTimeout(done, a.timeout);
		} catch {} // reported as events_lost
		const elapsed = (performance.now() - t0) / 1000;
		return [elapsed, cpuSeconds() - c0, state.count];
	};
	await flood(Math.min(1000, a.events));
	const reps = [];
	for (let r = 0; r < a.reps; r++) {
		const [elapsed, cpu, got] = await flood(a.events);
		reps.push({
			events_per_s: got / elapsed,
			cpu_us_per_event: (cpu * 1e6) / Math.max(got, 1),
			events_lost: a.events - got,
		});
	}
	await conn.dispose();
	return reps;
}

async function benchConnect(client, a) {
	const h = client.counter.getOrCreate(key("connect"));
	await h.getCount();
	for (let i = 0; i < 3; i++) {
		const conn = h.connect();
		await conn.getCount();
		await conn.dispose();
	}
	const reps = [];
	for (let r = 0; r < a.reps; r++) {
		const times = [];
		for (let i = 0; i < a.connects; i++) {
			const t0 = nowNs();
			const conn = h.connect();
			await withTimeout(conn.getCount(), 30);
			times.push(Number(nowNs() - t0) / 1e6);
			await conn.dispose();
		}
		gc();
		await sleep(200);
		const rss0 = process.memoryUsage().rss;
		const c0 = cpuSeconds();
		const t0 = performance.now();
		const conns = Array.from({ length: a.conns }, () => h.connect());
		// Under load the engine refuses some opens (500s) and such a `ready` may never settle:
		// count the connected ones instead of failing or hanging.
		let ok = 0;
		const settled = Promise.all(
			conns.map((c) =>
				c.ready.then(
					() => {
						ok += 1;
					},
					() => {},
				),
			),
		);
		try {
			await withTimeout(settled, a.timeout);
		} catch {}
		const openS = (performance.now() - t0) / 1000;
		const cpu = cpuSeconds() - c0;
		gc();
		await sleep(500);
		const rss1 = process.memoryUsage().rss;
		reps.push({
			first_action_ms_p50: percentile(times, 50),
			first_action_ms_p99: percentile(times, 99),
			mem_kib_per_conn: (rss1 - rss0) / 1024 / Math.max(ok, 1),
			cpu_us_per_conn: (cpu * 1e6) / Math.max(ok, 1),
			conns_failed: a.conns - ok,
			open_all_s: openS,
		});
		await withTimeout(
			Promise.all(conns.map((c) => c.dispose().catch(() => {}))),
			a.timeout,
		).catch(() => {});
	}
	return reps;
}

const SCENARIOS = { http: benchHttp, ws: benchWs, fanin: benchFanin, connect: benchConnect };

const a = parseArgs(process.argv.slice(2));
const client = createClient({ endpoint: a.endpoint, encoding: a.encoding, devtools: false });
let reps;
try {
	reps = await SCENARIOS[a.scenario](client, a);
} finally {
	await client.dispose?.();
}
process.stdout.write(
	`BENCH_RESULT ${JSON.stringify({ client: "ts", scenario: a.scenario, encoding: a.encoding, reps })}\n`,
);
process.exit(0);
