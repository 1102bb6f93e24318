/*
 * v1.c: the native surface's route table.  Every route of deskd's own API
 * on the API port, with the file whose handler serves it; proto/api.md is
 * the contract.  main.c registers this table next to OSWorld's
 * (osworld.c); the DevTools port has its own (cdp.c).
 */
#include <sys/types.h>

#include "capture.h"
#include "exec.h"
#include "files.h"
#include "health.h"
#include "http.h"
#include "record.h"
#include "v1.h"
#include "vendor.h"
#include "window.h"

const struct http_route_entry v1_routes[] = {
	/* health.c: open, for deskctl's polls before it holds a token */
	{ "/health", HTTP_GET, HTTP_OPEN, 0, health_cb },
	{ "/v1/health", HTTP_GET, HTTP_OPEN, 0, health_cb },

	/* capture.c */
	{ "/v1/screenshot", HTTP_GET, 0, 0, capture_v1_cb },
	/*
	 * vendor_exec.c: every vendor's calls, told apart by their shape
	 * (native bodies go on to computer.c), or one vendor's by path.
	 */
	{ "/v1/computer", HTTP_POST, 0, 0, vendor_post_cb },
	{ "/v1/computer/anthropic", HTTP_POST, 0, 0, vendor_post_cb },
	{ "/v1/computer/openai", HTTP_POST, 0, 0, vendor_post_cb },
	{ "/v1/computer/gemini", HTTP_POST, 0, 0, vendor_post_cb },
	{ "/v1/computer/osworld", HTTP_POST, 0, 0, vendor_post_cb },
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
	{ NULL, 0, 0, 0, NULL }
};
