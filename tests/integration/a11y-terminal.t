#!/usr/bin/env bash
# OSWorld's GET /terminal with a real gnome-terminal under openbox: the
# focused terminal's text, rstripped, as OSWorld's own walk reads it;
# null once another window has the focus.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/a11y-lib.sh"
a11y_prereqs
command -v gnome-terminal >/dev/null ||
    { skip "gnome-terminal is not installed (packaging/deps.sh --test)"; exit 0; }
command -v openbox >/dev/null ||
    { skip "openbox is not installed (packaging/deps.sh --test)"; exit 0; }

export LANG=C.UTF-8	# gnome-terminal-server refuses other locales
start_xvfb 1280x800 || exit 1
start_a11y_bus || exit 1
openbox --sm-disable >"$T_TMP/openbox.log" 2>&1 &
T_PIDS+=("$!")
for _ in $(seq 100); do
	xprop -root _NET_SUPPORTING_WM_CHECK 2>/dev/null | grep -q 'window id' && break
	sleep 0.1
done
mkdir -p "$T_TMP/home"
HOME=$T_TMP/home gnome-terminal --title deskd-term -- bash --norc -c \
    'printf "hello from the terminal\n"; PS1="prompt> " exec bash --norc' \
    >"$T_TMP/gnome-terminal.log" 2>&1
ok $? "gnome-terminal starts"
T_LOGS+=("$T_TMP/gnome-terminal.log")
# The server is a D-Bus service of our private session bus: stop it by pid.
for _ in $(seq 50); do
	tpid=$(gdbus call --session --dest org.freedesktop.DBus \
	    --object-path /org/freedesktop/DBus \
	    --method org.freedesktop.DBus.GetConnectionUnixProcessID \
	    org.gnome.Terminal 2>/dev/null | sed -n 's/^(uint32 \([0-9]*\),)$/\1/p')
	[ -n "$tpid" ] && break
	sleep 0.1
done
[ -n "$tpid" ] && T_PIDS+=("$tpid")
ok $([ -n "$tpid" ] && echo 0 || echo 1) "gnome-terminal-server runs ($tpid)"
start_deskd --no-auth || exit 1

out=
for _ in $(seq 50); do
	http GET "$URL/terminal" >/dev/null
	out=$(json_get "$T_TMP/body" 'j["output"]')
	[[ "$out" == *prompt\>* ]] && break
	sleep 0.2
done
is "$(json_get "$T_TMP/body" 'j["status"]')" success "/terminal: status success"
is "$out" $'hello from the terminal\nprompt>' \
    "/terminal: the focused terminal's text, trailing blanks stripped"
$PY3 "$A11Y_REF" --terminal >"$T_TMP/ref.json"
is "$(json_get "$T_TMP/ref.json" 'j["output"]')" "$out" "the same as OSWorld's walk reads"
code=$(http GET "$URL/v1/accessibility?app=gnome-terminal-server&role=terminal")
is "$(json_get "$T_TMP/body" '"focused" in j["matches"][0]["states"]')" true \
    "the native form shows the terminal, focused"

# Another window takes the focus: no active terminal frame, null.
start_gtk other || exit 1
for _ in $(seq 50); do
	http GET "$URL/terminal" >/dev/null
	[ "$(json_get "$T_TMP/body" 'j["output"]')" = null ] && break
	sleep 0.2
done
is "$(body)" '{"output":null,"status":"success"}' "another window focused: output null"
$PY3 "$A11Y_REF" --terminal >"$T_TMP/ref.json"
is "$(json_get "$T_TMP/ref.json" 'j["output"]')" null "as in OSWorld's walk"
exit 0
