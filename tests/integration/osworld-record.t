#!/usr/bin/env bash
# Recording: /start_recording and /end_recording with the real ffmpeg
# (x11grab), a playable mp4 checked with ffprobe, one recording at a time,
# and with a stand-in ffmpeg: one that dies at once, one that floods
# stderr (drained, so it is not blocked), one that ignores SIGINT (killed
# after 15 s).
source "$(dirname "$0")/../lib.sh"

command -v ffmpeg >/dev/null || { skip "ffmpeg is not installed"; exit 0; }
command -v ffprobe >/dev/null || { skip "ffprobe is not installed"; exit 0; }

mkdir -p "$T_TMP/tmp"
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
code=$(http POST "$URL/v1/recording/start")
is "$code" 200 "POST /v1/recording/start: 200"
like "$(json_get "$T_TMP/body" '[j["state"], j["path"]]')" \
    "^\[\"recording\", \"$T_TMP/tmp/deskd\.[A-Za-z0-9]+/recording\.mp4\"\]\$" \
    "answers the state and the file (in deskd's own directory)"
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
stop_deskd
is $? 0 "deskd exits 0 on SIGTERM"
sanitizer_clean "$DESKD_LOG"
ok $? "no sanitizer report in deskd's log"

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

stop_deskd
is $? 0 "deskd exits 0 on SIGTERM"
sanitizer_clean "$DESKD_LOG"
ok $? "no sanitizer report in deskd's log"
