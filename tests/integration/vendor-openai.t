#!/usr/bin/env bash
# vendor-openai: OpenAI Responses computer_call items as the model emits
# them (the preview's single action and the GA tool's actions[]), posted
# to /v1/computer and landing in real Chromium on a 1920x1080 Xvfb in the
# 1280x800 space of the screenshots the model is shown.  The page's event
# log (read over DevTools) shows the element, the button, the held keys,
# the text, the scroll and the drag; the reply is checked against the
# computer_call_output shape.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../cdp-lib.sh"
source "$(dirname "$0")/../vendor-lib.sh"
cdp_requirements

start_xvfb 1920x1080 || exit 1
start_page_chromium || exit 1
start_deskd --no-auth || exit 1

# X / Y: a screen coordinate in the 1280x800 space.
X() { echo $(( $1 * 1280 / 1920 )); }
Y() { echo $(( $1 * 800 / 1080 )); }
within() {
	local sx sy
	sx=$(X "$2")
	sy=$(Y "$3")
	echo "any(abs(e['x'] - $sx * 1920 / 1280) <= 1.5 and abs(e['y'] - $sy * 1080 / 800) <= 1.5 for e in j['log'] if $1)"
}

# The preview's computer_call: one action, a pending safety check.
page_reset
body=$(cat <<EOF
{"type": "computer_call", "id": "cu_01", "call_id": "call_01", "status": "completed",
 "pending_safety_checks": [{"id": "cu_sc_01", "code": "malicious_instructions", "message": "check"}],
 "action": {"type": "click", "button": "left", "x": $(X 140), "y": $(Y 80)}}
EOF
)
is "$(http POST "$URL/v1/computer?coordinate_space=1280x800" -H 'Content-Type: application/json' --data-binary "$body")" 200 "a preview computer_call answers 200"
page_wait "any(e['t'] == 'click' for e in j['log'])"
page_check "[(e['id'], e['b'], e['m']) for e in j['log'] if e['t'] == 'click'] == [('b1', 0, '')]" "click: b1, left button, no keys"
page_check "$(within "e['t'] == 'click'" 140 80)" "within 1 px of the 1280x800 point mapped to the screen"
reply_check 'r["vendor"] == "openai" and isinstance(r["append"], list) and len(r["append"]) == 1 and r["append"][0]["type"] == "computer_call_output" and r["append"][0]["call_id"] == "call_01"' "one computer_call_output answers call_01"
reply_check 'r["append"][0]["acknowledged_safety_checks"] == [{"id": "cu_sc_01", "code": "malicious_instructions", "message": "check"}]' "the pending safety checks come back acknowledged"
reply_check 'r["append"][0]["output"]["type"] == "computer_screenshot" and r["append"][0]["output"]["image_url"].startswith("data:image/png;base64,")' "output is a computer_screenshot with a PNG data URL"
is "$(img_size 'r["append"][0]["output"]["image_url"]')" "png 1280x800" "the screenshot is in the 1280x800 space"

# The GA computer_call: actions[], buttons, held keys, CUA key names.
page_reset
body=$(cat <<EOF
{"type": "computer_call", "id": "cu_02", "call_id": "call_02", "status": "completed", "pending_safety_checks": [],
 "actions": [
  {"type": "click", "button": "right", "x": $(X 380), "y": $(Y 80), "keys": ["CTRL"]},
  {"type": "click", "button": "wheel", "x": $(X 620), "y": $(Y 80), "keys": ["alt"]},
  {"type": "double_click", "x": $(X 140), "y": $(Y 80), "keys": ["SHIFT"]},
  {"type": "click", "button": "back", "x": $(X 380), "y": $(Y 80)},
  {"type": "move", "x": $(X 900), "y": $(Y 700)}
 ]}
EOF
)
is "$(post "$body")" 200 "a GA computer_call of five actions answers 200"
page_wait "any(e['t'] == 'dblclick' for e in j['log']) and any(e['t'] == 'mouseup' and e['b'] == 3 for e in j['log'])"
page_check "[(e['id'], e['b'], e['m']) for e in j['log'] if e['t'] == 'contextmenu'] == [('b2', 2, 'c')]" "right click holding CTRL: contextmenu on b2 with ctrl"
page_check "[(e['id'], e['m']) for e in j['log'] if e['t'] == 'auxclick' and e['b'] == 1] == [('b3', 'a')]" "wheel click holding alt (any case): a middle click on b3 with alt"
page_check "[(e['id'], e['d'], e['m']) for e in j['log'] if e['t'] == 'dblclick'] == [('b1', 2, 's')]" "double_click holding SHIFT: dblclick on b1"
page_check "[e['id'] for e in j['log'] if e['t'] == 'mouseup' and e['b'] == 3] == ['b2']" "button back: X button 8, the DOM's button 3, on b2"
reply_check 'len(r["append"]) == 1 and r["append"][0]["acknowledged_safety_checks"] == [] and len(r["actions"]) == 5 and all(a["ran"] for a in r["actions"])' "one output for the call, all five actions ran"

