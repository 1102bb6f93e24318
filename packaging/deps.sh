#!/bin/sh
# packaging/deps.sh: install what deskd needs on Debian 12 / Ubuntu 22.04+.
#   deps.sh          build and runtime packages
#   deps.sh --test   the same plus what tests/run and tests/bench use
#   deps.sh --check  exit 0 when everything for --test is installed
# tests/integration/packaging-deps.t checks that every program the tests,
# tools, benchmarks and scripts call comes from a package named here.
set -eu

BUILD="autoconf automake libtool pkg-config make gcc
libevent-dev libjansson-dev libx11-dev libx11-xcb-dev libxext-dev libxtst-dev
libxfixes-dev libxdamage-dev libxkbcommon-dev libxkbcommon-x11-dev
libpng-dev zlib1g-dev libisal-dev libcurl4-openssl-dev libexpat1-dev
libatspi2.0-dev libturbojpeg0-dev libsodium-dev"
RUN="xvfb x11-xkb-utils x11-utils x11-xserver-utils ffmpeg wmctrl xdg-utils libglib2.0-bin
at-spi2-core dbus"
TEST="curl python3 openbox xdotool scrot imagemagick chromium
dpkg-dev debhelper lintian packer xauth cloud-init shellcheck
xserver-xorg-video-dummy gsettings-desktop-schemas file strace python3-xlib libdeflate-dev git python3-flask
python3-gi gir1.2-gtk-3.0 python3-pyatspi python3-lxml gnome-terminal
x11vnc novnc websockify xclip xterm zenity"
# Wanted by tests/run when the distribution has them (fuzzing); not fatal.
OPTIONAL="clang libclang-rt-14-dev"

missing() {
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
		    grep -q 'install ok installed' || echo "$p"
	done
}
# The CDP and MCP tests run Playwright, ws and the MCP SDK (npm,
# tests/node/setup.sh).  Checked by command: a nodejs from another apt
# source may bundle its own npm.
missing_node() {
	command -v node >/dev/null 2>&1 || echo nodejs
	command -v npm >/dev/null 2>&1 || echo npm
}

case "${1:-}" in
--check)
	m=$(missing $BUILD $RUN $TEST; missing_node)
	[ -z "$m" ] || { echo "missing:" $m; exit 1; }
	exit 0
	;;
--test)
	want="$BUILD $RUN $TEST"
	;;
*)
	want="$BUILD $RUN"
	;;
esac

m=$(missing $want)
[ "${1:-}" = --test ] && m=$(echo $m $(missing_node))
o=
[ "${1:-}" = --test ] && o=$(missing $OPTIONAL)
[ -n "$m$o" ] || exit 0
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
[ -z "$m" ] || $SUDO apt-get install -y -qq --no-install-recommends $m
for p in $o; do
	$SUDO apt-get install -y -qq --no-install-recommends "$p" ||
	    echo "deps.sh: optional package $p is not available"
done
