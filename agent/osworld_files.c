/*
 * osworld_files.c: OSWorld's file routes: /file, /setup/upload,
 * /setup/download_file and /list_directory (see osworld.h), over files.c,
 * the atomic sink, download.c and multipart.c.
 *
 * Files stream both ways: a reply is refilled as the client drains it, an
 * upload is parsed as it arrives and written to a temporary beside its
 * target, a directory walk runs on a thread of its own.
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include <jansson.h>

#include "deskd.h"
#include "deskproto.h"
#include "download.h"
#include "files.h"
#include "sink.h"
#include "http.h"
#include "log.h"
#include "multipart.h"
#include "osworld.h"
#include "pyfmt.h"
#include "strv.h"
#include "xmalloc.h"

static struct event_base	*osworld_files_base;

/* POST /file, form file_path */
void
osworld_files_file_cb(struct http_req *req, void *arg)
{
	struct stat	 sb;
	const char	*base;
	char		*raw, *path, *err;
	int		 fd;

	if ((raw = osworld_field(req, "file_path")) == NULL) {
		osworld_reply_error(req, 400, "file_path is required");
		return;
	}
	path = files_resolve(raw);
	free(raw);
	if (stat(path, &sb) == -1) {
		osworld_reply_error(req, 404, "File not found");
		free(path);
		return;
	}
	if (S_ISDIR(sb.st_mode)) {
		osworld_reply_error(req, 500, "Failed to serve file: "
		    "[Errno 21] Is a directory: '%s'", path);
		free(path);
		return;
	}
	if ((fd = open(path, O_RDONLY|O_CLOEXEC|O_NONBLOCK)) == -1) {
		err = pyfmt_oserror(errno, path);
		osworld_reply_error(req, 500, "Failed to serve file: %s", err);
		free(err);
		free(path);
		return;
	}
	/* O_NONBLOCK was only so a FIFO could not hang the open. */
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    fcntl(fd, F_SETFL, 0) == -1) {
		osworld_reply_error(req, 500, "Failed to serve file: "
		    "[Errno %d] Not a regular file: '%s'", EINVAL, path);
		close(fd);
		free(path);
		return;
	}
	base = strrchr(path, '/');
	base = base != NULL ? base + 1 : path;
	files_send_fd(req, fd, files_mime(base), base);
	free(path);
}

/*
 * /setup/upload: multipart, streamed as it arrives into a temporary file
 * beside the target (sink.c), renamed over it once the body is whole.
 * The target must be known before the data comes, so file_path has to
 * precede file_data, as OSWorld's client sends them (the MultipartEncoder
 * of _upload_file_setup, xlang-ai/OSWorld:desktop_env/controllers/
 * setup.py): a body in
 * the other order is refused with a 400 rather than spooled elsewhere and
 * copied on the loop.
 */

enum osworld_files_part {
	OSWORLD_FILES_PART_NONE,
	OSWORLD_FILES_PART_PATH,
	OSWORLD_FILES_PART_DATA,
	OSWORLD_FILES_PART_SKIP
};

struct osworld_files_upload {
	struct http_req		*req;
	struct multipart	*mp;
	enum osworld_files_part	 part;
	char			*file_path;
	size_t			 path_len;
	struct sink		*sink;
	int			 have_data;	/* a file_data part came */
	int			 data_early;	/* ... before file_path */
	int			 data_done;
	int			 disk_error;	/* the cause is the disk's */
};

static void
osworld_files_upload_free(struct osworld_files_upload *up)
{
	multipart_free(up->mp);
	sink_abort(up->sink);
	free(up->file_path);
	free(up);
}

static void
osworld_files_upload_close_cb(struct http_req *req, void *arg)
{
	struct osworld_files_upload	*up = arg;

	log_info("%s: client hung up mid-upload%s%s: nothing written",
	    __func__, up->file_path != NULL ? " to " : "",
	    up->file_path != NULL ? up->file_path : "");
	osworld_files_upload_free(up);
}

