# packaging/test-lib.sh: helpers for tests/integration/packaging-*.t,
# sourced after tests/lib.sh.
#
# pkg_debs builds the .debs with packaging/build-deb.sh once per state of
# the source tree (a hash of every file it would copy) and reuses them in
# the other packaging tests; sets DEB_VERSION, DEB_DIR, DEB_DESKD,
# DEB_SESSION, DEB_DESKCTL, DEB_BUILD_S (seconds, 0 when reused).
# pkg_root DIR extracts deskd and deskd-session into DIR.

PKG_OUT=${PKG_OUT:-$TOP/tests/out/packaging-deb}

pkg_tree_hash() {
	(cd "$TOP" &&
	    if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git ls-files -co --exclude-standard |
		    grep -vE '^(_build[^/]*|_build-deb|debian|tests/out)(/|$)' |
		    LC_ALL=C sort | while IFS= read -r f; do
			[ -f "$f" ] && printf '%s\0' "$f"
		done | xargs -0 sha1sum | sha1sum | cut -c1-16
	    else
		date +%s%N
	    fi)
}

pkg_debs() {
	local h start
	DEB_VERSION=$(dpkg-parsechangelog -l "$TOP/packaging/debian/changelog" \
	    -S Version)
	DEB_DIR=$PKG_OUT
	DEB_DESKD=$PKG_OUT/deskd_${DEB_VERSION}_amd64.deb
	DEB_SESSION=$PKG_OUT/deskd-session_${DEB_VERSION}_all.deb
	DEB_DESKCTL=$PKG_OUT/deskctl_${DEB_VERSION}_amd64.deb
	DEB_BUILD_S=0
	h=$(pkg_tree_hash)
	if [ -f "$PKG_OUT/stamp" ] && [ "$(cat "$PKG_OUT/stamp")" = "$h" ] &&
	    [ -f "$DEB_DESKD" ] && [ -f "$DEB_SESSION" ] && [ -f "$DEB_DESKCTL" ]; then
		diag "reusing the .debs in $PKG_OUT (same sources)"
		return 0
	fi
	rm -rf "$PKG_OUT"
	mkdir -p "$PKG_OUT"
	start=$(date +%s)
	# nocheck: tests/run runs the unit tests itself.
	DEB_BUILD_OPTIONS="nocheck parallel=2" \
	    "$TOP/packaging/build-deb.sh" "$PKG_OUT" >"$PKG_OUT/build-deb.out" 2>&1 || {
		sed 's/^/# /' "$PKG_OUT/build-deb.out" | tail -n 40
		return 1
	}
	DEB_BUILD_S=$(($(date +%s) - start))
	diag "built the .debs in $DEB_BUILD_S s (dpkg-buildpackage, nocheck)"
	echo "$h" >"$PKG_OUT/stamp"
}

pkg_root() {	# pkg_root DIR
	mkdir -p "$1"
	dpkg-deb -x "$DEB_DESKD" "$1" && dpkg-deb -x "$DEB_SESSION" "$1"
}

# pkg_free_display: a display number with no server and no lock.
pkg_free_display() {
	local n
	for n in $(shuf -i 100-399 -n 50); do
		[ -e "/tmp/.X$n-lock" ] || [ -e "/tmp/.X11-unix/X$n" ] || {
			echo "$n"
			return 0
		}
	done
	return 1
}
