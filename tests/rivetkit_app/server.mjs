// Starts the test registry on a real RivetKit 2.3.19 (+ its local Rivet Engine).
//
// Environment (set by tests/support/rivetkit_server.py): RIVET_RUN_ENGINE=1,
// RIVET_RUN_ENGINE_HOST=127.0.0.1, RIVET_RUN_ENGINE_PORT=P, RIVETKIT_STORAGE_PATH=<dir>,
// RIVET_RUN_SERVICES=0. Prints `ACTORBIND_RIVETKIT_READY <endpoint>` once actors are reachable.
//
// The engine is spawned detached and outlives this process: whoever started us must stop it
// (pid in <RIVETKIT_STORAGE_PATH>/.rivetkit/var/engine/runtime.json).

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
