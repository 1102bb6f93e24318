#!/usr/bin/env bash
# One request, bounded cost: a reply cannot grow past its cap however the
# output escapes (2 x 16 MiB of NUL bytes), running commands together hold
# a bounded amount of output, a batch of a million {} is refused before it
# becomes a tree, and a large JSON body is parsed off the loop while other
# clients keep getting answers.
source "$(dirname "$0")/../lib.sh"

start_xvfb 800x600 || exit 1
# Memory is measured on the plain build (ASan's quarantine keeps what is
# freed, so its RSS follows the work done, not what is held).
DESKD=$BUILD/agent/deskd start_deskd || exit 1
J=(-H 'Content-Type: application/json')
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

# --- a million {} in a batch: refused before jansson builds it ----------
# First, so that the high-water mark is this request's.
python3 -c 'import sys; sys.stdout.write("[" + "{}," * 999999 + "{}]")' >"$T_TMP/million.json"
before=$(rss_kb "$DESKD_PID")
code=$(http POST "$URL/v1/computer" "${J[@]}" --data-binary @"$T_TMP/million.json")
after=$(awk '/^VmHWM/ {print $2}' "/proc/$DESKD_PID/status")
is "$code" 400 "a 3 MB batch of 10^6 {}: 400"
like "$(body)" 'more than [0-9]+ values' "  refused by its token count"
diag "RSS before ${before} kB, high-water mark after ${after} kB"
ok $(( after - before < 60000 ? 0 : 1 )) "  without building a 200 MB tree"

# --- 2 x 16 MiB of NUL: the reply is capped, not 6 x as large -------------
code=$(http POST "$URL/v1/exec" "${J[@]}" \
    -d '{"command":"head -c 16777216 /dev/zero; head -c 16777216 /dev/zero >&2"}')
is "$code" 200 "2 x 16 MiB of NUL output: 200"
size=$(stat -c %s "$T_TMP/body")
diag "reply: $size bytes"
ok $(( size <= 2 * 16777216 + 1024 ? 0 : 1 )) \
    "the reply is at most 2 x 16 MiB (not 192 MB of \\u0000)"
is "$(json_get "$T_TMP/body" '(j["truncated"], set(j["stdout"]) == {"\0"}, len(j["stdout"]) == 16777216 // 6)')" \
    "[true, true, true]" "  cut at a whole \\u0000, and says truncated"

# --- what running commands hold together ------------------------------------
floods=()
for i in 1 2 3 4 5 6; do
	curl -s -o "$T_TMP/flood.$i" --max-time 60 "${J[@]}" \
	    -d '{"command":"head -c 16777216 /dev/zero | tr \"\\000\" a; sleep 2"}' \
	    "$URL/v1/exec" &
	floods+=($!)
done
wait "${floods[@]}"
total=0
for i in 1 2 3 4 5 6; do
	n=$(json_get "$T_TMP/flood.$i" 'len(j["stdout"])')
	total=$((total + n))
done
diag "six commands of 16 MiB each, running together, kept $total bytes"
ok $(( total <= 4 * 16777216 ? 0 : 1 )) \
    "six 16 MiB floods at once keep at most 64 MiB between them"

head -c $((5 * 1024 * 1024)) /dev/zero | tr '\0' ' ' >"$T_TMP/5m.json"
is "$(http POST "$URL/v1/computer" "${J[@]}" --data-binary @"$T_TMP/5m.json")" 413 \
    "/v1/computer bodies are capped at 4 MiB (100 actions fit)"
for v in anthropic openai gemini osworld; do
	is "$(http POST "$URL/v1/computer/$v" "${J[@]}" --data-binary @"$T_TMP/5m.json")" 413 \
	    "  and /v1/computer/$v's, the same limit"
done

# --- a large JSON body does not stall the loop ----------------------------
out=$(python3 - "$PORT" <<'PY'
import json, socket, sys, threading, time
port = int(sys.argv[1])
stdin = "\u00e9" * (2 * 1024 * 1024)
body = json.dumps({"argv": ["true"], "stdin": stdin}).encode()  # 12 MiB of \u00e9
answers = []
stop = False
def pinger():
    s = socket.create_connection(("127.0.0.1", port))
    f = s.makefile("rb")
    while not stop:
        s.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        line = f.readline()
        n = 0
        while True:
            h = f.readline()
            if h.lower().startswith(b"content-length:"):
                n = int(h.split(b":")[1])
            if h in (b"\r\n", b""):
                break
        f.read(n)
        answers.append(time.time())
t = threading.Thread(target=pinger)
t.start()
time.sleep(0.2)
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"POST /v1/exec HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"
          % len(body) + body)
sent = time.time()
r = s.recv(100)
got = time.time()
time.sleep(0.01)
stop = True
t.join()
# The longest wait between two /health answers while the request was out,
# against how long the request took: parsing on the loop would make that
# wait most of it (jansson needs a few hundred ms for this body).
ts = [sent] + [a for a in answers if sent < a < got] + [got]
gap = max(b - a for a, b in zip(ts, ts[1:]))
print(r.split(b"\r\n")[0].decode(), len(body), "bytes in %.0f ms," % ((got - sent) * 1000),
      "longest /health wait %.1f ms" % (gap * 1000),
      "ratio %d%%" % (100 * gap / (got - sent)))
PY
)
diag "$out"
like "$out" '^HTTP/1.1 200 ' "a 12 MiB JSON body is served"
like "$out" 'ratio ([0-9]|1[0-9]|2[0-4])%$' \
    "  and /health never waits for its parse (off the loop)"

kill -0 "$DESKD_PID"
ok $? "deskd survived"
stop_deskd
is $? 0 "deskd exits 0"

# The same large body through the sanitizer build: the worker is clean.
start_deskd || exit 1
python3 -c 'import json; print(json.dumps({"argv": ["true"], "stdin": "x" * 3000000}))' >"$T_TMP/3m.json"
is "$(http POST "$URL/v1/exec" "${J[@]}" --data-binary @"$T_TMP/3m.json")" 200 \
    "a 3 MB body parsed on the worker: 200"
# ... and a client that leaves while its body is parsed.
python3 - "$PORT" "$T_TMP/million.json" <<'PY'
import socket, sys
body = open(sys.argv[2], "rb").read()
for _ in range(5):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    s.sendall(b"POST /v1/exec HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
              b"Content-Length: %d\r\n\r\n" % len(body) + body)
    s.close()
PY
is "$(http GET "$URL/health")" 200 "clients leaving mid-parse: still serving"
stop_deskd
is $? 0 "deskd exits 0"
sanitizer_clean "$DESKD_LOG"
ok $? "no sanitizer report"
