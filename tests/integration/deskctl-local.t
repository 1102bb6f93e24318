#!/usr/bin/env bash
# deskctl's local provider end to end: launch deskd --xvfb guests on free
# loopback ports with their own 0600 token files, ls, the client verbs
# (screenshot, do, exec, cp), a token per guest, progress on a terminal,
# terminate, SIGINT cleanup, a deskd that dies at start or later.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/tools/deskctl-moto.sh"

deskctl_env
unset AWS_DEFAULT_REGION	# no EC2 in this test: ls lists local guests
export DESKD

# gone PID: no such process, or a zombie its (re)parent has yet to reap.
gone() {
	[ ! -e "/proc/$1" ] || [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]
}

"$DESKCTL" launch --provider local --count 2 --ttl 1h --json \
    >"$T_TMP/launch" 2>"$T_TMP/launch.err"
rc=$?
is "$rc" 0 "launch --provider local --count 2 exits 0"
[ "$rc" = 0 ] || sed "s/^/# /" "$T_TMP/launch" "$T_TMP/launch.err"
is "$(grep -c '"state":"ready"' "$T_TMP/launch")" 2 "both ready"
like "$(head -n1 "$T_TMP/launch")" \
    '"id":"local-[0-9a-f]{8}".*"url":"http://127.0.0.1:[0-9]+".*"token":"[0-9a-f]{64}"' \
    "id, loopback URL and a 64-hex token"
field() {	# field N KEY: a field of launch line N
	sed -n "${1}p" "$T_TMP/launch" | python3 -c 'import sys,json; print(json.load(sys.stdin)[sys.argv[1]])' "$2"
}
ID1=$(field 1 id)
ID2=$(field 2 id)
U1=$(field 1 url)
TOK1=$(field 1 token)
[ "$(field 1 url)" != "$(field 2 url)" ]
ok $? "each guest has its own port"
[ "$TOK1" != "$(field 2 token)" ]
ok $? "each guest has its own token"

SD=$XDG_STATE_HOME/deskctl
PID1=$(python3 -c 'import json,sys; print([r["pid"] for r in json.load(open(sys.argv[1]))["instances"] if r["id"]==sys.argv[2]][0])' "$SD/state.json" "$ID1")
PID2=$(python3 -c 'import json,sys; print([r["pid"] for r in json.load(open(sys.argv[1]))["instances"] if r["id"]==sys.argv[2]][0])' "$SD/state.json" "$ID2")
is "$(stat -c %a "$SD/$ID1.token")" 600 "token file is 0600"
is "$(stat -c %a "$SD/state.json")" 600 "state file is 0600"
tr '\0' ' ' <"/proc/$PID1/cmdline" >"$T_TMP/cmdline"
like "$(cat "$T_TMP/cmdline")" '--xvfb .*--token-file' "deskd runs with --xvfb and --token-file"
grep -q "$TOK1" "$T_TMP/cmdline"
ok $((!$?)) "the token is not in deskd's arguments"

is "$(http GET "$U1/v1/screenshot")" 401 "the guest wants its token"
is "$(http GET "$U1/v1/screenshot" -H "Authorization: Bearer $TOK1")" 200 \
    "... and takes it"

"$DESKCTL" ls --json >"$T_TMP/ls" 2>&1
is "$?" 0 "ls exits 0"
like "$(tr '\n' ' ' <"$T_TMP/ls")" "\"id\":\"$ID1\",\"provider\":\"local\",\"state\":\"running\".*\"expires_at\":\"20" \
    "ls lists the guest as running with its expiry"
is "$(grep -c '"provider":"local"' "$T_TMP/ls")" 2 "ls lists both"

