#!/usr/bin/env bash
# packaging-xorg: the packaged session with DESKD_SESSION_X=xorg, i.e.
# Xorg with the dummy video driver and the packaged xorg-dummy.conf: the
# screen is 1920x1080 with more modes for xrandr, XTest input reaches it
# (no input drivers are configured), and the packaged deskd takes a
# 1920x1080 screenshot of it.
source "$(dirname "$0")/../lib.sh"
source "$TOP/packaging/test-lib.sh"

if ! command -v Xorg >/dev/null ||
    ! ls /usr/lib/xorg/modules/drivers/dummy_drv.so >/dev/null 2>&1; then
	skip "Xorg with the dummy driver is not installed (xserver-xorg-video-dummy)"
	exit 0
fi
if [ "$(id -u)" -ne 0 ] && ! grep -qs 'allowed_users *= *anybody' /etc/X11/Xwrapper.config; then
	skip "Xorg needs root or Xwrapper's allowed_users=anybody here"
	exit 0
fi
pkg_debs || { fail "the .debs do not build"; exit 1; }
root=$T_TMP/root
pkg_root "$root"
home=$T_TMP/home
mkdir -p "$home"
n=$(pkg_free_display) || { fail "no free display number"; exit 1; }

env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$home" DISPLAY=":$n" \
    DESKD_SESSION_X=xorg DESKD_SESSION_BROWSER=none \
    DESKD_SESSION_XORG_CONFIG="$root/etc/X11/deskd/xorg-dummy.conf" \
    "$root/usr/libexec/deskd/deskd-session" --config "$root/etc/default/deskd" \
    >"$T_TMP/session.log" 2>&1 &
SPID=$!
T_PIDS+=("$SPID")
T_LOGS+=("$T_TMP/session.log" "$home/.local/share/xorg/deskd-Xorg.log")

export XAUTHORITY=$home/.Xauthority DISPLAY=":$n"
up=1
for _ in $(seq 200); do
	grep -q 'X (xorg) ready' "$T_TMP/session.log" && { up=0; break; }
	kill -0 "$SPID" 2>/dev/null || break
	sleep 0.1
done
ok $up "deskd-session starts Xorg (dummy driver) on :$n"
[ $up = 0 ] || exit 1
grep -q 'Using config file: ".*xorg-dummy.conf"' "$home/.local/share/xorg/deskd-Xorg.log"
ok $? "Xorg uses the packaged xorg-dummy.conf"
like "$(xdpyinfo | grep dimensions:)" '1920x1080 pixels' "the screen is 1920x1080"
like "$(xrandr 2>&1)" '1280x720' "xrandr offers the other modes"
# Same user: in without the cookie (xhost si:localuser); another user
# ("nobody") without the cookie: refused.
XAUTHORITY=/dev/null xdpyinfo >/dev/null 2>&1
ok $? "the session's user gets in without the cookie (si:localuser)"
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups \
	    env XAUTHORITY=/dev/null DISPLAY=":$n" xdpyinfo >"$T_TMP/other" 2>&1
	[ $? -ne 0 ] && grep -qE 'uthoriz|No protocol specified' "$T_TMP/other"
	ok $? "X refuses another user without the session's cookie"
else
	skip "other-user X check (needs root and setpriv)"
fi

if command -v xdotool >/dev/null; then
	timeout 10 xdotool mousemove --sync 321 123
	like "$(xdotool getmouselocation)" '^x:321 y:123 ' "XTest moves the pointer"
else
	skip "XTest check (no xdotool)"
fi

PORT=$(free_port)
URL=http://127.0.0.1:$PORT
(cd "$home" && exec env -i PATH=/usr/bin:/bin HOME="$home" DISPLAY=":$n" \
    "$root/usr/bin/deskd" --listen "127.0.0.1:$PORT" --cdp-listen off \
    --no-auth) >"$T_TMP/deskd.log" 2>&1 &
DESKD_PID=$!
T_PIDS+=("$DESKD_PID")
T_LOGS+=("$T_TMP/deskd.log")
wait_http "$URL/health"
ok $? "the packaged deskd answers /health"
is "$(http GET "$URL/health")" 200 "/health: 200 on Xorg"
is "$(http GET "$URL/v1/screenshot")" 200 "/v1/screenshot: 200"
like "$(python3 -c 'import struct,sys
d=open(sys.argv[1],"rb").read(24)
print("%dx%d" % struct.unpack(">II", d[16:24]))' "$T_TMP/body")" '^1920x1080$' \
    "the screenshot is 1920x1080"
stop_deskd
is $? 0 "deskd stops cleanly"

kill -TERM "$SPID"
wait "$SPID"
gone=1
for _ in $(seq 100); do
	xdpyinfo >/dev/null 2>&1 || { gone=0; break; }
	sleep 0.1
done
ok $gone "stopping the session stops Xorg"
