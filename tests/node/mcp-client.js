// mcp-client.js: the official MCP TypeScript SDK as a client of deskd.
//   node mcp-client.js http URL TOKEN_FILE|- STEPS
//   node mcp-client.js stdio TOKEN_FILE|- STEPS -- COMMAND [ARG ...]
// STEPS (or @FILE) is a JSON list run in order on one connection:
//   {"list": true}                   tools/list
//   {"ping": true}                   ping
//   {"call": NAME, "args": {...}}    tools/call
//   {"touch": PATH}                  create PATH (tell the test)
//   {"wait_file": PATH}              wait until PATH exists (told back)
// Prints one JSON object: the negotiated protocol, the session id (HTTP),
// and each step's answer ({"error": msg, "code": n} for a JSON-RPC error).
// A failure to connect prints {"connect_error": msg, "code": n}.
'use strict';
const fs = require('fs');
const { Client } = require('@modelcontextprotocol/sdk/client/index.js');
const { StreamableHTTPClientTransport } =
    require('@modelcontextprotocol/sdk/client/streamableHttp.js');
const { StdioClientTransport } =
    require('@modelcontextprotocol/sdk/client/stdio.js');

// STEPS as given, or read from @FILE.
function steps(arg) {
	return JSON.parse(arg[0] === '@' ? fs.readFileSync(arg.slice(1),
	    'utf8') : arg);
}

function token(file) {
	return file === '-' ? null : fs.readFileSync(file, 'utf8').trim();
}

async function main() {
	const argv = process.argv.slice(2);
	const mode = argv[0];
	let transport, list;
	if (mode === 'http') {
		const t = token(argv[2]);
		list = steps(argv[3]);
		transport = new StreamableHTTPClientTransport(
		    new URL(argv[1] + '/mcp'), { requestInit: { headers:
		    t ? { Authorization: 'Bearer ' + t } : {} } });
	} else if (mode === 'stdio') {
		list = steps(argv[2]);
		const cmd = argv.slice(argv.indexOf('--') + 1);
		// The whole environment: the SDK passes only HOME, PATH and a
		// few by default, and the tests keep deskctl's state elsewhere.
		transport = new StdioClientTransport({ command: cmd[0],
		    args: cmd.slice(1), env: process.env, stderr: 'inherit' });
	} else
		throw new Error('mode must be http or stdio');
	const client = new Client({ name: 'deskd-test', version: '1.0.0' });
	const out = { results: [] };
	// What initialize negotiated (the client hands it to the transport).
	const set = transport.setProtocolVersion;
	transport.setProtocolVersion = (v) => {
		out.protocol = v;
		if (set)
			set.call(transport, v);
	};
	try {
		await client.connect(transport, { timeout: 30000 });
	} catch (e) {
		console.log(JSON.stringify({ connect_error: String(e.message),
		    code: e.code === undefined ? null : e.code }));
		await transport.close().catch(() => {});
		return;
	}
	out.server = client.getServerVersion();
	out.session = transport.sessionId || null;
	for (const s of list) {
		try {
			if (s.list)
				out.results.push(await client.listTools());
			else if (s.ping)
				out.results.push(await client.ping());
			else if (s.touch) {
				fs.writeFileSync(s.touch, '');
				out.results.push({});
			} else if (s.wait_file) {
				for (let i = 0; i < 600 &&
				    !fs.existsSync(s.wait_file); i++)
					await new Promise((r) =>
					    setTimeout(r, 100));
				out.results.push({});
			}
			else
				out.results.push(await client.callTool({
				    name: s.call, arguments: s.args },
				    undefined, { timeout: 120000 }));
		} catch (e) {
			out.results.push({ error: String(e.message),
			    code: e.code === undefined ? null : e.code });
		}
	}
	await client.close();
	console.log(JSON.stringify(out));
}

main().catch((e) => {
	console.error(String(e && e.stack || e));
	process.exit(1);
});
