#!/usr/bin/env bash
# proc-stream.t: streamed /v1/exec against the real deskd: NDJSON events
# that arrive while the command still runs (the command waits for a file
# that the client makes only once it has read the first chunk, so a reply
# held to the end never completes), stdout and stderr apart, a character
# split between two writes kept whole, the exit event, the output cap and
# its marker; the websocket form with stdin and a signal; and clients that
# vanish mid-stream leave no process behind.
source "$(dirname "$0")/../lib.sh"

start_xvfb 1024x768 || exit 1
start_deskd --no-auth --workdir "$T_TMP" || exit 1
TOOLS=$TOP/tests/tools

# --- NDJSON: chunks before the end -----------------------------------------

GO=$T_TMP/go
out=$(python3 - "$URL" "$GO" <<'PY'
import http.client, json, os, sys, time, urllib.parse
u = urllib.parse.urlparse(sys.argv[1]); go = sys.argv[2]
c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
cmd = ("echo first; echo oops >&2; while [ ! -e %s ]; do sleep 0.02; done;"
       " printf '\\342\\202'; sleep 0.2; printf '\\254 second\\n'; exit 7" % go)
c.request("POST", "/v1/exec", json.dumps({"command": cmd, "stream": True}),
          {"Content-Type": "application/json"})
r = c.getresponse()
print("status", r.status, r.getheader("Content-Type"))
ev = []
while True:
    line = r.readline()
    if not line:
        break
    e = json.loads(line)
    ev.append(e)
    if e["type"] == "stdout" and "first" in e["data"]:
        # Only now may the command go on: a reply sent at the end hangs.
        open(go, "w").close()
        print("first-before-end")
out = "".join(e["data"] for e in ev if e["type"] == "stdout")
err = "".join(e["data"] for e in ev if e["type"] == "stderr")
print("types", ",".join(sorted(set(e["type"] for e in ev))))
print("start-first", ev[0]["type"] == "start" and ev[0]["pid"] > 0)
print("stdout", json.dumps(out))
print("stderr", json.dumps(err))
x = ev[-1]
print("exit", x["type"], x["exit_code"], x["signal"], x["timed_out"],
      x["truncated"])
PY
)
like "$out" "status 200 application/x-ndjson" "stream: 200 NDJSON at once"
like "$out" "first-before-end" "stream: the first chunk arrives while the command still runs"
like "$out" "types exit,start,stderr,stdout" "stream: start, stdout, stderr and exit events"
like "$out" "start-first True" "stream: the start event comes first, with the pid"
like "$out" 'stdout "first\\n\\u20ac second\\n"' "stream: stdout in order, a character split over two writes is kept whole"
like "$out" 'stderr "oops\\n"' "stream: stderr apart"
like "$out" "exit exit 7 None False False" "stream: exit event with the code last"

# --- the cap and its marker --------------------------------------------------

