// The actorbind demo's `room` actor on real RivetKit 2.3.19.
//
// actorbind_demo/actors.py is the same actor on actorbind's embedded Python server: keep both in step.
// State {count, messages, nextId} (the last 200 chat messages {id, user, text, ts}); conn params
// {user}; each connection's state is {user}. Events: count(count, by), message({id, user, text, ts}) and
// presence(users).
//
// Plain ESM, no build step: actorbind/testing/rivetkit.py copies it, with server.mjs, next to a
// cached node_modules on every start.

import { actor, setup, UserError } from "rivetkit";

const MAX_MESSAGES = 200;
const MAX_TEXT = 500;
const MAX_USER = 32;

function userOf(params) {
	const user = params?.user;
	if (typeof user !== "string" || user.trim() === "") return null;
	return user.trim().slice(0, MAX_USER);
}

// Who is here: the users of the live connections (sorted, once each). HTTP calls and sockets
// without a `user` param are not "people"; `leaving` is skipped.
function users(c, leaving) {
	const seen = new Set();
	for (const conn of c.conns.values()) {
		if (leaving && conn.id === leaving.id) continue;
		const user = conn.state?.user;
		if (typeof user === "string" && user !== "") seen.add(user);
	}
	return [...seen].sort();
}

function by(c) {
	const user = c.conn?.state?.user;
	return typeof user === "string" && user !== "" ? user : "anonymous";
}

const room = actor({
	state: { count: 0, messages: [], nextId: 1 },
	createConnState: (_c, params) => ({ user: userOf(params) }),
	onConnect: (c) => {
		c.broadcast("presence", users(c));
	},
	onDisconnect: (c, conn) => {
		c.broadcast("presence", users(c, conn));
	},
	actions: {
		increment: (c, n = 1) => {
			if (!Number.isInteger(n) || Math.abs(n) > 1_000_000) {
				throw new UserError("increment takes a whole number", { code: "bad_amount" });
			}
			c.state.count += n;
			c.broadcast("count", c.state.count, by(c));
			return c.state.count;
		},
		say: (c, text) => {
			if (typeof text !== "string" || text.trim() === "") {
				throw new UserError("Type something first: a message cannot be empty", {
					code: "empty_message",
				});
			}
			if (text.length > MAX_TEXT) {
				throw new UserError(`A message has at most ${MAX_TEXT} characters`, {
					code: "message_too_long",
				});
			}
			const id = c.state.nextId ?? 1; // rooms saved before ids start at 1
			c.state.nextId = id + 1;
			const message = { id, user: by(c), text: text.trim(), ts: Date.now() };
			// Mutate in place: assigning a fresh array makes RivetKit's state proxy re-walk it,
			// and each `say` got slower as the history grew (25 ms -> 770 ms at 200 messages).
			c.state.messages.push(message);
			if (c.state.messages.length > MAX_MESSAGES) {
				c.state.messages.splice(0, c.state.messages.length - MAX_MESSAGES);
			}
			c.broadcast("message", message);
			return message;
		},
		history: (c) => c.state.messages,
		presence: (c) => users(c),
		getCount: (c) => c.state.count,
	},
});

export const registry = setup({ use: { room } });