# screenshot
"$DESKCTL" screenshot "$ID1" -o "$T_TMP/shot.png"
is "$?" 0 "screenshot ID -o FILE exits 0"
is "$("$PNGCHECK" "$T_TMP/shot.png")" "1920 1080" "a full-screen PNG"
"$DESKCTL" screenshot "$ID1" --width 640 -o "$T_TMP/small.png"
is "$("$PNGCHECK" "$T_TMP/small.png")" "640 360" "--width 640 keeps the aspect"
"$DESKCTL" screenshot "$ID1" --scale 7 -o "$T_TMP/bad.png" 2>"$T_TMP/err"
rc=$?
like "$rc/$(cat "$T_TMP/err")" '^1/.*400 bad_parameter' \
    "a bad --scale: exit 1 with the agent's error"
[ ! -e "$T_TMP/bad.png" ]
ok $? "... and no file written"
echo "$TOK1" >"$T_TMP/tok"
"$DESKCTL" screenshot "$U1" --token-file "$T_TMP/tok" -o "$T_TMP/url.png"
is "$?/$("$PNGCHECK" "$T_TMP/url.png")" "0/1920 1080" "screenshot by URL with --token-file"
"$DESKCTL" screenshot "$U1" -o "$T_TMP/nt.png" 2>"$T_TMP/err"
like "$?/$(cat "$T_TMP/err")" '^1/.*401' "by URL without a token: exit 1, the 401 shown"
"$DESKCTL" screenshot local-nothere -o "$T_TMP/x.png" 2>"$T_TMP/err"
like "$?/$(cat "$T_TMP/err")" '^1/.*no such instance' "unknown id: clear error"
"$DESKCTL" screenshot "$ID1" - 2>/dev/null
is "$?" 2 "screenshot without -o: usage error (exit 2)"

# do
"$DESKCTL" do "$ID1" '{"action": "mouse_move", "coordinate": [10' 2>"$T_TMP/err"
like "$?/$(cat "$T_TMP/err")" '^1/.*bad action JSON' "do with broken JSON: caught before sending"
code=$(http POST "$U1/v1/computer" -H "Authorization: Bearer $TOK1" \
    -H 'Content-Type: application/json' --data '{"action":"mouse_move","coordinate":[10,10]}')
is "$code" 200 "the agent serves POST /v1/computer"
"$DESKCTL" do "$ID1" '{"action":"mouse_move","coordinate":[321,123]}' \
    >"$T_TMP/do" 2>&1
is "$?" 0 "do mouse_move exits 0"
"$DESKCTL" do "$ID1" '{"action":"cursor_position"}' >"$T_TMP/do" 2>&1
like "$(cat "$T_TMP/do")" '321.*123' "do cursor_position answers where it went"
echo '[{"action":"mouse_move","coordinate":[7,8]},{"action":"screenshot"}]' |
    "$DESKCTL" do "$ID1" - -o "$T_TMP/do.png" >"$T_TMP/do" 2>&1
is "$?/$("$PNGCHECK" "$T_TMP/do.png")" "0/1920 1080" \
    "do - (a batch from stdin) -o FILE saves the answer's screenshot"
like "$(cat "$T_TMP/do")" "\"base64_image\":\"$T_TMP/do.png\"" \
    "... and prints the rest of the answer, naming the file"
"$DESKCTL" do "$ID1" '{"action":"no_such_action"}' >/dev/null 2>"$T_TMP/err"
like "$?/$(cat "$T_TMP/err")" '^1/.*bad action:.*no_such_action' \
    "do with an unknown action: exit 1, refused before sending"
"$DESKCTL" do "$ID1" '{"action":"left_click","coordinate":[5000,5]}' >/dev/null 2>"$T_TMP/err"
like "$?/$(cat "$T_TMP/err")" '^1/.*agent answered 400' \
    "do with an off-screen coordinate: exit 1 with the agent's 400"

# exec
code=$(http POST "$U1/v1/exec" -H "Authorization: Bearer $TOK1" \
    -H 'Content-Type: application/json' --data '{"argv":["true"]}')
