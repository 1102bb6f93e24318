/*
 * v1.c: the native surface's route table.  Every route of deskd's own API
 * on the API port, with the file whose handler serves it; proto/api.md is
 * the contract.  main.c registers this table next to OSWorld's
 * (osworld.c); the DevTools port has its own (cdp.c).
 */
#include <sys/types.h>

#include "a11y_http.h"
#include "capture.h"
#include "computer.h"
#include "exec.h"
#include "files.h"
#include "health.h"
#include "http.h"
#include "record.h"
#include "v1.h"
#include "view.h"
#include "window.h"

const struct http_route_entry v1_routes[] = {
	/* health.c: open, for deskctl's polls before it holds a token */
	{ "/health", HTTP_GET, HTTP_OPEN, 0, health_cb },
	{ "/v1/health", HTTP_GET, HTTP_OPEN, 0, health_cb },

	/* capture.c */
	{ "/v1/screenshot", HTTP_GET, 0, 0, capture_v1_cb },
	/* computer.c */
	{ "/v1/computer", HTTP_POST, 0, 0, computer_post_cb },
	/* exec.c */
	{ "/v1/exec", HTTP_POST, 0, 0, exec_cb },
	/* files.c: the body of a PUT streams to disk, with no size limit */
	{ "/v1/files", HTTP_GET, 0, 0, files_get_cb },
	{ "/v1/files", HTTP_PUT, HTTP_STREAM, 0, files_put_cb },
	/* window.c */
	{ "/v1/windows", HTTP_GET, 0, 0, window_list_cb },
	{ "/v1/windows/activate", HTTP_POST, 0, 0, window_activate_cb },
	{ "/v1/windows/close", HTTP_POST, 0, 0, window_close_cb },
	/* record.c */
	{ "/v1/recording", HTTP_GET, 0, 0, record_v1_state_cb },
	{ "/v1/recording/start", HTTP_POST, 0, 0, record_v1_start_cb },
	{ "/v1/recording/stop", HTTP_POST, 0, 0, record_v1_stop_cb },
	/* a11y_http.c: the tree walk runs on a worker thread */
	{ "/v1/accessibility", HTTP_GET, 0, 0, a11y_http_native_cb },
	/* view.c: open routes, view_auth takes a view token or the main auth */
	{ "/view", HTTP_GET, HTTP_OPEN, 0, view_page_cb },
	{ "/v1/stream", HTTP_GET, HTTP_OPEN, 0, view_stream_cb },
	{ "/v1/view/token", HTTP_POST, 0, 4096, view_token_cb },
	{ "/v1/view/token", HTTP_DELETE, 0, 0, view_revoke_cb },
	{ NULL, 0, 0, 0, NULL }
};