# type, keypress with CUA names, case-insensitively.
page_reset
text='Hello, wörld — Ελληνικά, Русский, 中文, 🙂 done'
body=$(python3 -c '
import json, sys
print(json.dumps({"type": "computer_call", "call_id": "call_03", "actions": [
  {"type": "click", "button": "left", "x": int(sys.argv[2]), "y": int(sys.argv[3])},
  {"type": "type", "text": sys.argv[1] + " extra"},
  {"type": "keypress", "keys": ["CTRL", "SHIFT", "ARROWLEFT"]},
  {"type": "keypress", "keys": ["BACKSPACE"]},
  {"type": "keypress", "keys": ["Backspace"]}]}))' "$text" "$(X 380)" "$(Y 260)")
is "$(post "$body")" 200 "click, type, keypress answer 200"
page_wait "j['v'] == $(python3 -c 'import json,sys; print(json.dumps(sys.argv[1], ensure_ascii=False))' "$text")"
page_check "j['v'] == $(python3 -c 'import json,sys; print(json.dumps(sys.argv[1], ensure_ascii=False))' "$text")" "the text arrived exactly; CTRL+SHIFT+ARROWLEFT selected the last word, BACKSPACE twice removed it and the space"
reply_check '[a for a in r["actions"] if a["action"] == "type"][0]["complete"]' "type reports every character injected"

# scroll: pixels to notches of 120 px (scroll_y 360 = 3 notches down).
page_reset
is "$(post '{"type": "computer_call", "call_id": "call_04", "actions": [{"type": "scroll", "x": '"$(X 960)"', "y": '"$(Y 200)"', "scroll_x": 0, "scroll_y": 360}, {"type": "scroll", "x": '"$(X 960)"', "y": '"$(Y 200)"', "scroll_x": 250, "scroll_y": 0}]}')" 200 "two scrolls answer 200"
page_wait "j['sy'] == 360 and j['sx'] == 240"
page_check "j['sy'] == 360 and j['sx'] == 240" "scroll_y 360 px went down 360; scroll_x 250 px, two notches, went right 240"
page_reset
post '{"type": "computer_call", "call_id": "call_05", "actions": [{"type": "scroll", "x": '"$(X 960)"', "y": '"$(Y 200)"', "scroll_x": 0, "scroll_y": 480}, {"type": "scroll", "x": '"$(X 960)"', "y": '"$(Y 200)"', "scroll_x": 0, "scroll_y": -240}]}' >/dev/null
page_wait "j['sy'] == 240"
page_check "j['sy'] == 240" "a negative scroll_y scrolls up"

# drag along a path onto the target.
page_reset
is "$(post '{"type": "computer_call", "call_id": "call_06", "actions": [{"type": "drag", "path": [{"x": '"$(X 100)"', "y": '"$(Y 480)"'}, {"x": '"$(X 300)"', "y": '"$(Y 700)"'}, {"x": '"$(X 710)"', "y": '"$(Y 540)"'}]}]}')" 200 "drag with a three-point path answers 200"
page_wait "any(e['t'] == 'drop' for e in j['log'])"
page_check "[e['on'] for e in j['log'] if e['t'] == 'drop'] == [True]" "the drag ended on the target"
page_check "any(e['t'] == 'dragmove' and e['y'] > 680 for e in j['log'])" "through the middle point of the path"

# Several computer_call items (a response's output): one output each.
body=$(cat <<EOF
{"id": "resp_1", "object": "response", "output": [
 {"type": "reasoning", "id": "rs_1", "summary": []},
 {"type": "computer_call", "call_id": "call_a", "action": {"type": "wait"}},
 {"type": "computer_call", "call_id": "call_b", "action": {"type": "screenshot"}}]}
EOF
)
is "$(http POST "$URL/v1/computer?format=jpeg&quality=50" -H 'Content-Type: application/json' --data-binary "$body")" 200 "a whole response with two calls answers 200"
reply_check '[o["call_id"] for o in r["append"]] == ["call_a", "call_b"] and all(o["output"]["image_url"].startswith("data:image/jpeg;base64,") for o in r["append"])' "one output per call, each with a JPEG screenshot"
is "$(img_size 'r["append"][1]["output"]["image_url"]')" "jpeg 1280x800" "JPEG in the space"
reply_check '[a["action"] for a in r["actions"]] == ["wait", "screenshot"]' "wait and screenshot ran in order"

# Bad input: named, nothing runs.
page_reset
is "$(post '{"type": "computer_call", "call_id": "c", "actions": [{"type": "click", "x": 10, "y": 10}, {"type": "keypress", "keys": ["CTRL", "NOPE"]}]}')" 400 "an unknown CUA key is 400"
reply_check 'r["error"]["code"] == "bad_action" and r["error"]["field"] == "actions[1].keys[1]" and "NOPE" in r["error"]["message"]' "naming actions[1].keys[1]"
is "$(post '{"type": "computer_call", "call_id": "c", "actions": [{"type": "move", "x": 1280, "y": 0}]}')" 400 "x = 1280 in a 1280x800 space is 400"
reply_check 'r["error"]["code"] == "bad_coordinate" and r["error"]["field"] == "actions[0].x" and "0..1279" in r["error"]["message"]' "bad_coordinate with the range"
is "$(post '{"type": "computer_call", "actions": [{"type": "wait"}]}')" 400 "a call without call_id is 400"
is "$(post '{"type": "computer_call", "call_id": "c", "actions": [{"type": "fly"}]}')" 400 "an unknown action type is 400"
reply_check '"click, double_click, drag" in r["error"]["message"]' "listing the types"
sleep 0.3
page_state >"$T_TMP/state.json"
page_check "not any(e['t'] in ('mousedown', 'click') for e in j['log'])" "nothing of the refused calls ran"

stop_deskd
ok $? "deskd exits cleanly"
sanitizer_clean "$DESKD_LOG"
ok $? "no sanitizer report"