is "$code" 200 "the agent serves POST /v1/exec"
out=$("$DESKCTL" exec "$ID1" -- sh -c 'echo out; echo err >&2; exit 3' 2>"$T_TMP/err")
rc=$?
is "$rc/$out/$(cat "$T_TMP/err")" "3/out/err" \
    "exec: stdout, stderr and the exit code come back"
out=$("$DESKCTL" exec --shell "$ID1" 'echo $((40+2)) "$FOO"' --env FOO=bar)
is "$out" "42 bar" "exec --shell with --env"
out=$(echo piped | "$DESKCTL" exec "$ID1" --stdin - -- cat)
is "$out" "piped" "exec --stdin -"
out=$("$DESKCTL" exec "$ID1" --cwd / -- pwd)
is "$out" "/" "exec --cwd"
"$DESKCTL" exec --timeout 1 "$ID1" -- sleep 30 2>"$T_TMP/err"
like "$?/$(cat "$T_TMP/err")" '^124/.*timed out' "exec --timeout: exit 124"
"$DESKCTL" exec "$ID1" -- sh -c 'kill -9 $$'
is "$?" 137 "exec killed by a signal: exit 128+9"
"$DESKCTL" exec "$ID1" -- /no/such/program 2>"$T_TMP/err"
like "$?/$(cat "$T_TMP/err")" '^1/.*agent answered 4[0-9][0-9]' \
    "exec of a missing program: exit 1 with the agent's error"

# cp
head -c 200000 /dev/urandom >"$T_TMP/blob"
code=$(http GET "$U1/v1/files?path=/etc/hostname" -H "Authorization: Bearer $TOK1")
is "$code" 200 "the agent serves GET /v1/files"
"$DESKCTL" cp "$T_TMP/blob" "$ID1:$T_TMP/remote-blob"
is "$?" 0 "cp LOCAL ID:/PATH exits 0"
"$DESKCTL" cp "$ID1:$T_TMP/remote-blob" "$T_TMP/back"
is "$?" 0 "cp ID:/PATH LOCAL exits 0"
cmp -s "$T_TMP/blob" "$T_TMP/back"
ok $? "200 kB of random bytes round-trip unchanged"
"$DESKCTL" cp "$ID1:$T_TMP/does-not-exist" "$T_TMP/nothing" 2>"$T_TMP/err"
like "$?/$(cat "$T_TMP/err")" '^1/.*agent answered 404' \
    "cp of a missing file: exit 1 with the agent's error"
[ ! -e "$T_TMP/nothing" ]
ok $? "... and no local file left behind"
"$DESKCTL" cp "$T_TMP/blob" "$T_TMP/other" 2>/dev/null
is "$?" 2 "cp with no remote side: usage error"

# terminate one by id
"$DESKCTL" terminate "$ID1" >"$T_TMP/term" 2>&1
is "$?/$(cat "$T_TMP/term")" "0/terminated $ID1" "terminate ID"
gone "$PID1"
ok $? "its deskd is gone"
[ ! -e "$SD/$ID1.token" ]
ok $? "its token file is removed"
"$DESKCTL" screenshot "$ID1" -o "$T_TMP/gone.png" 2>/dev/null
is "$?" 1 "the id is no longer known"

# SIGINT during the wait stops what the run started.
cat >"$T_TMP/slow-deskd" <<'SH'
#!/bin/sh
# Never answers /health: the launch stays in its wait.
exec python3 -c 'import time; time.sleep(600)' "$@"
SH
chmod +x "$T_TMP/slow-deskd"
"$DESKCTL" launch --provider local --deskd "$T_TMP/slow-deskd" \
    >"$T_TMP/int.out" 2>"$T_TMP/int.err" &
lp=$!
for _ in $(seq 100); do
	[ "$(grep -c '"provider": "local"' "$SD/state.json" 2>/dev/null)" -ge 2 ] && break
	sleep 0.1
