# tests/: unit tests and the X/PNG tools the integration tests use.
TEST_CFLAGS = $(AM_CFLAGS) -I$(top_srcdir)/agent $(LIBEVENT_CFLAGS) \
	$(JANSSON_CFLAGS) $(X11_CFLAGS) $(PNG_CFLAGS)

noinst_PROGRAMS += tests/tools/xclient tests/tools/pngcheck
tests_tools_xclient_CFLAGS = $(TEST_CFLAGS) $(XKB_CFLAGS)
tests_tools_xclient_LDADD = $(X11_LIBS) $(XKB_LIBS)
tests_tools_xclient_SOURCES = tests/tools/xclient.c
tests_tools_pngcheck_CFLAGS = $(TEST_CFLAGS)
tests_tools_pngcheck_LDADD = $(PNG_LIBS)
tests_tools_pngcheck_SOURCES = tests/tools/pngcheck.c

# xrecord: a focused window that prints every key, button and motion event.
noinst_PROGRAMS += tests/tools/xrecord
tests_tools_xrecord_CFLAGS = $(TEST_CFLAGS)
tests_tools_xrecord_LDADD = $(X11_LIBS)
tests_tools_xrecord_SOURCES = tests/tools/xrecord.c

# Unit tests: each a small program linked with only what it tests.
UNIT_TESTS =
include $(srcdir)/tests/unit/local.mk
check_PROGRAMS += $(UNIT_TESTS)
# `make check` runs the unit tests; tests/run runs those and everything else.
TESTS = $(UNIT_TESTS)

# Benchmarks (tests/bench/*.sh run them; not part of tests/run).
noinst_PROGRAMS += tests/bench/shotbench
tests_bench_shotbench_CFLAGS = $(TEST_CFLAGS)
tests_bench_shotbench_LDADD = $(X11_LIBS) $(PNG_LIBS)
tests_bench_shotbench_SOURCES = tests/bench/shotbench.c tests/bench/benchpage.h
if HAVE_LIBDEFLATE
noinst_PROGRAMS += tests/bench/codecbench
tests_bench_codecbench_CFLAGS = $(TEST_CFLAGS) $(ISAL_CFLAGS) $(LIBDEFLATE_CFLAGS)
tests_bench_codecbench_LDADD = $(X11_LIBS) $(PNG_LIBS) $(ISAL_LIBS) $(LIBDEFLATE_LIBS)
tests_bench_codecbench_SOURCES = tests/bench/codecbench.c tests/bench/benchpage.h
endif
