/*
 * cdp_rewrite.h: the DevTools proxy's Host syntax check and URL rewrite, pure
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
/*
 * 1 if a Host header value is safe to put in a URL.  Whether it may be
 * served at all is http_host_allowed's rule, the same on both ports.
 */
int		 cdp_rewrite_host_valid(const char *);

#endif