done
spid=$(python3 -c 'import json,sys; print([r["pid"] for r in json.load(open(sys.argv[1]))["instances"] if r["deskd"].endswith("slow-deskd")][0])' "$SD/state.json")
sleep 0.5
kill -INT "$lp"
wait "$lp"
is "$?" 130 "SIGINT during a local wait: exit 130"
like "$(cat "$T_TMP/int.err")" 'interrupted: terminated 1 instance' "... says what it stopped"
gone "$spid"
ok $? "... and the process is gone"

# SIGTERM with --keep leaves the guest running and recorded.
"$DESKCTL" launch --provider local --deskd "$T_TMP/slow-deskd" --keep \
    >"$T_TMP/keep.out" 2>"$T_TMP/keep.err" &
lp=$!
for _ in $(seq 100); do
	[ "$(grep -c 'slow-deskd' "$SD/state.json" 2>/dev/null)" -ge 1 ] && break
	sleep 0.1
done
kpid=$(python3 -c 'import json,sys; print([r["pid"] for r in json.load(open(sys.argv[1]))["instances"] if r["deskd"].endswith("slow-deskd")][0])' "$SD/state.json")
kid=$(python3 -c 'import json,sys; print([r["id"] for r in json.load(open(sys.argv[1]))["instances"] if r["deskd"].endswith("slow-deskd")][0])' "$SD/state.json")
sleep 0.5
kill -TERM "$lp"
wait "$lp"
is "$?" 130 "SIGTERM with --keep: exit 130"
like "$(cat "$T_TMP/keep.err")" 'keep' "... says it kept the guest"
gone "$kpid"
ok $((!$?)) "... and the process still runs"
"$DESKCTL" terminate "$kid" >/dev/null 2>&1
is "$?" 0 "terminate the kept guest later (a process deskctl did not start in this run)"
gone "$kpid"
ok $? "... and it is gone"

# --no-wait, then deskctl wait.
"$DESKCTL" launch --provider local --no-wait --json >"$T_TMP/nw" 2>&1
is "$?" 0 "launch --no-wait"
nid=$(python3 -c 'import sys,json; print(json.loads(open(sys.argv[1]).readline())["id"])' "$T_TMP/nw")
like "$(cat "$T_TMP/nw")" '"state":"pending"' "... reports it pending"
"$DESKCTL" wait "$nid" --json >"$T_TMP/w" 2>&1
like "$?/$(cat "$T_TMP/w")" '^0/.*"state":"ready".*"token":"[0-9a-f]{64}"' \
    "deskctl wait ID: ready, with the token"
"$DESKCTL" terminate "$nid" >/dev/null 2>&1

# A deskd that exits at once is reported, not waited on for 15 minutes.
"$DESKCTL" launch --provider local --deskd /bin/false --json \
    >"$T_TMP/false" 2>&1
rc=$?
like "$rc/$(cat "$T_TMP/false")" '^4/.*deskd exited' "a dying deskd: exit 4, 'deskd exited'"

# A token per guest: each opens its own guest and no other.
"$DESKCTL" launch --provider local --count 3 --json >"$T_TMP/three" 2>&1
is "$(grep -c '"state":"ready"' "$T_TMP/three")" 3 "launch --count 3: three ready"
python3 - "$T_TMP/three" >"$T_TMP/three.m" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
for r in rows:
    for s in rows:
        print(r["url"], s["token"], "own" if r is s else "other")
PY
res=""
while read -r u t kind; do
	res="$res $kind=$(http GET "$u/v1/screenshot?width=64" -H "Authorization: Bearer $t")"
done <"$T_TMP/three.m"
is "$(echo $res | tr ' ' '\n' | sort | uniq -c | tr -s ' ' | tr '\n' ';')" \
    " 6 other=401; 3 own=200;" "each token opens its own guest only (3 x 200, 6 x 401)"

# do -o with an answer that has no screenshot: FILE is not written.
T3=$(python3 -c 'import sys,json; print(json.loads(open(sys.argv[1]).readline())["id"])' "$T_TMP/three")
"$DESKCTL" do "$T3" '{"action":"mouse_move","coordinate":[5,5]}' -o "$T_TMP/nopng.png" \
    >"$T_TMP/nopng" 2>"$T_TMP/nopng.err"
