/*
 * client.c: the agent client.  Errors from the agent arrive as
 * {"error":{"code","message"}} and are shown as they are; the token only
 * ever goes into the Authorization header.
 */
#include <sys/stat.h>

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "action.h"
#include "base64.h"
#include "client.h"
#include "deskctl.h"
#include "deskproto.h"
#include "log.h"
#include "provider.h"
#include "state.h"
#include "util.h"
#include "xmalloc.h"

#define CLIENT_MAX_BODY	(512 * 1024 * 1024)
#define CLIENT_TIMEOUT_S 120

struct client_buf {
	struct util_buf	 b;		/* error bodies and small answers */
	FILE		*f;		/* stream 2xx bodies here when set */
	long		 status;	/* filled by the header callback */
};

int
client_split_remote(const char *spec, char **target, char **path)
{
	const char	*start = spec, *c;

	if (strncmp(spec, "http://", 7) == 0)
		start = spec + 7;
	else if (strncmp(spec, "https://", 8) == 0)
		start = spec + 8;
	for (c = start; (c = strchr(c, ':')) != NULL; c++) {
		if (c[1] != '/')
			continue;
		/* "ID:/path": the id has no slash; a local "./a:/b" does. */
		if (start == spec && memchr(spec, '/', c - spec) != NULL)
			return (0);
		*target = xstrndup(spec, c - spec);
		*path = xstrdup(c + 1);
		return (1);
	}
	return (0);
}

static char *
client_read_token(const char *file, char **cause)
{
	char	*t, *e;

	if ((t = util_read_file(file, 4096, NULL, cause)) == NULL)
		return (NULL);
	e = t + strlen(t);
	while (e > t && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' '))
		*--e = '\0';
	return (t);
}

int
client_resolve(const char *target, const char *token_file, char **url,
    char **token, char **cause)
{
	const struct provider	*p;
	struct state		*s;
	json_t			*rec;
	const char		*u, *t, *tf;
	char			*why = NULL;
	size_t			 len;

	*url = NULL;
	*token = NULL;
	if (strncmp(target, "http://", 7) == 0 ||
	    strncmp(target, "https://", 8) == 0) {
		*url = xstrdup(target);
		len = strlen(*url);
		while (len > 0 && (*url)[len - 1] == '/')
			(*url)[--len] = '\0';
		if (token_file == NULL)
			token_file = getenv("DESKCTL_TOKEN_FILE");
		if (token_file != NULL && *token_file != '\0' &&
		    (*token = client_read_token(token_file, cause)) == NULL) {
			free(*url);
			*url = NULL;
			return (-1);
		}
		return (0);
	}
	if ((s = state_open(cause)) == NULL)
		return (-1);
	if ((rec = state_find(s, target)) == NULL) {
		xasprintf(cause, "%s: no such instance in the state file "
		    "(see deskctl ls); or give the agent's URL", target);
		state_close(s);
		return (-1);
	}
	if ((u = state_str(rec, "url")) == NULL) {
		xasprintf(cause, "%s: no agent URL yet: run deskctl wait %s",
		    target, target);
		state_close(s);
		return (-1);
	}
	/* A guest known to be dead says so, not "Couldn't connect". */
	if ((p = provider_of(rec)) != NULL && !p->alive(rec, &why)) {
		xasprintf(cause, "%s: %s", target, why);
		free(why);
		state_close(s);
		return (-1);
	}
	*url = xstrdup(u);
	if (token_file != NULL && *token_file != '\0') {
		/* --token-file wins over the record, for ids too. */
		if ((*token = client_read_token(token_file, cause)) == NULL) {
			free(*url);
			*url = NULL;
			state_close(s);
			return (-1);
		}
	} else if ((t = state_str(rec, "token")) != NULL)
		*token = xstrdup(t);
	else if ((tf = state_str(rec, "token_file")) != NULL &&
	    (*token = client_read_token(tf, cause)) == NULL) {
		free(*url);
		*url = NULL;
		state_close(s);
		return (-1);
	}
	state_close(s);
	return (0);
}

static size_t
client_write_cb(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct client_buf	*b = arg;
	size_t			 n = size * nmemb;

	/* Stream only successful bodies; keep error bodies to explain. */
	if (b->f != NULL && b->status >= 200 && b->status < 300)
		return (fwrite(ptr, 1, n, b->f));
	b->b.max = CLIENT_MAX_BODY;
	return (util_buf_write_cb(ptr, size, nmemb, &b->b));
}

