#!/usr/bin/env bash
# osworld-exec.t: OSWorld's process routes (/execute and friends,
# /setup/launch, /run_python, /run_bash_script, /terminal, /accessibility,
# /platform) and the native POST /v1/exec, against the real deskd on a real
# Xvfb with openbox: status codes, content types and JSON keys for success
# and every error case, Python's command semantics, timeouts that kill the
# whole process group, hang-ups, output caps, and a screenshot answered
# while a command sleeps.
source "$(dirname "$0")/../lib.sh"

start_xvfb 1024x768 || exit 1
openbox --sm-disable >"$T_TMP/openbox.log" 2>&1 &
T_PIDS+=($!)

mkdir -p "$T_TMP/home" "$T_TMP/wd"
export HOME=$T_TMP/home

# Two daemons: A with the real timeouts, B with the test aid that shortens
# the fixed 120 s (/execute) and 30 s (/run_python) ones.
start_deskd --no-auth --workdir "$T_TMP/wd" || exit 1
A=$URL
A_PID=$DESKD_PID
A_LOG=$DESKD_LOG
DESKD_TEST_EXEC_TIMEOUT_MS=1500 DESKD_TEST_PYTHON_TIMEOUT_MS=1500 \
    start_deskd --no-auth --workdir "$T_TMP/wd" || exit 1
B=$URL
B_PID=$DESKD_PID
B_LOG=$DESKD_LOG

post() {	# post BASE PATH JSON: sets CODE, body in $T_TMP/body
	CODE=$(http POST "$1$2" -H 'Content-Type: application/json' \
	    --data-binary "$3")
}
jf() { json_get "$T_TMP/body" "$1"; }
keys() { jf '",".join(sorted(j.keys()))'; }
ctype() { header Content-Type; }

# check_json CODE KEYS DESC: status, JSON content type and key set.
check_json() {
	is "$CODE" "$1" "$3: status $1"
	is "$(ctype)" "application/json" "$3: application/json"
	is "$(keys 2>/dev/null)" "$2" "$3: keys $2"
}
EXEC_KEYS=error,output,returncode,status
ERR_KEYS=message,status

# --- /execute ------------------------------------------------------------

post "$A" /execute '{"command": ["echo", "hello"]}'
check_json 200 "$EXEC_KEYS" "/execute list"
is "$(jf 'repr(j["output"])')" "'hello\\n'" "/execute list: output"
is "$(jf 'j["status"]')" success "/execute list: status success"

post "$A" /setup/execute '{"command": ["echo", "hello"]}'
check_json 200 "$EXEC_KEYS" "/setup/execute list"

post "$A" /execute "{\"command\": \"printf '%s|' \\\"a b\\\" c 'd\\\\\\\\e'\", \"shell\": false}"
check_json 200 "$EXEC_KEYS" "/execute string, shell false"
is "$(jf 'j["output"]')" 'a b|c|d\\e|' "/execute string is split like shlex.split"

post "$A" /execute '{"command": "echo $((1+2)) >&2; echo out; exit 3", "shell": true}'
check_json 200 "$EXEC_KEYS" "/execute string, shell true"
is "$(jf 'repr((j["output"], j["error"], j["returncode"], j["status"]))')" \
    "('out\\n', '3\\n', 3, 'success')" \
    "/execute shell true: stdout, stderr, rc 3 still success"

post "$A" /execute '{"command": ["echo \"$0-$1\"", "zero", "one"], "shell": true}'
is "$(jf 'repr(j["output"])')" "'zero-one\\n'" \
    "/execute shell true with a list: sh -c list[0] list[1:]"

post "$A" /execute '{"command": ["echo", "~/x", "a~/y", "~"]}'
is "$(jf 'j["output"]')" "$HOME/x a~/y ~" "/execute expands ~/ list items only"

post "$A" /execute '{"command": "echo ~/x", "shell": false}'
is "$(jf 'j["output"]')" "$HOME/x" "/execute expands ~/ after shlex.split"

post "$A" /execute '{"command": ["pwd"]}'
is "$(jf 'j["output"]')" "$T_TMP/wd" "/execute runs in --workdir"

