#!/bin/sh
# tests/node/setup.sh: install the npm packages the CDP and MCP tests use
# (playwright-core, ws, @modelcontextprotocol/sdk) into
# tests/node/node_modules (git-ignored), exactly as pinned in
# package-lock.json.  No browser is ever downloaded:
# playwright-core ships none and the tests drive Debian's chromium.
set -eu
cd "$(dirname "$0")"
command -v npm >/dev/null 2>&1 || { echo "npm is not installed"; exit 1; }
if [ -f node_modules/.package-lock.json ] &&
    [ node_modules/.package-lock.json -nt package-lock.json ] &&
    [ -d node_modules/playwright-core ] && [ -d node_modules/ws ] &&
    [ -d node_modules/@modelcontextprotocol/sdk ]; then
	exit 0
fi
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
npm ci --no-audit --no-fund --loglevel=error
