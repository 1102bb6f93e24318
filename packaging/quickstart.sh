#!/bin/sh
# packaging/quickstart.sh: install what deskd needs (apt-get), build it in
# _build/, and run it on 127.0.0.1:5000 on its own Xvfb when there is no
# display.  deskctl goes on PATH as a link to the build (/usr/local/bin as
# root, else ~/.local/bin).  Extra arguments go to deskd (e.g. --listen
# 127.0.0.1:5001).
set -eu
cd "$(dirname "$0")/.."
packaging/deps.sh
[ -x configure ] || autoreconf -fi
mkdir -p _build
cd _build
[ -f Makefile ] || ../configure
make -j"$(nproc)"
# deskctl finds the deskd next to it in the build tree through the link.
if [ "$(id -u)" -eq 0 ]; then
	bin=/usr/local/bin
else
	bin=$HOME/.local/bin
	mkdir -p "$bin"
fi
ln -sf "$(pwd)/host/deskctl" "$bin/deskctl"
echo "quickstart: deskctl is $bin/deskctl ($("$bin/deskctl" --version))"
case ":$PATH:" in
*":$bin:"*) ;;
*) echo "quickstart: add $bin to PATH to run deskctl by name" ;;
esac
exec ./agent/deskd --listen 127.0.0.1:5000 "$@"