post "$A" /execute '{"command": ["printf", "a\\377b\\r\\nc\\rd\\303\\251"]}'
check_json 200 "$EXEC_KEYS" "/execute non-UTF-8 output"
is "$(jf 'ascii(j["output"])')" "'a\\ufffdb\\nc\\nd\\xe9'" \
    "/execute: bad bytes become U+FFFD, newlines as Python's text mode"

post "$A" /execute '{"command": ["sh", "-c", "echo $DISPLAY; ls /proc/$$/fd; readlink /proc/$$/fd/0"]}'
is "$(jf 'j["output"]')" "$XDISP
0
1
2
/dev/null" "/execute: DISPLAY set, stdin /dev/null, no deskd fd leaks in"

post "$A" /execute '{"command": "head -c 20000000 /dev/zero | tr \"\\000\" a; echo done >&2", "shell": true}'
is "$(jf 'repr((len(j["output"]), j["error"], j["returncode"]))')" \
    "(16777216, 'done\\n', 0)" "/execute output capped at 16 MiB, child not blocked"

# Commands run side by side, not one after another.
for i in 1 2 3 4 5 6; do
	curl -s -o "$T_TMP/par.$i" --max-time 60 "$A/execute" \
	    -H 'Content-Type: application/json' \
	    --data-binary "{\"command\": [\"sh\", \"-c\", \"echo \$\$ > $T_TMP/par.pid.$i; while [ \$(ls $T_TMP/par.pid.* | wc -l) -lt 6 ]; do sleep 0.05; done; echo $i\"]}" &
	PAR[$i]=$!
done
par_ok=0
for i in 1 2 3 4 5 6; do
	wait "${PAR[$i]}"
	[ "$(json_get "$T_TMP/par.$i" 'j["output"]' 2>/dev/null)" = "$i" ] &&
	    par_ok=$((par_ok + 1))
done
is "$par_ok" 6 "six /execute calls that wait for each other all finish"

# Errors.
post "$A" /execute '{"command": "echo \"unbalanced", "shell": false}'
check_json 400 "$ERR_KEYS" "/execute unbalanced quotes"
is "$(jf 'j["message"]')" "No closing quotation" "/execute: shlex's message"
post "$A" /execute '{"command": "tail\\", "shell": false}'
check_json 400 "$ERR_KEYS" "/execute trailing backslash"
post "$A" /execute '{"command": ["echo", 5]}'
check_json 400 "$ERR_KEYS" "/execute non-string list item"
post "$A" /execute '{"command": 17}'
check_json 400 "$ERR_KEYS" "/execute command of the wrong type"
post "$A" /execute '{"command": []}'
check_json 400 "$ERR_KEYS" "/execute empty list"
post "$A" /execute '{}'
check_json 400 "$ERR_KEYS" "/execute without command"
post "$A" /execute '{"command": ["a\u0000b"]}'
check_json 400 "$ERR_KEYS" "/execute NUL in an argument"
post "$A" /execute '{"command": ["echo"'
check_json 400 "$ERR_KEYS" "/execute malformed JSON"
# Script routes take bodies up to 64 MiB (upstream runs a 17 MB one; the
# 16 MiB of other routes refused it).
python3 -c 'import json, sys; json.dump({"command": "echo big", "shell": True, "pad": "x" * (17 * 1024 * 1024)}, sys.stdout)' >"$T_TMP/big.json"
CODE=$(http POST "$A/execute" -H 'Content-Type: application/json' \
    --data-binary @"$T_TMP/big.json")
is "$CODE:$(jf 'j["output"]')" "200:big" "/execute with a 17 MiB body runs"
python3 -c 'import json, sys; json.dump({"code": "s = \"" + "y" * (17 * 1024 * 1024) + "\"\nprint(len(s))"}, sys.stdout)' >"$T_TMP/big.py.json"
CODE=$(http POST "$A/run_python" -H 'Content-Type: application/json' \
    --data-binary @"$T_TMP/big.py.json")
