/*
 * record.c: the single global recorder.
 *
 * States: idle -> starting (ffmpeg runs, the start reply waits 2 s to see
 * it survive) -> recording -> stopping (SIGINT sent, the end reply waits
 * for the exit or 15 s) -> idle.  Replies wait on timers and on the
 * child's exit event, never by sleeping.  The OSWorld routes
 * (osworld_screen.c) and the native ones below are two faces of the
 * same recorder.
 *
 * Where: upstream records every server to /tmp/recording.mp4
 * (xlang-ai/OSWorld:desktop_env/server/main.py:73), so two deskd on one
 * machine overwrote each other's recording, and the screen video stayed
 * there, readable by everyone, after it was served.  Each recording
 * here gets a directory of its own, made by mkdtemp(3) (mode 0700) under
 * $TMPDIR (or /tmp), with recording.mp4 in it created 0600 before ffmpeg
 * opens it; both are removed once the file is open for the reply (the
 * open descriptor still reads it), when the start fails, and at
 * shutdown.  The routes keep upstream's bodies and codes.
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
	record_cb		 cb;	/* the start or stop waiting */
	void			*arg;
	char			*tmp;	/* $TMPDIR or /tmp */
	char			*dir;	/* this recording's, while there is one */
	char			*path;	/* dir/recording.mp4 */
	int			 killed;
} rec;

/* Remove this recording's file and directory, if any. */
static void
record_remove(void)
{
	if (rec.path != NULL && unlink(rec.path) == -1 && errno != ENOENT)
		log_warn("%s: unlink %s", __func__, rec.path);
	if (rec.dir != NULL && rmdir(rec.dir) == -1 && errno != ENOENT)
		log_warn("%s: rmdir %s", __func__, rec.dir);
	free(rec.path);
	free(rec.dir);
	rec.path = rec.dir = NULL;
}

/*
 * A fresh private directory and an empty 0600 recording.mp4 in it (ffmpeg
 * -y truncates it and keeps the mode).
 */
static int
record_mkdir(char **cause)
{
	char	*dir;
	int	 fd;

	record_remove();
	xasprintf(&dir, "%s/deskd-rec.XXXXXX", rec.tmp);
	if (mkdtemp(dir) == NULL) {
		xasprintf(cause, "Failed to create a recording directory in "
		    "%s: %s", rec.tmp, strerror(errno));
		free(dir);
		return (-1);
	}
	rec.dir = dir;
	xasprintf(&rec.path, "%s/recording.mp4", dir);
	fd = open(rec.path, O_WRONLY|O_CREAT|O_EXCL|O_CLOEXEC, 0600);
	if (fd == -1) {
		xasprintf(cause, "Failed to create %s: %s", rec.path,
		    strerror(errno));
		record_remove();
		return (-1);
	}
	close(fd);
	return (0);
}

