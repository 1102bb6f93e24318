// view-driver.js CDP_URL: drives deskd's live view page in a real Chromium
// (Playwright's connectOverCDP, as the CDP tests do).  Reads one command a
// line on stdin and answers one JSON line on stdout, so a shell test can
// keep the page open across steps:
//   open URL                 load the page in a new tab (1280x800 viewport)
//   frames N [MS]            wait until N frames were drawn
//   pixel X Y                the canvas pixel at screen X,Y: {"rgb":"rrggbb"}
//   wait_pixel X Y RGB [MS] [TOL]  until that pixel is RGB (+-TOL per channel)
//   control on|off           click the "Take control" toggle
//   click X Y [BUTTON]       a mouse click on the canvas at screen X,Y
//   wheel X Y DY             the mouse wheel over screen X,Y (DY pixels)
//   type TEXT                keyboard.type (the rest of the line)
//   press KEY                keyboard.press ("Control+a", "Enter")
//   state                    window.deskdView
//   send JSON                a raw message on the page's own websocket
//   wait_closed [MS]         until the page's websocket is closed
//   eval JS                  page.evaluate of an expression
//   watch X Y RGB            start polling that pixel in the page (every
//                            animation frame) for the colour RGB
//   watch_result [MS]        wall-clock ms when it was first seen
//   bytes                    websocket payload bytes the tab received
//   canvas_png PATH          write the canvas (the screen as drawn) as PNG
//   close                    close the tab
// The canvas is the page's #screen, else the first canvas (noVNC's).
// Errors answer {"error":"..."}; EOF ends the script.
'use strict';
const readline = require('readline');
const { chromium } = require('playwright-core');

let browser, page, wsBytes = 0;

// (No eval in the page: its Content-Security-Policy forbids it.)
const CANVAS = 'canvas#screen, #screen canvas, canvas';

function out(o) {
	process.stdout.write(JSON.stringify(o) + '\n');
}

async function poll(fn, ms) {
	const end = Date.now() + (ms || 15000);
	for (;;) {
		const v = await fn();
		if (v)
			return v;
		if (Date.now() > end)
			return null;
		await new Promise((r) => setTimeout(r, 20));
	}
}

// Client coordinates of a screen pixel's centre on the scaled canvas.
async function client(x, y) {
	return page.evaluate(([x, y]) => {
		const c = document.getElementById('screen');
		const r = c.getBoundingClientRect();
		const s = window.deskdView;
		return { x: r.left + (x + 0.5) * r.width / s.width,
		    y: r.top + (y + 0.5) * r.height / s.height };
	}, [x, y]);
}

function pixel(x, y) {
	return page.evaluate(([x, y, sel]) => {
		const c = document.querySelector(sel);
		if (!c)
			return '------';
		const d = c.getContext('2d').getImageData(x, y, 1, 1).data;
		return [d[0], d[1], d[2]].map((v) =>
		    v.toString(16).padStart(2, '0')).join('');
	}, [x, y, CANVAS]);
}

function near(a, b, tol) {
	for (let i = 0; i < 3; i++) {
		const d = parseInt(a.substr(i * 2, 2), 16) -
		    parseInt(b.substr(i * 2, 2), 16);
		if (Math.abs(d) > tol)
			return false;
	}
	return true;
}