is "$CODE:$(jf 'j["output"]')" "200:17825792" "/run_python runs a 17 MiB script"
rm -f "$T_TMP/big.json" "$T_TMP/big.py.json"
# Over 64 MiB: 413 from the head alone, before any of the body is sent.
for route in /execute /run_python /run_bash_script; do
	out=$(python3 - "${A#http://127.0.0.1:}" "$route" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
           "Content-Length: %d\r\n\r\n" % (sys.argv[2], 64 * 1024 * 1024 + 1)).encode())
r = b""
try:
    while b"\r\n\r\n" not in r:
        d = s.recv(4096)
        if not d:
            break
        r += d
except socket.timeout:
    pass
print(r.split(b"\r\n")[0].decode() if r else "no answer")
PY
)
	like "$out" "^HTTP/1.1 413 " "$route: a body over 64 MiB gets 413 before it is sent"
done
post "$A" /execute '["echo"]'
check_json 400 "$ERR_KEYS" "/execute body not an object"
post "$A" /execute ''
check_json 400 "$ERR_KEYS" "/execute empty body"
post "$A" /execute '{"command": ["no-such-command-deskd"]}'
check_json 500 "$ERR_KEYS" "/execute command not found"
is "$(jf 'j["message"]')" \
    "[Errno 2] No such file or directory: 'no-such-command-deskd'" \
    "/execute: Python's FileNotFoundError message"
CODE=$(http GET "$A/execute")
is "$CODE" 405 "GET /execute: 405"
like "$(ctype)" "application/json" "GET /execute: JSON, not HTML"

# Timeouts (B: 1.5 s instead of 120 s).
post "$B" /execute '{"command": ["sleep", "30"]}'
check_json 200 error,message,output,returncode,status "/execute timeout"
is "$(jf 'repr((j["status"], j["error"], j["returncode"]))')" \
    "('error', 'TimeoutExpired', None)" \
    "/execute timeout: 200 TimeoutExpired so the host does not replay it"
like "$(jf 'j["message"]')" "timed out after 1.5 seconds" \
    "/execute timeout: Python's message"
post "$B" /setup/execute '{"command": ["sleep", "30"]}'
check_json 500 "$ERR_KEYS" "/setup/execute timeout stays a failure"

# The whole process group goes on timeout, even a member ignoring SIGTERM.
post "$B" /execute "{\"command\": \"sh -c 'trap \\\"\\\" TERM; exec sleep 60' & echo \$! > $T_TMP/gc.pid; wait\", \"shell\": true}"
is "$(jf 'j["error"]')" TimeoutExpired "/execute group timeout answered"
gc=$(cat "$T_TMP/gc.pid" 2>/dev/null)
for _ in $(seq 50); do
	[ -n "$gc" ] && kill -0 "$gc" 2>/dev/null || break
	sleep 0.1
done
if [ -n "$gc" ] && ! kill -0 "$gc" 2>/dev/null; then
	pass "timeout killed a grandchild that ignores SIGTERM"
else
	fail "timeout killed a grandchild that ignores SIGTERM"
	[ -n "$gc" ] && kill -KILL "$gc" 2>/dev/null
fi

# A screenshot answers while /execute sleeps; hanging up kills the sleep.
curl -s -o /dev/null --max-time 60 "$A/execute" \
    -H 'Content-Type: application/json' \
    --data-binary "{\"command\": [\"sh\", \"-c\", \"echo \$\$ > $T_TMP/sleep.pid; exec sleep 30\"]}" &
EXEC_CURL=$!
T_PIDS+=("$EXEC_CURL")
for _ in $(seq 100); do
	[ -s "$T_TMP/sleep.pid" ] && break
	sleep 0.05
done
sp=$(cat "$T_TMP/sleep.pid" 2>/dev/null)
CODE=$(http GET "$A/screenshot")
is "$CODE" 200 "/screenshot during a 30 s /execute: 200"
is "$(ctype)" image/png "/screenshot during /execute: image/png"
if kill -0 "$EXEC_CURL" 2>/dev/null && [ -n "$sp" ] && kill -0 "$sp" 2>/dev/null; then
	pass "/screenshot answered before the sleep finished"
else
	fail "/screenshot answered before the sleep finished"
