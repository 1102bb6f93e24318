#!/usr/bin/env bash
# Chromium's tree on at-spi2-core's bus, with what the session sets for it
# (--force-renderer-accessibility, ACCESSIBILITY_ENABLED=1): a page with a
# form holds its heading, labelled entry with its value, checked check box
# and button; deskd's /accessibility equals OSWorld's walk of the same
# desktop element by element; the native filter finds the button.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/a11y-lib.sh"
a11y_prereqs
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || { skip "no $CHROMIUM (packaging/deps.sh --test)"; exit 0; }

start_xvfb 1280x800 || exit 1
start_a11y_bus || exit 1
cat >"$T_TMP/form.html" <<'HTML'
<!doctype html><html><head><title>deskd form</title></head><body>
<h1>Sign in</h1>
<form><label for="u">User name</label> <input id="u" value="alice">
<label><input type="checkbox" id="r" checked> Remember me</label>
<button type="button">Submit</button></form></body></html>
HTML
ACCESSIBILITY_ENABLED=1 setsid "$CHROMIUM" --no-sandbox --disable-gpu \
    --no-first-run --disable-background-networking --disable-component-update \
    --disable-sync --disable-dev-shm-usage --password-store=basic \
    --force-renderer-accessibility --window-position=0,0 --window-size=1000,700 \
    --user-data-dir="$T_TMP/chrome" "file://$T_TMP/form.html" \
    >"$T_TMP/chromium.log" 2>&1 &
CHR=$!
T_PIDS+=("$CHR")
T_LOGS+=("$T_TMP/chromium.log")
trap 'kill -KILL -- -$CHR 2>/dev/null; t_cleanup' EXIT
start_deskd --no-auth || exit 1

# Until the page's button is in the tree (Chromium builds it lazily).
found=1
for _ in $(seq 100); do
	curl -s "$URL/v1/accessibility?role=push-button&name=submit" |
	    grep -q '"name":"Submit"' && { found=0; break; }
	sleep 0.2
done
ok $found "Chromium's page is in the tree"

code=$(http GET "$URL/accessibility")
is "$code" 200 "/accessibility answers 200"
cp "$T_TMP/body" "$T_TMP/ours.json"
$PY3 - "$T_TMP/ours.json" >"$T_TMP/checks" 2>&1 <<'PY'
import json, sys
import lxml.etree as E
root = E.fromstring(json.load(open(sys.argv[1]))["AT"])
ST = "https://accessibility.ubuntu.example.org/ns/state"
CP = "https://accessibility.ubuntu.example.org/ns/component"
def check(cond, what):
    print(("ok - " if cond else "not ok - ") + what)
app = root.xpath('application[@name="Chromium"]')
check(len(app) == 1, "an application element named Chromium")
doc = root.xpath('//document-web[@name="deskd form"]')
check(len(doc) == 1, "the page as document-web, named by its title")
d = doc[0] if doc else E.Element("x")
h = d.xpath('.//heading[@name="Sign in"]')
check(len(h) == 1 and h[0].text == "Sign in", "its heading, with its text")
e = d.xpath('.//entry[@name="User name"]')
check(len(e) == 1 and e[0].text == "alice", "the entry named by its label, holding alice")
check(len(e) == 1 and e[0].get("{https://accessibility.ubuntu.example.org/ns/attributes}tag") == "input",
      "with attr:tag input")
c = d.xpath('.//check-box[@name="Remember me"]')
check(len(c) == 1 and c[0].get("{%s}checked" % ST) == "true", "the check box, checked")
b = d.xpath('.//push-button[@name="Submit"]')
check(len(b) == 1 and b[0].get("{%s}screencoord" % CP) is not None, "the Submit button, with cp:screencoord")
PY
cat "$T_TMP/checks"
grep -q '^not ok' "$T_TMP/checks" && T_FAILED=$((T_FAILED + 1))

$PY3 "$A11Y_REF" >"$T_TMP/ref.json" 2>"$T_TMP/ref.err"
ok $? "OSWorld's walk (pyatspi) runs on the same desktop"
http GET "$URL/accessibility" >/dev/null
cp "$T_TMP/body" "$T_TMP/ours2.json"
out=$($PY3 "$A11Y_CMP" "$T_TMP/ours2.json" "$T_TMP/ref.json")
ok $? "deskd's XML equals OSWorld's element by element ($out)"

code=$(http GET "$URL/v1/accessibility?app=chromium&role=push-button&name=Submit&visible=1")
is "$(json_get "$T_TMP/body" 'len(j["matches"])')" 1 "the native filter finds the visible Submit button"
is "$(json_get "$T_TMP/body" 'j["matches"][0]["bounds"]["width"] > 0')" true "with bounds"
exit 0
