#!/usr/bin/env bash
# input-robust: bad bodies, the in-order queue (two clients never
# interleave), screenshots served during a long type, and held keys and
# buttons released on client hang-up and at shutdown.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../input-lib.sh"

start_xvfb 1280x800 || exit 1
start_recorder || exit 1
start_deskd --no-auth || exit 1

# Bad bodies: clear 4xx JSON errors, nothing injected.
m=$(rec_mark)
for body in '{"action":' 'not json' '[]' '5' '{"action":"type","text":123}' \
    '{"action":"left_click","coordinate":"10,20"}' '{"action":"scroll","scroll_direction":"down"}' \
    '{"action":"key","text":"ctrl+"}' '{"action":"zoom","region":[5,5,1,1]}' \
    '{"action":"type","text":"a\u0000b"}' '{"action":"wait","duration":1000}'; do
	st=$(act "$body")
	is "$st" 400 "400 for $body"
	like "$(body)" '^\{"error":\{"code":"[a-z_]+","message":"' "JSON error for $body"
done
st=$(act "$(python3 -c 'import json; print(json.dumps([{"action":"cursor_position"}] * 101))')")
is "$st" 400 "more than 100 actions in a batch gets 400"
python3 -c 'import json; print(json.dumps({"action":"type","text":"a" * (1024 * 1024 + 1)}))' >"$T_TMP/big.json"
st=$(http POST "$URL/v1/computer" -H 'Content-Type: application/json' \
    --data-binary @"$T_TMP/big.json")
is "$st" 400 "text over 1 MiB gets 400"
head -c $((17 * 1024 * 1024)) /dev/zero | tr '\0' ' ' >"$T_TMP/huge.json"
st=$(http POST "$URL/v1/computer" -H 'Content-Type: application/json' \
    --data-binary @"$T_TMP/huge.json")
is "$st" 413 "a body over the limit gets 413"
nothing_injected "$m" "nothing was injected by any bad body"

# Two clients at once: their actions never interleave.
a=$(python3 -c 'print("a" * 300)')
b=$(python3 -c 'print("é" * 300)')
m=$(rec_mark)
act "{\"action\":\"type\",\"text\":\"$a\",\"delay_ms\":1}" -o "$T_TMP/o1" >"$T_TMP/s1" &
p1=$!
act "{\"action\":\"type\",\"text\":\"$b\",\"delay_ms\":1}" -o "$T_TMP/o2" >"$T_TMP/s2" &
p2=$!
wait $p1 $p2
is "$(cat "$T_TMP/s1") $(cat "$T_TMP/s2")" "200 200" "both concurrent type actions answer 200"
rec_sync "$m"
got=$(rec_text "$m")
if [ "$got" = "$a$b" ] || [ "$got" = "$b$a" ]; then
	pass "the two clients' texts arrived whole, one after the other"
else
	fail "the two clients' texts interleaved"
	diag "got: ${got:0:200}"
fi

# A long type keeps running while screenshots are served.
long=$(python3 -c 'print("x" * 1500)')
m=$(rec_mark)
act "{\"action\":\"type\",\"text\":\"$long\",\"delay_ms\":3}" -o "$T_TMP/o3" >"$T_TMP/s3" &
p3=$!
rec_wait "$m" '^KeyPress keysym=x ' || fail "typing did not start"
st=$(curl -s -o "$T_TMP/shot.png" -w '%{http_code}' --max-time 30 "$URL/v1/screenshot")
kill -0 $p3 2>/dev/null
running=$?
is "$st" 200 "a screenshot answers during a long type"
is "$running" 0 "... while the type was still running"
wait $p3
is "$(cat "$T_TMP/s3")" 200 "the long type finished with 200"
rec_sync "$m"
is "$(rec_text "$m")" "$long" "the long type was exact"

# Client hang-up: hold_key and type stop, keys are released, spares restored.
spare0=$(spare_count)
m=$(rec_mark)
act '{"action":"hold_key","text":"ctrl+shift","duration":60}' --max-time 1 >/dev/null
rec_wait "$m" '^KeyRelease keysym=Control_L ' 100
ok $? "hold_key's keys are released when the client hangs up"
like "$(rec_events "$m" | grep '^KeyRelease' | awk '{print $2}' | tr '\n' ' ')" \
    'keysym=Shift_L keysym=Control_L' "... both of them, in reverse order"
m=$(rec_mark)
text=$(python3 -c 'print("αβγδεζηθ" * 100)')
act "{\"action\":\"type\",\"text\":\"$text\",\"delay_ms\":20}" --max-time 1 >/dev/null
sleep 1
n1=$(rec_events "$m" | grep -c '^KeyPress')
sleep 1
n2=$(rec_events "$m" | grep -c '^KeyPress')
is "$n2" "$n1" "typing stops when the client hangs up"
like "$n1" '^[1-9][0-9]*$' "(it had typed $n1 keys)"
rec_sync "$m"
is "$(spare_count)" "$spare0" "spare keycodes restored after the hang-up"
is "$(grep -c '^KeyPress' "$REC_LOG")" "$(grep -c '^KeyRelease' "$REC_LOG")" \
    "every KeyPress has its KeyRelease"

# Shutdown while a key and a button are held: both released.
m=$(rec_mark)
act '{"action":"left_mouse_down","coordinate":[30,30]}' >/dev/null
act '{"action":"hold_key","text":"alt","duration":60}' -o "$T_TMP/o4" >"$T_TMP/s4" &
p4=$!
rec_wait "$m" '^KeyPress keysym=Alt_L ' || fail "alt was not pressed"
stop_deskd
ok $? "deskd exits cleanly while holding keys"
wait $p4
like "$(cat "$T_TMP/s4")" '^(000|503)$' "the held action's client got an answer or a close"
rec_wait "$m" '^KeyRelease keysym=Alt_L ' 100
ok $? "held alt released at shutdown"
rec_wait "$m" '^ButtonRelease button=1 ' 100
ok $? "button held by left_mouse_down released at shutdown"
sanitizer_clean "$DESKD_LOG"
ok $? "no sanitizer report"
