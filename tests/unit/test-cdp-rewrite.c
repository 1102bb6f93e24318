/*
 * test-cdp-rewrite: the DevTools proxy's URL rewrite and Host check
 * (agent/cdp_rewrite.c), on replies shaped like Chromium 156's.
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cdp_rewrite.h"
#include "tst.h"

static const char *
field(json_t *j, size_t i, const char *key)
{
	if (json_is_array(j))
		j = json_array_get(j, i);
	return (json_string_value(json_object_get(j, key)));
}

int
main(void)
{
	json_t		*j;
	json_error_t	 err;
	char		 longhost[300];
	int		 n;

	j = json_loads("{\"Browser\": \"Chrome/156.0.8078.79\", "
	    "\"webSocketDebuggerUrl\": \"ws://127.0.0.1:1337/devtools/"
	    "browser/9e42-cd42\"}", 0, &err);
	n = cdp_rewrite_urls(j, "10.1.2.3:9222");
	TST_INT_EQ(n, 1, "/json/version: one URL rewritten");
	TST_STR_EQ(field(j, 0, "webSocketDebuggerUrl"),
	    "ws://10.1.2.3:9222/devtools/browser/9e42-cd42",
	    "/json/version: host and port replaced, path kept");
	TST_STR_EQ(field(j, 0, "Browser"), "Chrome/156.0.8078.79",
	    "/json/version: other fields untouched");
	json_decref(j);

	j = json_loads("[{\"devtoolsFrontendUrl\": \"https://chrome-devtools-"
	    "frontend.appspot.com/serve_rev/@a21c/inspector.html?ws=127.0.0.1:"
	    "1337/devtools/page/3CCB\", \"id\": \"3CCB\", \"type\": \"page\", "
	    "\"url\": \"ws://127.0.0.1:1337/not-a-debugger-url\", "
	    "\"webSocketDebuggerUrl\": \"ws://127.0.0.1:1337/devtools/page/"
	    "3CCB\"}, {\"devtoolsFrontendUrl\": \"/devtools/inspector.html?"
	    "panel=console&ws=127.0.0.1:1337/devtools/page/4B5D\", "
	    "\"type\": \"browser_ui\", \"webSocketDebuggerUrl\": "
	    "\"ws://127.0.0.1:1337/devtools/page/4B5D\"}, 42, "
	    "{\"webSocketDebuggerUrl\": 7}]", 0, &err);
	n = cdp_rewrite_urls(j, "[::1]:9333");
	TST_INT_EQ(n, 4, "/json/list: four URLs rewritten");
	TST_STR_EQ(field(j, 0, "webSocketDebuggerUrl"),
	    "ws://[::1]:9333/devtools/page/3CCB", "page target ws URL");
	TST_STR_EQ(field(j, 0, "devtoolsFrontendUrl"),
	    "https://chrome-devtools-frontend.appspot.com/serve_rev/@a21c/"
	    "inspector.html?ws=[::1]:9333/devtools/page/3CCB",
	    "page target frontend ws= parameter");
	TST_STR_EQ(field(j, 0, "url"), "ws://127.0.0.1:1337/not-a-debugger-url",
	    "the page's own url is not touched");
	TST_STR_EQ(field(j, 1, "devtoolsFrontendUrl"),
	    "/devtools/inspector.html?panel=console&ws=[::1]:9333/devtools/"
	    "page/4B5D", "ws= found after another parameter");
	json_decref(j);

	j = json_loads("{\"webSocketDebuggerUrl\": \"ws:///devtools/browser/"
	    "x\", \"devtoolsFrontendUrl\": \"/devtools/inspector.html?wss="
	    "h:1/devtools/page/y\", \"devtoolsFrontendUrlCompat\": "
	    "\"/devtools/inspector.html?x=1\"}", 0, &err);
	n = cdp_rewrite_urls(j, "agent.example:9222");
	TST_INT_EQ(n, 2, "empty-Host URLs and wss= rewritten, no ws= left alone");
	TST_STR_EQ(field(j, 0, "webSocketDebuggerUrl"),
	    "ws://agent.example:9222/devtools/browser/x",
	    "ws:/// (Chrome's reply to an empty Host) gets the host");
	TST_STR_EQ(field(j, 0, "devtoolsFrontendUrl"),
	    "/devtools/inspector.html?wss=agent.example:9222/devtools/page/y",
	    "wss= parameter");
	TST_STR_EQ(field(j, 0, "devtoolsFrontendUrlCompat"),
	    "/devtools/inspector.html?x=1", "no ws= parameter: unchanged");
	json_decref(j);

	j = json_loads("{\"webSocketDebuggerUrl\": \"http://x/devtools\"}",
	    0, &err);
	TST_INT_EQ(cdp_rewrite_urls(j, "h:1"), 0, "not a ws URL: unchanged");
	json_decref(j);
	j = json_string("x");
	TST_INT_EQ(cdp_rewrite_urls(j, "h:1"), 0, "not an object or array: 0");
	json_decref(j);

	TST_INT_EQ(cdp_rewrite_host_valid("127.0.0.1:9222"), 1,
	    "host 127.0.0.1:9222");
	TST_INT_EQ(cdp_rewrite_host_valid("[::1]:9222"), 1, "host [::1]:9222");
	TST_INT_EQ(cdp_rewrite_host_valid("agent.example"), 1,
	    "host agent.example");
	TST_INT_EQ(cdp_rewrite_host_valid("my_vm-1.local:80"), 1,
	    "host my_vm-1.local:80");
	TST_INT_EQ(cdp_rewrite_host_valid(""), 0, "empty host refused");
	TST_INT_EQ(cdp_rewrite_host_valid(NULL), 0, "no host refused");
	TST_INT_EQ(cdp_rewrite_host_valid("a b"), 0,
	    "host with a space refused");
	TST_INT_EQ(cdp_rewrite_host_valid("a\"b"), 0,
	    "host with a quote refused");
	TST_INT_EQ(cdp_rewrite_host_valid("a/b"), 0,
	    "host with a slash refused");
	TST_INT_EQ(cdp_rewrite_host_valid("a\r\nX: y"), 0,
	    "host with CRLF refused");
	TST_INT_EQ(cdp_rewrite_host_valid("h\xc3\xa9"), 0,
	    "non-ASCII host refused");
	memset(longhost, 'a', sizeof longhost);
	longhost[CDP_REWRITE_MAX_HOST] = '\0';
	TST_INT_EQ(cdp_rewrite_host_valid(longhost), 1,
	    "host of CDP_REWRITE_MAX_HOST chars");
	longhost[CDP_REWRITE_MAX_HOST] = 'a';
	longhost[CDP_REWRITE_MAX_HOST + 1] = '\0';
	TST_INT_EQ(cdp_rewrite_host_valid(longhost), 0, "longer host refused");

	return (tst_done());
}
