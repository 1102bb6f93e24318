#!/usr/bin/env bash
# Soak and load: deskd (plain build) under a long mixed load, then under
# hostile connections, with the figures printed.
#   tests/bench/soak.sh [N] [CONCURRENCY]
#
# 1. N (default 100,000) mixed requests from CONCURRENCY (8) keep-alive
#    clients with the token: health, actions, screenshots, commands, file
#    writes and reads, windows, and requests that must be refused (bad
#    JSON, unknown paths).  An error is a transport failure or a status
#    other than the one the request must get.  RSS and open descriptors
#    are sampled; their averages over the first and the last 10% of the
#    requests should match (flat: nothing leaks per request).
# 2. A stranger (192.0.2.2, a network namespace of our own) holds 1,100
#    silent connections, reopening them as soon as they are closed or
#    refused (a connect flood against deskd, which refuses), while a token
#    holder (192.0.2.3) opens a new connection per request, as OSWorld's
#    host does, for GET /cursor_position.  The same against a Flask stand-in of OSWorld's
#    server (Werkzeug's threaded server), same clients, same run.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$TOP/_build}
DESKD=$BUILD/agent/deskd
[ -x "$DESKD" ] || { echo "build deskd first ($DESKD)"; exit 1; }
N=${1:-100000}
CONC=${2:-8}
HOSTILE_S=${HOSTILE_S:-20}
source "$TOP/tests/lib.sh"

start_xvfb 1280x720 || exit 1
token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$token" >"$T_TMP/token"
chmod 600 "$T_TMP/token"
start_deskd --token-file "$T_TMP/token" --log-level warn || exit 1
mkdir -p "$T_TMP/files"

echo "# 1. $N mixed requests, $CONC keep-alive clients with the token"
python3 - "$PORT" "$token" "$N" "$CONC" "$DESKD_PID" "$T_TMP/files" <<'PY'
import http.client, json, os, random, sys, threading, time
port, token, n, conc, pid, fdir = (int(sys.argv[1]), sys.argv[2],
    int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6])
A = {"Authorization": "Bearer " + token}
J = dict(A, **{"Content-Type": "application/json"})
blob = os.urandom(1024)
KINDS = [  # weight, method, path, body, headers, expected status
    (30, "GET", "/health", None, A, 200),
    (20, "POST", "/v1/computer", "MOVE", J, 200),
    (5, "GET", "/v1/screenshot?scale=0.1", None, A, 200),
    (5, "POST", "/v1/exec", json.dumps({"argv": ["true"]}), J, 200),
    (8, "PUT", "/v1/files?path=FILE", blob, A, 200),
    (8, "GET", "/v1/files?path=FILE", None, A, 200),
    (5, "GET", "/v1/windows", None, A, 200),
    (9, "GET", "/cursor_position", None, A, 200),
    (5, "POST", "/v1/exec", '{"argv": [', J, 400),
    (5, "GET", "/nowhere", None, A, 404),
]
table = [k for k in KINDS for _ in range(k[0])]
lock = threading.Lock()
done = 0
errors = []
def worker(tid):
    global done
    rnd = random.Random(tid)
    fpath = "%s/soak-%d" % (fdir, tid)
    c = None
    put_once = False
    i = 0
    while True:
        with lock:
            if done >= n:
                return
        w, m, p, b, h, want = rnd.choice(table)
        if p.endswith("FILE"):
            if m == "GET" and not put_once:
                continue
            p = p.replace("FILE", fpath)
            put_once = True
        if b == "MOVE":
            b = json.dumps({"action": "mouse_move",
                            "coordinate": [rnd.randrange(1280), rnd.randrange(720)]})
        try:
            if c is None:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            c.request(m, p, b, h)
            r = c.getresponse()
            r.read()
            st = r.status
            if r.getheader("Connection", "").lower() == "close":
                c.close(); c = None
        except Exception as e:
            st = "error: %r" % e
            c = None
        i += 1
        if i % 50 == 0 and c is not None:   # new connections too
            c.close(); c = None
        with lock:
            done += 1
            if st != want:
                errors.append((m, p, want, st))

def sample():
    rss = int([l for l in open("/proc/%d/status" % pid) if l.startswith("VmRSS")][0].split()[1])
    return rss, len(os.listdir("/proc/%d/fd" % pid))

samples = []
t0 = time.time()
ts = [threading.Thread(target=worker, args=(t,)) for t in range(conc)]
for t in ts:
    t.start()
while any(t.is_alive() for t in ts):
    with lock:
        d = done
    samples.append((d,) + sample())
    time.sleep(0.2)
for t in ts:
    t.join()
dt = time.time() - t0
def avg(lo, hi):
    s = [x for x in samples if lo <= x[0] <= hi]
    return (sum(x[1] for x in s) / len(s), sum(x[2] for x in s) / len(s),
            len(s)) if s else (0, 0, 0)
