#!/usr/bin/env bash
# Files deskd names itself live in a private directory (no fixed names in
# a shared one a planted symlink or directory could redirect or break);
# bad names are the client's 4xx; a server condition is a 503; an answered
# write has been fsynced before its rename.
source "$(dirname "$0")/../lib.sh"

start_xvfb 640x480 || exit 1
SHARED=$T_TMP/tmp
mkdir -p "$SHARED"
# What another user of the shared directory could plant, before deskd starts.
printf 'victim\n' >"$T_TMP/victim"
ln -s "$T_TMP/victim" "$SHARED/recording.mp4"
mkdir "$SHARED/deskd-upload"
printf '#!/bin/sh\n' >"$T_TMP/suid"
chmod 4755 "$T_TMP/suid"
TMPDIR=$SHARED start_deskd || exit 1
J=(-H 'Content-Type: application/json')

priv=$(find "$SHARED" -maxdepth 1 -name 'deskd.*' -type d)
is "$(stat -c %a "$priv" 2>/dev/null)" 700 "deskd's own directory under TMPDIR is 0700"

# --- the recording -------------------------------------------------------
# Keep re-planting the symlink while recording runs, as an attacker would.
( while :; do ln -sfn "$T_TMP/victim" "$SHARED/recording.mp4" 2>/dev/null; done ) &
planter=$!
T_PIDS+=("$planter")
is "$(http POST "$URL/start_recording")" 200 "recording starts"
like "$(http GET "$URL/v1/recording")" 200 "  its state answers"
like "$(json_get "$T_TMP/body" 'j["path"]')" "^$priv/" "  in deskd's own directory"
sleep 1
is "$(http POST "$URL/end_recording")" 200 "and ends with the mp4"
kill "$planter"
is "$(cat "$T_TMP/victim")" victim "a symlink planted in TMPDIR is never written through"

# --- uploads: no spool in TMPDIR ------------------------------------------
# file_data before file_path is refused (osworld-files.t), never spooled
# under a fixed name; what is planted there is not used.
upload() {	# upload FIRST TARGET: multipart with file_path or file_data first
	if [ "$1" = path ]; then
		printf -- '--zz\r\nContent-Disposition: form-data; name="file_path"\r\n\r\n%s\r\n--zz\r\nContent-Disposition: form-data; name="file_data"; filename="a"\r\n\r\nuploaded bytes\r\n--zz--\r\n' "$2" >"$T_TMP/mp"
	else
		printf -- '--zz\r\nContent-Disposition: form-data; name="file_data"; filename="a"\r\n\r\nuploaded bytes\r\n--zz\r\nContent-Disposition: form-data; name="file_path"\r\n\r\n%s\r\n--zz--\r\n' "$2" >"$T_TMP/mp"
	fi
	http POST "$URL/setup/upload" -H 'Content-Type: multipart/form-data; boundary=zz' \
	    --data-binary @"$T_TMP/mp"
}
is "$(upload path "$T_TMP/up1")" 200 "a directory planted at TMPDIR/deskd-upload breaks nothing"
is "$(cat "$T_TMP/up1")" "uploaded bytes" "  the upload lands"
rmdir "$SHARED/deskd-upload"
ln -s "$T_TMP/suid" "$SHARED/deskd-upload"
is "$(upload data "$T_TMP/up2")" 400 "file_data first, a symlink planted to a setuid file: 400"
ok "$([ ! -e "$T_TMP/up2" ]; echo $?)" "  nothing written"
is "$(head -c 9 "$T_TMP/suid")" '#!/bin/sh' "  and the file it points to left alone"
cp "$T_TMP/suid" "$T_TMP/suid3"
chmod 4755 "$T_TMP/suid3"
is "$(upload path "$T_TMP/suid3")" 200 "an upload over a setuid file: 200"
is "$(stat -c %a "$T_TMP/suid3")" 755 "  keeps 0755, drops the setuid bit"
# Replacing a setuid file keeps its permissions, not its setuid bit.
cp "$T_TMP/suid" "$T_TMP/suid2"
chmod 4755 "$T_TMP/suid2"
is "$(http PUT "$URL/v1/files?path=$T_TMP/suid2" --data-binary x)" 200 \
    "PUT over a setuid file: 200"
