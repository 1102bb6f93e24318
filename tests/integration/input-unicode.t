#!/usr/bin/env bash
# input-unicode: exact Unicode typing.  Characters off the keymap are bound
# to spare keycodes in one batch, typed, and the map restored; checked
# against what a real X client read with Xutf8LookupString, on the default
# layout, on a German one, for 10,000 characters and on an empty keymap.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../input-lib.sh"

start_xvfb 1280x800 || exit 1
start_recorder || exit 1
start_deskd --no-auth || exit 1

spare0=$(spare_count)
type_is 'café crème brûlée, naïve Ångström, Smørrebrød, Łódź, ¿Qué? ¡Sí! €5 £3 ¥7' \
    "accented Latin and currency signs"
type_is 'ÀÉÎÕÜ ÇÑ ÆØÅ Ÿ' "accented capitals arrive as capitals"
type_is 'Αλφάβητο: αβγδεζηθικλμνξοπρσςτυφχψω ΑΒΓΔ' "Greek"
type_is 'Съешь же ещё этих мягких французских булок, да выпей чаю. Ёё Щщ' "Cyrillic"
type_is '中文输入测试：你好，世界。日本語のテキスト、한국어 텍스트' "CJK"
type_is '😀🎉👍🚀❤️ 🇩🇪 👩‍💻 ✓ → ∞ ≠ ½' "emoji, joiners, flags and symbols"
type_is 'a中b😀c\nd é\tf' "mixed scripts with newline and tab"
is "$(spare_count)" "$spare0" "spare keycodes are empty again after typing"

# More distinct characters than spare keycodes: typed in chunks.
many=$(python3 -c 'print("".join(chr(c) for c in range(0x4e00, 0x4e00 + 120)))')
type_is "$many" "120 distinct CJK characters (more than the spare keycodes)"
is "$(spare_count)" "$spare0" "spare keycodes restored after chunked typing"

# The same text on a German layout: y/z swapped, @ and { on AltGr, umlauts
# on their own keys.
setxkbmap -display "$DISPLAY" de
like "$(setxkbmap -display "$DISPLAY" -query)" 'layout: +de' "layout is now de"
spare_de=$(spare_count)
type_is 'yz YZ @{[]}\~| äöü ÄÖÜ ß § ° µ' "German layout: keys that moved or need AltGr"
type_is 'café Αλφάβητο Съешь 中文 😀 Hello, World! 0123456789' \
    "German layout: the same mixed text"
is "$(spare_count)" "$spare_de" "spare keycodes restored on the German layout"
setxkbmap -display "$DISPLAY" us

# 10,000 characters, mixed.
big=$(python3 -c '
import random
random.seed(7)
pool = ("abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    ",.;:!?()[]{}<>@#$%&*+-=/\\|\"'"'"'" "éèàùçäöüßñ€" "αβγδεζ"
    "абвгдеж" "中文日本語" "😀🎉")
print("".join(random.choice(pool) for _ in range(10000)), end="")')
is "${#big}" 10000 "10,000 characters generated"
type_is "$big" "10,000 mixed characters typed exactly"
is "$(spare_count)" "$spare0" "spare keycodes restored after 10,000 characters"

# An empty keymap (no keysyms, no modifiers, so no Shift either): every
# character goes on a spare keycode at level one.  The empty table once
# reached qsort as NULL (undefined behaviour, UBSan reports it), and a
# capital bound at level two came out in lower case with no Shift to
# reach it.
{ for m in shift lock control mod1 mod2 mod3 mod4 mod5; do echo "clear $m"; done
  for k in $(seq 8 255); do echo "keycode $k ="; done; } | xmodmap -
is "$(xmodmap -pke | awk 'NF > 3' | wc -l)" 0 "the keymap is empty"
type_is 'aB€ é Zz' "typing on an empty keymap, capitals included"
setxkbmap -display "$DISPLAY" us
type_is 'back to us' "typing after the keymap comes back"

is "$(grep -c '^KeyPress' "$REC_LOG")" "$(grep -c '^KeyRelease' "$REC_LOG")" \
    "every KeyPress has its KeyRelease"
stop_deskd
ok $? "deskd exits cleanly"
sanitizer_clean "$DESKD_LOG"
ok $? "no sanitizer report"
