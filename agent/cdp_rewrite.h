/*
 * cdp_rewrite.h: the DevTools proxy's Host checks and URL rewrite, pure
 * functions of their arguments (cdp_rewrite.c).
 */
#ifndef CDP_REWRITE_H
#define CDP_REWRITE_H

#include <jansson.h>

#define CDP_REWRITE_MAX_HOST	255	/* a Host header's length */

/*
 * Rewrite webSocketDebuggerUrl and the ws= parameter of
 * devtoolsFrontendUrl in a /json reply (object or array of objects) to
 * point at hostport.  Returns the number of strings changed.
 */
int		 cdp_rewrite_urls(json_t *, const char *hostport);
/* 1 if a Host header value is safe to put in a URL. */
int		 cdp_rewrite_host_valid(const char *);
/* 1 if it is also an IP address or localhost (Chrome's rule). */
int		 cdp_rewrite_host_allowed(const char *);

#endif
