#!/usr/bin/env bash
# POST /v1/reset, what deskctl pool release --reset asks of a guest: the
# recording stopped and thrown away, then --reset-command run; a failing
# command is a 500 (the pool keeps the guest); one reset at a time.
source "$(dirname "$0")/../lib.sh"

start_xvfb 640x480 || exit 1
TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$TOKEN" >"$T_TMP/token"
AUTH=(-H "Authorization: Bearer $TOKEN")
start_deskd --token-file "$T_TMP/token" || exit 1
is "$(http POST "$URL/v1/reset")" 401 "/v1/reset needs the token"
is "$(http POST "$URL/v1/reset" "${AUTH[@]}")" 200 "no --reset-command: 200"
is "$(body)" '{"recording_stopped":false,"command":null}' "... nothing was recording, nothing to run"
stop_deskd

printf '#!/bin/sh\necho "$@" >>%s\nsleep 0.5\n' "$T_TMP/ran" >"$T_TMP/reset.sh"
chmod +x "$T_TMP/reset.sh"
start_deskd --token-file "$T_TMP/token" --reset-command "$T_TMP/reset.sh 'the session'" || exit 1
is "$(http POST "$URL/v1/recording/start" "${AUTH[@]}")" 200 "a recording runs"
curl -s -o "$T_TMP/second" -w '%{http_code}' -X POST "${AUTH[@]}" "$URL/v1/reset" >"$T_TMP/second.code" &
cpid=$!
sleep 0.2
is "$(http POST "$URL/v1/reset" "${AUTH[@]}")" 409 "a second reset while one runs: 409"
wait "$cpid"
is "$(cat "$T_TMP/second.code")" 200 "the reset: 200"
like "$(cat "$T_TMP/second")" '^\{"recording_stopped":true,"command":\{"exit_code":0,"signal":0,"timed_out":false,"duration_ms":[0-9]+\}\}$' \
    "... it stopped the recording and ran the command"
is "$(cat "$T_TMP/ran")" "the session" "... with its arguments as given"
is "$(http GET "$URL/v1/recording" "${AUTH[@]}")" 200 "recording state answers"
like "$(body)" '"state":"idle"' "... and nothing records any more"
stop_deskd

start_deskd --token-file "$T_TMP/token" --reset-command "sh -c 'echo no such session >&2; exit 3'" || exit 1
is "$(http POST "$URL/v1/reset" "${AUTH[@]}")" 500 "a failing --reset-command: 500"
like "$(body)" '"code":"reset_failed".*exited 3: no such session' "... saying how it failed"
stop_deskd
is $? 0 "deskd exits cleanly"
sanitizer_clean "$DESKD_LOG"
ok $? "no sanitizer report"