static int
osworld_files_upload_begin(const struct multipart_part *part, void *arg,
    char **cause)
{
	struct osworld_files_upload	*up = arg;
	enum deskd_err			 kind;
	char				*path;

	up->part = OSWORLD_FILES_PART_SKIP;
	if (strcmp(part->name, "file_path") == 0 && up->file_path == NULL) {
		up->part = OSWORLD_FILES_PART_PATH;
		up->file_path = xstrdup("");
		up->path_len = 0;
	} else if (strcmp(part->name, "file_data") == 0 && !up->have_data) {
		up->have_data = 1;
		if (up->file_path == NULL || *up->file_path == '\0') {
			/* Nowhere to put it yet: read and drop. */
			up->data_early = 1;
			return (0);
		}
		path = files_resolve(up->file_path);
		up->sink = sink_open(path, &kind, cause);
		free(path);
		if (up->sink == NULL) {
			up->disk_error = 1;
			return (-1);
		}
		up->part = OSWORLD_FILES_PART_DATA;
	}
	return (0);
}

static int
osworld_files_upload_data(const char *data, size_t len, void *arg,
    char **cause)
{
	struct osworld_files_upload	*up = arg;

	switch (up->part) {
	case OSWORLD_FILES_PART_PATH:
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
	case OSWORLD_FILES_PART_DATA:
		if (sink_write(up->sink, data, len, cause) == -1) {
			up->disk_error = 1;
			return (-1);
		}
		return (0);
	default:
		return (0);
	}
}

static int
osworld_files_upload_end(void *arg, char **cause)
{
	struct osworld_files_upload	*up = arg;

	if (up->part == OSWORLD_FILES_PART_DATA)
		up->data_done = 1;
	up->part = OSWORLD_FILES_PART_NONE;
	return (0);
}

static const struct multipart_cbs osworld_files_upload_cbs = {
	osworld_files_upload_begin,
	osworld_files_upload_data,
	osworld_files_upload_end
};

/* The whole body is in: rename the file into place and answer. */
static void
osworld_files_upload_finish(struct osworld_files_upload *up)
{
	struct http_req	*req = up->req;
	char		*path, *cause = NULL;
	enum deskd_err	 kind;
	off_t		 size;

	if (up->file_path == NULL || *up->file_path == '\0' ||
	    !up->have_data) {
		osworld_reply_error(req, 400,
		    "file_path and file_data are required");
		goto out;
	}
	if (up->data_early) {
		osworld_reply_error(req, 400, "file_path must come before "
		    "file_data in the multipart body");
		goto out;
	}
	if (!up->data_done) {
		osworld_reply_error(req, 400,
		    "file_path and file_data are required");
		goto out;
	}
	path = xstrdup(sink_target(up->sink));
	size = sink_size(up->sink);
	if (sink_commit(up->sink, &kind, &cause) == -1) {
		up->sink = NULL;
		osworld_reply_error(req, 500, "Failed to upload file: %s",
		    cause);
		free(path);
		goto out;
	}
	up->sink = NULL;
	log_info("%s: %lld bytes to %s", __func__, (long long)size, path);
	free(path);
	osworld_reply_text(req, 200, "File Uploaded: %lld bytes",
	    (long long)size);
out:
	free(cause);
	osworld_files_upload_free(up);
}

static int
osworld_files_upload_body_cb(struct http_req *req, struct evbuffer *data,
    int done, void *arg)
{
	struct osworld_files_upload	*up = arg;
	struct evbuffer_iovec		 v[16];
	char				*cause = NULL;
	int				 i, n, rc = 0;

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
		http_req_set_close_cb(req, NULL, NULL);
		if (up->disk_error)
			osworld_reply_error(req, 500,
			    "Failed to upload file: %s", cause);
		else
			osworld_reply_error(req, 400,
			    "malformed multipart body: %s", cause);
		free(cause);
		osworld_files_upload_free(up);
		return (-1);
	}
	if (done) {
		http_req_set_close_cb(req, NULL, NULL);
		osworld_files_upload_finish(up);
	}
	return (0);
}

