# proto/: the wire contract shared by deskd and deskctl.
noinst_LIBRARIES += proto/libdeskproto.a
proto_libdeskproto_a_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
proto_libdeskproto_a_SOURCES = \
	proto/base64.c proto/base64.h \
	proto/deskproto.h \
	proto/error.c \
	proto/jsonrpc.c proto/jsonrpc.h \
	proto/utf8.c proto/utf8.h
proto_libdeskproto_a_SOURCES += proto/action.c proto/action.h
