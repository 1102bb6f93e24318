/*
 * computer.c: the computer-use actions (proto/action.h) as input jobs, and
 * POST /v1/computer over them.
 *
 * Building the job is the validation: key names are parsed and text is
 * decoded once, while the job is built, and the job is submitted only when
 * the whole batch has been built, so a bad batch injects nothing.  The
 * batch is one input job, so two clients' batches never interleave.
 */
#include <sys/types.h>
#include <sys/uio.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <jansson.h>

#include "action.h"
#include "base64.h"
#include "capture.h"
#include "clipboard.h"
#include "computer.h"
#include "deskproto.h"
#include "display.h"
#include "http.h"
#include "input.h"
#include "keys.h"
#include "log.h"
#include "vendor.h"
#include "xmalloc.h"

struct computer_req;

struct computer_step {
	struct computer_req	*cr;
	size_t			 index;
};

struct computer_req {
	struct http_req		*req;
	struct proto_actions	*acts;
	struct computer_step	*steps;
	struct input_job	*job;
	struct evbuffer		*results;	/* result objects, with commas */
	size_t			 nresults;
	int			 cx, cy;	/* the last result's cursor */
	int			 sw, sh;	/* screen size when parsed */
};

static void
computer_req_free(struct computer_req *cr)
{
	proto_actions_free(cr->acts);
	free(cr->steps);
	if (cr->results != NULL)
		evbuffer_free(cr->results);
	free(cr);
}

/* Action space to screen pixels: the centre of the pixel it names. */
static int
computer_map(int v, int space, int screen)
{
	long long	 r;

	if (space == 0)
		return (v);
	r = ((long long)v * 2 + 1) * screen / (2LL * space);
	if (r >= screen)
		r = screen - 1;
	return ((int)r);
}

/* Screen pixels back to the action's space (the cursor in replies). */
static int
computer_unmap(int v, int space, int screen)
{
	long long	 r;

	if (space == 0)
		return (v);
	r = ((long long)v * 2 + 1) * space / (2LL * screen);
	if (r >= space)
		r = space - 1;
	return ((int)r);
}

int
computer_cursor(const struct proto_action *a, int sw, int sh, int *x, int *y,
    char **cause)
{
	if (input_cursor(x, y, cause) == -1)
		return (-1);
	*x = computer_unmap(*x, a->space_w, sw);
	*y = computer_unmap(*y, a->space_h, sh);
	return (0);
}

int
computer_wants_image(const struct proto_action *a)
{
	return (a->type == PROTO_ACT_SCREENSHOT || a->type == PROTO_ACT_ZOOM ||
	    a->screenshot);
}

int
computer_capture(const struct proto_action *a, int sw, int sh,
    struct evbuffer *png, int *w, int *h, char **cause)
{
	struct capture_opts	 opts;
	int			 x0, y0, x1, y1;

	memset(&opts, 0, sizeof opts);
	opts.cursor = 1;
	if (a->type == PROTO_ACT_ZOOM) {
		/* Edges, not pixels: [0, 0, space_w, space_h] is everything. */
		if (a->space_w != 0) {
			x0 = (long long)a->region[0] * sw / a->space_w;
			y0 = (long long)a->region[1] * sh / a->space_h;
			x1 = (long long)a->region[2] * sw / a->space_w;
			y1 = (long long)a->region[3] * sh / a->space_h;
		} else {
			x0 = a->region[0];
			y0 = a->region[1];
			x1 = a->region[2];
			y1 = a->region[3];
		}
		if (x1 <= x0)
			x1 = x0 + 1;
		if (y1 <= y0)
			y1 = y0 + 1;
		/* Cropped from the native frame: zoom adds real detail. */
		opts.rx = x0;
		opts.ry = y0;
		opts.rw = x1 - x0;
		opts.rh = y1 - y0;
	} else if (a->space_w != 0) {
		opts.out_w = a->space_w;
		opts.out_h = a->space_h;
	}
	return (capture_png(&opts, png, w, h, cause));
}

