// Test actors for the actorbind interop suite, on real RivetKit 2.3.19.
//
// This file is the JavaScript half of the contract in tests/ACTORS.md; the Python half is
// tests/support/actors.py. Keep both in step: a difference is a bug.
//
// It is plain ESM (no build step). actorbind/testing/rivetkit.py copies it, with the generic
// server.mjs, next to a cached node_modules on every start, so editing it needs no reinstall.

import { actor, event, queue, setup, UserError } from "rivetkit";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// counter
// ---------------------------------------------------------------------------------------------
const counter = actor({
	state: { count: 0 },
	actions: {
		increment: (c, x) => {
			c.state.count += x;
			c.broadcast("newCount", c.state.count);
			return c.state.count;
		},
		getCount: (c) => c.state.count,
		setCount: (c, x) => {
			c.state.count = x;
			c.broadcast("newCount", c.state.count);
			return c.state.count;
		},
		echo: (_c, ...args) => args,
		getKey: (c) => [...c.key],
		multiEvent: (c) => {
			c.broadcast("multi", 1, "two", { three: 3 });
			return true;
		},
		direct: (c, x) => {
			c.conn.send("direct", x);
			return x;
		},
		flood: (c, n) => {
			for (let i = 0; i < n; i++) {
				c.broadcast("tick", i);
			}
			return n;
		},
		sleepMs: async (_c, ms) => {
			await sleep(ms);
			return ms;
		},
		bigString: (_c, n) => "x".repeat(n),
		bytes: (_c, n) => {
			const out = new Uint8Array(n);
			for (let i = 0; i < n; i++) out[i] = i % 256;
			return out;
		},
		argLength: (_c, s) => s.length,
		liveConns: (c) => c.conns.size,
	},
});

// ---------------------------------------------------------------------------------------------
// withInput
// ---------------------------------------------------------------------------------------------
const withInput = actor({
	createState: (_c, input) => ({
		input: input ?? null,
		count: input?.startCount ?? 0,
	}),
	actions: {
		getInput: (c) => c.state.input,
		getCount: (c) => c.state.count,
	},
});

// ---------------------------------------------------------------------------------------------
// guarded
// ---------------------------------------------------------------------------------------------
const guarded = actor({
	state: {},
	onBeforeConnect: (_c, params) => {
		if (params?.authToken !== "good-token") {
			throw new UserError("invalid auth token", {
				code: "unauthorized",
				metadata: { got: params?.authToken ?? null },
			});
		}
	},
	createConnState: (_c, params) => ({ user: "u1", authToken: params.authToken }),
	actions: {
		whoami: (c) => c.conn.state,
		ping: () => "pong",
	},
});

// ---------------------------------------------------------------------------------------------
// errors
// ---------------------------------------------------------------------------------------------
const errors = actor({
	state: {},
	actions: {
		failUser: (_c, reason) => {
			throw new UserError(`user error: ${reason}`, {
				code: "custom_code",
				metadata: { n: 42, reason },
			});
		},
		failPlain: () => {
			throw new UserError("plain failure");
		},
		failInternal: () => {
			throw new Error("secret internal detail");
		},
	},
});

// ---------------------------------------------------------------------------------------------
// slow
// ---------------------------------------------------------------------------------------------
const slow = actor({
	state: {},
	options: { actionTimeout: 500 },
	actions: {
		sleepMs: async (_c, ms) => {
			await sleep(ms);
			return ms;
		},
	},
});

// ---------------------------------------------------------------------------------------------
// queued
//
// RivetKit 2.3 has no per-queue handler function: a queue is declared in `queues` and consumed
// by the actor's `run` loop (c.queue.iter / next). A sender that used `wait: true` gets the
// value passed to `message.complete(value)`; see "Queue semantics" in tests/ACTORS.md.
// ---------------------------------------------------------------------------------------------
const queued = actor({
	state: { received: [] },
	queues: { jobs: {} },
	run: async (c) => {
		for await (const message of c.queue.iter({ names: ["jobs"], completable: true })) {
			const index = c.state.received.length;
			c.state.received = [...c.state.received, message.body];
			// Completing a message whose sender did not wait is harmless (see ACTORS.md).
			await message.complete({ ok: true, index, body: message.body });
		}
	},
	actions: {
		received: (c) => c.state.received,
	},
});