fi
kill "$EXEC_CURL" 2>/dev/null
wait "$EXEC_CURL" 2>/dev/null
for _ in $(seq 50); do
	[ -n "$sp" ] && kill -0 "$sp" 2>/dev/null || break
	sleep 0.1
done
if [ -n "$sp" ] && ! kill -0 "$sp" 2>/dev/null; then
	pass "hanging up mid-/execute kills the child"
else
	fail "hanging up mid-/execute kills the child"
	[ -n "$sp" ] && kill -KILL "$sp" 2>/dev/null
fi

# --- /execute_with_verification -------------------------------------------

for path in /execute_with_verification /setup/execute_with_verification; do
	post "$A" "$path" '{"command": ["echo", "x"]}'
	check_json 200 "$EXEC_KEYS" "$path without verification"
done
# Upstream's "if not verification": every false value is none (a task
# config with "verification": [] got 400).
for v in '[]' '{}' '""' 0 false null; do
	post "$A" /execute_with_verification "{\"command\": [\"echo\", \"x\"], \"verification\": $v}"
	check_json 200 "$EXEC_KEYS" "verification $v: no verification, as upstream"
done

rm -f "$T_TMP/wd/flag"
post "$A" /execute_with_verification '{"command": "(sleep 0.5; touch flag) &", "shell": true, "verification": {"command_success": "test -e flag"}, "max_wait_time": 10, "check_interval": 0.2}'
check_json 200 error,output,returncode,status,verification,wait_time \
    "/execute_with_verification command_success"
is "$(jf 'j["verification"]')" passed "command_success: passed"
like "$(jf 'j["wait_time"]')" '^[0-9.]+$' "command_success: wait_time a number"

post "$A" /execute_with_verification '{"command": ["true"], "verification": {"command_success": "false"}, "max_wait_time": 1, "check_interval": 0.2}'
check_json 500 error,output,returncode,status,verification,wait_time \
    "/execute_with_verification failing"
is "$(jf 'repr((j["status"], j["verification"], j["wait_time"]))')" \
    "('verification_failed', 'failed', 1)" "failing: status and wait_time"

post "$A" /setup/execute_with_verification "{\"command\": \"xmessage -title DeskdVerifyWin hello >/dev/null 2>&1 & echo \$! > $T_TMP/xm.pid\", \"shell\": true, \"verification\": {\"window_exists\": \"deskdverifywin\"}, \"max_wait_time\": 15, \"check_interval\": 0.2}"
check_json 200 error,output,returncode,status,verification,wait_time \
    "/setup/execute_with_verification window_exists"
is "$(jf 'j["verification"]')" passed "window_exists: passed (case-insensitive)"
[ -s "$T_TMP/xm.pid" ] && kill "$(cat "$T_TMP/xm.pid")" 2>/dev/null

post "$A" /execute_with_verification '{"command": ["true"], "verification": {"window_exists": "NoSuchWindowDeskd"}, "max_wait_time": 0.5, "check_interval": 0.1}'
check_json 500 error,output,returncode,status,verification,wait_time \
    "window_exists missing"

post "$A" /execute_with_verification '{"command": ["true"], "verification": "yes"}'
check_json 400 "$ERR_KEYS" "verification of the wrong type"
post "$A" /execute_with_verification '{"command": ["true"], "verification": {"window_exists": 3}}'
check_json 400 "$ERR_KEYS" "window_exists of the wrong type"
post "$A" /execute_with_verification '{"command": ["true"], "verification": {"command_success": "true"}, "max_wait_time": "ten"}'
check_json 400 "$ERR_KEYS" "max_wait_time of the wrong type"
post "$A" /execute_with_verification '{"command": "x \"y"}'
check_json 400 "$ERR_KEYS" "/execute_with_verification unbalanced quotes"
post "$B" /execute_with_verification '{"command": ["sleep", "30"], "verification": {"command_success": "true"}}'
check_json 200 error,message,output,returncode,status \
    "/execute_with_verification timeout"
post "$B" /setup/execute_with_verification '{"command": ["sleep", "30"]}'
check_json 500 "$ERR_KEYS" "/setup/execute_with_verification timeout"

# --- /setup/launch -------------------------------------------------------

