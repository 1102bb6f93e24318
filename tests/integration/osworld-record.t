#!/usr/bin/env bash
# Recording: /start_recording and /end_recording with the real ffmpeg
# (x11grab), a playable mp4 checked with ffprobe, one recording at a time,
# each in a private directory (0700, the file 0600) that is gone once the
# mp4 is served; two deskd recording at once on one machine (same
# $TMPDIR) each get their own video; and with a stand-in ffmpeg: one that
# dies at once, one that floods stderr (drained, so it is not blocked),
# one that ignores SIGINT (killed after 15 s).
source "$(dirname "$0")/../lib.sh"

command -v ffmpeg >/dev/null || { skip "ffmpeg is not installed"; exit 0; }
command -v ffprobe >/dev/null || { skip "ffprobe is not installed"; exit 0; }

mkdir -p "$T_TMP/tmp"
# deskd's own directory is $TMPDIR/deskd.XXXXXX, while it runs; each
# recording gets one of its own inside.
# left_behind: what deskd left there (nothing, between recordings).
left_behind() {
	(cd "$T_TMP/tmp" && find . -mindepth 1 ! -regex '\./deskd\.[A-Za-z0-9]*' |
	    sort | tr '\n' ' ')
}
rec_dirs() { find "$T_TMP/tmp" -mindepth 2 -maxdepth 2 -name 'deskd-rec.*'; }
start_xvfb 640x480 || exit 1
TMPDIR=$T_TMP/tmp start_deskd --no-auth || exit 1

code=$(http POST "$URL/end_recording")
is "$code" 400 "end_recording with nothing recording: 400"
is "$(body)" '{"status":"error","message":"No recording in progress to stop."}' \
    "with upstream's JSON"
code=$(http POST "$URL/start_recording")
is "$code" 200 "start_recording: 200"
is "$(body)" '{"status":"success","message":"Started recording successfully."}' \
    "with upstream's JSON"
rdir=$(rec_dirs)
is "$(rec_dirs | wc -l):$(stat -c %a "$rdir" 2>&1)" "1:700" \
    "the recording goes to a directory of its own, mode 0700"
is "$(stat -c %a "$rdir/recording.mp4" 2>&1)" 600 "... as recording.mp4, mode 0600"
[ ! -e "$T_TMP/tmp/recording.mp4" ]
ok $? "... not to the shared \$TMPDIR/recording.mp4"
code=$(http POST "$URL/start_recording")
is "$code:$(body)" '400:{"status":"error","message":"Recording is already in progress."}' \
    "a second start: 400"
"$XCLIENT" rect 100 100 200 150 00ff00 >"$T_TMP/rect" &
T_PIDS+=($!)
for _ in $(seq 50); do grep -q ready "$T_TMP/rect" && break; sleep 0.1; done
is "$(http GET "$URL/screenshot")" 200 "screenshots answer while recording"
sleep 1
code=$(http POST "$URL/end_recording")
is "$code" 200 "end_recording: 200"
is "$(header Content-Type)" "video/mp4" "video/mp4"
is "$(header Content-Disposition)" "attachment; filename=recording.mp4" "as recording.mp4"
cp "$T_TMP/body" "$T_TMP/rec.mp4"
is "$(left_behind)" "" "once served, the recording and its directory are gone"
is "$(ffprobe -v error -select_streams v:0 -show_entries stream=codec_name,width,height,pix_fmt \
    -of csv=p=0 "$T_TMP/rec.mp4")" "h264,640,480,yuv420p" "ffprobe: h264 640x480 yuv420p"
dur=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$T_TMP/rec.mp4")
frames=$(ffprobe -v error -count_frames -select_streams v:0 \
    -show_entries stream=nb_read_frames -of csv=p=0 "$T_TMP/rec.mp4")
