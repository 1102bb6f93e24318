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
	agent/cdp_rewrite.c tests/unit/tst.h
tests_unit_test_cdp_rewrite_LDADD = common/libdeskcommon.a $(JANSSON_LIBS)

UNIT_TESTS += tests/unit/test-multipart
tests_unit_test_multipart_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_multipart_SOURCES = tests/unit/test-multipart.c \
	agent/multipart.c
tests_unit_test_multipart_LDADD = common/libdeskcommon.a

UNIT_TESTS += tests/unit/test-pngenc
tests_unit_test_pngenc_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_pngenc_SOURCES = tests/unit/test-pngenc.c agent/pngenc.c \
	tests/unit/tst.h
tests_unit_test_pngenc_LDADD = common/libdeskcommon.a $(LIBEVENT_LIBS) $(PNG_LIBS) \
	$(ISAL_LIBS)

UNIT_TESTS += tests/unit/test-shlex
tests_unit_test_shlex_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_shlex_SOURCES = tests/unit/test-shlex.c \
	agent/shlex.c
tests_unit_test_shlex_LDADD = common/libdeskcommon.a

UNIT_TESTS += tests/unit/test-proc
tests_unit_test_proc_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_proc_SOURCES = tests/unit/test-proc.c \
	agent/proc.c agent/deskd.c
tests_unit_test_proc_LDADD = proto/libdeskproto.a common/libdeskcommon.a \
	$(LIBEVENT_LIBS) $(JANSSON_LIBS)

# Unit tests of the pure parts (query encoding, XML, credential files,
# durations, address map).
UNIT_TESTS += tests/unit/test-deskctl
tests_unit_test_deskctl_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) \
	$(CURL_CFLAGS) $(EXPAT_CFLAGS) -I$(top_srcdir)/host
tests_unit_test_deskctl_SOURCES = tests/unit/test-deskctl.c \
	host/query.c host/xml.c host/ec2.c host/aws.c host/creds.c \
	host/util.c host/wait.c host/state.c host/network.c
tests_unit_test_deskctl_LDADD = proto/libdeskproto.a common/libdeskcommon.a $(JANSSON_LIBS) \
	$(CURL_LIBS) $(EXPAT_LIBS)

UNIT_TESTS += tests/unit/test-keys
tests_unit_test_keys_CFLAGS = $(TEST_CFLAGS) $(XKB_CFLAGS)
tests_unit_test_keys_SOURCES = tests/unit/test-keys.c agent/keys.c
tests_unit_test_keys_LDADD = proto/libdeskproto.a common/libdeskcommon.a \
	$(X11_LIBS) $(XKB_LIBS)

UNIT_TESTS += tests/unit/test-action
tests_unit_test_action_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_action_SOURCES = tests/unit/test-action.c
tests_unit_test_action_LDADD = proto/libdeskproto.a $(JANSSON_LIBS) -lm

# proto/: one UTF-8 decoder and one base64, shared by deskd and deskctl.
UNIT_TESTS += tests/unit/test-utf8
tests_unit_test_utf8_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_utf8_SOURCES = tests/unit/test-utf8.c tests/unit/tst.h
tests_unit_test_utf8_LDADD = proto/libdeskproto.a

UNIT_TESTS += tests/unit/test-base64
tests_unit_test_base64_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_base64_SOURCES = tests/unit/test-base64.c tests/unit/tst.h
tests_unit_test_base64_LDADD = proto/libdeskproto.a

UNIT_TESTS += tests/unit/test-ws
tests_unit_test_ws_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_ws_SOURCES = tests/unit/test-ws.c agent/ws.c \
	agent/http.c agent/auth.c agent/deskd.c agent/worker.c \
	tests/unit/tst.h
tests_unit_test_ws_LDADD = proto/libdeskproto.a common/libdeskcommon.a \
	$(LIBEVENT_LIBS) $(JANSSON_LIBS)

UNIT_TESTS += tests/unit/test-vendor
tests_unit_test_vendor_CFLAGS = $(TEST_CFLAGS) $(XKB_CFLAGS)
tests_unit_test_vendor_SOURCES = tests/unit/test-vendor.c agent/vendor.c \
	agent/vendor_anthropic.c agent/vendor_gemini.c agent/vendor_openai.c \
	agent/vendor_osworld.c agent/keys.c tests/unit/tst.h
tests_unit_test_vendor_LDADD = proto/libdeskproto.a common/libdeskcommon.a \
	$(LIBEVENT_LIBS) $(JANSSON_LIBS) $(X11_LIBS) $(XKB_LIBS) -lm

UNIT_TESTS += tests/unit/test-a11y-tree
tests_unit_test_a11y_tree_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_a11y_tree_SOURCES = tests/unit/test-a11y-tree.c \
	agent/a11y_tree.c tests/unit/tst.h
tests_unit_test_a11y_tree_LDADD = common/libdeskcommon.a $(LIBEVENT_LIBS) \
	$(JANSSON_LIBS) -lm

UNIT_TESTS += tests/unit/test-domkey
tests_unit_test_domkey_CFLAGS = $(TEST_CFLAGS) $(XKB_CFLAGS)
tests_unit_test_domkey_SOURCES = tests/unit/test-domkey.c agent/domkey.c \
	agent/keys.c tests/unit/tst.h
tests_unit_test_domkey_LDADD = proto/libdeskproto.a common/libdeskcommon.a \
	$(X11_LIBS) $(XKB_LIBS) $(JANSSON_LIBS) -lm

UNIT_TESTS += tests/unit/test-mcp
tests_unit_test_mcp_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_mcp_SOURCES = tests/unit/test-mcp.c \
	agent/mcp_catalog.c agent/mcp_schema.c tests/unit/tst.h
tests_unit_test_mcp_LDADD = proto/libdeskproto.a common/libdeskcommon.a \
	$(JANSSON_LIBS)

# deskctl pool: Auto Scaling and template forms, answers, claims, user
# data, sealed tokens.
UNIT_TESTS += tests/unit/test-pool
tests_unit_test_pool_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) \
	$(CURL_CFLAGS) $(EXPAT_CFLAGS) $(SODIUM_CFLAGS) -I$(top_srcdir)/host
tests_unit_test_pool_SOURCES = tests/unit/test-pool.c \
	host/asg.c host/claim.c host/seal.c host/userdata.c host/query.c \
	host/xml.c host/ec2.c host/aws.c host/creds.c host/util.c host/wait.c \
	host/state.c
tests_unit_test_pool_LDADD = proto/libdeskproto.a common/libdeskcommon.a \
	$(JANSSON_LIBS) $(CURL_LIBS) $(EXPAT_LIBS) $(SODIUM_LIBS)
