# host/: deskctl, the host tool.
bin_PROGRAMS += host/deskctl
host_deskctl_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(CURL_CFLAGS) \
	$(EXPAT_CFLAGS)
host_deskctl_LDADD = proto/libdeskproto.a $(JANSSON_LIBS) $(CURL_LIBS) \
	$(EXPAT_LIBS)
host_deskctl_SOURCES = \
	host/deskctl.c
