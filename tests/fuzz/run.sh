#!/usr/bin/env bash
# tests/fuzz/run.sh SECONDS: build the libFuzzer targets with clang and run
# each for SECONDS on its corpus.  Prints ok/not ok lines for tests/run.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-20}
out=$TOP/tests/out/fuzz
mkdir -p "$out"
if ! command -v clang >/dev/null; then
	echo "skip - fuzzing: clang is not installed"
	exit 0
fi
CFLAGS="-g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -I$TOP/common -I$TOP/agent -I$TOP/proto -I$TOP/host"
LIBS="$(pkg-config --cflags --libs libevent_core libevent_pthreads jansson)"
build() {	# build NAME SOURCES...
	local name=$1
	shift
	clang $CFLAGS -o "$out/$name" "$@" $LIBS $EXTRA -lm >"$out/$name.build.log" 2>&1
}
run() {		# run NAME
	local name=$1 corpus=$TOP/tests/fuzz/corpus-${1#fuzz-}
	mkdir -p "$out/$name.corpus"
	"$out/$name" -max_total_time="$secs" -max_len=4096 -timeout=10 \
	    -rss_limit_mb=1024 -print_final_stats=1 -artifact_prefix="$out/$name-" \
	    "$out/$name.corpus" "$corpus" >"$out/$name.log" 2>&1
}
for t in "$TOP"/tests/fuzz/fuzz-*.c; do
	name=$(basename "$t" .c)
	srcs=("$t")
	# Each target names the agent/proto sources it links in its header.
	while read -r f; do srcs+=("$TOP/$f"); done < <(sed -n 's/^ \* links: //p' "$t" | tr ' ' '\n' | grep .)
	# ... and the pkg-config packages it needs beyond libevent and jansson.
	EXTRA=
	pkgs=$(sed -n 's/^ \* pkgs: //p' "$t")
	[ -z "$pkgs" ] || EXTRA=$(pkg-config --cflags --libs $pkgs)
	if ! build "$name" "${srcs[@]}"; then
		echo "not ok - $name builds"
		tail -n 20 "$out/$name.build.log" | sed 's/^/# /'
		continue
	fi
	if run "$name"; then
		echo "ok - $name: $(grep -o 'stat::number_of_executed_units: [0-9]*' "$out/$name.log" | cut -d' ' -f2) runs in ${secs}s, no crash"
	else
		echo "not ok - $name found a crash"
		grep -E 'ERROR|SUMMARY|runtime error' "$out/$name.log" | head -n 10 | sed 's/^/# /'
	fi
done
