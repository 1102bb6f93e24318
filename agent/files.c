/*
 * files.c: path expansion as Python does it, MIME types, streamed file
 * replies, and the native GET/PUT /v1/files?path= routes (the writes go
 * through sink.c).
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include <jansson.h>

#include "deskd.h"
#include "deskproto.h"
#include "files.h"
#include "http.h"
#include "log.h"
#include "sink.h"
#include "utf8.h"
#include "xmalloc.h"

/* One reply being streamed from a file. */
struct files_send {
	struct http_req		*req;
	int			 fd;
	off_t			 left;
	TAILQ_ENTRY(files_send)	 entry;
};
static TAILQ_HEAD(, files_send) files_sends =
    TAILQ_HEAD_INITIALIZER(files_sends);

/* A PUT /v1/files in progress. */
struct files_put {
	struct http_req		*req;
	struct sink		*sink;
	TAILQ_ENTRY(files_put)	 entry;
};
static TAILQ_HEAD(, files_put) files_puts = TAILQ_HEAD_INITIALIZER(files_puts);

/* posixpath.expanduser */
static char *
files_expanduser(const char *p)
{
	struct passwd	*pw;
	const char	*slash, *home;
	char		*name, *out;
	size_t		 hlen;

	if (p[0] != '~')
		return (xstrdup(p));
	if ((slash = strchr(p + 1, '/')) == NULL)
		slash = p + strlen(p);
	if (slash == p + 1) {
		if ((home = getenv("HOME")) == NULL) {
			if ((pw = getpwuid(getuid())) == NULL)
				return (xstrdup(p));
			home = pw->pw_dir;
		}
	} else {
		name = xstrndup(p + 1, slash - (p + 1));
		pw = getpwnam(name);
		free(name);
		if (pw == NULL)
			return (xstrdup(p));
		home = pw->pw_dir;
	}
	hlen = strlen(home);
	while (hlen > 0 && home[hlen - 1] == '/')
		hlen--;
	xasprintf(&out, "%.*s%s", (int)hlen, home, slash);
	if (*out == '\0') {
		free(out);
		out = xstrdup("/");
	}
	return (out);
}

/* posixpath.expandvars: $NAME and ${NAME}, unknown names kept. */
static char *
files_expandvars(const char *p)
{
	const char	*q, *end, *val;
	char		*name, *out;
	size_t		 len = 0, cap, vlen;

	cap = strlen(p) + 1;
	out = xmalloc(cap);
	while (*p != '\0') {
		/* By default copy one byte as it is. */
		val = p;
		vlen = 1;
		end = p + 1;
		if (*p == '$') {
			name = NULL;
			q = p + 1;
			if (*q == '{' && (end = strchr(q, '}')) != NULL) {
				name = xstrndup(q + 1, end - q - 1);
				end++;
			} else {
				while (isalnum((u_char)*q) || *q == '_')
					q++;
				if (q > p + 1)
					name = xstrndup(p + 1, q - p - 1);
				end = q > p + 1 ? q : p + 1;
			}
			if (name != NULL && (val = getenv(name)) != NULL)
				vlen = strlen(val);
			else {
				val = p;
				vlen = end - p;
			}
			free(name);
		}
		if (len + vlen + 1 > cap) {
			cap = (len + vlen + 1) * 2;
			out = xrealloc(out, cap);
		}
		memcpy(out + len, val, vlen);
		len += vlen;
		p = end;
	}
	out[len] = '\0';
	return (out);
}

char *
files_expand(const char *p)
{
	char	*u, *v;

	u = files_expanduser(p);
	v = files_expandvars(u);
	free(u);
	return (v);
}

char *
files_resolve(const char *p)
{
	char	*e, *out;

	e = files_expand(p);
	if (e[0] == '/' || deskd_cfg.workdir == NULL)
		return (e);
	/* The Python server's cwd was the user's home: so is ours. */
	xasprintf(&out, "%s/%s", deskd_cfg.workdir, e);
	free(e);
	return (out);
}

