#!/usr/bin/env bash
# Windows through EWMH with openbox managing real xmessage windows:
# /window_size, /setup/activate_window and /setup/close_window with
# wmctrl's matching rules, /setup/open_file (a command and a file through
# xdg-open, waiting on a timer), and the native /v1/windows routes.
source "$(dirname "$0")/../lib.sh"

command -v openbox >/dev/null || { skip "openbox is not installed (packaging/deps.sh --test)"; exit 0; }
command -v xmessage >/dev/null || { skip "xmessage is not installed (x11-utils)"; exit 0; }

start_xvfb 1024x768 || exit 1
openbox --sm-disable >"$T_TMP/openbox.log" 2>&1 &
WM=$!
T_PIDS+=($WM)
T_LOGS+=("$T_TMP/openbox.log")
for _ in $(seq 100); do
	xprop -root _NET_SUPPORTING_WM_CHECK 2>/dev/null | grep -q 'window id' && break
	sleep 0.1
done
xprop -root _NET_SUPPORTING_WM_CHECK | grep -q 'window id'
ok $? "openbox manages the display"

# open_file's helpers: a command in PATH and an xdg-open handler.
mkdir -p "$T_TMP/bin" "$T_TMP/data/applications" "$T_TMP/config" "$T_TMP/home"
cat >"$T_TMP/bin/deskd-testapp" <<'EOF'
#!/bin/sh
exec xmessage -name testapp -title "deskd-testapp main" "launched by open_file"
EOF
cat >"$T_TMP/bin/deskd-viewer" <<'EOF'
#!/bin/sh
case "$1" in
*.nowindow) exit 0 ;;
esac
exec xmessage -name viewer -title "$(basename "$1") - Viewer" "$1"
EOF
chmod +x "$T_TMP/bin/deskd-testapp" "$T_TMP/bin/deskd-viewer"
cat >"$T_TMP/data/applications/deskd-viewer.desktop" <<EOF
[Desktop Entry]
Type=Application
Name=deskd test viewer
Exec=$T_TMP/bin/deskd-viewer %f
MimeType=text/plain;
EOF
printf '[Default Applications]\ntext/plain=deskd-viewer.desktop\n' \
    >"$T_TMP/config/mimeapps.list"

HOME=$T_TMP/home PATH=$T_TMP/bin:$PATH XDG_DATA_HOME=$T_TMP/data XDG_CONFIG_HOME=$T_TMP/config \
    start_deskd --no-auth --workdir "$T_TMP/home" || exit 1
J=(-H 'Content-Type: application/json')
TEXT='^text/html; charset=utf-8$'

# Window list as "title|instance.class|active" lines.
wins() {
	curl -s "$URL/v1/windows" | python3 -c '
import json, sys
for w in json.load(sys.stdin)["windows"]:
    print("%s|%s.%s|%s" % (w["title"], w["instance"], w["class"], w["active"]))'
}
# wait_for REGEX: until a line of wins matches (5 s).
wait_for() {
	local i
	for i in $(seq 100); do
		wins | grep -qE "$1" && return 0
		sleep 0.05
	done
	return 1
}
wait_gone() {
	local i
	for i in $(seq 100); do
		wins | grep -qE "$1" || return 0
		sleep 0.05
	done
	return 1
}

code=$(http POST "$URL/window_size" -d app_class_name=first)
is "$code:$(body)" '404:{"error":"no window with class first"}' \
    "/window_size of a missing class: 404 JSON (upstream: HTML 500)"
code=$(http POST "$URL/window_size")
is "$code:$(body)" '400:{"error":"app_class_name is required"}' "/window_size without a name: 400"

xmessage -name first -title "First Window" -geometry 300x120+10+10 one >/dev/null 2>&1 &
FIRST=$!
T_PIDS+=($FIRST)
wait_for '^First Window\|first.Xmessage' || fail "the first xmessage did not show up"
xmessage -name second -title "Second Window" two >/dev/null 2>&1 &
SECOND=$!
T_PIDS+=($SECOND)
wait_for '^Second Window\|second.Xmessage' || fail "the second xmessage did not show up"

code=$(http GET "$URL/v1/windows")
is "$code" 200 "GET /v1/windows: 200"
is "$(json_get "$T_TMP/body" 'sorted(j["windows"][0].keys())')" \
    '["active", "class", "desktop", "height", "id", "instance", "pid", "title", "width", "x", "y"]' \
    "each window has id, title, class, instance, x, y, width, height, active, desktop, pid"
is "$(json_get "$T_TMP/body" 'sorted(w["title"] for w in j["windows"])')" \
    '["First Window", "Second Window"]' "both managed windows are listed"
geo=$(json_get "$T_TMP/body" '[[w["width"], w["height"]] for w in j["windows"] if w["title"] == "First Window"][0]')

