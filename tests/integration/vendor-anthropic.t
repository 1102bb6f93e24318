#!/usr/bin/env bash
# vendor-anthropic: Anthropic's computer-use calls as the model emits them
# (tool_use blocks of the GA toolset and of the beta computer tools, an
# assistant message), posted to /v1/computer and landing in real Chromium
# on a 1920x1080 Xvfb, in the 1280x800 coordinate space of the
# screenshots the model is shown.  The page logs every DOM event; the
# test reads it over DevTools and checks the element, the button, the
# click count, the modifiers, the text, the scroll and the drop, and the
# reply against Anthropic's tool_result shape.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../cdp-lib.sh"
source "$(dirname "$0")/../vendor-lib.sh"
cdp_requirements

start_xvfb 1920x1080 || exit 1
start_page_chromium || exit 1
start_deskd --no-auth || exit 1

# S X Y: a screen point in the 1280x800 space, as "[x, y]".
S() { echo "[$(( $1 * 1280 / 1920 )), $(( $2 * 800 / 1080 ))]"; }
# near EVENT-FILTER X Y: python test that the event landed within 1 px of
# where screen point (X, Y) maps (the space point S maps back).
within() {
	local sx=$(( $2 * 1280 / 1920 )) sy=$(( $3 * 800 / 1080 ))
	echo "any(abs(e['x'] - $sx * 1920 / 1280) <= 1.5 and abs(e['y'] - $sy * 1080 / 800) <= 1.5 for e in j['log'] if $1)"
}

# The first turn: a screenshot, in the space the caller shows the model.
st=$(http POST "$URL/v1/computer?coordinate_space=1280x800" -H 'Content-Type: application/json' --data-binary '{"type": "tool_use", "id": "toolu_01", "name": "screenshot", "input": {}, "toolset_name": "computer"}')
is "$st" 200 "a toolset screenshot call answers 200"
reply_check 'r["vendor"] == "anthropic" and r["append"]["role"] == "user" and len(r["append"]["content"]) == 1' "the reply appends one user message"
reply_check 'r["append"]["content"][0]["type"] == "tool_result" and r["append"]["content"][0]["tool_use_id"] == "toolu_01" and r["append"]["content"][0]["toolset_name"] == "computer" and r["append"]["content"][0]["is_error"] is False' "its tool_result answers toolu_01 and echoes toolset_name"
is "$(img_size 'r["append"]["content"][0]["content"][-1]["source"]["data"]')" "png 1280x800" "the image block is a 1280x800 PNG (the space asked for)"
reply_check 'r["append"]["content"][0]["content"][-1]["source"]["media_type"] == "image/png" and r["coordinate_space"] == [1280, 800]' "media_type image/png; the reply names the space"
like "$(header Server-Timing)" '^input;dur=[0-9.]+, settle;dur=[0-9.]+, capture;dur=[0-9.]+, encode;dur=[0-9.]+, total;dur=[0-9.]+$' "Server-Timing gives the stages"

