#!/usr/bin/env bash
# Access rules: bearer token, --allow networks, loopback-only default,
# --no-auth warning, /health always open.  Remote peers come from a
# network namespace of our own (192.0.2.0/24, TEST-NET-1) joined by veth.
source "$(dirname "$0")/../lib.sh"

start_xvfb 800x600 || exit 1

token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$token" >"$T_TMP/token"
chmod 600 "$T_TMP/token"
start_deskd --token-file "$T_TMP/token" || exit 1
is "$(http GET "$URL/screenshot")" 401 "token set: no token gives 401"
like "$(body)" '"code":"unauthorized"' "401 is a JSON error"
like "$(header WWW-Authenticate)" '^Bearer' "401 carries WWW-Authenticate: Bearer"
is "$(http GET "$URL/screenshot" -H "Authorization: Bearer nope")" 401 "wrong token gives 401"
is "$(http GET "$URL/screenshot" -H "Authorization: Bearer ${token}x")" 401 "token plus a byte gives 401"
is "$(http GET "$URL/screenshot" -H "Authorization: Bearer $token")" 200 "right token gives 200"
is "$(http GET "$URL/health")" 200 "/health needs no token"
# Access is checked before the method: nothing tells a stranger which
# paths exist or which methods they take.
is "$(http DELETE "$URL/execute")" 401 "no token: DELETE /execute gives 401, not 405"
is "$(header Allow)" "" "and no Allow header lists the route's methods"
like "$(body)" '"code":"unauthorized"' "the 401 says only unauthorized"
is "$(http DELETE "$URL/nosuch")" 401 "no token: an unknown path gives the same 401"
is "$(http POST "$URL/health")" 401 "no token: another method on the open /health gives 401"
is "$(http DELETE "$URL/execute" -H "Authorization: Bearer $token")" 405 \
    "with the token: DELETE /execute gives 405"
is "$(header Allow)" "POST" "and Allow lists POST"
is "$(http DELETE "$URL/nosuch" -H "Authorization: Bearer $token")" 404 \
    "with the token: an unknown path gives 404"
if grep -q "$token" "$DESKD_LOG"; then fail "token appears in the log"; else pass "token never logged"; fi
stop_deskd

printf 'short\n' >"$T_TMP/short"
"$DESKD" --listen 127.0.0.1:$(free_port) --token-file "$T_TMP/short" >"$T_TMP/short.log" 2>&1
is $? 1 "a token shorter than 16 characters is refused at start"
"$DESKD" --listen 127.0.0.1:$(free_port) --token-file "$T_TMP/none" >"$T_TMP/none.log" 2>&1
is $? 1 "a missing token file is refused at start"
like "$(cat "$T_TMP/none.log")" "token file" "and the error says which file"
"$DESKD" --listen 127.0.0.1:$(free_port) --allow 10.0.0.0/99 >"$T_TMP/allow.log" 2>&1
is $? 1 "a bad --allow network is refused at start"
"$DESKD" --listen 127.0.0.1:$(free_port) --allow ::ffff:10.0.0.0/90 >"$T_TMP/allow.log" 2>&1
is $? 1 "a v4-mapped --allow network wider than ::ffff:0:0/96 is refused at start"
# A NUL would cut the token short: "abc" would open it.
printf 'abc\0%s\n' "$token" >"$T_TMP/nul"
chmod 600 "$T_TMP/nul"
"$DESKD" --listen 127.0.0.1:$(free_port) --token-file "$T_TMP/nul" >"$T_TMP/nul.log" 2>&1
is $? 1 "a token file holding a NUL byte is refused at start"
like "$(cat "$T_TMP/nul.log")" "NUL" "  saying why"
cp "$T_TMP/token" "$T_TMP/open-token"
chmod 644 "$T_TMP/open-token"
start_deskd --token-file "$T_TMP/open-token" || exit 1
grep -q 'readable or writable by every user' "$DESKD_LOG"
ok $? "a world-readable token file gets a warning"
stop_deskd

