/*
 * record.c: the single global recorder.
 *
 * States: idle -> starting (ffmpeg runs, the start reply waits 2 s to see
 * it survive) -> recording -> stopping (SIGINT sent, the end reply waits
 * for the exit or 15 s) -> idle.  Replies wait on timers and on the
 * child's exit event, never by sleeping.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include <jansson.h>

#include "deskd.h"
#include "display.h"
#include "files.h"
#include "http.h"
#include "log.h"
#include "proc.h"
#include "record.h"
#include "window.h"
#include "xmalloc.h"

enum record_state {
	REC_IDLE,
	REC_STARTING,
	REC_RECORDING,
	REC_STOPPING
};

static struct {
	enum record_state	 state;
	struct proc		*proc;
	struct event		*timer;
	struct http_req		*req;	/* the start or end call waiting */
	int			 native;	/* came in on /v1/recording */
	char			*path;
	int			 killed;
} rec;

static void
record_reply(struct http_req *req, int native, int code, const char *status,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/*
 * OSWorld's {"status", "message"}, or on /v1/recording the native shape:
 * errors as {"error": {...}} (409 for a state conflict), and success as
 * the recorder's state.
 */
static void
record_reply(struct http_req *req, int native, int code, const char *status,
    const char *fmt, ...)
{
	va_list	 ap;
	char	*msg, *clean;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	clean = window_utf8_clean(msg, strlen(msg));
	if (!native)
		http_reply_json(req, code, json_pack("{s:s s:s}", "status",
		    status, "message", clean));
	else if (code == 200)
		http_reply_json(req, 200, json_pack("{s:s s:s}", "state",
		    "recording", "path", rec.path));
	else if (code == 400)
		http_reply_error(req, 409, "conflict", "%s", clean);
	else
		http_reply_error(req, code, "recording_failed", "%s", clean);
	free(clean);
	free(msg);
}

static void
record_req_close_cb(struct http_req *req, void *arg)
{
	/* The caller left; the recorder carries on without a reply. */
	rec.req = NULL;
}

static void
record_take_req(struct http_req *req)
{
	rec.req = req;
	http_req_set_close_cb(req, record_req_close_cb, NULL);
}

static struct http_req *
record_give_req(void)
{
	struct http_req	*req = rec.req;

	rec.req = NULL;
	if (req != NULL)
		http_req_set_close_cb(req, NULL, NULL);
	return (req);
}

static void
record_timer_add(int ms)
{
	struct timeval	 tv = { ms / 1000, (ms % 1000) * 1000 };

	evtimer_add(rec.timer, &tv);
}

/* err: ffmpeg's last words, for the error message. */
static void
record_send_file(struct http_req *req, const char *err)
{
	struct stat	 sb;
	int		 fd;

	fd = open(rec.path, O_RDONLY|O_CLOEXEC);
	if (fd == -1 || fstat(fd, &sb) == -1 || sb.st_size == 0) {
		record_reply(req, rec.native, 500, "error", "Recording failed: "
		    "%s is %s. Stderr: %s", rec.path,
		    fd == -1 ? "missing" : "empty", err);
		if (fd != -1)
			close(fd);
		return;
	}
	files_send_fd(req, fd, "video/mp4", "recording.mp4");
}

static void
record_exit_cb(struct proc *p, const struct proc_result *r, void *arg)
{
	struct http_req	*req;
	const char	*err = r->err;	/* the tail of ffmpeg's stderr */
	char		 desc[64];

	log_info("%s: ffmpeg %s", __func__, proc_describe(r, desc,
	    sizeof desc));
	/* proc.c frees it when this returns. */
	rec.proc = NULL;
	evtimer_del(rec.timer);
	req = record_give_req();
	switch (rec.state) {
	case REC_STARTING:
		if (req != NULL)
			record_reply(req, rec.native, 500, "error",
			    "Failed to start "
			    "recording. ffmpeg terminated unexpectedly. "
			    "Error: %s", err);
		break;
	case REC_STOPPING:
		if (req != NULL && !rec.killed)
			record_send_file(req, err);
		else if (req != NULL)
			record_reply(req, rec.native, 500, "error",
			    "Recording process "
			    "was unresponsive and had to be killed. Stderr: "
			    "%s", err);
		break;
	default:
		log_warnx("%s: ffmpeg stopped by itself: %s", __func__,
		    err);
		break;
	}
	rec.state = REC_IDLE;
	rec.killed = 0;
}

static void
record_timer_cb(evutil_socket_t fd, short events, void *arg)
{
	struct http_req	*req;

	switch (rec.state) {
	case REC_STARTING:
		/* Still alive after the check period: it is recording. */
		rec.state = REC_RECORDING;
		if ((req = record_give_req()) != NULL)
			record_reply(req, rec.native, 200, "success",
			    "Started recording successfully.");
		break;
	case REC_STOPPING:
		/* SIGINT was ignored for 15 s: kill, answer on exit. */
		log_warnx("%s: ffmpeg did not stop: SIGKILL", __func__);
		rec.killed = 1;
		proc_signal(rec.proc, SIGKILL);
		break;
	default:
		break;
	}
}

/* POST /start_recording */
static void
record_start_cb(struct http_req *req, void *arg)
{
	struct proc_opts o;
	char	 size[32], *cause = NULL, *vf = NULL;
	char	*argv[40];
	int	 w, h, n = 0, err, native = arg != NULL;

	if (rec.state != REC_IDLE) {
		record_reply(req, native, 400, "error",
		    "Recording is already in progress.");
		return;
	}
	if (unlink(rec.path) == -1 && errno != ENOENT) {
		record_reply(req, native, 500, "error", "Failed to remove old "
		    "recording file: %s", strerror(errno));
		return;
	}
	if (display_need(&cause) == NULL ||
	    display_screen_size(&w, &h) == -1) {
		record_reply(req, native, 500, "error", "Failed to start "
		    "recording. %s", cause != NULL ? cause : "no screen size");
		free(cause);
		return;
	}
	snprintf(size, sizeof size, "%dx%d", w, h);
	argv[n++] = "ffmpeg";
	argv[n++] = "-y";
	/* Quiet stderr, and it is drained anyway (section 6 #7). */
	argv[n++] = "-hide_banner";
	argv[n++] = "-nostats";
	argv[n++] = "-loglevel";
	argv[n++] = "error";
	argv[n++] = "-nostdin";
	argv[n++] = "-f";
	argv[n++] = "x11grab";
	argv[n++] = "-draw_mouse";
	argv[n++] = "1";
	argv[n++] = "-framerate";
	argv[n++] = RECORD_FPS;
	argv[n++] = "-s";
	argv[n++] = size;
	argv[n++] = "-i";
	argv[n++] = (char *)display_name();
	argv[n++] = "-c:v";
	argv[n++] = "libx264";
	argv[n++] = "-preset";
	argv[n++] = "veryfast";
	/* yuv420p plays everywhere; odd sizes need an even crop for it. */
	argv[n++] = "-pix_fmt";
	argv[n++] = "yuv420p";
	if ((w | h) & 1) {
		xasprintf(&vf, "crop=%d:%d:0:0", w & ~1, h & ~1);
		argv[n++] = "-vf";
		argv[n++] = vf;
	}
	argv[n++] = "-r";
	argv[n++] = RECORD_FPS;
	argv[n++] = rec.path;
	argv[n] = NULL;

	/*
	 * No timeout: ffmpeg runs until /end_recording.  Its stderr keeps
	 * the tail, which says why it failed.
	 */
	memset(&o, 0, sizeof o);
	o.argv = (const char *const *)argv;
	o.cwd = deskd_cfg.workdir;
	o.max_output = RECORD_STDERR_CAP;
	o.flags = PROC_KEEP_TAIL;
	rec.proc = proc_start(&o, record_exit_cb, NULL, &err, &cause);
	free(vf);
	if (rec.proc == NULL) {
		record_reply(req, native, 500, "error", "Failed to start "
		    "recording. %s", cause);
		free(cause);
		return;
	}
	log_info("%s: ffmpeg %s %s -> %s", __func__, display_name(), size,
	    rec.path);
	rec.state = REC_STARTING;
	rec.killed = 0;
	rec.native = native;
	record_take_req(req);
	record_timer_add(RECORD_START_WAIT_MS);
}

/* POST /end_recording */
static void
record_end_cb(struct http_req *req, void *arg)
{
	int	 native = arg != NULL;

	if (rec.state != REC_RECORDING) {
		record_reply(req, native, 400, "error",
		    "No recording in progress to stop.");
		return;
	}
	/* SIGINT makes ffmpeg finish the mp4 (moov atom) and exit. */
	proc_signal(rec.proc, SIGINT);
	rec.state = REC_STOPPING;
	rec.native = native;
	record_take_req(req);
	record_timer_add(RECORD_STOP_WAIT_MS);
}

/* GET /v1/recording */
static void
record_state_cb(struct http_req *req, void *arg)
{
	static const char *names[] = { "idle", "starting", "recording",
	    "stopping" };

	http_reply_json(req, 200, json_pack("{s:s s:s}", "state",
	    names[rec.state], "path", rec.path));
}

void
record_init(struct event_base *base, struct http_server *srv)
{
	/*
	 * Upstream's /tmp/recording.mp4 is a fixed name in a shared
	 * directory, unlinked and reopened by ffmpeg later: a symlink planted
	 * meanwhile would be written through.  Clients only get the bytes.
	 */
	xasprintf(&rec.path, "%s/recording.mp4", deskd_cfg.rundir);
	rec.timer = evtimer_new(base, record_timer_cb, NULL);
	http_route(srv, "/start_recording", HTTP_POST, 0, 0, record_start_cb,
	    NULL);
	http_route(srv, "/end_recording", HTTP_POST, 0, 0, record_end_cb,
	    NULL);
	http_route(srv, "/v1/recording", HTTP_GET, 0, 0, record_state_cb,
	    NULL);
	http_route(srv, "/v1/recording/start", HTTP_POST, 0, 0,
	    record_start_cb, "native");
	http_route(srv, "/v1/recording/stop", HTTP_POST, 0, 0, record_end_cb,
	    "native");
}

void
record_shutdown(void)
{
	if (rec.proc != NULL) {
		/*
		 * deskd is going away: ffmpeg gets SIGINT to finish the mp4,
		 * and is left to do it (proc_shutdown will not kill it).
		 */
		proc_signal(rec.proc, SIGINT);
		proc_forget(rec.proc);
		rec.proc = NULL;
	}
	if (rec.timer != NULL)
		event_free(rec.timer);
	rec.timer = NULL;
	free(rec.path);
	rec.path = NULL;
}
