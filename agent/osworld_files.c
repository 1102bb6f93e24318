/*
 * osworld_files.c: OSWorld's file, window and setup routes.
 *
 * Bodies and codes follow desktop_env/server/main.py (osworld-api.md
 * section 1): text replies are Flask's str returns (text/html), JSON ones
 * jsonify's.  Where the Python server crashed into an HTML 500 (a missing
 * window, a body that is not an object) the answer here is a JSON error.
 * Nothing waits by blocking: open_file polls the client list on a timer,
 * gsettings runs as a watched child, uploads stream to disk as they come.
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include <jansson.h>

#include "deskd.h"
#include "deskproto.h"
#include "display.h"
#include "download.h"
#include "files.h"
#include "http.h"
#include "log.h"
#include "multipart.h"
#include "osworld_files.h"
#include "proc.h"
#include "window.h"
#include "xmalloc.h"

#define OSW_TEXT	"text/html; charset=utf-8"
#define OSW_GSETTINGS_CAP	(64 * 1024)

static struct event_base	*osw_base;

static void
osw_text(struct http_req *req, int code, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 n;

	va_start(ap, fmt);
	n = xvasprintf(&s, fmt, ap);
	va_end(ap);
	http_reply(req, code, OSW_TEXT, s, n);
	free(s);
}

/* {"error": "..."}, the shape of the Python server's JSON errors. */
static void
osw_error(struct http_req *req, int code, const char *fmt, ...)
{
	va_list	 ap;
	char	*s, *clean;

	va_start(ap, fmt);
	xvasprintf(&s, fmt, ap);
	va_end(ap);
	clean = window_utf8_clean(s, strlen(s));
	http_reply_json(req, code, json_pack("{s:s}", "error", clean));
	free(clean);
	free(s);
}

/*
 * The JSON object body of a setup route, or NULL after replying 400 (Flask
 * answered a malformed body with an HTML 400 and a non-object with an
 * HTML 500).
 */
static json_t *
osw_body(struct http_req *req)
{
	json_t	*obj;
	char	*cause = NULL;

	obj = http_req_json(req, 1, &cause);
	if (cause != NULL) {
		osw_error(req, 400, "%s", cause);
		free(cause);
		return (NULL);
	}
	if (obj == NULL)
		return (json_object());
	if (!json_is_object(obj)) {
		json_decref(obj);
		osw_error(req, 400, "request body must be a JSON object");
		return (NULL);
	}
	return (obj);
}

/* A non-empty string member, or NULL. */
static const char *
osw_string(json_t *obj, const char *key)
{
	json_t	*v = json_object_get(obj, key);

	if (!json_is_string(v) || json_string_length(v) == 0)
		return (NULL);
	return (json_string_value(v));
}

/* Python truthiness of an optional member. */
static int
osw_truthy(json_t *obj, const char *key)
{
	return (proto_json_truthy(json_object_get(obj, key)));
}

/* A form field (urlencoded body or query), or a JSON body's string. */
static char *
osw_field(struct http_req *req, const char *name)
{
	const char	*v, *ct;
	json_t		*obj, *s;
	char		*cause = NULL, *out = NULL;

	if ((v = http_req_form(req, name)) != NULL && *v != '\0')
		return (xstrdup(v));
	ct = http_req_header(req, "Content-Type");
	if (ct == NULL || strncasecmp(ct, "application/json", 16) != 0)
		return (NULL);
	if ((obj = http_req_json(req, 1, &cause)) == NULL) {
		free(cause);
		return (NULL);
	}
	s = json_object_get(obj, name);
	if (json_is_string(s) && json_string_length(s) > 0)
		out = xstrdup(json_string_value(s));
	json_decref(obj);
	return (out);
}

/* POST /window_size, form app_class_name */
static void
osw_window_size_cb(struct http_req *req, void *arg)
{
	struct window	*v, *w;
	char		*name, *cause = NULL;
	size_t		 n;

	if ((name = osw_field(req, "app_class_name")) == NULL) {
		osw_error(req, 400, "app_class_name is required");
		return;
	}
	if (window_list(&v, &n, &cause) == -1) {
		osw_error(req, 503, "%s", cause);
		free(cause);
		free(name);
		return;
	}
	/* The Python server returned None here: an HTML 500. */
	if ((w = window_by_class(v, n, name)) == NULL)
		osw_error(req, 404, "no window with class %s", name);
	else
		http_reply_json(req, 200, json_pack("{s:i s:i}", "width", w->w,
		    "height", w->h));
	window_list_free(v, n);
	free(name);
}

static char *
osw_home(void)
{
	return (files_expand("~"));
}

