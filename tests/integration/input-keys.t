#!/usr/bin/env bash
# input-keys: typing and key names through POST /v1/computer, checked
# against what a real X client (xrecord) received.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../input-lib.sh"

start_xvfb 1280x800 || exit 1
start_recorder || exit 1
start_deskd --no-auth || exit 1

type_is 'Hello, World! 0123456789' "ASCII text"
type_is '~`!@#$%^&*()_+-=[]{}|\;:'"'"'",.<>/? ' "every shifted and unshifted symbol"
type_is "$(printf 'line one\nline two\tafter tab')" "\\n is Return and \\t is Tab"
type_is '' "empty text is fine"

# A chord: modifiers first, the key with their state, release in reverse.
m=$(rec_mark)
st=$(act '{"action":"key","text":"ctrl+shift+t"}')
is "$st" 200 "key ctrl+shift+t answers 200"
rec_sync "$m"
is "$(rec_events "$m" | awk '{print $1, $2, $4}' | tr '\n' '|')" \
    "KeyPress keysym=Control_L state=0x0|KeyPress keysym=Shift_L state=0x4|KeyPress keysym=T state=0x5|KeyRelease keysym=T state=0x5|KeyRelease keysym=Shift_L state=0x5|KeyRelease keysym=Control_L state=0x4|" \
    "ctrl+shift+t arrives with both modifiers, released in reverse"

# A sequence of chords separated by spaces.
m=$(rec_mark)
act '{"action":"key","text":"ctrl+a BackSpace"}' >/dev/null
rec_sync "$m"
is "$(rec_events "$m" | awk '$1 == "KeyPress" {print $2, $4}' | tr '\n' '|')" \
    "keysym=Control_L state=0x0|keysym=a state=0x4|keysym=BackSpace state=0x0|" \
    "ctrl+a BackSpace: a with Control, then BackSpace alone"

# Aliases and case rules.
m=$(rec_mark)
act '{"action":"key","text":"cmd+c esc enter pgdn pgup arrowleft Delete f5"}' >/dev/null
rec_sync "$m"
is "$(rec_events "$m" | awk '$1 == "KeyPress" {print $2}' | tr '\n' ' ')" \
    "keysym=Super_L keysym=c keysym=Escape keysym=Return keysym=Next keysym=Prior keysym=Left keysym=Delete keysym=F5 " \
    "aliases cmd, esc, enter, pgdn, pgup, arrowleft, f5"
m=$(rec_mark)
act '{"action":"key","text":"ctrl+L"}' >/dev/null
rec_sync "$m"
like "$(rec_events "$m" | grep '^KeyPress keysym=L ')" 'state=0x5' \
    "ctrl+L is ctrl+shift+l, as in xdotool"
m=$(rec_mark)
act '{"action":"key","text":"ctrl+plus ctrl+minus"}' >/dev/null
rec_sync "$m"
is "$(rec_events "$m" | awk '$1 == "KeyPress" && $2 != "keysym=Control_L" {print $2}' | tr '\n' ' ')" \
    "keysym=Shift_L keysym=plus keysym=minus " \
    "ctrl+plus (shift+equal on this keymap) and ctrl+minus"
m=$(rec_mark)
act '{"action":"key","text":"ctrl+€"}' >/dev/null
rec_sync "$m"
like "$(rec_events "$m" | grep '^KeyPress keysym=EuroSign')" 'state=0x4' \
    "a key off the keymap (EuroSign) still arrives with its modifier"

# Unknown names: 400 naming them, nothing pressed at all.
m=$(rec_mark)
st=$(act '{"action":"key","text":"ctrl+shift+bogus"}')
is "$st" 400 "unknown key name gets 400"
like "$(body)" 'unknown key name .*bogus' "the error names the unknown key"
nothing_injected "$m" "nothing was pressed for an unknown key"
m=$(rec_mark)
st=$(act '{"action":"key","text":"a b c Returnn"}')
is "$st" 400 "a bad name late in a sequence gets 400"
nothing_injected "$m" "not even the good names before it were pressed"
m=$(rec_mark)
st=$(act '{"action":"type","text":"ab\u0007c"}')
is "$st" 400 "a control character in text gets 400"
like "$(body)" 'U\+0007' "the error names the character"
nothing_injected "$m" "nothing typed for bad text"
st=$(act '{"action":"key","text":""}')
is "$st" 400 "empty key text gets 400"

# hold_key: down for the duration, then up.
m=$(rec_mark)
st=$(act '{"action":"hold_key","text":"shift","duration":0.3}')
is "$st" 200 "hold_key answers 200"
rec_sync "$m"
is "$(rec_events "$m" | awk '{print $1, $2}' | tr '\n' '|')" \
    "KeyPress keysym=Shift_L|KeyRelease keysym=Shift_L|" "hold_key presses and releases"

# A per-key delay on timers still types exactly.
m=$(rec_mark)
st=$(act '{"action":"type","text":"slow é","delay_ms":20}')
is "$st" 200 "type with delay_ms answers 200"
rec_sync "$m"
is "$(rec_text "$m")" "slow é" "type with delay_ms is exact"

# Caps Lock left on by an earlier key action does not change typed text.
m=$(rec_mark)
act '{"action":"key","text":"Caps_Lock"}' >/dev/null
rec_sync "$m"
type_is 'Hello World, éÉ' "typing is exact with Caps Lock on"
m=$(rec_mark)
act '{"action":"left_click","coordinate":[5,5]}' >/dev/null
rec_sync "$m"
like "$(rec_events "$m" | grep '^ButtonPress')" 'state=0x2$' \
    "Caps Lock is locked again after typing"
act '{"action":"key","text":"Caps_Lock"}' >/dev/null
type_is 'Hello again' "and after Caps Lock is off again"

# Every press has its release: nothing left down.
is "$(grep -c '^KeyPress' "$REC_LOG")" "$(grep -c '^KeyRelease' "$REC_LOG")" \
    "every KeyPress has its KeyRelease"
stop_deskd
ok $? "deskd exits cleanly"
sanitizer_clean "$DESKD_LOG"
ok $? "no sanitizer report"
