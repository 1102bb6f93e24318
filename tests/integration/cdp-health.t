#!/usr/bin/env bash
# cdp-health: /health's "chrome" follows Chrome by itself.  deskd probes
# Chrome every second whether or not anyone asks, so the first /health
# after Chrome starts (or stops) already says so; it used to probe only
# when asked and answer from a cache minutes old (ok false after Chrome
# was up).  fetches counts the /json requests in flight, fetches_total
# all of them (fetches stayed 0 and looked broken).
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/cdp-lib.sh"

cdp_requirements
start_xvfb
CHR_PORT=$(free_port)
CDP_PORT=$(free_port)
CDP="http://127.0.0.1:$CDP_PORT"

# log_wait REGEX: until deskd's log has a line matching (10 s).
log_wait() {
	for _ in $(seq 100); do
		grep -qE "$1" "$DESKD_LOG" && return 0
		sleep 0.1
	done
	return 1
}

start_deskd --no-auth --cdp-listen "127.0.0.1:$CDP_PORT" \
    --cdp-upstream "127.0.0.1:$CHR_PORT" || exit 1
log_wait "cdp: Chrome at 127.0.0.1:$CHR_PORT is down"
ok $? "deskd finds Chrome down at start"

# Chrome comes up; nobody asks deskd anything until deskd has seen it.
start_chromium "$CHR_PORT" || exit 1
log_wait "cdp: Chrome at 127.0.0.1:$CHR_PORT is up"
ok $? "deskd notices Chrome came up with no client asking"
is "$(health_chrome '[c["ok"], c["browser"].split("/")[0] in ("Chrome", "HeadlessChrome")]')" \
    "[true, true]" "the first /health after that says ok, with the browser"
age=$(health_chrome 'c["checked_ms_ago"]')
[[ "$age" =~ ^[0-9]+$ ]] && [ "$age" -lt 2000 ]
ok $? "... checked within the last two seconds ($age ms ago)"

is "$(health_chrome '[c["fetches"], c["fetches_total"]]')" "[0, 0]" \
    "no client fetch yet: fetches 0, fetches_total 0"
for _ in 1 2 3; do
	is "$(http GET "$CDP/json/version")" 200 "GET /json/version through the proxy"
done
is "$(health_chrome '[c["fetches"], c["fetches_total"]]')" "[0, 3]" \
    "fetches_total counts them; none in flight"

# Chrome goes away: the first /health after deskd has seen it says so.
n=$(grep -c "cdp: Chrome at 127.0.0.1:$CHR_PORT is down" "$DESKD_LOG")
stop_chromium
for _ in $(seq 100); do
	[ "$(grep -c "cdp: Chrome at 127.0.0.1:$CHR_PORT is down" "$DESKD_LOG")" -gt "$n" ] && break
	sleep 0.1
done
[ "$(grep -c "cdp: Chrome at 127.0.0.1:$CHR_PORT is down" "$DESKD_LOG")" -gt "$n" ]
ok $? "deskd notices Chrome stopped with no client asking"
is "$(health_chrome '[c["ok"], "browser" in c, "error" in c]')" "[false, false, true]" \
    "the first /health after that says ok false, and why"
is "$(grep -c 'debug: cdp: GET /json/version: Chrome DevTools' "$DESKD_LOG")" 0 \
    "the probe does not log each failure (the state change is logged once)"

stop_deskd
ok $? "deskd exits cleanly"
sanitizer_clean "$DESKD_LOG"
ok $? "no sanitizer report"