const char *
files_mime(const char *name)
{
	static const struct {
		const char	*ext;
		const char	*type;
	} types[] = {
		{ "txt", "text/plain; charset=utf-8" },
		{ "log", "text/plain; charset=utf-8" },
		{ "md", "text/markdown; charset=utf-8" },
		{ "html", "text/html; charset=utf-8" },
		{ "htm", "text/html; charset=utf-8" },
		{ "css", "text/css; charset=utf-8" },
		{ "csv", "text/csv; charset=utf-8" },
		{ "xml", "application/xml" },
		{ "js", "text/javascript; charset=utf-8" },
		{ "json", "application/json" },
		{ "py", "text/x-python; charset=utf-8" },
		{ "sh", "application/x-sh" },
		{ "png", "image/png" },
		{ "jpg", "image/jpeg" },
		{ "jpeg", "image/jpeg" },
		{ "gif", "image/gif" },
		{ "bmp", "image/bmp" },
		{ "webp", "image/webp" },
		{ "svg", "image/svg+xml" },
		{ "ico", "image/vnd.microsoft.icon" },
		{ "pdf", "application/pdf" },
		{ "zip", "application/zip" },
		{ "gz", "application/gzip" },
		{ "tar", "application/x-tar" },
		{ "mp4", "video/mp4" },
		{ "webm", "video/webm" },
		{ "mp3", "audio/mpeg" },
		{ "wav", "audio/x-wav" },
		{ "ogg", "audio/ogg" },
		{ "doc", "application/msword" },
		{ "xls", "application/vnd.ms-excel" },
		{ "ppt", "application/vnd.ms-powerpoint" },
		{ "docx", "application/vnd.openxmlformats-officedocument."
		    "wordprocessingml.document" },
		{ "xlsx", "application/vnd.openxmlformats-officedocument."
		    "spreadsheetml.sheet" },
		{ "pptx", "application/vnd.openxmlformats-officedocument."
		    "presentationml.presentation" },
		{ "odt", "application/vnd.oasis.opendocument.text" },
		{ "ods", "application/vnd.oasis.opendocument.spreadsheet" },
		{ "odp", "application/vnd.oasis.opendocument.presentation" },
	};
	const char	*dot, *slash;
	size_t		 i;

	slash = strrchr(name, '/');
	dot = strrchr(slash != NULL ? slash : name, '.');
	if (dot == NULL)
		return ("application/octet-stream");
	for (i = 0; i < sizeof types / sizeof types[0]; i++) {
		if (strcasecmp(dot + 1, types[i].ext) == 0)
			return (types[i].type);
	}
	return ("application/octet-stream");
}

/* Sending. */

static void
files_send_free(struct files_send *fs)
{
	TAILQ_REMOVE(&files_sends, fs, entry);
	if (fs->fd != -1)
		close(fs->fd);
	free(fs);
}

static void
files_send_close_cb(struct http_req *req, void *arg)
{
	struct files_send	*fs = arg;

	log_debug("%s: client left with %lld bytes unsent", __func__,
	    (long long)fs->left);
	files_send_free(fs);
}

/* Top the connection's output up to the high mark from the file. */
static void
files_send_fill(struct http_req *req, void *arg)
{
	struct files_send	*fs = arg;
	struct evbuffer		*buf;
	struct evbuffer_iovec	 iov;
	struct bufferevent	*bev;
	ssize_t			 n;
	size_t			 want;

	buf = evbuffer_new();
	while (fs->left > 0 && http_reply_pending(req) < HTTP_OUT_HIGH) {
		want = fs->left < FILES_CHUNK ? fs->left : FILES_CHUNK;
		if (evbuffer_reserve_space(buf, want, &iov, 1) < 1)
			break;
		do
			n = read(fs->fd, iov.iov_base, want);
		while (n == -1 && errno == EINTR);
		if (n <= 0) {
			/*
			 * The file shrank or failed under us: the promised
			 * length cannot be met, so drop the connection
			 * rather than let the client take it as complete.
			 */
			log_warnx("%s: file ended %lld bytes early: %s",
			    __func__, (long long)fs->left,
			    n == 0 ? "truncated" : strerror(errno));
			evbuffer_free(buf);
			bev = http_req_takeover(req);
			bufferevent_free(bev);
			files_send_free(fs);
			return;
		}
		iov.iov_len = n;
		evbuffer_commit_space(buf, &iov, 1);
		fs->left -= n;
		http_reply_write(req, buf);
	}
	evbuffer_free(buf);
	if (fs->left == 0) {
		http_reply_end(req);
		files_send_free(fs);
	}
}

