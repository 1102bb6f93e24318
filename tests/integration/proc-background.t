#!/usr/bin/env bash
# proc-background.t: background children of a command ("xterm &") survive
# the command's end as they would after a shell's "&", through /v1/exec,
# streamed /v1/exec and OSWorld's /execute: the answer comes when the
# command exits, not when the background child lets go of the pipes, and
# the child is never killed by SIGPIPE for writing to them afterwards.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../proc-lib.sh"

start_xvfb 1024x768 || exit 1
start_wm
start_deskd --no-auth --workdir "$T_TMP" || exit 1

alive() {	# alive PID: running and not a zombie
	[ -d "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null
}
bg_pids=()
t_bg_cleanup() { for p in "${bg_pids[@]}"; do kill -KILL "$p" 2>/dev/null; done; }
trap 't_bg_cleanup; t_cleanup' EXIT

# --- xterm & ---------------------------------------------------------------

post /v1/exec '{"command":"xterm -T bgxterm & echo $!"}'
is "$CODE" 200 "/v1/exec xterm &: answered"
xp=$(jf 'j["stdout"].split()[0]')
bg_pids+=("$xp")
is "$(jf 'j["exit_code"]')" 0 "/v1/exec xterm &: the shell's exit is the answer"
found=1
for _ in $(seq 100); do
	wmctrl -l | grep -q bgxterm && { found=0; break; }
	sleep 0.1
done
ok $found "/v1/exec xterm &: its window maps"
# xterm writes to the stderr it inherited when its window is resized or
# asked for what it cannot do; a closed pipe would kill it there.
sleep 1
alive "$xp"
ok $? "/v1/exec xterm &: xterm lives on after the answer"

# --- a noisy background program, both streams -----------------------------------

noisy='(while :; do echo tick; echo tock >&2; sleep 0.02; done) & echo $!'
post /v1/exec "{\"command\":\"$noisy\"}"
np=$(jf 'j["stdout"].split()[0]')
bg_pids+=("$np")
is "$CODE" 200 "/v1/exec noisy &: answered while its child writes on"
sleep 1.5
alive "$np"
ok $? "/v1/exec noisy &: writing to both inherited pipes after the answer does not kill it"

post /execute "{\"command\":\"$noisy\",\"shell\":true}"
is "$CODE" 200 "/execute noisy &: answered"
op=$(jf 'j["output"].split()[0]')
bg_pids+=("$op")
is "$(jf 'j["returncode"]')" 0 "/execute noisy &: returncode of the shell"
sleep 1.5
alive "$op"
ok $? "/execute noisy &: the background child survives OSWorld's route too"

out=$(curl -sN -X POST "$URL/v1/exec" -H 'Content-Type: application/json' -d "{\"command\":\"$noisy > $T_TMP/spid\",\"stream\":true}" | tail -n 1)
bg_pids+=("$(cat "$T_TMP/spid")")
like "$out" '"type":"exit","exit_code":0' "/v1/exec stream noisy &: the exit event comes at the shell's exit"
sleep 0.5
alive "$(cat "$T_TMP/spid")"
ok $? "/v1/exec stream noisy &: the background child survives the stream's end"

# --- the answer does not wait for the pipes -------------------------------------

post /v1/exec '{"command":"sleep 30 & echo $!","timeout":10}'
sp=$(jf 'j["stdout"].split()[0]')
bg_pids+=("$sp")
is "$(jf 'j["timed_out"]')" false "/v1/exec sleep &: no timeout waiting for a pipe a background child holds"
alive "$sp"
ok $? "/v1/exec sleep &: answered while the child still holds the pipes"

# The drained pipes close when their writers go.
for p in "${bg_pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
sleep 0.5
kill -0 "$DESKD_PID"
ok $? "deskd is still running"
