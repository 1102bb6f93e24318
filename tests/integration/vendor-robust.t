#!/usr/bin/env bash
# vendor-robust: the vendor executor's contract without a browser, on a
# plain X client that records what it receives (tests/tools/xrecord):
# the session's coordinate space, the native answer, the proof of effect
# (XDamage, settle bound, keystrokes), timings, limits, a client that
# hangs up mid-batch, and an X server that dies mid-batch (the calls
# after the failure answered "Not executed").
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../input-lib.sh"
source "$(dirname "$0")/../cdp-lib.sh"
source "$(dirname "$0")/../vendor-lib.sh"

start_xvfb 1920x1080 || exit 1
start_deskd --no-auth || exit 1
start_recorder || exit 1

# The space: the screen's until a request names one; then kept.
post '{"type": "tool_use", "id": "s", "name": "screenshot", "input": {}}' >/dev/null
reply_check 'r["coordinate_space"] == [1920, 1080] and r["calls"][0]["image"]["size"] == [1920, 1080]' "without a space named, the space is the screen's"
http POST "$URL/v1/computer?coordinate_space=960x540" -H 'Content-Type: application/json' --data-binary '{"type": "tool_use", "id": "s", "name": "screenshot", "input": {}}' >/dev/null
reply_check 'r["coordinate_space"] == [960, 540] and r["calls"][0]["image"]["size"] == [960, 540]' "coordinate_space=960x540: a 960x540 screenshot"
m=$(rec_mark)
post '{"type": "computer_call", "call_id": "c", "action": {"type": "click", "x": 100, "y": 50}}' >/dev/null
reply_check 'r["coordinate_space"] == [960, 540] and r["calls"][0]["image"]["size"] == [960, 540]' "the next request keeps the space of the last screenshot"
rec_sync "$m"
like "$(rec_events "$m" | grep ButtonPress | head -n 1)" 'ButtonPress button=1 x=20[01] y=10[01] ' "(100, 50) of 960x540 lands at (200, 100) on the screen"
is "$(post '{"type": "computer_call", "call_id": "c", "action": {"type": "click", "x": 960, "y": 50}}')" 400 "x = 960 is outside the kept 960x540 space"
http POST "$URL/v1/computer?coordinate_space=screen" -H 'Content-Type: application/json' --data-binary '{"name": "take_screenshot", "args": {}}' >/dev/null
reply_check 'r["coordinate_space"] == [1920, 1080]' "coordinate_space=screen goes back to the screen's"

# The native answer on request: the images inline, nothing to append.
http POST "$URL/v1/computer?reply=native" -H 'Content-Type: application/json' --data-binary '{"type": "computer_call", "call_id": "c", "action": {"type": "screenshot"}}' >/dev/null
reply_check '"append" not in r and r["calls"][0]["image"]["media_type"] == "image/png" and len(r["calls"][0]["image"]["base64"]) > 1000' "reply=native: no append, the image as base64 in calls"
is "$(img_size 'r["calls"][0]["image"]["base64"]')" "png 1920x1080" "a PNG of the screen"

# Proof of effect: what changed, how long the settle took, what was typed.
m=$(rec_mark)
post '[{"type": "tool_use", "id": "t", "name": "type", "input": {"text": "ab\r\nc€"}}, {"type": "tool_use", "id": "w", "name": "wait", "input": {"duration": 0.2}}]' >/dev/null
reply_check 'r["actions"][0]["typed"] == 5 and r["actions"][0]["chars"] == 5 and r["actions"][0]["complete"] is True' "type: 5 keystrokes for 'ab\\r\\nc€' (\\r\\n is one Return), all injected"
reply_check 'r["actions"][0]["settle_ms"] >= 55 and "settle_ms" in r["actions"][1] and r["timing"]["input_ms"] >= 200' "settle lasted at least the quiet time; wait counts as input"
rec_sync "$m"
is "$(rec_text "$m" | od -An -tx1 | tr -d ' \n')" "$(printf 'ab\rc€' | od -An -tx1 | tr -d ' \n')" "the recorder got exactly that text"
http POST "$URL/v1/computer?settle_max_ms=0" -H 'Content-Type: application/json' --data-binary '{"type": "computer_call", "call_id": "c", "action": {"type": "move", "x": 30, "y": 30}}' >/dev/null
reply_check 'r["actions"][0]["settle_ms"] < 50' "settle_max_ms=0: no settle"
like "$(header Server-Timing)" '^input;dur=[0-9.]+, settle;dur=[0-9.]+, capture;dur=[0-9.]+, encode;dur=[0-9.]+, total;dur=[0-9.]+$' "Server-Timing on every answer"
reply_check 'all(isinstance(r["timing"][k], (int, float)) for k in ("input_ms", "settle_ms", "capture_ms", "encode_ms", "total_ms"))' "and the same stages in the reply"