rm -f "$T_TMP/launched"
CODE=$(http POST "$A/setup/launch" -H 'Content-Type: application/json' \
    --data-binary "{\"command\": [\"sh\", \"-c\", \"echo ok > $T_TMP/launched\"]}")
is "$CODE" 200 "/setup/launch list: 200"
is "$(ctype)" "text/html; charset=utf-8" "/setup/launch: text/html"
is "$(body)" "sh -c echo ok > $T_TMP/launched launched successfully" \
    "/setup/launch: \" \".join(command) launched successfully"
for _ in $(seq 50); do
	[ -s "$T_TMP/launched" ] && break
	sleep 0.1
done
is "$(cat "$T_TMP/launched" 2>/dev/null)" ok "/setup/launch ran the command"
post "$A" /setup/launch '{"command": "true  a   b", "shell": false}'
is "$(body)" "true a b launched successfully" "/setup/launch string is split"
post "$A" /setup/launch '{"command": "true; true", "shell": true}'
is "$(body)" "true; true launched successfully" "/setup/launch shell shows the raw string"
post "$A" /setup/launch '{"command": ["true", "it'"'"'s"], "shell": true}'
is "$(body)" "['true', \"it's\"] launched successfully" \
    "/setup/launch shell list shows Python's str(list)"
post "$A" /setup/launch '{"command": ["no-such-command-deskd"]}'
check_json 500 "$ERR_KEYS" "/setup/launch not found"
like "$(jf 'j["message"]')" "No such file or directory" "/setup/launch: ENOENT message"
post "$A" /setup/launch '{"command": "a \"b"}'
check_json 400 "$ERR_KEYS" "/setup/launch unbalanced quotes"
post "$A" /setup/launch 'nope'
check_json 400 "$ERR_KEYS" "/setup/launch malformed JSON"

# --- /run_python ---------------------------------------------------------

PY_KEYS=error,message,need_more,output,return_code,status
post "$A" /run_python '{"code": "print(\"hi\")"}'
check_json 200 "$PY_KEYS" "/run_python success"
is "$(jf 'repr((j["status"], j["output"], j["error"], j["return_code"], j["need_more"]))')" \
    "('success', 'hi\\n', '', 0, False)" "/run_python: fields"
post "$A" /run_python '{"code": "import sys\nprint(\"o\")\nsys.stderr.write(\"bad\")\nsys.exit(2)"}'
check_json 200 "$PY_KEYS" "/run_python failing code"
is "$(jf 'repr((j["status"], j["message"], j["error"], j["return_code"]))')" \
    "('error', 'o\\n\\nbad', 'bad', 2)" "/run_python: error fields"
post "$A" /run_python '{"code": "raise SystemExit(4)"}'
is "$(jf 'repr((j["error"], j["return_code"]))')" \
    "('Process exited with code 4', 4)" "/run_python: generic error text"
post "$A" /run_python '{}'
check_json 400 "$ERR_KEYS" "/run_python without code"
is "$(jf 'j["message"]')" "Code not supplied!" "/run_python: upstream message"
post "$A" /run_python '{"code": ""}'
check_json 400 "$ERR_KEYS" "/run_python empty code"
post "$A" /run_python '{"code": 42}'
check_json 400 "$ERR_KEYS" "/run_python code of the wrong type"
post "$A" /run_python '{"code": '
check_json 400 "$ERR_KEYS" "/run_python malformed JSON"
post "$B" /run_python '{"code": "import time\ntime.sleep(30)"}'
check_json 500 error,message,need_more,output,status "/run_python timeout"
is "$(jf 'repr((j["error"], j["output"]))')" "('TimeoutExpired', None)" \
    "/run_python timeout: fields"

# --- /run_bash_script ----------------------------------------------------

post "$A" /run_bash_script '{"script": "echo out; echo err >&2; pwd", "timeout": 10, "working_dir": "~"}'
check_json 200 "$EXEC_KEYS" "/run_bash_script success (upstream: 500)"
is "$(jf 'repr((j["status"], j["output"], j["error"], j["returncode"]))')" \
    "('success', 'out\\nerr\\n$HOME\\n', '', 0)" \
    "/run_bash_script: merged output, working_dir expanded"
