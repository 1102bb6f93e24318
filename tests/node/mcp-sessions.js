// mcp-sessions.js URL TOKEN_FILE: sessions of deskd's /mcp through the
// official MCP TypeScript SDK.  Two clients at once, each in its own
// session and each getting its own answers; one ends its session (DELETE)
// and a request naming it again is refused with 404; a cancelled call
// (notifications/cancelled) stops its process.  Prints one JSON object.
'use strict';
const fs = require('fs');
const { Client } = require('@modelcontextprotocol/sdk/client/index.js');
const { StreamableHTTPClientTransport } =
    require('@modelcontextprotocol/sdk/client/streamableHttp.js');

const [url, tokenFile] = process.argv.slice(2);
const token = fs.readFileSync(tokenFile, 'utf8').trim();
const auth = { Authorization: 'Bearer ' + token };

async function open(name) {
	const transport = new StreamableHTTPClientTransport(
	    new URL(url + '/mcp'), { requestInit: { headers: auth } });
	const client = new Client({ name, version: '1.0.0' });
	await client.connect(transport, { timeout: 30000 });
	return { client, transport };
}

function stdout(r) {
	return r.structuredContent ? r.structuredContent.stdout : null;
}

async function exec(c, command, opts) {
	return c.client.callTool({ name: 'exec', arguments: { command } },
	    undefined, Object.assign({ timeout: 60000 }, opts || {}));
}

async function main() {
	const out = {};
	const [a, b] = await Promise.all([open('client-a'), open('client-b')]);
	out.session_a = a.transport.sessionId;
	out.session_b = b.transport.sessionId;
	// At once: the slow one first, each answer to its own client.
	const [ra, rb] = await Promise.all([
	    exec(a, 'sleep 0.5; echo from-a'), exec(b, 'echo from-b')]);
	out.stdout_a = stdout(ra);
	out.stdout_b = stdout(rb);

	// Cancel a long call: the SDK sends notifications/cancelled.
	const ac = new AbortController();
	const long = exec(b, 'exec sleep 31.4159', { signal: ac.signal });
	await new Promise((r) => setTimeout(r, 500));
	out.running_before = stdout(await exec(a,
	    'pgrep -fc "sleep 31[.]4159" || true')).trim();
	ac.abort();
	try {
		await long;
		out.cancelled = 'answered';
	} catch (e) {
		out.cancelled = e.name || String(e);
	}
	// Give the group its SIGTERM.
	await new Promise((r) => setTimeout(r, 500));
	out.running_after = stdout(await exec(a,
	    'pgrep -fc "sleep 31[.]4159" || true')).trim();

	// A ends its session; the id is refused from then on.
	const old = a.transport.sessionId;
	await a.transport.terminateSession();
	const r = await fetch(url + '/mcp', { method: 'POST', headers:
	    Object.assign({ 'Content-Type': 'application/json',
	    Accept: 'application/json, text/event-stream',
	    'Mcp-Session-Id': old, 'MCP-Protocol-Version': '2025-11-25' },
	    auth), body: JSON.stringify({ jsonrpc: '2.0', id: 9,
	    method: 'ping' }) });
	out.deleted_status = r.status;
	out.deleted_body = await r.json();
	// B is untouched.
	out.b_after = stdout(await exec(b, 'echo still-b'));
	await a.client.close();
	await b.client.close();
	console.log(JSON.stringify(out));
}

main().catch((e) => {
	console.error(String(e && e.stack || e));
	process.exit(1);
});
