#!/usr/bin/env bash
# view-control: "Take control" in the live view page (real Chromium through
# Playwright) with a view+control token: clicks, the wheel, typed text and
# shortcuts arrive at a real X client that records its events (xrecord),
# through the same input queue as /v1/computer; with the toggle off the
# page sends nothing.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/input-lib.sh"
source "$TOP/tests/cdp-lib.sh"
source "$TOP/tests/view-lib.sh"

cdp_requirements
start_xvfb 1920x1080 || exit 1
start_recorder || exit 1
TOKEN=main-token-$RANDOM$RANDOM
echo "$TOKEN" >"$T_TMP/token"
start_deskd --token-file "$T_TMP/token" || exit 1
start_chromium
start_driver
# input-lib's act, with the main token.
act() {
	local j=$1
	shift
	http POST "$URL/v1/computer" -H 'Content-Type: application/json' \
	    -H "Authorization: Bearer $TOKEN" --data-binary "$j" "$@"
}

mint_token true 600 || fail "mint a control token"
is "$(json_get "$T_TMP/body" 'j["control"]')" true "a view+control token"
r=$(drv open "$URL/view?token=$VTOK")
r=$(drv frames 1)
is "$(jf "$r" 'j["state"]["control"]')" true "the page is told it may take control"
r=$(drv control on)
is "$(jf "$r" 'j["controlling"]')" true "Take control switches on"

# page_events CMD...: run driver commands, then the sentinel; the events.
page_events() {
	local m c
	m=$(rec_mark)
	for c in "$@"; do
		drv "$c" >/dev/null
	done
	sleep 0.2
	rec_sync "$m" || { echo "no sentinel"; return; }
	rec_events "$m" | tr '\n' '|'
}

ev=$(page_events "click 300 400")
like "$ev" 'ButtonPress button=1 x=300 y=400 .*ButtonRelease button=1 x=300 y=400' \
    "a click on the canvas is a click at the same screen pixel"
ev=$(page_events "click 1500 900 right")
like "$ev" 'ButtonPress button=3 x=1500 y=900 .*ButtonRelease button=3 x=1500 y=900' \
    "a right click is button 3"
# (The canvas is at 2/3 scale: x and y that are multiples of 3 map back
# exactly from the page's whole-pixel mouse positions.)
ev=$(page_events "wheel 900 600 300")
is "$(echo "$ev" | tr '|' '\n' | grep -c 'ButtonPress button=5 x=900 y=600')" 3 \
    "300 px of wheel down: three notches of button 5 where the mouse is"
m=$(rec_mark)
drv "type hello World!" >/dev/null
sleep 0.3
rec_sync "$m"
is "$(rec_text "$m")" "hello World!" "typed text arrives as typed (Shift for W and !)"
ev=$(page_events "press Enter")
like "$ev" 'KeyPress keysym=Return ' "Enter is Return"
ev=$(page_events "press Control+a")
like "$ev" 'KeyPress keysym=Control_L .*KeyPress keysym=a keycode=[0-9]+ state=0x4 ' \
    "Control+a is a shortcut: a with Control held"
ev=$(page_events "press Control+Shift+T")
like "$ev" 'KeyPress keysym=T keycode=[0-9]+ state=0x5 ' \
    "Control+Shift+T: T with Control and Shift"
ev=$(page_events "press ArrowLeft" "press Backspace" "press F5")
like "$ev" 'keysym=Left .*keysym=BackSpace .*keysym=F5 ' "named keys map to keysyms"
ev=$(page_events "press Meta")
like "$ev" 'KeyPress keysym=Super_L .*KeyRelease keysym=Super_L' \
    "a modifier pressed alone is sent when released (Super)"
ev=$(page_events "press ShiftRight")
like "$ev" 'KeyPress keysym=Shift_R ' "  and the right one by its code (Shift_R)"

r=$(drv control off)
is "$(jf "$r" 'j["controlling"]')" false "Take control switches off"
ev=$(page_events "click 640 480" "type x")
is "$ev" "" "with control off the page sends nothing"

grep -q 'view: viewer [0-9]* (127.0.0.1) joined: png, 15 fps, control' "$DESKD_LOG"
ok $? "deskd logs the viewer and its rights"
stop_deskd
is $? 0 "deskd exits cleanly"
sanitizer_clean "$DESKD_LOG"
ok $? "no sanitizer report"