int
computer_build(struct input_job *job, const struct proto_action *a, int sw,
    int sh, input_call_cb cb, void *arg, char **cause)
{
	struct keys_seq		*seq;
	struct keys_chord	 mods;
	uint32_t		*cps;
	size_t			 n, k;
	int			 x = 0, y = 0, sx, sy, px, py, button, count, i;
	int			 rc;

	memset(&mods, 0, sizeof mods);
	if (a->has_coord) {
		x = computer_map(a->x, a->space_w, sw);
		y = computer_map(a->y, a->space_h, sh);
	}
	/* Clicks and scrolls: text is the modifiers to hold. */
	if (a->text != NULL && *a->text != '\0' &&
	    proto_action_is_pointer(a->type) &&
	    keys_parse_chord(a->text, &mods, cause) == -1)
		return (-1);

	switch (a->type) {
	case PROTO_ACT_KEY:
		if ((seq = keys_parse(a->text, cause)) == NULL)
			return (-1);
		for (i = 0; i < (a->repeat > 1 ? a->repeat : 1); i++)
			input_job_key_seq(job, seq, a->delay_ms);
		keys_seq_free(seq);
		break;
	case PROTO_ACT_KEY_DOWN:
	case PROTO_ACT_KEY_UP:
		/* Held until key_up or the end of the batch. */
		if (keys_parse_chord(a->text, &mods, cause) == -1)
			return (-1);
		if (a->type == PROTO_ACT_KEY_DOWN)
			input_job_keys_down(job, &mods);
		else
			input_job_keys_up(job, &mods);
		memset(&mods, 0, sizeof mods);
		break;
	case PROTO_ACT_TYPE:
		if (a->paste) {
			if (clipboard_job_paste(job, a->text, a->text_len,
			    cause) == -1)
				return (-1);
			break;
		}
		if (keys_utf8_decode(a->text, a->text_len, &cps, &n, cause) ==
		    -1)
			return (-1);
		rc = input_job_type(job, cps, n, a->delay_ms, cause);
		free(cps);
		if (rc == -1)
			return (-1);
		break;
	case PROTO_ACT_MOUSE_MOVE:
		input_job_keys_down(job, &mods);
		input_job_move(job, x, y);
		input_job_keys_up(job, &mods);
		break;
	case PROTO_ACT_LEFT_CLICK:
	case PROTO_ACT_RIGHT_CLICK:
	case PROTO_ACT_MIDDLE_CLICK:
	case PROTO_ACT_DOUBLE_CLICK:
	case PROTO_ACT_TRIPLE_CLICK:
		button = INPUT_BUTTON_LEFT;
		count = 1;
		if (a->type == PROTO_ACT_RIGHT_CLICK)
			button = INPUT_BUTTON_RIGHT;
		else if (a->type == PROTO_ACT_MIDDLE_CLICK)
			button = INPUT_BUTTON_MIDDLE;
		else if (a->type == PROTO_ACT_DOUBLE_CLICK)
			count = 2;
		else if (a->type == PROTO_ACT_TRIPLE_CLICK)
			count = 3;
		if (a->button != 0)
			button = a->button;
		if (a->has_coord)
			input_job_move(job, x, y);
		input_job_keys_down(job, &mods);
		input_job_click(job, button, count);
		input_job_keys_up(job, &mods);
		break;
	case PROTO_ACT_LEFT_CLICK_DRAG:
		/*
		 * Without a start, the drag starts where the pointer is when
		 * it runs, after the actions queued before it.
		 */
		sx = sy = INPUT_POINTER;
		if (a->has_start) {
			sx = computer_map(a->sx, a->space_w, sw);
			sy = computer_map(a->sy, a->space_h, sh);
			input_job_move(job, sx, sy);
		}
		input_job_keys_down(job, &mods);
		input_job_button(job, INPUT_BUTTON_LEFT, 1);
		input_job_wait(job, INPUT_DRAG_STEP_MS);
		/* Through the points of a path (OpenAI's drag), in order. */
		for (k = 0; k < a->npath; k++) {
			px = computer_map(a->path[2 * k], a->space_w, sw);
			py = computer_map(a->path[2 * k + 1], a->space_h, sh);
			input_job_move_path(job, sx, sy, px, py);
			sx = px;
			sy = py;
		}
		input_job_move_path(job, sx, sy, x, y);
		input_job_button(job, INPUT_BUTTON_LEFT, 0);
		input_job_keys_up(job, &mods);
		break;
	case PROTO_ACT_LEFT_MOUSE_DOWN:
		button = a->button != 0 ? a->button : INPUT_BUTTON_LEFT;
		if (a->has_coord)
			input_job_move(job, x, y);
		input_job_button(job, button, 1);
		input_job_hold_button(job, button);
		break;
	case PROTO_ACT_LEFT_MOUSE_UP:
		button = a->button != 0 ? a->button : INPUT_BUTTON_LEFT;
		if (a->has_coord)
			input_job_move(job, x, y);
		input_job_button(job, button, 0);
		break;
	case PROTO_ACT_SCROLL:
		/* X wheel buttons: 4 up, 5 down, 6 left, 7 right. */
		button = 4 + (int)a->dir;
		if (a->has_coord)
			input_job_move(job, x, y);
		input_job_keys_down(job, &mods);
		for (i = 0; i < a->amount; i++)
			input_job_click(job, button, 1);
		input_job_keys_up(job, &mods);
		break;
	case PROTO_ACT_HOLD_KEY:
		if (keys_parse_chord(a->text, &mods, cause) == -1)
			return (-1);
		input_job_keys_down(job, &mods);
		input_job_wait(job, a->duration_ms);
		input_job_keys_up(job, &mods);
		break;
	case PROTO_ACT_WAIT:
		input_job_wait(job, a->duration_ms);
		break;
	case PROTO_ACT_CURSOR_POSITION:
	case PROTO_ACT_SCREENSHOT:
	case PROTO_ACT_ZOOM:
		break;
	}
	if (a->screenshot && a->type != PROTO_ACT_SCREENSHOT &&
	    a->type != PROTO_ACT_ZOOM)
		input_job_settle(job, COMPUTER_SETTLE_QUIET_MS,
		    COMPUTER_SETTLE_MAX_MS);
	if (cb != NULL)
		input_job_call(job, cb, arg);
	return (0);
}