static size_t
client_header_cb(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct client_buf	*b = arg;
	size_t			 n = size * nmemb;
	long			 st;

	if (n > 9 && strncmp(ptr, "HTTP/", 5) == 0 &&
	    sscanf(ptr, "HTTP/%*s %ld", &st) == 1)
		b->status = st;
	return (n);
}

static int
client_progress_cb(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut,
    curl_off_t un)
{
	return (util_interrupted != 0);
}

/* The agent's error body as a sentence. */
static char *
client_error(const char *what, long status, const char *body, size_t len)
{
	json_t		*j;
	const char	*code, *msg;
	char		*s;

	j = body != NULL ? json_loadb(body, len, 0, NULL) : NULL;
	if (j != NULL && proto_error_parse(j, &code, &msg) == 0)
		xasprintf(&s, "%s: agent answered %ld %s: %s", what, status,
		    code, msg);
	else
		xasprintf(&s, "%s: agent answered HTTP %ld", what, status);
	json_decref(j);
	return (s);
}

/*
 * One request.  BODY (or UPLOAD with UPLOAD_LEN) is sent; the answer goes
 * to *B (streamed to b->f when set).  0 on 2xx, else -1 + cause.
 */
static int
client_request(const char *url, const char *token, const char *method,
    const char *path, const char *ctype, const char *body, FILE *upload,
    long long upload_len, long timeout_s, struct client_buf *b,
    char **cause)
{
	CURL			*h;
	struct curl_slist	*hl = NULL;
	char			*full, *hdr, errbuf[CURL_ERROR_SIZE] = "";
	CURLcode		 rc;
	long			 status = 0;
	int			 rv = -1;

	if ((h = curl_easy_init()) == NULL) {
		xasprintf(cause, "curl_easy_init failed");
		return (-1);
	}
	xasprintf(&full, "%s%s", url, path);
	curl_easy_setopt(h, CURLOPT_URL, full);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, DESKCTL_USER_AGENT);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout_s);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, client_write_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, b);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, client_header_cb);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, b);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, client_progress_cb);
	if (token != NULL) {
		xasprintf(&hdr, "Authorization: Bearer %s", token);
		hl = curl_slist_append(hl, hdr);
		explicit_bzero(hdr, strlen(hdr));
		free(hdr);
	}
	if (ctype != NULL) {
		xasprintf(&hdr, "Content-Type: %s", ctype);
		hl = curl_slist_append(hl, hdr);
		free(hdr);
	}
	if (body != NULL) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	} else if (upload != NULL) {
		curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(h, CURLOPT_READDATA, upload);
		curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE,
		    (curl_off_t)upload_len);
		/* The agent streams the body; no 1 s wait for 100-continue. */
		hl = curl_slist_append(hl, "Expect:");
	}
	/* deskctl cp moves files up to DESKCTL_MAX_FILE, no larger. */
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)DESKCTL_MAX_FILE);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	rc = curl_easy_perform(h);
	if (rc == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	if (rc == CURLE_ABORTED_BY_CALLBACK && util_interrupted)
		xasprintf(cause, "%s %s: interrupted", method, path);
	else if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR &&
	    !b->b.toolong && b->status >= 300))
		xasprintf(cause, "%s %s%s: %s", method, url, path,
		    b->b.toolong ? "answer too large" : errbuf[0] != '\0' ?
		    errbuf : curl_easy_strerror(rc));
	else if (status < 200 || status >= 300)
		*cause = client_error(path, status != 0 ? status : b->status,
		    b->b.data, b->b.len);
	else
		rv = 0;
	b->status = status;
	curl_slist_free_all(hl);
	curl_easy_cleanup(h);
	free(full);
	return (rv);
}

int
client_screenshot(const char *url, const char *token, const char *query,
    const char *out, char **cause)
{
	struct client_buf	 b;
	char			*path, *tmp = NULL;
	int			 rv = -1;

	memset(&b, 0, sizeof b);
	xasprintf(&path, "/v1/screenshot%s%s", query != NULL && *query !=
	    '\0' ? "?" : "", query != NULL ? query : "");
	if (client_request(url, token, "GET", path, NULL, NULL, NULL, 0,
	    CLIENT_TIMEOUT_S, &b, cause) == -1)
		goto out;
	if (b.b.len < 8 || memcmp(b.b.data, "\211PNG\r\n\032\n", 8) != 0) {
		xasprintf(cause, "%s: the answer is not a PNG", path);
		goto out;
	}
	if (strcmp(out, "-") == 0) {
		if (fwrite(b.b.data, 1, b.b.len, stdout) != b.b.len ||
		    fflush(stdout) != 0) {
			xasprintf(cause, "stdout: %s", strerror(errno));
			goto out;
		}
	} else if (util_write_file(out, b.b.data, b.b.len, 0644, cause) == -1)
		goto out;
	rv = 0;
out:
	free(tmp);
	free(path);
	free(b.b.data);
	return (rv);
}

