#!/bin/sh
# packaging/build-deb.sh: build the deskd, deskd-session and deskctl .debs
# from a clean copy of this source tree (tracked and new files, never
# build directories), with dpkg-buildpackage -us -uc -b.
#
#   packaging/build-deb.sh [OUTDIR]     (default: _build-deb at the top)
#
# The copy gets "debian -> packaging/debian", which is all dpkg-buildpackage
# needs; the same symlink at the top of a checkout works as well.
# DEB_BUILD_OPTIONS is passed through (e.g. "nocheck parallel=2").
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$TOP/_build-deb}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

cver=$(sed -n 's/^AC_INIT(\[deskd\], \[\([^]]*\)\].*/\1/p' "$TOP/configure.ac")
dver=$(dpkg-parsechangelog -l "$TOP/packaging/debian/changelog" -S Version)
if [ "$cver" != "${dver%%-*}" ]; then
	echo "build-deb: configure.ac says $cver but debian/changelog" \
	    "says $dver: add a changelog entry (dch -v $cver)" >&2
	exit 1
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/deskd-deb.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
SRC=$WORK/deskd-$cver
mkdir -p "$SRC"
cd "$TOP"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	# Tracked and untracked-but-not-ignored files that still exist.
	git ls-files -z -co --exclude-standard |
	    grep -zvE '^(_build[^/]*|_build-deb|debian|tests/out)(/|$)' |
	    xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
	    tar --null -T - -cf - | tar -xf - -C "$SRC"
else
	tar --exclude='./_build*' --exclude='./_build-deb' --exclude=./debian \
	    -cf - . | tar -xf - -C "$SRC"
fi
rm -rf "$SRC/debian"
ln -s packaging/debian "$SRC/debian"

export DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:-parallel=2}"
cd "$SRC"
dpkg-buildpackage -us -uc -b >"$WORK/build.log" 2>&1 || {
	tail -n 60 "$WORK/build.log" >&2
	echo "build-deb: dpkg-buildpackage failed" >&2
	exit 1
}
cp "$WORK/build.log" "$OUT/build.log"
for f in "$WORK"/*.deb "$WORK"/*.changes "$WORK"/*.buildinfo; do
	[ -e "$f" ] && mv "$f" "$OUT/"
done
ls "$OUT"/*_"$dver"_*.deb
