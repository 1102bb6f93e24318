#!/usr/bin/env bash
# proc-launch.t: POST /v1/launch against the real deskd on Xvfb with
# openbox: an application in its own session, its window id once it maps
# (checked against wmctrl), its log read back whole and from an offset,
# the record list, DELETE ending its session, unknown ids, bad bodies and
# the record limit.
source "$(dirname "$0")/../lib.sh"

start_xvfb 1024x768 || exit 1
openbox --sm-disable >"$T_TMP/openbox.log" 2>&1 &
T_PIDS+=($!)
start_deskd --no-auth --workdir "$T_TMP" || exit 1

post() {	# post PATH JSON
	CODE=$(http POST "$URL$1" -H 'Content-Type: application/json' \
	    --data-binary "$2")
}
jf() { json_get "$T_TMP/body" "$1"; }
launched=()
t_launch_cleanup() { for p in "${launched[@]}"; do kill -KILL -- "-$p" 2>/dev/null; done; }
trap 't_launch_cleanup; t_cleanup' EXIT

# --- an X application, waiting for its window -----------------------------

post /v1/launch '{"argv":["xterm","-T","launched-xterm","-e","sh","-c","echo to-out; echo to-err >&2; exec sleep 120"],"wait_window":true,"window_timeout":20}'
is "$CODE" 201 "launch xterm: 201"
id=$(jf 'j["id"]')
pid=$(jf 'j["pid"]')
launched+=("$pid")
is "$(jf 'j["window_wait"]')" found "launch xterm: the window was found"
win=$(jf 'j["window"]')
wm=$(wmctrl -l | awk '/launched-xterm/ {print $1}')
is "$(printf '0x%x' "$win" 2>/dev/null)" "$(printf '0x%x' "$wm" 2>/dev/null)" "launch xterm: the window id is the one wmctrl lists"
is "$(ps -o sid= -p "$pid" | tr -d ' ')" "$pid" "launch xterm: in a session of its own"
is "$(jf 'j["log"]')" "/v1/launch/$id/log" "launch xterm: its log's route"

# --- a plain command's log ---------------------------------------------------------

post /v1/launch '{"command":"echo out-line; echo err-line >&2; echo $PWD; echo $FOO","env":{"FOO":"bar"},"cwd":"sub"}'
is "$CODE" 400 "launch with a cwd that does not exist: 400"
mkdir -p "$T_TMP/sub"
post /v1/launch '{"command":"echo out-line; echo err-line >&2; echo $PWD; echo $FOO","env":{"FOO":"bar"},"cwd":"sub"}'
is "$CODE" 201 "launch a command: 201"
id2=$(jf 'j["id"]')
is "$(jf 'j["window"]')" null "launch without wait_window: no window asked"
for _ in $(seq 50); do
	http GET "$URL/v1/launch/$id2" >/dev/null
	[ "$(jf 'j["running"]')" = false ] && break
	sleep 0.1
done
is "$(jf 'j["exit_code"]')" 0 "launch: the record gets the exit code"
code=$(http GET "$URL/v1/launch/$id2/log")
is "$code" 200 "log: 200"
is "$(body)" "$(printf 'out-line\nerr-line\n%s\nbar' "$T_TMP/sub")" "log: stdout and stderr, env and cwd applied"
code=$(http GET "$URL/v1/launch/$id2/log?offset=9")
is "$(body)" "$(printf 'err-line\n%s\nbar' "$T_TMP/sub")" "log: read from an offset"
is "$(header X-Next-Offset)" "$(header X-Log-Size)" "log: X-Next-Offset is where the next read starts"
code=$(http GET "$URL/v1/launch/$id2/log?offset=x")
is "$code" 400 "log: a bad offset is a 400"

# --- the list, unknown ids, DELETE -----------------------------------------------------

http GET "$URL/v1/launch" >/dev/null
is "$(jf '",".join(l["id"] for l in j["launches"])')" "$id,$id2" "list: both records"
is "$(jf 'j["limit"]')" 64 "list: the limit is named"
code=$(http GET "$URL/v1/launch/999")
is "$code" 404 "unknown launch: 404"
like "$(body)" '"unknown_launch"' "unknown launch: its code"
code=$(http GET "$URL/v1/launch/abc/log")
is "$code" 404 "unknown launch log: 404"
code=$(http GET "$URL/v1/launch/$id/nope")
is "$code" 404 "unknown launch sub-route: 404"
post /v1/launch '{"argv":[]}'
is "$CODE" 400 "launch an empty argv: 400"
post /v1/launch '{"argv":["true"],"wait":true}'
is "$CODE" 400 "launch an unknown key: 400"
post /v1/launch '{"argv":["/nonexistent/app"]}'
is "$CODE" 400 "launch a missing program: 400"
like "$(body)" "No such file or directory" "launch a missing program: says why"

code=$(http DELETE "$URL/v1/launch/$id")
is "$code" 204 "DELETE a running launch: 204"
gone=1
for _ in $(seq 50); do
	[ -z "$(ps -o pid= -s "$pid" 2>/dev/null)" ] && { gone=0; break; }
	sleep 0.1
done
ok $gone "DELETE: nothing of its session is left"
code=$(http GET "$URL/v1/launch/$id")
is "$code" 404 "DELETE: the record is gone"

# --- the limit: records of finished launches make room; running ones do not -----

n=0
for i in $(seq 64); do
	post /v1/launch '{"argv":["sleep","120"]}'
	[ "$CODE" = 201 ] && { n=$((n + 1)); launched+=("$(jf 'j["pid"]')"); }
done
http GET "$URL/v1/launch" >/dev/null
is "$(jf 'len(j["launches"])')" 64 "limit: 64 records, the oldest finished one gave way"
post /v1/launch '{"argv":["sleep","120"]}'
is "$CODE" 429 "limit: a 65th launch while 64 run is a 429"
like "$(body)" "DESKD_MAX_LAUNCHES" "limit: the 429 names the limit"

kill -0 "$DESKD_PID"
ok $? "deskd is still running"
stop_deskd
ok $? "deskd stops cleanly"
kill -0 "${launched[1]}" 2>/dev/null
ok $? "launched applications outlive deskd"
