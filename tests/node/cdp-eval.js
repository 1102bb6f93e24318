// cdp-eval.js PORT EXPRESSION...
// Evaluates each EXPRESSION (JavaScript) in the first page Chromium lists
// on its DevTools port 127.0.0.1:PORT and prints each result on its own
// line (strings as they are, anything else as JSON).  Exits 1 on any
// error.  The vendor tests read the test page's event log this way.
'use strict';
const http = require('http');
const WebSocket = require('ws');

function targets(port) {
	return new Promise((resolve, reject) => {
		http.get({ host: '127.0.0.1', port, path: '/json/list' }, (res) => {
			let s = '';
			res.on('data', (d) => { s += d; });
			res.on('end', () => {
				try { resolve(JSON.parse(s)); } catch (e) { reject(e); }
			});
		}).on('error', reject);
	});
}

async function main() {
	const [port, ...exprs] = process.argv.slice(2);
	const page = (await targets(port)).find((t) => t.type === 'page');
	if (!page)
		throw new Error('no page target');
	const ws = new WebSocket(page.webSocketDebuggerUrl,
	    { perMessageDeflate: false });
	await new Promise((resolve, reject) => {
		ws.on('open', resolve);
		ws.on('error', reject);
	});
	let id = 0;
	for (const expression of exprs) {
		const my = ++id;
		const r = await new Promise((resolve, reject) => {
			const timer = setTimeout(() =>
			    reject(new Error('no answer')), 20000);
			ws.on('message', function h(data) {
				const m = JSON.parse(data.toString());
				if (m.id !== my)
					return;
				clearTimeout(timer);
				ws.off('message', h);
				resolve(m);
			});
			ws.send(JSON.stringify({ id: my, method: 'Runtime.evaluate',
			    params: { expression, returnByValue: true,
			    awaitPromise: true } }));
		});
		if (r.error || r.result.exceptionDetails)
			throw new Error(JSON.stringify(r.error ||
			    r.result.exceptionDetails));
		const v = r.result.result.value;
		console.log(typeof v === 'string' ? v : JSON.stringify(v));
	}
	ws.close();
}

main().catch((e) => {
	console.error(String(e && e.message || e));
	process.exit(1);
});
