// Drives the official TypeScript client (rivetkit/client 2.3.19) against a server and prints
// one JSON object with what it saw. Used to prove the embedded Python server serves it.
//
//   node ts_client_check.mjs <endpoint> <json|cbor|bare> <unique-key>

import { createClient } from "rivetkit/client";

const [endpoint, encoding, uid] = process.argv.slice(2);
const client = createClient({ endpoint, encoding });
const out = {};

function errorInfo(err) {
	return { group: err?.group, code: err?.code, message: err?.message, metadata: err?.metadata ?? null };
}
async function capture(fn) {
	try {
		return { ok: await fn() };
	} catch (err) {
		return { error: errorInfo(err) };
	}
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const counter = client.counter.getOrCreate([uid, "c"]);
out.increment = await counter.increment(5);
out.getCount = await counter.getCount();
out.echo = await counter.echo(1, "two", { three: [3] }, null, true, 1.5);
out.bigint = String((await counter.echo(12345678901234567890n))[0]);
out.bytes = Array.from(await counter.bytes(4));
out.key = await counter.getKey();
const actorId = await counter.resolve();
out.byId = await client.counter.getForId(actorId).getCount();
out.byGet = await client.counter.get([uid, "c"]).getCount();

const created = await client.withInput.create([uid, "i"], { input: { name: "alice", startCount: 7 } });
out.input = await created.getInput();
out.duplicate = await capture(() => client.withInput.create([uid, "i"], { input: {} }));
out.getOrCreateInput = await client.withInput
	.getOrCreate([uid, "j"], { createWithInput: { name: "bob" } })
	.getInput();

const errors = client.errors.getOrCreate([uid, "e"]);
out.userError = await capture(() => errors.failUser("because"));
out.plainError = await capture(() => errors.failPlain());
out.internalError = await capture(() => errors.failInternal());
out.unknownAction = await capture(() => counter.noSuchAction());
out.timeout = await capture(() => client.slow.getOrCreate([uid, "s"]).sleepMs(2000));
out.missing = await capture(() => client.counter.get([uid, "missing"]).getCount());

out.whoami = await client.guarded.getOrCreate([uid, "g"], { params: { authToken: "good-token" } }).whoami();
out.badParams = await capture(() =>
	client.guarded.getOrCreate([uid, "g"], { params: { authToken: "bad" } }).ping(),
);

// Connections and events.
const conn = counter.connect();
const events = [];
const multi = [];
const direct = [];
conn.on("newCount", (n) => events.push(n));
conn.on("multi", (...args) => multi.push(args));
conn.on("direct", (x) => direct.push(x));
out.wsIncrement = await conn.increment(1);
await counter.increment(10);
out.wsMulti = await conn.multiEvent();
out.wsDirect = await conn.direct("hi");
for (let i = 0; i < 100 && events.length < 2; i++) await sleep(20);
out.events = events;
out.multi = multi;
out.direct = direct;
out.connStatus = conn.connStatus;
out.connActorIdMatches = conn.actorId === actorId;
await conn.dispose();
out.afterDispose = conn.connStatus;

const wsErrors = client.errors.getOrCreate([uid, "e"]).connect();
out.wsErrorAction = await capture(() => wsErrors.failUser("over-ws"));
out.wsInternal = await capture(() => wsErrors.failInternal());
await wsErrors.dispose();

const rejected = client.guarded.getOrCreate([uid, "g"]).connect({ authToken: "bad" });
const connErrors = [];
rejected.onError((err) => connErrors.push(errorInfo(err)));
out.rejectedAction = await capture(() => rejected.ping());
for (let i = 0; i < 100 && connErrors.length < 1; i++) await sleep(20);
out.connErrors = connErrors;
await rejected.dispose();

await client.dispose();
process.stdout.write(JSON.stringify(out) + "\n");
process.exit(0);