code=$(http POST "$URL/window_size" -d app_class_name=first)
is "$code" 200 "/window_size of a launched client: 200"
is "$(json_get "$T_TMP/body" '[j["width"], j["height"]]')" "$geo" "its client size"
xw=$(xwininfo -name "First Window" | awk '/Width:/ {w=$2} /Height:/ {h=$2} END {print "[" w ", " h "]"}')
is "$geo" "$xw" "the size xwininfo reports ($xw)"
code=$(http POST "$URL/window_size" -d app_class_name=XMESSAGE)
is "$code" 200 "the class matches case-insensitively"
code=$(http POST "$URL/window_size" "${J[@]}" -d '{"app_class_name": "second"}')
is "$code" 200 "a JSON body is accepted too"

# activate_window: wmctrl -a rules.
code=$(http POST "$URL/setup/activate_window" "${J[@]}" -d '{"window_name": "first win"}')
is "$code:$(body)" "200:Window activated successfully" "activate by a title substring, any case: 200"
like "$(header Content-Type)" "$TEXT" "as text"
wait_for '^First Window\|.*\|True$'
ok $? "the first window became active"
code=$(http POST "$URL/setup/activate_window" "${J[@]}" \
    -d '{"window_name": "Second Window", "strict": true}')
wait_for '^Second Window\|.*\|True$'
ok $? "strict with the exact title activates the second"
http POST "$URL/setup/activate_window" "${J[@]}" \
    -d '{"window_name": "first window", "strict": true}' >/dev/null
is "$(body)" "Window activated successfully" "strict with the wrong case still answers 200 (wmctrl rc ignored)"
sleep 0.5
wins | grep -q '^Second Window|.*|True$'
ok $? "but nothing changed: strict is case-sensitive"
http POST "$URL/setup/activate_window" "${J[@]}" \
    -d '{"window_name": "first.xmessage", "by_class": true}' >/dev/null
wait_for '^First Window\|.*\|True$'
ok $? "by_class matches instance.class"
http POST "$URL/setup/activate_window" "${J[@]}" \
    -d '{"window_name": "second.Xmessage", "by_class": 1, "strict": 1}' >/dev/null
wait_for '^Second Window\|.*\|True$'
ok $? "by_class + strict with the exact instance.class (truthy ints)"
code=$(http POST "$URL/setup/activate_window" "${J[@]}" -d '{}')
is "$code:$(body)" "400:window_name required" "no window_name: 400 text"
code=$(http POST "$URL/setup/activate_window" "${J[@]}" -d '{"window_name": 3}')
is "$code:$(body)" "400:window_name required" "a number for window_name: 400"
code=$(http POST "$URL/setup/close_window")
is "$code:$(body)" "400:window_name required" "close_window with no body: 400 (upstream: HTML 500)"
code=$(http POST "$URL/setup/activate_window" "${J[@]}" -d '{"window_name":')
is "$code" 400 "malformed JSON: 400"
like "$(header Content-Type)" '^application/json' "as JSON"

# Native activate and close.
id1=$(curl -s "$URL/v1/windows" | python3 -c 'import json,sys; print([w["id"] for w in json.load(sys.stdin)["windows"] if w["title"] == "First Window"][0])')
code=$(http POST "$URL/v1/windows/activate" "${J[@]}" -d "{\"id\": $id1}")
is "$code" 200 "POST /v1/windows/activate by id: 200"
is "$(json_get "$T_TMP/body" 'j["title"]')" "First Window" "answers the window"
wait_for '^First Window\|.*\|True$'
ok $? "and activates it"
code=$(http POST "$URL/v1/windows/activate" "${J[@]}" -d '{"id": 12345}')
is "$code" 404 "an unknown id: 404"
like "$(body)" '"code":"not_found"' "as a native JSON error"
is "$(http POST "$URL/v1/windows/activate" "${J[@]}" -d '{"id": "x"}')" 400 "a string id: 400"
is "$(http POST "$URL/v1/windows/activate" "${J[@]}" -d '{"id": 1, "name": "x"}')" 400 "id and name together: 400"
is "$(http POST "$URL/v1/windows/close" "${J[@]}" -d '{"name": "no such"}')" 404 "closing no match: 404"

code=$(http POST "$URL/setup/close_window" "${J[@]}" -d '{"window_name": "second"}')
is "$code:$(body)" "200:Window closed successfully." "close_window: 200"
wait_gone '^Second Window'
ok $? "the second window is gone"
for _ in $(seq 50); do kill -0 $SECOND 2>/dev/null || break; sleep 0.1; done
! kill -0 $SECOND 2>/dev/null
ok $? "its client exited (WM_DELETE_WINDOW through openbox)"
code=$(http POST "$URL/v1/windows/close" "${J[@]}" -d '{"name": "First Window", "strict": true}')
is "$code" 200 "POST /v1/windows/close by name: 200"
wait_gone '^First Window'
ok $? "the first window is gone"

