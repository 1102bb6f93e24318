#!/usr/bin/env bash
# deskctl's command line and its handling of broken surroundings: bad
# options are usage errors (exit 2) with a reason, a corrupt state file and
# endpoints that are not EC2 give clear errors, never a crash.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/tools/deskctl-moto.sh"

deskctl_env
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing

usage_case() {	# usage_case REGEX DESCRIPTION ARGS...
	local re=$1 d=$2
	shift 2
	"$DESKCTL" "$@" >/dev/null 2>"$T_TMP/err"
	like "$?/$(cat "$T_TMP/err")" "^2/.*$re" "$d"
}
usage_case 'usage: deskctl' "no command"
usage_case 'unknown command frobnicate' "unknown command" frobnicate
usage_case '--count: want a number from 1 to 1000' "--count 0" launch --count 0
usage_case '--count: want a number' "--count x" launch --count x
usage_case '--ttl: bad duration' "--ttl 5 parsecs" launch --ttl '5 parsecs'
usage_case '--timeout: bad duration' "--timeout -1" wait i-1 --timeout -1
usage_case '--tag bad: want KEY=VALUE' "--tag without =" launch --tag bad
usage_case 'reserved' "--tag deskd:owner=x is reserved" launch --tag deskd:owner=x
usage_case '--disk-gb' "--disk-gb 1" launch --disk-gb 1
usage_case 'ec2 or local' "--provider foo" launch --provider foo
usage_case 'unexpected argument' "launch with a stray argument" launch extra
usage_case '--ami, --ami-name or --ami-map' "ec2 launch without an image" launch --provider ec2 --endpoint-url http://127.0.0.1:1
usage_case 'give instance ids' "terminate with nothing" terminate
usage_case 'give instance ids' "terminate ids and --all-mine" terminate i-1 --all-mine
usage_case 'which instances' "wait with nothing" wait
usage_case 'exactly one side' "cp with two local sides" cp a b
usage_case 'usage: deskctl exec' "exec without a command" exec local-1
usage_case 'log-level' "--log-level loud" ls --log-level loud
usage_case '--agent-allow .*want a CIDR' "--agent-allow with quotes and ;" \
    launch --agent-allow '10.0.0.0/8";reboot'
usage_case '--desktop-user .*want a user name' "--desktop-user with a colon" \
    launch --desktop-user 'root:root' 
# Each command takes only its own options (tmux cmd_entry templates):
# one ignored silently on a destructive command is a trap.
usage_case 'ls: --spot is not an option of ls' "ls --spot --width 5 is refused" \
    ls --spot --width 5
usage_case 'ls: --count is not an option of ls' "ls --count 3 --ami x is refused" \
    ls --count 3 --spot --ami x
usage_case 'terminate: --ami is not an option of terminate' \
    "terminate --all-mine --ami x is refused" terminate --all-mine --ami x
usage_case 'screenshot: --json is not an option' "screenshot --json is refused" \
    screenshot local-1 -o x.png --json
usage_case 'launch: unknown option --frobnicate' "an unknown option names itself" \
    launch --frobnicate
usage_case 'needs a value' "an option without its value" launch --ami
usage_case '--tag filters --expired and --all-mine' \
    "terminate ID --tag is refused (a filter of the sweeps only)" \
    terminate i-1 --tag team=a
"$DESKCTL" ls --help >"$T_TMP/lshelp"
like "$?/$(cat "$T_TMP/lshelp")" '^0/usage: deskctl ls' "ls --help shows ls's usage"
"$DESKCTL" --help >"$T_TMP/help"
like "$?/$(cat "$T_TMP/help")" '^0/usage: deskctl.*Exit codes' "--help exits 0 and explains exit codes"

# Endpoints that are not EC2.
AWS_MAX_ATTEMPTS=2 "$DESKCTL" ls --provider ec2 --endpoint-url http://127.0.0.1:1 \
    >/dev/null 2>"$T_TMP/err"
like "$?/$(cat "$T_TMP/err")" '^1/.*DescribeInstances.*127.0.0.1:1.*(refused|connect).*gave up after 2 attempts' \
    "endpoint not listening: retried, then a clear error"
serve() {	# serve STATUS BODY: a tiny HTTP server; sets SRV_URL
	local p
	p=$(free_port)
	python3 -c '
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = sys.argv[2].encode()
        self.send_response(int(sys.argv[1]))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[3])), H).serve_forever()
' "$1" "$2" "$p" >/dev/null 2>&1 &
	T_PIDS+=("$!")
	SRV_URL=http://127.0.0.1:$p
	for _ in $(seq 50); do
		curl -s -o /dev/null -X POST "$SRV_URL" && return 0
		sleep 0.1
	done
}
serve 200 '<DescribeInstancesResponse><reservationSet><item>'
"$DESKCTL" ls --provider ec2 --endpoint-url "$SRV_URL" >/dev/null 2>"$T_TMP/err"
like "$?/$(cat "$T_TMP/err")" '^1/.*bad XML answer' "truncated XML: a clear error"
serve 200 "<a>$(printf '<b>%.0s' $(seq 100))</a>"
"$DESKCTL" ls --provider ec2 --endpoint-url "$SRV_URL" >/dev/null 2>"$T_TMP/err"
like "$?/$(cat "$T_TMP/err")" '^1/.*bad XML answer' "XML nested too deep: refused"
serve 404 '{"error":"not ec2"}'
"$DESKCTL" ls --provider ec2 --endpoint-url "$SRV_URL" >/dev/null 2>"$T_TMP/err"
like "$?/$(cat "$T_TMP/err")" '^1/.*HTTP 404' "a JSON 404: says HTTP 404"
serve 200 '<DescribeInstancesResponse><reservationSet/></DescribeInstancesResponse>'
"$DESKCTL" ls --provider ec2 --endpoint-url "$SRV_URL" >"$T_TMP/out" 2>&1
is "$?/$(wc -l <"$T_TMP/out" | tr -d ' ')" "0/1" "an empty reservationSet: just the header"

# A corrupt state file is reported, not overwritten.
mkdir -p "$XDG_STATE_HOME/deskctl"
echo '{"instances": [' >"$XDG_STATE_HOME/deskctl/state.json"
"$DESKCTL" ls --provider local >/dev/null 2>"$T_TMP/err"
like "$?/$(cat "$T_TMP/err")" '^1/.*not a deskctl state file' "corrupt state file: clear error"
is "$(cat "$XDG_STATE_HOME/deskctl/state.json")" '{"instances": [' "... and left alone"