/* POST /setup/upload (HTTP_STREAM): runs when the head is in. */
void
osworld_files_upload_cb(struct http_req *req, void *arg)
{
	struct osworld_files_upload	*up;
	char				*boundary, *cause = NULL;

	boundary = multipart_boundary(http_req_header(req, "Content-Type"),
	    &cause);
	if (boundary == NULL) {
		/* request.form/files are empty for any other body. */
		log_debug("%s: %s", __func__, cause);
		free(cause);
		osworld_reply_error(req, 400,
		    "file_path and file_data are required");
		return;
	}
	up = xcalloc(1, sizeof *up);
	up->req = req;
	up->mp = multipart_new(boundary, &osworld_files_upload_cbs, up);
	free(boundary);
	http_req_set_close_cb(req, osworld_files_upload_close_cb, up);
	http_req_set_body_cb(req, osworld_files_upload_body_cb, up);
}

/* /setup/download_file */

struct osworld_files_download {
	struct http_req	*req;
	struct download	*dl;
	char		*url;
};

static void
osworld_files_download_close_cb(struct http_req *req, void *arg)
{
	struct osworld_files_download	*od = arg;

	download_cancel(od->dl);
	free(od->url);
	free(od);
}

static void
osworld_files_download_done_cb(struct download *dl, int ok, off_t bytes,
    const char *error, void *arg)
{
	struct osworld_files_download	*od = arg;

	http_req_set_close_cb(od->req, NULL, NULL);
	if (ok)
		osworld_reply_text(od->req, 200, "File downloaded "
		    "successfully: %lld bytes", (long long)bytes);
	else
		osworld_reply_text(od->req, 500, "Failed to download %s. No "
		    "retries left. Error: %s", od->url, error);
	free(od->url);
	free(od);
}

/* POST /setup/download_file {"url", "path"} */
void
osworld_files_download_cb(struct http_req *req, void *arg)
{
	struct osworld_files_download	*od;
	const char		*url, *p;
	json_t			*body;
	char			*path, *cause = NULL;

	if ((body = osworld_body(req, 1, &cause)) == NULL) {
		osworld_reply_error(req, 400, "%s", cause);
		free(cause);
		return;
	}
	url = osworld_string(body, "url");
	p = osworld_string(body, "path");
	if (url == NULL || p == NULL) {
		osworld_reply_text(req, 400, "Path or URL not supplied!");
		json_decref(body);
		return;
	}
	path = files_resolve(p);
	od = xcalloc(1, sizeof *od);
	od->req = req;
	od->url = xstrdup(url);
	json_decref(body);
	od->dl = download_start(od->url, path, osworld_files_download_done_cb,
	    od, &cause);
	free(path);
	if (od->dl == NULL) {
		osworld_reply_text(req, 500, "Failed to download %s. No "
		    "retries left. Error: %s", od->url, cause);
		free(cause);
		free(od->url);
		free(od);
		return;
	}
	http_req_set_close_cb(req, osworld_files_download_close_cb, od);
}

/*
 * /list_directory: upstream's recursive os.listdir
 * (xlang-ai/OSWorld:desktop_env/server/main.py:1091-1127), following
 * symlinks as os.path.isdir does.  Bounded by entries, time and depth,
 * each of which sets "truncated": true.
 *
 * A symlink that leads back to a directory being walked (Desktop/loop ->
 * .) is a loop.  Upstream walks it until the kernel refuses the path
 * (ELOOP after 40 links), nesting named levels; an error node without a
 * name at the top broke OSWorld's getters (get_shortcuts_on_desktop reads
 * every child's "name").  Here it is one named directory without
 * children and with the error: {"type": "directory", "name": "loop",
 * "children": [], "error": "[Errno 40] Too many levels of symbolic
 * links: '...'"}.
 */

