#!/usr/bin/env bash
# proto-examples: every ```example block of proto/api.md (the normative
# contract), run in order against the real deskd on a 1920x1080 Xvfb with
# openbox and one window, must get the reply the contract shows
# (tests/tools/api-examples.py).  Once the code answered GET /v1/windows
# with a nested geometry{}, bad_action for a coordinate outside its
# coordinate_space and took scroll_amount 2.5, while the contract said
# otherwise; those examples are among them, and the checker is shown to
# catch a contract that says something else.
source "$(dirname "$0")/../lib.sh"

command -v openbox >/dev/null || { skip "openbox is not installed (packaging/deps.sh --test)"; exit 0; }
command -v xmessage >/dev/null || { skip "xmessage is not installed (x11-utils)"; exit 0; }
CHECK=$TOP/tests/tools/api-examples.py
API=$TOP/proto/api.md

start_xvfb 1920x1080 || exit 1
openbox >"$T_TMP/openbox.log" 2>&1 &
T_PIDS+=($!)
xmessage -title "deskd example" -geometry 300x100+50+60 \
    "an example window" >/dev/null 2>&1 &
T_PIDS+=($!)
for _ in $(seq 100); do
	xprop -root _NET_CLIENT_LIST 2>/dev/null | grep -q '# 0x' && break
	sleep 0.1
done
start_deskd --no-auth || exit 1

# The checker finds the examples (a checker that finds none passes).
python3 "$CHECK" --list "$API" >"$T_TMP/list" 2>&1
ok $? "api.md's examples parse"
n=$(wc -l <"$T_TMP/list")
[ "$n" -ge 20 ]
ok $? "api.md has examples to check ($n)"
for want in 'GET /v1/windows' 'bad_coordinate.*1366x768 space' \
    'scroll_amount": 2.5.*bad_action' 'GET /health'; do
	grep -qE "$want" "$T_TMP/list"
	ok $? "among them: /$want/"
done

# Every example against the live deskd.
python3 "$CHECK" "$API" "$URL" >"$T_TMP/run" 2>&1
rc=$?
cat "$T_TMP/run"
is "$rc" 0 "deskd answers every example as the contract shows"

# The checker catches a contract that says something else: the old nested
# geometry, the old error code, a missing member, one member too many.
sed -e 's/"x": N, "y": N, "width": N, "height": N,/"geometry": {"x": N, "y": N, "width": N, "height": N},/' \
    -e 's/"code": "bad_coordinate", "message": "coordinate \[1366/"code": "bad_action", "message": "coordinate [1366/' \
    -e 's/{"state": "idle", "path": null}/{"state": "idle"}/' \
    -e 's/{"width": 1920, "height": 1080}$/{"width": 1920, "height": 1080, "depth": 24}/' \
    "$API" >"$T_TMP/api.md"
python3 "$CHECK" "$T_TMP/api.md" "$URL" >"$T_TMP/wrong" 2>&1
is "$(grep -c '^not ok' "$T_TMP/wrong")" 4 "a doctored contract fails 4 examples"
like "$(grep -A1 'GET /v1/windows' "$T_TMP/wrong")" "member 'geometry' missing" \
    "... the nested geometry"
like "$(grep -A1 'left_click", "coordinate": \[1366, 768\]' "$T_TMP/wrong")" '"bad_action" expected, got "bad_coordinate"' \
    "... the error code"
like "$(grep -A1 'GET /v1/recording' "$T_TMP/wrong")" "members the contract does not show: \\['path'\\]" \
    "... a member the contract does not show"
like "$(grep -A1 'POST /screen_size' "$T_TMP/wrong")" "member 'depth' missing" \
    "... a member the reply lacks"

stop_deskd
ok $? "deskd exits cleanly"
sanitizer_clean "$DESKD_LOG"
ok $? "no sanitizer report"
