/*
 * osworld_screen.c: OSWorld's screen routes: /screenshot, /cursor_position,
 * /screen_size, and the recording pair /start_recording and
 * /end_recording.  Each is a thin layer over capture.c, input.c,
 * display.c and record.c.
 */
#include <sys/types.h>

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "capture.h"
#include "deskd.h"
#include "display.h"
#include "files.h"
#include "http.h"
#include "input.h"
#include "osworld.h"
#include "record.h"

/*
 * GET /screenshot: the full screen, cursor composited at its hotspot
 * (upstream pastes it at the pointer without the hotspot), encoded off
 * the loop with Server-Timing like /v1/screenshot.  Failures are deskd's
 * own JSON errors; upstream's were HTML 500s.
 */
void
osworld_screen_screenshot_cb(struct http_req *req, void *arg)
{
	struct capture_opts	 o;

	memset(&o, 0, sizeof o);
	o.cursor = 1;
	capture_reply(req, &o);
}

/* GET /cursor_position -> [x, y] */
void
osworld_screen_cursor_cb(struct http_req *req, void *arg)
{
	char	*cause = NULL;
	int	 x, y;

	if (input_cursor(&x, &y, &cause) == -1) {
		http_reply_error(req, 503, "display_unavailable", "%s", cause);
		free(cause);
		return;
	}
	http_reply_json(req, 200, json_pack("[i, i]", x, y));
}

/* POST /screen_size -> {"width": w, "height": h} */
void
osworld_screen_size_cb(struct http_req *req, void *arg)
{
	char	*cause = NULL;
	int	 w, h;

	if (display_need(&cause) == NULL ||
	    display_screen_size(&w, &h) == -1) {
		http_reply_error(req, 503, "display_unavailable", "%s",
		    cause != NULL ? cause : "no X display");
		free(cause);
		return;
	}
	http_reply_json(req, 200, json_pack("{s:i, s:i}", "width", w,
	    "height", h));
}

/* Recording: {"status", "message"}, 400 for a state conflict. */

static void
osworld_screen_record_close_cb(struct http_req *req, void *arg)
{
	record_forget(req);
}

static void
osworld_screen_record_done(const struct record_result *r, void *arg)
{
	struct http_req	*req = arg;

	http_req_set_close_cb(req, NULL, NULL);
	if (r->kind != DESKD_EOK)
		osworld_reply_status(req, 500, "error", "%s", r->message);
	else if (r->fd != -1)
		files_send_fd(req, r->fd, "video/mp4", "recording.mp4");
	else
		osworld_reply_status(req, 200, "success", "%s", r->message);
}

static void
osworld_screen_record_fail(struct http_req *req, enum deskd_err kind,
    char *cause)
{
	osworld_reply_status(req, kind == DESKD_ESTATE ? 400 : 500, "error",
	    "%s", cause);
	free(cause);
}

/* POST /start_recording */
void
osworld_screen_start_recording_cb(struct http_req *req, void *arg)
{
	enum deskd_err	 kind;
	char		*cause = NULL;

	if (record_start(osworld_screen_record_done, req, &kind,
	    &cause) == -1) {
		osworld_screen_record_fail(req, kind, cause);
		return;
	}
	http_req_set_close_cb(req, osworld_screen_record_close_cb, NULL);
}

/* POST /end_recording: the mp4 as an attachment */
void
osworld_screen_end_recording_cb(struct http_req *req, void *arg)
{
	enum deskd_err	 kind;
	char		*cause = NULL;

	if (record_stop(osworld_screen_record_done, req, &kind,
	    &cause) == -1) {
		osworld_screen_record_fail(req, kind, cause);
		return;
	}
	http_req_set_close_cb(req, osworld_screen_record_close_cb, NULL);
}