# Options and limits.
is "$(http POST "$URL/v1/computer?format=gif" -H 'Content-Type: application/json' --data-binary '{"name": "take_screenshot", "args": {}}')" 400 "format=gif is 400"
reply_check 'r["error"]["code"] == "bad_parameter" and r["error"]["message"].startswith("format")' "bad_parameter naming format"
is "$(http POST "$URL/v1/computer?quality=50" -H 'Content-Type: application/json' --data-binary '{"name": "take_screenshot", "args": {}}')" 400 "quality without format=jpeg is 400"
is "$(http POST "$URL/v1/computer?coordinate_space=0x5" -H 'Content-Type: application/json' --data-binary '{"name": "take_screenshot", "args": {}}')" 400 "coordinate_space=0x5 is 400"
many=$(python3 -c 'import json; print(json.dumps([{"name": "wait", "args": {"seconds": 0}}] * 101))')
is "$(post "$many")" 400 "101 calls are 400"
reply_check '"more than 100 calls" in r["error"]["message"]' "saying the limit"
is "$(post '[]')" 400 "an empty list is 400"
is "$(post '{"type": "computer_call", "call_id": "c", "actions": []}')" 400 "a computer_call without actions is 400"
is "$(post 'not json')" 400 "not JSON is 400"
m=$(rec_mark)
is "$(post '[{"name": "type", "args": {"text": "abc"}}, {"name": "type", "args": {"text": "\u0007"}}]')" 400 "an untypable character in call 1 is 400"
reply_check 'r["error"]["index"] == 1 and "U+0007" in r["error"]["message"]' "naming call 1 and the character"
nothing_injected "$m" "nothing of that batch was typed"

# A client that hangs up mid-batch: the batch stops, deskd goes on.
m=$(rec_mark)
curl -s -o /dev/null --max-time 0.5 -X POST -H 'Content-Type: application/json' \
    --data-binary '[{"name": "wait", "args": {"seconds": 2}}, {"name": "type", "args": {"text": "late"}}]' "$URL/v1/computer"
sleep 2.5
rec_sync "$m"
is "$(rec_text "$m")" "" "the calls after the hang-up never ran"
is "$(post '{"name": "take_screenshot", "args": {}}')" 200 "deskd answers the next request"

# A screen that never stops changing: the settle ends at the bound.
# xclient flicker draws as fast as the server does, each change synced,
# and the quiet time asked for is 350 ms, so only a machine stalled that
# long could end the settle by quiet (with 100 ms, the full suite's load
# once did, with a shell loop of xsetroot and then with xclient).
kill "$REC_PID" 2>/dev/null
wait "$REC_PID" 2>/dev/null
"$XCLIENT" flicker >/dev/null 2>&1 &
FLICKER=$!
T_PIDS+=("$FLICKER")
sleep 0.3
http POST "$URL/v1/computer?settle_max_ms=400&settle_quiet_ms=350" -H 'Content-Type: application/json' --data-binary '{"type": "computer_call", "call_id": "c", "action": {"type": "move", "x": 10, "y": 10}}' >/dev/null
reply_check 'r["actions"][0]["changed"] is True and 390 <= r["actions"][0]["settle_ms"] <= 1500' "a flickering screen: changed, and the settle stopped at settle_max_ms (400)"
kill "$FLICKER" 2>/dev/null
wait "$FLICKER" 2>/dev/null
sleep 0.3
# The X server dies mid-batch: the calls are answered, the failed one
# with the error, the later ones "Not executed".
(sleep 1; kill -KILL "$XVFB_PID") &
KILLER=$!
st=$(post '[{"type": "tool_use", "id": "u1", "name": "mouse_move", "input": {"coordinate": [5, 5]}}, {"type": "tool_use", "id": "u2", "name": "wait", "input": {"duration": 3}}, {"type": "tool_use", "id": "u3", "name": "left_click", "input": {"coordinate": [5, 5]}}]')
wait "$KILLER"
is "$st" 503 "the X server gone mid-batch: 503"
reply_check 'r["error"]["code"] == "display_unavailable" and r["error"]["index"] == 1' "display_unavailable at call 1"
reply_check '[b["is_error"] for b in r["append"]["content"]] == [False, True, True] and r["append"]["content"][2]["content"][0]["text"].startswith("Not executed")' "tool_results: call 0 done, call 1 the error, call 2 Not executed"
reply_check '[c["state"] for c in r["calls"]] == ["done", "failed", "not_executed"]' "and the calls' states say so"

stop_deskd
ok $? "deskd exits cleanly"
sanitizer_clean "$DESKD_LOG"
ok $? "no sanitizer report"
