#!/usr/bin/env bash
# vendor-paste: a vendor call that types, typed by pasting instead (the
# "type" action's "method": "paste", agent/clipboard.c): Anthropic's type
# with input.method, and OpenAI's type, Gemini's type and OSWorld's TYPING
# with ?type_method=paste, each into a GTK entry (zenity) that reads the
# clipboard on ctrl+v; the previous clipboard is back after each; the
# proof says the text was pasted and read, and says so when nothing read
# it.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../vendor-lib.sh"

start_xvfb 1024x768 || exit 1
start_wm
start_deskd --no-auth || exit 1

xc() { timeout 10 xclip -selection "$1" -o "${@:2}"; }

# xclip owns CLIPBOARD with the text before each paste.
printf 'the clipboard before' >"$T_TMP/before"
xclip -quiet -selection clipboard -i "$T_TMP/before" >/dev/null 2>&1 &
T_PIDS+=($!)
for _ in $(seq 100); do
	[ "$(xc clipboard 2>/dev/null)" = "the clipboard before" ] && break
	sleep 0.05
done

# paste_into NAME JSON [QUERY]: post JSON to /v1/computer with QUERY into
# a fresh zenity entry titled NAME; Return ends it; its text in
# $T_TMP/NAME.out.
paste_into() {
	local name=$1 zen
	zenity --entry --title="$name" --text=paste >"$T_TMP/$name.out" \
	    2>/dev/null &
	zen=$!
	T_PIDS+=($zen)
	for _ in $(seq 100); do
		wmctrl -l | grep -q "$name" && break
		sleep 0.1
	done
	sleep 0.5
	CODE=$(http POST "$URL/v1/computer${3:-}" -H \
	    'Content-Type: application/json' --data-binary "$2")
	cp "$T_TMP/body" "$T_TMP/$name.reply"
	http POST "$URL/v1/computer" -H 'Content-Type: application/json' -d '{"action":"key","text":"Return"}' \
	    >/dev/null
	wait "$zen"
	cp "$T_TMP/$name.reply" "$T_TMP/body"
}

# text N: a long line with non-ASCII characters, different for each N.
text() {
	python3 -c 'import sys; n = sys.argv[1]; print(" ".join("%s: pasted ✓ %d —" % (n, i) for i in range(60)))' "$1"
}
js() { python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$1"; }

proof='r["actions"][0]["method"] == "paste" and r["actions"][0]["pasted"] is True and r["actions"][0]["complete"] is True and r["actions"][0]["chars"] == len(@T@)'

# paste_check NAME JSON QUERY WHAT: NAME's long text pasted with JSON (@T@
# for the text) and QUERY; the proof, the entry and the clipboard after.
paste_check() {
	local t
	t=$(text "$1")
	paste_into "$1" "${2//@T@/$(js "$t")}" "$3"
	is "$CODE" 200 "$4: 200"
	reply_check "${proof/@T@/$(js "$t")}" "$1: the proof: pasted, read by the entry, every character"
	is "$(cat "$T_TMP/$1.out")" "$t" "$1: the GTK entry got the whole text"
	is "$(xc clipboard)" "the clipboard before" "$1: the previous clipboard is back"
}

paste_check anthropic '{"type": "tool_use", "id": "t", "name": "type", "input": {"text": @T@, "method": "paste"}}' "" \
    "Anthropic type with input.method paste"
paste_check openai '{"type": "computer_call", "call_id": "c", "action": {"type": "type", "text": @T@}}' "?type_method=paste" \
    "OpenAI type with ?type_method=paste"
paste_check gemini '{"name": "type", "args": {"text": @T@}}' "?type_method=paste" \
    "Gemini type with ?type_method=paste"
paste_check osworld '{"action_type": "TYPING", "parameters": {"text": @T@}}' "?type_method=paste" \
    "OSWorld TYPING with ?type_method=paste"

# ?type_method=type (the default) types keystrokes: no method in the proof.
t="keys ✓"
paste_into keys "{\"type\": \"computer_call\", \"call_id\": \"c\", \"action\": {\"type\": \"type\", \"text\": $(js "$t")}}" "?type_method=type"
reply_check '"method" not in r["actions"][0] and r["actions"][0]["typed"] == 6 and r["actions"][0]["complete"] is True' "?type_method=type: keystrokes, all of them"
is "$(cat "$T_TMP/keys.out")" "$t" "the GTK entry got them"

# Nothing that reads the clipboard has the focus: the proof says so.
http POST "$URL/v1/computer?type_method=paste" -H 'Content-Type: application/json' --data-binary '{"type": "computer_call", "call_id": "c", "action": {"type": "type", "text": "nobody"}}' >/dev/null
reply_check 'r["actions"][0]["pasted"] is False and r["actions"][0]["complete"] is False' "no window read the paste: pasted and complete false"
is "$(xc clipboard)" "the clipboard before" "the previous clipboard is back"

is "$(http POST "$URL/v1/computer?type_method=clip" -H 'Content-Type: application/json' --data-binary '{"name": "type", "args": {"text": "x"}}')" 400 "type_method=clip: 400"
reply_check 'r["error"]["code"] == "bad_parameter" and r["error"]["message"].startswith("type_method")' "bad_parameter naming type_method"

kill -0 "$DESKD_PID"
ok $? "deskd is still running"
stop_deskd
ok $? "deskd exits cleanly"
sanitizer_clean "$DESKD_LOG"
ok $? "no sanitizer report"
