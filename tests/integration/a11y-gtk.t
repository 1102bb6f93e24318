#!/usr/bin/env bash
# The accessibility tree of a real GTK 3 window on at-spi2-core's bus:
# OSWorld's GET /accessibility (schema, roles, names, states, text,
# values, actions, cp:screencoord against xwininfo), the same document as
# OSWorld's own walk (tests/tools/osworld-a11y.py, pyatspi + lxml) element
# by element, the native /v1/accessibility with its filters, and
# GET /terminal without a terminal.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/a11y-lib.sh"
a11y_prereqs

start_xvfb 1280x800 || exit 1
start_a11y_bus || exit 1
start_gtk deskd-a11y-gtk || exit 1
start_deskd --no-auth || exit 1
wait_a11y_app deskd-a11y-gtk
ok $? "the GTK application registers on the bus and deskd sees it"

http GET "$URL/health" >/dev/null
is "$(json_get "$T_TMP/body" 'j["accessibility"]["bus"]')" "true" \
    "/health: the accessibility bus answers"

code=$(http GET "$URL/accessibility")
is "$code" 200 "/accessibility answers 200"
like "$(header Content-Type)" '^application/json' "/accessibility is JSON"
cp "$T_TMP/body" "$T_TMP/ours.json"
$PY3 - "$T_TMP/ours.json" "$GTK_WID" >"$T_TMP/checks" 2>&1 <<'PY'
import json, subprocess, sys
import lxml.etree as E
doc = json.load(open(sys.argv[1]))
xml = doc["AT"]
root = E.fromstring(xml)
ST = "https://accessibility.ubuntu.example.org/ns/state"
NS = {"st": ST, "attr": "https://accessibility.ubuntu.example.org/ns/attributes",
      "cp": "https://accessibility.ubuntu.example.org/ns/component",
      "val": "https://accessibility.ubuntu.example.org/ns/value",
      "act": "https://accessibility.ubuntu.example.org/ns/action"}
def check(cond, what):
    print(("ok - " if cond else "not ok - ") + what)
check(root.tag == "desktop-frame", "root element is desktop-frame")
check(xml.startswith('<desktop-frame xmlns:st="https://accessibility.ubuntu.example.org/ns/state" xmlns:attr='),
      "namespaces declared on the root, st first, no XML declaration")
check(root.nsmap.get("docattr") == "https://accessibility.ubuntu.example.org/ns/document/attributes"
      and len(root.nsmap) == 8, "all eight namespace prefixes")
check("partial" not in root.attrib, "the tree is whole (no partial mark)")
app = root.xpath('application[@name="deskd-a11y-gtk"]')
check(len(app) == 1, "one application element named by the program")
app = app[0]
frame = app.xpath('frame[@name="deskd a11y test"]')
check(len(frame) == 1, "its frame, named by the window title")
frame = frame[0]
def one(xp):
    r = app.xpath(xp, namespaces=NS)
    return r[0] if len(r) == 1 else None
save = one('//push-button[@name="Save"]')
check(save is not None, "push-button Save (tag from the role name)")
check(save is not None and save.get("{%s}focusable" % ST) == "true"
      and save.get("{%s}showing" % ST) == "true", "Save: st:focusable, st:showing")
check(save is not None and save.get("{%s}click_desc" % NS["act"]) == "Clicks the button"
      and save.get("{%s}click_kb" % NS["act"]) == "", "Save: act:click_desc and act:click_kb")
check(one('//push-button[@name="Cancel"]') is not None, "push-button Cancel")
entry = one('//text[@st:editable="true"]')
check(entry is not None and entry.text == "hello \u00e9t\u00e9 <&> world",
      "the entry's text, escaped and read back")
check(entry is not None and entry.get("{%s}single_line" % ST) == "true",
      "state names keep underscores (st:single_line)")
cb = one('//check-box[@name="Remember me"]')
check(cb is not None and cb.get("{%s}checked" % ST) == "true", "check-box checked")
check(one('//menu[@name="File"]') is not None, "menu File")
items = app.xpath('//menu[@name="File"]/menu-item/@name')
check(items == ["Open", "Quit"], "its menu items Open, Quit")
check(all(i.get("{%s}showing" % ST) is None and i.get("{%s}screencoord" % NS["cp"]) is None
          for i in app.xpath('//menu-item')), "closed menu items: not showing, no cp:")
sl = one('//slider')
check(sl is not None and sl.get("{%s}value" % NS["val"]) == "25.0"
      and sl.get("{%s}min" % NS["val"]) == "0.0" and sl.get("{%s}max" % NS["val"]) == "100.0",
      "slider: val:value 25.0, val:min 0.0, val:max 100.0 (Python floats)")
check(app.xpath('//menu-bar/@selection') == ["true"], "menu-bar: selection flag")
# cp: against the X server's own idea of the window.
geo = subprocess.run(["xwininfo", "-id", sys.argv[2]], capture_output=True, text=True).stdout
g = {}
for line in geo.splitlines():
    line = line.strip()
    for k in ("Absolute upper-left X", "Absolute upper-left Y", "Width", "Height"):
        if line.startswith(k + ":"):
            g[k] = int(line.split(":")[1])
want = "(%d, %d)" % (g["Absolute upper-left X"], g["Absolute upper-left Y"])
check(frame.get("{%s}screencoord" % NS["cp"]) == want,
      "frame cp:screencoord %s is xwininfo's %s" % (frame.get("{%s}screencoord" % NS["cp"]), want))
want = "(%d, %d)" % (g["Width"], g["Height"])
check(frame.get("{%s}size" % NS["cp"]) == want,
      "frame cp:size %s is xwininfo's %s" % (frame.get("{%s}size" % NS["cp"]), want))
