#!/usr/bin/env bash
# vendor-gemini: Gemini computer-use function calls as the model emits
# them (Gemini 3.5's names and the 2.5 model's legacy ones, 0-999 grid
# coordinates), posted to /v1/computer and landing in real Chromium on a
# 1920x1080 Xvfb.  The page's event log (read over DevTools) shows the
# element, the clicks, the keys, the text, the scroll and the drop; the
# reply is checked against the function-response shape, with the URL of
# the page Chrome shows (deskd reaches Chrome's DevTools port).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../cdp-lib.sh"
source "$(dirname "$0")/../vendor-lib.sh"
cdp_requirements

start_xvfb 1920x1080 || exit 1
start_page_chromium || exit 1
start_deskd --no-auth --cdp-listen "127.0.0.1:$(free_port)" \
    --cdp-upstream "127.0.0.1:$CHR_PORT" || exit 1

# GX / GY: a screen coordinate on the 1000x1000 grid.
GX() { echo $(( $1 * 1000 / 1920 )); }
GY() { echo $(( $1 * 1000 / 1080 )); }
# within: the event is within 1 px of the reference's int(v / 1000 * dim).
within() {
	local gx gy
	gx=$(GX "$2")
	gy=$(GY "$3")
	echo "any(abs(e['x'] - int($gx / 1000 * 1920)) <= 1 and abs(e['y'] - int($gy / 1000 * 1080)) <= 1 for e in j['log'] if $1)"
}

# A Content of function-call parts (REST camelCase), with a text part.
page_reset
body=$(cat <<EOF
{"role": "model", "parts": [
 {"text": "I will click the first button."},
 {"functionCall": {"name": "click", "args": {"x": $(GX 140), "y": $(GY 80), "intent": "press one"}}},
 {"functionCall": {"name": "right_click", "args": {"x": $(GX 380), "y": $(GY 80), "intent": "menu"}}},
 {"functionCall": {"name": "middle_click", "args": {"x": $(GX 620), "y": $(GY 80)}}},
 {"functionCall": {"name": "double_click", "args": {"x": $(GX 140), "y": $(GY 80)}}}
]}
EOF
)
is "$(post "$body")" 200 "a Content of four function calls answers 200"
page_wait "any(e['t'] == 'dblclick' for e in j['log'])"
page_check "[e['id'] for e in j['log'] if e['t'] == 'click'][:1] == ['b1']" "click on b1"
page_check "$(within "e['t'] == 'click' and e['id'] == 'b1'" 140 80)" "the grid point landed within 1 px of the reference's pixel"
page_check "[(e['id'], e['b']) for e in j['log'] if e['t'] == 'contextmenu'] == [('b2', 2)]" "right_click on b2"
page_check "[e['id'] for e in j['log'] if e['t'] == 'auxclick' and e['b'] == 1] == ['b3']" "middle_click on b3"
page_check "[(e['id'], e['d']) for e in j['log'] if e['t'] == 'dblclick'] == [('b1', 2)]" "double_click on b1"
reply_check 'r["vendor"] == "gemini" and r["append"]["role"] == "user" and [p["functionResponse"]["name"] for p in r["append"]["parts"]] == ["click", "right_click", "middle_click", "double_click"]' "one functionResponse per call, in order"
reply_check 'all(p["functionResponse"]["response"]["url"].endswith("/vendor-page.html") for p in r["append"]["parts"])' "each response carries the URL of the page Chrome shows"
reply_check '"parts" not in r["append"]["parts"][0]["functionResponse"] and r["append"]["parts"][-1]["functionResponse"]["parts"][0]["inlineData"]["mimeType"] == "image/png"' "the last response carries the inline PNG"
is "$(img_size 'r["append"]["parts"][-1]["functionResponse"]["parts"][0]["inlineData"]["data"]')" "png 1920x1080" "the screenshot is the screen (the grid needs no size)"