[ "${frames:-0}" -gt 10 ]
ok $? "the mp4 decodes: $frames frames, $dur s"
ffmpeg -v error -i "$T_TMP/rec.mp4" -f null - 2>"$T_TMP/decode.err"
is "$?:$(head -c 200 "$T_TMP/decode.err")" "0:" "ffmpeg decodes the whole file without errors"
code=$(http POST "$URL/end_recording")
is "$code" 400 "a second end: 400"
code=$(http POST "$URL/start_recording")
is "$code" 200 "a new recording can start after the last ended"
code=$(http POST "$URL/end_recording")
is "$code" 200 "and end"

# The native forms share the one recorder.
code=$(http GET "$URL/v1/recording")
is "$code:$(json_get "$T_TMP/body" 'j["state"]')" "200:idle" "GET /v1/recording: idle"
is "$(json_get "$T_TMP/body" 'j["path"]')" "null" "... and no file"
code=$(http POST "$URL/v1/recording/start")
is "$code" 200 "POST /v1/recording/start: 200"
rpath=$(json_get "$T_TMP/body" 'j["path"]')
is "$(json_get "$T_TMP/body" 'j["state"]')" recording "answers the state"
like "$rpath" "^$T_TMP/tmp/deskd\.[A-Za-z0-9]{6}/deskd-rec\.[A-Za-z0-9]{6}/recording\.mp4\$" \
    "... and the file, in a directory of its own inside deskd's own directory in \$TMPDIR"
is "$(stat -c %a "$(dirname "$rpath")" 2>&1):$(stat -c %a "$rpath" 2>&1)" 700:600 "... modes 0700 and 0600"
code=$(http POST "$URL/v1/recording/start")
is "$code" 409 "a second native start: 409"
like "$(body)" '^\{"error":\{"code":"conflict"' "as a native JSON error"
is "$(http POST "$URL/start_recording")" 400 "and the OSWorld start sees it busy too"
is "$(http GET "$URL/v1/recording"; json_get "$T_TMP/body" 'j["state"]')" "200recording" \
    "GET /v1/recording: recording"
sleep 1
code=$(http POST "$URL/v1/recording/stop")
is "$code:$(header Content-Type)" "200:video/mp4" "POST /v1/recording/stop: the mp4"
is "$(ffprobe -v error -select_streams v:0 -show_entries stream=codec_name \
    -of csv=p=0 "$T_TMP/body")" "h264" "which ffprobe reads as h264"
is "$(http POST "$URL/v1/recording/stop")" 409 "a second native stop: 409"
is "$(left_behind)" "" "nothing left in \$TMPDIR after the native stop"
# Shutdown while recording: ffmpeg is told to stop, nothing stays.
is "$(http POST "$URL/start_recording")" 200 "a recording that deskd's exit interrupts"
stop_deskd
is $? 0 "deskd exits 0 on SIGTERM"
is "$(left_behind)" "" "nothing left in \$TMPDIR after deskd exited while recording"
sanitizer_clean "$DESKD_LOG"
ok $? "no sanitizer report in deskd's log"

# Two deskd on one machine, one $TMPDIR, recording at the same time:
# each gets its own screen (640x480 and 320x240), not the other's.
XA=$XDISP
start_xvfb 320x240 || exit 1
XB=$XDISP
DISPLAY=$XA TMPDIR=$T_TMP/tmp start_deskd --no-auth || exit 1
URL_A=$URL PID_A=$DESKD_PID LOG_A=$DESKD_LOG
DISPLAY=$XB TMPDIR=$T_TMP/tmp start_deskd --no-auth || exit 1
URL_B=$URL PID_B=$DESKD_PID
is "$(http POST "$URL_A/start_recording"):$(http POST "$URL_B/start_recording")" "200:200" \
    "two deskd start recording at the same time"
is "$(rec_dirs | wc -l)" 2 \
    "... into two directories"
