#!/bin/sh
# embed.sh NAME FILE: print C source defining FILE's bytes as the string
# NAME and its length NAME_len (the live view page is compiled in this
# way, so deskd serves it with nothing installed beside the binary).
set -eu
printf '/* Generated from %s by agent/embed.sh: do not edit. */\n' "${2##*/}"
printf '#include <stddef.h>\n\nconst char %s[] =\n' "$1"
sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/??/?\\?/g' -e 's/^/"/' -e 's/$/\\n"/' "$2"
printf ';\nconst size_t %s_len = sizeof %s - 1;\n' "$1" "$1"