/*
 * Runs in order after each action: its result object, written by hand
 * into cr->results (jansson's dump of a 2.7 MB base64 string took 37 ms
 * on the loop).  Nothing is written unless all of it can be.
 */
static int
computer_step_cb(struct input_job *job, void *arg, char **cause)
{
	struct computer_step	*cs = arg;
	struct computer_req	*cr = cs->cr;
	struct proto_action	*a = &cr->acts->v[cs->index];
	struct evbuffer		*png = NULL, *b = cr->results;
	int			 x, y, w, h;

	if (computer_cursor(a, cr->sw, cr->sh, &x, &y, cause) == -1)
		return (-1);
	if (computer_wants_image(a)) {
		png = evbuffer_new();
		if (computer_capture(a, cr->sw, cr->sh, png, &w, &h, cause) ==
		    -1) {
			evbuffer_free(png);
			return (-1);
		}
	}
	evbuffer_add_printf(b, "%s{", cr->nresults > 0 ? "," : "");
	/* A single action's reply is its result, without the name. */
	if (cr->acts->batch)
		evbuffer_add_printf(b, "\"action\":\"%s\",",
		    proto_action_name(a->type));
	if (a->type == PROTO_ACT_CURSOR_POSITION)
		evbuffer_add_printf(b, "\"output\":\"X=%d,Y=%d\"", x, y);
	else
		evbuffer_add_printf(b, "\"output\":null");
	evbuffer_add_printf(b, ",\"cursor\":[%d,%d]", x, y);
	if (png != NULL) {
		/* The base64 alphabet needs no JSON escaping. */
		evbuffer_add_printf(b, ",\"base64_image\":\"");
		if (vendor_add_base64(b, png) == -1)
			fatalx("%s: out of memory", __func__);
		evbuffer_add_printf(b, "\",\"image_size\":[%d,%d]", w, h);
		evbuffer_free(png);
	}
	evbuffer_add(b, "}", 1);
	cr->nresults++;
	cr->cx = x;
	cr->cy = y;
	return (0);
}