r1, f1, k1 = avg(0, n // 10)
r2, f2, k2 = avg(n - n // 10, n)
print("requests %d in %.1f s (%.0f/s), errors %d" % (done, dt, done / dt, len(errors)))
for e in errors[:5]:
    print("#   error:", e)
print("RSS    first 10%%: %8.0f kB   last 10%%: %8.0f kB   change %+.1f%%" %
      (r1, r2, 100 * (r2 - r1) / r1 if r1 else 0))
print("fds    first 10%%: %8.1f      last 10%%: %8.1f      change %+.1f" %
      (f1, f2, f2 - f1))
print("peak RSS %d kB (%d samples)" % (max(s[1] for s in samples), len(samples)))
PY
stop_deskd

echo "# 2. 1,100 hostile connections for $HOSTILE_S s while a token holder works"
nsa=deskd-soak-srv-$$
nsb=deskd-soak-cli-$$
if ! ip netns add "$nsa" 2>/dev/null || ! ip netns add "$nsb" 2>/dev/null; then
	ip netns del "$nsa" 2>/dev/null
	echo "skip - hostile part: cannot create network namespaces (ip netns add failed)"
	exit 0
fi
trap 't_cleanup; ip netns del "$nsa" 2>/dev/null; ip netns del "$nsb" 2>/dev/null' EXIT
ip link add vda netns "$nsa" type veth peer name vdb netns "$nsb"
ip -n "$nsa" addr add 192.0.2.1/24 dev vda
ip -n "$nsa" link set vda up
ip -n "$nsa" link set lo up
ip -n "$nsb" addr add 192.0.2.2/24 dev vdb
ip -n "$nsb" addr add 192.0.2.3/24 dev vdb
ip -n "$nsb" link set vdb up
ip -n "$nsb" link set lo up

RPORT=$(free_port)
ip netns exec "$nsa" "$DESKD" --listen "0.0.0.0:$RPORT" --cdp-listen off \
    --log-level info --display "$XDISP" --token-file "$T_TMP/token" \
    >"$T_TMP/deskd.remote.log" 2>&1 &
T_PIDS+=("$!")
FPORT=$(free_port)
cat >"$T_TMP/flask_osworld.py" <<'PY'
import sys
from flask import Flask, jsonify
app = Flask(__name__)
@app.route("/cursor_position")
def cursor_position():
    return jsonify([0, 0])
app.run(host="0.0.0.0", port=int(sys.argv[1]), threaded=True)
PY
have_flask=0
if python3 -c 'import flask' 2>/dev/null; then
	ip netns exec "$nsa" python3 "$T_TMP/flask_osworld.py" "$FPORT" \
	    >"$T_TMP/flask.log" 2>&1 &
	T_PIDS+=("$!")
	have_flask=1
fi
for _ in $(seq 100); do
	ip netns exec "$nsa" curl -s -o /dev/null "http://127.0.0.1:$RPORT/health" && break
	sleep 0.1
done
sleep 1

hostile() {	# hostile PORT LABEL
	ip netns exec "$nsb" python3 - "$1" "$2" "$token" "$HOSTILE_S" <<'PY'
import resource, selectors, socket, sys, threading, time
port, label, token, secs = int(sys.argv[1]), sys.argv[2], sys.argv[3], float(sys.argv[4])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
stop = time.time() + secs
held = {}
refused = [0]
peak = [0]
def conn(src, timeout=5):
    s = socket.socket()
    s.bind((src, 0))
    s.settimeout(timeout)
    s.connect(("192.0.2.1", port))
    return s
def stranger():
    # 1,100 silent connections, reopened whenever deskd closes or refuses
    # one, at most 1,000 new ones a second (100 a tick), so both servers
    # face the same attack.
    while time.time() < stop:
        tick = time.time() + 0.1
        opened = 0
        while len(held) < 1100 and opened < 100:
            opened += 1
            try:
                s = conn("192.0.2.2", 2)
                s.setblocking(False)
                held[s.fileno()] = s
            except OSError:
                break
        peak[0] = max(peak[0], len(held))
        while time.time() < tick:
            sel = selectors.DefaultSelector()	# select() stops at fd 1024
            for s in held.values():
                sel.register(s, selectors.EVENT_READ)
            r = [k.fileobj for k, _ in sel.select(max(0, tick - time.time()))]
            sel.close()
            for s in r:
                try:
                    b = s.recv(100)
                    if b.startswith(b"HTTP/1.1 503"):
                        refused[0] += 1
                except OSError:
                    pass
                held.pop(s.fileno(), None)
                s.close()
t = threading.Thread(target=stranger)
t.start()
time.sleep(1)
lat = []
fail = 0
while time.time() < stop:
    t0 = time.time()
    try:
        s = conn("192.0.2.3", 10)
        s.sendall(b"GET /cursor_position HTTP/1.1\r\nHost: 192.0.2.1\r\n"
                  b"Authorization: Bearer %s\r\nConnection: close\r\n\r\n"
                  % token.encode())
        b = b""
        while True:
            d = s.recv(65536)
            if not d:
                break
            b += d
        s.close()
        ok = b.startswith(b"HTTP/1.1 200")
    except OSError:
        ok = False
    if ok:
        lat.append((time.time() - t0) * 1000)
    else:
        fail += 1
    time.sleep(0.05)
t.join()
lat.sort()
q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] if lat else float("nan")
print("%-6s token holder: %d answered, %d failed; latency p50 %.1f ms, "
      "p99 %.1f ms, max %.1f ms; stranger held up to %d at once, got %d 503s"
      % (label, len(lat), fail, q(0.5), q(0.99), lat[-1] if lat else float("nan"),
         peak[0], refused[0]))
PY
}
out_d=$(hostile "$RPORT" deskd)
echo "$out_d"
if [ $have_flask = 1 ]; then
	out_f=$(hostile "$FPORT" flask)
	echo "$out_f"
	python3 - "$out_d" "$out_f" <<'PY'
import re, sys
d, f = (re.search(r"(\d+) answered, (\d+) failed.*p50 ([\d.na]+) ms", s).groups() for s in sys.argv[1:])
print("ratio answered deskd/flask %.2fx; p50 flask/deskd %.2fx" % (
    int(d[0]) / max(1, int(f[0])), float(f[2]) / float(d[2])))
PY
else
	echo "skip - flask stand-in: no flask"
fi
echo "# deskd log: $(wc -l <"$T_TMP/deskd.remote.log") lines (refusals are logged once a second at most)"
