# agent/: the guest daemon.
bin_PROGRAMS += agent/deskd
AGENT_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS) $(JANSSON_CFLAGS) \
	$(X11_CFLAGS) $(XKB_CFLAGS) $(PNG_CFLAGS) $(ISAL_CFLAGS) $(JPEG_CFLAGS) \
	$(CURL_CFLAGS) $(ATSPI_CFLAGS) $(SODIUM_CFLAGS)
AGENT_LIBS = proto/libdeskproto.a common/libdeskcommon.a $(LIBEVENT_LIBS) $(JANSSON_LIBS) \
	$(X11_LIBS) $(XKB_LIBS) $(PNG_LIBS) $(ISAL_LIBS) $(JPEG_LIBS) $(CURL_LIBS) \
	$(ATSPI_LIBS) $(SODIUM_LIBS) -lm
agent_deskd_CFLAGS = $(AGENT_CFLAGS)
agent_deskd_LDADD = $(AGENT_LIBS)
agent_deskd_SOURCES = \
	agent/a11y.c agent/a11y.h \
	agent/a11y_http.c agent/a11y_http.h \
	agent/a11y_tree.c agent/a11y_tree.h \
	agent/auth.c agent/auth.h \
	agent/capture.c agent/capture.h \
	agent/cdp.c agent/cdp.h \
	agent/cdp_rewrite.c agent/cdp_rewrite.h \
	agent/clipboard.c agent/clipboard.h \
	agent/computer.c agent/computer.h \
	agent/deskd.c agent/deskd.h \
	agent/display.c agent/display.h \
	agent/domkey.c agent/domkey.h \
	agent/download.c agent/download.h \
	agent/exec.c agent/exec.h \
	agent/files.c agent/files.h \
	agent/health.c agent/health.h \
	agent/http.c agent/http.h \
	agent/input.c agent/input.h \
	agent/jpegenc.c agent/jpegenc.h \
	agent/keymap.c agent/keymap.h \
	agent/keys.c agent/keys.h \
	agent/launch.c agent/launch.h \
	agent/lifetime.c agent/lifetime.h \
	agent/main.c \
	agent/mcp.c agent/mcp.h \
	agent/mcp_catalog.c agent/mcp_catalog.h \
	agent/mcp_schema.c agent/mcp_schema.h \
	agent/mcp_tools.c agent/mcp_tools.h \
	agent/metrics.c agent/metrics.h \
	agent/multipart.c agent/multipart.h \
	agent/osworld.c agent/osworld.h \
	agent/osworld_exec.c \
	agent/osworld_files.c \
	agent/osworld_screen.c \
	agent/osworld_setup.c \
	agent/pngenc.c agent/pngenc.h \
	agent/proc.c agent/proc.h \
	agent/procreq.c agent/procreq.h \
	agent/pty.c agent/pty.h \
	agent/pyfmt.c agent/pyfmt.h \
	agent/record.c agent/record.h \
	agent/reset.c agent/reset.h \
	agent/seal.c agent/seal.h \
	agent/shlex.c agent/shlex.h \
	agent/sink.c agent/sink.h \
	agent/v1.c agent/v1.h \
	agent/vendor.c agent/vendor.h \
	agent/vendor_anthropic.c \
	agent/vendor_exec.c \
	agent/vendor_gemini.c \
	agent/vendor_openai.c \
	agent/vendor_osworld.c \
	agent/view.c agent/view.h \
	agent/viewtoken.c agent/viewtoken.h \
	agent/watch.c agent/watch.h \
	agent/window.c agent/window.h \
	agent/worker.c agent/worker.h \
	agent/ws.c agent/ws.h \
	agent/xvfb.c agent/xvfb.h

# The live view's page, compiled in as a string (view.c serves it).
nodist_agent_deskd_SOURCES = agent/view-page.c
BUILT_SOURCES = agent/view-page.c
CLEANFILES = agent/view-page.c
EXTRA_DIST += agent/view.html agent/embed.sh
agent/view-page.c: $(srcdir)/agent/view.html $(srcdir)/agent/embed.sh
	$(AM_V_GEN)mkdir -p agent && \
	    $(SHELL) $(srcdir)/agent/embed.sh view_page \
	    $(srcdir)/agent/view.html >$@.tmp && mv $@.tmp $@