is "$(stat -c %a "$T_TMP/suid2")" 755 "  keeps 0755, drops the setuid bit"

# --- names ---------------------------------------------------------------
is "$(http PUT "$URL/v1/files?path=$T_TMP/n%ff%fe" --data-binary x)" 400 \
    "a path that is not UTF-8: 400"
is "$(json_get "$T_TMP/body" 'j["error"]["code"]')" bad_parameter "  bad_parameter"
is "$(ls "$T_TMP" | grep -c '^n')" 0 "  and nothing is written"
legal=$(python3 -c 'print("b" * 250)')
is "$(http PUT "$URL/v1/files?path=$T_TMP/$legal" --data-binary x)" 200 \
    "a legal 250-byte name is written (its temporary's name fits)"
long=$(python3 -c 'print("a" * 256)')
is "$(http PUT "$URL/v1/files?path=$T_TMP/$long" --data-binary x)" 400 \
    "a 256-byte name: 400, the client's"
stop_deskd
is $? 0 "deskd exits 0"
is "$(find "$SHARED" -maxdepth 1 -name 'deskd.*' | wc -l)" 0 \
    "and removes its own directory"
sanitizer_clean "$DESKD_LOG"
ok $? "no sanitizer report"

# --- fsync before rename -------------------------------------------------
if command -v strace >/dev/null; then
	PORT=$(free_port)
	URL="http://127.0.0.1:$PORT"
	strace -f -e trace=fsync,rename -o "$T_TMP/strace" \
	    "$BUILD/agent/deskd" --listen "127.0.0.1:$PORT" --cdp-listen off \
	    >"$T_TMP/strace.deskd.log" 2>&1 &
	T_PIDS+=("$!")
	wait_http "$URL/health"
	# strace leaves its tracee running when it is killed: kill deskd too.
	T_PIDS+=($(pgrep -P "$!"))
	is "$(http PUT "$URL/v1/files?path=$T_TMP/durable" --data-binary durable)" 200 \
	    "PUT under strace: 200"
	seq=$(grep -E 'fsync\(|rename\(' "$T_TMP/strace" | grep -v resumed |
	    sed -E 's/^[0-9]+ +//; s/\(.*//' | tr '\n' ' ')
	like "$seq" '^fsync rename fsync $' \
	    "the data is fsynced before the rename, the directory after"
else
	skip "fsync order: no strace (packaging/deps.sh --test installs it)"
fi

# --- the descriptor limit is a 503 --------------------------------------
PORT=$(free_port)
URL="http://127.0.0.1:$PORT"
DESKD_LOG=$T_TMP/deskd.nofile.log
prlimit --nofile=48:48 "$DESKD" --listen "127.0.0.1:$PORT" --cdp-listen off \
    >"$DESKD_LOG" 2>&1 &
DESKD_PID=$!
T_PIDS+=("$DESKD_PID")
wait_http "$URL/health"
out=$(python3 - "$PORT" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
first = socket.create_connection(("127.0.0.1", port))
hold = []
for _ in range(100):		# until deskd is out of descriptors
    try:
        hold.append(socket.create_connection(("127.0.0.1", port), timeout=1))
    except OSError:
        break
time.sleep(0.5)
body = b'{"argv":["true"]}'
first.sendall(b"POST /v1/exec HTTP/1.1\r\nHost: 127.0.0.1\r\n"
              b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"
              % len(body) + body)
first.settimeout(10)
print(first.recv(200).split(b"\r\n")[0].decode())
PY
)
is "$out" "HTTP/1.1 503 Service Unavailable" "/v1/exec at the descriptor limit: 503, not 400"
kill -0 "$DESKD_PID"
ok $? "deskd survives running out of descriptors"
stop_deskd
