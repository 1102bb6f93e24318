/*
 * computer.c: the computer-use action API.  A body is parsed and checked
 * whole (proto_actions_parse, screen bounds, key names, text) before
 * anything is queued, so a bad batch injects nothing; then the batch
 * becomes one input job, so two clients' batches never interleave.
 */
#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <jansson.h>

#include "action.h"
#include "capture.h"
#include "computer.h"
#include "deskd.h"
#include "display.h"
#include "http.h"
#include "input.h"
#include "keys.h"
#include "log.h"
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
	json_t			*results;
	int			 sw, sh;	/* screen size when parsed */
};

static void
computer_req_free(struct computer_req *cr)
{
	proto_actions_free(cr->acts);
	free(cr->steps);
	json_decref(cr->results);
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

static char *
computer_base64(const u_char *p, size_t len, size_t *outlen)
{
	static const char	 tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char			*out, *o;
	size_t			 i;
	uint32_t		 v;

	o = out = xmalloc(4 * ((len + 2) / 3) + 1);
	for (i = 0; i + 2 < len; i += 3) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		*o++ = tab[v >> 18];
		*o++ = tab[(v >> 12) & 63];
		*o++ = tab[(v >> 6) & 63];
		*o++ = tab[v & 63];
	}
	if (i < len) {
		v = (uint32_t)p[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)p[i + 1] << 8;
		*o++ = tab[v >> 18];
		*o++ = tab[(v >> 12) & 63];
		*o++ = i + 1 < len ? tab[(v >> 6) & 63] : '=';
		*o++ = '=';
	}
	*o = '\0';
	*outlen = o - out;
	return (out);
}

/* A PNG of the screen (or a region of it) into res as base64_image. */
static int
computer_capture(struct proto_action *a, int sw, int sh, json_t *res,
    char **cause)
{
	struct capture_opts	 opts;
	struct evbuffer		*buf;
	u_char			*png;
	char			*b64;
	size_t			 len, blen;
	int			 w, h, x0, y0, x1, y1;

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
	buf = evbuffer_new();
	if (capture_png(&opts, buf, &w, &h, cause) == -1) {
		evbuffer_free(buf);
		return (-1);
	}
	len = evbuffer_get_length(buf);
	png = evbuffer_pullup(buf, -1);
	b64 = computer_base64(png, len, &blen);
	evbuffer_free(buf);
	json_object_set_new(res, "base64_image", json_stringn_nocheck(b64,
	    blen));
	json_object_set_new(res, "image_size", json_pack("[i, i]", w, h));
	free(b64);
	return (0);
}

/* Runs in order after each action: its result, and its screenshot. */
static int
computer_step_cb(struct input_job *job, void *arg, char **cause)
{
	struct computer_step	*cs = arg;
	struct computer_req	*cr = cs->cr;
	struct proto_action	*a = &cr->acts->v[cs->index];
	json_t			*res;
	char			*out;
	int			 x, y, cx, cy;

	res = json_object();
	json_object_set_new(res, "action", json_string(
	    proto_action_name(a->type)));
	if (input_cursor(&x, &y, cause) == -1) {
		json_decref(res);
		return (-1);
	}
	cx = computer_unmap(x, a->space_w, cr->sw);
	cy = computer_unmap(y, a->space_h, cr->sh);
	if (a->type == PROTO_ACT_CURSOR_POSITION) {
		xasprintf(&out, "X=%d,Y=%d", cx, cy);
		json_object_set_new(res, "output", json_string(out));
		free(out);
	} else
		json_object_set_new(res, "output", json_null());
	json_object_set_new(res, "cursor", json_pack("[i, i]", cx, cy));
	if (a->type == PROTO_ACT_SCREENSHOT || a->type == PROTO_ACT_ZOOM ||
	    a->screenshot) {
		if (computer_capture(a, cr->sw, cr->sh, res, cause) == -1) {
			json_decref(res);
			return (-1);
		}
	}
	json_array_append_new(cr->results, res);
	return (0);
}