x, y = eval(save.get("{%s}screencoord" % NS["cp"]))
w, h = eval(save.get("{%s}size" % NS["cp"]))
check(g["Absolute upper-left X"] <= x and x + w <= g["Absolute upper-left X"] + g["Width"]
      and g["Absolute upper-left Y"] <= y and y + h <= g["Absolute upper-left Y"] + g["Height"],
      "Save's box lies inside the window")
PY
cat "$T_TMP/checks"
grep -q '^not ok' "$T_TMP/checks" && T_FAILED=$((T_FAILED + 1))
grep -q '^ok' "$T_TMP/checks"
ok $? "the tree checks ran"

# The same desktop through OSWorld's own walk, element by element.
$PY3 "$A11Y_REF" >"$T_TMP/ref.json" 2>"$T_TMP/ref.err"
ok $? "OSWorld's walk (pyatspi) runs on the same desktop"
http GET "$URL/accessibility" >/dev/null
cp "$T_TMP/body" "$T_TMP/ours2.json"
out=$($PY3 "$A11Y_CMP" "$T_TMP/ours2.json" "$T_TMP/ref.json")
ok $? "deskd's XML equals OSWorld's element by element ($out)"
[ "$(json_get "$T_TMP/ours2.json" 'j["AT"]')" = "$(json_get "$T_TMP/ref.json" 'j["AT"]')" ]
ok $? "and byte for byte"

# Native form.
code=$(http GET "$URL/v1/accessibility?role=push-button&name=save")
is "$code" 200 "/v1/accessibility?role=push-button&name=save answers 200"
is "$(json_get "$T_TMP/body" 'len(j["matches"])')" 1 "the filter finds one button"
is "$(json_get "$T_TMP/body" 'j["matches"][0]["name"]')" "Save" "named Save"
is "$(json_get "$T_TMP/body" 'j["matches"][0]["app"]')" "deskd-a11y-gtk" "in the GTK application"
sx=$($PY3 -c 'import json,sys,re; j=json.load(open(sys.argv[1])); x=json.load(open(sys.argv[2])); import lxml.etree as E; r=E.fromstring(x["AT"]); s=r.xpath("//push-button[@name=\"Save\"]")[0]; b=j["matches"][0]["bounds"]; print("%s %s" % (s.get("{https://accessibility.ubuntu.example.org/ns/component}screencoord"), "(%d, %d)" % (b["x"], b["y"])))' "$T_TMP/body" "$T_TMP/ours2.json")
is "${sx% (*}" "${sx#*) }" "its bounds are the XML's cp:screencoord (screen pixels)"
is "$(json_get "$T_TMP/body" '"click" in [a["name"] for a in j["matches"][0]["actions"]]')" true \
    "its actions list click"
code=$(http GET "$URL/v1/accessibility?role=menu-item")
is "$(json_get "$T_TMP/body" '[m["name"] for m in j["matches"]]')" '["Open", "Quit"]' \
    "role=menu-item finds the closed menu's items"
code=$(http GET "$URL/v1/accessibility?role=menu-item&visible=1")
is "$(json_get "$T_TMP/body" 'len(j["matches"])')" 0 "visible=1 leaves them out (not showing)"
code=$(http GET "$URL/v1/accessibility?app=DESKD-A11Y-GTK")
is "$code" 200 "app= filter (any case)"
is "$(json_get "$T_TMP/body" '[a["name"] for a in j["tree"]["children"]]')" '["deskd-a11y-gtk"]' \
    "app= keeps only that application"
is "$(json_get "$T_TMP/body" 'j["tree"]["role"]')" "desktop frame" "the tree's root is the desktop frame"
code=$(http GET "$URL/v1/accessibility?app=nosuchapp")
is "$(json_get "$T_TMP/body" 'j["tree"].get("children", [])')" "[]" "an unknown app= gives an empty desktop"
code=$(http GET "$URL/v1/accessibility?format=xml")
is "$code" 200 "format=xml answers 200"
like "$(header Content-Type)" '^application/xml' "as application/xml"
[ "$(body)" = "$(json_get "$T_TMP/ours2.json" 'j["AT"]')" ]
ok $? "format=xml is /accessibility's document"

# Bad input: 400 JSON, named.
code=$(http GET "$URL/v1/accessibility?budget_ms=0")
is "$code" 400 "budget_ms=0: 400"
like "$(body)" 'budget_ms' "the error names budget_ms"
code=$(http GET "$URL/v1/accessibility?budget_ms=abc")
is "$code" 400 "budget_ms=abc: 400"
code=$(http GET "$URL/accessibility?budget_ms=999999999")
is "$code" 400 "/accessibility budget_ms over the limit: 400"
is "$(json_get "$T_TMP/body" 'j["status"]')" "error" "in OSWorld's error shape"
code=$(http GET "$URL/v1/accessibility?format=html")
is "$code" 400 "format=html: 400"
code=$(http GET "$URL/v1/accessibility?format=xml&role=push-button")
is "$code" 400 "role= with format=xml: 400"
code=$(http GET "$URL/v1/accessibility?visible=maybe")
is "$code" 400 "visible=maybe: 400"
long=$(head -c 2000 /dev/zero | tr '\0' a)
code=$(http GET "$URL/v1/accessibility?name=$long")
is "$code" 400 "a 2000-byte name=: 400"

code=$(http GET "$URL/terminal")
is "$code" 200 "/terminal answers 200"
is "$(body)" '{"output":null,"status":"success"}' "no terminal: output null"

kill -0 "$DESKD_PID"
ok $? "deskd is still running"
stop_deskd
ok $? "deskd stops cleanly (no leak)"
sanitizer_clean "$DESKD_LOG"
ok $? "no sanitizer report in deskd's log"
exit 0
