#!/usr/bin/env bash
# watch.t: GET /v1/files/watch against the real deskd: a watch sees what a
# command run through /v1/exec does in the directory (created, modified,
# moved, deleted, in a new subdirectory when recursive), as NDJSON and as
# server-sent events; the watched directory going away ends the stream; a
# client that vanishes leaves no inotify instance behind; bad paths and the
# limit.
source "$(dirname "$0")/../lib.sh"

start_xvfb 1024x768 || exit 1
start_deskd --no-auth --workdir "$T_TMP" || exit 1

inotify_fds() {	# inotify instances deskd holds now
	local n=0 f
	for f in /proc/"$DESKD_PID"/fd/*; do
		[ "$(readlink "$f")" = "anon_inode:inotify" ] && n=$((n + 1))
	done
	echo "$n"
}
exec_cmd() {	# exec_cmd SHELL-COMMAND: through deskd, checked
	local body
	body=$(python3 -c 'import json,sys; print(json.dumps({"command": sys.argv[1]}))' "$1")
	[ "$(http POST "$URL/v1/exec" -H 'Content-Type: application/json' --data-binary "$body")" = 200 ]
}
# watch_until FILE PATTERN: until the stream so far matches
watch_until() {
	for _ in $(seq 100); do grep -q "$2" "$1" && return 0; sleep 0.05; done
	return 1
}

base=$(inotify_fds)
mkdir -p "$T_TMP/w"
curl -sN "$URL/v1/files/watch?path=w&recursive=1" >"$T_TMP/ev" &
W=$!
watch_until "$T_TMP/ev" '"type":"ready"'
ok $? "watch: ready once the directory is watched (a relative path is from the workdir)"
is "$(inotify_fds)" $((base + 1)) "watch: one inotify instance"

exec_cmd "cd $T_TMP/w && echo one > a.txt && mkdir sub && echo two > sub/b.txt && mv a.txt c.txt && rm c.txt"
watch_until "$T_TMP/ev" '"deleted","path":"[^"]*/w/c.txt"'
ok $? "watch: sees the end of what /v1/exec did"
kill "$W"; wait "$W" 2>/dev/null
events=$(python3 - "$T_TMP/ev" "$T_TMP/w" <<'PY'
import json, sys
base = sys.argv[2]
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e["type"] == "ready":
        continue
    p = e["path"].replace(base, "W")
    f = (" from " + e["from"].replace(base, "W")) if "from" in e else ""
    print("%s %s%s%s" % (e["type"], p, f, "/" if e["dir"] else ""))
PY
)
like "$events" "created W/a.txt" "watch: created"
like "$events" "modified W/a.txt" "watch: modified"
like "$events" "created W/sub/" "watch: a new directory is created, and marked as one"
like "$events" "created W/sub/b.txt" "watch: recursive: a file in the new directory"
like "$events" "moved W/c.txt from W/a.txt" "watch: moved, with both names"
like "$events" "deleted W/c.txt" "watch: deleted"

# --- the client leaves: the watch goes -----------------------------------------

gone=1
for _ in $(seq 50); do [ "$(inotify_fds)" = "$base" ] && { gone=0; break; }; sleep 0.1; done
ok $gone "watch: a client that left leaves no inotify instance"

python3 - "$PORT" "$T_TMP/w" <<'PY' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(("GET /v1/files/watch?path=%s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" % sys.argv[2]).encode())
s.recv(4096)
time.sleep(30)
PY
VANISH=$!
for _ in $(seq 50); do [ "$(inotify_fds)" = $((base + 1)) ] && break; sleep 0.1; done
is "$(inotify_fds)" $((base + 1)) "vanish: the watch is open"
kill -KILL "$VANISH"; wait "$VANISH" 2>/dev/null
gone=1
for _ in $(seq 50); do [ "$(inotify_fds)" = "$base" ] && { gone=0; break; }; sleep 0.1; done
ok $gone "vanish: a client killed mid-stream leaves no inotify instance"

# --- server-sent events; the directory goes away ---------------------------------------

mkdir -p "$T_TMP/s"
curl -sN -H 'Accept: text/event-stream' "$URL/v1/files/watch?path=$T_TMP/s" \
    -D "$T_TMP/sse.h" >"$T_TMP/sse" &
S=$!
watch_until "$T_TMP/sse" '^event: ready'
exec_cmd "touch $T_TMP/s/x; rm -r $T_TMP/s"
wait "$S"
ok $? "sse: the stream ends when the watched directory goes"
like "$(grep -i '^content-type' "$T_TMP/sse.h")" "text/event-stream" "sse: text/event-stream"
like "$(tr '\n' '|' <"$T_TMP/sse")" 'event: created\|data: \{"type":"created","path":"[^"]*/s/x"' "sse: an event: line then its data: line"
like "$(tr '\n' '|' <"$T_TMP/sse")" 'event: gone' "sse: gone when the directory is deleted"

# --- bad input and the limit ---------------------------------------------------------------

code=$(http GET "$URL/v1/files/watch?path=$T_TMP/nope")
is "$code" 404 "a missing directory: 404"
touch "$T_TMP/file"
code=$(http GET "$URL/v1/files/watch?path=$T_TMP/file")
is "$code" 400 "a file, not a directory: 400"
code=$(http GET "$URL/v1/files/watch")
is "$code" 400 "no path: 400"
code=$(http GET "$URL/v1/files/watch?path=w&recursive=maybe")
is "$code" 400 "a bad recursive: 400"
pids=()
for i in $(seq 16); do
	curl -sN "$URL/v1/files/watch?path=w" >/dev/null &
	pids+=($!)
done
for _ in $(seq 50); do [ "$(inotify_fds)" = $((base + 16)) ] && break; sleep 0.1; done
code=$(http GET "$URL/v1/files/watch?path=w")
is "$code" 429 "the 17th watch: 429"
like "$(body)" "DESKD_MAX_WATCHES" "the 429 names the limit"
kill "${pids[@]}"; wait "${pids[@]}" 2>/dev/null
gone=1
for _ in $(seq 50); do [ "$(inotify_fds)" = "$base" ] && { gone=0; break; }; sleep 0.1; done
ok $gone "16 clients gone: no inotify instance left"

kill -0 "$DESKD_PID"
ok $? "deskd is still running"
