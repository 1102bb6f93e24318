/*
 * cdp.h: the Chrome DevTools proxy.  A second HTTP server (default
 * 0.0.0.0:9222, same access rules as the API port) that forwards Chrome's
 * /json endpoints to its loopback port with Host rewritten and Origin
 * dropped, rewrites the websocket URLs in the replies to the address the
 * client used, and relays /devtools/ websockets byte for byte.
 */
#ifndef CDP_H
#define CDP_H

#include <sys/types.h>

#include <jansson.h>

struct event_base;
struct auth;
struct cdp;

/* le-proxy's MAX_OUTPUT: stop reading a side above this much queued. */
#define CDP_MAX_OUTPUT		(512 * 1024)
/* Largest upstream HTTP reply (/json/protocol is about 1.5 MB). */
#define CDP_MAX_REPLY		(32 * 1024 * 1024)
#define CDP_MAX_REPLY_HEAD	(64 * 1024)
/* Seconds to connect to Chrome and for each read of its HTTP reply. */
#define CDP_TIMEOUT		10
/* Seconds a closing relay may take to flush the surviving side. */
#define CDP_DRAIN_TIMEOUT	30
/* Websocket sessions at once; more get 503. */
#define CDP_MAX_RELAYS		512
/* /health probes Chrome again when its last answer is older than this. */
#define CDP_PROBE_STALE_MS	2000
/* Seconds between attempts to bind the CDP port when it is taken. */
#define CDP_LISTEN_RETRY	5

/*
 * listen is "ADDR:PORT"; upstream "HOST:PORT" (resolved once, here).
 * A port that is taken (OSWorld tasks start socat on 9222) is retried
 * every CDP_LISTEN_RETRY seconds rather than being fatal.
 */
struct cdp	*cdp_new(struct event_base *, struct auth *, const char *listen,
		    const char *upstream, char **cause);
void		 cdp_free(struct cdp *);

/*
 * The URL of the page in front in Chrome (the first page /json/list
 * gives), for Gemini's function responses: cb runs once on the loop with
 * it, or with "" when there is no proxy or Chrome does not answer (at
 * most CDP_TIMEOUT).  The handle (NULL when cb already ran) may be
 * cancelled before cb runs; cb does not run then.
 */
struct cdp_fetch;
typedef void (*cdp_url_cb)(const char *url, void *arg);
struct cdp_fetch *cdp_page_url(cdp_url_cb, void *arg);
void		 cdp_page_url_cancel(struct cdp_fetch *);

#endif
