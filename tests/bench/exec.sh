#!/usr/bin/env bash
# /execute benchmark: deskd against a Flask stand-in of OSWorld's handler
# (subprocess.run with both pipes, text=True, timeout=120, Werkzeug's
# threaded server, no debugger), same client, same commands, same run.
# The client opens a new connection per call, as OSWorld's host does.
#   tests/bench/exec.sh [N]
# Prints medians and the ratio Flask / deskd (above 1: deskd is faster).
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$TOP/_build}
DESKD=$BUILD/agent/deskd
[ -x "$DESKD" ] || { echo "build deskd first ($DESKD)"; exit 1; }
N=${1:-200}
source "$TOP/tests/lib.sh"
python3 -c 'import flask' 2>/dev/null || { skip "exec bench: no flask"; exit 0; }

start_xvfb 1024x768 || exit 1
start_deskd --no-auth --log-level warn || exit 1

FPORT=$(free_port)
cat >"$T_TMP/flask_exec.py" <<'PY'
import shlex, subprocess, sys
from flask import Flask, request, jsonify
app = Flask(__name__)

@app.route("/execute", methods=["POST"])
def execute():
    data = request.json
    shell = data.get("shell", False)
    command = data.get("command", "" if shell else [])
    if isinstance(command, str) and not shell:
        command = shlex.split(command)
    try:
        r = subprocess.run(command, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, shell=shell, text=True,
                           timeout=120)
        return jsonify({"status": "success", "output": r.stdout,
                        "error": r.stderr, "returncode": r.returncode})
    except Exception as e:
        return jsonify({"status": "error", "message": str(e)}), 500

app.run(host="127.0.0.1", port=int(sys.argv[1]), threaded=True)
PY
python3 "$T_TMP/flask_exec.py" "$FPORT" >"$T_TMP/flask.log" 2>&1 &
T_PIDS+=($!)
wait_http "http://127.0.0.1:$FPORT/" || { fail "flask did not start"; exit 1; }

python3 - "$PORT" "$FPORT" "$N" <<'PY'
import http.client, json, statistics, sys, time
dport, fport, n = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])

def call(port, body):
    c = http.client.HTTPConnection("127.0.0.1", port)
    t = time.perf_counter()
    c.request("POST", "/execute", body, {"Content-Type": "application/json"})
    r = c.getresponse()
    data = r.read()
    dt = (time.perf_counter() - t) * 1000
    c.close()
    assert r.status == 200, (port, r.status, data[:200])
    return dt

cases = [
    ("true (list)", json.dumps({"command": ["true"]})),
    ("echo via shlex", json.dumps({"command": "echo 'a b' c", "shell": False})),
    ("1 MB of output", json.dumps({"command": "head -c 1000000 /dev/zero | tr '\\0' a", "shell": True})),
]
print("# /execute, %d calls each, new connection per call, median ms" % n)
for name, body in cases:
    res = {}
    for label, port in (("deskd", dport), ("flask", fport)):
        for _ in range(5):
            call(port, body)
        res[label] = statistics.median(call(port, body) for _ in range(n))
    print("%-16s deskd %7.2f ms   flask %7.2f ms   ratio %.2fx" %
          (name, res["deskd"], res["flask"], res["flask"] / res["deskd"]))
PY
