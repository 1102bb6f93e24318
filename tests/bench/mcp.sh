#!/usr/bin/env bash
# MCP benchmark: the protocol's cost over the native route, same deskd,
# same run, same client (one keep-alive connection each).  tools/call
# screenshot and a click through POST /mcp (SSE answers, parsed), through
# deskctl mcp (stdio, one more hop), and the same actions through
# POST /v1/computer with the same coordinate space and image size.
#   tests/bench/mcp.sh [N]
# Prints medians and the overhead of MCP in ms (MCP - native); the three
# ways take turns call by call, so the machine's load falls on all alike.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$TOP/_build}
DESKD=$BUILD/agent/deskd
[ -x "$DESKD" ] || { echo "build deskd first ($DESKD)"; exit 1; }
N=${1:-200}
source "$TOP/tests/lib.sh"
source "$TOP/tests/mcp-lib.sh"

start_xvfb 1920x1080 || exit 1
# A realistic frame: dense text over the whole screen.
"$XCLIENT" text 7 >"$T_TMP/text.out" 2>&1 &
T_PIDS+=($!)
for _ in $(seq 50); do grep -q ready "$T_TMP/text.out" && break; sleep 0.1; done
mcp_token
start_deskd --token-file "$TOKEN_FILE" --log-level warn || exit 1

python3 - "$PORT" "$TOKEN" "$N" "$DESKCTL" "$TOKEN_FILE" <<'PY'
import http.client, json, statistics, subprocess, sys, time
port, token, n, deskctl, tokfile = (int(sys.argv[1]), sys.argv[2],
    int(sys.argv[3]), sys.argv[4], sys.argv[5])
auth = {"Authorization": "Bearer " + token}
conn = http.client.HTTPConnection("127.0.0.1", port)

def post(path, body, headers):
    h = dict(auth, **headers)
    conn.request("POST", path, json.dumps(body), h)
    r = conn.getresponse()
    data = r.read()
    assert r.status == 200, (path, r.status, data[:300])
    return r, data

MCP_H = {"Content-Type": "application/json",
         "Accept": "application/json, text/event-stream"}
r, _ = post("/mcp", {"jsonrpc": "2.0", "id": 0, "method": "initialize",
    "params": {"protocolVersion": "2025-11-25", "capabilities": {},
    "clientInfo": {"name": "bench", "version": "1"}}}, MCP_H)
MCP_H["Mcp-Session-Id"] = r.getheader("Mcp-Session-Id")
MCP_H["MCP-Protocol-Version"] = "2025-11-25"
conn.request("POST", "/mcp", json.dumps({"jsonrpc": "2.0",
    "method": "notifications/initialized"}), dict(auth, **MCP_H))
r = conn.getresponse()
r.read()
assert r.status == 202, r.status
seq = [1]

def mcp(name, args):
    seq[0] += 1
    t = time.perf_counter()
    r, data = post("/mcp", {"jsonrpc": "2.0", "id": seq[0],
        "method": "tools/call", "params": {"name": name,
        "arguments": args}}, MCP_H)
    ev = [l[6:] for l in data.decode().splitlines() if l.startswith("data: ")]
    res = json.loads(ev[-1])["result"]
    dt = (time.perf_counter() - t) * 1000
    assert not res["isError"], res
    return dt, res

def native(body):
    t = time.perf_counter()
    r, data = post("/v1/computer", body, {"Content-Type": "application/json"})
    res = json.loads(data)
    return (time.perf_counter() - t) * 1000, res

bridge = subprocess.Popen([deskctl, "mcp", "--url",
    "http://127.0.0.1:%d" % port, "--token-file", tokfile],
    stdin=subprocess.PIPE, stdout=subprocess.PIPE)

def bsend(msg):
    # Buffered pipes (a raw one reads a line a byte at a time), flushed.
    bridge.stdin.write((json.dumps(msg) + "\n").encode())
    bridge.stdin.flush()

def brecv():
    return json.loads(bridge.stdout.readline())

bsend({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
    "protocolVersion": "2025-11-25", "capabilities": {},
    "clientInfo": {"name": "bench", "version": "1"}}})
brecv()
bsend({"jsonrpc": "2.0", "method": "notifications/initialized"})

def bcall(name, args):
    seq[0] += 1
    t = time.perf_counter()
    bsend({"jsonrpc": "2.0", "id": seq[0], "method": "tools/call",
        "params": {"name": name, "arguments": args}})
    res = brecv()["result"]
    dt = (time.perf_counter() - t) * 1000
    assert not res["isError"], res
    return dt, res

space = [1280, 720]
cases = [
    ("cursor_position",
     lambda: mcp("computer", {"action": "cursor_position",
         "screenshot": False}),
     lambda: bcall("computer", {"action": "cursor_position",
         "screenshot": False}),
     lambda: native({"action": "cursor_position",
         "coordinate_space": space})),
    ("screenshot 1280x720",
     lambda: mcp("screenshot", {}),
     lambda: bcall("screenshot", {}),
     lambda: native({"action": "screenshot", "coordinate_space": space})),
    ("left_click",
     lambda: mcp("computer", {"action": "left_click",
         "coordinate": [640, 360], "screenshot": False}),
     lambda: bcall("computer", {"action": "left_click",
         "coordinate": [640, 360], "screenshot": False}),
     lambda: native({"action": "left_click", "coordinate": [640, 360],
         "coordinate_space": space})),
    ("click+screenshot",
     lambda: mcp("computer", {"action": "left_click",
         "coordinate": [650, 370]}),
     lambda: bcall("computer", {"action": "left_click",
         "coordinate": [650, 370]}),
     lambda: native({"action": "left_click", "coordinate": [650, 370],
         "coordinate_space": space, "screenshot": True})),
]
# The same image both ways.
a = mcp("screenshot", {})[1]["content"][1]["data"]
b = native({"action": "screenshot", "coordinate_space": space})[1]["base64_image"]
assert len(a) == len(b), (len(a), len(b))
print("# %d calls each, one keep-alive connection each, median ms; "
      "screen 1920x1080 of dense text, images %d KB of base64" %
      (n, len(a) // 1024))
for name, fm, fb, fn in cases:
    # Interleaved, so that a neighbour's load hits all three alike.
    ways = (("mcp", fm), ("bridge", fb), ("native", fn))
    times = {label: [] for label, _ in ways}
    for i in range(n + 5):
        for label, f in ways:
            dt = f()[0]
            if i >= 5:
                times[label].append(dt)
    res = {label: statistics.median(t) for label, t in times.items()}
    print("%-18s /mcp %7.3f   deskctl mcp %7.3f   /v1/computer %7.3f   "
          "MCP overhead %+.3f ms (bridge %+.3f ms)" % (name, res["mcp"],
          res["bridge"], res["native"], res["mcp"] - res["native"],
          res["bridge"] - res["native"]))
bridge.stdin.close()
bridge.wait()
PY
