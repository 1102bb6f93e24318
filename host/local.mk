# host/: deskctl, the host tool.
bin_PROGRAMS += host/deskctl
HOST_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) \
	$(CURL_CFLAGS) $(EXPAT_CFLAGS) $(SODIUM_CFLAGS)
host_deskctl_CFLAGS = $(HOST_CFLAGS)
host_deskctl_LDADD = proto/libdeskproto.a common/libdeskcommon.a $(JANSSON_LIBS) $(CURL_LIBS) \
	$(EXPAT_LIBS) $(SODIUM_LIBS) -lm
host_deskctl_SOURCES = \
	host/asg.c host/asg.h \
	host/aws.c host/aws.h \
	host/bridge.c host/bridge.h \
	host/claim.c host/claim.h \
	host/client.c host/client.h \
	host/cmd.c host/cmd.h \
	host/creds.c host/creds.h \
	host/deskctl.c host/deskctl.h \
	host/ec2.c host/ec2.h \
	host/guest.c host/guest.h \
	host/local.c host/local.h \
	host/network.c host/network.h \
	host/pool.c host/pool.h \
	host/provider.c host/provider.h \
	host/provider_ec2.c host/provider_ec2.h \
	host/query.c host/query.h \
	host/seal.c host/seal.h \
	host/state.c host/state.h \
	host/userdata.c host/userdata.h \
	host/util.c host/util.h \
	host/verb.c host/verb.h \
	host/wait.c host/wait.h \
	host/xml.c host/xml.h

