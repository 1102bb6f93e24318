// cdp-ws.js WS_URL [SESSIONS] [ROUNDS] [METHOD]
// Raw websocket clients (npm ws): SESSIONS connections at once, each sends
// ROUNDS calls of METHOD (Browser.getVersion, or Runtime.evaluate of 1+1)
// one after the other.  Environment: CDP_ORIGIN sends an Origin header,
// CDP_TOKEN a bearer token.  Prints one JSON line
// {"sessions":N,"answers":M,"product":"...","ms_per_call":X}; exits 1
// unless every call got its answer.
'use strict';
const WebSocket = require('ws');

function call(ws, id, method) {
	const params = method === 'Runtime.evaluate' ?
	    { expression: '1+1', returnByValue: true } : {};
	ws.send(JSON.stringify({ id, method, params }));
}

function session(url, rounds, method) {
	return new Promise((resolve, reject) => {
		const opts = { perMessageDeflate: false };
		if (process.env.CDP_ORIGIN)
			opts.origin = process.env.CDP_ORIGIN;
		if (process.env.CDP_TOKEN)
			opts.headers = { Authorization: 'Bearer ' + process.env.CDP_TOKEN };
		const ws = new WebSocket(url, opts);
		let id = 0, answers = 0, product = null;
		const timer = setTimeout(() => {
			ws.terminate();
			reject(new Error('timed out after ' + answers + ' answers'));
		}, 60000);
		ws.on('open', () => call(ws, ++id, method));
		ws.on('message', (data) => {
			const m = JSON.parse(data.toString());
			if (m.id !== id || !m.result)
				return;
			answers++;
			if (m.result.product)
				product = m.result.product;
			if (id < rounds) {
				call(ws, ++id, method);
				return;
			}
			clearTimeout(timer);
			ws.close();
			resolve({ answers, product });
		});
		ws.on('unexpected-response', (req, res) => {
			clearTimeout(timer);
			reject(new Error('HTTP ' + res.statusCode));
		});
		ws.on('error', (e) => { clearTimeout(timer); reject(e); });
		// Closed before the last answer (Chrome went away).
		ws.on('close', () => {
			clearTimeout(timer);
			reject(new Error('closed after ' + answers + ' answers'));
		});
	});
}

async function main() {
	const url = process.argv[2];
	const n = parseInt(process.argv[3] || '1', 10);
	const rounds = parseInt(process.argv[4] || '1', 10);
	const method = process.argv[5] || 'Browser.getVersion';
	const t0 = process.hrtime.bigint();
	const res = await Promise.all(Array.from({ length: n },
	    () => session(url, rounds, method)));
	const ms = Number(process.hrtime.bigint() - t0) / 1e6;
	const answers = res.reduce((a, r) => a + r.answers, 0);
	console.log(JSON.stringify({ sessions: res.length, answers,
	    product: res[0].product, ms_per_call: ms / (n * rounds) }));
	if (answers !== n * rounds)
		process.exit(1);
}

main().catch((e) => {
	console.error(String(e && e.message || e));
	process.exit(1);
});
