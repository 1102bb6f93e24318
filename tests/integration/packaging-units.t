#!/usr/bin/env bash
# packaging-units: the packaged systemd units pass "systemd-analyze verify"
# in a root made of the packages (their ExecStart programs and man pages
# exist there) and say what the image relies on: the desktop user, its
# display, session bus and runtime dir, home as cwd, Restart=always, the
# configuration files, and no hardening that would cut deskd off from X.
source "$(dirname "$0")/../lib.sh"
source "$TOP/packaging/test-lib.sh"

command -v systemd-analyze >/dev/null ||
    { skip "systemd-analyze not installed"; exit 0; }
pkg_debs || { fail "the .debs do not build"; exit 1; }

root=$T_TMP/root
pkg_root "$root"
# systemd's own units (sysinit.target, ...) for the dependencies.
mkdir -p "$root/lib/systemd/system"
cp -an /lib/systemd/system/. "$root/lib/systemd/system/"

verify() {	# verify ROOT UNIT...: rc and messages in $T_TMP/verify
	local r=$1
	shift
	MANPATH=$r/usr/share/man systemd-analyze verify --root="$r" "$@" \
	    >"$T_TMP/verify" 2>&1
}
verify "$root" deskd.service deskd-session.service
rc=$?
is "$rc" 0 "systemd-analyze verify passes on deskd.service, deskd-session.service"
is "$(cat "$T_TMP/verify")" "" "systemd-analyze verify prints no warning"

# The check above must be able to fail: a unit whose program is missing.
bad=$T_TMP/bad
cp -a "$root" "$bad"
rm "$bad/usr/bin/deskd"
verify "$bad" deskd.service
[ $? -ne 0 ] && grep -q 'is not executable' "$T_TMP/verify"
ok $? "systemd-analyze verify fails when /usr/bin/deskd is missing"
sed -i 's/^Restart=always/Restart=allways/' "$bad/lib/systemd/system/deskd-session.service"
verify "$bad" deskd-session.service
grep -q 'Failed to parse service restart specifier' "$T_TMP/verify"
ok $? "systemd-analyze verify reports a bad setting"

# What the image expects of deskd.service.
u=$root/lib/systemd/system/deskd.service
prop() {	# prop UNITFILE KEY: the values of KEY, one per line
	sed -n "s/^$2=//p" "$1"
}
is "$(prop "$u" User)" user "deskd.service runs as the desktop user"
is "$(prop "$u" WorkingDirectory)" "~" "deskd.service: home as working directory"
is "$(prop "$u" Restart)" always "deskd.service: Restart=always"
env=$(prop "$u" Environment)
like "$env" 'DISPLAY=:0' "deskd.service sets DISPLAY"
like "$env" 'DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/1000/bus' \
    "deskd.service sets the session bus"
like "$env" 'XDG_RUNTIME_DIR=/run/user/1000' "deskd.service sets XDG_RUNTIME_DIR"
is "$(prop "$u" EnvironmentFile | tr '\n' ' ')" \
    "-/etc/default/deskd -/etc/deskd/instance.env " \
    "deskd.service reads /etc/default/deskd, then /etc/deskd/instance.env"
# The toolkits' accessibility switches, for what deskd launches.
defaults=$(env -i sh -c "set -a; . '$root/etc/default/deskd'; env")
for kv in QT_ACCESSIBILITY=1 QT_LINUX_ACCESSIBILITY_ALWAYS_ON=1 \
    ACCESSIBILITY_ENABLED=1 GTK_MODULES=gail:atk-bridge DESKD_SESSION_A11Y=on; do
	echo "$defaults" | grep -qx "$kv"
	ok $? "/etc/default/deskd sets $kv"
done
like "$(prop "$u" ExecStart)" '^/usr/bin/deskd \$DESKD_OPTS ' \
    "deskd.service starts /usr/bin/deskd with \$DESKD_OPTS"
like "$(prop "$u" After)" 'cloud-init\.service' \
    "deskd.service starts after cloud-init wrote the token"
for k in PrivateTmp PrivateNetwork ProtectHome ProtectSystem \
    MemoryDenyWriteExecute NoNewPrivileges; do
	if grep -q "^$k=" "$u"; then
		fail "deskd.service does not set $k (it would break the desktop)"
	else
		pass "deskd.service does not set $k (it would break the desktop)"
	fi
done
for k in ProtectKernelTunables ProtectKernelModules ProtectControlGroups \
    RestrictSUIDSGID LockPersonality; do
	is "$(prop "$u" $k)" yes "deskd.service hardening: $k=yes"
done

# systemd's own reading of the unit: its security report runs and rates
# it (not "UNSAFE" for every setting: some hardening is applied).
if systemd-analyze security --help 2>&1 | grep -q -- '--offline'; then
	systemd-analyze security --offline=yes --root="$root" deskd.service \
	    >"$T_TMP/sec" 2>&1
	score=$(sed -n 's/.*Overall exposure level for deskd.service: \([0-9.]*\).*/\1/p' "$T_TMP/sec")
	diag "systemd-analyze security: exposure $score (10 = none applied)"
	like "$score" '^[0-9]' "systemd-analyze security rates deskd.service"
fi

s=$root/lib/systemd/system/deskd-session.service
is "$(prop "$s" User)" user "deskd-session.service runs as the desktop user"
is "$(prop "$s" Type)" notify "deskd-session.service is ready when X answers"
is "$(prop "$s" Restart)" always "deskd-session.service: Restart=always"
like "$(prop "$s" Before)" 'deskd\.service' "deskd-session.service comes before deskd"
like "$(prop "$s" Conflicts)" 'display-manager\.service' \
    "deskd-session.service conflicts with a display manager"
is "$(prop "$s" ExecStart)" /usr/libexec/deskd/deskd-session \
    "deskd-session.service runs the packaged script"
