#!/bin/sh
# packaging/quickstart.sh: install what deskd needs (apt-get), build it in
# _build/, and run it on 127.0.0.1:5000 on its own Xvfb when there is no
# display.  Extra arguments go to deskd (e.g. --listen 127.0.0.1:5001).
set -eu
cd "$(dirname "$0")/.."
packaging/deps.sh
[ -x configure ] || autoreconf -fi
mkdir -p _build
cd _build
[ -f Makefile ] || ../configure
make -j"$(nproc)"
exec ./agent/deskd --listen 127.0.0.1:5000 "$@"
