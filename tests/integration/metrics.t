#!/usr/bin/env bash
# GET /metrics: the Prometheus text format (0.0.4), checked by a small
# parser here (promtool is not needed): every sample belongs to a family
# with a # TYPE before it, labels are well formed, histograms have
# cumulative buckets ending in +Inf equal to _count.  The counters move
# with the requests made, the encode histogram with the screenshots, the
# reconnect counter with the X server coming back; and /metrics is under
# the same auth as the rest.
source "$(dirname "$0")/../lib.sh"

start_xvfb 800x600 || exit 1
make_token
start_deskd --token-file "$T_TMP/token" --display "$XDISP" || exit 1

cat >"$T_TMP/prom.py" <<'PY'
"""prom.py FILE [QUERY...]: parse Prometheus text 0.0.4 strictly; print
"ok" or the first problem, then one value per QUERY, a sample written
as name{label="v",...} (labels in any order; missing: 0)."""
import math, re, sys

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"'
SAMPLE = re.compile(r"^(%s)(?:\{((?:%s)(?:,%s)*)?\})? (\S+)(?: -?\d+)?$" % (NAME, LABEL, LABEL))

def labels(s):
    return tuple(sorted(re.findall(LABEL, s or "")))

def parse(text):
    types, samples, problems = {}, {}, []
    if not text.endswith("\n"):
        problems.append("no newline at the end")
    for n, line in enumerate(text.splitlines(), 1):
        if line.startswith("# TYPE "):
            p = line.split(" ")
            if len(p) != 4 or not re.fullmatch(NAME, p[2]) or p[3] not in (
                    "counter", "gauge", "histogram", "summary", "untyped"):
                problems.append("line %d: bad TYPE" % n)
            elif p[2] in types:
                problems.append("line %d: %s typed twice" % (n, p[2]))
            types[p[2]] = p[3]
            continue
        if line.startswith("# HELP ") or line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        if not m:
            problems.append("line %d: not a sample: %r" % (n, line))
            continue
        name, lab, value = m.group(1), m.group(2), m.group(m.lastindex)
        try:
            v = float(value)
        except ValueError:
            problems.append("line %d: value %r" % (n, value))
            continue
        base = re.sub(r"_(bucket|sum|count)$", "", name)
        fam = name if name in types else base
        if fam not in types:
            problems.append("line %d: %s has no TYPE before it" % (n, name))
        elif types[fam] == "counter" and not name.endswith("_total"):
            problems.append("line %d: counter %s without _total" % (n, name))
        key = (name, labels(lab))
        if key in samples:
            problems.append("line %d: %s twice" % (n, line))
        samples[key] = v
    # Histograms: cumulative buckets, +Inf == _count.
    for fam, t in types.items():
        if t != "histogram":
            continue
        series = {}
        for (name, lab), v in samples.items():
            if name == fam + "_bucket":
                rest = tuple(x for x in lab if x[0] != "le")
                le = [x[1] for x in lab if x[0] == "le"][0]
                series.setdefault(rest, []).append((math.inf if le == "+Inf" else float(le), v))
        for rest, b in series.items():
            b.sort()
            if b[-1][0] != math.inf:
                problems.append("%s%s: no +Inf bucket" % (fam, rest))
            if any(b[i][1] > b[i + 1][1] for i in range(len(b) - 1)):
                problems.append("%s%s: buckets not cumulative" % (fam, rest))
            if samples.get((fam + "_count", rest)) != b[-1][1]:
                problems.append("%s%s: _count is not the +Inf bucket" % (fam, rest))
            if (fam + "_sum", rest) not in samples:
                problems.append("%s%s: no _sum" % (fam, rest))
    return types, samples, problems

text = open(sys.argv[1]).read()
types, samples, problems = parse(text)
print(problems[0] if problems else "ok")
for q in sys.argv[2:]:
    m = re.match(r"^(%s)(?:\{(.*)\})?$" % NAME, q)
    v = samples.get((m.group(1), labels(m.group(2))), 0)
    print(int(v) if v == int(v) else v)
PY
# scrape FILE QUERY...: GET /metrics into FILE, then the parser.
scrape() {
	local f=$1
	shift
	curl -s "${AUTH[@]}" -o "$f" "$URL/metrics"
	python3 "$T_TMP/prom.py" "$f" "$@"
}

