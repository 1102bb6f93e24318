#!/usr/bin/env bash
# Screenshots: the PNG decodes to the screen size, known pixels are where an
# X client drew them, the cursor is drawn at the pointer minus its hotspot,
# an unchanged screen gives identical bytes and a change shows up, and the
# width/height/scale/region/cursor parameters do what they say.
source "$(dirname "$0")/../lib.sh"

start_xvfb 1920x1080 || exit 1
start_deskd || exit 1

code=$(http GET "$URL/screenshot")
is "$code" 200 "GET /screenshot answers 200"
like "$(header Content-Type)" '^image/png' "content type is image/png"
cp "$T_TMP/body" "$T_TMP/first.png"
is "$("$PNGCHECK" "$T_TMP/first.png")" "1920 1080" "PNG decodes to the screen size"

# Park the pointer away from where we draw.
"$XCLIENT" warp 1500 900
"$XCLIENT" rect 100 200 300 150 ff0000 >"$T_TMP/rect1" &
T_PIDS+=($!)
for _ in $(seq 50); do grep -q ready "$T_TMP/rect1" && break; sleep 0.1; done
http GET "$URL/screenshot" >/dev/null
cp "$T_TMP/body" "$T_TMP/rect.png"
is "$("$PNGCHECK" "$T_TMP/rect.png" find ff0000)" "45000 100 200 400 350" \
    "red rectangle at 100,200 300x150, every pixel red"
is "$("$PNGCHECK" "$T_TMP/rect.png" 99 200)" "$("$PNGCHECK" "$T_TMP/first.png" 99 200)" \
    "pixel left of the rectangle is untouched"

# Unchanged screen: byte-identical; then a change shows up.
http GET "$URL/screenshot" >/dev/null
cp "$T_TMP/body" "$T_TMP/same1.png"
http GET "$URL/screenshot" >/dev/null
cmp -s "$T_TMP/same1.png" "$T_TMP/body"
ok $? "two screenshots of an unchanged screen are byte-identical"
"$XCLIENT" rect 1000 100 40 30 0000ff >"$T_TMP/rect2" &
T_PIDS+=($!)
for _ in $(seq 50); do grep -q ready "$T_TMP/rect2" && break; sleep 0.1; done
http GET "$URL/screenshot" >/dev/null
cp "$T_TMP/body" "$T_TMP/changed.png"
is "$("$PNGCHECK" "$T_TMP/changed.png" find 0000ff)" "1200 1000 100 1040 130" \
    "a small change shows up in the next screenshot"
is "$("$PNGCHECK" "$T_TMP/changed.png" find ff0000)" "45000 100 200 400 350" \
    "and the unchanged parts are still right"
is "$("$PNGCHECK" "$T_TMP/changed.png" diff "$T_TMP/same1.png" | cut -d' ' -f1)" 1200 \
    "only the changed pixels differ from the cached frame"

# Cursor: drawn at the pointer minus the hotspot, absent with cursor=0.
"$XCLIENT" warp 250 275
read -r cx cy cw ch hx hy < <("$XCLIENT" cursorinfo)
is "$cx $cy" "250 275" "pointer is where we put it"
http GET "$URL/v1/screenshot?cursor=1" >/dev/null; cp "$T_TMP/body" "$T_TMP/c1.png"
http GET "$URL/v1/screenshot?cursor=0" >/dev/null; cp "$T_TMP/body" "$T_TMP/c0.png"
read -r n x0 y0 x1 y1 < <("$PNGCHECK" "$T_TMP/c1.png" diff "$T_TMP/c0.png")
[ "$n" -gt 0 ]
ok $? "cursor=1 differs from cursor=0 ($n pixels)"
[ "$x0" -ge $((cx - hx)) ] && [ "$y0" -ge $((cy - hy)) ] &&
    [ "$x1" -le $((cx - hx + cw)) ] && [ "$y1" -le $((cy - hy + ch)) ]
ok $? "cursor pixels lie inside the cursor image placed at pointer - hotspot ($x0,$y0)-($x1,$y1) in ($((cx-hx)),$((cy-hy)))+${cw}x${ch}"
is "$("$PNGCHECK" "$T_TMP/c0.png" find ff0000)" "45000 100 200 400 350" \
    "cursor=0 leaves the rectangle whole under the pointer"