start_deskd --no-auth || exit 1
is "$(http GET "$URL/screenshot")" 200 "--no-auth serves without a token"
grep -q 'no-auth' "$DESKD_LOG"
ok $? "--no-auth logs a warning"
stop_deskd

# Remote peers: two namespaces of our own joined by a veth pair, deskd in
# one (192.0.2.1), the client in the other (192.0.2.2).  The X server is
# reached through its socket file, which namespaces share.
nsa=deskd-srv-$$
nsb=deskd-cli-$$
if ! ip netns add "$nsa" 2>/dev/null || ! ip netns add "$nsb" 2>/dev/null; then
	ip netns del "$nsa" 2>/dev/null
	skip "remote-peer rules: cannot create network namespaces here (ip netns add failed)"
	exit 0
fi
cleanup_ns() { ip netns del "$nsa" 2>/dev/null; ip netns del "$nsb" 2>/dev/null; }
trap 't_cleanup; cleanup_ns' EXIT
ip link add vda netns "$nsa" type veth peer name vdb netns "$nsb" &&
ip -n "$nsa" addr add 192.0.2.1/24 dev vda && ip -n "$nsa" link set vda up &&
ip -n "$nsa" link set lo up &&
ip -n "$nsb" addr add 192.0.2.2/24 dev vdb && ip -n "$nsb" link set vdb up &&
ip -n "$nsb" link set lo up
ok $? "test hosts 192.0.2.1 and 192.0.2.2 set up in namespaces"

remote() {	# remote URL [curl args]: status seen from 192.0.2.2
	local u=$1
	shift
	ip netns exec "$nsb" curl -s -o "$T_TMP/body" -w '%{http_code}' \
	    --max-time 10 "$@" "$u"
}
local_in_a() {	# status seen from deskd's own loopback
	ip netns exec "$nsa" curl -s -o "$T_TMP/body" -w '%{http_code}' \
	    --max-time 10 "$@"
}
start_remote() {
	PORT=$(free_port)
	DESKD_LOG=$T_TMP/deskd.remote.$PORT.log
	ip netns exec "$nsa" "$DESKD" --listen "0.0.0.0:$PORT" \
	    --cdp-listen off --log-level debug --display "$XDISP" "$@" \
	    >"$DESKD_LOG" 2>&1 &
	DESKD_PID=$!
	T_PIDS+=("$DESKD_PID")
	T_LOGS+=("$DESKD_LOG")
	for _ in $(seq 100); do
		[ "$(local_in_a "http://127.0.0.1:$PORT/health")" = 200 ] && return 0
		sleep 0.1
	done
	fail "deskd in namespace did not come up"
}

start_remote
is "$(remote "http://192.0.2.1:$PORT/screenshot")" 401 \
    "no token, no --allow: a remote peer is refused"
like "$(body)" 'loopback' "and told that only loopback is served"
is "$(remote "http://192.0.2.1:$PORT/health")" 200 "/health is open to remote peers"
is "$(local_in_a "http://127.0.0.1:$PORT/screenshot")" 200 "while loopback is served"
stop_deskd

start_remote --allow 192.0.2.0/24
is "$(remote "http://192.0.2.1:$PORT/screenshot")" 200 "--allow 192.0.2.0/24 lets the remote peer in"
is "$(local_in_a "http://127.0.0.1:$PORT/screenshot")" 401 \
    "with --allow and no token, loopback is not implicitly trusted"
stop_deskd

start_remote --allow ::ffff:192.0.2.0/120
is "$(remote "http://192.0.2.1:$PORT/screenshot")" 200 \
    "--allow ::ffff:192.0.2.0/120 (v4-mapped) lets the IPv4 peer in"
stop_deskd

start_remote --allow 198.51.100.0/24 --token-file "$T_TMP/token"
is "$(remote "http://192.0.2.1:$PORT/screenshot")" 401 "peer outside --allow without token: 401"
is "$(remote "http://192.0.2.1:$PORT/screenshot" -H "Authorization: Bearer $token")" 200 \
    "peer outside --allow with the token: 200"
stop_deskd
