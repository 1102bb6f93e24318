#!/usr/bin/env bash
# Screenshot benchmark, in one run on one private 1920x1080 Xvfb:
#  1. codecbench: candidate compressors and settings for one band on the
#     text desktop and a photo-like wallpaper (ImageMagick's plasma with a
#     fixed seed), one thread; picks what pngenc.c uses;
#  2. shotbench: the peers (XGetImage + libpng defaults, scrot), then deskd
#     with the encode on the loop ("loop", DESKD_CAPTURE_SYNC=1: the loop
#     encodes and waits, no encode ahead) and as it is ("workers"), each for
#     full change (text, photo), unchanged, one line changed, a keystroke
#     then a screenshot 0/50/200 ms later, and /health while another client
#     takes full-change screenshots in a loop.  Prints p50/p95, deskd's
#     Server-Timing and the ratios.  Uses the optimised build.
#   tests/bench/capture.sh [N]
# BASELINE=/path/to/deskd adds another deskd binary (an older build) to
# the same run, measured first, as "baseline".
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$TOP/_build-bench}
if [ ! -x "$BUILD/agent/deskd" ] || [ ! -x "$BUILD/tests/bench/shotbench" ]; then
	(cd "$TOP" && [ -x configure ] || autoreconf -fi) >/dev/null 2>&1
	mkdir -p "$BUILD"
	(cd "$BUILD" && { [ -f Makefile ] || "$TOP/configure" CFLAGS="-O2 -g" >/dev/null; } &&
	    make -j"$(nproc)" >/dev/null) || { echo "build failed"; exit 1; }
fi
DESKD=$BUILD/agent/deskd
source "$TOP/tests/lib.sh"
N=${1:-40}
start_xvfb 1920x1080 || exit 1
convert -size 1920x1080 -seed 7 plasma:fractal -blur 0x1 -depth 8 \
    "$T_TMP/photo.ppm" || exit 1
if [ -x "$BUILD/tests/bench/codecbench" ]; then
	"$BUILD/tests/bench/codecbench" "$T_TMP/photo.ppm" 7
	echo
fi
set --
if [ -n "${BASELINE:-}" ]; then
	DESKD=$BASELINE start_deskd --log-level warn >/dev/null || exit 1
	set -- baseline="$PORT"
fi
DESKD_CAPTURE_SYNC=1 start_deskd --log-level warn >/dev/null || exit 1
set -- "$@" loop="$PORT"
start_deskd --log-level warn >/dev/null || exit 1
set -- "$@" workers="$PORT"
"$BUILD/tests/bench/shotbench" 127.0.0.1 "$N" "$T_TMP/photo.ppm" -- "$@"