/*
 * U+00C0..U+017F in ASCII: what Werkzeug's NFKD-then-drop gives (its
 * send_file, werkzeug/utils.py:471 in 2.2.2: "über" is "uber"), and the
 * usual spelling of the letters without a decomposition (ß, æ, ø, ł,
 * þ...), which it drops.
 */
static const char *files_latin[] = {
	"A", "A", "A", "A", "A", "A", "AE", "C",	/* U+00C0 */
	"E", "E", "E", "E", "I", "I", "I", "I",		/* U+00C8 */
	"D", "N", "O", "O", "O", "O", "O", "_",		/* U+00D0 */
	"O", "U", "U", "U", "U", "Y", "TH", "ss",	/* U+00D8 */
	"a", "a", "a", "a", "a", "a", "ae", "c",	/* U+00E0 */
	"e", "e", "e", "e", "i", "i", "i", "i",		/* U+00E8 */
	"d", "n", "o", "o", "o", "o", "o", "_",		/* U+00F0 */
	"o", "u", "u", "u", "u", "y", "th", "y",	/* U+00F8 */
	"A", "a", "A", "a", "A", "a", "C", "c",		/* U+0100 */
	"C", "c", "C", "c", "C", "c", "D", "d",		/* U+0108 */
	"D", "d", "E", "e", "E", "e", "E", "e",		/* U+0110 */
	"E", "e", "E", "e", "G", "g", "G", "g",		/* U+0118 */
	"G", "g", "G", "g", "H", "h", "H", "h",		/* U+0120 */
	"I", "i", "I", "i", "I", "i", "I", "i",		/* U+0128 */
	"I", "i", "IJ", "ij", "J", "j", "K", "k",	/* U+0130 */
	"k", "L", "l", "L", "l", "L", "l", "L",		/* U+0138 */
	"l", "L", "l", "N", "n", "N", "n", "N",		/* U+0140 */
	"n", "n", "N", "n", "O", "o", "O", "o",		/* U+0148 */
	"O", "o", "OE", "oe", "R", "r", "R", "r",	/* U+0150 */
	"R", "r", "S", "s", "S", "s", "S", "s",		/* U+0158 */
	"S", "s", "T", "t", "T", "t", "T", "t",		/* U+0160 */
	"U", "u", "U", "u", "U", "u", "U", "u",		/* U+0168 */
	"U", "u", "U", "u", "W", "w", "Y", "y",		/* U+0170 */
	"Y", "Z", "z", "Z", "z", "Z", "z", "s"		/* U+0178 */
};

/*
 * The ASCII stand-in of a name for filename=: Latin letters lose their
 * marks (a decomposed mark, U+0300..U+036F, goes), and every other
 * character that is not printable ASCII becomes "_" where Werkzeug drops
 * it, so that "über.txt" is "uber.txt" and "日本.pdf" "__.pdf", never
 * " ber.txt" or ".pdf".
 */
static char *
files_ascii_name(const char *name)
{
	const char	*t;
	size_t		 len = strlen(name), i = 0, n, o = 0;
	uint32_t	 cp;
	char		*out;

	out = xmalloc(2 * len + 1);	/* at most 2 bytes per byte */
	while (i < len) {
		n = proto_utf8_next(name + i, len - i, &cp);
		i += n;
		if (cp >= 0x20 && cp < 0x7f)
			t = NULL;
		else if (cp >= 0xc0 && cp < 0x180)
			t = files_latin[cp - 0xc0];
		else if (cp >= 0x300 && cp < 0x370)
			continue;
		else
			t = "_";
		if (t == NULL)
			out[o++] = (char)cp;
		else {
			memcpy(out + o, t, strlen(t));
			o += strlen(t);
		}
	}
	out[o] = '\0';
	return (out);
}

/* Werkzeug's token characters (RFC 7230 tchar less a few). */
static int
files_token(const char *s)
{
	const u_char	*p;

	if (*s == '\0')
		return (0);
	for (p = (const u_char *)s; *p != '\0'; p++) {
		if (!isalnum(*p) && strchr("!#$&+-.^_`|~", *p) == NULL)
			return (0);
	}
	return (1);
}