# type with press_enter, hotkey, key_down/key_up around a click; the
# Python SDK's snake_case.
page_reset
text='Grüße — 日本語のテキスト, ελληνικά, 🎉 fin'
body=$(python3 -c '
import json, sys
x, y = int(sys.argv[2]), int(sys.argv[3])
print(json.dumps([
 {"function_call": {"name": "click", "args": {"x": x, "y": y}}},
 {"function_call": {"name": "type", "args": {"text": sys.argv[1] + " bye", "press_enter": False}}},
 {"function_call": {"name": "hotkey", "args": {"keys": ["Control", "Shift", "ArrowLeft"]}}},
 {"function_call": {"name": "press_key", "args": {"key": "Backspace"}}},
 {"function_call": {"name": "press_key", "args": {"key": "Backspace"}}},
 {"function_call": {"name": "key_down", "args": {"key": "Shift"}}},
 {"function_call": {"name": "click", "args": {"x": int(sys.argv[4]), "y": int(sys.argv[5])}}},
 {"function_call": {"name": "key_up", "args": {"key": "Shift"}}}]))' "$text" "$(GX 380)" "$(GY 260)" "$(GX 620)" "$(GY 80)")
is "$(post "$body")" 200 "type, hotkey, press_key, key_down / click / key_up answer 200"
page_wait "j['v'] == $(python3 -c 'import json,sys; print(json.dumps(sys.argv[1], ensure_ascii=False))' "$text") and any(e['t'] == 'click' and e['id'] == 'b3' for e in j['log'])"
page_check "j['v'] == $(python3 -c 'import json,sys; print(json.dumps(sys.argv[1], ensure_ascii=False))' "$text")" "the text arrived exactly; Control+Shift+ArrowLeft and two Backspaces removed ' bye'"
page_check "[e['m'] for e in j['log'] if e['t'] == 'click' and e['id'] == 'b3'] == ['s']" "the click between key_down and key_up held Shift"
reply_check '"function_response" in r["append"]["parts"][0] and "inline_data" in r["append"]["parts"][-1]["function_response"]["parts"][0]' "answered in the caller's snake_case"

# The legacy names: type_text_at (click, clear, type, Enter), scroll_at,
# key_combination, hover_at, drag_and_drop in both spellings.
page_reset
page_eval 't.value = "old text"; "ok"' >/dev/null
body=$(cat <<EOF
[{"name": "type_text_at", "args": {"x": $(GX 380), "y": $(GY 260), "text": "new", "press_enter": true, "clear_before_typing": true}},
 {"name": "key_combination", "args": {"keys": "Shift+Home"}},
 {"name": "hover_at", "args": {"x": $(GX 960), "y": $(GY 200)}}]
EOF
)
is "$(post "$body")" 200 "type_text_at, key_combination, hover_at answer 200"
page_wait "j['v'] == 'new\n'"
page_check "j['v'] == 'new\n'" "type_text_at cleared the old text, typed and pressed Enter"
page_check "any(e['t'] == 'keydown' and e['k'] == 'Home' and e['m'] == 's' for e in j['log'])" "key_combination \"Shift+Home\" pressed shift+Home"
page_reset
is "$(post '[{"name": "scroll_at", "args": {"x": '"$(GX 960)"', "y": '"$(GY 200)"', "direction": "down", "magnitude": 400}}]')" 200 "scroll_at answers 200"
# 400 grid units of 1080 px = 432 px = 4 notches of 120.
page_wait "j['sy'] == 480"
page_check "j['sy'] == 480" "scroll_at down magnitude 400 (432 px) scrolled 4 notches, 480 px"
page_reset
is "$(post '{"name": "scroll", "args": {"x": '"$(GX 960)"', "y": '"$(GY 200)"', "direction": "right", "magnitude_in_pixels": 360}}')" 200 "scroll with magnitude_in_pixels answers 200"
page_wait "j['sx'] == 360"
page_check "j['sx'] == 360 and j['sy'] == 0" "360 px to the right: 3 notches"
page_reset
is "$(post '{"name": "drag_and_drop", "args": {"x": '"$(GX 100)"', "y": '"$(GY 480)"', "destination_x": '"$(GX 710)"', "destination_y": '"$(GY 540)"'}}')" 200 "drag_and_drop (agent.py's names) answers 200"
page_wait "any(e['t'] == 'drop' for e in j['log'])"
page_check "[e['on'] for e in j['log'] if e['t'] == 'drop'] == [True]" "dropped on the target"
page_reset
is "$(post '{"name": "drag_and_drop", "args": {"start_x": '"$(GX 100)"', "start_y": '"$(GY 480)"', "end_x": '"$(GX 800)"', "end_y": '"$(GY 600)"'}}')" 200 "drag_and_drop (the docs' names) answers 200"
page_wait "any(e['t'] == 'drop' for e in j['log'])"
page_check "[e['on'] for e in j['log'] if e['t'] == 'drop'] == [True]" "dropped on the target"

# A response with candidates; a safety decision is acknowledged.
body=$(cat <<EOF
{"candidates": [{"content": {"role": "model", "parts": [{"functionCall": {"name": "wait_5_seconds", "args": {}}}, {"functionCall": {"name": "take_screenshot", "args": {"safety_decision": {"decision": "require_confirmation", "explanation": "x"}}}}]}}]}
EOF
)
t0=$(date +%s%N)
is "$(http POST "$URL/v1/computer?format=jpeg" -H 'Content-Type: application/json' --data-binary "$body")" 200 "a response with candidates answers 200"
t1=$(date +%s%N)
ok $(( (t1 - t0) / 1000000 >= 5000 ? 0 : 1 )) "wait_5_seconds waited"
reply_check 'r["append"]["parts"][1]["functionResponse"]["response"].get("safety_acknowledgement") == "true" and "safety_acknowledgement" not in r["append"]["parts"][0]["functionResponse"]["response"]' "the call with a safety_decision is acknowledged"
reply_check 'r["append"]["parts"][1]["functionResponse"]["parts"][0]["inlineData"]["mimeType"] == "image/jpeg"' "format=jpeg: the inline image is JPEG"

# Bad input.
is "$(post '{"name": "click", "args": {"x": 1000, "y": 5}}')" 400 "x = 1000 is off the grid: 400"
reply_check 'r["error"]["code"] == "bad_coordinate" and r["error"]["field"] == "args.x" and "0..999" in r["error"]["message"]' "naming args.x and 0..999"
is "$(post '[{"name": "click", "args": {"x": 5, "y": 5}}, {"name": "open_app", "args": {"app_name": "x"}}]')" 400 "a mobile-only function is 400"
reply_check 'r["error"]["index"] == 1 and r["error"]["field"] == "name"' "naming call 1"
is "$(post '{"name": "press_key", "args": {"key": "Hyperdrive"}}')" 400 "an unknown key is 400"

stop_deskd
ok $? "deskd exits cleanly"
sanitizer_clean "$DESKD_LOG"
ok $? "no sanitizer report"
