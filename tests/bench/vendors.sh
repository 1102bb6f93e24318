#!/usr/bin/env bash
# Vendor benchmark: a 10-action turn (two clicks, typing, two keys, a
# scroll, a double and a right click, a move, a drag) done end to end with
# the final screenshot, in the same run:
#   - deskd: one POST /v1/computer per turn, in each vendor's own form
#     (Anthropic tool_use blocks, an OpenAI computer_call with actions[],
#     Gemini function calls, OSWorld computer_13 actions), every action
#     settled on XDamage and proven, the screenshot in the reply (OSWorld:
#     GET /screenshot after, as its host reads it);
#   - the reference harnesses' way: Anthropic's computer tool and OpenAI's
#     sample app run one xdotool process per action and take a screenshot
#     after each (scrot, base64; the Anthropic tool also sleeps 2 s
#     before each, counted separately below); OSWorld's host posts one
#     pyautogui program per action to /execute and reads GET /screenshot
#     after each (pyautogui is not a Debian package: tests/bench/pyautogui
#     stands in for it over python3-xlib with its timings; it imports less,
#     so it starts faster than the real one).
# Chromium shows tests/integration/data/vendor-page.html on a 1920x1080
# Xvfb.  Prints the median of RUNS turns per method and the ratios.
#   tests/bench/vendors.sh [runs]
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$TOP/_build-bench}
if [ ! -x "$BUILD/agent/deskd" ] || [ "$TOP/agent/vendor_exec.c" -nt "$BUILD/agent/deskd" ]; then
	(cd "$TOP" && [ -x configure ] || autoreconf -fi) >/dev/null 2>&1
	mkdir -p "$BUILD"
	(cd "$BUILD" && { [ -f Makefile ] ||
	    "$TOP/configure" CFLAGS="-O2 -g" >/dev/null; } &&
	    make -j"$(nproc)" >/dev/null) || { echo "build failed"; exit 1; }
fi
DESKD=$BUILD/agent/deskd
source "$TOP/tests/lib.sh"
source "$TOP/tests/cdp-lib.sh"
source "$TOP/tests/vendor-lib.sh"
for c in xdotool scrot /usr/bin/python3; do
	command -v "$c" >/dev/null || { echo "$c is not installed (packaging/deps.sh --test)"; exit 1; }
done
/usr/bin/python3 -c 'import Xlib' 2>/dev/null ||
    { echo "python3-xlib is not installed (packaging/deps.sh --test)"; exit 1; }
"$NODE_DIR/setup.sh" >/dev/null 2>&1 || { echo "npm ci in tests/node failed"; exit 1; }

start_xvfb 1920x1080 || exit 1
start_page_chromium || exit 1
# OSWorld's /execute children import the stand-in pyautogui.
export PYTHONPATH=$TOP/tests/bench/pyautogui
start_deskd --no-auth --log-level warn \
    >/dev/null || exit 1

/usr/bin/python3 - "$PORT" "${1:-5}" "$T_TMP" "$NODE_DIR" "$CHR_PORT" <<'EOF'
import base64, http.client, json, os, statistics, subprocess, sys, time

port, runs, tmp = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
node_dir, chr_port = sys.argv[4], sys.argv[5]
W, H = 1920, 1080

def reset():
    subprocess.run(["node", os.path.join(node_dir, "cdp-eval.js"), chr_port,
                    'log.length = 0; t.value = ""; area.scrollTop = 0; "ok"'],
                   check=True, stdout=subprocess.DEVNULL)
    time.sleep(0.3)

