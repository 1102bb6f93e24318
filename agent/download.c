/*
 * download.c: libcurl multi on libevent (the hiperfifo pattern): curl
 * tells us which sockets to watch and when to time out; events call
 * curl_multi_socket_action back; finished transfers are collected with
 * curl_multi_info_read.
 */
#include <sys/types.h>
#include <sys/queue.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <event2/event.h>

#include "download.h"
#include "sink.h"
#include "log.h"
#include "xmalloc.h"

struct download {
	char			*url;
	char			*path;
	CURL			*easy;
	struct sink		*sink;
	char			*error;
	char			 errbuf[CURL_ERROR_SIZE];
	int			 tries;
	struct event		*retry;
	download_cb		 cb;
	void			*arg;
	TAILQ_ENTRY(download)	 entry;
};
static TAILQ_HEAD(, download) download_all =
    TAILQ_HEAD_INITIALIZER(download_all);

/* Per-socket event, owned by curl's socket callback. */
struct download_sock {
	struct event	*ev;
};

static struct event_base	*download_base;
static CURLM			*download_multi;
static struct event		*download_timer;
static int			 download_ready;

static void	download_try(struct download *);

/* The one teardown of a download, whatever became of it. */
static void
download_free(struct download *dl)
{
	TAILQ_REMOVE(&download_all, dl, entry);
	if (dl->easy != NULL) {
		curl_multi_remove_handle(download_multi, dl->easy);
		curl_easy_cleanup(dl->easy);
	}
	sink_abort(dl->sink);
	event_free(dl->retry);
	free(dl->error);
	free(dl->url);
	free(dl->path);
	free(dl);
}