static void
computer_done_cb(struct input_job *job, const char *error, void *arg)
{
	struct computer_req	*cr = arg;
	struct http_req		*req = cr->req;
	json_t			*body, *last;
	char			*msg;
	size_t			 i;
	int			 code;

	cr->job = NULL;
	http_req_set_close_cb(req, NULL, NULL);
	if (error != NULL) {
		i = json_array_size(cr->results);
		if (cr->acts->batch)
			xasprintf(&msg, "action %zu (%s): %s", i,
			    i < cr->acts->n ? proto_action_name(
			    cr->acts->v[i].type) : "?", error);
		else
			msg = xstrdup(error);
		code = display_get() == NULL ? 503 : 500;
		body = json_pack("{s:{s:s, s:s, s:I}, s:O}", "error", "code",
		    code == 503 ? "display_unavailable" : "action_failed",
		    "message", msg, "index", (json_int_t)i, "results",
		    cr->results);
		free(msg);
		http_reply_json(req, code, body);
	} else if (cr->acts->batch) {
		last = json_array_get(cr->results,
		    json_array_size(cr->results) - 1);
		body = json_pack("{s:O, s:O}", "results", cr->results,
		    "cursor", json_object_get(last, "cursor"));
		http_reply_json(req, 200, body);
	} else {
		body = json_incref(json_array_get(cr->results, 0));
		json_object_del(body, "action");
		http_reply_json(req, 200, body);
	}
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

/* Key names and text are checked here, before anything is queued. */
static int
computer_check(struct proto_action *a, char **cause)
{
	struct keys_seq		*seq;
	struct keys_chord	 ch;
	uint32_t		*cps;
	size_t			 n, i;

	switch (a->type) {
	case PROTO_ACT_KEY:
		if ((seq = keys_parse(a->text, cause)) == NULL)
			return (-1);
		keys_seq_free(seq);
		break;
	case PROTO_ACT_HOLD_KEY:
		return (keys_parse_chord(a->text, &ch, cause));
	case PROTO_ACT_TYPE:
		if (keys_utf8_decode(a->text, a->text_len, &cps, &n, cause) ==
		    -1)
			return (-1);
		for (i = 0; i < n; i++) {
			if (keys_char_to_keysym(cps[i]) == NoSymbol) {
				xasprintf(cause, "cannot type character "
				    "U+%04X at position %zu", cps[i], i);
				free(cps);
				return (-1);
			}
		}
		free(cps);
		break;
	default:
		/* Clicks and scrolls: text is the modifiers to hold. */
		if (a->text != NULL && *a->text != '\0' &&
		    proto_action_is_pointer(a->type))
			return (keys_parse_chord(a->text, &ch, cause));
		break;
	}
	return (0);
}

static void
computer_build(struct computer_req *cr, struct proto_action *a,
    struct computer_step *cs)
{
	struct input_job	*job = cr->job;
	struct keys_seq		*seq;
	struct keys_chord	 mods;
	uint32_t		*cps;
	size_t			 n;
	int			 x = 0, y = 0, sx, sy, button, count, i;

	memset(&mods, 0, sizeof mods);
	if (a->has_coord) {
		x = computer_map(a->x, a->space_w, cr->sw);
		y = computer_map(a->y, a->space_h, cr->sh);
	}
	if (a->text != NULL && *a->text != '\0' &&
	    proto_action_is_pointer(a->type))
		keys_parse_chord(a->text, &mods, NULL);

	switch (a->type) {
	case PROTO_ACT_KEY:
		seq = keys_parse(a->text, NULL);
		input_job_key_seq(job, seq, a->delay_ms);
		keys_seq_free(seq);
		break;
	case PROTO_ACT_TYPE:
		keys_utf8_decode(a->text, a->text_len, &cps, &n, NULL);
		input_job_type(job, cps, n, a->delay_ms);
		break;
	case PROTO_ACT_MOUSE_MOVE:
		input_job_move(job, x, y);
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
		if (a->has_coord)
			input_job_move(job, x, y);
		input_job_keys_down(job, &mods);
		input_job_click(job, button, count);
		input_job_keys_up(job, &mods);
		break;
	case PROTO_ACT_LEFT_CLICK_DRAG:
		if (a->has_start) {
			sx = computer_map(a->sx, a->space_w, cr->sw);
			sy = computer_map(a->sy, a->space_h, cr->sh);
		} else if (input_cursor(&sx, &sy, NULL) == -1) {
			sx = x;
			sy = y;
		}
		input_job_move(job, sx, sy);
		input_job_keys_down(job, &mods);
		input_job_button(job, INPUT_BUTTON_LEFT, 1);
		input_job_wait(job, INPUT_DRAG_STEP_MS);
		input_job_move_path(job, sx, sy, x, y);
		input_job_button(job, INPUT_BUTTON_LEFT, 0);
		input_job_keys_up(job, &mods);
		break;
	case PROTO_ACT_LEFT_MOUSE_DOWN:
		if (a->has_coord)
			input_job_move(job, x, y);
		input_job_button(job, INPUT_BUTTON_LEFT, 1);
		input_job_hold_button(job, INPUT_BUTTON_LEFT);
		break;
	case PROTO_ACT_LEFT_MOUSE_UP:
		if (a->has_coord)
			input_job_move(job, x, y);
		input_job_button(job, INPUT_BUTTON_LEFT, 0);
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
		keys_parse_chord(a->text, &mods, NULL);
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
	input_job_call(job, computer_step_cb, cs);
}

static void
computer_post_cb(struct http_req *req, void *arg)
{
	struct computer_req	*cr;
	json_t			*body;
	char			*cause = NULL;
	size_t			 i;

	if ((body = http_req_json(req, 0, &cause)) == NULL) {
		http_reply_error(req, 400, "bad_json", "%s", cause);
		free(cause);
		return;
	}
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
	for (i = 0; i < cr->acts->n; i++) {
		if (computer_check(&cr->acts->v[i], &cause) == -1) {
			if (cr->acts->batch)
				http_reply_error(req, 400, "bad_action",
				    "action %zu: %s", i, cause);
			else
				http_reply_error(req, 400, "bad_action", "%s",
				    cause);
			goto fail;
		}
	}

	cr->results = json_array();
	cr->steps = xcalloc(cr->acts->n, sizeof *cr->steps);
	cr->job = input_job_new(computer_done_cb, cr);
	for (i = 0; i < cr->acts->n; i++) {
		cr->steps[i].cr = cr;
		cr->steps[i].index = i;
		computer_build(cr, &cr->acts->v[i], &cr->steps[i]);
	}
	if (input_submit(cr->job, &cause) == -1) {
		input_cancel(cr->job);
		http_reply_error(req, 503, "busy", "%s", cause);
		goto fail;
	}
	http_req_set_close_cb(req, computer_close_cb, cr);
	return;
fail:
	free(cause);
	computer_req_free(cr);
}

/* OSWorld: GET /cursor_position -> [x, y]. */
static void
computer_cursor_cb(struct http_req *req, void *arg)
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

/* OSWorld: POST /screen_size -> {"width": w, "height": h}. */
static void
computer_screen_size_cb(struct http_req *req, void *arg)
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

void
computer_init(struct http_server *hs)
{
	http_route(hs, "/v1/computer", HTTP_POST, 0, DESKD_COMPUTER_MAX_BODY,
	    computer_post_cb, NULL);
	http_route(hs, "/cursor_position", HTTP_GET, 0, 0, computer_cursor_cb,
	    NULL);
	http_route(hs, "/screen_size", HTTP_POST | HTTP_GET, 0, 0,
	    computer_screen_size_cb, NULL);
}
