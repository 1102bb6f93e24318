# tests/input-lib.sh: helpers for the input tests (tests/integration/input-*.t),
# sourced after lib.sh.  A recorder (tests/tools/xrecord) holds the focus
# and logs every event it receives; each check marks the log, drives deskd,
# then sends a sentinel key (F12) and waits for it, so the lines in between
# are exactly what the action injected.

XRECORD=${XRECORD:-$BUILD/tests/tools/xrecord}
REC_LOG=$T_TMP/rec.log

# start_recorder: xrecord on $DISPLAY, waits for "ready" (focus taken).
start_recorder() {
	"$XRECORD" >"$REC_LOG" 2>"$T_TMP/rec.err" &
	REC_PID=$!
	T_PIDS+=("$REC_PID")
	for _ in $(seq 100); do
		grep -q '^ready$' "$REC_LOG" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "xrecord did not get the focus"
	return 1
}

rec_mark() { wc -l <"$REC_LOG"; }

# rec_wait MARK REGEX [tries]: until a line after MARK matches.
rec_wait() {
	local i
	for i in $(seq "${3:-200}"); do
		tail -n +"$(($1 + 1))" "$REC_LOG" | grep -qE "$2" && return 0
		sleep 0.05
	done
	return 1
}

# act JSON [curl args]: POST /v1/computer; prints the status.
act() {
	local j=$1
	shift
	http POST "$URL/v1/computer" -H 'Content-Type: application/json' \
	    --data-binary "$j" "$@"
}

# rec_sync MARK: send the F12 sentinel and wait until it arrived.
rec_sync() {
	local st
	st=$(act '{"action":"key","text":"F12"}')
	[ "$st" = 200 ] || { diag "sentinel F12 got $st: $(body)"; return 1; }
	rec_wait "$1" '^KeyRelease keysym=F12 ' || { diag "sentinel F12 never arrived"; return 1; }
}

# rec_events MARK: the lines after MARK, sentinel removed.
rec_events() {
	tail -n +"$(($1 + 1))" "$REC_LOG" | grep -v 'keysym=F12 '
}

# rec_text MARK: the text of every KeyPress after MARK, decoded.
rec_text() {
	rec_events "$1" | python3 -c '
import re, sys
out = []
for line in sys.stdin.buffer.read().decode("utf-8").splitlines():
    m = re.match(r"KeyPress .* text=\"(.*)\"$", line)
    if not m:
        continue
    out.append(re.sub(r"\\(x[0-9a-f]{2}|\\|\")",
        lambda e: chr(int(e.group(1)[1:], 16)) if e.group(1)[0] == "x"
        else e.group(1), m.group(1)))
sys.stdout.write("".join(out))'
}

# type_is TEXT DESC: type TEXT through deskd and compare what arrived
# (\n arrives as Return, whose text is \r).
type_is() {
	local m st got want j
	m=$(rec_mark)
	j=$(python3 -c 'import json,sys; print(json.dumps({"action":"type","text":sys.argv[1]}))' "$1")
	st=$(act "$j")
	if [ "$st" != 200 ]; then
		fail "$2 (status $st: $(body | head -c 300))"
		return
	fi
	rec_sync "$m" || { fail "$2 (no sync)"; return; }
	got=$(rec_text "$m" | od -An -tx1 | tr -d ' \n')
	want=$(printf '%s' "$1" | tr '\n' '\r' | od -An -tx1 | tr -d ' \n')
	if [ "$got" = "$want" ]; then
		pass "$2"
	else
		fail "$2"
		diag "got:      $(rec_text "$m" | head -c 300)"
		diag "expected: ${1:0:300}"
	fi
}

# nothing_injected MARK DESC: only the sentinel arrived after MARK.
nothing_injected() {
	rec_sync "$1" || { fail "$2 (no sync)"; return; }
	local n
	n=$(rec_events "$1" | wc -l)
	is "$n" 0 "$2"
}

# spare_count: keycodes with no symbols (restored after each action).
spare_count() {
	xmodmap -pke | awk 'NF <= 3' | wc -l
}
