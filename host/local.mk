# host/: deskctl, the host tool.
bin_PROGRAMS += host/deskctl
HOST_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) \
	$(CURL_CFLAGS) $(EXPAT_CFLAGS)
host_deskctl_CFLAGS = $(HOST_CFLAGS)
host_deskctl_LDADD = proto/libdeskproto.a common/libdeskcommon.a $(JANSSON_LIBS) $(CURL_LIBS) \
	$(EXPAT_LIBS) -lm
host_deskctl_SOURCES = \
	host/aws.c host/aws.h \
	host/client.c host/client.h \
	host/cmd.c host/cmd.h \
	host/creds.c host/creds.h \
	host/deskctl.c host/deskctl.h \
	host/ec2.c host/ec2.h \
	host/guest.c host/guest.h \
	host/local.c host/local.h \
	host/network.c host/network.h \
	host/provider.c host/provider.h \
	host/provider_ec2.c \
	host/query.c host/query.h \
	host/state.c host/state.h \
	host/util.c host/util.h \
	host/verb.c host/verb.h \
	host/wait.c host/wait.h \
	host/xml.c host/xml.h

