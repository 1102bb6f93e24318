#!/usr/bin/env bash
# A web page in the guest's own browser cannot drive deskd: real Chromium
# loads a page from another local origin and a file:// page, both of which
# try the requests a page can send without asking (no-cors fetches of
# /v1/exec and /execute, a multipart /setup/upload, a JSON fetch that needs
# a preflight, an <img> GET, a websocket to /v1/exec/ws); none may run, in the loopback-only default
# where loopback needs no token.  Then the same rules by hand with curl:
# Origin, Sec-Fetch-Site, Content-Type and Host (DNS rebinding).
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/cdp-lib.sh"

if [ ! -x "$CHROMIUM" ]; then
	skip "access-browser: no $CHROMIUM (packaging/deps.sh --test installs it)"
	exit 0
fi
start_xvfb 800x600 || exit 1
start_deskd || exit 1
start_www
M=$T_TMP/marks
mkdir -p "$M"

# attack PAGE-NAME: the page's script, marking files under $M/PAGE-NAME-*.
attack() {
	cat <<HTML
<!doctype html><html><body><script>
const D = "$URL", tag = "$1", M = "$M/$1";
const exec = (p, b, o) => fetch(D + p, Object.assign({method: "POST",
    mode: "no-cors", body: JSON.stringify(b)}, o || {})).catch(() => 0);
const fd = new FormData();
fd.append("file_path", M + "-upload");
fd.append("file_data", new Blob(["pwned"]), "x");
const img = new Promise(r => { const i = new Image(); i.onload = i.onerror = r;
    i.src = D + "/screenshot?mark=" + tag; });
Promise.all([
  exec("/v1/exec", {argv: ["touch", M + "-exec"]}),
  exec("/v1/exec", {argv: ["touch", M + "-exec-textplain"]},
      {headers: {"Content-Type": "text/plain"}}),
  exec("/execute", {command: ["touch", M + "-execute"], shell: false}),
  exec("/v1/exec", {argv: ["touch", M + "-cors"]},
      {mode: "cors", headers: {"Content-Type": "application/json"}}),
  fetch(D + "/setup/upload", {method: "POST", mode: "no-cors", body: fd})
      .catch(() => 0),
  img,
  new Promise(r => {	// cross-site websocket hijacking
    const w = new WebSocket(D.replace(/^http/, "ws") + "/v1/exec/ws");
    w.onopen = () => { w.send(JSON.stringify({argv: ["touch", M + "-ws"]}));
        setTimeout(r, 1000); };
    w.onerror = w.onclose = () => r();
  }),
]).then(() => fetch("$WWW_URL/done-" + tag).catch(() => 0));
</script></body></html>
HTML
}
attack page >"$T_TMP/www/attack.html"
attack file >"$T_TMP/attack-file.html"

# visit URL TAG: headless Chromium on URL until the page reports done.
visit() {
	local ud i
	ud=$(mktemp -d "$T_TMP/chrome.XXXXXX")
	setsid "$CHROMIUM" --headless --no-sandbox --disable-gpu \
	    --no-first-run --disable-background-networking \
	    --disable-component-update --disable-sync \
	    --disable-dev-shm-usage --user-data-dir="$ud" "$1" \
	    >>"$T_TMP/chromium.log" 2>&1 &
	CHR_PGID=$!
	T_PIDS+=("-$CHR_PGID")
	for i in $(seq 300); do
		grep -q "GET /done-$2 " "$T_TMP/www.log" && break
		sleep 0.1
	done
	grep -q "GET /done-$2 " "$T_TMP/www.log"
	ok $? "Chromium ran the $2 page to its end"
	sleep 0.5	# the last children deskd might have started
	stop_chromium
}
visit "$WWW_URL/attack.html" page
visit "file://$T_TMP/attack-file.html" file
is "$(ls -A "$M")" "" \
    "no page (another local origin, file://) ran a command or wrote a file"
like "$(grep -c '"forbidden_origin"\|-> 403' "$DESKD_LOG")" '^[1-9]' \
    "deskd refused them with 403"
grep -q 'GET /screenshot?mark=page -> 403' "$DESKD_LOG"
ok $? "even the <img> GET (Sec-Fetch-Site) was refused"

# --- the rules by hand ---------------------------------------------------
J=(-H 'Content-Type: application/json')
exec_body='{"argv":["true"]}'
is "$(http POST "$URL/v1/exec" "${J[@]}" -d "$exec_body")" 200 \
    "JSON without an Origin (OSWorld's harness, deskctl): 200"
