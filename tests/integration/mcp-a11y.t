#!/usr/bin/env bash
# mcp-a11y: the accessibility_tree tool of deskd's MCP server through the
# official SDK, on a real GTK 3 window on at-spi2-core's bus: the element
# "where is the Save button", the same answer as GET /v1/accessibility,
# OSWorld's XML form, and arguments only the JSON form takes.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/a11y-lib.sh"
source "$TOP/tests/mcp-lib.sh"
a11y_prereqs
mcp_requirements

start_xvfb 1280x800 || exit 1
start_a11y_bus || exit 1
start_gtk deskd-mcp-gtk || exit 1
start_deskd --no-auth || exit 1
wait_a11y_app deskd-mcp-gtk
ok $? "the GTK application is on the bus"

mcp_sdk '[{"call":"accessibility_tree","args":{"app":"deskd-mcp-gtk","role":"push button","name":"Save"}},{"call":"accessibility_tree","args":{"app":"deskd-mcp-gtk","format":"xml"}},{"call":"accessibility_tree","args":{"format":"xml","role":"push button"}},{"call":"accessibility_tree","args":{"budget_ms":0}}]' \
    http "$URL" -
is "$(mcp_get 'j["results"][0]["isError"]')" false "accessibility_tree answers"
is "$(mcp_get '[m["name"] for m in json.loads(j["results"][0]["content"][0]["text"])["matches"]]')" \
    '["Save"]' "  role and name find the Save button"
http GET "$URL/v1/accessibility?app=deskd-mcp-gtk&role=push%20button&name=Save&visible=1" >/dev/null
is "$(mcp_get '[(m["role"], m["name"], m["bounds"]) for m in json.loads(j["results"][0]["content"][0]["text"])["matches"]]')" \
    "$(json_get "$T_TMP/body" '[(m["role"], m["name"], m["bounds"]) for m in j["matches"]]')" \
    "  the same element and bounds as GET /v1/accessibility"
like "$(mcp_text 1)" '^<desktop-frame .*name="Save"' "format xml: OSWorld's XML, with the button"
is "$(mcp_get 'j["results"][2]["isError"]')" true "xml with a role filter: isError"
like "$(mcp_text 2)" 'JSON form only' "  saying why"
like "$(mcp_text 3)" 'arguments.budget_ms: must be at least 1' "budget_ms 0: refused by the schema"
sanitizer_clean "$DESKD_LOG"
ok $? "no sanitizer report in deskd's log"
