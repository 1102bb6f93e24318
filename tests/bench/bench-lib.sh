# tests/bench/bench-lib.sh: what the benchmarks share.  Source with TOP and
# BUILD set.

# bench_build: configure $BUILD with -O2 (a tree of its own, so timings
# never come from the -O1 debug build of tests/run) and build it; exits
# when that fails.
bench_build() {
	(cd "$TOP" && [ -x configure ] || autoreconf -fi) >/dev/null 2>&1
	mkdir -p "$BUILD"
	(cd "$BUILD" && { [ -f Makefile ] ||
	    "$TOP/configure" CFLAGS="-O2 -g" >/dev/null; } &&
	    make -j"$(nproc)" >/dev/null) || { echo "build failed"; exit 1; }
}