/* POST /desktop_path */
static void
osw_desktop_path_cb(struct http_req *req, void *arg)
{
	struct stat	 sb;
	char		*home, *path, *clean;

	home = osw_home();
	xasprintf(&path, "%s/Desktop", strcmp(home, "/") == 0 ? "" : home);
	free(home);
	if (stat(path, &sb) == 0) {
		clean = window_utf8_clean(path, strlen(path));
		http_reply_json(req, 200, json_pack("{s:s}", "desktop_path",
		    clean));
		free(clean);
	} else
		osw_error(req, 404,
		    "Unsupported operating system or desktop path not found");
	free(path);
}

/* A gsettings child tied to a request. */
struct osw_gsettings {
	struct http_req	*req;
	struct proc	*proc;		/* NULL once it has exited */
	char		*path;
	int		 pending;	/* picture-uri-dark still to set */
};

static void
osw_gsettings_free(struct osw_gsettings *g)
{
	/* A caller that leaves does not stop gsettings, it is just reaped. */
	proc_forget(g->proc);
	free(g->path);
	free(g);
}

static void
osw_gsettings_close_cb(struct http_req *req, void *arg)
{
	osw_gsettings_free(arg);
}

/* Strip as the Python server did: file:// and every quote go. */
static char *
osw_wallpaper_path(const char *out)
{
	const char	*p;
	char		*s, *q;
	size_t		 n;

	while (*out == ' ' || *out == '\t' || *out == '\n')
		out++;
	n = strlen(out);
	while (n > 0 && strchr(" \t\r\n", out[n - 1]) != NULL)
		n--;
	s = xcalloc(1, n + 1);
	q = s;
	for (p = out; p < out + n; p++) {
		if (strncmp(p, "file://", 7) == 0) {
			p += 6;
			continue;
		}
		if (*p != '\'')
			*q++ = *p;
	}
	*q = '\0';
	return (s);
}

/* Percent-decode a file URI path (GNOME writes spaces as %20). */
static char *
osw_uri_decode(const char *s)
{
	char	*out, *q;
	u_int	 c;

	out = q = xmalloc(strlen(s) + 1);
	while (*s != '\0') {
		if (s[0] == '%' && sscanf(s + 1, "%2x", &c) == 1 &&
		    strchr("0123456789abcdefABCDEF", s[1]) != NULL &&
		    strchr("0123456789abcdefABCDEF", s[2]) != NULL && c != 0) {
			*q++ = c;
			s += 3;
		} else
			*q++ = *s++;
	}
	*q = '\0';
	return (out);
}

static void
osw_wallpaper_done_cb(struct proc *p, const struct proc_result *r,
    void *arg)
{
	struct osw_gsettings	*g = arg;
	struct http_req		*req = g->req;
	char			*path, *dec, desc[64];
	int			 fd;

	g->proc = NULL;
	http_req_set_close_cb(req, NULL, NULL);
	path = osw_wallpaper_path(r->out);
	if (!r->exited || r->exit_code != 0 || *path == '\0') {
		log_warnx("%s: gsettings %s: %s", __func__,
		    proc_describe(r, desc, sizeof desc), r->err);
		osw_error(req, 404, "Wallpaper file not found");
		goto out;
	}
	if ((fd = open(path, O_RDONLY|O_CLOEXEC)) == -1 && errno == ENOENT) {
		dec = osw_uri_decode(path);
		fd = open(dec, O_RDONLY|O_CLOEXEC);
		free(dec);
	}
	if (fd == -1) {
		osw_error(req, 500, "Unable to serve the wallpaper file: %s",
		    strerror(errno));
		goto out;
	}
	/* Always labelled PNG, as upstream's send_file(mimetype=...). */
	files_send_fd(req, fd, "image/png", NULL);
out:
	free(path);
	osw_gsettings_free(g);
}

/* Start gsettings for g; NULL with cause. */
static struct proc *
osw_gsettings_start(struct osw_gsettings *g, char *const argv[],
    proc_done_cb cb, char **cause)
{
	struct proc_opts	 o;
	int			 err;

	memset(&o, 0, sizeof o);
	o.argv = (const char *const *)argv;
	o.cwd = deskd_cfg.workdir;
	o.max_output = OSW_GSETTINGS_CAP;
	o.flags = PROC_KEEP_TAIL;
	return (proc_start(&o, cb, g, &err, cause));
}

static struct osw_gsettings *
osw_gsettings_run(struct http_req *req, char *const argv[], proc_done_cb cb,
    char **cause)
{
	struct osw_gsettings	*g;

	g = xcalloc(1, sizeof *g);
	g->req = req;
	g->proc = osw_gsettings_start(g, argv, cb, cause);
	if (g->proc == NULL) {
		free(g);
		return (NULL);
	}
	http_req_set_close_cb(req, osw_gsettings_close_cb, g);
	return (g);
}

