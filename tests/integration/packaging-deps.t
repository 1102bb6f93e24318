#!/usr/bin/env bash
# packaging-deps: a fresh machine prepared with "packaging/deps.sh --test"
# has every program the suite calls.  tests/tools/deps-check.py scans the
# tests, tools, benchmarks and packaging scripts (against deps.sh), the
# session script (against deskd-session's Depends) and deskd's own C
# (against deskd's Depends and Recommends), maps each program to its
# Debian package with dpkg -S, and fails on any package nobody names.
# Once x11-xserver-utils was missing from deps.sh and a fresh clone failed
# 4 tests (xrandr, xsetroot, xhost); the checks below replay that.
source "$(dirname "$0")/../lib.sh"

CHECK=$TOP/tests/tools/deps-check.py
for c in dpkg dpkg-query; do
	command -v $c >/dev/null || { fail "$c missing (not a Debian system?)"; exit 1; }
done

# The real check, on the tree as it is.
python3 "$CHECK" >"$T_TMP/check" 2>&1
rc=$?
cat "$T_TMP/check"
ok $rc "deps-check.py passes on this tree"

# The scan finds what it must: a scanner that finds nothing passes too.
python3 "$CHECK" --list >"$T_TMP/list" 2>&1
found() {	# found GROUP KIND NAME FILE-REGEX
	awk -F'\t' -v g="$1" -v k="$2" -v n="$3" -v f="$4" \
	    '$1 == g && $3 == k && $4 == n && $2 ~ f { x = 1 } END { exit !x }' \
	    "$T_TMP/list"
	ok $? "the scan finds $1 calling $3 ($2) in ${4//\\/}"
}
found tests prog xrandr 'packaging-xorg\.t'
found tests prog xmodmap 'tests/input-lib\.sh'
found tests prog Xvfb 'tests/lib\.sh'
found tests prog timeout 'tests/run'
found tests prog xdotool 'tests/bench/input\.sh'
found tests probe ffprobe 'osworld-record\.t'
found tests py flask 'tests/bench/exec\.sh'
found tests py yaml 'check-user-data\.py'
found session prog xhost 'deskd-session'
found session prog xauth 'deskd-session'
found session prog xdpyinfo 'deskd-session'
found deskd prog ffmpeg 'agent/record\.c'
found deskd prog Xvfb 'agent/xvfb\.c'
found deskd prog gsettings 'agent/osworld_setup\.c'
found deskd prog /usr/bin/python3 'agent/osworld\.h'
# ... and not what is no command: words in strings, comments, here-docs
# of Python, case patterns, array literals.
bogus=$(awk -F'\t' '$4 ~ /^(No|no|needs|import|print|MemoryDenyWriteExecute|--no-sandbox)$/' \
    "$T_TMP/list")
is "$bogus" "" "the scan takes no words of strings, comments or patterns for programs"

# The defect: deps.sh without x11-xserver-utils.  The check names the
# programs, and where the suite calls them.
sed 's/ x11-xserver-utils//' "$TOP/packaging/deps.sh" >"$T_TMP/deps.sh"
grep -q x11-xserver-utils "$T_TMP/deps.sh" && fail "sed did not drop the package"
python3 "$CHECK" --deps "$T_TMP/deps.sh" >"$T_TMP/old" 2>&1
is "$?" 1 "without x11-xserver-utils in deps.sh the check fails"
like "$(cat "$T_TMP/old")" 'not ok - tests: program xrandr .*x11-xserver-utils' \
    "... and names xrandr and its package"
like "$(grep -A2 'program xmodmap' "$T_TMP/old")" '#   called at tests/input-lib\.sh:[0-9]' \
    "... and says where xmodmap is called"

# The session's package without it: the session calls xrandr and xhost.
sed '/^Package: deskd-session/,/^Description/s/^ *x11-xserver-utils,$//' \
    "$TOP/packaging/debian/control" >"$T_TMP/control"
python3 "$CHECK" --control "$T_TMP/control" >"$T_TMP/ctl" 2>&1
is "$?" 1 "without x11-xserver-utils in deskd-session's Depends the check fails"
like "$(cat "$T_TMP/ctl")" 'not ok - session: program xhost' "... and names xhost"

# Where the scan looks: a test added tomorrow is scanned too, and the
# report points at its line (a copy of the tree with one more .t, and
# the deps.sh without x11-xserver-utils).
mkdir -p "$T_TMP/tree/tests/integration" "$T_TMP/tree/packaging/debian"
cp "$T_TMP/deps.sh" "$T_TMP/tree/packaging/deps.sh"
cp "$TOP/packaging/debian/control" "$T_TMP/tree/packaging/debian/"
printf '#!/usr/bin/env bash\nif true; then\n\tout=$(xrandr --version 2>&1) || exit 1\nfi\n' \
    >"$T_TMP/tree/tests/integration/new.t"
python3 "$CHECK" --top "$T_TMP/tree" >"$T_TMP/new" 2>&1
is "$?" 1 "a new test calling xrandr fails the check"
is "$(grep -A2 'program xrandr ' "$T_TMP/new" | grep -o 'called at .*')" \
    "called at tests/integration/new.t:3" "... at the line that calls it"
