#!/usr/bin/env bash
# vendor-osworld: OSWorld's computer_13 actions ({"action_type",
# "parameters"}) posted as the agent emits them, landing in real Chromium
# on a 1920x1080 Xvfb in screen pixels, with pyautogui's key names and
# wheel clicks; and the per-vendor path refusing another vendor's body.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../cdp-lib.sh"
source "$(dirname "$0")/../vendor-lib.sh"
cdp_requirements

start_xvfb 1920x1080 || exit 1
start_page_chromium || exit 1
start_deskd --no-auth || exit 1

osw() {	# osw JSON: POST /v1/computer/osworld
	http POST "$URL/v1/computer/osworld" -H 'Content-Type: application/json' \
	    --data-binary "$1"
}

page_reset
body='[
 {"action_type": "CLICK", "parameters": {"x": 140, "y": 80}},
 {"action_type": "CLICK", "parameters": {"button": "right", "x": 380.4, "y": 80}},
 {"action_type": "CLICK", "parameters": {"button": "left", "x": 620, "y": 80, "num_clicks": 2}},
 {"action_type": "RIGHT_CLICK", "parameters": {"x": 140, "y": 80}},
 {"action_type": "KEY_DOWN", "parameters": {"key": "shift"}},
 {"action_type": "DOUBLE_CLICK", "x": 380, "y": 80},
 {"action_type": "KEY_UP", "parameters": {"key": "shift"}},
 "DONE"]'
is "$(osw "$body")" 200 "a list of computer_13 actions answers 200 on /v1/computer/osworld"
page_wait "len([e for e in j['log'] if e['t'] == 'dblclick']) == 2"
page_check "[(e['id'], e['x'], e['y']) for e in j['log'] if e['t'] == 'click'][:1] == [('b1', 140, 80)]" "CLICK at screen pixels (140, 80) on b1"
page_check "[e['id'] for e in j['log'] if e['t'] == 'contextmenu'] == ['b2', 'b1']" "CLICK button right (x a float) and RIGHT_CLICK: contextmenus on b2 and b1"
page_check "[(e['id'], e['m']) for e in j['log'] if e['t'] == 'dblclick'] == [('b3', ''), ('b2', 's')]" "num_clicks 2 and DOUBLE_CLICK (flat parameters) are double clicks; KEY_DOWN shift held"
reply_check 'r["vendor"] == "osworld" and r["append"] is None and r["calls"][-1]["state"] == "done" and r["calls"][-1]["host_only"] is True' "DONE is the host's: nothing ran for it"
reply_check 'r["calls"][-1]["image"]["size"] == [1920, 1080] and len(r["calls"]) == 8' "the reply describes the screenshot after the last call"

# Text, keys, scroll, drags.
page_reset
text='pyautogui: Ünïcödé ΑΒΓ где 汉字 ✓'
body=$(python3 -c '
import json, sys
print(json.dumps([
 {"action_type": "CLICK", "parameters": {"x": 380, "y": 260}},
 {"action_type": "TYPING", "parameters": {"text": sys.argv[1] + "!!"}},
 {"action_type": "PRESS", "parameters": {"key": "backspace"}},
 {"action_type": "HOTKEY", "parameters": {"keys": ["shiftleft", "left"]}},
 {"action_type": "PRESS", "parameters": {"key": "del"}},
 {"action_type": "SCROLL", "parameters": {"dx": 2, "dy": -3}}]))' "$text")
osw "$body" >/dev/null
page_wait "j['v'] == $(python3 -c 'import json,sys; print(json.dumps(sys.argv[1], ensure_ascii=False))' "$text")"
page_check "j['v'] == $(python3 -c 'import json,sys; print(json.dumps(sys.argv[1], ensure_ascii=False))' "$text")" "TYPING typed exactly; PRESS backspace, HOTKEY shiftleft+left and PRESS del removed the '!!'"
page_reset
osw '[{"action_type": "MOVE_TO", "parameters": {"x": 960, "y": 200}}, {"action_type": "SCROLL", "parameters": {"dx": 2, "dy": -3}}]' >/dev/null
page_wait "j['sy'] == 360 and j['sx'] == 240"
page_check "j['sy'] == 360 and j['sx'] == 240" "SCROLL dy -3 went down 3 wheel clicks, dx 2 right 2"
page_reset
osw '[{"action_type": "MOVE_TO", "parameters": {"x": 100, "y": 480}}, {"action_type": "MOUSE_DOWN", "parameters": {"button": "left"}}, {"action_type": "MOVE_TO", "parameters": {"x": 400, "y": 500}}, {"action_type": "MOVE_TO", "parameters": {"x": 700, "y": 540}}, {"action_type": "MOUSE_UP", "parameters": {"button": "left"}}]' >/dev/null
page_wait "any(e['t'] == 'drop' for e in j['log'])"
page_check "[e['on'] for e in j['log'] if e['t'] == 'drop'] == [True]" "MOUSE_DOWN, MOVE_TO, MOUSE_UP dragged onto the target"
page_reset
osw '[{"action_type": "MOVE_TO", "parameters": {"x": 100, "y": 480}}, {"action_type": "DRAG_TO", "parameters": {"x": 800, "y": 600}}]' >/dev/null
page_wait "any(e['t'] == 'drop' for e in j['log'])"
page_check "[(e['on'], e['x'], e['y']) for e in j['log'] if e['t'] == 'drop'] == [(True, 800, 600)]" "DRAG_TO dragged from the pointer to (800, 600)"

# Bad input, and one vendor's path for another's body.
is "$(osw '{"action_type": "CLICK", "parameters": {"x": 1920, "y": 5}}')" 400 "x = 1920 on a 1920x1080 screen is 400"
reply_check 'r["error"]["code"] == "bad_coordinate" and r["error"]["field"] == "parameters.x" and "0..1919" in r["error"]["message"]' "naming parameters.x and the range"
is "$(osw '{"action_type": "PRESS", "parameters": {"key": "hyper_warp"}}')" 400 "a key pyautogui does not know is 400"
is "$(osw '{"action_type": "JUMP"}')" 400 "an unknown action_type is 400"
reply_check '"MOVE_TO, CLICK" in r["error"]["message"]' "listing the action types"
is "$(osw '{"type": "computer_call", "call_id": "c", "action": {"type": "wait"}}')" 400 "an OpenAI body on /v1/computer/osworld is 400"
reply_check 'r["error"]["code"] == "unknown_shape" and "openai" in r["error"]["message"]' "saying which shape it holds"
is "$(post '{"hello": "world"}')" 400 "an unknown shape on /v1/computer is 400"
reply_check 'r["error"]["code"] == "unknown_shape" and all(w in r["error"]["message"] for w in ("Anthropic", "OpenAI", "Gemini", "OSWorld", "native"))' "listing every shape accepted"

stop_deskd
ok $? "deskd exits cleanly"
sanitizer_clean "$DESKD_LOG"
ok $? "no sanitizer report"