/*
 * do -o FILE: the screenshot of the answer ("base64_image", at the top or
 * in the last batch result) goes to FILE as PNG bytes, the rest of the
 * answer to stdout; an answer without one goes to stdout and FILE is left
 * alone (a PNG file holding JSON helps nobody).
 */
static int
client_do_image(struct client_buf *b, const char *out, char **cause)
{
	json_t		*j, *holder = NULL, *results;
	const char	*b64;
	char		*rest;
	void		*png;
	size_t		 len;
	int		 rv;

	j = json_loadb(b->b.data != NULL ? b->b.data : "", b->b.len, 0, NULL);
	if (json_is_string(json_object_get(j, "base64_image")))
		holder = j;
	else if (json_is_array(results = json_object_get(j, "results")) &&
	    json_array_size(results) > 0) {
		holder = json_array_get(results, json_array_size(results) - 1);
		if (!json_is_string(json_object_get(holder, "base64_image")))
			holder = NULL;
	}
	if (holder == NULL) {
		/* Not a PNG: the answer goes to stdout, FILE is not touched. */
		json_decref(j);
		if (b->b.len > 0) {
			fwrite(b->b.data, 1, b->b.len, stdout);
			if (b->b.data[b->b.len - 1] != '\n')
				putchar('\n');
		}
		xasprintf(cause, "the answer has no screenshot, so %s was not "
		    "written (add a screenshot action, or drop -o)", out);
		return (-1);
	}
	b64 = json_string_value(json_object_get(holder, "base64_image"));
	if ((png = proto_base64_decode(b64, strlen(b64), &len)) == NULL) {
		xasprintf(cause, "/v1/computer: bad base64_image");
		json_decref(j);
		return (-1);
	}
	rv = util_write_file(out, png, len, 0644, cause);
	free(png);
	if (rv == 0) {
		json_object_set_new(holder, "base64_image", json_string(out));
		rest = json_dumps(j, JSON_COMPACT);
		printf("%s\n", rest);
		free(rest);
	}
	json_decref(j);
	return (rv);
}

int
client_do(const char *url, const char *token, const char *json,
    const char *out, char **cause)
{
	struct client_buf	 b;
	struct proto_actions	*acts;
	json_t			*j;
	json_error_t		 err;
	char			*why = NULL;
	int			 rv = -1;

	/* Catch typos here with a position, before the agent does. */
	if ((j = json_loads(json, JSON_DECODE_ANY, &err)) == NULL) {
		xasprintf(cause, "bad action JSON at column %d: %s",
		    err.column, err.text);
		return (-1);
	}
	/* The agent's own schema (proto/action.c): nothing half-sent. */
	if ((acts = proto_actions_parse(j, &why)) == NULL) {
		xasprintf(cause, "bad action: %s", why);
		free(why);
		json_decref(j);
		return (-1);
	}
	proto_actions_free(acts);
	json_decref(j);
	memset(&b, 0, sizeof b);
	if (client_request(url, token, "POST", "/v1/computer",
	    "application/json", json, NULL, 0, CLIENT_TIMEOUT_S, &b,
	    cause) == -1)
		goto out;
	if (out != NULL) {
		if (client_do_image(&b, out, cause) == -1)
			goto out;
	} else if (b.b.len > 0) {
		fwrite(b.b.data, 1, b.b.len, stdout);
		if (b.b.data[b.b.len - 1] != '\n')
			putchar('\n');
	}
	rv = 0;
out:
	free(b.b.data);
	return (rv);
}

