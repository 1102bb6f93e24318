/*
 * watch.c: directory watches over inotify(7) (see watch.h).
 */
#include <sys/types.h>
#include <sys/inotify.h>
#include <sys/queue.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "deskd.h"
#include "files.h"
#include "http.h"
#include "log.h"
#include "proc.h"
#include "watch.h"
#include "xmalloc.h"

#define WATCH_MASK	(IN_CREATE | IN_MODIFY | IN_DELETE | IN_MOVED_FROM | \
			    IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | \
			    IN_ONLYDIR | IN_EXCL_UNLINK)
#define WATCH_READ	(64 * 1024)

struct watch_dir {
	int		 wd;
	char		*path;
};

struct watch {
	struct http_req		*req;
	int			 fd;
	struct event		*ev;
	struct event		*ev_keepalive;
	int			 sse;
	int			 recursive;
	int			 paused;
	long long		 start_ms;
	struct watch_dir	*dirs;
	size_t			 ndirs;
	size_t			 sdirs;
	int			 overflowed;	/* the dir limit, said once */
	int			 root_wd;
	TAILQ_ENTRY(watch)	 entry;
};
TAILQ_HEAD(watch_list, watch);

static struct event_base	*watch_base;
static struct watch_list	 watch_all = TAILQ_HEAD_INITIALIZER(watch_all);
static u_int			 watch_n;

u_int
watch_count(void)
{
	return (watch_n);
}

static void
watch_free(struct watch *w)
{
	size_t	 i;

	TAILQ_REMOVE(&watch_all, w, entry);
	watch_n--;
	if (w->ev != NULL)
		event_free(w->ev);
	if (w->ev_keepalive != NULL)
		event_free(w->ev_keepalive);
	close(w->fd);
	for (i = 0; i < w->ndirs; i++)
		free(w->dirs[i].path);
	free(w->dirs);
	free(w);
}

static const char *
watch_dir_path(struct watch *w, int wd)
{
	size_t	 i;

	for (i = 0; i < w->ndirs; i++) {
		if (w->dirs[i].wd == wd)
			return (w->dirs[i].path);
	}
	return (NULL);
}

static void
watch_dir_forget(struct watch *w, int wd)
{
	size_t	 i;

	for (i = 0; i < w->ndirs; i++) {
		if (w->dirs[i].wd == wd) {
			free(w->dirs[i].path);
			w->dirs[i] = w->dirs[--w->ndirs];
			return;
		}
	}
}

static void
watch_emit(struct watch *w, const char *type, const char *path,
    const char *from, int dir)
{
	struct evbuffer	*b = evbuffer_new();

	if (w->sse)
		evbuffer_add_printf(b, "event: %s\ndata: ", type);
	evbuffer_add_printf(b, "{\"type\":\"%s\"", type);
	if (path != NULL) {
		evbuffer_add_printf(b, ",\"path\":");
		proc_json_text(b, path, strlen(path), 0);
	}
	if (from != NULL) {
		evbuffer_add_printf(b, ",\"from\":");
		proc_json_text(b, from, strlen(from), 0);
	}
	if (path != NULL)
		evbuffer_add_printf(b, ",\"dir\":%s", dir ? "true" : "false");
	evbuffer_add_printf(b, ",\"t_ms\":%lld}\n%s",
	    deskd_now_ms() - w->start_ms, w->sse ? "\n" : "");
	http_reply_write(w->req, b);
	evbuffer_free(b);
	if (!w->paused && http_reply_pending(w->req) > HTTP_OUT_HIGH) {
		w->paused = 1;
		event_del(w->ev);
	}
}

/*
 * Watch path (a directory) and, recursive, what is under it.  With
 * report, entries found are "created" events (a new directory's contents
 * that came before its watch).  -1 with errno when the top cannot be
 * watched; past the limit, -2.
 */
static int
watch_add_tree(struct watch *w, const char *path, int report)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 sb;
	char		*sub;
	int		 wd, rc = 0, isdir;

	if (w->ndirs >= DESKD_WATCH_MAX_DIRS)
		return (-2);
	if ((wd = inotify_add_watch(w->fd, path, WATCH_MASK)) == -1)
		return (-1);
	if (watch_dir_path(w, wd) == NULL) {
		if (w->ndirs == w->sdirs) {
			w->sdirs = w->sdirs == 0 ? 16 : w->sdirs * 2;
			w->dirs = xreallocarray(w->dirs, w->sdirs,
			    sizeof *w->dirs);
		}
		w->dirs[w->ndirs].wd = wd;
		w->dirs[w->ndirs++].path = xstrdup(path);
	}
	if (!w->recursive && !report)
		return (0);
	if ((d = opendir(path)) == NULL)
		return (0);	/* gone or unreadable since: events tell */
	while ((de = readdir(d)) != NULL && rc != -2) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		xasprintf(&sub, "%s/%s", path, de->d_name);
		isdir = de->d_type == DT_DIR || (de->d_type == DT_UNKNOWN &&
		    lstat(sub, &sb) == 0 && S_ISDIR(sb.st_mode));
		if (report)
			watch_emit(w, "created", sub, NULL, isdir);
		if (isdir && w->recursive &&
		    watch_add_tree(w, sub, report) == -2)
			rc = -2;
		free(sub);
	}
	closedir(d);
	return (rc);
}

