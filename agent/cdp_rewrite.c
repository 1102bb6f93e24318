/*
 * cdp_rewrite.c: the pure part of the DevTools proxy: which Host headers
 * may be put in a URL (which may be served is http_host_allowed's rule,
 * in http.c), and the rewrite of the websocket
 * URLs in Chrome's /json replies to the address the client used.
 *
 * Chrome builds those URLs from the Host header of the request
 * (chromium/src:content/browser/devtools/devtools_http_handler.cc), and
 * the proxy sends it Chrome's own address, so the URLs come back naming
 * 127.0.0.1:1337 and are rewritten here with jansson, never by string
 * replacement over the whole body.
 */
#include <sys/types.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cdp_rewrite.h"
#include "xmalloc.h"

int
cdp_rewrite_host_valid(const char *h)
{
	size_t	 len;

	if (h == NULL || (len = strlen(h)) == 0 || len > CDP_REWRITE_MAX_HOST)
		return (0);
	for (; *h != '\0'; h++) {
		if (!isalnum((u_char)*h) && strchr(".-_:[]", *h) == NULL)
			return (0);
	}
	return (1);
}

/* "ws://OLD/devtools/..." with OLD replaced; NULL if not that shape. */
static char *
cdp_rewrite_ws(const char *url, const char *hostport)
{
	const char	*p, *slash;
	char		*out;

	if (strncmp(url, "ws://", 5) == 0)
		p = url + 5;
	else if (strncmp(url, "wss://", 6) == 0)
		p = url + 6;
	else
		return (NULL);
	if ((slash = strchr(p, '/')) == NULL)
		slash = p + strlen(p);
	xasprintf(&out, "%.*s%s%s", (int)(p - url), url, hostport, slash);
	return (out);
}

/* "...inspector.html?ws=OLD/devtools/..." with OLD replaced. */
static char *
cdp_rewrite_frontend(const char *url, const char *hostport)
{
	const char	*q, *p, *end;
	char		*out;

	if ((q = strchr(url, '?')) == NULL)
		return (NULL);
	for (p = q; p != NULL; p = strchr(p + 1, '&')) {
		if (strncmp(p + 1, "ws=", 3) == 0) {
			p += 4;
			break;
		}
		if (strncmp(p + 1, "wss=", 4) == 0) {
			p += 5;
			break;
		}
	}
	if (p == NULL)
		return (NULL);
	end = p + strcspn(p, "/&#");
	xasprintf(&out, "%.*s%s%s", (int)(p - url), url, hostport, end);
	return (out);
}

static int
cdp_rewrite_object(json_t *obj, const char *hostport)
{
	const char	*key;
	json_t		*v;
	char		*s;
	int		 n = 0;

	json_object_foreach(obj, key, v) {
		if (!json_is_string(v))
			continue;
		s = NULL;
		if (strcmp(key, "webSocketDebuggerUrl") == 0)
			s = cdp_rewrite_ws(json_string_value(v), hostport);
		else if (strncmp(key, "devtoolsFrontendUrl", 19) == 0)
			s = cdp_rewrite_frontend(json_string_value(v),
			    hostport);
		if (s == NULL)
			continue;
		if (strcmp(s, json_string_value(v)) != 0) {
			json_string_set(v, s);
			n++;
		}
		free(s);
	}
	return (n);
}

int
cdp_rewrite_urls(json_t *j, const char *hostport)
{
	size_t	 i;
	json_t	*v;
	int	 n = 0;

	if (json_is_object(j))
		return (cdp_rewrite_object(j, hostport));
	if (json_is_array(j)) {
		json_array_foreach(j, i, v) {
			if (json_is_object(v))
				n += cdp_rewrite_object(v, hostport);
		}
	}
	return (n);
}
