// cdp-ws.js WS_URL [SESSIONS] [ROUNDS]
// Raw websocket clients (npm ws): SESSIONS connections at once, each sends
// ROUNDS Browser.getVersion calls in turn.  Prints one JSON line:
// {"sessions":N,"answers":M,"product":"..."}; exits 1 unless every call
// got its answer.
'use strict';
const WebSocket = require('ws');

function session(url, rounds) {
	return new Promise((resolve, reject) => {
		const ws = new WebSocket(url, { perMessageDeflate: false });
		let id = 0, answers = 0, product = null;
		const timer = setTimeout(() => {
			ws.terminate();
			reject(new Error('timed out after ' + answers + ' answers'));
		}, 60000);
		ws.on('open', () => {
			ws.send(JSON.stringify({ id: ++id, method: 'Browser.getVersion' }));
		});
		ws.on('message', (data) => {
			const m = JSON.parse(data.toString());
			if (m.id !== id || !m.result)
				return;
			answers++;
			product = m.result.product;
			if (id < rounds) {
				ws.send(JSON.stringify({ id: ++id, method: 'Browser.getVersion' }));
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
	});
}

async function main() {
	const url = process.argv[2];
	const n = parseInt(process.argv[3] || '1', 10);
	const rounds = parseInt(process.argv[4] || '1', 10);
	const res = await Promise.all(Array.from({ length: n }, () => session(url, rounds)));
	const answers = res.reduce((a, r) => a + r.answers, 0);
	console.log(JSON.stringify({ sessions: res.length, answers,
	    product: res[0].product }));
	if (answers !== n * rounds)
		process.exit(1);
}

main().catch((e) => {
	console.error(String(e && e.stack || e));
	process.exit(1);
});