async function run(line) {
	const sp = line.indexOf(' ');
	const cmd = sp < 0 ? line : line.slice(0, sp);
	const rest = sp < 0 ? '' : line.slice(sp + 1);
	const a = rest.split(' ');
	switch (cmd) {
	case 'open': {
		const ctx = browser.contexts()[0] || await browser.newContext();
		page = await ctx.newPage();
		page.on('websocket', (ws) => ws.on('framereceived', (f) => {
			wsBytes += typeof f.payload === 'string' ?
			    Buffer.byteLength(f.payload) : f.payload.length;
		}));
		await page.setViewportSize({ width: 1280, height: 800 });
		const resp = await page.goto(rest, { timeout: 30000 });
		return { status: resp.status() };
	}
	case 'frames': {
		const n = +a[0];
		const ok = await poll(() => page.evaluate((n) =>
		    window.deskdView && window.deskdView.frames >= n, n), +a[1]);
		return { ok: !!ok, state: await page.evaluate(
		    () => window.deskdView) };
	}
	case 'pixel':
		return { rgb: await pixel(+a[0], +a[1]) };
	case 'wait_pixel': {
		const t0 = Date.now();
		let last = null;
		const ok = await poll(async () => {
			last = await pixel(+a[0], +a[1]);
			return near(last, a[2], +(a[4] || 0));
		}, +a[3]);
		return { ok: !!ok, rgb: last, ms: Date.now() - t0 };
	}
	case 'control': {
		const want = a[0] === 'on';
		const box = page.locator('#control');
		if ((await box.isChecked()) !== want)
			await box.click();
		return { controlling: await page.evaluate(
		    () => window.deskdView.controlling) };
	}
	case 'click': {
		const p = await client(+a[0], +a[1]);
		await page.mouse.click(p.x, p.y,
		    { button: a[2] || 'left' });
		return { ok: true };
	}
	case 'wheel': {
		const p = await client(+a[0], +a[1]);
		await page.mouse.move(p.x, p.y);
		await page.mouse.wheel(0, +a[2]);
		return { ok: true };
	}
	case 'type':
		await page.keyboard.type(rest);
		return { ok: true };
	case 'press':
		await page.keyboard.press(rest);
		return { ok: true };
	case 'state':
		return await page.evaluate(() => window.deskdView);
	case 'send':
		// The page keeps its socket private: open a second one the
		// same way and send on it (what a hand-made client could do).
		return await page.evaluate((msg) => new Promise((resolve) => {
			const q = new URLSearchParams(location.search);
			const ws = new WebSocket('ws://' + location.host +
			    '/v1/stream?' + q.toString());
			ws.onopen = () => ws.send(msg);
			ws.onclose = (e) => resolve({ code: e.code,
			    reason: e.reason });
			setTimeout(() => resolve({ code: 0 }), 10000);
		}), rest);
	case 'wait_closed': {
		const ok = await poll(() => page.evaluate(
		    () => !window.deskdView.connected &&
		    window.deskdView.closeCode !== 0), +a[0]);
		return { ok: !!ok, state: await page.evaluate(
		    () => window.deskdView) };
	}
	case 'watch':
		await page.evaluate(([x, y, rgb, sel]) => {
			const want = [0, 2, 4].map((i) =>
			    parseInt(rgb.substr(i, 2), 16));
			window.__seen = 0;
			const look = () => {
				const c = document.querySelector(sel);
				if (c) {
					const d = c.getContext('2d').getImageData(x, y,
					    1, 1).data;
					if (Math.abs(d[0] - want[0]) < 16 &&
					    Math.abs(d[1] - want[1]) < 16 &&
					    Math.abs(d[2] - want[2]) < 16) {
						window.__seen = performance.timeOrigin +
						    performance.now();
						return;
					}
				}
				requestAnimationFrame(look);
			};
			requestAnimationFrame(look);
		}, [+a[0], +a[1], a[2], CANVAS]);
		return { ok: true };
	case 'watch_result': {
		const v = await poll(() => page.evaluate(() => window.__seen),
		    +a[0] || 5000);
		return { seen: v || 0 };
	}
	case 'canvas_png': {
		const url = await page.evaluate((sel) =>
		    document.querySelector(sel).toDataURL('image/png'), CANVAS);
		require('fs').writeFileSync(rest, Buffer.from(
		    url.slice(url.indexOf(',') + 1), 'base64'));
		return { ok: true };
	}
	case 'bytes':
		return { bytes: wsBytes };
	case 'eval':
		return { value: await page.evaluate(rest) };
	case 'close':
		await page.close();
		return { ok: true };
	}
	return { error: 'unknown command ' + cmd };
}

async function main() {
	browser = await chromium.connectOverCDP(process.argv[2],
	    { timeout: 30000 });
	const rl = readline.createInterface({ input: process.stdin });
	for await (const line of rl) {
		if (line.trim() === '')
			continue;
		try {
			out(await run(line.trim()));
		} catch (e) {
			out({ error: String(e && e.message || e) });
		}
	}
	await browser.close();
}

main().catch((e) => {
	console.error(String(e && e.stack || e));
	process.exit(1);
});