sleep 1
http POST "$URL_A/end_recording" >"$T_TMP/code.a"
cp "$T_TMP/body" "$T_TMP/a.mp4"
http POST "$URL_B/end_recording" >"$T_TMP/code.b"
cp "$T_TMP/body" "$T_TMP/b.mp4"
is "$(cat "$T_TMP/code.a"):$(cat "$T_TMP/code.b")" "200:200" "both stop"
probe() {
	ffprobe -v error -select_streams v:0 -show_entries stream=width,height \
	    -of csv=p=0 "$1" 2>&1 | head -n1
}
is "$(probe "$T_TMP/a.mp4")" "640,480" "the first one's video is its own 640x480 screen"
is "$(probe "$T_TMP/b.mp4")" "320,240" "the second one's is its own 320x240 screen"
is "$(left_behind)" "" "and neither leaves anything behind"
kill -TERM "$PID_A" "$PID_B"
wait "$PID_A"
rc_a=$?
wait "$PID_B"
is "$rc_a:$?" "0:0" "both exit 0"
sanitizer_clean "$LOG_A" && sanitizer_clean "$DESKD_LOG"
ok $? "no sanitizer report in their logs"

# A stand-in ffmpeg whose behaviour the test picks through a file.
mkdir -p "$T_TMP/bin"
cat >"$T_TMP/bin/ffmpeg" <<EOF
#!/bin/sh
out=\$(eval echo "\\\${\$#}")
case "\$(cat "$T_TMP/mode")" in
die)
	echo "fake ffmpeg: cannot open display" >&2
	exit 1 ;;
flood)
	# 1 MB to stderr: blocks forever unless deskd reads the pipe.
	head -c 1000000 /dev/zero | tr '\\0' e >&2
	touch "$T_TMP/flooded"
	trap 'echo done >"\$out"; exit 0' INT
	while :; do sleep 0.1; done ;;
deaf)
	trap '' INT
	echo "fake ffmpeg: not listening" >&2
	while :; do sleep 0.1; done ;;
esac
EOF
chmod +x "$T_TMP/bin/ffmpeg"
PATH=$T_TMP/bin:$PATH TMPDIR=$T_TMP/tmp start_deskd --no-auth || exit 1

echo die >"$T_TMP/mode"
code=$(http POST "$URL/start_recording")
is "$code" 500 "ffmpeg dying at start: 500"
is "$(json_get "$T_TMP/body" 'j["status"]')" "error" "status error"
like "$(json_get "$T_TMP/body" 'j["message"]')" \
    '^Failed to start recording. ffmpeg terminated unexpectedly. Error: fake ffmpeg: cannot open display' \
    "the message carries ffmpeg's stderr"
is "$(http POST "$URL/end_recording")" 400 "and nothing is recording"
is "$(left_behind)" "" "its directory is gone"

echo flood >"$T_TMP/mode"
code=$(http POST "$URL/start_recording")
is "$code" 200 "a chatty ffmpeg starts"
[ -e "$T_TMP/flooded" ]
ok $? "its 1 MB of stderr was drained (it was not blocked on the pipe)"
code=$(http POST "$URL/end_recording")
is "$code:$(body)" "200:done" "SIGINT stops it and the file is sent"

echo deaf >"$T_TMP/mode"
code=$(http POST "$URL/start_recording")
is "$code" 200 "an ffmpeg that ignores SIGINT starts"
curl -s -X POST -o "$T_TMP/deaf.body" -w '%{http_code}' "$URL/end_recording" >"$T_TMP/deaf.code" &
DEAF=$!
T_PIDS+=($DEAF)
sleep 1
is "$(http GET "$URL/screenshot")" 200 "a screenshot answers while end_recording waits"
wait $DEAF
is "$(cat "$T_TMP/deaf.code")" 500 "after 15 s it is killed: 500"
like "$(cat "$T_TMP/deaf.body")" \
    '"message":"Recording process was unresponsive and had to be killed. Stderr: fake ffmpeg: not listening' \
    "with upstream's message and the stderr"
is "$(http POST "$URL/end_recording")" 400 "then nothing is recording"
is "$(left_behind)" "" "the killed recording's directory is gone"

stop_deskd
is $? 0 "deskd exits 0 on SIGTERM"
sanitizer_clean "$DESKD_LOG"
ok $? "no sanitizer report in deskd's log"