// ---------------------------------------------------------------------------------------------
// raw
// ---------------------------------------------------------------------------------------------
const raw = actor({
	state: {},
	onRequest: async (_c, request) => {
		const url = new URL(request.url);
		const query = {};
		for (const [k, v] of url.searchParams) query[k] = v;
		const body = await request.text();
		return new Response(
			JSON.stringify({ method: request.method, path: url.pathname, query, body }),
			{ status: 200, headers: { "content-type": "application/json" } },
		);
	},
	onWebSocket: (_c, websocket) => {
		websocket.binaryType = "arraybuffer";
		websocket.addEventListener("message", async (event) => {
			const data = event.data;
			if (typeof data === "string") {
				websocket.send(data);
			} else if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
				websocket.send(data);
			} else if (data && typeof data.arrayBuffer === "function") {
				websocket.send(await data.arrayBuffer());
			}
		});
	},
	actions: {},
});


// ---------------------------------------------------------------------------------------------
// interleaved: RivetKit dispatches actions concurrently (the Python side sets interleave).
// ---------------------------------------------------------------------------------------------
const interleaved = actor({
	state: {},
	createVars: () => ({ released: [] }),
	actions: {
		waitFor: async (c, name) => {
			const deadline = Date.now() + 10_000;
			while (!c.vars.released.includes(name)) {
				if (Date.now() > deadline) throw new UserError("never released", { code: "timeout" });
				await sleep(5);
			}
			return name;
		},
		release: (c, name) => {
			c.vars.released.push(name);
			return true;
		},
	},
});

// ---------------------------------------------------------------------------------------------
// stateless: no state, no createState.
// ---------------------------------------------------------------------------------------------
const stateless = actor({
	actions: {
		ping: () => "pong",
		echo: (_c, x) => x,
		getActorId: (c) => c.actorId,
		tryGetState: (c) => {
			try {
				void c.state;
				return { success: true };
			} catch (e) {
				return { success: false, code: `${e.group}.${e.code}`, error: String(e.message) };
			}
		},
	},
});

// ---------------------------------------------------------------------------------------------
// hooks: onStateChange, vars, c.request in connection hooks, canSubscribe / canPublish.
// ---------------------------------------------------------------------------------------------
const requestInfo = (hook, request) => ({
	hook,
	method: request ? request.method : null,
	path: request ? new URL(request.url).pathname : null,
	header: request ? request.headers.get("x-hooks-test") : null,
});
const isAdmin = (c) => c.conn.params?.role === "admin";
const hooks = actor({
	state: { count: 0 },
	createVars: () => ({ changes: [], requests: [], inbox: [] }),
	events: {
		secret: event({ canSubscribe: isAdmin }),
		open: event(),
	},
	queues: {
		inbox: queue({ canPublish: isAdmin }),
	},
	onStateChange: (c, newState) => {
		c.vars.changes.push(newState.count);
	},
	onBeforeConnect: (c) => {
		c.vars.requests.push(requestInfo("onBeforeConnect", c.request));
	},
	createConnState: (c) => {
		c.vars.requests.push(requestInfo("createConnState", c.request));
		return {};
	},
	actions: {
		setCount: (c, x) => {
			c.state.count = x;
			c.broadcast("secret", x);
			c.broadcast("open", x);
			return x;
		},
		getChanges: (c) => c.vars.changes,
		getRequests: (c) => c.vars.requests,
		clearRequests: (c) => {
			c.vars.requests = [];
			return true;
		},
	},
});

