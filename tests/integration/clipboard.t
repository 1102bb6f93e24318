#!/usr/bin/env bash
# clipboard.t: /v1/clipboard against real X clients on a real Xvfb: text
# and a PNG set through deskd are read by xclip (CLIPBOARD and PRIMARY,
# each target, INCR for megabytes), what xclip copies is read through
# deskd (INCR too), an owner that never answers costs the bound and no
# more while the loop keeps serving, bad bodies are 4xx, and a "type"
# action with "method": "paste" pastes long text into a GTK entry (zenity)
# and puts the previous clipboard back.
source "$(dirname "$0")/../lib.sh"

start_xvfb 1024x768 || exit 1
openbox --sm-disable >"$T_TMP/openbox.log" 2>&1 &
T_PIDS+=($!)
start_deskd --no-auth || exit 1

put() {	# put CTYPE FILE [QUERY]
	CODE=$(http PUT "$URL/v1/clipboard${3:-}" -H "Content-Type: $1" \
	    --data-binary "@$2")
}
xc() { timeout 10 xclip -selection "$1" -o "${@:2}"; }
copy() {	# copy FILE [TARGET]: xclip owns CLIPBOARD with FILE
	xclip -quiet -selection clipboard ${2:+-t "$2"} -i "$1" \
	    >/dev/null 2>&1 &
	T_PIDS+=($!)
	# xclip's TARGETS have no TIMESTAMP, deskd's do: wait for the hand-over.
	for _ in $(seq 100); do
		t=$(xc clipboard -t TARGETS 2>/dev/null)
		[ -n "$t" ] && ! grep -q TIMESTAMP <<<"$t" && break
		sleep 0.05
	done
	sleep 0.1
}

# --- set through deskd, read by xclip ------------------------------------------

printf 'héllo wörld ✓ 日本' >"$T_TMP/t1"
put 'text/plain; charset=utf-8' "$T_TMP/t1"
is "$CODE" 200 "PUT text: 200"
like "$(body)" '"selections":\["clipboard","primary"\]' "PUT text: both selections"
is "$(xc clipboard)" "$(cat "$T_TMP/t1")" "xclip reads the text from CLIPBOARD (UTF8_STRING)"
is "$(xc primary)" "$(cat "$T_TMP/t1")" "xclip reads the text from PRIMARY"
targets=$(xc clipboard -t TARGETS | sort | tr '\n' ' ')
like "$targets" "STRING .*TARGETS .*TEXT .*UTF8_STRING" "TARGETS lists UTF8_STRING, STRING, TEXT, TARGETS"
is "$(xc clipboard -t STRING | od -An -tx1 | tr -d ' \n')" "68e96c6c6f2077f6726c64203f203f3f" "STRING is Latin-1, '?' for the rest"
is "$(xc clipboard -t 'text/plain;charset=utf-8')" "$(cat "$T_TMP/t1")" "text/plain;charset=utf-8 too"

head -c 2400000 /dev/urandom | base64 -w 0 >"$T_TMP/big"
put text/plain "$T_TMP/big"
is "$CODE" 200 "PUT 3 MB of text: 200"
xc clipboard >"$T_TMP/big.out"
cmp -s "$T_TMP/big" "$T_TMP/big.out"
ok $? "xclip reads 3 MB whole (INCR)"

convert -size 300x200 plasma:fractal -depth 8 "$T_TMP/p.png" 2>/dev/null ||
    convert -size 300x200 xc:red "$T_TMP/p.png"
put image/png "$T_TMP/p.png"
is "$CODE" 200 "PUT a PNG: 200"
xc clipboard -t image/png >"$T_TMP/p.out"
cmp -s "$T_TMP/p.png" "$T_TMP/p.out"
ok $? "xclip reads the PNG as image/png, byte for byte"
like "$(xc clipboard -t TARGETS | tr '\n' ' ')" "image/png" "TARGETS of an image: image/png"
xc clipboard -t UTF8_STRING >/dev/null 2>&1
is $? 1 "an image is not offered as text"

# --- copied in an application, read through deskd ---------------------------------

printf 'copied in xclip — ünïcode' >"$T_TMP/t2"
copy "$T_TMP/t2"
code=$(http GET "$URL/v1/clipboard")
is "$code" 200 "GET text another client owns: 200"
is "$(body)" "$(cat "$T_TMP/t2")" "GET: the text xclip copied"
is "$(header Content-Type)" "text/plain; charset=utf-8" "GET: text/plain; charset=utf-8"
code=$(http GET "$URL/v1/clipboard?type=targets")
like "$(body)" '"UTF8_STRING"' "GET type=targets: the owner's targets"
code=$(http GET "$URL/v1/clipboard?type=png")
is "$code" 404 "GET type=png of text: 404"