static void
watch_end(struct watch *w)
{
	struct http_req	*req = w->req;

	http_req_set_close_cb(req, NULL, NULL);
	http_req_set_drain_cb(req, NULL, NULL);
	watch_free(w);
	http_reply_end(req);
}

/* One read of events; 1 when the watch is over. */
static int
watch_read(struct watch *w)
{
	char				 buf[WATCH_READ]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event	*ev, *next;
	const char			*dir;
	char				*path, *to;
	ssize_t				 n;
	size_t				 off, noff;
	int				 isdir;

	n = read(w->fd, buf, sizeof buf);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return (0);
	if (n <= 0) {
		log_warn("%s: read", __func__);
		return (1);
	}
	for (off = 0; off < (size_t)n; off = noff) {
		ev = (const struct inotify_event *)(buf + off);
		noff = off + sizeof *ev + ev->len;
		if (ev->mask & IN_Q_OVERFLOW) {
			watch_emit(w, "overflow", NULL, NULL, 0);
			continue;
		}
		if ((dir = watch_dir_path(w, ev->wd)) == NULL)
			continue;
		if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) {
			if (ev->wd == w->root_wd) {
				watch_emit(w, "gone", dir, NULL, 1);
				return (1);
			}
			if (ev->mask & IN_IGNORED)
				watch_dir_forget(w, ev->wd);
			continue;
		}
		if (ev->len == 0)
			continue;
		xasprintf(&path, "%s/%s", dir, ev->name);
		isdir = (ev->mask & IN_ISDIR) != 0;
		if (ev->mask & IN_MOVED_FROM) {
			/*
			 * Its IN_MOVED_TO, if the move stays under the
			 * watch, is the next event (inotify(7), "Dealing
			 * with rename() events"); else it left the watch.
			 */
			next = noff < (size_t)n ?
			    (const struct inotify_event *)(buf + noff) : NULL;
			if (next != NULL && (next->mask & IN_MOVED_TO) &&
			    next->cookie == ev->cookie && next->len > 0 &&
			    watch_dir_path(w, next->wd) != NULL) {
				xasprintf(&to, "%s/%s",
				    watch_dir_path(w, next->wd), next->name);
				watch_emit(w, "moved", to, path, isdir);
				if (isdir && w->recursive)
					watch_add_tree(w, to, 0);
				free(to);
				noff += sizeof *next + next->len;
			} else
				watch_emit(w, "deleted", path, NULL, isdir);
		} else if (ev->mask & (IN_CREATE | IN_MOVED_TO)) {
			watch_emit(w, "created", path, NULL, isdir);
			if (isdir && w->recursive &&
			    watch_add_tree(w, path, 1) == -2 &&
			    !w->overflowed) {
				w->overflowed = 1;
				watch_emit(w, "overflow", path, NULL, 1);
			}
		} else if (ev->mask & IN_MODIFY)
			watch_emit(w, "modified", path, NULL, isdir);
		else if (ev->mask & IN_DELETE)
			watch_emit(w, "deleted", path, NULL, isdir);
		free(path);
	}
	return (0);
}

static void
watch_read_cb(evutil_socket_t fd, short events, void *arg)
{
	struct watch	*w = arg;
	int		 i;

	/* A few reads a wakeup: a storm of events does not hold the loop. */
	for (i = 0; i < 4 && !w->paused; i++) {
		if (watch_read(w)) {
			watch_end(w);
			return;
		}
	}
}

static void
watch_keepalive_cb(evutil_socket_t fd, short events, void *arg)
{
	struct watch	*w = arg;
	struct evbuffer	*b;

	if (http_reply_pending(w->req) > 0)
		return;
	b = evbuffer_new();
	if (w->sse)
		evbuffer_add_printf(b, ": keepalive\n\n");
	else
		evbuffer_add_printf(b, "{\"type\":\"keepalive\",\"t_ms\":%lld}"
		    "\n", deskd_now_ms() - w->start_ms);
	http_reply_write(w->req, b);
	evbuffer_free(b);
}