/* POST /wallpaper */
static void
osw_wallpaper_cb(struct http_req *req, void *arg)
{
	char	*argv[] = { "gsettings", "get", "org.gnome.desktop.background",
		    "picture-uri", NULL };
	char	*cause = NULL;

	if (osw_gsettings_run(req, argv, osw_wallpaper_done_cb, &cause) ==
	    NULL) {
		log_warnx("%s: %s", __func__, cause);
		osw_error(req, 404, "Wallpaper file not found");
		free(cause);
	}
}

static void
osw_change_done_cb(struct proc *p, const struct proc_result *r, void *arg)
{
	struct osw_gsettings	*g = arg;
	struct http_req		*req = g->req;
	char			*uri, *cause = NULL, desc[64];
	char			*argv[] = { "gsettings", "set",
				    "org.gnome.desktop.background",
				    "picture-uri-dark", NULL, NULL };

	g->proc = NULL;
	if (!r->exited || r->exit_code != 0)
		log_warnx("%s: gsettings %s: %s", __func__,
		    proc_describe(r, desc, sizeof desc), r->err);
	/*
	 * GNOME 42+ shows picture-uri-dark in dark mode: set it too, once
	 * (a schema without the key just fails, which is fine).
	 */
	if (g->pending) {
		g->pending = 0;
		xasprintf(&uri, "file://%s", g->path);
		argv[4] = uri;
		g->proc = osw_gsettings_start(g, argv, osw_change_done_cb,
		    &cause);
		free(uri);
		if (g->proc != NULL)
			return;
		free(cause);
	}
	http_req_set_close_cb(req, NULL, NULL);
	/* 200 even when gsettings failed, as upstream (rc not checked). */
	osw_text(req, 200, "Wallpaper changed successfully");
	osw_gsettings_free(g);
}

/* POST /setup/change_wallpaper {"path"} */
static void
osw_change_wallpaper_cb(struct http_req *req, void *arg)
{
	struct osw_gsettings	*g;
	struct stat		 sb;
	const char		*p;
	json_t			*body;
	char			*path, *uri, *cause = NULL;
	char			*argv[] = { "gsettings", "set",
				    "org.gnome.desktop.background",
				    "picture-uri", NULL, NULL };

	if ((body = osw_body(req)) == NULL)
		return;
	if ((p = osw_string(body, "path")) == NULL) {
		osw_text(req, 400, "Path not supplied!");
		json_decref(body);
		return;
	}
	path = files_resolve(p);
	json_decref(body);
	if (stat(path, &sb) == -1) {
		osw_text(req, 404, "File not found: %s", path);
		free(path);
		return;
	}
	xasprintf(&uri, "file://%s", path);
	argv[4] = uri;
	g = osw_gsettings_run(req, argv, osw_change_done_cb, &cause);
	free(uri);
	if (g == NULL) {
		osw_text(req, 500, "Failed to change wallpaper. Error: %s",
		    cause);
		free(cause);
		free(path);
		return;
	}
	g->pending = 1;
	g->path = path;
}

/* /list_directory */

struct osw_walk {
	size_t	 entries;
	int	 truncated;
	dev_t	 devs[OSW_LIST_MAX_DEPTH + 1];
	ino_t	 inos[OSW_LIST_MAX_DEPTH + 1];
};

static json_t *
osw_jstr(const char *s)
{
	char	*clean;
	json_t	*j;

	clean = window_utf8_clean(s, strlen(s));
	j = json_string(clean);
	free(clean);
	return (j);
}

static json_t *
osw_list_dir(struct osw_walk *wk, const char *dir, const char *name,
    int depth)
{
	struct dirent	*de;
	struct stat	 sb;
	DIR		*d;
	json_t		*node, *kids;
	char		*full, *err;
	int		 i, isdir;

	if (stat(dir, &sb) == 0) {
		/* Symlinks can loop: Python recursed until it crashed. */
		for (i = 0; i < depth; i++) {
			if (wk->devs[i] == sb.st_dev &&
			    wk->inos[i] == sb.st_ino) {
				err = files_oserror(ELOOP, dir);
				node = json_pack("{s:o}", "error",
				    osw_jstr(err));
				free(err);
				return (node);
			}
		}
		wk->devs[depth] = sb.st_dev;
		wk->inos[depth] = sb.st_ino;
	}
	if ((d = opendir(dir)) == NULL) {
		err = files_oserror(errno, dir);
		node = json_pack("{s:o}", "error", osw_jstr(err));
		free(err);
		return (node);
	}
	kids = json_array();
	node = json_pack("{s:s s:o s:o}", "type", "directory", "name",
	    osw_jstr(name), "children", kids);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (++wk->entries > OSW_LIST_MAX_ENTRIES) {
			wk->truncated = 1;
			break;
		}
		xasprintf(&full, "%s%s%s", dir,
		    dir[strlen(dir) - 1] == '/' ? "" : "/", de->d_name);
		/* os.path.isdir follows links. */
		isdir = stat(full, &sb) == 0 && S_ISDIR(sb.st_mode);
		if (isdir && depth + 1 < OSW_LIST_MAX_DEPTH)
			json_array_append_new(kids, osw_list_dir(wk, full,
			    de->d_name, depth + 1));
		else if (isdir) {
			wk->truncated = 1;
			json_array_append_new(kids, json_pack("{s:s s:o s:[]}",
			    "type", "directory", "name", osw_jstr(de->d_name),
			    "children"));
		} else
			json_array_append_new(kids, json_pack("{s:s s:o}",
			    "type", "file", "name", osw_jstr(de->d_name)));
		free(full);
	}
	closedir(d);
	return (node);
}

