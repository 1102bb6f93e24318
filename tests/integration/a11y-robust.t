#!/usr/bin/env bash
# The accessibility routes when things go wrong: no bus at all (503 that
# says how to start one, /health says so, /terminal stays 200), a bus that
# starts later, a budget too small for the tree (partial, marked), an
# application stopped with SIGSTOP and one killed in the middle of a walk
# (each costs at most the budget; deskd keeps answering, also during the
# walk), and many requests at once (they share walks, and the queue's
# limit answers 429 beyond it).
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/a11y-lib.sh"
a11y_prereqs

start_xvfb 1280x800 || exit 1
mkdir -p "$T_TMP/run"
# No bus anywhere: no session bus, nothing on the root window.
unset DBUS_SESSION_BUS_ADDRESS AT_SPI_BUS_ADDRESS
XDG_RUNTIME_DIR=$T_TMP/run start_deskd --no-auth || exit 1

code=$(http GET "$URL/accessibility")
is "$code" 503 "no bus: /accessibility answers 503"
is "$(json_get "$T_TMP/body" 'j["status"]')" error "in OSWorld's error shape"
like "$(json_get "$T_TMP/body" 'j["message"]')" 'no accessibility bus.*at-spi-bus-launcher' \
    "saying there is no bus and how to start one"
code=$(http GET "$URL/v1/accessibility")
is "$code" 503 "no bus: /v1/accessibility answers 503"
is "$(json_get "$T_TMP/body" 'j["error"]["code"]')" no_accessibility_bus "code no_accessibility_bus"
code=$(http GET "$URL/terminal")
is "$code" 200 "no bus: /terminal (the host's liveness probe) stays 200"
is "$(body)" '{"output":null,"status":"success"}' "with output null"
http GET "$URL/health" >/dev/null
is "$(json_get "$T_TMP/body" 'j["accessibility"]["bus"]')" false "/health: bus false"
like "$(json_get "$T_TMP/body" 'j["accessibility"]["reason"]')" 'no accessibility bus' \
    "/health says why"

# The bus starts after deskd: the next request finds it.
start_a11y_bus || exit 1
start_gtk victim --at 500,60 || exit 1
VICTIM=$GTK_PID
start_gtk big --many 3000 --at 40,60 || exit 1
BIG=$GTK_PID
wait_a11y_app big
ok $? "a bus started after deskd is found"
code=$(http GET "$URL/accessibility")
is "$code" 200 "/accessibility then answers 200"
http GET "$URL/health" >/dev/null
is "$(json_get "$T_TMP/body" 'j["accessibility"]["bus"]')" true "/health: bus true"

# A budget smaller than the walk: what was read, marked partial.
code=$(http GET "$URL/v1/accessibility?budget_ms=30")
is "$code" 200 "budget_ms=30 on a 3000-button tree: 200"
is "$(json_get "$T_TMP/body" 'j["partial"]')" true "marked partial"
is "$(json_get "$T_TMP/body" 'j["partial_reason"]')" budget "because of the budget"
is "$(header X-Deskd-Partial)" 1 "X-Deskd-Partial: 1"
code=$(http GET "$URL/accessibility?budget_ms=30")
like "$(json_get "$T_TMP/body" 'j["AT"]')" '^<desktop-frame [^>]* partial="true"' \
    "/accessibility marks the root partial=\"true\""
is "$(json_get "$T_TMP/body" 'j["partial"]')" true "and says \"partial\": true beside AT"

# An application that hangs (SIGSTOP): one call's timeout, then left out;
# the loop keeps answering meanwhile.
kill -STOP "$VICTIM"
curl -s -o "$T_TMP/stopped.json" -w '%{http_code}' --max-time 8 \
    "$URL/v1/accessibility?budget_ms=5000" >"$T_TMP/stopped.code" &
REQ=$!
sleep 0.3
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$URL/health")
is "$code" 200 "/health answers while the walk waits on the stopped application"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$URL/screen_size" -X POST)
is "$code" 200 "and so does /screen_size"
wait "$REQ"
is "$(cat "$T_TMP/stopped.code")" 200 "a SIGSTOPped application: the walk answers within its budget"
is "$(json_get "$T_TMP/stopped.json" 'j["unresponsive"]')" 1 "one application did not answer"
is "$(json_get "$T_TMP/stopped.json" '"victim" in [a["name"] for a in j["tree"].get("children", [])]')" \
    false "it is left out"
is "$(json_get "$T_TMP/stopped.json" '"big" in [a["name"] for a in j["tree"].get("children", [])]')" \
    true "the other application is there"
