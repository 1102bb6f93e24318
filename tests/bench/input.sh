#!/usr/bin/env bash
# Input benchmark: deskd's POST /v1/computer against xdotool (what the
# Anthropic and AWS computer-use tools shell out to), in the same run, on a
# private Xvfb with tests/tools/xrecord holding the focus and recording what
# arrives.  Speed and exactness both:
#   - click round trip p50: a left_click at a new point until the answer
#     (deskd syncs with the X server before answering) vs one
#     `xdotool mousemove X Y click 1` process;
#   - typing 200 characters of mixed text (ASCII, accents, Greek, Cyrillic,
#     CJK, emoji): time and whether the recorder got exactly that text, vs
#     `xdotool type` at its default 12 ms delay (the Anthropic tool's
#     setting) and at 0 ms.
#   tests/bench/input.sh [runs]
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$TOP/_build-bench}
source "$TOP/tests/bench/bench-lib.sh"
if [ ! -x "$BUILD/agent/deskd" ] || [ ! -x "$BUILD/tests/tools/xrecord" ]; then
	bench_build
fi
DESKD=$BUILD/agent/deskd
source "$TOP/tests/lib.sh"
source "$TOP/tests/input-lib.sh"
command -v xdotool >/dev/null || { echo "xdotool is not installed"; exit 1; }
start_xvfb 1920x1080 || exit 1
start_recorder || exit 1
start_deskd --log-level warn >/dev/null || exit 1

CHROME=$(command -v chromium || command -v chromium-browser || true)

python3 - "$PORT" "$REC_LOG" "${1:-5}" "$CHROME" "$TOP" "$T_TMP" <<'EOF'
import http.client, json, os, random, re, statistics, subprocess, sys, time

port, rec_log, runs = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
chrome, top, tmp = sys.argv[4], sys.argv[5], sys.argv[6]
conn = http.client.HTTPConnection("127.0.0.1", port)
env = dict(os.environ, LC_ALL="C.UTF-8")

def act(obj):
    body = json.dumps(obj)
    conn.request("POST", "/v1/computer", body,
                 {"Content-Type": "application/json"})
    r = conn.getresponse()
    data = r.read()
    if r.status != 200:
        raise SystemExit("deskd answered %d: %s" % (r.status, data[:200]))
    return data

def lines():
    with open(rec_log, encoding="utf-8", errors="replace") as f:
        return f.read().splitlines()

def decode(t):
    return re.sub(r'\\(x[0-9a-f]{2}|\\|")',
                  lambda e: chr(int(e.group(1)[1:], 16))
                  if e.group(1)[0] == "x" else e.group(1), t)

def sync(mark):
    """Send the F12 sentinel through deskd and wait for it to arrive."""
    act({"action": "key", "text": "F12"})
    for _ in range(400):
        if any(l.startswith("KeyRelease keysym=F12 ") for l in lines()[mark:]):
            return
        time.sleep(0.025)
    raise SystemExit("sentinel never arrived")

def typed(mark):
    out = []
    for l in lines()[mark:]:
        if "keysym=F12 " in l:
            continue
        m = re.match(r'KeyPress .* text="(.*)"$', l)
        if m:
            out.append(decode(m.group(1)))
    return "".join(out)

def wait_settled(mark, want):
    """Until what arrived after mark stops growing (xdotool has no reply)."""
    last, same = None, 0
    for _ in range(400):
        got = typed(mark)
        if got == want:
            return
        same = same + 1 if got == last else 0
        if same >= 8:
            return
        last = got
        time.sleep(0.05)

def p50(v):
    return statistics.median(v) * 1000

# Clicks.
n = 40
pts = [(100 + 17 * i, 100 + 11 * i) for i in range(n)]
act({"action": "mouse_move", "coordinate": [5, 5]})
dk = []
for x, y in pts:
    t = time.perf_counter()
    act({"action": "left_click", "coordinate": [x, y]})
    dk.append(time.perf_counter() - t)
dc = []
for x, y in pts:
    t = time.perf_counter()
    subprocess.run(["curl", "-s", "-o", "/dev/null", "-X", "POST",
                    "-H", "Content-Type: application/json",
                    "http://127.0.0.1:%d/v1/computer" % port, "-d",
                    json.dumps({"action": "left_click",
                                "coordinate": [x + 1, y + 1]})],
                   check=True)
    dc.append(time.perf_counter() - t)
dx = []
for x, y in pts:
    t = time.perf_counter()
    subprocess.run(["xdotool", "click", "1"], check=True, env=env)
    dx.append(time.perf_counter() - t)
dm = []
for x, y in pts:
    t = time.perf_counter()
    subprocess.run(["xdotool", "mousemove", "--sync", str(x + 2),
                    str(y + 2), "click", "1"], check=True, env=env)
    dm.append(time.perf_counter() - t)