/* A directory walk running on its own thread. */
struct osw_list_job {
	struct http_req			*req;	/* NULL once the caller left */
	char				*path;
	json_t				*reply;
	pthread_t			 thread;
	struct event			*done;
	TAILQ_ENTRY(osw_list_job)	 entry;
};
static TAILQ_HEAD(, osw_list_job) osw_list_jobs =
    TAILQ_HEAD_INITIALIZER(osw_list_jobs);

static void *
osw_list_thread(void *arg)
{
	struct osw_list_job	*job = arg;
	struct osw_walk		*wk;
	const char		*base;
	json_t			*tree;

	/* os.path.basename: "" for a path ending in a slash. */
	base = strrchr(job->path, '/');
	base = base != NULL ? base + 1 : job->path;
	wk = xcalloc(1, sizeof *wk);
	tree = osw_list_dir(wk, job->path, base, 0);
	job->reply = json_pack("{s:o}", "directory_tree", tree);
	if (wk->truncated)
		json_object_set_new(job->reply, "truncated", json_true());
	free(wk);
	/* Back to the loop (libevent is set up for threads). */
	event_active(job->done, 0, 0);
	return (NULL);
}

static void
osw_list_close_cb(struct http_req *req, void *arg)
{
	struct osw_list_job	*job = arg;

	job->req = NULL;
}

static void
osw_list_job_free(struct osw_list_job *job)
{
	TAILQ_REMOVE(&osw_list_jobs, job, entry);
	pthread_join(job->thread, NULL);
	json_decref(job->reply);
	event_free(job->done);
	free(job->path);
	free(job);
}

static void
osw_list_done_cb(evutil_socket_t fd, short events, void *arg)
{
	struct osw_list_job	*job = arg;

	if (job->req != NULL) {
		http_req_set_close_cb(job->req, NULL, NULL);
		http_reply_json(job->req, 200, job->reply);
		job->reply = NULL;
	}
	osw_list_job_free(job);
}