static void
download_check(void)
{
	struct download	*dl;
	CURLMsg		*msg;
	CURL		*easy;
	CURLcode	 res;
	curl_off_t	 clen;
	long		 code;
	char		*cause = NULL;
	enum deskd_err	 kind;
	int		 left;
	off_t		 size;

	while ((msg = curl_multi_info_read(download_multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		easy = msg->easy_handle;
		res = msg->data.result;
		curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&dl);
		curl_multi_remove_handle(download_multi, easy);
		free(dl->error);
		dl->error = NULL;
		size = dl->sink != NULL ? sink_size(dl->sink) : 0;
		if (res != CURLE_OK) {
			xasprintf(&dl->error, "%s", dl->errbuf[0] != '\0' ?
			    dl->errbuf : curl_easy_strerror(res));
		} else {
			curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
			curl_easy_getinfo(easy,
			    CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &clen);
			if (clen >= 0 && clen != (curl_off_t)size)
				xasprintf(&dl->error, "size mismatch: got "
				    "%lld bytes, Content-Length says %lld",
				    (long long)size, (long long)clen);
		}
		curl_easy_cleanup(easy);
		dl->easy = NULL;
		if (dl->error == NULL) {
			if (sink_commit(dl->sink, &kind, &cause) == -1) {
				dl->sink = NULL;
				dl->error = cause;
				goto failed;
			}
			dl->sink = NULL;
			log_info("%s: %s: %lld bytes to %s", __func__, dl->url,
			    (long long)size, dl->path);
			dl->cb(dl, 1, size, NULL, dl->arg);
			download_free(dl);
			continue;
		}
		sink_abort(dl->sink);
		dl->sink = NULL;
failed:
		log_warnx("%s: %s: try %d: %s", __func__, dl->url, dl->tries,
		    dl->error);
		if (dl->tries < DOWNLOAD_TRIES) {
			struct timeval tv = { DOWNLOAD_RETRY_MS / 1000,
			    (DOWNLOAD_RETRY_MS % 1000) * 1000 };
			evtimer_add(dl->retry, &tv);
			continue;
		}
		dl->cb(dl, 0, 0, dl->error, dl->arg);
		download_free(dl);
	}
}

static void
download_event_cb(evutil_socket_t fd, short events, void *arg)
{
	int	 running, action = 0;

	if (events & EV_READ)
		action |= CURL_CSELECT_IN;
	if (events & EV_WRITE)
		action |= CURL_CSELECT_OUT;
	curl_multi_socket_action(download_multi, fd, action, &running);
	download_check();
}

static void
download_timer_cb(evutil_socket_t fd, short events, void *arg)
{
	int	 running;

	curl_multi_socket_action(download_multi, CURL_SOCKET_TIMEOUT, 0,
	    &running);
	download_check();
}

static int
download_socket_cb(CURL *easy, curl_socket_t s, int what, void *userp,
    void *socketp)
{
	struct download_sock	*ds = socketp;
	short			 kind = EV_PERSIST;

	if (what == CURL_POLL_REMOVE) {
		if (ds != NULL) {
			event_free(ds->ev);
			free(ds);
		}
		curl_multi_assign(download_multi, s, NULL);
		return (0);
	}
	if (what & CURL_POLL_IN)
		kind |= EV_READ;
	if (what & CURL_POLL_OUT)
		kind |= EV_WRITE;
	if (ds == NULL) {
		ds = xcalloc(1, sizeof *ds);
		curl_multi_assign(download_multi, s, ds);
	} else
		event_free(ds->ev);
	ds->ev = event_new(download_base, s, kind, download_event_cb, NULL);
	event_add(ds->ev, NULL);
	return (0);
}

static int
download_timerfunc_cb(CURLM *multi, long ms, void *userp)
{
	struct timeval	 tv;

	if (ms < 0) {
		evtimer_del(download_timer);
		return (0);
	}
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(download_timer, &tv);
	return (0);
}

static size_t
download_write_cb(char *data, size_t size, size_t n, void *arg)
{
	struct download	*dl = arg;
	char		*cause = NULL;

	if (sink_write(dl->sink, data, size * n, &cause) == -1) {
		snprintf(dl->errbuf, sizeof dl->errbuf, "%s", cause);
		free(cause);
		return (0);	/* curl stops with CURLE_WRITE_ERROR */
	}
	return (size * n);
}

static void
download_retry_cb(evutil_socket_t fd, short events, void *arg)
{
	download_try(arg);
}

static void
download_try(struct download *dl)
{
	enum deskd_err	 kind;
	char		*cause = NULL;

	dl->tries++;
	dl->errbuf[0] = '\0';
	if (dl->sink == NULL &&
	    (dl->sink = sink_open(dl->path, &kind, &cause)) == NULL) {
		free(dl->error);
		dl->error = cause;
		dl->cb(dl, 0, 0, dl->error, dl->arg);
		download_free(dl);
		return;
	}
	dl->easy = curl_easy_init();
	curl_easy_setopt(dl->easy, CURLOPT_URL, dl->url);
	curl_easy_setopt(dl->easy, CURLOPT_PRIVATE, dl);
	curl_easy_setopt(dl->easy, CURLOPT_ERRORBUFFER, dl->errbuf);
	curl_easy_setopt(dl->easy, CURLOPT_WRITEFUNCTION, download_write_cb);
	curl_easy_setopt(dl->easy, CURLOPT_WRITEDATA, dl);
	curl_easy_setopt(dl->easy, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(dl->easy, CURLOPT_MAXREDIRS, 30L);
	/* requests' raise_for_status: a 4xx/5xx is a failed try. */
	curl_easy_setopt(dl->easy, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(dl->easy, CURLOPT_NOSIGNAL, 1L);
	/* No file:// or scp://: a URL must not read the VM's own files. */
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(dl->easy, CURLOPT_PROTOCOLS_STR,
	    "http,https,ftp,ftps");
	curl_easy_setopt(dl->easy, CURLOPT_REDIR_PROTOCOLS_STR,
	    "http,https,ftp,ftps");
#else
	curl_easy_setopt(dl->easy, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP|
	    CURLPROTO_HTTPS|CURLPROTO_FTP|CURLPROTO_FTPS));
	curl_easy_setopt(dl->easy, CURLOPT_REDIR_PROTOCOLS,
	    (long)(CURLPROTO_HTTP|CURLPROTO_HTTPS|CURLPROTO_FTP|
	    CURLPROTO_FTPS));
#endif
	/* requests' timeout=300 bounds connecting and each read. */
	curl_easy_setopt(dl->easy, CURLOPT_CONNECTTIMEOUT,
	    (long)DOWNLOAD_TIMEOUT);
	curl_easy_setopt(dl->easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(dl->easy, CURLOPT_LOW_SPEED_TIME,
	    (long)DOWNLOAD_TIMEOUT);
	curl_easy_setopt(dl->easy, CURLOPT_USERAGENT, "deskd");
	curl_multi_add_handle(download_multi, dl->easy);
}

struct download *
download_start(const char *url, const char *path, download_cb cb,
    void *arg, char **cause)
{
	struct download		*dl;
	struct sink		*sk;
	enum deskd_err		 kind;

	if (!download_ready) {
		*cause = xstrdup("libcurl is not initialised");
		return (NULL);
	}
	/* Fail here, not in a callback, when the target cannot be made. */
	if ((sk = sink_open(path, &kind, cause)) == NULL)
		return (NULL);
	dl = xcalloc(1, sizeof *dl);
	dl->sink = sk;
	dl->url = xstrdup(url);
	dl->path = xstrdup(path);
	dl->cb = cb;
	dl->arg = arg;
	dl->retry = evtimer_new(download_base, download_retry_cb, dl);
	TAILQ_INSERT_TAIL(&download_all, dl, entry);
	download_try(dl);
	return (dl);
}

void
download_cancel(struct download *dl)
{
	if (dl != NULL)
		download_free(dl);
}

void
download_init(struct event_base *base)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_warnx("%s: curl_global_init failed", __func__);
		return;
	}
	download_base = base;
	download_multi = curl_multi_init();
	download_timer = evtimer_new(base, download_timer_cb, NULL);
	curl_multi_setopt(download_multi, CURLMOPT_SOCKETFUNCTION,
	    download_socket_cb);
	curl_multi_setopt(download_multi, CURLMOPT_TIMERFUNCTION,
	    download_timerfunc_cb);
	download_ready = 1;
}

void
download_shutdown(void)
{
	if (!download_ready)
		return;
	while (!TAILQ_EMPTY(&download_all))
		download_cancel(TAILQ_FIRST(&download_all));
	curl_multi_cleanup(download_multi);
	event_free(download_timer);
	curl_global_cleanup();
	download_ready = 0;
}