// ---------------------------------------------------------------------------------------------
// journal: a keyed list (the live-list interop tests)
// ---------------------------------------------------------------------------------------------
const journal = actor({
	state: { items: [], next: 1 },
	actions: {
		add: (c, text) => {
			const item = { id: c.state.next, text };
			c.state.next += 1;
			c.state.items = [...c.state.items, item];
			c.broadcast("added", item);
			return item;
		},
		edit: (c, id, text) => {
			if (!c.state.items.some((x) => x.id === id)) return null;
			const item = { id, text };
			c.state.items = c.state.items.map((x) => (x.id === id ? item : x));
			c.broadcast("edited", item);
			return item;
		},
		drop: (c, id) => {
			const before = c.state.items.length;
			c.state.items = c.state.items.filter((x) => x.id !== id);
			if (c.state.items.length === before) return false;
			c.broadcast("dropped", id);
			return true;
		},
		history: (c) => c.state.items,
	},
});

// ---------------------------------------------------------------------------------------------
// observer / destroyable: c.destroy(), onDestroy, and c.client() to another actor.
// ---------------------------------------------------------------------------------------------
const observer = actor({
	state: { events: [] },
	actions: {
		record: (c, e) => {
			c.state.events = [...c.state.events, e];
			return c.state.events.length;
		},
		events: (c) => c.state.events,
	},
});
const destroyable = actor({
	state: { value: 0 },
	onDestroy: async (c) => {
		await c.client().observer.getOrCreate(c.key).record("destroyed");
	},
	actions: {
		setValue: (c, x) => {
			c.state.value = x;
			return x;
		},
		getValue: (c) => c.state.value,
		destroySelf: (c) => {
			c.destroy();
			return true;
		},
		tellObserver: async (c, e) => await c.client().observer.getOrCreate(c.key).record(e),
	},
});

// ---------------------------------------------------------------------------------------------
// puller: pull queues from actions (next, nextBatch, completable messages), queue limits.
// ---------------------------------------------------------------------------------------------
const view = (m) => (m ? { name: m.name, body: m.body } : null);
const puller = actor({
	state: {},
	queues: { tasks: {}, other: {} },
	options: { maxQueueSize: 3 },
	actions: {
		next: async (c, timeout) => view(await c.queue.next({ names: ["tasks"], timeout })),
		nextAny: async (c, timeout) => view(await c.queue.next({ timeout })),
		nextBatch: async (c, count, timeout) =>
			(await c.queue.nextBatch({ names: ["tasks"], count, timeout })).map(view),
		completeNext: async (c, reply, timeout) => {
			const m = await c.queue.next({ names: ["tasks"], completable: true, timeout });
			if (!m) return null;
			await m.complete(reply);
			return m.body;
		},
	},
});

// ---------------------------------------------------------------------------------------------
// sleepy: sleepTimeout, onSleep / onWake, c.sleep(), keepAwake, schedules.
// ---------------------------------------------------------------------------------------------
const sleepy = actor({
	state: { startCount: 0, sleepCount: 0, alarms: [] },
	options: { sleepTimeout: 500 },
	onWake: (c) => {
		c.state.startCount += 1;
	},
	onSleep: (c) => {
		c.state.sleepCount += 1;
	},
	actions: {
		getCounts: (c) => ({ startCount: c.state.startCount, sleepCount: c.state.sleepCount }),
		triggerSleep: (c) => {
			c.sleep();
			return true;
		},
		keepAwakeFor: (c, ms) => {
			c.keepAwake(sleep(ms));
			return true;
		},
		scheduleAfter: async (c, ms, x) => {
			await c.schedule.after(ms, "alarm", x);
			return true;
		},
		scheduleAt: async (c, ts, x) => {
			await c.schedule.at(ts, "alarm", x);
			return true;
		},
		alarm: (c, x) => {
			c.state.alarms = [...c.state.alarms, x];
			return x;
		},
		getAlarms: (c) => c.state.alarms,
	},
});

export const registry = setup({
	use: {
		counter,
		withInput,
		guarded,
		errors,
		slow,
		queued,
		raw,
		interleaved,
		stateless,
		hooks,
		journal,
		observer,
		destroyable,
		puller,
		sleepy,
	},
});