struct osworld_files_walk {
	size_t		 entries;
	int		 truncated;
	long long	 deadline;	/* deskd_now_ms() */
	dev_t		 devs[OSWORLD_LIST_MAX_DEPTH + 1];
	ino_t		 inos[OSWORLD_LIST_MAX_DEPTH + 1];
};

static json_t *
osworld_files_jstr(const char *s)
{
	char	*clean;
	json_t	*j;

	if ((clean = proto_utf8_clean(s, strlen(s), NULL)) == NULL)
		fatalx("%s: out of memory", __func__);
	j = json_string(clean);
	free(clean);
	return (j);
}

/* Out of entries or of time: the walk stops where it is. */
static int
osworld_files_walk_over(struct osworld_files_walk *wk)
{
	if (wk->truncated)
		return (1);
	if (++wk->entries > OSWORLD_LIST_MAX_ENTRIES ||
	    ((wk->entries & 255) == 0 && deskd_now_ms() > wk->deadline))
		wk->truncated = 1;
	return (wk->truncated);
}

/*
 * The directory dir (its stat in sb) at depth: its entries are read
 * first and the directory closed before any is walked, so that one
 * descriptor is open whatever the depth.
 */
static json_t *
osworld_files_list_dir(struct osworld_files_walk *wk, const char *dir,
    const char *name, const struct stat *dsb, int depth)
{
	struct dirent	*de;
	struct stat	 sb;
	DIR		*d;
	json_t		*node, *kids, *kid;
	char		*full, *err, **names = NULL;
	size_t		 n = 0, k;
	int		 i, loop;

	wk->devs[depth] = dsb->st_dev;
	wk->inos[depth] = dsb->st_ino;
	if ((d = opendir(dir)) == NULL) {
		err = pyfmt_oserror(errno, dir);
		node = json_pack("{s:o}", "error", osworld_files_jstr(err));
		free(err);
		return (node);
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (osworld_files_walk_over(wk))
			break;
		names = strv_add(names, &n, de->d_name);
	}
	closedir(d);

	kids = json_array();
	node = json_pack("{s:s s:o s:o}", "type", "directory", "name",
	    osworld_files_jstr(name), "children", kids);
	for (k = 0; k < n; k++) {
		xasprintf(&full, "%s%s%s", dir,
		    dir[strlen(dir) - 1] == '/' ? "" : "/", names[k]);
		/* os.path.isdir follows links. */
		if (stat(full, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
			json_array_append_new(kids, json_pack("{s:s s:o}",
			    "type", "file", "name", osworld_files_jstr(names[k])));
			free(full);
			continue;
		}
		for (loop = 0, i = 0; i <= depth && !loop; i++)
			loop = wk->devs[i] == sb.st_dev &&
			    wk->inos[i] == sb.st_ino;
		if (loop || depth + 1 >= OSWORLD_LIST_MAX_DEPTH ||
		    wk->truncated) {
			kid = json_pack("{s:s s:o s:[]}", "type", "directory",
			    "name", osworld_files_jstr(names[k]), "children");
			if (loop) {
				err = pyfmt_oserror(ELOOP, full);
				json_object_set_new(kid, "error",
				    osworld_files_jstr(err));
				free(err);
			} else
				wk->truncated = 1;
		} else
			kid = osworld_files_list_dir(wk, full, names[k], &sb,
			    depth + 1);
		json_array_append_new(kids, kid);
		free(full);
	}
	strv_free(names);
	return (node);
}

/* A directory walk running on its own thread. */
struct osworld_files_list_job {
	struct http_req			*req;	/* NULL once the caller left */
	char				*path;
	json_t				*reply;
	pthread_t			 thread;
	struct event			*done;
	TAILQ_ENTRY(osworld_files_list_job)	 entry;
};
static TAILQ_HEAD(, osworld_files_list_job) osworld_files_list_jobs =
    TAILQ_HEAD_INITIALIZER(osworld_files_list_jobs);

static void *
osworld_files_list_thread(void *arg)
{
	struct osworld_files_list_job	*job = arg;
	struct osworld_files_walk		*wk;
	struct stat		 sb;
	const char		*base;
	json_t			*tree;
	char			*err;

	/* os.path.basename: "" for a path ending in a slash. */
	base = strrchr(job->path, '/');
	base = base != NULL ? base + 1 : job->path;
	wk = xcalloc(1, sizeof *wk);
	wk->deadline = deskd_now_ms() + OSWORLD_LIST_MAX_MS;
	if (stat(job->path, &sb) == -1) {
		err = pyfmt_oserror(errno, job->path);
		tree = json_pack("{s:o}", "error", osworld_files_jstr(err));
		free(err);
	} else
		tree = osworld_files_list_dir(wk, job->path, base, &sb, 0);
	job->reply = json_pack("{s:o}", "directory_tree", tree);
	if (wk->truncated)
		json_object_set_new(job->reply, "truncated", json_true());
	free(wk);
	/* Back to the loop (libevent is set up for threads). */
	event_active(job->done, 0, 0);
	return (NULL);
}

static void
osworld_files_list_close_cb(struct http_req *req, void *arg)
{
	struct osworld_files_list_job	*job = arg;

	job->req = NULL;
}

static void
osworld_files_list_job_free(struct osworld_files_list_job *job)
{
	TAILQ_REMOVE(&osworld_files_list_jobs, job, entry);
	pthread_join(job->thread, NULL);
	json_decref(job->reply);
	event_free(job->done);
	free(job->path);
	free(job);
}

static void
osworld_files_list_done_cb(evutil_socket_t fd, short events, void *arg)
{
	struct osworld_files_list_job	*job = arg;

	if (job->req != NULL) {
		http_req_set_close_cb(job->req, NULL, NULL);
		http_reply_json(job->req, 200, job->reply);
		job->reply = NULL;
	}
	osworld_files_list_job_free(job);
}

/* POST /list_directory {"path"} */
void
osworld_files_list_cb(struct http_req *req, void *arg)
{
	struct osworld_files_list_job	*job;
	struct stat			 sb;
	json_t				*body, *p;
	char				*path, *cause = NULL;

	if ((body = osworld_body(req, 1, &cause)) == NULL) {
		osworld_reply_error(req, 400, "%s", cause);
		free(cause);
		return;
	}
	p = json_object_get(body, "path");
	if (p == NULL) {
		osworld_reply_error(req, 400, "Missing 'path' parameter");
		json_decref(body);
		return;
	}
	if (!json_is_string(p)) {
		osworld_reply_error(req, 400,
		    "The provided path is not a directory");
		json_decref(body);
		return;
	}
	path = files_resolve(json_string_value(p));
	json_decref(body);
	if (stat(path, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
		osworld_reply_error(req, 400,
		    "The provided path is not a directory");
		free(path);
		return;
	}
	job = xcalloc(1, sizeof *job);
	job->req = req;
	job->path = path;
	job->done = event_new(osworld_files_base, -1, 0,
	    osworld_files_list_done_cb, job);
	TAILQ_INSERT_TAIL(&osworld_files_list_jobs, job, entry);
	/* A big tree takes a while to read: walk it off the loop. */
	if (pthread_create(&job->thread, NULL, osworld_files_list_thread,
	    job) != 0) {
		TAILQ_REMOVE(&osworld_files_list_jobs, job, entry);
		event_free(job->done);
		free(job->path);
		free(job);
		osworld_reply_error(req, 503, "cannot start a thread: %s",
		    strerror(errno));
		return;
	}
	http_req_set_close_cb(req, osworld_files_list_close_cb, job);
}


void
osworld_files_init(struct event_base *base)
{
	osworld_files_base = base;
}

void
osworld_files_shutdown(void)
{
	/* Walks end by themselves (bounded); wait for them. */
	while (!TAILQ_EMPTY(&osworld_files_list_jobs))
		osworld_files_list_job_free(
		    TAILQ_FIRST(&osworld_files_list_jobs));
}