/* "attachment; filename=..." as Werkzeug writes it. */
static char *
files_disposition(const char *name)
{
	const u_char	*p;
	char		*out, *enc, *ascii, *q;
	size_t		 o = 0, a = 0;
	int		 plain = 1;

	for (p = (const u_char *)name; *p != '\0'; p++) {
		if (*p >= 0x80 || *p < 0x20 || *p == 0x7f)
			plain = 0;
	}
	if (plain && files_token(name)) {
		xasprintf(&out, "attachment; filename=%s", name);
		return (out);
	}
	ascii = plain ? xstrdup(name) : files_ascii_name(name);
	q = xmalloc(2 * strlen(ascii) + 1);
	for (p = (const u_char *)ascii; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			q[a++] = '\\';
		q[a++] = *p;
	}
	q[a] = '\0';
	enc = xmalloc(strlen(name) * 3 + 1);
	for (p = (const u_char *)name; *p != '\0'; p++) {
		if (isalnum(*p) || strchr("-._~", *p) != NULL)
			enc[o++] = *p;
		else
			o += sprintf(enc + o, "%%%02X", *p);
	}
	enc[o] = '\0';
	if (plain)
		xasprintf(&out, "attachment; filename=\"%s\"", q);
	else if (files_token(ascii))
		xasprintf(&out, "attachment; filename=%s; "
		    "filename*=UTF-8''%s", ascii, enc);
	else
		xasprintf(&out, "attachment; filename=\"%s\"; "
		    "filename*=UTF-8''%s", q, enc);
	free(enc);
	free(ascii);
	free(q);
	return (out);
}

void
files_send_fd(struct http_req *req, int fd, const char *ctype,
    const char *attach_name)
{
	struct files_send	*fs;
	struct stat		 sb;
	char			*disp;

	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		http_reply_error(req, 500, "io_error", "not a regular file");
		close(fd);
		return;
	}
	if (attach_name != NULL) {
		disp = files_disposition(attach_name);
		http_add_header(req, "Content-Disposition", disp);
		free(disp);
	}
	fs = xcalloc(1, sizeof *fs);
	fs->req = req;
	fs->fd = fd;
	fs->left = sb.st_size;
	TAILQ_INSERT_TAIL(&files_sends, fs, entry);
	if (http_req_method(req) == HTTP_HEAD) {
		/* The head is the whole reply: req is finished with it. */
		http_reply_start(req, 200, ctype, sb.st_size);
		files_send_free(fs);
		return;
	}
	http_req_set_close_cb(req, files_send_close_cb, fs);
	http_req_set_drain_cb(req, files_send_fill, fs);
	http_reply_start(req, 200, ctype, sb.st_size);
	files_send_fill(req, fs);
}

/* GET /v1/files?path= */
void
files_get_cb(struct http_req *req, void *arg)
{
	const char	*q;
	char		*path;
	struct stat	 sb;
	int		 fd;

	if ((q = http_req_query(req, "path")) == NULL || *q == '\0') {
		http_reply_error(req, 400, "bad_request",
		    "query parameter path is required");
		return;
	}
	path = files_resolve(q);
	fd = open(path, O_RDONLY|O_CLOEXEC|O_NONBLOCK);
	if (fd == -1) {
		if (errno == ENOENT || errno == ENOTDIR)
			http_reply_error(req, 404, "not_found",
			    "no such file: %s", path);
		else if (errno == EACCES)
			http_reply_error(req, 403, "forbidden",
			    "permission denied: %s", path);
		else
			http_reply_error(req, 500, "io_error", "%s: %s", path,
			    strerror(errno));
		free(path);
		return;
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		http_reply_error(req, 400, "not_a_file",
		    "not a regular file: %s", path);
		close(fd);
		free(path);
		return;
	}
	/* O_NONBLOCK was only so a FIFO could not hang the open. */
	if (fcntl(fd, F_SETFL, 0) == -1) {
		http_reply_error(req, 500, "io_error", "%s: %s", path,
		    strerror(errno));
		close(fd);
		free(path);
		return;
	}
	free(path);
	files_send_fd(req, fd, "application/octet-stream", NULL);
}

