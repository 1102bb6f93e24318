#!/usr/bin/env bash
# view-deskctl: deskctl view prints a live view URL with a fresh view token
# that opens /view without the main token (view-only unless --control);
# --open hands it to xdg-open.
source "$(dirname "$0")/../lib.sh"

start_xvfb
TOKEN=main-token-$RANDOM$RANDOM
echo "$TOKEN" >"$T_TMP/token"
start_deskd --token-file "$T_TMP/token"

link=$("$DESKCTL" view "$URL" --token-file "$T_TMP/token")
is "$?" 0 "deskctl view URL exits 0"
like "$link" "^http://127\\.0\\.0\\.1:$PORT/view\\?token=[0-9a-f]{48}\$" \
    "it prints AGENT/view?token=..."
st=$(http GET "$link")
is "$st" 200 "the URL opens the page without the main token"
st=$(http GET "$URL/v1/screenshot?token=${link##*=}")
is "$st" 401 "  and its token opens nothing else"

j=$("$DESKCTL" view "$URL" --token-file "$T_TMP/token" --control --ttl 5m --json)
is "$(python3 -c 'import json,sys; j=json.loads(sys.argv[1]); print(j["control"], j["expires_in"], j["url"].startswith(sys.argv[2] + "/view?token="))' "$j" "$URL")" \
    "True 300 True" "--control --ttl 5m --json: a control token for 300 s, with its url"

# xdg-open with no display and no desktop runs $BROWSER with the URL (here
# echo, so what it was given lands on the same stdout).
env -u DISPLAY BROWSER="echo opened %s" "$DESKCTL" view "$URL" --token-file "$T_TMP/token" \
    --open >"$T_TMP/printed"
is "$?" 0 "--open exits 0"
is "$(sed -n 2p "$T_TMP/printed")" "opened $(sed -n 1p "$T_TMP/printed")" \
    "--open hands the printed URL to xdg-open"

"$DESKCTL" view "$URL" --token-file /dev/null >/dev/null 2>"$T_TMP/err"
is "$?" 1 "without the main token: exit 1"
like "$(cat "$T_TMP/err")" '401|unauthorized|token' "  saying why"
"$DESKCTL" view >/dev/null 2>&1
is "$?" 2 "no ID: usage, exit 2"

stop_deskd
is $? 0 "deskd exits cleanly"
sanitizer_clean "$DESKD_LOG"
ok $? "no sanitizer report"