int
client_exec(const char *url, const char *token, json_t *req, long timeout_s,
    int *status, char **cause)
{
	struct client_buf	 b;
	json_t			*j = NULL, *v;
	char			*body;
	const char		*s;
	int			 rv = -1;

	memset(&b, 0, sizeof b);
	body = json_dumps(req, JSON_COMPACT);
	/* The agent enforces the command's timeout; allow for the answer. */
	if (client_request(url, token, "POST", "/v1/exec", "application/json",
	    body, NULL, 0, timeout_s + 30, &b, cause) == -1)
		goto out;
	if ((j = json_loadb(b.b.data != NULL ? b.b.data : "", b.b.len, 0,
	    NULL)) == NULL || !json_is_object(j)) {
		xasprintf(cause, "/v1/exec: the answer is not a JSON object");
		goto out;
	}
	if ((s = json_string_value(json_object_get(j, "stdout"))) != NULL)
		fputs(s, stdout);
	fflush(stdout);
	if ((s = json_string_value(json_object_get(j, "stderr"))) != NULL)
		fputs(s, stderr);
	if (json_is_true(json_object_get(j, "timed_out"))) {
		fprintf(stderr, "deskctl: exec: timed out\n");
		*status = 124;
	} else if (json_is_integer(v = json_object_get(j, "signal")) &&
	    json_integer_value(v) > 0)
		*status = 128 + (int)json_integer_value(v);
	else if (json_is_integer(v = json_object_get(j, "exit_code")))
		*status = (int)json_integer_value(v);
	else {
		xasprintf(cause, "/v1/exec: no exit_code in the answer");
		goto out;
	}
	rv = 0;
out:
	json_decref(j);
	free(body);
	free(b.b.data);
	return (rv);
}

static char *
client_files_path(const char *remote)
{
	char	*esc, *path;

	esc = curl_easy_escape(NULL, remote, 0);
	xasprintf(&path, "/v1/files?path=%s", esc);
	curl_free(esc);
	return (path);
}

int
client_put(const char *url, const char *token, const char *local,
    const char *remote, char **cause)
{
	struct client_buf	 b;
	struct stat		 st;
	FILE			*f;
	char			*path, *copy, *dst;
	int			 rv;

	if ((f = fopen(local, "rb")) == NULL || fstat(fileno(f), &st) == -1) {
		xasprintf(cause, "%s: %s", local, strerror(errno));
		if (f != NULL)
			fclose(f);
		return (-1);
	}
	if (!S_ISREG(st.st_mode)) {
		xasprintf(cause, "%s: not a regular file", local);
		fclose(f);
		return (-1);
	}
	if (st.st_size > DESKCTL_MAX_FILE) {
		xasprintf(cause, "%s: larger than %lld bytes", local,
		    (long long)DESKCTL_MAX_FILE);
		fclose(f);
		return (-1);
	}
	/* "ID:/dir/" keeps the local name, like cp. */
	if (remote[strlen(remote) - 1] == '/') {
		copy = xstrdup(local);
		xasprintf(&dst, "%s%s", remote, basename(copy));
		free(copy);
	} else
		dst = xstrdup(remote);
	path = client_files_path(dst);
	memset(&b, 0, sizeof b);
	rv = client_request(url, token, "PUT", path, "application/octet-stream",
	    NULL, f, st.st_size, CLIENT_TIMEOUT_S * 10, &b, cause);
	fclose(f);
	free(b.b.data);
	free(path);
	free(dst);
	return (rv);
}

int
client_get(const char *url, const char *token, const char *remote,
    const char *local, char **cause)
{
	struct client_buf	 b;
	struct stat		 st;
	char			*path, *copy, *dst, *tmp;
	int			 rv = -1, fd;

	if (stat(local, &st) == 0 && S_ISDIR(st.st_mode)) {
		copy = xstrdup(remote);
		xasprintf(&dst, "%s/%s", local, basename(copy));
		free(copy);
	} else
		dst = xstrdup(local);
	/* A temp file and a rename: no torn file on a failed transfer. */
	xasprintf(&tmp, "%s.deskctl.XXXXXX", dst);
	if ((fd = mkstemp(tmp)) == -1) {
		/* Name the file the user asked for, not our temp name. */
		xasprintf(cause, "%s: %s", dst, strerror(errno));
		free(tmp);
		free(dst);
		return (-1);
	}
	memset(&b, 0, sizeof b);
	b.f = fdopen(fd, "wb");
	path = client_files_path(remote);
	if (client_request(url, token, "GET", path, NULL, NULL, NULL, 0,
	    CLIENT_TIMEOUT_S * 10, &b, cause) == -1)
		goto out;
	if (fflush(b.f) != 0 || fsync(fd) == -1) {
		xasprintf(cause, "%s: %s", dst, strerror(errno));
		goto out;
	}
	fchmod(fd, 0644);
	if (rename(tmp, dst) == -1) {
		xasprintf(cause, "%s: %s", dst, strerror(errno));
		goto out;
	}
	rv = 0;
out:
	fclose(b.f);
	if (rv == -1)
		unlink(tmp);
	free(tmp);
	free(path);
	free(dst);
	free(b.b.data);
	return (rv);
}

