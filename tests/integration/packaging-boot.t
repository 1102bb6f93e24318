#!/usr/bin/env bash
# packaging-boot: what a guest does at boot, from the packages: the
# packaged session script (Xvfb at 1920x1080, openbox, Chromium with its
# DevTools port and its own profile) and the packaged deskd started the way
# deskd.service starts it (options from the packaged /etc/default/deskd,
# home as cwd), both as an unprivileged user, then /health and a
# screenshot over HTTP.  Stopping the
# session leaves nothing behind.
source "$(dirname "$0")/../lib.sh"
source "$TOP/packaging/test-lib.sh"

pkg_debs || { fail "the .debs do not build"; exit 1; }
root=$T_TMP/root
pkg_root "$root"
SESSION=$root/usr/libexec/deskd/deskd-session
PDESKD=$root/usr/bin/deskd

home=$T_TMP/home
run=$T_TMP/run
mkdir -p "$home" "$run"
# Both run as an unprivileged desktop user, as the units do ("nobody"
# stands in for "user" when the suite runs as root; Chrome's sandbox is
# then on, as on a guest).
AS=()
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	AS=(setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups)
	chmod 0711 "$T_TMP" "$root"
	chown "$(id -u nobody):$(id -g nobody)" "$home" "$run"
	chmod 0700 "$run"