like "$?/$(cat "$T_TMP/nopng.err")" '^1/.*no screenshot, so .*nopng.png was not written' \
    "do -o for an action without a screenshot: exit 1, says so"
[ ! -e "$T_TMP/nopng.png" ]
ok $? "... and writes no JSON into the .png"
echo not-the-token >"$T_TMP/badtok"
"$DESKCTL" do "$T3" '{"action":"cursor_position"}' --token-file "$T_TMP/badtok" \
    >/dev/null 2>"$T_TMP/err"
like "$?/$(cat "$T_TMP/err")" '^1/.*401' "do ID --token-file uses that file (a wrong token: 401)"
"$DESKCTL" cp "$T3:/etc/hostname" "$T_TMP/no/such/dir/x" 2>"$T_TMP/err"
like "$?/$(cat "$T_TMP/err")" "^1/.*$T_TMP/no/such/dir/x: No such file" "cp names the file asked for"
grep -q 'deskctl\.[A-Za-z0-9]\{6\}' "$T_TMP/err"
ok $((!$?)) "... not an internal temp file"

# A guest that died by itself: says so, and its log is kept.
dpid=$(python3 -c 'import json,sys; print([r["pid"] for r in json.load(open(sys.argv[1]))["instances"] if r["id"]==sys.argv[2]][0])' "$SD/state.json" "$T3")
kill -9 "$dpid"
for _ in $(seq 50); do gone "$dpid" && break; sleep 0.1; done
"$DESKCTL" screenshot "$T3" -o "$T_TMP/dead.png" 2>"$T_TMP/err"
like "$?/$(cat "$T_TMP/err")" "^1/deskctl: $T3: deskd exited \(see .*$T3.log\)" \
    "screenshot of a dead local guest: 'deskd exited', not a curl error"
"$DESKCTL" terminate "$T3" >"$T_TMP/dterm" 2>"$T_TMP/dterm.err"
like "$?/$(cat "$T_TMP/dterm.err")" "^0/.*had exited by itself; its log is kept" "terminate keeps a dead guest's log"
[ -f "$SD/$T3.log" ]
ok $? "... the log is still there"
rm -f "$SD/$T3.log"

# --all-mine with EC2 unreachable still stops the local guests (D7).
python3 - "$SD/state.json" <<'PY'
import json, sys
p = sys.argv[1]
d = json.load(open(p))
d["instances"].append({"id": "i-0aaaaaaaaaaaaaaaa", "provider": "ec2", "region": "us-east-1",
    "endpoint": "http://127.0.0.1:1", "state": "running"})
json.dump(d, open(p, "w"))
PY
"$DESKCTL" launch --provider local --count 2 --tag d7=1 --json >"$T_TMP/d7l" 2>&1
lp1=$(python3 -c 'import json,sys; print(" ".join(str(r["pid"]) for r in json.load(open(sys.argv[1]))["instances"] if r.get("tags", {}).get("d7")))' "$SD/state.json")
AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x AWS_MAX_ATTEMPTS=1 "$DESKCTL" terminate --all-mine --tag d7=1 \
    >"$T_TMP/d7" 2>"$T_TMP/d7.err"
rc=$?
alive=0
for p in $lp1; do gone "$p" || alive=$((alive + 1)); done
is "$rc/$alive/$(echo $lp1 | wc -w)" "1/0/2" "EC2 unreachable: exit 1, but the local guests are stopped"
like "$(cat "$T_TMP/d7.err")" 'DescribeInstances.*127.0.0.1:1' "... and the EC2 error is said"
python3 - "$SD/state.json" <<'PY'
import json, sys
p = sys.argv[1]
d = json.load(open(p))
d["instances"] = [r for r in d["instances"] if r["id"] != "i-0aaaaaaaaaaaaaaaa"]
json.dump(d, open(p, "w"))
PY