int
client_view_token(const char *url, const char *token, int control,
    long long ttl, json_t **answer, char **cause)
{
	struct client_buf	 b;
	json_error_t		 err;
	char			*body;
	int			 rv = -1;

	*answer = NULL;
	if (ttl > 0)
		xasprintf(&body, "{\"control\": %s, \"ttl\": %lld}",
		    control ? "true" : "false", ttl);
	else
		xasprintf(&body, "{\"control\": %s}",
		    control ? "true" : "false");
	memset(&b, 0, sizeof b);
	if (client_request(url, token, "POST", "/v1/view/token",
	    "application/json", body, NULL, 0, CLIENT_TIMEOUT_S, &b,
	    cause) == -1)
		goto out;
	if ((*answer = json_loadb(b.b.data != NULL ? b.b.data : "", b.b.len, 0,
	    &err)) == NULL || !json_is_string(json_object_get(*answer,
	    "path"))) {
		json_decref(*answer);
		*answer = NULL;
		xasprintf(cause, "POST /v1/view/token: not the answer "
		    "proto/api.md describes");
		goto out;
	}
	rv = 0;
out:
	free(body);
	free(b.b.data);
	return (rv);
}

void
client_health_many(char **urls, size_t n, long timeout_ms, json_t **out)
{
	CURLM		*m;
	CURL		**hs;
	CURLMsg		*msg;
	struct util_buf	*bufs;
	char		*u;
	long		 status;
	size_t		 i;
	int		 running, nleft;

	m = curl_multi_init();
	hs = xcalloc(n, sizeof *hs);
	bufs = xcalloc(n, sizeof *bufs);
	for (i = 0; i < n; i++) {
		out[i] = NULL;
		if (urls[i] == NULL)
			continue;
		bufs[i].max = 64 * 1024;
		hs[i] = curl_easy_init();
		xasprintf(&u, "%s/health", urls[i]);
		curl_easy_setopt(hs[i], CURLOPT_URL, u);
		free(u);
		curl_easy_setopt(hs[i], CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(hs[i], CURLOPT_NOPROXY, "*");
		curl_easy_setopt(hs[i], CURLOPT_TIMEOUT_MS, timeout_ms);
		curl_easy_setopt(hs[i], CURLOPT_WRITEFUNCTION,
		    util_buf_write_cb);
		curl_easy_setopt(hs[i], CURLOPT_WRITEDATA, &bufs[i]);
		curl_easy_setopt(hs[i], CURLOPT_USERAGENT, DESKCTL_USER_AGENT);
		curl_multi_add_handle(m, hs[i]);
	}
	do {
		curl_multi_perform(m, &running);
		if (running > 0)
			curl_multi_poll(m, NULL, 0, 100, NULL);
	} while (running > 0 && !util_interrupted);
	while ((msg = curl_multi_info_read(m, &nleft)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		for (i = 0; i < n && hs[i] != msg->easy_handle; i++)
			;
		if (i == n)
			continue;
		status = 0;
		curl_easy_getinfo(hs[i], CURLINFO_RESPONSE_CODE, &status);
		if (msg->data.result == CURLE_OK && status == 200 &&
		    bufs[i].data != NULL)
			out[i] = json_loadb(bufs[i].data, bufs[i].len, 0,
			    NULL);
		if (out[i] != NULL && !json_is_object(out[i])) {
			json_decref(out[i]);
			out[i] = NULL;
		}
	}
	for (i = 0; i < n; i++) {
		if (hs[i] != NULL) {
			curl_multi_remove_handle(m, hs[i]);
			curl_easy_cleanup(hs[i]);
		}
		free(bufs[i].data);
	}
	free(hs);
	free(bufs);
	curl_multi_cleanup(m);
}

int
client_reset(const char *url, const char *token, char **cause)
{
	struct client_buf	 b;
	int			 rv;

	memset(&b, 0, sizeof b);
	rv = client_request(url, token, "POST", "/v1/reset",
	    "application/json", "{}", NULL, 0, CLIENT_TIMEOUT_S, &b, cause);
	free(b.b.data);
	return (rv);
}
