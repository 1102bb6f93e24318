// cdp-bench.js HTTP_BASE PAGE_URL
// CDP round trips against HTTP_BASE (Chrome's own port or deskd's proxy):
// /json/version fetches, Runtime.evaluate on one page websocket,
// Page.captureScreenshot of a noise page (multi-MB frames), and fifty
// concurrent browser sessions.  Prints one JSON line of milliseconds.
'use strict';
const http = require('http');
const WebSocket = require('ws');

function get(url, method = 'GET') {
	return new Promise((resolve, reject) => {
		const req = http.request(url, { method, agent: false }, (res) => {
			let body = '';
			res.on('data', (d) => { body += d; });
			res.on('end', () => {
				try { resolve(JSON.parse(body)); } catch (e) { resolve(body); }
			});
		});
		req.on('error', reject);
		req.end();
	});
}

function open(url) {
	return new Promise((resolve, reject) => {
		const ws = new WebSocket(url, { perMessageDeflate: false,
		    maxPayload: 256 * 1024 * 1024 });
		ws.pending = new Map();
		ws.nextId = 0;
		ws.on('message', (data) => {
			const m = JSON.parse(data.toString());
			const p = ws.pending.get(m.id);
			if (p) {
				ws.pending.delete(m.id);
				m.error ? p.reject(new Error(m.error.message)) : p.resolve(m.result);
			}
		});
		ws.on('open', () => resolve(ws));
		ws.on('error', reject);
	});
}

function send(ws, method, params = {}) {
	return new Promise((resolve, reject) => {
		const id = ++ws.nextId;
		ws.pending.set(id, { resolve, reject });
		ws.send(JSON.stringify({ id, method, params }));
	});
}

const now = () => Number(process.hrtime.bigint()) / 1e6;

async function main() {
	const [base, pageUrl] = process.argv.slice(2);
	const out = {};
	let t;

	const N_HTTP = 200;
	t = now();
	for (let i = 0; i < N_HTTP; i++)
		await get(base + '/json/version');
	out.json_version_ms = (now() - t) / N_HTTP;

	const target = await get(base + '/json/new?' + pageUrl, 'PUT');
	const page = await open(target.webSocketDebuggerUrl);
	await send(page, 'Page.enable');
	await new Promise((r) => setTimeout(r, 1000));	// let it load and draw

	const N_EVAL = 2000;
	t = now();
	for (let i = 0; i < N_EVAL; i++)
		await send(page, 'Runtime.evaluate', { expression: String(i) + '+1',
		    returnByValue: true });
	out.evaluate_ms = (now() - t) / N_EVAL;

	const N_SHOT = 10;
	let bytes = 0;
	t = now();
	for (let i = 0; i < N_SHOT; i++) {
		const r = await send(page, 'Page.captureScreenshot', { format: 'png' });
		bytes += r.data.length;
	}
	out.screenshot_ms = (now() - t) / N_SHOT;
	out.screenshot_frame_bytes = Math.round(bytes / N_SHOT);
	page.close();
	await get(base + '/json/close/' + target.id);

	const version = await get(base + '/json/version');
	const N_SESS = 50, N_ROUNDS = 100;
	t = now();
	await Promise.all(Array.from({ length: N_SESS }, async () => {
		const ws = await open(version.webSocketDebuggerUrl);
		for (let i = 0; i < N_ROUNDS; i++)
			await send(ws, 'Browser.getVersion');
		ws.close();
	}));
	out.sessions50_ms_per_call = (now() - t) / (N_SESS * N_ROUNDS);
	console.log(JSON.stringify(out));
}

main().then(() => process.exit(0)).catch((e) => {
	console.error(String(e && e.stack || e));
	process.exit(1);
});
