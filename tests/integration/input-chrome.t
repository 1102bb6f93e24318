#!/usr/bin/env bash
# input-chrome: the same input into a real application.  Chromium shows
# tests/integration/data/input-page.html (a textarea and a box that logs
# clicks); the page puts its state, base64 JSON, in its title, which the
# test reads from the X window name.  Typed text must arrive exactly, and
# double and triple clicks must be seen as such.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../input-lib.sh"

CHROME=$(command -v chromium || command -v chromium-browser || command -v google-chrome)
if [ -z "$CHROME" ]; then
	skip "input-chrome: no chromium installed"
	exit 0
fi

start_xvfb 1280x800 || exit 1
start_deskd --no-auth || exit 1

# Chromium in its own process group, stopped whole at exit.
setsid "$CHROME" --no-sandbox --user-data-dir="$T_TMP/chrome" --no-first-run \
    --disable-gpu --kiosk --password-store=basic --disable-features=Translate \
    "file://$TOP/tests/integration/data/input-page.html" \
    >"$T_TMP/chrome.log" 2>&1 &
CHR_PID=$!
trap 'kill -TERM -- -$CHR_PID 2>/dev/null; sleep 0.5; kill -KILL -- -$CHR_PID 2>/dev/null; t_cleanup' EXIT

# state: the page's state as JSON ("" until the page is up).
state() {
	xwininfo -root -tree 2>/dev/null | grep -o 'R:[A-Za-z0-9+/=]*' |
	    head -n 1 | cut -c3- | base64 -d 2>/dev/null
}
# wait_state PYEXPR: until the state (j) satisfies it; prints the state.
wait_state() {
	local s i
	for i in $(seq 150); do
		s=$(state)
		if [ -n "$s" ] && python3 -c 'import json,sys; j=json.loads(sys.argv[1]); sys.exit(0 if eval(sys.argv[2]) else 1)' "$s" "$1" 2>/dev/null; then
			echo "$s"
			return 0
		fi
		sleep 0.1
	done
	echo "$s"
	return 1
}
value() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])["v"], end="")' "$1"; }

wait_state 'True' >/dev/null
ok $? "Chromium shows the test page" || exit 1

act '{"action":"left_click","coordinate":[100,100]}' >/dev/null
text='Héllo wörld, ÀÉÎ ß € αβγ Жж 中文 日本語 😀🎉 <>&"'"'"' 123'
j=$(python3 -c 'import json,sys; print(json.dumps({"action":"type","text":sys.argv[1]}))' "$text")
is "$(act "$j")" 200 "type into the textarea answers 200"
s=$(wait_state "j['v'] == $(python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$text")")
is "$(value "$s")" "$text" "Chromium's textarea holds exactly the typed text"

many=$(python3 -c 'print("".join(chr(c) for c in range(0x3b1, 0x3c9)) + "".join(chr(c) for c in range(0x430, 0x450)))')
act '{"action":"key","text":"ctrl+a"}' >/dev/null
j=$(python3 -c 'import json,sys; print(json.dumps({"action":"type","text":sys.argv[1]}))' "$many")
act "$j" >/dev/null
s=$(wait_state "j['v'] == $(python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$many")")
is "$(value "$s")" "$many" "ctrl+a then 56 distinct Greek and Cyrillic letters (several chunks) replace the text exactly"

act '{"action":"key","text":"ctrl+a BackSpace"}' >/dev/null
act '{"action":"type","text":"line 1\nline 2"}' >/dev/null
s=$(wait_state "j['v'] == 'line 1\\nline 2'")
is "$(value "$s")" "line 1
line 2" "\\n is a newline in the textarea"

act '{"action":"double_click","coordinate":[800,100]}' >/dev/null
s=$(wait_state "'dbl' in j['e']")
ok $? "Chromium sees double_click as a dblclick"
sleep 1	# past the double-click time, so the next click starts afresh
act '{"action":"triple_click","coordinate":[800,150]}' >/dev/null
s=$(wait_state "'c3' in j['e']")
ok $? "Chromium sees triple_click as a click with detail 3"

stop_deskd
ok $? "deskd exits cleanly"
sanitizer_clean "$DESKD_LOG"
ok $? "no sanitizer report"
