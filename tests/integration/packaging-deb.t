#!/usr/bin/env bash
# packaging-deb: the .debs build from a clean copy of the tree with
# dpkg-buildpackage -us -uc -b (packaging/build-deb.sh) and hold what they
# should: binaries, units, the default configuration as a conffile,
# /etc/deskd with its mode and no token, man pages; hardened binaries that
# run; lintian without errors (its warnings are listed).
source "$(dirname "$0")/../lib.sh"
source "$TOP/packaging/test-lib.sh"

for c in dpkg-buildpackage dh; do
	command -v "$c" >/dev/null ||
	    { fail "$c missing (packaging/deps.sh --test installs it)"; exit 1; }
done

pkg_debs
ok $? "dpkg-buildpackage -us -uc -b builds the packages"
[ -f "$DEB_DESKD" ] || exit 1
diag "build took ${DEB_BUILD_S} s (0: reused)"

cver=$(sed -n 's/^AC_INIT(\[deskd\], \[\([^]]*\)\].*/\1/p' "$TOP/configure.ac")
is "$DEB_VERSION" "$cver" "debian/changelog version matches configure.ac"

# contents: "MODE OWNER PATH" lines of each package.
contents() {
	dpkg-deb -c "$1" | awk '{ p = $6; sub(/^\./, "", p); print $1, $2, p }'
}
has() {	# has LISTING REGEX DESCRIPTION
	if grep -qE "$2" <<<"$1"; then
		pass "$3"
	else
		fail "$3"
		diag "no line matching /$2/"
	fi
}

c=$(contents "$DEB_DESKD")
has "$c" '^-rwxr-xr-x root/root /usr/bin/deskd$' "deskd: /usr/bin/deskd"
has "$c" '^-rw-r--r-- root/root /lib/systemd/system/deskd\.service$' \
    "deskd: deskd.service"
has "$c" '^-rw-r--r-- root/root /etc/default/deskd$' "deskd: /etc/default/deskd"
has "$c" '^drwxr-xr-x root/root /etc/deskd/$' "deskd: /etc/deskd/ root's, 0755"
has "$c" '/usr/share/man/man8/deskd\.8\.gz$' "deskd: man page"
has "$c" '/usr/share/doc/deskd/copyright$' "deskd: copyright"
if grep -qE '/etc/deskd/.+' <<<"$c"; then
	fail "deskd: nothing inside /etc/deskd (the token is cloud-init's)"
else
	pass "deskd: nothing inside /etc/deskd (the token is cloud-init's)"
fi
if grep -qE 'deskd-session|/usr/bin/deskctl' <<<"$c"; then
	fail "deskd: no session or deskctl files"
else
	pass "deskd: no session or deskctl files"
fi

c=$(contents "$DEB_SESSION")
has "$c" '^-rwxr-xr-x root/root /usr/libexec/deskd/deskd-session$' \
    "deskd-session: the session script, executable"
has "$c" '^-rw-r--r-- root/root /lib/systemd/system/deskd-session\.service$' \
    "deskd-session: deskd-session.service"
has "$c" '/etc/X11/deskd/xorg-dummy\.conf$' "deskd-session: Xorg dummy config"

c=$(contents "$DEB_DESKCTL")
has "$c" '^-rwxr-xr-x root/root /usr/bin/deskctl$' "deskctl: /usr/bin/deskctl"
has "$c" '/usr/share/man/man1/deskctl\.1\.gz$' "deskctl: man page"

# Control data: conffiles, dependencies, maintainer scripts.
ctl=$T_TMP/ctl
dpkg-deb -e "$DEB_DESKD" "$ctl"
is "$(cat "$ctl/conffiles")" "/etc/default/deskd" \
    "deskd: /etc/default/deskd is its conffile"
like "$(dpkg-deb -f "$DEB_DESKD" Depends)" 'libx11-6.*libjansson4|libjansson4.*libx11-6' \
    "deskd: shared-library dependencies computed"
like "$(dpkg-deb -f "$DEB_SESSION" Depends)" 'xvfb.*openbox' \
    "deskd-session: depends on an X server and a window manager"
is "$(dpkg-deb -f "$DEB_SESSION" Architecture)" all "deskd-session: Architecture all"
grep -q "deb-systemd-helper enable 'deskd.service'" "$ctl/postinst"
ok $? "deskd: postinst enables deskd.service"
grep -q "getent passwd user" "$ctl/postinst"
ok $? "deskd: postinst warns when the desktop user is missing"
sctl=$T_TMP/sctl
dpkg-deb -e "$DEB_SESSION" "$sctl"
# --no-enable: the postinst only re-enables a unit the admin enabled.
grep -q "deb-systemd-helper debian-installed 'deskd-session.service'" \
    "$sctl/postinst" && ! grep -q "new installations run enable" "$sctl/postinst"
ok $? "deskd-session: not enabled by the package (display managers own :0)"

# The binaries: hardened (PIE, full RELRO) and working.
root=$T_TMP/root
pkg_root "$root" && dpkg-deb -x "$DEB_DESKCTL" "$root"
like "$(readelf -h "$root/usr/bin/deskd" | grep Type:)" 'DYN' "deskd is PIE"
like "$(readelf -d "$root/usr/bin/deskd")" 'BIND_NOW' "deskd is linked with -z now"
like "$(readelf -lW "$root/usr/bin/deskd")" 'GNU_RELRO' "deskd has RELRO"
is "$("$root/usr/bin/deskd" --version)" "deskd $DEB_VERSION" \
    "packaged deskd --version prints the package version"
"$root/usr/bin/deskctl" --help >/dev/null
ok $? "packaged deskctl --help runs"
bash -n "$root/usr/libexec/deskd/deskd-session"
ok $? "deskd-session is valid bash"
# The default file must be plain assignments systemd and sh agree on.
env -i sh -c "set -a; . '$root/etc/default/deskd'; env" >"$T_TMP/env"
grep -q '^DESKD_OPTS=--listen 0.0.0.0:5000 ' "$T_TMP/env"
ok $? "/etc/default/deskd parses as shell; DESKD_OPTS listens on :5000"

# lintian, where installed: no errors; warnings listed.
if command -v lintian >/dev/null; then
	changes=$(ls "$DEB_DIR"/deskd_*_amd64.changes | head -n1)
	lintian --tag-display-limit 0 "$changes" >"$T_TMP/lintian" 2>&1
	grep -E '^[EW]: ' "$T_TMP/lintian" | sed 's/^/# lintian: /'
	n=$(grep -c '^E: ' "$T_TMP/lintian")
	is "$n" 0 "lintian: no errors ($(grep -c '^W: ' "$T_TMP/lintian") warnings)"
else
	skip "lintian not installed"
fi
