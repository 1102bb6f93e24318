#!/usr/bin/env bash
# proc-pty.t: terminals through POST /v1/pty and their websockets, against
# the real deskd: bash on a real pseudo-terminal answers tput cols and stty
# size as created and after a resize (websocket message and POST), output
# from before the websocket is kept, the exit status comes as a message,
# closing the websocket ends the session (no process left), the list, the
# limit and unknown ids.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../proc-lib.sh"

start_xvfb 1024x768 || exit 1
start_deskd --no-auth --workdir "$T_TMP" || exit 1
TOOLS=$TOP/tests/tools

post /v1/pty '{"argv":["bash","--norc","--noprofile","-i"],"cols":91,"rows":17,"env":{"PS1":"PROMPT$ "}}'
is "$CODE" 201 "pty: 201"
id=$(jf 'j["id"]')
pid=$(jf 'j["pid"]')
is "$(jf 'j["ws"]')" "/v1/pty/$id/ws" "pty: its websocket's route"
is "$(ps -o sid= -p "$pid" | tr -d ' ')" "$pid" "pty: bash leads a session of its own"
tty=$(ps -o tty= -p "$pid" | tr -d ' ')
like "$tty" '^pts/' "pty: with the terminal as its controlling terminal"

out=$(python3 - "$PORT" "$TOOLS" "$id" "$URL" <<'PY'
import json, re, sys, time, urllib.request
sys.path.insert(0, sys.argv[2])
from wsclient import WS
port, pid, url = int(sys.argv[1]), sys.argv[3], sys.argv[4]
ws = WS(port, "/v1/pty/%s/ws" % pid)
print("upgrade", ws.status)
# The prompt came before we attached: it was kept for us.
print("backlog", ws.read_until(b"PROMPT$ ", 10))
ws.send_binary(b"tput cols; stty size\r")
cols = lambda n: re.search(rb"[\r\n]%d\r\n" % n, ws.out) is not None
print("size", ws.read_until(b"17 91", 10), cols(91))
ws.out = b""
ws.send_text(json.dumps({"type": "resize", "cols": 132, "rows": 43}))
ws.send_text(json.dumps({"type": "input", "data": "tput cols; stty size\r"}))
print("resized", ws.read_until(b"43 132", 10), cols(132))
ws.out = b""
req = urllib.request.Request(url + "/v1/pty/%s/resize" % pid,
    data=json.dumps({"cols": 60, "rows": 20}).encode(), method="POST",
    headers={"Content-Type": "application/json"})
print("post-resize", json.load(urllib.request.urlopen(req))["cols"])
ws.send_binary(b"stty size; echo $TERM\r")
print("resized2", ws.read_until(b"20 60", 10))
print("term", ws.read_until(b"xterm-256color", 10))
ws.send_text(json.dumps({"type": "resize", "cols": 0, "rows": 5}))
n = len(ws.texts)
for _ in range(50):
    op, d = ws.recv(5)
    if op is None or op == 1:
        break
# Output may still come first: the answer is the next text message.
print("badresize", op, json.loads(ws.texts[n])["type"] if len(ws.texts) > n else None)
ws.send_binary(b"exit 5\r")
while True:
    op, d = ws.recv(10)
    if op is None or op == 8:
        break
print("exit", ws.texts[-1], ws.closed)
PY
)
like "$out" "upgrade 101" "ws: upgraded"
like "$out" "backlog True" "ws: output from before the websocket is sent first"
like "$out" "size True True" "ws: tput cols and stty size see the size asked for"
like "$out" "resized True True" "ws: after a resize message tput cols answers the new width"
like "$out" "post-resize 60" "POST resize: answered with the new size"
like "$out" "resized2 True" "POST resize: the terminal has it"
like "$out" "term True" "pty: TERM is xterm-256color"
like "$out" "badresize 1 error" "ws: a bad resize is an error message"
like "$out" 'exit \{"type":"exit","exit_code":5,"signal":null\} 1000' "ws: the exit status, then a normal close"
code=$(http GET "$URL/v1/pty/$id")
is "$code" 404 "pty: an exited terminal is gone"