print("# click round trip, p50 of %d" % n)
print("deskd left_click at x,y (keep-alive HTTP) %7.2f ms" % p50(dk))
print("deskd left_click at x,y (one curl each)   %7.2f ms" % p50(dc))
print("xdotool click 1                           %7.2f ms" % p50(dx))
print("xdotool mousemove --sync x y click 1      %7.2f ms" % p50(dm))
print("ratio xdotool click / deskd               %7.1fx keep-alive, "
      "%.1fx curl" % (p50(dx) / p50(dk), p50(dx) / p50(dc)))

# Typing 200 mixed characters.
random.seed(42)
pool = ("abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789"
        " .,;:!?-_()@#" "éèàùçäöüßñ€" "αβγδεζηθ" "абвгдежз" "中文日本語字"
        "😀🎉👍")
texts = ["".join(random.choice(pool) for _ in range(200))
         for _ in range(runs)]

def bench(name, run):
    times, exact = [], 0
    for text in texts:
        sync(len(lines()))
        mark = len(lines())
        t = time.perf_counter()
        run(text)
        times.append(time.perf_counter() - t)
        if name.startswith("deskd"):
            sync(mark)
        else:
            wait_settled(mark, text)
        got = typed(mark)
        exact += got == text
        if got != text and name.startswith("deskd"):
            print("#   deskd mismatch: %r" % got[:80])
    print("%-28s %8.1f ms  exact %d/%d (%d%%)"
          % (name, statistics.median(times) * 1000, exact, len(texts),
             100 * exact // len(texts)))
    return statistics.median(times), exact

print("# type 200 mixed characters, median of %d runs" % runs)
kd, ed = bench("deskd type", lambda s: act({"action": "type", "text": s}))
k12, e12 = bench("xdotool type (--delay 12)",
                 lambda s: subprocess.run(["xdotool", "type", "--", s],
                                          env=env, check=False))
k0, e0 = bench("xdotool type --delay 0",
               lambda s: subprocess.run(["xdotool", "type", "--delay", "0",
                                         "--", s], env=env, check=False))
print("ratio xdotool(12)/deskd     %7.1fx" % (k12 / kd))
print("ratio xdotool(0)/deskd      %7.1fx" % (k0 / kd))

# The same typing into a real application: Chromium's textarea (the page
# of tests/integration/input-chrome.t, which puts its state in its title).
if not chrome:
    print("# chromium not installed: no application typing figures")
    sys.exit(0)
import base64, signal
proc = subprocess.Popen([chrome, "--no-sandbox", "--user-data-dir=" + tmp +
                         "/chrome", "--no-first-run", "--disable-gpu",
                         "--kiosk", "--password-store=basic",
                         "--disable-features=Translate",
                         "file://" + top +
                         "/tests/integration/data/input-page.html"],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                        start_new_session=True)

def state():
    out = subprocess.run(["xwininfo", "-root", "-tree"], capture_output=True,
                         text=True).stdout
    m = re.search(r"R:([A-Za-z0-9+/=]+)", out)
    if not m:
        return None
    try:
        return json.loads(base64.b64decode(m.group(1)).decode())
    except Exception:
        return None

def value_settled(want):
    last, same = None, 0
    for _ in range(600):
        st = state()
        v = st["v"] if st else None
        if v == want:
            return v
        same = same + 1 if v == last else 0
        if same >= 10:
            return v
        last = v
        time.sleep(0.05)
    return last

try:
    for _ in range(300):
        if state() is not None:
            break
        time.sleep(0.1)
    else:
        raise SystemExit("chromium did not show the page")
    # Warm up: the textarea must have the focus and take keys first.
    for _ in range(20):
        act({"action": "left_click", "coordinate": [100, 100]})
        act({"action": "key", "text": "ctrl+a BackSpace"})
        act({"action": "type", "text": "ready"})
        if value_settled("ready") == "ready":
            break

    def bench_app(name, run):
        times, exact, shown = [], 0, 0
        for text in texts:
            act({"action": "left_click", "coordinate": [100, 100]})
            act({"action": "key", "text": "ctrl+a BackSpace"})
            value_settled("")
            t = time.perf_counter()
            run(text)
            times.append(time.perf_counter() - t)
            got = value_settled(text) or ""
            exact += got == text
            if got != text and (name.startswith("deskd") or shown < 1):
                shown += 1
                i = next((k for k in range(min(len(got), len(text)))
                          if got[k] != text[k]), min(len(got), len(text)))
                print("#   %s: first difference at %d: got %r, want %r"
                      % (name, i, got[i:i + 12], text[i:i + 12]))
        print("%-28s %8.1f ms  exact %d/%d (%d%%)"
              % (name, statistics.median(times) * 1000, exact, len(texts),
                 100 * exact // len(texts)))

    print("# type the same 200 characters into Chromium, median of %d runs"
          % runs)
    bench_app("deskd type", lambda s: act({"action": "type", "text": s}))
    bench_app("xdotool type (--delay 12)",
              lambda s: subprocess.run(["xdotool", "type", "--", s],
                                       env=env, check=False))
    bench_app("xdotool type --delay 0",
              lambda s: subprocess.run(["xdotool", "type", "--delay", "0",
                                        "--", s], env=env, check=False))
finally:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
EOF
