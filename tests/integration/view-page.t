#!/usr/bin/env bash
# view-page: the live view in a real headless Chromium (Playwright).  A
# view token opens /view without the main token; the canvas shows a
# rectangle an X client drew, at its place and in its colour, then a change
# on the display; PNG and JPEG tiles; a view-only token cannot send input;
# an expired token is refused; a view token opens nothing else.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/cdp-lib.sh"
source "$TOP/tests/view-lib.sh"

cdp_requirements
start_xvfb
TOKEN=main-token-$RANDOM$RANDOM
echo "$TOKEN" >"$T_TMP/token"
start_deskd --token-file "$T_TMP/token"
start_chromium
start_driver

start_rect 200 150 300 200 ff0000
RED_PID=$RECT_PID

# --- tokens ---------------------------------------------------------------
st=$(http POST "$URL/v1/view/token" -H 'Content-Type: application/json' \
    --data-binary '{}')
is "$st" 401 "minting a view token needs the main token"
mint_token false 600 || fail "mint a view-only token"
like "$VTOK" '^[0-9a-f]{48}$' "a view token is 48 hex characters"
is "$(json_get "$T_TMP/body" 'j["control"]')" false "view-only by default"
is "$(json_get "$T_TMP/body" 'j["path"]')" "/view?token=$VTOK" \
    "the answer gives the page's path"