code=$(curl -s -o "$T_TMP/body" -w '%{http_code}' --max-time 8 "$URL/accessibility?budget_ms=5000")
is "$code" 200 "the next /accessibility answers too, still stopped"
kill -CONT "$VICTIM"
code=$(http GET "$URL/v1/accessibility?app=victim")
is "$(json_get "$T_TMP/body" '[a["name"] for a in j["tree"].get("children", [])]')" '["victim"]' \
    "after SIGCONT the application is back"

# 20 at once while a walk takes a second (the big window is there): all
# answered, sharing walks instead of piling them up.
before=$(grep -c 'a11y: [0-9]* nodes in' "$DESKD_LOG")
for i in $(seq 20); do
	curl -s -o "$T_TMP/c.$i" -w '%{http_code}\n' --max-time 20 "$URL/accessibility" \
	    >"$T_TMP/c.$i.code" &
	PIDS20="${PIDS20:-} $!"
done
# shellcheck disable=SC2086
wait $PIDS20
n200=$(cat "$T_TMP"/c.*.code | grep -c '^200$')
is "$n200" 20 "20 concurrent /accessibility: 20 answers of 200"
same=$(md5sum "$T_TMP"/c.? "$T_TMP"/c.?? | awk '{print $1}' | sort -u | wc -l)
ok $([ "$same" -le 3 ] && echo 0 || echo 1) "they carry at most 3 distinct trees ($same)"
after=$(grep -c 'a11y: [0-9]* nodes in' "$DESKD_LOG")
walks=$((after - before))
ok $([ "$walks" -le 3 ] && echo 0 || echo 1) "they shared walks: $walks walks for 20 requests"

# An application killed in the middle of a walk.
curl -s -o "$T_TMP/killed.json" -w '%{http_code}' --max-time 12 \
    "$URL/v1/accessibility?budget_ms=10000" >"$T_TMP/killed.code" &
REQ=$!
sleep 0.2
kill -KILL "$BIG"
wait "$REQ"
is "$(cat "$T_TMP/killed.code")" 200 "killing the application mid-walk: the walk still answers"
code=$(http GET "$URL/v1/accessibility")
is "$code" 200 "and the next request answers"
is "$(json_get "$T_TMP/body" '[a["name"] for a in j["tree"].get("children", [])]')" '["victim"]' \
    "without the dead application"

# Beyond the queue's limit: 429 naming it; the rest answer.
kill -STOP "$VICTIM"
rm -f "$T_TMP"/q.*
PIDSQ=
for i in $(seq 70); do
	curl -s -o "$T_TMP/q.$i" -w '%{http_code}\n' --max-time 15 "$URL/accessibility?budget_ms=3000" \
	    >"$T_TMP/q.$i.code" &
	PIDSQ="$PIDSQ $!"
done
# shellcheck disable=SC2086
wait $PIDSQ
kill -CONT "$VICTIM"
n429=$(cat "$T_TMP"/q.*.code | grep -c '^429$')
n200=$(cat "$T_TMP"/q.*.code | grep -c '^200$')
n503=$(cat "$T_TMP"/q.*.code | grep -c '^503$')
diag "codes: $(sort "$T_TMP"/q.*.code | uniq -c | tr "\n" " ")"
ok $([ "$n429" -ge 1 ] && echo 0 || echo 1) "70 at once behind a stopped application: some 429 ($n429)"
# A machine short of CPU can push a walk past its budget; the request
# then gets its 503 in time instead of waiting: never a hang.
is "$((n200 + n429 + n503))" 70 "the others answer in time: $n200 with the tree, $n503 with 503 timeout"
ok $([ "$n200" -ge 1 ] && echo 0 || echo 1) "the tree reaches those that waited ($n200)"
bad=0
for f in "$T_TMP"/q.?.code "$T_TMP"/q.??.code; do
	[ "$(cat "$f")" = 503 ] || continue
	grep -q 'did not end within its budget' "${f%.code}" || bad=1
done
ok $bad "each 503 says the walk overran its budget"
f=$(grep -l '"status":"error"' "$T_TMP"/q.? "$T_TMP"/q.?? | head -n1)
like "$(json_get "$f" 'j["message"]')" 'the limit is 64' "the 429 names the limit"

http GET "$URL/health" >/dev/null
is "$(json_get "$T_TMP/body" 'j["accessibility"]["walks"]')" 0 "no walk is left behind"
kill -0 "$DESKD_PID"
ok $? "deskd is still running"
stop_deskd
ok $? "and stops cleanly"
sanitizer_clean "$DESKD_LOG"
ok $? "no sanitizer report in deskd's log"
exit 0