http GET "$URL/screenshot" >/dev/null
read -r n2 _ < <("$PNGCHECK" "$T_TMP/body" diff "$T_TMP/c1.png")
is "$n2" 0 "GET /screenshot draws the cursor the same way"
# Moving the pointer moves the cursor in the cached frame too.
"$XCLIENT" warp 1500 900
http GET "$URL/screenshot" >/dev/null
is "$("$PNGCHECK" "$T_TMP/body" find ff0000)" "45000 100 200 400 350" \
    "cursor moved away: the cached frame no longer shows it on the rectangle"

# Scaling and regions.
code=$(http GET "$URL/v1/screenshot?width=960")
is "$code" 200 "width=960 answers 200"
is "$("$PNGCHECK" "$T_TMP/body")" "960 540" "width=960 keeps the aspect: 960x540"
is "$(header X-Image-Size)" "960x540" "X-Image-Size says 960x540"
is "$(header X-Screen-Size)" "1920x1080" "X-Screen-Size says 1920x1080"
is "$("$PNGCHECK" "$T_TMP/body" find ff0000)" "11250 50 100 200 175" \
    "the rectangle is at half coordinates in the half-size image"
http GET "$URL/v1/screenshot?height=270" >/dev/null
is "$("$PNGCHECK" "$T_TMP/body")" "480 270" "height=270 gives 480x270"
http GET "$URL/v1/screenshot?width=1000&height=1000" >/dev/null
is "$("$PNGCHECK" "$T_TMP/body")" "1000 563" "width and height: fit inside the box"
http GET "$URL/v1/screenshot?scale=0.25" >/dev/null
is "$("$PNGCHECK" "$T_TMP/body")" "480 270" "scale=0.25 gives 480x270"
http GET "$URL/v1/screenshot?width=4000" >/dev/null
is "$("$PNGCHECK" "$T_TMP/body")" "1920 1080" "never scaled up past the screen"
code=$(http GET "$URL/v1/screenshot?region=100,200,300,150")
is "$code" 200 "region answers 200"
is "$("$PNGCHECK" "$T_TMP/body" find ff0000)" "45000 0 0 300 150" \
    "region=100,200,300,150 is exactly the red rectangle"
is "$(header X-Image-Size)" "300x150" "X-Image-Size of a region"
http GET "$URL/v1/screenshot?region=100,200,300,150&width=150" >/dev/null
is "$("$PNGCHECK" "$T_TMP/body" find ff0000)" "11250 0 0 150 75" \
    "region and width together"

# Bad parameters: 400 JSON naming the parameter.
for q in "width=0:width" "width=abc:width" "height=-5:height" \
    "scale=2:scale" "scale=0:scale" "scale=x:scale" "scale=0.5%26width=3:scale" \
    "region=1,2,3:region" "region=0,0,5000,10:region" "region=a,b,c,d:region" \
    "region=10,10,0,5:region" "cursor=2:cursor"; do
	param=${q%%:*}
	name=${q##*:}
	code=$(http GET "$URL/v1/screenshot?$param")
	is "$code" 400 "?$param is refused with 400"
	like "$(body)" "\"code\":\"bad_parameter\",\"message\":\"$name" \
	    "?$param error names $name"
done

code=$(curl -s -I -o "$T_TMP/headers" -w '%{http_code}' "$URL/screenshot")
is "$code" 200 "HEAD /screenshot answers 200"
code=$(http GET "$URL/no/such/path")
is "$code" 404 "unknown path answers 404"
like "$(body)" '^\{"error":\{"code":"not_found"' "404 is a JSON error"
code=$(http POST "$URL/screenshot")
is "$code" 405 "POST /screenshot answers 405"
like "$(body)" '"code":"method_not_allowed"' "405 is a JSON error"

# Keep-alive: many requests on one connection, all answered.
n=$(curl -s -o /dev/null -w '%{http_code}\n' "$URL/screenshot" "$URL/screenshot" \
    "$URL/v1/screenshot?scale=0.5" "$URL/health" | grep -c 200)
is "$n" 4 "four requests over one keep-alive connection"

stop_deskd
is $? 0 "deskd exits 0 on SIGTERM"
sanitizer_clean "$DESKD_LOG"
ok $? "no sanitizer report in deskd's log"
