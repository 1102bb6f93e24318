#!/usr/bin/env bash
# vendor-clicks: a click followed at once by a pointer move, the case
# that lost clicks in Chromium ([left_click A, mouse_move B] and
# double_click), 50 times per click kind, each kind in another vendor's
# form, with no click lost and every double and triple click counted as
# such by Chromium.  Successive clicks alternate between two buttons so
# Chromium never chains one into the next (it chains presses within
# 500 ms and 2 px: ui/events/event.cc, IsRepeatedClickEvent).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../cdp-lib.sh"
source "$(dirname "$0")/../vendor-lib.sh"
cdp_requirements

N=${VENDOR_CLICKS:-50}
start_xvfb 1920x1080 || exit 1
start_page_chromium || exit 1
start_deskd --no-auth || exit 1

# count PYEXPR: events (e) of the log satisfying it.
count() {
	page_state >"$T_TMP/state.json"
	python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(sum(1 for e in j["log"] if eval(sys.argv[2])))' "$T_TMP/state.json" "$1"
}
# settle_log PYEXPR N: wait until N events satisfy it (or give up).
settle_log() {
	local i
	for i in $(seq 100); do
		[ "$(count "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
bad=0
answer() { [ "$1" = 200 ] || bad=$((bad + 1)); }

# left_click then mouse_move, Anthropic's toolset.
page_reset
for i in $(seq "$N"); do
	x=$(( i % 2 ? 140 : 380 ))
	answer "$(post '[{"type": "tool_use", "id": "a'"$i"'", "name": "left_click", "input": {"coordinate": ['"$x"', 80]}, "toolset_name": "computer"}, {"type": "tool_use", "id": "b'"$i"'", "name": "mouse_move", "input": {"coordinate": [1500, 900]}, "toolset_name": "computer"}]')"
done
settle_log "e['t'] == 'click' and e['id'] in ('b1', 'b2') and e['d'] == 1" "$N"
is "$(count "e['t'] == 'click' and e['id'] in ('b1', 'b2') and e['d'] == 1")" "$N" "$N x [left_click, mouse_move]: every click arrived"
is "$(count "e['t'] == 'mousedown'")" "$N" "and no press more or less"

# double_click then move, OpenAI's actions[].
page_reset
for i in $(seq "$N"); do
	x=$(( i % 2 ? 140 : 380 ))
	answer "$(post '{"type": "computer_call", "call_id": "c'"$i"'", "actions": [{"type": "double_click", "x": '"$x"', "y": 80}, {"type": "move", "x": 1500, "y": 900}]}')"
done
settle_log "e['t'] == 'dblclick'" "$N"
is "$(count "e['t'] == 'dblclick' and e['id'] in ('b1', 'b2')")" "$N" "$N x [double_click, move]: $N dblclicks"
is "$(count "e['t'] == 'mousedown' and e['d'] == 2")" "$N" "every second press had click count 2"

# triple_click then move, Gemini's calls.
page_reset
for i in $(seq "$N"); do
	x=$(( i % 2 ? 72 : 197 ))
	answer "$(post '[{"name": "triple_click", "args": {"x": '"$x"', "y": 74}}, {"name": "move", "args": {"x": 780, "y": 830}}]')"
done
settle_log "e['t'] == 'click' and e['d'] == 3" "$N"
is "$(count "e['t'] == 'click' and e['d'] == 3 and e['id'] in ('b1', 'b2')")" "$N" "$N x [triple_click, move]: $N clicks with detail 3"

# right click then move, OSWorld's computer_13.
page_reset
for i in $(seq "$N"); do
	x=$(( i % 2 ? 140 : 380 ))
	answer "$(post '[{"action_type": "RIGHT_CLICK", "parameters": {"x": '"$x"', "y": 80}}, {"action_type": "MOVE_TO", "parameters": {"x": 1500, "y": 900}}]')"
done
settle_log "e['t'] == 'contextmenu'" "$N"
is "$(count "e['t'] == 'contextmenu' and e['id'] in ('b1', 'b2')")" "$N" "$N x [RIGHT_CLICK, MOVE_TO]: $N contextmenus"
is "$bad" 0 "every request answered 200"

stop_deskd
ok $? "deskd exits cleanly"
sanitizer_clean "$DESKD_LOG"
ok $? "no sanitizer report"
