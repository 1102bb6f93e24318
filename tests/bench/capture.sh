#!/usr/bin/env bash
# Screenshot benchmark: deskd (full change, unchanged, small change) against
# XGetImage + libpng defaults (OSWorld's pixel path) and scrot, on a private
# 1920x1080 Xvfb with a text-heavy window.  Uses the optimised build.
#   tests/bench/capture.sh [N]
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$TOP/_build-bench}
if [ ! -x "$BUILD/agent/deskd" ]; then
	(cd "$TOP" && [ -x configure ] || autoreconf -fi) >/dev/null 2>&1
	mkdir -p "$BUILD"
	(cd "$BUILD" && "$TOP/configure" CFLAGS="-O2 -g" >/dev/null &&
	    make -j"$(nproc)" >/dev/null) || { echo "build failed"; exit 1; }
fi
DESKD=$BUILD/agent/deskd
source "$TOP/tests/lib.sh"
start_xvfb 1920x1080 || exit 1
start_deskd --log-level warn >/dev/null || exit 1
"$BUILD/tests/bench/shotbench" 127.0.0.1 "$PORT" "${1:-60}"