copy "$T_TMP/big"
code=$(http GET "$URL/v1/clipboard")
cmp -s "$T_TMP/big" "$T_TMP/body"
ok $? "GET 3 MB another client owns, whole (INCR)"

copy "$T_TMP/p.png" image/png
code=$(http GET "$URL/v1/clipboard?type=png")
is "$code" 200 "GET an image another client owns: 200"
cmp -s "$T_TMP/p.png" "$T_TMP/body"
ok $? "GET type=png: the PNG xclip copied, byte for byte"
is "$(header Content-Type)" image/png "GET type=png: image/png"

# --- an owner that never answers ------------------------------------------------------

copy "$T_TMP/t1"
xpid=${T_PIDS[-1]}
kill -STOP "$xpid"
curl -s -o "$T_TMP/slow" -w '%{http_code}' --max-time 20 "$URL/v1/clipboard" >"$T_TMP/slow.code" &
SLOW=$!
sleep 0.3
code=$(http GET "$URL/health")
is "$code" 200 "a silent owner: /health answers while the read waits"
code=$(http GET "$URL/v1/screenshot")
is "$code" 200 "a silent owner: a screenshot answers while the read waits"
wait "$SLOW"
is "$(cat "$T_TMP/slow.code")" 504 "a silent owner: 504 at the bound"
like "$(cat "$T_TMP/slow")" "DESKD_CLIP_TIMEOUT_MS" "a silent owner: the 504 names the bound"
kill -KILL "$xpid"

# --- bad input -------------------------------------------------------------------

printf '\xff\xfe bad' >"$T_TMP/bad"
put text/plain "$T_TMP/bad"
is "$CODE" 400 "PUT text that is not UTF-8: 400"
put image/png "$T_TMP/t1"
is "$CODE" 400 "PUT image/png that is not a PNG: 400"
put application/pdf "$T_TMP/t1"
is "$CODE" 415 "PUT another type: 415"
code=$(http GET "$URL/v1/clipboard?type=jpeg")
is "$code" 400 "GET an unknown type: 400"
code=$(http GET "$URL/v1/clipboard?selection=secondary")
is "$code" 400 "GET an unknown selection: 400"
code=$(http DELETE "$URL/v1/clipboard")
is "$code" 204 "DELETE: 204"
put text/plain "$T_TMP/t1"
code=$(http DELETE "$URL/v1/clipboard")
xc clipboard >/dev/null 2>&1
is $? 1 "DELETE: deskd no longer owns the clipboard"
code=$(http GET "$URL/v1/clipboard")
is "$code" 404 "GET an empty clipboard: 404"
like "$(body)" "clipboard_empty" "GET an empty clipboard: its code"

# --- type by pasting, into a GTK entry ------------------------------------------------

printf 'the clipboard before' >"$T_TMP/before"
copy "$T_TMP/before"
zenity --entry --title=pastehere --text=paste >"$T_TMP/zenity.out" 2>/dev/null &
ZEN=$!
T_PIDS+=($ZEN)
for _ in $(seq 100); do wmctrl -l | grep -q pastehere && break; sleep 0.1; done
sleep 0.5
long=$(python3 -c 'print(("pasted ✓ text %d — " * 100 % tuple(range(100))).strip())')
body=$(python3 -c 'import json,sys; print(json.dumps({"action":"type","method":"paste","text":sys.argv[1]}))' "$long")
code=$(http POST "$URL/v1/computer" -H 'Content-Type: application/json' --data-binary "$body")
is "$code" 200 "type method paste: 200"
http POST "$URL/v1/computer" -H 'Content-Type: application/json' -d '{"action":"key","text":"Return"}' >/dev/null
wait "$ZEN"
is "$(cat "$T_TMP/zenity.out")" "$long" "type method paste: the GTK entry got the whole text"
is "$(xc clipboard)" "$(cat "$T_TMP/before")" "type method paste: the previous clipboard is back"
code=$(http POST "$URL/v1/computer" -H 'Content-Type: application/json' -d '{"action":"key","text":"a","method":"paste"}')
is "$code" 400 "method on another action: 400"

kill -0 "$DESKD_PID"
ok $? "deskd is still running"