# --- closing the websocket ends the session ------------------------------------

post /v1/pty '{}'
is "$CODE" 201 "pty with the default shell: 201"
id=$(jf 'j["id"]')
pid=$(jf 'j["pid"]')
out=$(python3 - "$PORT" "$TOOLS" "$id" <<'PY'
import sys
sys.path.insert(0, sys.argv[2])
from wsclient import WS
ws = WS(int(sys.argv[1]), "/v1/pty/%s/ws" % sys.argv[3])
ws2 = WS(int(sys.argv[1]), "/v1/pty/%s/ws" % sys.argv[3])
print("second", ws2.status)
import re, time
ws.send_binary(b"sleep 300 & echo bg:$!\r")
# The echoed command line has "bg:$!": wait for the digits.
end = time.time() + 10
while re.search(rb"bg:(\d+)\r\n", ws.out) is None and time.time() < end:
    ws.recv(1)
m = re.search(rb"bg:(\d+)\r\n", ws.out)
print("bgpid", m.group(1).decode() if m else "")
ws.s.close()
PY
)
like "$out" "second 409" "ws: a second websocket on one terminal is a 409"
bg=$(sed -n 's/^bgpid //p' <<<"$out")
gone=1
for _ in $(seq 60); do
	if ! kill -0 "$pid" 2>/dev/null && { [ -z "$bg" ] || ! kill -0 "$bg" 2>/dev/null; }; then
		gone=0; break
	fi
	sleep 0.1
done
ok $gone "closing the websocket ends the shell and its background job"
[ -n "$bg" ]
ok $? "the background job's pid was seen"

# --- list, limit, unknown ids, bad bodies -------------------------------------------

for i in $(seq 16); do post /v1/pty '{"argv":["sleep","120"]}'; done
is "$CODE" 201 "16 terminals open"
http GET "$URL/v1/pty" >/dev/null
is "$(jf 'len(j["terminals"])')" 16 "list: 16 terminals"
is "$(jf 'j["limit"]')" 16 "list: the limit is named"
post /v1/pty '{"argv":["sleep","120"]}'
is "$CODE" 429 "the 17th terminal: 429"
like "$(body)" "DESKD_MAX_PTYS" "the 429 names the limit"
http GET "$URL/v1/pty" >/dev/null
first=$(jf 'j["terminals"][0]["id"]')
fpid=$(jf 'j["terminals"][0]["pid"]')
code=$(http DELETE "$URL/v1/pty/$first")
is "$code" 204 "DELETE a terminal: 204"
gone=1
for _ in $(seq 50); do kill -0 "$fpid" 2>/dev/null || { gone=0; break; }; sleep 0.1; done
ok $gone "DELETE: its process is gone"
post /v1/pty '{"argv":["sleep","120"]}'
is "$CODE" 201 "a terminal again once one was closed"
code=$(http GET "$URL/v1/pty/12345")
is "$code" 404 "unknown terminal: 404"
like "$(body)" "unknown_terminal" "unknown terminal: its code"
code=$(http GET "$URL/v1/pty/12345/ws")
is "$code" 404 "unknown terminal's websocket: 404"
post /v1/pty '{"cols":5000}'
is "$CODE" 400 "cols over the limit: 400"
post /v1/pty '{"rows":"x"}'
is "$CODE" 400 "rows not a number: 400"

kill -0 "$DESKD_PID"
ok $? "deskd is still running"
stop_deskd
ok $? "deskd stops cleanly"
sleep 0.5
left=0
for p in $(pgrep -x sleep); do
	[ "$(ps -o args= -p "$p")" = "sleep 120" ] && [ "$(ps -o tty= -p "$p" | tr -d ' ')" != "?" ] && left=$((left + 1))
done
is "$left" 0 "no terminal's process outlives deskd"