post "$A" /run_bash_script '{"script": "#!/bin/bash\necho $BASH_VERSION | cut -c1; exit 5"}'
check_json 200 "$EXEC_KEYS" "/run_bash_script non-zero exit"
is "$(jf 'repr((j["status"], j["returncode"]))')" "('error', 5)" \
    "/run_bash_script: status error by rc"
post "$A" /run_bash_script '{"script": "pwd"}'
is "$(jf 'j["output"]')" "$T_TMP/wd" "/run_bash_script default cwd is --workdir"
post "$A" /run_bash_script '{"timeout": 5}'
check_json 400 "$EXEC_KEYS" "/run_bash_script without script"
is "$(jf 'j["output"]')" "Script not supplied!" "/run_bash_script: upstream message"
post "$A" /run_bash_script '{"script": "true", "working_dir": "/no/such/dir"}'
check_json 400 "$EXEC_KEYS" "/run_bash_script missing working_dir"
is "$(jf 'j["output"]')" "Working directory does not exist: /no/such/dir" \
    "/run_bash_script: working_dir message"
post "$A" /run_bash_script '{"script": "true", "timeout": "soon"}'
check_json 400 "$EXEC_KEYS" "/run_bash_script timeout of the wrong type"
post "$A" /run_bash_script '{"script": ["echo"]}'
check_json 400 "$EXEC_KEYS" "/run_bash_script script of the wrong type"
post "$A" /run_bash_script '{"script": "sleep 30", "timeout": 1}'
check_json 200 "$EXEC_KEYS" "/run_bash_script timeout answers 200 (no host retry runs it again)"
is "$(jf 'j["output"]')" "Script execution timed out after 1 seconds" \
    "/run_bash_script timeout: upstream message"
is "$(jf 'j["status"]')" "error" "/run_bash_script timeout: status error"
is "$(jf 'j["returncode"]')" "-1" "/run_bash_script timeout: returncode -1"

# --- /terminal, /accessibility, /platform ---------------------------------

CODE=$(http GET "$A/terminal")
check_json 200 output,status "/terminal"
is "$(jf 'repr((j["output"], j["status"]))')" "(None, 'success')" "/terminal: body"
CODE=$(http GET "$A/accessibility")
# No accessibility bus on this Xvfb (tests/integration/a11y-*.t have one).
check_json 503 "$ERR_KEYS" "/accessibility without a bus: 503 in OSWorld's error shape"
CODE=$(http GET "$A/platform")
is "$CODE" 200 "/platform: 200"
is "$(ctype)" "text/html; charset=utf-8" "/platform: text/html"
is "$(body)" Linux "/platform: Linux"

# --- POST /v1/exec --------------------------------------------------------

V1_KEYS=duration_ms,exit_code,signal,stderr,stdout,timed_out,truncated
post "$A" /v1/exec '{"argv": ["sh", "-c", "cat; echo $FOO-$DESKD_GONE >&2; pwd; exit 7"], "stdin": "in\n", "env": {"FOO": "bar", "HOME": null}, "cwd": "/tmp"}'
check_json 200 "$V1_KEYS" "/v1/exec argv"
is "$(jf 'repr((j["stdout"], j["stderr"], j["exit_code"], j["signal"], j["timed_out"]))')" \
    "('in\\n/tmp\\n', 'bar-\\n', 7, None, False)" \
    "/v1/exec: stdin, env merged, cwd, exit code"
post "$A" /v1/exec '{"command": "echo $HOME; printf \"a\\r\\n\\377\""}'
is "$(jf 'ascii(j["stdout"])')" "'$HOME\\na\\r\\n\\ufffd'" \
    "/v1/exec command: raw newlines, U+FFFD, deskd's environment"
mkdir -p "$T_TMP/wd/sub"
post "$A" /v1/exec '{"argv": ["pwd"], "cwd": "sub"}'
is "$(jf 'j["stdout"]')" "$T_TMP/wd/sub" "/v1/exec relative cwd is under --workdir"
post "$A" /v1/exec '{"argv": ["sleep", "30"], "timeout": 0.5}'
check_json 200 "$V1_KEYS" "/v1/exec timeout"
is "$(jf 'repr((j["timed_out"], j["exit_code"], j["signal"]))')" \
    "(True, None, 15)" "/v1/exec timeout: timed_out, SIGTERM"
