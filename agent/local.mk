# agent/: the guest daemon.
bin_PROGRAMS += agent/deskd
AGENT_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS) $(JANSSON_CFLAGS) \
	$(X11_CFLAGS) $(XKB_CFLAGS) $(PNG_CFLAGS) $(CURL_CFLAGS)
AGENT_LIBS = proto/libdeskproto.a common/libdeskcommon.a $(LIBEVENT_LIBS) $(JANSSON_LIBS) \
	$(X11_LIBS) $(XKB_LIBS) $(PNG_LIBS) $(CURL_LIBS) -lm
agent_deskd_CFLAGS = $(AGENT_CFLAGS)
agent_deskd_LDADD = $(AGENT_LIBS)
agent_deskd_SOURCES = \
	agent/auth.c agent/auth.h \
	agent/capture.c agent/capture.h \
	agent/cdp.c agent/cdp.h \
	agent/computer.c agent/computer.h \
	agent/deskd.c agent/deskd.h \
	agent/display.c agent/display.h \
	agent/download.c agent/download.h \
	agent/exec.c agent/exec.h \
	agent/files.c agent/files.h \
	agent/health.c agent/health.h \
	agent/http.c agent/http.h \
	agent/input.c agent/input.h \
	agent/keys.c agent/keys.h \
	agent/main.c \
	agent/multipart.c agent/multipart.h \
	agent/osworld_exec.c agent/osworld_exec.h \
	agent/osworld_files.c agent/osworld_files.h \
	agent/pngenc.c agent/pngenc.h \
	agent/proc.c agent/proc.h \
	agent/record.c agent/record.h \
	agent/shlex.c agent/shlex.h \
	agent/window.c agent/window.h \
	agent/worker.c agent/worker.h \
	agent/xvfb.c agent/xvfb.h
