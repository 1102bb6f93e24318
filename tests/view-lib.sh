# tests/view-lib.sh: helpers for the live view tests (view-*.t) and
# tests/bench/view.sh.  Source after lib.sh and cdp-lib.sh.

# start_driver: tests/node/view-driver.js on the Chromium of start_chromium,
# as a coprocess; drv sends it one command and prints its JSON answer.
start_driver() {
	coproc DRV { exec node "$NODE_DIR/view-driver.js" \
	    "http://127.0.0.1:$CHR_PORT" 2>"$T_TMP/driver.err"; }
	T_PIDS+=("$DRV_PID")
	T_LOGS+=("$T_TMP/driver.err")
}
drv() {
	local line
	echo "$*" >&"${DRV[1]}"
	if ! read -r -t 90 line <&"${DRV[0]}"; then
		line='{"error":"view-driver did not answer"}'
	fi
	echo "$line"
}
# jf JSON EXPR: a field of a JSON line (python EXPR on j).
jf() {
	python3 -c 'import json,sys; j=json.loads(sys.argv[1]); v=eval(sys.argv[2]); print(json.dumps(v) if not isinstance(v,str) else v)' "$1" "$2" 2>/dev/null
}

# mint_token [control] [ttl]: POST /v1/view/token with the main token;
# sets VTOK.
mint_token() {
	local st
	st=$(http POST "$URL/v1/view/token" -H "Authorization: Bearer $TOKEN" \
	    -H 'Content-Type: application/json' \
	    --data-binary "{\"control\": ${1:-false}, \"ttl\": ${2:-600}}")
	[ "$st" = 200 ] || { diag "mint: $st $(body)"; return 1; }
	VTOK=$(json_get "$T_TMP/body" 'j["token"]')
}

# start_rect X Y W H RRGGBB: an xclient rectangle; sets RECT_PID.
start_rect() {
	local f=$T_TMP/rect.$RANDOM
	"$XCLIENT" rect "$@" >"$f" 2>&1 &
	RECT_PID=$!
	T_PIDS+=("$RECT_PID")
	for _ in $(seq 100); do
		grep -q '^ready' "$f" && return 0
		sleep 0.05
	done
	fail "xclient rect $* did not map"
	return 1
}
