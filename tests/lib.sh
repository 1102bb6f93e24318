# tests/lib.sh: shared helpers for the integration tests (tests/integration/*.t).
#
# Each .t is a bash script that sources this file, starts what it needs
# (a private Xvfb, the real deskd on a free port, ...), and reports with
# ok/is/like.  Lines "ok - ..." and "not ok - ..." are counted by tests/run;
# "skip - ... (why)" counts as skipped and must say why.  Everything a test
# started is stopped by the EXIT trap, and a deskd log is shown only when a
# check failed.

set -u
TOP=${TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
BUILD=${BUILD:-$TOP/_build}
DESKD=${DESKD:-$BUILD/agent/deskd}
DESKCTL=${DESKCTL:-$BUILD/host/deskctl}
XCLIENT=${XCLIENT:-$BUILD/tests/tools/xclient}
PNGCHECK=${PNGCHECK:-$BUILD/tests/tools/pngcheck}
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/deskd-test.XXXXXX")
T_FAILED=0
T_PIDS=()
T_LOGS=()

t_cleanup() {
	local p
	for p in "${T_PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${T_PIDS[@]}"; do
		# Give each up to 5 s, then force it.
		for _ in $(seq 50); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	if [ "$T_FAILED" -ne 0 ]; then
		for p in "${T_LOGS[@]}"; do
			[ -s "$p" ] || continue
			echo "# --- $p (last 40 lines)"
			tail -n 40 "$p" | sed 's/^/# /'
		done
	fi
	rm -rf "$T_TMP"
}
trap t_cleanup EXIT
trap 'exit 1' INT TERM HUP

ok() {	# ok CONDITION-EXIT-STATUS DESCRIPTION ; use: ok $? "desc" or t_ok cmd
	if [ "$1" -eq 0 ]; then
		echo "ok - $2"
	else
		echo "not ok - $2"
		T_FAILED=$((T_FAILED + 1))
	fi
}
pass() { echo "ok - $1"; }
fail() { echo "not ok - $1"; T_FAILED=$((T_FAILED + 1)); }
skip() { echo "skip - $1"; }
is() {	# is GOT EXPECTED DESCRIPTION
	if [ "$1" == "$2" ]; then
		echo "ok - $3"
	else
		echo "not ok - $3"
		echo "#   got:      '$1'"
		echo "#   expected: '$2'"
		T_FAILED=$((T_FAILED + 1))
	fi
}
like() {	# like GOT REGEX DESCRIPTION
	if [[ "$1" =~ $2 ]]; then
		echo "ok - $3"
	else
		echo "not ok - $3"
		echo "#   got:      '${1:0:400}'"
		echo "#   expected: /$2/"
		T_FAILED=$((T_FAILED + 1))
	fi
}
diag() { echo "# $*"; }

# A free TCP port on 127.0.0.1 (asks the kernel, then lets it go).
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_xvfb [WxH]: a private Xvfb on a free display; sets XDISP, XVFB_PID.
start_xvfb() {
	local size=${1:-1920x1080} fifo=$T_TMP/displayfd.$RANDOM
	mkfifo "$fifo"
	Xvfb -displayfd 3 -screen 0 "${size}x24" -nolisten tcp -noreset \
	    3>"$fifo" >"$T_TMP/xvfb.log" 2>&1 &
	XVFB_PID=$!
	T_PIDS+=("$XVFB_PID")
	T_LOGS+=("$T_TMP/xvfb.log")
	local n
	read -r -t 15 n <"$fifo" || { fail "Xvfb did not start"; return 1; }
	rm -f "$fifo"
	XDISP=":$n"
	export DISPLAY=$XDISP
}

# restart_xvfb_same: start Xvfb again on $XDISP after it was killed.
restart_xvfb_same() {
	local size=${1:-1920x1080}
	Xvfb "$XDISP" -screen 0 "${size}x24" -nolisten tcp -noreset \
	    >>"$T_TMP/xvfb.log" 2>&1 &
	XVFB_PID=$!
	T_PIDS+=("$XVFB_PID")
	for _ in $(seq 100); do
		xdpyinfo -display "$XDISP" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	fail "Xvfb did not restart on $XDISP"
	return 1
}

# start_deskd ARGS...: the real deskd on a free loopback port; sets PORT,
# URL, DESKD_PID, DESKD_LOG.  Waits until /health answers.
start_deskd() {
	PORT=$(free_port)
	URL="http://127.0.0.1:$PORT"
	DESKD_LOG=$T_TMP/deskd.$PORT.log
	"$DESKD" --listen "127.0.0.1:$PORT" --cdp-listen off \
	    --log-level debug "$@" >"$DESKD_LOG" 2>&1 &
	DESKD_PID=$!
	T_PIDS+=("$DESKD_PID")
	T_LOGS+=("$DESKD_LOG")
	wait_http "$URL/health" || { fail "deskd did not answer /health"; return 1; }
}

# stop_deskd: SIGTERM and wait; returns deskd's exit status.
stop_deskd() {
	local rc
	kill -TERM "$DESKD_PID" 2>/dev/null
	wait "$DESKD_PID"
	rc=$?
	return $rc
}

# wait_http URL [tries]: until it answers at all (any status).
wait_http() {
	local i
	for i in $(seq "${2:-150}"); do
		curl -s -o /dev/null --max-time 2 "$1" && return 0
		sleep 0.1
	done
	return 1
}

# http METHOD URL [curl args...]: prints "STATUS" and leaves the body in
# $T_TMP/body and headers in $T_TMP/headers.
http() {
	local m=$1 u=$2
	shift 2
	curl -s -X "$m" -o "$T_TMP/body" -D "$T_TMP/headers" \
	    -w '%{http_code}' --max-time 60 "$@" "$u"
}
body() { cat "$T_TMP/body"; }
header() {	# header NAME: value of a response header
	grep -i "^$1:" "$T_TMP/headers" | head -n1 | cut -d: -f2- |
	    sed 's/^ *//; s/\r$//'
}
# jq-like field read with python (no jq on a fresh machine).
json_get() {	# json_get FILE EXPR  (EXPR in python on variable j)
	python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); v=eval(sys.argv[2]); print(json.dumps(v) if not isinstance(v,str) else v)' "$1" "$2"
}

# sanitizer_clean LOG: no ASan/UBSan/LSan/TSan report in a log.
sanitizer_clean() {
	! grep -qE 'ERROR: (Address|Leak)Sanitizer|WARNING: ThreadSanitizer|runtime error:' "$1"
}