is "$(http POST "$URL/execute" "${J[@]}" -d '{"command":["true"]}')" 200 \
    "OSWorld /execute without an Origin: 200"
is "$(http POST "$URL/v1/exec" "${J[@]}" -H "Origin: http://evil.example" \
    -d "$exec_body")" 403 "a foreign Origin: 403"
is "$(json_get "$T_TMP/body" 'j["error"]["code"]')" forbidden_origin \
    "  with code forbidden_origin"
is "$(http POST "$URL/v1/exec" "${J[@]}" -H "Origin: http://127.0.0.1:$PORT" \
    -d "$exec_body")" 200 "deskd's own origin (the live view's pages): 200"
is "$(http POST "$URL/v1/exec" -H 'Content-Type: text/plain' -d "$exec_body")" \
    400 "JSON sent as text/plain: 400"
like "$(body)" 'Content-Type: application/json' "  naming the Content-Type it wants"
is "$(http POST "$URL/v1/exec" -d "$exec_body")" 400 \
    "JSON sent as a form (curl's default): 400"
is "$(http GET "$URL/screenshot" -H 'Host: rebind.attacker.example')" 400 \
    "DNS rebinding: Host rebind.attacker.example gets 400"
is "$(json_get "$T_TMP/body" 'j["error"]["code"]')" bad_host "  with code bad_host"
is "$(http GET "$URL/screenshot" -H "Host: localhost:$PORT")" 200 "Host localhost: 200"
is "$(http GET "$URL/screenshot" -H "Sec-Fetch-Site: cross-site")" 403 \
    "Sec-Fetch-Site cross-site: 403"

# Websockets: the same Origin rule (cross-site websocket hijacking).
WSH=(-H 'Upgrade: websocket' -H 'Connection: Upgrade'
    -H 'Sec-WebSocket-Version: 13' -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==')
for r in /v1/exec/ws /v1/pty/1/ws /v1/stream; do
	is "$(http GET "$URL$r" "${WSH[@]}" -H 'Origin: http://evil.example')" 403 \
	    "websocket $r from another origin: 403"
done
is "$(http GET "$URL/v1/stream" "${WSH[@]}" -H "Origin: http://127.0.0.1:$PORT" \
    --max-time 2)" 101 "  from deskd's own origin: 101"

# Every route whose body is JSON, the old and the new, wants it as JSON.
for r in /v1/exec /v1/launch /v1/pty /v1/computer /v1/computer/anthropic \
    /v1/computer/openai /v1/computer/gemini /v1/computer/osworld \
    /v1/view/token /v1/windows/activate /mcp /execute /run_bash_script; do
	st=$(http POST "$URL$r" -H 'Content-Type: text/plain' \
	    -H 'Accept: application/json, text/event-stream' \
	    -d "{\"argv\":[\"touch\",\"$M/ct\"],\"command\":\"touch $M/ct\",\"script\":\"touch $M/ct\"}")
	like "$st" '^4(00|15)$' "POST $r as text/plain: refused ($st)"
done
is "$(ls -A "$M")" "" "  and none of them ran anything"
is "$(http PUT "$URL/v1/clipboard" -H 'Content-Type: text/plain' -d 'not JSON')" 200 \
    "PUT /v1/clipboard takes text/plain (it is not a JSON route)"
stop_deskd

# --host-name lets a name in; the token lifts every page rule.
token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$token" >"$T_TMP/token"
chmod 600 "$T_TMP/token"
start_deskd --host-name guest.example --token-file "$T_TMP/token" || exit 1
A=(-H "Authorization: Bearer $token")
is "$(http GET "$URL/screenshot" "${A[@]}" -H 'Host: guest.example:5000')" 200 \
    "--host-name guest.example: that Host is served"
is "$(http GET "$URL/health" -H 'Host: other.example')" 400 \
    "  another name still is not"
is "$(http POST "$URL/v1/exec" "${A[@]}" "${J[@]}" -H 'Origin: http://evil.example' \
    -H 'Host: other.example' -d "$exec_body")" 200 \
    "with the token, a foreign Origin and Host are served (a program, not a page)"
is "$(http POST "$URL/v1/exec" "${J[@]}" -H 'Origin: http://evil.example' \
    -d "$exec_body")" 401 "without it: 401 first"
stop_deskd
sanitizer_clean "$DESKD_LOG"
ok $? "no sanitizer report"
