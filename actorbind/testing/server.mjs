// Starts the registry.mjs beside it on a real RivetKit 2.3.19 (+ its local Rivet Engine), for any
// app folder without a server.mjs of its own (the tests', the benchmarks', the demo's).
//
// Environment (set by actorbind/testing/rivetkit.py): RIVET_RUN_ENGINE=1,
// RIVET_RUN_ENGINE_HOST=127.0.0.1, RIVET_RUN_ENGINE_PORT=P, RIVETKIT_STORAGE_PATH=<dir>,
// RIVET_RUN_SERVICES=0. Prints `ACTORBIND_RIVETKIT_READY <endpoint>` once actors are reachable.
//
// The engine is spawned detached and outlives this process: whoever started us stops it (pid in
// <RIVETKIT_STORAGE_PATH>/.rivetkit/var/engine/runtime.json), or we do if our stdin closes.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { registry } from "./registry.mjs";

let stopping = false;
function stop(signal) {
	if (stopping) return;
	stopping = true;
	process.stderr.write(`actorbind server.mjs: ${signal}, exiting\n`);
	// Give the registry a moment to shut down, but never hang on it.
	const hard = setTimeout(() => process.exit(0), 3000);
	hard.unref();
	Promise.resolve()
		.then(() => (typeof registry.shutdown === "function" ? registry.shutdown() : undefined))
		.catch(() => {})
		.finally(() => process.exit(0));
}
process.on("SIGTERM", () => stop("SIGTERM"));
process.on("SIGINT", () => stop("SIGINT"));

// actorbind/testing/rivetkit.py keeps our stdin open (ACTORBIND_STOP_WITH_STDIN=1). If it dies
// without stopping us (a crash, SIGKILL), stdin closes: stop the detached engine, then exit, so
// nothing outlives it.
function orphaned() {
	try {
		const runtime = join(process.env.RIVETKIT_STORAGE_PATH ?? ".", ".rivetkit", "var", "engine", "runtime.json");
		const pid = JSON.parse(readFileSync(runtime, "utf8")).pid;
		if (Number.isInteger(pid)) process.kill(pid, "SIGTERM");
	} catch {}
	stop("stdin closed");
}
if (process.env.ACTORBIND_STOP_WITH_STDIN === "1") {
	process.stdin.on("end", orphaned);
	process.stdin.on("error", orphaned);
	process.stdin.resume();
}

const host = process.env.RIVET_RUN_ENGINE_HOST ?? "127.0.0.1";
const port = process.env.RIVET_RUN_ENGINE_PORT ?? "6420";
const endpoint = `http://${host}:${port}`;

const started = Date.now();
await registry.startAndWait();
const elapsed = Date.now() - started;
process.stdout.write(`ACTORBIND_RIVETKIT_READY ${endpoint}\n`);
process.stderr.write(`actorbind server.mjs: startAndWait took ${elapsed} ms\n`);

// Keep the event loop alive even if the registry holds no ref'd handle.
setInterval(() => {}, 1 << 30);