# An assistant message: text, then member calls; modifiers in text, and
# in key (computer_20250124's reference tool) on the beta tool.
page_reset
body=$(cat <<EOF
{"role": "assistant", "content": [
 {"type": "text", "text": "Clicking the buttons."},
 {"type": "tool_use", "id": "toolu_02", "name": "left_click", "input": {"coordinate": $(S 140 80)}, "toolset_name": "computer"},
 {"type": "tool_use", "id": "toolu_03", "name": "right_click", "input": {"coordinate": $(S 380 80), "text": "ctrl"}, "toolset_name": "computer"},
 {"type": "tool_use", "id": "toolu_04", "name": "computer", "input": {"action": "middle_click", "coordinate": $(S 620 80), "key": "alt"}},
 {"type": "tool_use", "id": "toolu_05", "name": "double_click", "input": {"coordinate": $(S 140 80), "text": "shift"}, "toolset_name": "computer"}
]}
EOF
)
is "$(post "$body")" 200 "an assistant message of four calls answers 200"
page_wait "any(e['t'] == 'dblclick' for e in j['log'])"
page_check "[e['id'] for e in j['log'] if e['t'] == 'click'][:1] == ['b1'] and [e['m'] for e in j['log'] if e['t'] == 'click'][:1] == ['']" "left_click clicked b1 with no modifier"
page_check "$(within "e['t'] == 'click' and e['id'] == 'b1'" 140 80)" "the click landed within 1 px of the 1280x800 point mapped to the screen"
page_check "[(e['id'], e['b'], e['m']) for e in j['log'] if e['t'] == 'contextmenu'] == [('b2', 2, 'c')]" "right_click with text ctrl: a contextmenu on b2 with ctrl"
page_check "[(e['id'], e['b'], e['m']) for e in j['log'] if e['t'] == 'auxclick' and e['b'] == 1] == [('b3', 1, 'a')]" "middle_click with key alt (beta tool): a middle auxclick on b3 with alt"
page_check "[(e['id'], e['d'], e['m']) for e in j['log'] if e['t'] == 'dblclick'] == [('b1', 2, 's')]" "double_click with text shift: a dblclick on b1 with shift"
reply_check '[b["tool_use_id"] for b in r["append"]["content"]] == ["toolu_02", "toolu_03", "toolu_04", "toolu_05"]' "one tool_result per tool_use, in order"
reply_check '[b.get("toolset_name") for b in r["append"]["content"]] == ["computer", "computer", None, "computer"]' "toolset_name echoed on the toolset's calls only"
reply_check 'all(b["is_error"] is False for b in r["append"]["content"]) and r["append"]["content"][-1]["content"][-1]["type"] == "image"' "no errors; the last result carries the screenshot"
reply_check 'all(a["ran"] and a["changed"] for a in r["actions"]) and all(a["settle_ms"] >= 0 for a in r["actions"])' "every action ran and changed the screen, with its settle time"