fi
as_user() {
	if [ ${#AS[@]} -gt 0 ]; then "${AS[@]}" "$@"; else "$@"; fi
}
# In a background subshell: exec, so that $! is the program's own PID.
as_user_exec() {
	if [ ${#AS[@]} -gt 0 ]; then exec "${AS[@]}" "$@"; else exec "$@"; fi
}
n=$(pkg_free_display) || { fail "no free display number"; exit 1; }
CDP=$(free_port)
browser=none
for b in chromium chromium-browser google-chrome-stable google-chrome; do
	command -v "$b" >/dev/null && { browser=$b; break; }
done
[ "$browser" != none ] || diag "no Chromium here: the session runs without a browser"

# The session as deskd-session.service runs it: the packaged defaults,
# with this test's display, home and DevTools port.
(as_user_exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$home" \
    DISPLAY=":$n" XDG_RUNTIME_DIR="$run" DESKD_SESSION_CDP_PORT="$CDP" \
    DESKD_SESSION_BROWSER="$browser" \
    "$SESSION" --config "$root/etc/default/deskd") >"$T_TMP/session.log" 2>&1 &
SPID=$!
T_PIDS+=("$SPID")
T_LOGS+=("$T_TMP/session.log")

export XAUTHORITY=$home/.Xauthority DISPLAY=":$n"
up=1
for _ in $(seq 150); do
	grep -q 'X (xvfb) ready' "$T_TMP/session.log" && { up=0; break; }
	kill -0 "$SPID" 2>/dev/null || break
	sleep 0.1
done
ok $up "deskd-session starts X on :$n"
[ $up = 0 ] || exit 1
like "$(xdpyinfo | grep dimensions:)" '1920x1080 pixels' "the screen is 1920x1080"
is "$(stat -c %a "$XAUTHORITY")" 600 "the X cookie file is mode 0600"
# Same user: in without the cookie (xhost si:localuser); another user
# without the cookie: refused.
as_user env XAUTHORITY=/dev/null DISPLAY=":$n" xdpyinfo >/dev/null 2>&1
ok $? "the session's user gets in without the cookie (si:localuser)"
if [ ${#AS[@]} -gt 0 ]; then
	XAUTHORITY=/dev/null xdpyinfo >"$T_TMP/other" 2>&1
	[ $? -ne 0 ] && grep -qE 'uthoriz|No protocol specified' "$T_TMP/other"
	ok $? "X refuses another user (root) without the session's cookie"
else
	skip "other-user X check (needs root to play two users)"
fi

# The window manager announces itself on the root window (EWMH).
wm=1
for _ in $(seq 100); do
	xprop -root _NET_SUPPORTING_WM_CHECK 2>/dev/null | grep -q 'window id' &&
	    { wm=0; break; }
	sleep 0.1
done
ok $wm "a window manager runs (openbox, _NET_SUPPORTING_WM_CHECK)"

if [ "$browser" != none ]; then
	got=1
	for _ in $(seq 300); do
		curl -fs --max-time 2 "http://127.0.0.1:$CDP/json/version" \
		    >"$T_TMP/cdp" 2>/dev/null && { got=0; break; }
		sleep 0.1
	done
	ok $got "the browser's DevTools port answers on 127.0.0.1:$CDP"
	like "$(cat "$T_TMP/cdp")" 'webSocketDebuggerUrl' "it is Chrome's /json/version"
	args=$(ps -eo args | grep -- "--remote-debugging-port=$CDP" | grep -v grep | head -n1)
	like "$args" "--user-data-dir=$home/.config/deskd-chrome" \
	    "the browser runs with its own --user-data-dir under \$HOME"
else
	skip "browser checks (no Chromium or Chrome installed)"
fi

# The accessibility bus: on the root window, with the browser asked to
# join it.
a11y=1
for _ in $(seq 100); do
	xprop -root AT_SPI_BUS 2>/dev/null | grep -q '"' && { a11y=0; break; }
	sleep 0.1
done
ok $a11y "the session starts the accessibility bus (AT_SPI_BUS on the root window)"
a11y_pid=$(sed -n 's/.*accessibility bus ready (.*, pid \([0-9]*\)).*/\1/p' "$T_TMP/session.log")
like "$a11y_pid" '^[0-9]+$' "the session says so, with the launcher's pid"
if [ "$browser" != none ]; then
	like "$args" '--force-renderer-accessibility' \
	    "the browser builds its pages' trees (--force-renderer-accessibility)"
	# ACCESSIBILITY_ENABLED=1 is checked by its effect below (Chrome
	# overwrites its /proc environ with its process titles).
fi

# deskd as deskd.service runs it: ExecStart with the packaged DESKD_OPTS,
# the home as cwd; only the addresses move to free loopback ports.
PORT=$(free_port)
PCDP=$(free_port)
URL=http://127.0.0.1:$PORT
opts=$(env -i sh -c "set -a; . '$root/etc/default/deskd'; echo \$DESKD_OPTS")
exec_start=$(sed -n 's/^ExecStart=//p' "$root/lib/systemd/system/deskd.service")
is "$exec_start" '/usr/bin/deskd $DESKD_OPTS $DESKD_EXTRA_OPTS $DESKD_INSTANCE_OPTS' \
    "deskd.service's ExecStart is the one this test runs"
# shellcheck disable=SC2086
(cd "$home" && as_user_exec env -i PATH=/usr/bin:/bin HOME="$home" DISPLAY=":$n" \
    LANG=C.UTF-8 XDG_RUNTIME_DIR="$run" "$PDESKD" $opts \
    --listen "127.0.0.1:$PORT" --cdp-listen "127.0.0.1:$PCDP" \
    --cdp-upstream "127.0.0.1:$CDP" --no-auth) >"$T_TMP/deskd.log" 2>&1 &
DPID=$!
DESKD_PID=$DPID
T_PIDS+=("$DPID")
T_LOGS+=("$T_TMP/deskd.log")
wait_http "$URL/health"
ok $? "the packaged deskd answers /health"

is "$(http GET "$URL/health")" 200 "/health: 200 (X is up)"
is "$(json_get "$T_TMP/body" 'j["display"]')" ":$n" "/health names the session's display"
is "$(json_get "$T_TMP/body" 'j["version"]')" "$DEB_VERSION" "/health gives the package version"
is "$(json_get "$T_TMP/body" '"%dx%d" % (j["screen"]["width"], j["screen"]["height"])')" \
    1920x1080 "/health: screen 1920x1080"

is "$(http GET "$URL/screenshot")" 200 "OSWorld /screenshot: 200"
like "$(header Content-Type)" 'image/png' "the screenshot is a PNG"
like "$(file -b "$T_TMP/body" 2>/dev/null || python3 -c 'import sys
d=open(sys.argv[1],"rb").read(24)
import struct
print("PNG image data, %d x %d" % struct.unpack(">II", d[16:24]))' "$T_TMP/body")" \
    'PNG image data, 1920 x 1080' "the screenshot is 1920x1080"
is "$(http GET "$URL/v1/screenshot")" 200 "/v1/screenshot: 200"

# deskd reads the session's accessibility bus (found on the root window).
bus=
for _ in $(seq 100); do
	http GET "$URL/health" >/dev/null
	bus=$(json_get "$T_TMP/body" 'j["accessibility"]["bus"]')
	[ "$bus" = true ] && break
	sleep 0.2
done
is "$bus" true "/health: the session's accessibility bus answers"
if [ "$browser" != none ]; then
	app=1
	for _ in $(seq 100); do
		http GET "$URL/accessibility" >/dev/null
		json_get "$T_TMP/body" 'j["AT"]' | grep -qiE '<application name="[^"]*chrom' &&
		    { app=0; break; }
		sleep 0.2
	done
	ok $app "/accessibility holds the session's browser (it joined the bus)"
fi

# deskd sees the desktop's windows through the cookie in $HOME: once the
# browser has painted, the screenshot is not one flat colour.
if [ "$browser" != none ]; then
	colours=0
	for _ in $(seq 50); do
		http GET "$URL/v1/screenshot" >/dev/null
		colours=$(python3 "$TOP/packaging/png-colours.py" "$T_TMP/body" 2>&1)
		[[ "$colours" =~ ^[0-9]+$ ]] && [ "$colours" -gt 2 ] && break
		sleep 0.2
	done
	like "$colours" '^([3-9]|[1-9][0-9]+)$' \
	    "the screenshot shows the browser window ($colours colours)"
fi

# deskd's DevTools proxy (--cdp-listen) reaches the session's browser.
if [ "$browser" != none ]; then
	curl -fs --max-time 5 "http://127.0.0.1:$PCDP/json/version" \
	    >"$T_TMP/pcdp" 2>/dev/null
	ok $? "deskd's DevTools proxy answers on --cdp-listen"
	like "$(cat "$T_TMP/pcdp")" "webSocketDebuggerUrl\": *\"ws://127\\.0\\.0\\.1:$PCDP/" \
	    "deskd's DevTools proxy reaches the session's browser"
fi

# Stopping the session (systemd sends SIGTERM) stops X, the WM and the
# browser; deskd notices X went away and keeps answering.
kill -TERM "$SPID"
wait "$SPID"
gone=1
for _ in $(seq 100); do
	if ! xdpyinfo >/dev/null 2>&1 && ! pgrep -f -- "--remote-debugging-port=$CDP" >/dev/null &&
	    ! pgrep -f "Xvfb :$n " >/dev/null; then
		gone=0
		break
	fi
	sleep 0.1
done
ok $gone "stopping the session stops X, the window manager and the browser"
if [[ "$a11y_pid" =~ ^[0-9]+$ ]]; then
	kill -0 "$a11y_pid" 2>/dev/null
	ok $([ $? -ne 0 ] && echo 0 || echo 1) "and the accessibility bus"
fi
code=$(http GET "$URL/health")
like "$code" '^(200|503)$' "deskd still answers /health with X gone ($code)"
stop_deskd
is $? 0 "the packaged deskd stops cleanly on SIGTERM"