post "$A" /v1/exec '{"command": "head -c 20000000 /dev/zero | tr \"\\000\" a"}'
is "$(jf 'repr((len(j["stdout"]), j["truncated"], j["exit_code"]))')" \
    "(16777216, True, 0)" "/v1/exec output capped at 16 MiB"
V1_ERR=error
for bad in '{"argv": []}' '{"argv": "ls"}' '{"argv": ["ls", 1]}' \
    '{"argv": ["ls"], "command": "ls"}' '{}' '{"argv": ["ls"], "bogus": 1}' \
    '{"argv": ["ls"], "timeout": 0}' '{"argv": ["ls"], "timeout": 4000}' \
    '{"argv": ["ls"], "timeout": "1"}' '{"argv": ["ls"], "env": {"A": 1}}' \
    '{"argv": ["ls"], "env": ["A=1"]}' '{"argv": ["ls"], "stdin": 5}' \
    '{"argv": ["ls"], "cwd": 5}' '{"command": 5}' '[1]' '{"argv": ['; do
	post "$A" /v1/exec "$bad"
	check_json 400 "$V1_ERR" "/v1/exec rejects $bad"
	like "$(jf '",".join(sorted(j["error"].keys()))')" '^code,message$' \
	    "/v1/exec $bad: error.code and error.message"
done
post "$A" /v1/exec '{"argv": ["ls"], "bogus": 1}'
is "$(jf 'j["error"]["code"] + " " + j["error"]["message"]')" \
    "bad_parameter bogus: unknown parameter" "/v1/exec: bad_parameter names the key"
post "$A" /v1/exec '{"argv": ['
is "$(jf 'j["error"]["code"]')" bad_json "/v1/exec malformed JSON: bad_json"
post "$A" /v1/exec '[1]'
is "$(jf 'j["error"]["code"]')" bad_json "/v1/exec non-object body: bad_json"
post "$A" /v1/exec '{"argv": ["no-such-command-deskd"]}'
check_json 400 "$V1_ERR" "/v1/exec command not found"
is "$(jf 'j["error"]["code"]')" exec_failed "/v1/exec not found: exec_failed"
post "$A" /v1/exec '{"argv": ["pwd"], "cwd": "/no/such/dir"}'
check_json 400 "$V1_ERR" "/v1/exec missing cwd"

# Hang-up on /v1/exec kills the child too.
rm -f "$T_TMP/sleep.pid"
curl -s -o /dev/null --max-time 60 "$A/v1/exec" \
    -H 'Content-Type: application/json' \
    --data-binary "{\"command\": \"echo \$\$ > $T_TMP/sleep.pid; exec sleep 30\"}" &
V1_CURL=$!
T_PIDS+=("$V1_CURL")
for _ in $(seq 100); do
	[ -s "$T_TMP/sleep.pid" ] && break
	sleep 0.05
done
sp=$(cat "$T_TMP/sleep.pid" 2>/dev/null)
kill "$V1_CURL" 2>/dev/null
wait "$V1_CURL" 2>/dev/null
for _ in $(seq 50); do
	[ -n "$sp" ] && kill -0 "$sp" 2>/dev/null || break
	sleep 0.1
done
if [ -n "$sp" ] && ! kill -0 "$sp" 2>/dev/null; then
	pass "hanging up mid-/v1/exec kills the child"
else
	fail "hanging up mid-/v1/exec kills the child"
	[ -n "$sp" ] && kill -KILL "$sp" 2>/dev/null
fi

# --- clean exit -----------------------------------------------------------

CODE=$(http GET "$A/health")
is "$CODE" 200 "deskd A still healthy"
DESKD_PID=$A_PID
stop_deskd
ok $? "deskd A exits cleanly"
DESKD_PID=$B_PID
stop_deskd
ok $? "deskd B exits cleanly"
sanitizer_clean "$A_LOG"
ok $? "no sanitizer report (A)"
sanitizer_clean "$B_LOG"
ok $? "no sanitizer report (B)"