# Text: mixed scripts and emoji, exact; key with repeat.
page_reset
text='Grüße, Καλημέρα, Привет, 你好, こんにちは, 😀🎉 «ok» xyz'
body=$(python3 -c '
import json, sys
t = sys.argv[1]
print(json.dumps([
 {"type": "tool_use", "id": "t1", "name": "left_click", "input": {"coordinate": json.loads(sys.argv[2])}, "toolset_name": "computer"},
 {"type": "tool_use", "id": "t2", "name": "type", "input": {"text": t}, "toolset_name": "computer"},
 {"type": "tool_use", "id": "t3", "name": "key", "input": {"text": "BackSpace", "repeat": 4}, "toolset_name": "computer"}]))' "$text" "$(S 380 260)")
is "$(post "$body")" 200 "click, type, key with repeat answer 200"
want=${text% xyz}
page_wait "j['v'] == $(python3 -c 'import json,sys; print(json.dumps(sys.argv[1], ensure_ascii=False))' "$want")"
page_check "j['v'] == $(python3 -c 'import json,sys; print(json.dumps(sys.argv[1], ensure_ascii=False))' "$want")" "the textarea holds the text exactly, the last 4 characters removed by key repeat 4"
reply_check '[a for a in r["actions"] if a["action"] == "type"][0]["typed"] == [a for a in r["actions"] if a["action"] == "type"][0]["chars"] == '"$(python3 -c 'import sys; print(len(sys.argv[1]))' "$text")"' and [a for a in r["actions"] if a["action"] == "type"][0]["complete"]' "type reports every character injected"

# Scroll: notches of 120 px, down and right.
page_reset
body=$(cat <<EOF
[{"type": "tool_use", "id": "s1", "name": "computer", "input": {"action": "scroll", "coordinate": $(S 960 200), "scroll_direction": "down", "scroll_amount": 3}},
 {"type": "tool_use", "id": "s2", "name": "scroll", "input": {"coordinate": $(S 960 200), "scroll_direction": "right", "scroll_amount": 2}, "toolset_name": "computer"}]
EOF
)
is "$(post "$body")" 200 "two scrolls answer 200"
page_wait "j['sy'] == 360 and j['sx'] == 240"
page_check "j['sy'] == 360 and j['sx'] == 240" "3 notches down and 2 right scrolled the area 360 and 240 px"
page_check "all(e['dy'] > 0 for e in j['log'] if e['t'] == 'wheel' and e['dx'] == 0) and len([e for e in j['log'] if e['t'] == 'wheel']) == 5" "five wheel events, the vertical ones downwards"

# Drag onto the target.
page_reset
body=$(cat <<EOF
{"type": "tool_use", "id": "d1", "name": "left_click_drag", "input": {"start_coordinate": $(S 100 480), "coordinate": $(S 710 540)}, "toolset_name": "computer"}
EOF
)
is "$(post "$body")" 200 "left_click_drag answers 200"
page_wait "any(e['t'] == 'drop' for e in j['log'])"
page_check "[e['on'] for e in j['log'] if e['t'] == 'drop'] == [True] and len([e for e in j['log'] if e['t'] == 'dragmove']) >= 3" "the drag moved through the page and ended on the target"

# Zoom: the region, in screenshot pixels, at the display's resolution,
# scaled up to fill the screenshot's size.
post '{"type": "tool_use", "id": "z1", "name": "zoom", "input": {"region": [0, 0, 640, 400]}, "toolset_name": "computer"}' >/dev/null
is "$(img_size 'r["append"]["content"][0]["content"][-1]["source"]["data"]')" "png 1280x800" "zoom of a 640x400 region fills a 1280x800 image"
post '{"type": "tool_use", "id": "z2", "name": "zoom", "input": {"region": [0, 0, 320, 400]}, "toolset_name": "computer"}' >/dev/null
is "$(img_size 'r["append"]["content"][0]["content"][-1]["source"]["data"]')" "png 640x800" "a tall region keeps its aspect (640x800)"
http POST "$URL/v1/computer?format=jpeg&quality=60" -H 'Content-Type: application/json' --data-binary '{"type": "tool_use", "id": "z3", "name": "zoom", "input": {"region": [0, 0, 640, 400]}, "toolset_name": "computer"}' >/dev/null
is "$(img_size 'r["append"]["content"][0]["content"][-1]["source"]["data"]')" "jpeg 1280x800" "format=jpeg: the zoom is a 1280x800 JPEG"
reply_check 'r["append"]["content"][0]["content"][-1]["source"]["media_type"] == "image/jpeg"' "and says image/jpeg"

# cursor_position answers in the space.
post '{"type": "tool_use", "id": "c1", "name": "cursor_position", "input": {}, "toolset_name": "computer"}' >/dev/null
reply_check 'r["append"]["content"][0]["content"][0]["text"] == "X=%d,Y=%d" % (710 * 1280 // 1920, 540 * 800 // 1080)' "cursor_position reports the pointer in the 1280x800 space"

# Bad input: nothing of the batch runs.
page_reset
body=$(cat <<EOF
[{"type": "tool_use", "id": "b1", "name": "left_click", "input": {"coordinate": $(S 140 80)}, "toolset_name": "computer"},
 {"type": "tool_use", "id": "b2", "name": "left_click", "input": {"coordinate": [1280, 10]}, "toolset_name": "computer"}]
EOF
)
is "$(post "$body")" 400 "a coordinate outside the space is 400"
reply_check 'r["error"]["code"] == "bad_coordinate" and r["error"]["index"] == 1 and r["error"]["field"] == "input.coordinate" and "0..1279" in r["error"]["message"]' "bad_coordinate names call 1, input.coordinate and the range"
is "$(post '[{"type": "tool_use", "id": "k", "name": "key", "input": {"text": "ctrl+nosuchkey"}, "toolset_name": "computer"}]')" 400 "an unknown key name is 400"
reply_check 'r["error"]["code"] == "bad_action" and r["error"]["index"] == 0 and "nosuchkey" in r["error"]["message"]' "naming the call and the key"
sleep 0.3
page_state >"$T_TMP/state.json"
page_check "not any(e['t'] in ('mousedown', 'click', 'keydown') for e in j['log'])" "nothing of the refused batches ran"

stop_deskd
ok $? "deskd exits cleanly"
sanitizer_clean "$DESKD_LOG"
ok $? "no sanitizer report"