/* Run the waiting callback once, if its caller is still there. */
static void
record_done(enum deskd_err kind, int fd, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void
record_done(enum deskd_err kind, int fd, const char *fmt, ...)
{
	struct record_result	 r;
	record_cb		 cb = rec.cb;
	va_list			 ap;
	char			*msg;

	rec.cb = NULL;
	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	if (cb == NULL) {
		if (fd != -1)
			close(fd);
		log_info("%s: nobody waits for: %s", __func__, msg);
		free(msg);
		return;
	}
	r.kind = kind;
	r.message = msg;
	r.fd = fd;
	cb(&r, rec.arg);
	free(msg);
}

static void
record_timer_add(int ms)
{
	struct timeval	 tv = { ms / 1000, (ms % 1000) * 1000 };

	evtimer_add(rec.timer, &tv);
}

/* ffmpeg has finished the file: hand it over, or say why not. */
static void
record_give_file(const char *err)
{
	struct stat	 sb;
	int		 fd;

	fd = open(rec.path, O_RDONLY|O_CLOEXEC);
	if (fd == -1 || fstat(fd, &sb) == -1 || sb.st_size == 0) {
		if (fd != -1)
			close(fd);
		record_done(DESKD_ESYSTEM, -1, "Recording failed: %s is %s. "
		    "Stderr: %s", rec.path, fd == -1 ? "missing" : "empty",
		    err);
		record_remove();
		return;
	}
	/* The descriptor reads it to the end; nothing stays on disk. */
	record_remove();
	record_done(DESKD_EOK, fd, "Recording stopped.");
}

static void
record_exit_cb(struct proc *p, const struct proc_result *r, void *arg)
{
	const char	*err = r->err;	/* the tail of ffmpeg's stderr */
	char		 desc[64];
	enum record_state state = rec.state;

	log_info("%s: ffmpeg %s", __func__, proc_describe(r, desc,
	    sizeof desc));
	/* proc.c frees it when this returns. */
	rec.proc = NULL;
	evtimer_del(rec.timer);
	rec.state = REC_IDLE;
	switch (state) {
	case REC_STARTING:
		record_remove();
		record_done(DESKD_ESYSTEM, -1, "Failed to start recording. "
		    "ffmpeg terminated unexpectedly. Error: %s", err);
		break;
	case REC_STOPPING:
		if (!rec.killed)
			record_give_file(err);
		else {
			record_remove();
			record_done(DESKD_ESYSTEM, -1, "Recording process was "
			    "unresponsive and had to be killed. Stderr: %s",
			    err);
		}
		break;
	default:
		/* Nobody can stop it now: the file is of no use. */
		log_warnx("%s: ffmpeg stopped by itself: %s", __func__,
		    err);
		record_remove();
		break;
	}
	rec.killed = 0;
}

static void
record_timer_cb(evutil_socket_t fd, short events, void *arg)
{
	switch (rec.state) {
	case REC_STARTING:
		/* Still alive after the check period: it is recording. */
		rec.state = REC_RECORDING;
		record_done(DESKD_EOK, -1, "Started recording successfully.");
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

int
record_start(record_cb cb, void *arg, enum deskd_err *kind, char **cause)
{
	struct proc_opts o;
	char	 size[32], *vf = NULL, *why = NULL;
	char	*argv[40];
	int	 w, h, n = 0, err;

	if (rec.state != REC_IDLE) {
		*kind = DESKD_ESTATE;
		*cause = xstrdup("Recording is already in progress.");
		return (-1);
	}
	if (display_need(&why) == NULL ||
	    display_screen_size(&w, &h) == -1) {
		*kind = DESKD_EDISPLAY;
		xasprintf(cause, "Failed to start recording. %s",
		    why != NULL ? why : "no screen size");
		free(why);
		return (-1);
	}
	if (record_mkdir(&why) == -1) {
		*kind = DESKD_ESYSTEM;
		xasprintf(cause, "Failed to start recording. %s", why);
		free(why);
		return (-1);
	}
	snprintf(size, sizeof size, "%dx%d", w, h);
	argv[n++] = "ffmpeg";
	argv[n++] = "-y";
	/* Quiet stderr, and it is drained anyway (record.h). */
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
	 * No timeout: ffmpeg runs until it is stopped.  Its stderr keeps
	 * the tail, which says why it failed.
	 */
	memset(&o, 0, sizeof o);
	o.argv = (const char *const *)argv;
	o.max_output = RECORD_STDERR_CAP;
	o.flags = PROC_KEEP_TAIL;
	rec.proc = proc_start(&o, record_exit_cb, NULL, &err, cause);
	free(vf);
	if (rec.proc == NULL) {
		record_remove();
		*kind = err == EAGAIN ? DESKD_EBUSY : DESKD_ESYSTEM;
		why = *cause;
		xasprintf(cause, "Failed to start recording. %s", why);
		free(why);
		return (-1);
	}
	log_info("%s: ffmpeg %s %s -> %s", __func__, display_name(), size,
	    rec.path);
	rec.state = REC_STARTING;
	rec.killed = 0;
	rec.cb = cb;
	rec.arg = arg;
	record_timer_add(RECORD_START_WAIT_MS);
	return (0);
}

int
record_stop(record_cb cb, void *arg, enum deskd_err *kind, char **cause)
{
	if (rec.state != REC_RECORDING) {
		*kind = DESKD_ESTATE;
		*cause = xstrdup("No recording in progress to stop.");
		return (-1);
	}
	/* SIGINT makes ffmpeg finish the mp4 (moov atom) and exit. */
	proc_signal(rec.proc, SIGINT);
	rec.state = REC_STOPPING;
	rec.cb = cb;
	rec.arg = arg;
	record_timer_add(RECORD_STOP_WAIT_MS);
	return (0);
}

void
record_forget(void *arg)
{
	/* The caller left; the recorder carries on without telling it. */
	if (rec.arg == arg)
		rec.cb = NULL;
}

static const char *
record_state_name(void)
{
	static const char *names[] = { "idle", "starting", "recording",
	    "stopping" };

	return (names[rec.state]);
}

/* The native surface: /v1/recording, errors as {"error": {...}}. */

static void
record_v1_close_cb(struct http_req *req, void *arg)
{
	record_forget(req);
}

static void
record_v1_done(const struct record_result *r, void *arg)
{
	struct http_req	*req = arg;

	http_req_set_close_cb(req, NULL, NULL);
	if (r->kind != DESKD_EOK)
		http_reply_error(req, 500, "recording_failed", "%s",
		    r->message);
	else if (r->fd != -1)
		files_send_fd(req, r->fd, "video/mp4", "recording.mp4");
	else
		http_reply_json(req, 200, json_pack("{s:s s:s?}", "state",
		    "recording", "path", rec.path));
}

static void
record_v1_fail(struct http_req *req, enum deskd_err kind, char *cause)
{
	if (kind == DESKD_ESTATE)
		http_reply_error(req, 409, "conflict", "%s", cause);
	else
		http_reply_error(req, 500, "recording_failed", "%s", cause);
	free(cause);
}

/* GET /v1/recording */
void
record_v1_state_cb(struct http_req *req, void *arg)
{
	/* path: the file being recorded, null when there is none. */
	http_reply_json(req, 200, json_pack("{s:s s:s?}", "state",
	    record_state_name(), "path", rec.path));
}

/* POST /v1/recording/start */
void
record_v1_start_cb(struct http_req *req, void *arg)
{
	enum deskd_err	 kind;
	char		*cause = NULL;

	if (record_start(record_v1_done, req, &kind, &cause) == -1) {
		record_v1_fail(req, kind, cause);
		return;
	}
	http_req_set_close_cb(req, record_v1_close_cb, NULL);
}

/* POST /v1/recording/stop */
void
record_v1_stop_cb(struct http_req *req, void *arg)
{
	enum deskd_err	 kind;
	char		*cause = NULL;

	if (record_stop(record_v1_done, req, &kind, &cause) == -1) {
		record_v1_fail(req, kind, cause);
		return;
	}
	http_req_set_close_cb(req, record_v1_close_cb, NULL);
}

void
record_init(struct event_base *base)
{
	const char	*tmp;

	/*
	 * Each recording's own directory goes into deskd's private one
	 * (main.c): upstream's /tmp/recording.mp4 is a fixed name in a
	 * shared directory, unlinked and reopened by ffmpeg later, so a
	 * symlink planted meanwhile would be written through, and two deskd
	 * would overwrite each other.  Clients only get the bytes.
	 */
	if ((tmp = deskd_cfg.rundir) == NULL &&
	    ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0'))
		tmp = "/tmp";
	rec.tmp = xstrdup(tmp);
	rec.timer = evtimer_new(base, record_timer_cb, NULL);
}

void
record_shutdown(void)
{
	if (rec.proc != NULL) {
		/*
		 * deskd is going away: ffmpeg gets SIGINT and is left to
		 * exit by itself (proc_shutdown will not kill it).  Nobody
		 * can fetch its file any more: it goes with the directory
		 * (ffmpeg writes on into the unlinked file, then exits).
		 */
		proc_signal(rec.proc, SIGINT);
		proc_forget(rec.proc);
		rec.proc = NULL;
	}
	record_remove();
	if (rec.timer != NULL)
		event_free(rec.timer);
	rec.timer = NULL;
	free(rec.tmp);
	rec.tmp = NULL;
}
