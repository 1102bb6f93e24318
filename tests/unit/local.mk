# Unit tests (tests/unit/test-*.c); tests/run runs every one built here.
UNIT_TESTS += tests/unit/test-http-parse
tests_unit_test_http_parse_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_http_parse_SOURCES = tests/unit/test-http-parse.c \
	agent/http.c agent/auth.c agent/deskd.c agent/worker.c \
	tests/unit/tst.h
tests_unit_test_http_parse_LDADD = proto/libdeskproto.a common/libdeskcommon.a $(LIBEVENT_LIBS) \
	$(JANSSON_LIBS)

UNIT_TESTS += tests/unit/test-cdp-rewrite
tests_unit_test_cdp_rewrite_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_cdp_rewrite_SOURCES = tests/unit/test-cdp-rewrite.c \
	agent/cdp.c agent/http.c agent/auth.c agent/health.c \
	agent/display.c agent/deskd.c agent/worker.c \
	tests/unit/tst.h
tests_unit_test_cdp_rewrite_LDADD = proto/libdeskproto.a common/libdeskcommon.a $(LIBEVENT_LIBS) \
	$(JANSSON_LIBS) $(X11_LIBS)

UNIT_TESTS += tests/unit/test-multipart
tests_unit_test_multipart_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_multipart_SOURCES = tests/unit/test-multipart.c \
	agent/multipart.c
tests_unit_test_multipart_LDADD = common/libdeskcommon.a

UNIT_TESTS += tests/unit/test-pngenc
tests_unit_test_pngenc_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_pngenc_SOURCES = tests/unit/test-pngenc.c agent/pngenc.c \
	tests/unit/tst.h
tests_unit_test_pngenc_LDADD = common/libdeskcommon.a $(LIBEVENT_LIBS) $(PNG_LIBS)

UNIT_TESTS += tests/unit/test-shlex
tests_unit_test_shlex_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_shlex_SOURCES = tests/unit/test-shlex.c \
	agent/shlex.c
tests_unit_test_shlex_LDADD = common/libdeskcommon.a

UNIT_TESTS += tests/unit/test-proc
tests_unit_test_proc_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_proc_SOURCES = tests/unit/test-proc.c \
	agent/proc.c agent/deskd.c
tests_unit_test_proc_LDADD = common/libdeskcommon.a $(LIBEVENT_LIBS) $(JANSSON_LIBS)

# Unit tests of the pure parts (query encoding, XML, credential files,
# durations, address map).
UNIT_TESTS += tests/unit/test-deskctl
tests_unit_test_deskctl_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) \
	$(CURL_CFLAGS) $(EXPAT_CFLAGS) -I$(top_srcdir)/host
tests_unit_test_deskctl_SOURCES = tests/unit/test-deskctl.c \
	host/query.c host/xml.c host/ec2.c host/aws.c host/creds.c \
	host/util.c host/wait.c host/local.c host/state.c
tests_unit_test_deskctl_LDADD = proto/libdeskproto.a common/libdeskcommon.a $(JANSSON_LIBS) \
	$(CURL_LIBS) $(EXPAT_LIBS)

UNIT_TESTS += tests/unit/test-keys
tests_unit_test_keys_CFLAGS = $(TEST_CFLAGS) $(XKB_CFLAGS)
tests_unit_test_keys_SOURCES = tests/unit/test-keys.c agent/keys.c
tests_unit_test_keys_LDADD = proto/libdeskproto.a common/libdeskcommon.a $(X11_LIBS) $(XKB_LIBS) \
	$(JANSSON_LIBS) -lm