/* POST /list_directory {"path"} */
static void
osw_list_directory_cb(struct http_req *req, void *arg)
{
	struct osw_list_job	*job;
	struct stat		 sb;
	json_t			*body, *p;
	char			*path;

	if ((body = osw_body(req)) == NULL)
		return;
	p = json_object_get(body, "path");
	if (p == NULL) {
		osw_error(req, 400, "Missing 'path' parameter");
		json_decref(body);
		return;
	}
	if (!json_is_string(p)) {
		osw_error(req, 400, "The provided path is not a directory");
		json_decref(body);
		return;
	}
	path = files_resolve(json_string_value(p));
	json_decref(body);
	if (stat(path, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
		osw_error(req, 400, "The provided path is not a directory");
		free(path);
		return;
	}
	job = xcalloc(1, sizeof *job);
	job->req = req;
	job->path = path;
	job->done = event_new(osw_base, -1, 0, osw_list_done_cb, job);
	TAILQ_INSERT_TAIL(&osw_list_jobs, job, entry);
	/* A big tree takes a while to read: walk it off the loop. */
	if (pthread_create(&job->thread, NULL, osw_list_thread, job) != 0) {
		TAILQ_REMOVE(&osw_list_jobs, job, entry);
		event_free(job->done);
		free(job->path);
		free(job);
		osw_error(req, 503, "cannot start a thread: %s",
		    strerror(errno));
		return;
	}
	http_req_set_close_cb(req, osw_list_close_cb, job);
}

/* POST /file, form file_path */
static void
osw_file_cb(struct http_req *req, void *arg)
{
	struct stat	 sb;
	const char	*base;
	char		*raw, *path;
	int		 fd;

	if ((raw = osw_field(req, "file_path")) == NULL) {
		osw_error(req, 400, "file_path is required");
		return;
	}
	path = files_resolve(raw);
	free(raw);
	if (stat(path, &sb) == -1) {
		osw_error(req, 404, "File not found");
		free(path);
		return;
	}
	if (S_ISDIR(sb.st_mode)) {
		osw_error(req, 500, "Failed to serve file: [Errno 21] Is a "
		    "directory: '%s'", path);
		free(path);
		return;
	}
	if ((fd = open(path, O_RDONLY|O_CLOEXEC|O_NONBLOCK)) == -1 ||
	    fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		osw_error(req, 500, "Failed to serve file: [Errno %d] %s: "
		    "'%s'", fd == -1 ? errno : EINVAL, fd == -1 ?
		    strerror(errno) : "Not a regular file", path);
		if (fd != -1)
			close(fd);
		free(path);
		return;
	}
	fcntl(fd, F_SETFL, 0);
	base = strrchr(path, '/');
	base = base != NULL ? base + 1 : path;
	files_send_fd(req, fd, files_mime(base), base);
	free(path);
}

/* /setup/upload: multipart streamed to a temporary file. */

enum osw_part {
	OSW_PART_NONE,
	OSW_PART_PATH,
	OSW_PART_DATA,
	OSW_PART_SKIP
};

struct osw_upload {
	struct http_req		*req;
	struct multipart	*mp;
	enum osw_part		 part;
	char			*file_path;
	size_t			 path_len;
	struct files_sink	*sink;
	int			 have_data;
	int			 data_done;
	int			 failed;	/* replied with an error */
};

static void
osw_upload_free(struct osw_upload *up)
{
	multipart_free(up->mp);
	files_sink_abort(up->sink);
	free(up->file_path);
	free(up);
}

static void
osw_upload_close_cb(struct http_req *req, void *arg)
{
	struct osw_upload	*up = arg;

	log_info("%s: client hung up mid-upload%s%s: nothing written",
	    __func__, up->file_path != NULL ? " to " : "",
	    up->file_path != NULL ? up->file_path : "");
	osw_upload_free(up);
}

/* Where file_data goes when it arrives before file_path says where. */
static struct files_sink *
osw_upload_spool(char **cause)
{
	char		*path;
	struct files_sink *sk;

	/* Not a fixed name in a shared directory: deskd's own (deskd.h). */
	xasprintf(&path, "%s/upload", deskd_cfg.rundir);
	sk = files_sink_open(path, cause);
	free(path);
	return (sk);
}

static int
osw_upload_begin(const struct multipart_part *part, void *arg, char **cause)
{
	struct osw_upload	*up = arg;
	char			*path;

	if (strcmp(part->name, "file_path") == 0 && up->file_path == NULL) {
		up->part = OSW_PART_PATH;
		up->file_path = xstrdup("");
		up->path_len = 0;
	} else if (strcmp(part->name, "file_data") == 0 && !up->have_data) {
		up->part = OSW_PART_DATA;
		up->have_data = 1;
		if (up->file_path != NULL && *up->file_path != '\0') {
			path = files_resolve(up->file_path);
			up->sink = files_sink_open(path, cause);
			free(path);
		} else
			up->sink = osw_upload_spool(cause);
		if (up->sink == NULL)
			return (-1);
	} else
		up->part = OSW_PART_SKIP;
	return (0);
}

static int
osw_upload_data(const char *data, size_t len, void *arg, char **cause)
{
	struct osw_upload	*up = arg;

	switch (up->part) {
	case OSW_PART_PATH:
		if (up->path_len + len > FILES_MAX_PATH) {
			xasprintf(cause, "file_path is over %d bytes",
			    FILES_MAX_PATH);
			return (-1);
		}
		up->file_path = xrealloc(up->file_path, up->path_len + len + 1);
		memcpy(up->file_path + up->path_len, data, len);
		up->path_len += len;
		up->file_path[up->path_len] = '\0';
		if (strlen(up->file_path) != up->path_len) {
			*cause = xstrdup("file_path holds a NUL byte");
			return (-1);
		}
		return (0);
	case OSW_PART_DATA:
		return (files_sink_write(up->sink, data, len, cause));
	default:
		return (0);
	}
}

static int
osw_upload_end(void *arg, char **cause)
{
	struct osw_upload	*up = arg;

	if (up->part == OSW_PART_DATA)
		up->data_done = 1;
	up->part = OSW_PART_NONE;
	return (0);
}

static const struct multipart_cbs osw_upload_cbs = {
	osw_upload_begin, osw_upload_data, osw_upload_end
};

/* The whole body is in: rename the file into place and answer. */
static void
osw_upload_finish(struct osw_upload *up)
{
	struct http_req	*req = up->req;
	char		*path, *cause = NULL;
	off_t		 size;

	if (up->file_path == NULL || *up->file_path == '\0' ||
	    !up->data_done) {
		osw_error(req, 400, "file_path and file_data are required");
		goto out;
	}
	path = files_resolve(up->file_path);
	size = files_sink_size(up->sink);
	if (strcmp(files_sink_target(up->sink), path) != 0) {
		/* Spooled before file_path came: move it (copy if EXDEV). */
		if (files_mkdir_parent(path, &cause) == -1) {
			osw_error(req, 500, "Failed to upload file: %s", cause);
			free(path);
			goto out;
		}
		files_sink_retarget(up->sink, path);
	}
	if (files_sink_commit(up->sink, &cause) == -1) {
		up->sink = NULL;
		osw_error(req, 500, "Failed to upload file: %s", cause);
		free(path);
		goto out;
	}
	up->sink = NULL;
	log_info("%s: %lld bytes to %s", __func__, (long long)size, path);
	free(path);
	osw_text(req, 200, "File Uploaded: %lld bytes", (long long)size);
out:
	free(cause);
	osw_upload_free(up);
}

static int
osw_upload_body_cb(struct http_req *req, struct evbuffer *data, int done,
    void *arg)
{
	struct osw_upload	*up = arg;
	struct evbuffer_iovec	 v[16];
	char			*cause = NULL;
	int			 i, n, rc = 0, code;

	while (rc == 0 && evbuffer_get_length(data) > 0) {
		n = evbuffer_peek(data, -1, NULL, v, 16);
		if (n > 16)
			n = 16;
		for (i = 0; i < n && rc == 0; i++) {
			rc = multipart_feed(up->mp, v[i].iov_base,
			    v[i].iov_len, &cause);
			evbuffer_drain(data, v[i].iov_len);
		}
	}
	if (rc == 0 && done)
		rc = multipart_finish(up->mp, &cause);
	if (rc == -1) {
		/* Disk errors are the server's; the rest is a bad body. */
		code = (cause != NULL && strncmp(cause, "[Errno", 6) == 0) ?
		    500 : 400;
		http_req_set_close_cb(req, NULL, NULL);
		if (code == 500)
			osw_error(req, 500, "Failed to upload file: %s", cause);
		else
			osw_error(req, 400, "malformed multipart body: %s",
			    cause);
		free(cause);
		osw_upload_free(up);
		return (-1);
	}
	if (done) {
		http_req_set_close_cb(req, NULL, NULL);
		osw_upload_finish(up);
	}
	return (0);
}

/* POST /setup/upload (HTTP_STREAM): runs when the head is in. */
static void
osw_upload_cb(struct http_req *req, void *arg)
{
	struct osw_upload	*up;
	char			*boundary, *cause = NULL;

	boundary = multipart_boundary(http_req_header(req, "Content-Type"),
	    &cause);
	if (boundary == NULL) {
		/* request.form/files are empty for any other body. */
		log_debug("%s: %s", __func__, cause);
		free(cause);
		osw_error(req, 400, "file_path and file_data are required");
		return;
	}
	up = xcalloc(1, sizeof *up);
	up->req = req;
	up->mp = multipart_new(boundary, &osw_upload_cbs, up);
	free(boundary);
	http_req_set_close_cb(req, osw_upload_close_cb, up);
	http_req_set_body_cb(req, osw_upload_body_cb, up);
}

/* /setup/download_file */

struct osw_download {
	struct http_req	*req;
	struct download	*dl;
	char		*url;
};

static void
osw_download_close_cb(struct http_req *req, void *arg)
{
	struct osw_download	*od = arg;

	download_cancel(od->dl);
	free(od->url);
	free(od);
}

static void
osw_download_done_cb(struct download *dl, int ok, off_t bytes,
    const char *error, void *arg)
{
	struct osw_download	*od = arg;

	http_req_set_close_cb(od->req, NULL, NULL);
	if (ok)
		osw_text(od->req, 200, "File downloaded successfully: %lld "
		    "bytes", (long long)bytes);
	else
		osw_text(od->req, 500, "Failed to download %s. No retries "
		    "left. Error: %s", od->url, error);
	free(od->url);
	free(od);
}

/* POST /setup/download_file {"url", "path"} */
static void
osw_download_cb(struct http_req *req, void *arg)
{
	struct osw_download	*od;
	const char		*url, *p;
	json_t			*body;
	char			*path, *cause = NULL;

	if ((body = osw_body(req)) == NULL)
		return;
	url = osw_string(body, "url");
	p = osw_string(body, "path");
	if (url == NULL || p == NULL) {
		osw_text(req, 400, "Path or URL not supplied!");
		json_decref(body);
		return;
	}
	path = files_resolve(p);
	od = xcalloc(1, sizeof *od);
	od->req = req;
	od->url = xstrdup(url);
	json_decref(body);
	od->dl = download_start(od->url, path, osw_download_done_cb, od,
	    &cause);
	free(path);
	if (od->dl == NULL) {
		osw_text(req, 500, "Failed to download %s. No retries left. "
		    "Error: %s", od->url, cause);
		free(cause);
		free(od->url);
		free(od);
		return;
	}
	http_req_set_close_cb(req, osw_download_close_cb, od);
}

/* /setup/open_file */

struct osw_open {
	struct http_req	*req;
	struct event	*timer;
	char		*name;		/* file name, or the command */
	char		*stem;		/* name without extension */
	long long	 deadline;
	int		 timeout;
};

static void
osw_open_free(struct osw_open *op)
{
	event_free(op->timer);
	free(op->name);
	free(op->stem);
	free(op);
}

static void
osw_open_close_cb(struct http_req *req, void *arg)
{
	osw_open_free(arg);
}

static void
osw_open_timer_cb(evutil_socket_t fd, short events, void *arg)
{
	struct osw_open	*op = arg;
	struct window	*v = NULL, *w = NULL;
	struct timeval	 tv = { 0, OSW_OPEN_POLL_MS * 1000 };
	char		*cause = NULL;
	size_t		 n = 0, i;

	if (window_list(&v, &n, &cause) == 0) {
		/* Upstream matched the wmctrl -l line: case matters. */
		for (i = 0; i < n && w == NULL; i++) {
			if (strstr(v[i].title, op->name) != NULL ||
			    strstr(v[i].title, op->stem) != NULL)
				w = &v[i];
		}
	} else {
		log_debug("%s: %s", __func__, cause);
		free(cause);
		cause = NULL;
	}
	if (w != NULL) {
		if (window_activate(w->id, &cause) == -1) {
			log_warnx("%s: %s", __func__, cause);
			free(cause);
		}
		http_req_set_close_cb(op->req, NULL, NULL);
		osw_text(op->req, 200,
		    "File opened and window activated successfully");
		window_list_free(v, n);
		osw_open_free(op);
		return;
	}
	window_list_free(v, n);
	if (deskd_now_ms() >= op->deadline) {
		http_req_set_close_cb(op->req, NULL, NULL);
		osw_text(op->req, 500, "Failed to find window for %s within "
		    "%d seconds.", op->name, op->timeout);
		osw_open_free(op);
		return;
	}
	evtimer_add(op->timer, &tv);
}

/* shutil.which: a name with a slash is checked as is, else PATH. */
static int
osw_which(const char *cmd)
{
	struct stat	 sb;
	const char	*env;
	char		*path, *dir, *last, *full;
	int		 found = 0;

	if (strchr(cmd, '/') != NULL)
		return (stat(cmd, &sb) == 0 && S_ISREG(sb.st_mode) &&
		    access(cmd, X_OK) == 0);
	if ((env = getenv("PATH")) == NULL)
		env = "/usr/local/bin:/usr/bin:/bin";
	path = xstrdup(env);
	for (dir = strtok_r(path, ":", &last); dir != NULL && !found;
	    dir = strtok_r(NULL, ":", &last)) {
		xasprintf(&full, "%s/%s", *dir != '\0' ? dir : ".", cmd);
		found = stat(full, &sb) == 0 && S_ISREG(sb.st_mode) &&
		    access(full, X_OK) == 0;
		free(full);
	}
	free(path);
	return (found);
}

/* POST /setup/open_file {"path", "timeout"?} */
static void
osw_open_file_cb(struct http_req *req, void *arg)
{
	struct osw_open	*op;
	struct proc_opts o;
	struct stat	 sb;
	struct timeval	 tv = { 0, OSW_OPEN_POLL_MS * 1000 };
	json_t		*body, *t;
	const char	*p, *base, *dot, *q;
	char		*path, *cause = NULL;
	char		*argv[3];
	int		 is_file, err, timeout = OSW_OPEN_TIMEOUT;

	if ((body = osw_body(req)) == NULL)
		return;
	if ((p = osw_string(body, "path")) == NULL) {
		osw_text(req, 400, "Path not supplied!");
		json_decref(body);
		return;
	}
	/* An extension: how long to wait (tests; default as upstream). */
	t = json_object_get(body, "timeout");
	if (t != NULL) {
		if (!json_is_number(t) || json_number_value(t) < 0 ||
		    json_number_value(t) > OSW_OPEN_TIMEOUT) {
			osw_error(req, 400, "timeout must be a number of "
			    "seconds from 0 to %d", OSW_OPEN_TIMEOUT);
			json_decref(body);
			return;
		}
		timeout = json_number_value(t);
	}
	path = files_resolve(p);
	is_file = stat(path, &sb) == 0;
	if (!is_file && !osw_which(p)) {
		osw_text(req, 404, "Application/file not found: %s", p);
		goto out;
	}
	op = xcalloc(1, sizeof *op);
	if (is_file) {
		argv[0] = "xdg-open";
		argv[1] = path;
		argv[2] = NULL;
		base = strrchr(path, '/');
		base = base != NULL ? base + 1 : path;
		op->name = xstrdup(base);
		/* os.path.splitext: leading dots start no extension. */
		dot = strrchr(base, '.');
		for (q = base; dot != NULL && q < dot && *q == '.'; q++)
			;
		if (dot == NULL || q == dot)
			op->stem = xstrdup(base);
		else
			op->stem = xstrndup(base, dot - base);
	} else {
		argv[0] = (char *)p;
		argv[1] = NULL;
		op->name = xstrdup(p);
		op->stem = xstrdup(p);
	}
	/*
	 * Fire and forget, as Popen: the child is reaped when it exits and
	 * outlives deskd.  Its output goes where deskd's goes.
	 */
	memset(&o, 0, sizeof o);
	o.argv = (const char *const *)argv;
	o.cwd = deskd_cfg.workdir;
	o.flags = PROC_DETACH | PROC_NULL_STDIN;
	if (proc_start(&o, NULL, NULL, &err, &cause) == NULL) {
		osw_text(req, 500, "Failed to open %s. Error: %s", p, cause);
		free(cause);
		free(op->name);
		free(op->stem);
		free(op);
		goto out;
	}
	op->req = req;
	op->timeout = timeout;
	op->deadline = deskd_now_ms() + (long long)timeout * 1000;
	op->timer = evtimer_new(osw_base, osw_open_timer_cb, op);
	evtimer_add(op->timer, &tv);
	http_req_set_close_cb(req, osw_open_close_cb, op);
out:
	free(path);
	json_decref(body);
}

/* POST /setup/activate_window and /setup/close_window */
static void
osw_window_action_cb(struct http_req *req, void *arg)
{
	int		 closing = arg != NULL;
	struct window	*v = NULL, *w;
	const char	*name;
	json_t		*body;
	char		*cause = NULL;
	size_t		 n = 0;

	if ((body = osw_body(req)) == NULL)
		return;
	if ((name = osw_string(body, "window_name")) == NULL) {
		osw_text(req, 400, "window_name required");
		json_decref(body);
		return;
	}
	if (window_list(&v, &n, &cause) == -1) {
		log_warnx("%s: %s", __func__, cause);
		free(cause);
	} else if ((w = window_match(v, n, name, osw_truthy(body, "strict"),
	    osw_truthy(body, "by_class"))) == NULL)
		log_info("%s: no window matches \"%s\"", __func__, name);
	else if ((closing ? window_close(w->id, &cause) :
	    window_activate(w->id, &cause)) == -1) {
		log_warnx("%s: %s", __func__, cause);
		free(cause);
	}
	window_list_free(v, n);
	json_decref(body);
	/* wmctrl's exit status was ignored upstream: always 200. */
	if (closing)
		osw_text(req, 200, "Window closed successfully.");
	else
		osw_text(req, 200, "Window activated successfully");
}

void
osworld_files_init(struct event_base *base, struct http_server *srv)
{
	osw_base = base;
	http_route(srv, "/window_size", HTTP_POST, 0, 0, osw_window_size_cb,
	    NULL);
	http_route(srv, "/desktop_path", HTTP_POST, 0, 0, osw_desktop_path_cb,
	    NULL);
	http_route(srv, "/wallpaper", HTTP_POST, 0, 0, osw_wallpaper_cb, NULL);
	http_route(srv, "/list_directory", HTTP_POST, 0, 0,
	    osw_list_directory_cb, NULL);
	http_route(srv, "/file", HTTP_POST, 0, 0, osw_file_cb, NULL);
	http_route(srv, "/setup/upload", HTTP_POST, HTTP_STREAM, 0,
	    osw_upload_cb, NULL);
	http_route(srv, "/setup/change_wallpaper", HTTP_POST, 0, 0,
	    osw_change_wallpaper_cb, NULL);
	http_route(srv, "/setup/download_file", HTTP_POST, 0, 0,
	    osw_download_cb, NULL);
	http_route(srv, "/setup/open_file", HTTP_POST, 0, 0, osw_open_file_cb,
	    NULL);
	http_route(srv, "/setup/activate_window", HTTP_POST, 0, 0,
	    osw_window_action_cb, NULL);
	http_route(srv, "/setup/close_window", HTTP_POST, 0, 0,
	    osw_window_action_cb, "close");
}

void
osworld_files_shutdown(void)
{
	/* Walks end by themselves (bounded); wait for them. */
	while (!TAILQ_EMPTY(&osw_list_jobs))
		osw_list_job_free(TAILQ_FIRST(&osw_list_jobs));
}
