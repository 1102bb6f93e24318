// cdp-playwright.js CDP_URL PAGE_URL SCREENSHOT_PATH
// Connects the way OSWorld's host does (chromium.connectOverCDP), opens a
// page, navigates to PAGE_URL, evaluates a script and takes a screenshot.
// Prints one JSON line with what it saw; exits non-zero on any failure.
'use strict';
const { chromium } = require('playwright-core');

async function main() {
	const [cdpUrl, pageUrl, shot] = process.argv.slice(2);
	const browser = await chromium.connectOverCDP(cdpUrl, { timeout: 30000 });
	const context = browser.contexts()[0] || await browser.newContext();
	const page = await context.newPage();
	await page.goto(pageUrl, { timeout: 30000 });
	const title = await page.title();
	const sum = await page.evaluate(() =>
	    [1, 2, 3, 4].reduce((a, b) => a + b, 0) + ':' +
	    document.getElementById('marker').textContent);
	const png = await page.screenshot({ path: shot });
	const version = browser.version();
	await page.close();
	await browser.close();
	console.log(JSON.stringify({ title, sum, version,
	    screenshot_bytes: png.length }));
}

main().catch((e) => {
	console.error(String(e && e.stack || e));
	process.exit(1);
});