static void
files_put_free(struct files_put *fp)
{
	TAILQ_REMOVE(&files_puts, fp, entry);
	sink_abort(fp->sink);
	free(fp);
}

static void
files_put_close_cb(struct http_req *req, void *arg)
{
	struct files_put	*fp = arg;

	log_info("%s: client hung up: %s not written", __func__,
	    sink_target(fp->sink));
	files_put_free(fp);
}

static int
files_put_body_cb(struct http_req *req, struct evbuffer *data, int done,
    void *arg)
{
	struct files_put	*fp = arg;
	struct evbuffer_iovec	 v[16];
	char			*cause = NULL, *target;
	enum deskd_err		 kind;
	int			 i, n;
	off_t			 size;

	while (evbuffer_get_length(data) > 0) {
		n = evbuffer_peek(data, -1, NULL, v, 16);
		if (n > 16)
			n = 16;
		for (i = 0; i < n; i++) {
			if (sink_write(fp->sink, v[i].iov_base,
			    v[i].iov_len, &cause) == -1) {
				http_reply_error(req, 500, "io_error", "%s",
				    cause);
				free(cause);
				files_put_free(fp);
				return (-1);
			}
			evbuffer_drain(data, v[i].iov_len);
		}
	}
	if (!done)
		return (0);
	size = sink_size(fp->sink);
	target = xstrdup(sink_target(fp->sink));
	if (sink_commit(fp->sink, &kind, &cause) == -1) {
		fp->sink = NULL;
		if (kind == DESKD_EDENIED)
			http_reply_error(req, 403, "forbidden", "%s", cause);
		else if (kind == DESKD_EINPUT)
			http_reply_error(req, 400, "cannot_write", "%s", cause);
		else
			http_reply_error(req, 500, "io_error", "%s", cause);
		free(cause);
		free(target);
		files_put_free(fp);
		return (-1);
	}
	fp->sink = NULL;
	files_put_free(fp);
	http_reply_json(req, 200, json_pack("{s:s s:I}", "path", target,
	    "size", (json_int_t)size));
	free(target);
	return (0);
}

static int
files_utf8_ok(const char *s)
{
	size_t	 len = strlen(s), n;
	char	*clean;
	int	 ok;

	clean = proto_utf8_clean(s, len, &n);
	ok = n == len && memcmp(clean, s, len) == 0;
	free(clean);
	return (ok);
}

/* PUT /v1/files?path=: the raw body becomes the file, atomically. */
void
files_put_cb(struct http_req *req, void *arg)
{
	struct files_put	*fp;
	const char		*q;
	char			*path, *cause = NULL;
	struct sink		*sk;
	enum deskd_err		 kind;

	if ((q = http_req_query(req, "path")) == NULL || *q == '\0') {
		http_reply_error(req, 400, "bad_request",
		    "query parameter path is required");
		return;
	}
	/* The answer names the file in JSON, which holds only UTF-8. */
	if (!files_utf8_ok(q)) {
		http_reply_error(req, 400, "bad_parameter",
		    "path: not valid UTF-8");
		return;
	}
	path = files_resolve(q);
	if ((sk = sink_open(path, &kind, &cause)) == NULL) {
		http_reply_error(req, deskd_err_status(kind),
		    kind == DESKD_EBUSY ? "busy" : "cannot_write", "%s", cause);
		free(cause);
		free(path);
		return;
	}
	free(path);
	fp = xcalloc(1, sizeof *fp);
	fp->req = req;
	fp->sink = sk;
	TAILQ_INSERT_TAIL(&files_puts, fp, entry);
	http_req_set_close_cb(req, files_put_close_cb, fp);
	http_req_set_body_cb(req, files_put_body_cb, fp);
}

void
files_shutdown(void)
{
	/* The HTTP server closed its connections first: nothing is left. */
	while (!TAILQ_EMPTY(&files_sends))
		files_send_free(TAILQ_FIRST(&files_sends));
	while (!TAILQ_EMPTY(&files_puts))
		files_put_free(TAILQ_FIRST(&files_puts));
}