static void
watch_drain_cb(struct http_req *req, void *arg)
{
	struct watch	*w = arg;

	if (w->paused) {
		w->paused = 0;
		event_add(w->ev, NULL);
	}
}

static void
watch_close_cb(struct http_req *req, void *arg)
{
	/* The client left: the inotify instance goes with it. */
	watch_free(arg);
}

void
watch_cb(struct http_req *req, void *arg)
{
	struct watch	*w;
	struct stat	 sb;
	struct timeval	 tv = { WATCH_KEEPALIVE_S, 0 };
	const char	*q, *accept;
	char		*path;
	int		 rc, recursive = 0;

	if (http_req_method(req) == HTTP_HEAD) {
		http_reply(req, 200, "application/x-ndjson", NULL, 0);
		return;
	}
	if ((q = http_req_query(req, "path")) == NULL || *q == '\0') {
		http_reply_error(req, 400, "bad_request",
		    "query parameter path is required");
		return;
	}
	if ((accept = http_req_query(req, "recursive")) != NULL) {
		if (strcmp(accept, "1") == 0 || strcmp(accept, "true") == 0)
			recursive = 1;
		else if (strcmp(accept, "0") != 0 &&
		    strcmp(accept, "false") != 0) {
			http_reply_error(req, 400, "bad_parameter",
			    "recursive must be 0 or 1");
			return;
		}
	}
	if (watch_n >= DESKD_MAX_WATCHES) {
		http_reply_error(req, 429, "too_many_watches", "at most %d "
		    "watches at once (DESKD_MAX_WATCHES)", DESKD_MAX_WATCHES);
		return;
	}
	path = files_resolve(q);
	/* A trailing slash would make every path in the events "//". */
	while (strlen(path) > 1 && path[strlen(path) - 1] == '/')
		path[strlen(path) - 1] = '\0';
	if (stat(path, &sb) == -1) {
		if (errno == ENOENT || errno == ENOTDIR)
			http_reply_error(req, 404, "not_found", "no such "
			    "directory: %s", path);
		else
			http_reply_error(req, 403, "forbidden", "%s: %s",
			    path, strerror(errno));
		free(path);
		return;
	}
	if (!S_ISDIR(sb.st_mode)) {
		http_reply_error(req, 400, "not_a_directory", "not a "
		    "directory: %s", path);
		free(path);
		return;
	}

	w = xcalloc(1, sizeof *w);
	w->req = req;
	w->recursive = recursive;
	w->start_ms = deskd_now_ms();
	accept = http_req_header(req, "Accept");
	w->sse = accept != NULL && strstr(accept, "text/event-stream") != NULL;
	if ((w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1) {
		http_reply_error(req, 503, "watch_limit", "inotify_init1: %s "
		    "(the kernel's fs.inotify.max_user_instances)",
		    strerror(errno));
		free(w);
		free(path);
		return;
	}
	TAILQ_INSERT_TAIL(&watch_all, w, entry);
	watch_n++;
	if ((rc = watch_add_tree(w, path, 0)) != 0) {
		if (rc == -2)
			http_reply_error(req, 413, "too_many_directories",
			    "%s holds more than %d directories "
			    "(DESKD_WATCH_MAX_DIRS)", path,
			    DESKD_WATCH_MAX_DIRS);
		else if (errno == ENOSPC)
			http_reply_error(req, 503, "watch_limit", "inotify: "
			    "no watches left (the kernel's "
			    "fs.inotify.max_user_watches)");
		else
			http_reply_error(req, 403, "forbidden", "%s: %s",
			    path, strerror(errno));
		watch_free(w);
		free(path);
		return;
	}
	w->root_wd = w->dirs[0].wd;
	w->ev = event_new(watch_base, w->fd, EV_READ | EV_PERSIST,
	    watch_read_cb, w);
	event_add(w->ev, NULL);
	w->ev_keepalive = event_new(watch_base, -1, EV_PERSIST,
	    watch_keepalive_cb, w);
	evtimer_add(w->ev_keepalive, &tv);
	http_req_set_close_cb(req, watch_close_cb, w);
	http_req_set_drain_cb(req, watch_drain_cb, w);
	http_reply_start(req, 200, w->sse ? "text/event-stream" :
	    "application/x-ndjson", -1);
	log_debug("%s: watching %s (%zu directories)", __func__, path,
	    w->ndirs);
	watch_emit(w, "ready", path, NULL, 1);
	free(path);
}

void
watch_init(struct event_base *base)
{
	watch_base = base;
}

void
watch_shutdown(void)
{
	struct watch	*w;

	/* The server is gone by now: its requests are too. */
	while ((w = TAILQ_FIRST(&watch_all)) != NULL)
		watch_free(w);
}