def req(method, path, body=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    h = {"Content-Type": "application/json"} if body is not None else {}
    c.request(method, path, json.dumps(body) if body is not None else None, h)
    r = c.getresponse()
    data = r.read()
    c.close()
    if r.status != 200:
        raise SystemExit("%s %s: %d %s" % (method, path, r.status, data[:300]))
    return data

# The turn, in screen pixels.
B1, TA, AREA, B2, B3, SRC, DST = (140, 80), (380, 260), (960, 200), \
    (380, 80), (620, 80), (100, 480), (710, 540)
TEXT = "hello vendors"

def anthropic():
    m = [("left_click", {"coordinate": B1}), ("left_click", {"coordinate": TA}),
         ("type", {"text": TEXT}), ("key", {"text": "ctrl+a"}),
         ("key", {"text": "BackSpace"}),
         ("scroll", {"coordinate": AREA, "scroll_direction": "down",
                     "scroll_amount": 3}),
         ("double_click", {"coordinate": B2}), ("right_click", {"coordinate": B3}),
         ("mouse_move", {"coordinate": SRC}),
         ("left_click_drag", {"start_coordinate": SRC, "coordinate": DST})]
    return [{"type": "tool_use", "id": "toolu_%02d" % i, "name": n,
             "input": {k: list(v) if isinstance(v, tuple) else v
                       for k, v in a.items()}, "toolset_name": "computer"}
            for i, (n, a) in enumerate(m)]

def openai():
    xy = lambda p: {"x": p[0], "y": p[1]}
    a = [dict(type="click", button="left", **xy(B1)),
         dict(type="click", button="left", **xy(TA)),
         {"type": "type", "text": TEXT}, {"type": "keypress", "keys": ["CTRL", "A"]},
         {"type": "keypress", "keys": ["BACKSPACE"]},
         dict(type="scroll", scroll_x=0, scroll_y=360, **xy(AREA)),
         dict(type="double_click", **xy(B2)),
         dict(type="click", button="right", **xy(B3)),
         dict(type="move", **xy(SRC)),
         {"type": "drag", "path": [xy(SRC), xy(DST)]}]
    return {"type": "computer_call", "call_id": "call_1", "actions": a,
            "pending_safety_checks": []}

def gemini():
    g = lambda p: {"x": p[0] * 1000 // W, "y": p[1] * 1000 // H}
    c = [("click", g(B1)), ("click", g(TA)),
         ("type", {"text": TEXT, "press_enter": False}),
         ("hotkey", {"keys": ["Control", "a"]}), ("press_key", {"key": "Backspace"}),
         ("scroll", dict(direction="down", magnitude_in_pixels=360, **g(AREA))),
         ("double_click", g(B2)), ("right_click", g(B3)), ("move", g(SRC)),
         ("drag_and_drop", {"x": g(SRC)["x"], "y": g(SRC)["y"],
                            "destination_x": g(DST)["x"],
                            "destination_y": g(DST)["y"]})]
    return {"role": "model", "parts": [{"functionCall": {"name": n, "args": a}}
                                       for n, a in c]}

def osworld():
    p = lambda q: {"x": q[0], "y": q[1]}
    return [{"action_type": "CLICK", "parameters": p(B1)},
            {"action_type": "CLICK", "parameters": p(TA)},
            {"action_type": "TYPING", "parameters": {"text": TEXT}},
            {"action_type": "HOTKEY", "parameters": {"keys": ["ctrl", "a"]}},
            {"action_type": "PRESS", "parameters": {"key": "backspace"}},
            {"action_type": "SCROLL", "parameters": {"dy": -3}},
            {"action_type": "DOUBLE_CLICK", "parameters": p(B2)},
            {"action_type": "RIGHT_CLICK", "parameters": p(B3)},
            {"action_type": "MOVE_TO", "parameters": p(SRC)},
            {"action_type": "DRAG_TO", "parameters": p(DST)}]

def deskd(form, body):
    t0 = time.monotonic()
    r = json.loads(req("POST", "/v1/computer/" + form, body))
    if form == "osworld":
        req("GET", "/screenshot")
    dt = time.monotonic() - t0
    assert len(r["actions"]) >= 10 and all(a["ran"] for a in r["actions"]), r
    return dt

XDO = [["mousemove", "--sync", *map(str, B1), "click", "1"],
       ["mousemove", "--sync", *map(str, TA), "click", "1"],
       ["type", "--delay", "12", "--", TEXT], ["key", "--", "ctrl+a"],
       ["key", "--", "BackSpace"],
       ["mousemove", "--sync", *map(str, AREA), "click", "--repeat", "3", "5"],
       ["mousemove", "--sync", *map(str, B2), "click", "--repeat", "2",
        "--delay", "10", "1"],
       ["mousemove", "--sync", *map(str, B3), "click", "3"],
       ["mousemove", "--sync", *map(str, SRC)],
       ["mousedown", "1", "mousemove", "--sync", *map(str, DST), "mouseup", "1"]]

def xdotool_scrot():
    # computer_use_demo/tools/computer.py: one shell-out per action, then a
    # scrot screenshot read back as base64 (without its 2 s sleep).
    shot = os.path.join(tmp, "shot.png")
    t0 = time.monotonic()
    for a in XDO:
        subprocess.run(["xdotool", *a], check=True)
        subprocess.run(["scrot", "-o", "-p", shot], check=True,
                       stderr=subprocess.DEVNULL)
        with open(shot, "rb") as f:
            base64.b64encode(f.read())
    return time.monotonic() - t0

def pyautogui_calls(durations):
    # desktop_env/controllers/python.py's translation of the same turn.
    mv = "0.75, pyautogui.easeInQuad" if durations else "0, pyautogui.easeInQuad"
    drag = "1.0" if durations else "0"
    return ["pyautogui.click(x=%d, y=%d)" % B1, "pyautogui.click(x=%d, y=%d)" % TA,
            "pyautogui.typewrite(%r)" % TEXT, "pyautogui.hotkey('ctrl', 'a')",
            "pyautogui.press('backspace')", "pyautogui.vscroll(-3)",
            "pyautogui.doubleClick(x=%d, y=%d)" % B2,
            "pyautogui.rightClick(x=%d, y=%d)" % B3,
            "pyautogui.moveTo(%d, %d, %s)" % (SRC + (mv,)),
            "pyautogui.dragTo(%d, %d, duration=%s, button='left', "
            "mouseDownUp=True)" % (DST + (drag,))]

def osworld_execute(durations):
    t0 = time.monotonic()
    for call in pyautogui_calls(durations):
        cmd = ["/usr/bin/python3", "-c", "import pyautogui; import time; "
               "pyautogui.FAILSAFE = False; " + call]
        r = json.loads(req("POST", "/execute", {"command": cmd, "shell": False}))
        if r.get("returncode") != 0:
            raise SystemExit("pyautogui failed: %s" % r)
        req("GET", "/screenshot")
    return time.monotonic() - t0

methods = [
    ("deskd anthropic (1 POST)", lambda: deskd("anthropic", anthropic())),
    ("deskd openai (1 POST)", lambda: deskd("openai", openai())),
    ("deskd gemini (1 POST)", lambda: deskd("gemini", gemini())),
    ("deskd osworld (1 POST + GET)", lambda: deskd("osworld", osworld())),
    ("xdotool + scrot per action", xdotool_scrot),
    ("pyautogui /execute per action", lambda: osworld_execute(True)),
    ("  same, move/drag durations 0", lambda: osworld_execute(False)),
]
times = {n: [] for n, _ in methods}
for _ in range(runs):
    for n, f in methods:
        reset()
        times[n].append(f())
med = {n: statistics.median(v) for n, v in times.items()}
print("10-action turn with the final screenshot, median of %d (1920x1080, "
      "Chromium):" % runs)
for n, _ in methods:
    print("  %-34s %7.0f ms" % (n, med[n] * 1000))
x = med["xdotool + scrot per action"]
o = med["pyautogui /execute per action"]
o0 = med["  same, move/drag durations 0"]
for v in ("anthropic", "openai", "gemini"):
    n = [k for k in med if k.startswith("deskd " + v)][0]
    print("  ratio xdotool+scrot / deskd %-10s %5.2fx  (with the Anthropic "
          "tool's 2 s sleeps: %.1fx)" % (v, x / med[n], (x + 20) / med[n]))
n = "deskd osworld (1 POST + GET)"
print("  ratio pyautogui+/execute / deskd osworld %5.2fx (durations 0: %.2fx)"
      % (o / med[n], o0 / med[n]))
EOF
