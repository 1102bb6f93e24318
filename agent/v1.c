/*
 * v1.c: the native surface's route table.  Every route of deskd's own API
 * on the API port, with the file whose handler serves it; proto/api.md is
 * the contract.  main.c registers this table next to OSWorld's
 * (osworld.c); the DevTools port has its own (cdp.c).
 */
#include <sys/types.h>

#include "a11y_http.h"
#include "capture.h"
#include "clipboard.h"
#include "deskd.h"
#include "exec.h"
#include "files.h"
#include "health.h"
#include "http.h"
#include "launch.h"
#include "mcp.h"
#include "metrics.h"
#include "pty.h"
#include "record.h"
#include "reset.h"
#include "v1.h"
#include "vendor.h"
#include "view.h"
#include "watch.h"
#include "window.h"

/*
 * Body limits (max_body, 0: HTTP_MAX_BODY) are deskd.h's, one per route.
 * JSON bodies must be sent as application/json: http_req_json, which
 * every route with a JSON body reads it through, refuses anything else,
 * and http.c parses one over HTTP_JSON_LOOP_MAX on the worker thread
 * before the handler runs.  The clipboard's PUT takes text/plain or
 * image/png and the files' PUT any bytes: neither is JSON.
 */
const struct http_route_entry v1_routes[] = {
	/* health.c: open, for deskctl's polls before it holds a token */
	{ "/health", HTTP_GET, HTTP_OPEN, 0, health_cb },
	{ "/v1/health", HTTP_GET, HTTP_OPEN, 0, health_cb },
	/* metrics.c: Prometheus text, under the same auth as the rest */
	{ "/metrics", HTTP_GET, 0, 0, metrics_cb },

	/* capture.c */
	{ "/v1/screenshot", HTTP_GET, 0, 0, capture_v1_cb },
	/*
	 * vendor_exec.c: every vendor's calls, told apart by their shape
	 * (native bodies go on to computer.c), or one vendor's by path; a
	 * body of 100 actions, not 16 MiB.
	 */
	{ "/v1/computer", HTTP_POST, 0, DESKD_COMPUTER_MAX_BODY,
	    vendor_post_cb },
	{ "/v1/computer/anthropic", HTTP_POST, 0, DESKD_COMPUTER_MAX_BODY,
	    vendor_post_cb },
	{ "/v1/computer/openai", HTTP_POST, 0, DESKD_COMPUTER_MAX_BODY,
	    vendor_post_cb },
	{ "/v1/computer/gemini", HTTP_POST, 0, DESKD_COMPUTER_MAX_BODY,
	    vendor_post_cb },
	{ "/v1/computer/osworld", HTTP_POST, 0, DESKD_COMPUTER_MAX_BODY,
	    vendor_post_cb },
	/* exec.c */
	{ "/v1/exec", HTTP_POST, 0, 0, exec_cb },
	{ "/v1/exec/ws", HTTP_GET, 0, 0, exec_ws_cb },
	/* launch.c */
	{ "/v1/launch", HTTP_GET | HTTP_POST, 0, 0, launch_cb },
	{ "/v1/launch/", HTTP_GET | HTTP_DELETE, HTTP_PREFIX, 0, launch_id_cb },
	/* pty.c */
	{ "/v1/pty", HTTP_GET | HTTP_POST, 0, 0, pty_cb },
	{ "/v1/pty/", HTTP_GET | HTTP_POST | HTTP_DELETE, HTTP_PREFIX, 0,
	    pty_id_cb },
	/* files.c: the body of a PUT streams to disk, with no size limit */
	{ "/v1/files", HTTP_GET, 0, 0, files_get_cb },
	{ "/v1/files", HTTP_PUT, HTTP_STREAM, 0, files_put_cb },
	/* watch.c: streams until the client leaves */
	{ "/v1/files/watch", HTTP_GET, 0, 0, watch_cb },
	/* window.c */
	{ "/v1/windows", HTTP_GET, 0, 0, window_list_cb },
	{ "/v1/windows/activate", HTTP_POST, 0, 0, window_activate_cb },
	{ "/v1/windows/close", HTTP_POST, 0, 0, window_close_cb },
	/* clipboard.c: text or PNG, up to DESKD_CLIP_MAX_BYTES */
	{ "/v1/clipboard", HTTP_GET | HTTP_PUT | HTTP_DELETE, 0,
	    DESKD_CLIP_MAX_BYTES, clipboard_cb },
	/* record.c */
	{ "/v1/recording", HTTP_GET, 0, 0, record_v1_state_cb },
	{ "/v1/recording/start", HTTP_POST, 0, 0, record_v1_start_cb },
	{ "/v1/recording/stop", HTTP_POST, 0, 0, record_v1_stop_cb },
	/* a11y_http.c: the tree walk runs on a worker thread */
	{ "/v1/accessibility", HTTP_GET, 0, 0, a11y_http_native_cb },
	/* view.c: open routes, view_auth takes a view token or the main auth */
	{ "/view", HTTP_GET, HTTP_OPEN, 0, view_page_cb },
	{ "/v1/stream", HTTP_GET, HTTP_OPEN, 0, view_stream_cb },
	{ "/v1/view/token", HTTP_POST, 0, DESKD_VIEW_TOKEN_MAX_BODY,
	    view_token_cb },
	{ "/v1/view/token", HTTP_DELETE, 0, 0, view_revoke_cb },
	/*
	 * mcp.c: MCP over Streamable HTTP; GET is 405 (no server stream).
	 * The Origin rule holds with the token too, as MCP requires.
	 */
	{ "/mcp", HTTP_POST, HTTP_ORIGIN, DESKD_MCP_MAX_BODY, mcp_post_cb },
	{ "/mcp", HTTP_DELETE, HTTP_ORIGIN, 0, mcp_delete_cb },
	/* reset.c: before a pool hands the guest on */
	{ "/v1/reset", HTTP_POST, 0, 0, reset_cb },
	{ NULL, 0, 0, 0, NULL }
};