# close_window with "": upstream refuses only a missing key (main.py:1451)
# and runs wmctrl -c "", which closes the first window (every title
# contains ""); deskd answered 400.  wmctrl itself first, as the reference.
xm() {	# xm NAME TITLE: an xmessage window, listed before returning
	xmessage -name "$1" -title "$2" "$1" >/dev/null 2>&1 &
	T_PIDS+=($!)
	wait_for "^$2\\|" || fail "$2 did not show up"
}
xm third "Third Window"
xm fourth "Fourth Window"
wmctrl -c ""
wait_gone '^Third Window\|'
ok $? "wmctrl -c \"\" closes the first window (the reference)"
wins | grep -q '^Fourth Window|'
ok $? "... and only it"
xm fifth "Fifth Window"
code=$(http POST "$URL/setup/close_window" "${J[@]}" -d '{"window_name": ""}')
is "$code:$(body)" "200:Window closed successfully." "close_window with \"\": 200, as upstream"
wait_gone '^Fourth Window\|'
ok $? "... and the first window is closed, as wmctrl -c \"\" does"
wins | grep -q '^Fifth Window|'
ok $? "... and only it"
code=$(http POST "$URL/setup/activate_window" "${J[@]}" -d '{"window_name": ""}')
is "$code:$(body)" "400:window_name required" "activate_window with \"\": 400 (upstream's if not window_name)"
http POST "$URL/setup/close_window" "${J[@]}" -d '{"window_name": "Fifth Window"}' >/dev/null
wait_gone '^Fifth Window\|'
ok $? "the last of them is closed by name"

# open_file with a command: waits for its window on a timer, activates it.
code=$(http POST "$URL/setup/open_file" "${J[@]}" -d '{"path": "deskd-testapp"}')
is "$code:$(body)" "200:File opened and window activated successfully" \
    "open_file of a command in PATH: 200 once its window shows"
wins | grep -q '^deskd-testapp main|testapp.Xmessage|True$'
ok $? "and that window is active"
code=$(http POST "$URL/window_size" -d app_class_name=testapp)
is "$code" 200 "/window_size of the launched app: 200"

# open_file with a file: xdg-open runs the handler, the title names it.
echo notes >"$T_TMP/home/notes.txt"
code=$(http POST "$URL/setup/open_file" "${J[@]}" -d '{"path": "~/notes.txt"}')
is "$code:$(body)" "200:File opened and window activated successfully" \
    "open_file of a file through xdg-open: 200"
wins | grep -q '^notes.txt - Viewer|viewer.Xmessage|True$'
ok $? "the viewer's window is active"

# Nothing blocks while open_file waits for a window that never comes.
echo x >"$T_TMP/home/quiet.nowindow"
curl -s -X POST "${J[@]}" -o "$T_TMP/open.body" -w '%{http_code}' \
    -d '{"path": "~/quiet.nowindow", "timeout": 3}' "$URL/setup/open_file" >"$T_TMP/open.code" &
OPEN=$!
T_PIDS+=($OPEN)
sleep 0.5
code=$(http GET "$URL/screenshot")
kill -0 $OPEN 2>/dev/null
ok $? "open_file is still waiting"
is "$code" 200 "meanwhile /screenshot answers 200"
is "$(http POST "$URL/window_size" -d app_class_name=testapp)" 200 "and /window_size too"
wait $OPEN
is "$(cat "$T_TMP/open.code"):$(cat "$T_TMP/open.body")" \
    "500:Failed to find window for quiet.nowindow within 3 seconds." \
    "no window within the timeout: 500 text"
code=$(http POST "$URL/setup/open_file" "${J[@]}" -d '{"path": "/no/such/file.txt"}')
is "$code:$(body)" "404:Application/file not found: /no/such/file.txt" "a missing file: 404"
code=$(http POST "$URL/setup/open_file" "${J[@]}" -d '{}')
is "$code:$(body)" "400:Path not supplied!" "no path: 400"
is "$(http POST "$URL/setup/open_file" "${J[@]}" -d '{"path": "x", "timeout": "a"}')" 400 \
    "a non-number timeout: 400"

# A client that leaves while open_file waits: deskd forgets the wait.
curl -s -m 1 -X POST "${J[@]}" -d '{"path": "~/quiet.nowindow", "timeout": 60}' \
    "$URL/setup/open_file" >/dev/null
is "$(http GET "$URL/health")" 200 "a caller leaving mid-wait is harmless"

# Without a window manager: top-level windows stand in for the client list.
kill $WM
wait $WM 2>/dev/null
for _ in $(seq 100); do
	xprop -root _NET_CLIENT_LIST 2>/dev/null | grep -q 'window id' || break
	xprop -root -remove _NET_CLIENT_LIST 2>/dev/null
	sleep 0.05
done
wait_for '^deskd-testapp main\|testapp.Xmessage'
ok $? "with no window manager the windows are still listed"
code=$(http POST "$URL/window_size" -d app_class_name=viewer)
is "$code" 200 "and /window_size finds them"
code=$(http POST "$URL/setup/close_window" "${J[@]}" -d '{"window_name": "deskd-testapp"}')
is "$code" 200 "close_window without a window manager: 200"
wait_gone '^deskd-testapp main'
ok $? "the client got WM_DELETE_WINDOW and left"

stop_deskd
is $? 0 "deskd exits 0 on SIGTERM"
sanitizer_clean "$DESKD_LOG"
ok $? "no sanitizer report in deskd's log"
