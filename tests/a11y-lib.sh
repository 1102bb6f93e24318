# tests/a11y-lib.sh: an accessibility bus for the a11y tests, from Debian's
# packages only: a private session bus (dbus-daemon, as dbus-run-session
# starts one) and at-spi2-core's bus launcher on the test's Xvfb, which
# puts the bus address on the root window (AT_SPI_BUS) where GTK, Chromium
# and deskd look for it.  Source after tests/lib.sh and start_xvfb.

PY3=/usr/bin/python3	# Debian's, with python3-gi and python3-pyatspi
A11Y_GTK=$TOP/tests/tools/a11y-gtk.py
A11Y_REF=$TOP/tests/tools/osworld-a11y.py
A11Y_CMP=$TOP/tests/tools/a11y-compare.py

a11y_launcher() {
	local p
	for p in /usr/libexec/at-spi-bus-launcher \
	    /usr/lib/at-spi2-core/at-spi-bus-launcher; do
		[ -x "$p" ] && { echo "$p"; return 0; }
	done
	return 1
}

# a11y_prereqs: skip the whole test (exit 0) when a package is missing.
a11y_prereqs() {
	a11y_launcher >/dev/null ||
	    { skip "at-spi2-core is not installed (packaging/deps.sh --test)"; exit 0; }
	command -v dbus-daemon >/dev/null ||
	    { skip "dbus-daemon is not installed (packaging/deps.sh --test)"; exit 0; }
	$PY3 -c 'import gi; gi.require_version("Gtk", "3.0"); from gi.repository import Gtk; import pyatspi, lxml' 2>/dev/null ||
	    { skip "python3-gi, gir1.2-gtk-3.0, python3-pyatspi or python3-lxml missing (packaging/deps.sh --test)"; exit 0; }
}

# start_session_bus: a private session bus; exports DBUS_SESSION_BUS_ADDRESS.
start_session_bus() {
	local fifo=$T_TMP/dbus.$RANDOM
	mkfifo "$fifo"
	dbus-daemon --session --nofork --print-address=3 3>"$fifo" \
	    >"$T_TMP/dbus.log" 2>&1 &
	T_PIDS+=("$!")
	T_LOGS+=("$T_TMP/dbus.log")
	read -r -t 10 DBUS_SESSION_BUS_ADDRESS <"$fifo" ||
	    { fail "dbus-daemon did not start"; return 1; }
	rm -f "$fifo"
	export DBUS_SESSION_BUS_ADDRESS
}

# start_a11y_bus: the session bus, then at-spi-bus-launcher; waits for
# AT_SPI_BUS on the root window.  Sets A11Y_PID.
start_a11y_bus() {
	start_session_bus || return 1
	"$(a11y_launcher)" --launch-immediately >"$T_TMP/a11y-bus.log" 2>&1 &
	A11Y_PID=$!
	T_PIDS+=("$A11Y_PID")
	T_LOGS+=("$T_TMP/a11y-bus.log")
	for _ in $(seq 100); do
		xprop -root AT_SPI_BUS 2>/dev/null | grep -q '"' && return 0
		sleep 0.1
	done
	fail "at-spi-bus-launcher did not publish AT_SPI_BUS"
	return 1
}

# start_gtk NAME ARGS...: the GTK test window; waits for "ready WID" and
# sets GTK_PID and GTK_WID.
start_gtk() {
	local name=$1 out=$T_TMP/gtk.$1.out
	shift
	$PY3 "$A11Y_GTK" --app "$name" "$@" >"$out" 2>&1 &
	GTK_PID=$!
	T_PIDS+=("$GTK_PID")
	T_LOGS+=("$out")
	for _ in $(seq 150); do
		GTK_WID=$(sed -n 's/^ready //p' "$out")
		[ -n "$GTK_WID" ] && return 0
		sleep 0.1
	done
	fail "the GTK window $name did not map"
	return 1
}

# wait_a11y_app NAME: until deskd's tree holds the application (5 s).
wait_a11y_app() {
	for _ in $(seq 50); do
		curl -s "$URL/v1/accessibility?app=$1" |
		    grep -q '"role":"application"' && return 0
		sleep 0.1
	done
	return 1
}