out=$(curl -sN -X POST "$URL/v1/exec" -H 'Content-Type: application/json' -d '{"command":"head -c 17000000 /dev/zero | tr \"\\000\" a; echo done >&2","stream":true}' |
    python3 -c '
import json, sys
n = 0; marks = 0; last = None; big = 0
for line in sys.stdin:
    e = json.loads(line)
    if e["type"] in ("stdout", "stderr"):
        n += len(e["data"]); big = max(big, len(e["data"]))
    if e["type"] == "truncated":
        marks += 1; lim = e["limit"]
    last = e
print(n, marks, lim, big <= 65536, last["type"], last["truncated"], last["dropped_bytes"] > 0)')
is "$out" "16777216 1 16777216 True exit True True" "stream: capped at DESKD_STREAM_MAX_OUTPUT, one truncated marker, events of 64 KiB at most, exit says truncated"

# --- bad input -----------------------------------------------------------------

code=$(http POST "$URL/v1/exec" -H 'Content-Type: application/json' -d '{"command":"true","stream":"yes"}')
is "$code" 400 "stream: a non-boolean stream is a 400"
like "$(body)" '"stream must be true or false"' "stream: the 400 says why"

# --- a client that vanishes mid-stream -------------------------------------------

curl -sN -X POST "$URL/v1/exec" -H 'Content-Type: application/json' -d '{"command":"echo $$ > '"$T_TMP"'/pid1; (sleep 300; echo never) & echo $! > '"$T_TMP"'/pid2; while :; do echo tick; sleep 0.1; done","stream":true}' >"$T_TMP/vanish.out" &
CURL=$!
for _ in $(seq 100); do [ -s "$T_TMP/pid2" ] && grep -q tick "$T_TMP/vanish.out" && break; sleep 0.05; done
p1=$(cat "$T_TMP/pid1"); p2=$(cat "$T_TMP/pid2")
kill -0 "$p1" 2>/dev/null && kill -0 "$p2" 2>/dev/null
ok $? "vanish: the command and its background child run while streamed"
kill -KILL "$CURL"; wait "$CURL" 2>/dev/null
gone=1
for _ in $(seq 60); do
	if ! kill -0 "$p1" 2>/dev/null && ! kill -0 "$p2" 2>/dev/null; then gone=0; break; fi
	sleep 0.1
done
ok $gone "vanish: a client gone mid-stream kills the command's whole group"

# --- the websocket form: stdin, a signal ---------------------------------------------

out=$(python3 - "$PORT" "$TOOLS" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[2])
from wsclient import WS
ws = WS(int(sys.argv[1]), "/v1/exec/ws")
print("upgrade", ws.status)
ws.send_text(json.dumps({"command": "read a; echo got:$a; cat; echo end",
                         "stdin": "one\n"}))
ws.send_binary(b"two\n")
ws.send_text(json.dumps({"type": "stdin", "data": "three\n"}))
ws.send_text(json.dumps({"type": "stdin_close"}))
ev = []
while True:
    op, d = ws.recv(15)
    if op is None or op == 8:
        break
    ev.append(json.loads(d))
out = "".join(e["data"] for e in ev if e["type"] == "stdout")
print("out", json.dumps(out))
print("exit", ev[-1]["type"], ev[-1]["exit_code"], "close", ws.closed)

ws = WS(int(sys.argv[1]), "/v1/exec/ws")
ws.send_text(json.dumps({"argv": ["sleep", "60"]}))
op, d = ws.recv(10)
pid = json.loads(d)["pid"]
ws.send_text(json.dumps({"type": "signal", "signal": "TERM"}))
while True:
    op, d = ws.recv(10)
    if op is None or op == 8:
        break
    last = json.loads(d)
print("signal", last["type"], last["signal"])

ws = WS(int(sys.argv[1]), "/v1/exec/ws")
ws.send_text('{"argv": 5}')
op, d = ws.recv(10)
print("bad", json.loads(d)["type"], json.loads(d)["code"])
op, d = ws.recv(10)
print("bad-close", op, ws.closed)

ws = WS(int(sys.argv[1]), "/v1/exec/ws")
ws.send_text(json.dumps({"command": "echo $$; exec sleep 300"}))
op, d = ws.recv(10)
pid = json.loads(d)["pid"]
print("wspid", pid)
ws.s.close()
PY
)
like "$out" "upgrade 101" "ws: the upgrade is answered"
like "$out" 'out "got:one\\ntwo\\nthree\\nend\\n"' "ws: stdin from the request, binary frames and stdin messages reaches the command, in order"
like "$out" "exit exit 0 close 1000" "ws: exit event, then a normal close"
like "$out" "signal exit 15" "ws: a signal message reaches the command"
like "$out" "bad error bad_parameter" "ws: a bad request is an error event"
like "$out" "bad-close 8 1008" "ws: then a policy close"
wspid=$(sed -n 's/^wspid //p' <<<"$out")
gone=1
for _ in $(seq 60); do
	if [ -n "$wspid" ] && ! kill -0 "$wspid" 2>/dev/null; then gone=0; break; fi
	sleep 0.1
done
ok $gone "ws: a websocket dropped mid-command kills the command"

kill -0 "$DESKD_PID"
ok $? "deskd is still running"