is "$(http GET "$URL/metrics")" 401 "/metrics without the token: 401"
is "$(http GET "$URL/metrics" "${AUTH[@]}")" 200 "with it: 200"
is "$(header Content-Type)" "text/plain; version=0.0.4; charset=utf-8" "Prometheus text 0.0.4"
Q=('deskd_http_requests_total{server="api",route="/v1/screenshot",method="GET",code="200"}'
   'deskd_http_request_duration_seconds_count{server="api",route="/v1/screenshot"}'
   'deskd_screenshot_encode_seconds_count'
   'deskd_http_requests_total{server="api",route="/v1/computer",method="POST",code="200"}'
   'deskd_http_requests_total{server="api",route="/v1/exec",method="POST",code="200"}'
   'deskd_http_request_duration_seconds_count{server="api",route="/v1/exec"}'
   'deskd_http_requests_total{server="api",route="none",method="GET",code="401"}'
   'deskd_http_requests_total{server="api",route="none",method="GET",code="404"}'
   'deskd_http_requests_total{server="api",route="/metrics",method="GET",code="200"}'
   'deskd_x_reconnects_total'
   'deskd_input_queue_depth')
scrape "$T_TMP/m0" "${Q[@]}" >"$T_TMP/v0"
is "$(head -n1 "$T_TMP/v0")" ok "the exposition parses (families typed, labels well formed)"
for _ in 1 2 3; do
	curl -s -o /dev/null "${AUTH[@]}" "$URL/v1/screenshot"
done
curl -s -o /dev/null "${AUTH[@]}" -X POST "$URL/v1/computer" \
    -H 'Content-Type: application/json' -d '{"action": "mouse_move", "coordinate": [10, 10]}'
curl -s -o /dev/null "${AUTH[@]}" -X POST "$URL/v1/exec" -H 'Content-Type: application/json' -d '{"argv": ["true"]}'
curl -s -o /dev/null "$URL/v1/screenshot"
curl -s -o /dev/null "${AUTH[@]}" "$URL/no/such/path"
scrape "$T_TMP/m1" "${Q[@]}" >"$T_TMP/v1"
is "$(head -n1 "$T_TMP/v1")" ok "it still parses after requests (histograms cumulative, +Inf = _count)"
is "$(python3 -c 'import sys; a, b = (open(f).read().split()[1:] for f in sys.argv[1:]); print(" ".join(str(int(float(x) - float(y))) for x, y in zip(a, b)))' "$T_TMP/v1" "$T_TMP/v0") " \
    "3 3 3 1 1 1 1 1 1 0 0 " \
    "counters moved with the requests: 3 screenshots (counted, timed, encoded), an action, a command, a 401, a 404, the last scrape"
like "$(grep '^deskd_http_request_duration_seconds_bucket{server="api",route="/v1/screenshot",le="+Inf"}' "$T_TMP/m1")" ' 3$' \
    "the screenshot latency histogram has 3 in its +Inf bucket"
like "$(grep '^deskd_idle_seconds ' "$T_TMP/m1")" '^deskd_idle_seconds [0-9.]+$' "idle seconds are a gauge"
like "$(grep '^deskd_build_info' "$T_TMP/m1")" 'version="[0-9.]+"\} 1$' "build info carries the version"

kill -KILL "$XVFB_PID"
wait "$XVFB_PID" 2>/dev/null
for _ in $(seq 50); do [ "$(http GET "$URL/health")" = 503 ] && break; sleep 0.1; done
is "$(scrape "$T_TMP/m2" deskd_x_connected | tail -n1)" 0 "X gone: deskd_x_connected 0"
restart_xvfb_same 800x600 || exit 1
for _ in $(seq 100); do [ "$(http GET "$URL/health")" = 200 ] && break; sleep 0.1; done
is "$(scrape "$T_TMP/m3" deskd_x_reconnects_total deskd_x_connected | tail -n +2 | tr '\n' ' ')" "1 1 " \
    "X back: one reconnect counted, connected again"
stop_deskd
is $? 0 "deskd exits cleanly"
sanitizer_clean "$DESKD_LOG"
ok $? "no sanitizer report"
