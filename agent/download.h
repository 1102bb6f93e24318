/*
 * download.h: the VM fetches a URL into a file itself (/setup/download_file)
 * with libcurl's multi interface driven by deskd's event loop: sockets and
 * timers are libevent events, so a slow server never stalls the loop.
 * Each try writes a temporary beside the target; only a complete body
 * whose size matches Content-Length is renamed over it.
 */
#ifndef DOWNLOAD_H
#define DOWNLOAD_H

#include <sys/types.h>

struct event_base;
struct download;

#define DOWNLOAD_TRIES		3
#define DOWNLOAD_TIMEOUT	300	/* s: connect, and stalls (requests) */
#define DOWNLOAD_RETRY_MS	1000

/*
 * ok: 1 with bytes written, or 0 with error (the last try's).  The
 * download is freed when the callback returns.
 */
typedef void (*download_cb)(struct download *, int ok, off_t bytes,
    const char *error, void *arg);

void		 download_init(struct event_base *);
void		 download_shutdown(void);
/* NULL with cause when the target cannot be created. */
struct download	*download_start(const char *url, const char *path,
		    download_cb, void *arg, char **cause);
/* Stop it: no callback, the temporary is removed. */
void		 download_cancel(struct download *);

#endif