static void
computer_done_cb(struct input_job *job, const char *error, void *arg)
{
	struct computer_req	*cr = arg;
	struct http_req		*req = cr->req;
	struct evbuffer		*out;
	json_t			*e;
	char			*msg, *s;
	size_t			 i = cr->nresults;
	int			 code;

	cr->job = NULL;
	http_req_set_close_cb(req, NULL, NULL);
	out = evbuffer_new();
	if (error != NULL) {
		if (cr->acts->batch)
			xasprintf(&msg, "action %zu (%s): %s", i,
			    i < cr->acts->n ? proto_action_name(
			    cr->acts->v[i].type) : "?", error);
		else
			msg = xstrdup(error);
		code = display_get() == NULL ? 503 : 500;
		/* The error is small: jansson escapes its message. */
		e = proto_error_new(code == 503 ? "display_unavailable" :
		    "action_failed", msg);
		json_object_set_new(json_object_get(e, "error"), "index",
		    json_integer((json_int_t)i));
		if ((s = json_dumps(e, JSON_COMPACT)) == NULL)
			fatalx("%s: out of memory", __func__);
		json_decref(e);
		free(msg);
		/* {"error":{...},"results":[...]} */
		evbuffer_add(out, s, strlen(s) - 1);
		free(s);
		evbuffer_add_printf(out, ",\"results\":[");
		evbuffer_add_buffer(out, cr->results);
		evbuffer_add_printf(out, "]}\n");
	} else if (cr->acts->batch) {
		code = 200;
		evbuffer_add_printf(out, "{\"results\":[");
		evbuffer_add_buffer(out, cr->results);
		evbuffer_add_printf(out, "],\"cursor\":[%d,%d]}\n", cr->cx,
		    cr->cy);
	} else {
		code = 200;
		evbuffer_add_buffer(out, cr->results);
		evbuffer_add(out, "\n", 1);
	}
	http_reply_buffer(req, code, "application/json", out);
	evbuffer_free(out);
	computer_req_free(cr);
}

static void
computer_close_cb(struct http_req *req, void *arg)
{
	struct computer_req	*cr = arg;

	/* Client hung up: stop, release what is held, restore the map. */
	if (cr->job != NULL)
		input_cancel(cr->job);
	cr->job = NULL;
	computer_req_free(cr);
}

void
computer_post_json(struct http_req *req, json_t *body)
{
	struct computer_req	*cr;
	char			*cause = NULL;
	size_t			 i;

	cr = xcalloc(1, sizeof *cr);
	cr->req = req;
	cr->acts = proto_actions_parse(body, &cause);
	json_decref(body);
	if (cr->acts == NULL) {
		http_reply_error(req, 400, "bad_action", "%s", cause);
		goto fail;
	}
	if (display_need(&cause) == NULL ||
	    display_screen_size(&cr->sw, &cr->sh) == -1) {
		http_reply_error(req, 503, "display_unavailable", "%s",
		    cause != NULL ? cause : "no X display");
		goto fail;
	}
	if (proto_actions_check_screen(cr->acts, cr->sw, cr->sh, &cause) ==
	    -1) {
		http_reply_error(req, 400, "bad_coordinate", "%s", cause);
		goto fail;
	}

	/* The whole batch is built before any of it is queued. */
	cr->results = evbuffer_new();
	cr->steps = xcalloc(cr->acts->n, sizeof *cr->steps);
	cr->job = input_job_new(computer_done_cb, cr);
	for (i = 0; i < cr->acts->n; i++) {
		cr->steps[i].cr = cr;
		cr->steps[i].index = i;
		if (computer_build(cr->job, &cr->acts->v[i], cr->sw, cr->sh,
		    computer_step_cb, &cr->steps[i], &cause) == -1) {
			if (cr->acts->batch)
				http_reply_error(req, 400, "bad_action",
				    "action %zu: %s", i, cause);
			else
				http_reply_error(req, 400, "bad_action", "%s",
				    cause);
			goto fail_job;
		}
	}
	if (input_submit(cr->job, &cause) == -1) {
		http_reply_error(req, 503, "busy", "%s", cause);
		goto fail_job;
	}
	http_req_set_close_cb(req, computer_close_cb, cr);
	return;
fail_job:
	/* Never submitted: this frees the half-built job. */
	input_cancel(cr->job);
fail:
	free(cause);
	computer_req_free(cr);
}