is "$(json_get "$T_TMP/body" 'j["expires_in"]')" 600 "expires_in as asked"
st=$(http POST "$URL/v1/view/token" -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' --data-binary '{"ttl": 0}')
is "$st" 400 "ttl 0: 400"
st=$(http POST "$URL/v1/view/token" -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' --data-binary '{"control": "yes"}')
is "$st" 400 "control not a boolean: 400"

# A view token opens the view only.
st=$(http GET "$URL/v1/screenshot?token=$VTOK")
is "$st" 401 "a view token in the query does not open /v1/screenshot"
st=$(http GET "$URL/v1/screenshot" -H "Authorization: Bearer $VTOK")
is "$st" 401 "nor as a bearer token"
st=$(http POST "$URL/v1/view/token" -H "Authorization: Bearer $VTOK" \
    -H 'Content-Type: application/json' --data-binary '{}')
is "$st" 401 "a view token cannot mint tokens"
st=$(http GET "$URL/view")
is "$st" 401 "/view without any token: 401"
# The token with its last digit changed (to 0, or to 1 when it is 0).
WRONG=${VTOK%?}0
[ "$WRONG" != "$VTOK" ] || WRONG=${VTOK%?}1
st=$(http GET "$URL/view?token=$WRONG")
is "$st" 401 "/view with a wrong token: 401"
st=$(http GET "$URL/view?token=$VTOK")
is "$st" 200 "/view with the view token: 200"
like "$(header Content-Type)" '^text/html' "  an HTML page"
like "$(header Content-Security-Policy)" "default-src 'none'" \
    "  that may load nothing from elsewhere"
! grep -qiE '(src|href)="https?:' "$T_TMP/body"
ok $? "  and names no external script, style or font"

# --- the canvas shows the screen -------------------------------------------
r=$(drv open "$URL/view?token=$VTOK")
is "$(jf "$r" 'j["status"]')" 200 "Chromium opens /view?token="
r=$(drv frames 1)
is "$(jf "$r" 'j["ok"]')" true "the first frame is drawn"
is "$(jf "$r" '[j["state"]["width"], j["state"]["height"]]')" "[1920, 1080]" \
    "the canvas is the screen's size"
is "$(jf "$r" 'j["state"]["control"]')" false "view-only: no control"
r=$(drv pixel 350 250)
is "$(jf "$r" 'j["rgb"]')" ff0000 "canvas pixel inside the rectangle is its red"
r=$(drv pixel 201 151)
is "$(jf "$r" 'j["rgb"]')" ff0000 "  at its top-left corner"
r=$(drv pixel 499 349)
is "$(jf "$r" 'j["rgb"]')" ff0000 "  at its bottom-right corner"
r=$(drv pixel 198 250)
isnt_red=$(jf "$r" 'j["rgb"] != "ff0000"')
is "$isnt_red" true "  and not left of it"
r=$(drv pixel 350 352)
is "$(jf "$r" 'j["rgb"] != "ff0000"')" true "  nor below it"

# A change on the display appears.
start_rect 900 600 120 80 00ff00
r=$(drv wait_pixel 960 640 00ff00 10000)
is "$(jf "$r" 'j["ok"]')" true "a new green rectangle appears on the canvas"
kill "$RED_PID"
r=$(drv wait_pixel 350 250 ff0000 5000)
r=$(drv eval "(() => { const d = document.getElementById('screen').getContext('2d').getImageData(350, 250, 1, 1).data; return d[0] !== 255 || d[1] !== 0; })()")
for _ in $(seq 50); do
	[ "$(jf "$r" 'j["value"]')" = true ] && break
	sleep 0.1
	r=$(drv eval "(() => { const d = document.getElementById('screen').getContext('2d').getImageData(350, 250, 1, 1).data; return d[0] !== 255 || d[1] !== 0; })()")
done
is "$(jf "$r" 'j["value"]')" true "the red rectangle's closing is drawn too"
[ "$(jf "$r" 'j["value"]')" = true ] || diag "page: $(drv state)"
r=$(drv state)
like "$(jf "$r" 'j["frames"]')" '^[0-9]+$' "frames counted ($(jf "$r" 'j["frames"]'))"

# A scrolling terminal goes as copies on the canvas plus the new lines:
# after it stops, the canvas must be the screen, pixel for pixel.
"$XCLIENT" scroll 40 >/dev/null 2>&1 &
SCROLL_PID=$!
T_PIDS+=("$SCROLL_PID")
b0=$(jf "$(drv state)" 'j["bytes"]')
sleep 4
kill -STOP "$SCROLL_PID"
sleep 1
b1=$(jf "$(drv state)" 'j["bytes"]')
drv "canvas_png $T_TMP/canvas.png" >/dev/null
curl -s -o "$T_TMP/screen.png" -H "Authorization: Bearer $TOKEN" \
    "$URL/v1/screenshot?cursor=0"
is "$("$PNGCHECK" "$T_TMP/canvas.png" diff "$T_TMP/screen.png" | cut -d' ' -f1)" 0 \
    "after 4 s of a scrolling terminal the canvas equals the screen"
ok $(( (b1 - b0) < 3000000 ? 0 : 1 )) \
    "  sent as copies and new lines: $(( (b1 - b0) / 1024 )) KiB in 4 s (whole frames: ~9 MiB)"
kill -CONT "$SCROLL_PID"
kill "$SCROLL_PID"
drv close >/dev/null

# JPEG tiles: the colour within JPEG's error.
start_rect 200 150 300 200 ff0000
r=$(drv open "$URL/view?token=$VTOK&format=jpeg&quality=80")
r=$(drv wait_pixel 350 250 ff0000 10000 24)
is "$(jf "$r" 'j["ok"]')" true "JPEG tiles: the rectangle is red ($(jf "$r" 'j["rgb"]'))"

# --- view-only cannot send input -----------------------------------------
"$XCLIENT" warp 10 10
r=$(drv eval "document.getElementById('control').disabled")
is "$(jf "$r" 'j["value"]')" true "view-only: the Take control toggle is disabled"
r=$(drv send '{"type":"move","x":777,"y":555}')
is "$(jf "$r" 'j["code"]')" 1008 "an input event from a view-only viewer: close 1008"
like "$(jf "$r" 'j["reason"]')" 'only watch' "  saying it may only watch"
sleep 0.3
is "$("$XCLIENT" pointer)" "10 10" "  and the pointer did not move"
r=$(drv state)
is "$(jf "$r" 'j["connected"]')" true "the page's own viewer stays connected"
drv close >/dev/null

# --- expiry -----------------------------------------------------------------
mint_token false 1 || fail "mint a 1 s token"
SHORT=$VTOK
st=$(http GET "$URL/view?token=$SHORT")
is "$st" 200 "a 1 s token opens /view at once"
r=$(drv open "$URL/view?token=$SHORT")
r=$(drv frames 1)
is "$(jf "$r" 'j["ok"]')" true "  and its stream"
sleep 2.2
st=$(http GET "$URL/view?token=$SHORT")
is "$st" 401 "after its ttl the token is refused"
st=$(http GET "$URL/v1/stream?token=$SHORT" -H 'Upgrade: websocket' \
    -H 'Connection: Upgrade' -H 'Sec-WebSocket-Version: 13' \
    -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==')
is "$st" 401 "  by the stream too"
r=$(drv wait_closed 5000)
is "$(jf "$r" 'j["state"]["closeCode"]')" 1008 "the open stream is closed when its token expires"
like "$(jf "$r" 'j["state"]["closeReason"]')" expired "  saying so"
drv close >/dev/null

# Revoking closes the token's viewers.
mint_token false 600
r=$(drv open "$URL/view?token=$VTOK")
r=$(drv frames 1)
st=$(http DELETE "$URL/v1/view/token?token=$VTOK" -H "Authorization: Bearer $TOKEN")
is "$st" 200 "DELETE /v1/view/token revokes it"
is "$(json_get "$T_TMP/body" 'j["viewers_closed"]')" 1 "  closing its one viewer"
r=$(drv wait_closed 5000)
is "$(jf "$r" 'j["state"]["closeCode"]')" 1008 "  whose page shows the close"
st=$(http GET "$URL/view?token=$VTOK")
is "$st" 401 "a revoked token is refused"

grep -q 'view: viewer [0-9]* (127.0.0.1) left' "$DESKD_LOG"
ok $? "deskd logs viewers leaving, with the reason"
stop_deskd
is $? 0 "deskd exits cleanly"
sanitizer_clean "$DESKD_LOG"
ok $? "no sanitizer report"