# --json lines come the moment each guest is ready, not at the end: the
# second guest's deskd never answers, the first one's line is there while
# launch still waits.
cat >"$T_TMP/half-deskd" <<SH
#!/bin/sh
# The first start is a real deskd, the next ones never answer /health.
if mkdir "$T_TMP/half.once" 2>/dev/null; then exec "$DESKD" "\$@"; fi
exec python3 -c 'import time; time.sleep(600)' "\$@"
SH
chmod +x "$T_TMP/half-deskd"
"$DESKCTL" launch --provider local --count 2 --deskd "$T_TMP/half-deskd" --json \
    --tag half=1 >"$T_TMP/half" 2>"$T_TMP/half.err" &
lp=$!
for _ in $(seq 100); do
	grep -q '"state":"ready"' "$T_TMP/half" 2>/dev/null && break
	sleep 0.1
done
kill -0 "$lp" 2>/dev/null
ok $? "a ready guest's --json line is out while launch still waits for the other"
is "$(grep -c '"state":"ready"' "$T_TMP/half")" 1 "... exactly that one line"
kill -INT "$lp"
wait "$lp"
is "$?" 130 "... and ^C then cleans up both"

# Progress lines on a terminal (script gives a pseudo-terminal).
script -qfec "$DESKCTL launch --provider local --count 2 --tag pty=1" /dev/null >"$T_TMP/pty" 2>&1
tr -d '\r' <"$T_TMP/pty" >"$T_TMP/pty.txt"
like "$(cat "$T_TMP/pty.txt")" 'deskctl: local-[0-9a-f]+: pending \([0-9.]+ s\).*deskctl: local-[0-9a-f]+: running.*deskctl: local-[0-9a-f]+: ready \([0-9.]+ s\)' \
    "local launch on a terminal: pending, running, ready with seconds"
"$DESKCTL" terminate --all-mine --tag pty=1 >/dev/null 2>&1

# --tag filters the sweeps: --all-mine --tag team=a leaves team=b alone.
"$DESKCTL" launch --provider local --tag team=a --json >"$T_TMP/ta" 2>&1
"$DESKCTL" launch --provider local --tag team=b --json >"$T_TMP/tb" 2>&1
ta=$(python3 -c 'import sys,json; print(json.loads(open(sys.argv[1]).readline())["id"])' "$T_TMP/ta")
tb=$(python3 -c 'import sys,json; print(json.loads(open(sys.argv[1]).readline())["id"])' "$T_TMP/tb")
"$DESKCTL" ls --tag team=b >"$T_TMP/lsb" 2>&1
like "$(cat "$T_TMP/lsb")" "$tb .*team=b" "ls --tag team=b lists the team=b guest"
grep -q "$ta" "$T_TMP/lsb"
ok $((!$?)) "... and not the team=a one"
"$DESKCTL" terminate --all-mine --tag team=a >"$T_TMP/tterm" 2>"$T_TMP/tterm.err"
is "$?/$(cat "$T_TMP/tterm")" "0/terminated $ta" \
    "terminate --all-mine --tag team=a terminates team=a only"
"$DESKCTL" ls --json >"$T_TMP/lsall" 2>&1
like "$(cat "$T_TMP/lsall")" "\"id\":\"$tb\",\"provider\":\"local\",\"state\":\"running\"" \
    "... team=b still runs"

# Everything else goes with --all-mine.
"$DESKCTL" terminate --all-mine >"$T_TMP/all" 2>&1
is "$?" 0 "terminate --all-mine exits 0"
like "$(cat "$T_TMP/all")" "terminated $ID2" "... stopping the other guest"
gone "$PID2"
ok $? "its deskd is gone"
is "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["instances"]))' "$SD/state.json")" \
    0 "state file is empty"
"$DESKCTL" terminate 2>/dev/null
is "$?" 2 "terminate with nothing to do: usage error"
