/*
 * vendor_exec.c: the one executor of every vendor's calls (vendor.h), and
 * POST /v1/computer over it.
 *
 * A request's calls become one input job (computer_build per action), so
 * two requests never interleave and a refused body injects nothing.
 * Around each action the job records where it stood (the time, the
 * XDamage count, the keystrokes typed), lets the screen settle (XDamage
 * quiet, bounded), and records again: the reply says per action whether
 * the screen changed, how long it took to settle and, for type, whether
 * every character went out (or, typed by pasting, whether an application
 * read the clipboard).  After each call that needs one, the screen
 * is captured in the session's coordinate space (PNG, or JPEG with
 * TurboJPEG); zoom captures its region at the display's resolution and
 * scales it up.  The reply is written by hand into an evbuffer, the
 * images' base64 straight from theirs.
 *
 * The coordinate space belongs to the session (this process): the size
 * of the screenshot last returned, or the one a request names, else the
 * screen's.  Coordinates outside it are refused, never clamped.
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
#include "cdp.h"
#include "clipboard.h"
#include "computer.h"
#include "deskd.h"
#include "deskproto.h"
#include "display.h"
#include "http.h"
#include "input.h"
#include "jpegenc.h"
#include "keys.h"
#include "log.h"
#include "pngenc.h"
#include "vendor.h"
#include "xmalloc.h"

/*
 * Settling after each action: the screen quiet this long (counted from
 * the later of the action's end and the last damage), at most the max.
 * Chromium repaints a click within a frame or two; 60 ms of quiet on a
 * loaded 2-core VM did not cut a repaint short in vendor-*.t.
 */
#define VENDOR_SETTLE_QUIET_MS	60
#define VENDOR_SETTLE_MAX_MS	3000
#define VENDOR_SETTLE_LIMIT_MS	30000	/* what a caller may ask */

enum vendor_shots {
	VENDOR_SHOTS_LAST,	/* the last call's, screenshot's, zoom's */
	VENDOR_SHOTS_EACH,
	VENDOR_SHOTS_NONE	/* only screenshot and zoom */
};

/* The session's coordinate space; 0: the screen's. */
static int	 vendor_space_w, vendor_space_h;
static struct jpegenc *vendor_jpeg;

struct vendor_req;

/* What the job recorded around one action. */
struct vendor_probe {
	struct vendor_req	*vr;
	size_t			 index;		/* action */
	size_t			 call;
	int			 started, ran, changed, settled;
	double			 t0;		/* started */
	double			 t1;		/* input sent */
	double			 t2;		/* settled */
	unsigned long		 seq0;
	size_t			 typed0, typed;
	size_t			 chars;
	unsigned long		 served0;	/* clipboard_served() */
	int			 pasted;	/* a paste was read */
	int			 cx, cy;
};

struct vendor_callstep {
	struct vendor_req	*vr;
	size_t			 call;
};

struct vendor_req {
	struct http_req		*req;
	struct vendor_batch	 b;
	struct vendor_result	*res;
	struct vendor_probe	*probes;
	struct vendor_callstep	*csteps;
	struct input_job	*job;
	struct cdp_fetch	*url_fetch;
	int			 sw, sh;
	int			 space_w, space_h;
	int			 native;	/* reply=native */
	enum vendor_shots	 shots;
	int			 jpeg, quality;
	int			 quiet_ms, max_ms;
	int			 paste;		/* type_method=paste */
	size_t			 ncalls_done;
	char			*error;
	int			 display_lost;
	double			 t_start;
	double			 input_us, settle_us;
	double			 capture_ms, encode_ms;
};

static void
vendor_req_free(struct vendor_req *vr)
{
	size_t	 i;

	/* Backwards: an OpenAI output may reference an earlier image. */
	if (vr->res != NULL) {
		for (i = vr->b.ncalls; i-- > 0;) {
			free(vr->res[i].error);
			free(vr->res[i].output);
			if (vr->res[i].image != NULL)
				evbuffer_free(vr->res[i].image);
		}
	}
	free(vr->res);
	free(vr->probes);
	free(vr->csteps);
	free(vr->error);
	vendor_batch_clear(&vr->b);
	free(vr);
}

/* ---- images ---- */

static void
vendor_png_fill_cb(void *arg, int y0, int y1, uint8_t *dst)
{
	const uint8_t	**p = arg;
	size_t		  row = (size_t)(uintptr_t)p[1];
	int		  y;

	for (y = y0; y < y1; y++) {
		*dst++ = 0;
		memcpy(dst, p[0] + (size_t)y * row, row);
		dst += row;
	}
}

/*
 * Capture into r: the region rx, ry, rw, rh of the screen (rw 0: all of
 * it) as an ow x oh image in the request's format.
 */
static int
vendor_shot(struct vendor_req *vr, int rx, int ry, int rw, int rh, int ow,
    int oh, struct vendor_result *r, char **cause)
{
	struct capture_opts	 o;
	struct pngenc		*pe;
	struct evbuffer		*img;
	const uint8_t		*fill[2];
	uint8_t			*rgb;
	double			 t0, t1, grab;
	int			 w, h, rc;

	memset(&o, 0, sizeof o);
	o.cursor = 1;
	o.rx = rx;
	o.ry = ry;
	o.rw = rw;
	o.rh = rh;
	img = evbuffer_new();
	t0 = deskd_now_us();
	if (!vr->jpeg && (rw == 0 || (ow <= rw && oh <= rh))) {
		/* The cached, band-wise PNG when nothing needs more. */
		o.out_w = ow;
		o.out_h = oh;
		if (capture_png(&o, img, &w, &h, cause) == -1) {
			evbuffer_free(img);
			return (-1);
		}
		grab = capture_last_grab_ms();
		t1 = deskd_now_us();
		vr->capture_ms += grab;
		vr->encode_ms += (t1 - t0) / 1000 - grab;
		r->mime = "image/png";
	} else {
		if (capture_rgb_scaled(&o, ow, oh, &rgb, &grab,
		    cause) == -1) {
			evbuffer_free(img);
			return (-1);
		}
		t1 = deskd_now_us();
		vr->capture_ms += (t1 - t0) / 1000;
		if (vr->jpeg) {
			if (vendor_jpeg == NULL)
				vendor_jpeg = jpegenc_new();
			rc = jpegenc_encode(vendor_jpeg, rgb, ow, oh,
			    (size_t)ow * 3, vr->quality, img, cause);
			r->mime = "image/jpeg";
		} else {
			pe = pngenc_new(ow, oh);
			pngenc_dirty_all(pe);
			fill[0] = rgb;
			fill[1] = (const uint8_t *)(uintptr_t)((size_t)ow * 3);
			rc = pngenc_encode(pe, vendor_png_fill_cb, fill, img,
			    cause);
			pngenc_free(pe);
			r->mime = "image/png";
		}
		free(rgb);
		vr->encode_ms += (deskd_now_us() - t1) / 1000;
		if (rc == -1) {
			evbuffer_free(img);
			return (-1);
		}
		w = ow;
		h = oh;
	}
	if (r->image != NULL)
		evbuffer_free(r->image);
	r->image = img;
	r->w = w;
	r->h = h;
	return (0);
}

/* The screen in the session's space: what the model looks at next. */
static int
vendor_shot_screen(struct vendor_req *vr, struct vendor_result *r,
    char **cause)
{
	return (vendor_shot(vr, 0, 0, 0, 0, vr->space_w, vr->space_h, r,
	    cause));
}

/* A zoom's region: screenshot pixels to the screen's edges. */
static int
vendor_shot_zoom(struct vendor_req *vr, const struct proto_action *a,
    struct vendor_result *r, char **cause)
{
	int	 x0, y0, x1, y1;

	x0 = (long long)a->region[0] * vr->sw / a->space_w;
	y0 = (long long)a->region[1] * vr->sh / a->space_h;
	x1 = (long long)a->region[2] * vr->sw / a->space_w;
	y1 = (long long)a->region[3] * vr->sh / a->space_h;
	if (x1 <= x0)
		x1 = x0 + 1;
	if (y1 <= y0)
		y1 = y0 + 1;
	return (vendor_shot(vr, x0, y0, x1 - x0, y1 - y0, a->zoom_w,
	    a->zoom_h, r, cause));
}

/* ---- the steps ---- */

static int
vendor_pre_cb(struct input_job *job, void *arg, char **cause)
{
	struct vendor_probe	*p = arg;

	p->started = 1;
	p->t0 = deskd_now_us();
	p->seq0 = capture_damage_seq();
	p->typed0 = input_job_typed(job);
	p->served0 = clipboard_served();
	return (0);
}

static int
vendor_mid_cb(struct input_job *job, void *arg, char **cause)
{
	struct vendor_probe	*p = arg;

	p->t1 = deskd_now_us();
	p->typed = input_job_typed(job) - p->typed0;
	p->pasted = clipboard_served() != p->served0;
	p->vr->input_us += p->t1 - p->t0;
	return (0);
}

static int
vendor_post_cb_step(struct input_job *job, void *arg, char **cause)
{
	struct vendor_probe	*p = arg;
	struct vendor_req	*vr = p->vr;
	struct proto_action	*a = &vr->b.acts[p->index];
	int			 x, y;

	p->t2 = deskd_now_us();
	p->ran = 1;
	p->changed = capture_damage_seq() != p->seq0;
	vr->settle_us += p->t2 - p->t1;
	if (computer_cursor(a, vr->sw, vr->sh, &x, &y, cause) == -1)
		return (-1);
	p->cx = x;
	p->cy = y;
	if (a->type == PROTO_ACT_CURSOR_POSITION) {
		free(vr->res[p->call].output);
		xasprintf(&vr->res[p->call].output, "X=%d,Y=%d", x, y);
	}
	return (0);
}

/* Whether call k's answer carries the screen. */
static int
vendor_wants_shot(struct vendor_req *vr, size_t k)
{
	const struct vendor_call	*c = &vr->b.calls[k];

	if (vr->shots == VENDOR_SHOTS_NONE)
		return (0);
	if (c->image || vr->shots == VENDOR_SHOTS_EACH)
		return (1);
	return (k + 1 == vr->b.ncalls);
}

static int
vendor_call_done_cb(struct input_job *job, void *arg, char **cause)
{
	struct vendor_callstep		*cs = arg;
	struct vendor_req		*vr = cs->vr;
	const struct vendor_call	*c = &vr->b.calls[cs->call];
	struct vendor_result		*r = &vr->res[cs->call];
	const struct proto_action	*a;
	size_t				 i;

	/* A zoom answers with its region, the others with the screen. */
	for (i = c->first; i < c->first + c->n; i++) {
		a = &vr->b.acts[i];
		if (a->type == PROTO_ACT_ZOOM)
			break;
	}
	if (i < c->first + c->n) {
		if (vendor_shot_zoom(vr, a, r, cause) == -1)
			return (-1);
	} else if (vendor_wants_shot(vr, cs->call) || (c->image &&
	    vr->b.kind != VENDOR_OPENAI)) {
		/* screenshot is asked for even with screenshot=none. */
		if (vendor_shot_screen(vr, r, cause) == -1)
			return (-1);
	}
	vr->ncalls_done++;
	return (0);
}

/* ---- the reply ---- */

static void
vendor_timing(struct vendor_req *vr, char *buf, size_t len)
{
	snprintf(buf, len, "input;dur=%.1f, settle;dur=%.1f, capture;dur=%.1f, "
	    "encode;dur=%.1f, total;dur=%.1f", vr->input_us / 1000,
	    vr->settle_us / 1000, vr->capture_ms, vr->encode_ms,
	    (deskd_now_us() - vr->t_start) / 1000);
}

static const char *
vendor_state_name(enum vendor_state s)
{
	switch (s) {
	case VENDOR_DONE:
		return ("done");
	case VENDOR_FAILED:
		return ("failed");
	case VENDOR_SKIPPED:
		break;
	}
	return ("not_executed");
}

/*
 * The answer: 200, or 503 when the X server went away mid-batch (the
 * calls are still answered, the failed one with the error, so a caller
 * that goes on has its results to append).
 */
static void
vendor_reply(struct vendor_req *vr, const char *url)
{
	struct evbuffer		*out;
	struct vendor_probe	*p;
	struct vendor_result	*r;
	struct vendor_call	*c;
	struct proto_action	*a;
	char			 timing[256];
	size_t			 i;
	int			 first;

	out = evbuffer_new();
	evbuffer_add_printf(out, "{\"vendor\":\"%s\"", vendor_name(vr->b.kind));
	if (!vr->native) {
		evbuffer_add_printf(out, ",\"append\":");
		vendor_append(out, &vr->b, vr->res, url);
	}
	if (vr->error != NULL) {
		evbuffer_add_printf(out, ",\"error\":{\"code\":\"%s\","
		    "\"message\":", vr->display_lost ? "display_unavailable" :
		    "action_failed");
		vendor_add_string(out, vr->error);
		evbuffer_add_printf(out, ",\"index\":%zu}", vr->ncalls_done);
	}
	evbuffer_add_printf(out, ",\"calls\":[");
	for (i = 0; i < vr->b.ncalls; i++) {
		c = &vr->b.calls[i];
		r = &vr->res[i];
		evbuffer_add_printf(out, "%s{\"name\":", i > 0 ? "," : "");
		vendor_add_string(out, c->name);
		if (c->id != NULL) {
			evbuffer_add_printf(out, ",\"id\":");
			vendor_add_string(out, c->id);
		}
		evbuffer_add_printf(out, ",\"state\":\"%s\"",
		    vendor_state_name(r->state));
		if (c->host_only)
			evbuffer_add_printf(out, ",\"host_only\":true");
		if (r->output != NULL) {
			evbuffer_add_printf(out, ",\"output\":");
			vendor_add_string(out, r->output);
		}
		if (r->error != NULL) {
			evbuffer_add_printf(out, ",\"error\":");
			vendor_add_string(out, r->error);
		}
		if (r->image != NULL) {
			evbuffer_add_printf(out, ",\"image\":{\"media_type\":"
			    "\"%s\",\"size\":[%d,%d],\"bytes\":%zu", r->mime,
			    r->w, r->h, evbuffer_get_length(r->image));
			if (vr->native) {
				evbuffer_add_printf(out, ",\"base64\":\"");
				if (vendor_add_base64(out, r->image) == -1)
					fatalx("%s: out of memory", __func__);
				evbuffer_add_printf(out, "\"");
			}
			evbuffer_add_printf(out, "}");
		}
		evbuffer_add_printf(out, "}");
	}
	evbuffer_add_printf(out, "],\"actions\":[");
	first = 1;
	for (i = 0; i < vr->b.nacts; i++) {
		p = &vr->probes[i];
		a = &vr->b.acts[i];
		evbuffer_add_printf(out, "%s{\"call\":%zu,\"action\":\"%s\","
		    "\"ran\":%s", first ? "" : ",", p->call,
		    proto_action_name(a->type), p->ran ? "true" : "false");
		first = 0;
		if (p->ran) {
			evbuffer_add_printf(out, ",\"changed\":%s,\"input_ms\":"
			    "%.1f,\"settle_ms\":%.1f,\"cursor\":[%d,%d]",
			    p->changed ? "true" : "false",
			    (p->t1 - p->t0) / 1000, (p->t2 - p->t1) / 1000,
			    p->cx, p->cy);
			if (a->type == PROTO_ACT_TYPE && a->paste)
				evbuffer_add_printf(out, ",\"method\":"
				    "\"paste\",\"chars\":%zu,\"pasted\":%s,"
				    "\"complete\":%s", p->chars, p->pasted ?
				    "true" : "false", p->pasted ? "true" :
				    "false");
			else if (a->type == PROTO_ACT_TYPE)
				evbuffer_add_printf(out, ",\"typed\":%zu,"
				    "\"chars\":%zu,\"complete\":%s", p->typed,
				    p->chars, p->typed == p->chars ? "true" :
				    "false");
		}
		evbuffer_add_printf(out, "}");
	}
	vendor_timing(vr, timing, sizeof timing);
	evbuffer_add_printf(out, "],\"coordinate_space\":[%d,%d],\"screen\":"
	    "[%d,%d],\"timing\":{\"input_ms\":%.1f,\"settle_ms\":%.1f,"
	    "\"capture_ms\":%.1f,\"encode_ms\":%.1f,\"total_ms\":%.1f}}\n",
	    vr->space_w, vr->space_h, vr->sw, vr->sh, vr->input_us / 1000,
	    vr->settle_us / 1000, vr->capture_ms, vr->encode_ms,
	    (deskd_now_us() - vr->t_start) / 1000);
	http_add_header(vr->req, "Server-Timing", timing);
	http_reply_buffer(vr->req, vr->display_lost ? 503 : 200,
	    "application/json", out);
	evbuffer_free(out);
}

static void
vendor_url_cb(const char *url, void *arg)
{
	struct vendor_req	*vr = arg;

	vr->url_fetch = NULL;
	http_req_set_close_cb(vr->req, NULL, NULL);
	vendor_reply(vr, url);
	vendor_req_free(vr);
}

static void
vendor_close_cb(struct http_req *req, void *arg)
{
	struct vendor_req	*vr = arg;

	/* Client hung up: stop, release what is held. */
	if (vr->job != NULL)
		input_cancel(vr->job);
	vr->job = NULL;
	cdp_page_url_cancel(vr->url_fetch);
	vr->url_fetch = NULL;
	vendor_req_free(vr);
}

static void
vendor_done_cb(struct input_job *job, const char *error, void *arg)
{
	struct vendor_req	*vr = arg;
	struct vendor_result	*r;
	struct cdp_fetch	*f;
	char			*cause = NULL;
	size_t			 i, k;

	vr->job = NULL;
	k = vr->ncalls_done;
	if (error != NULL) {
		vr->display_lost = display_get() == NULL;
		xasprintf(&vr->error, "call %zu (%s): %s", k, k <
		    vr->b.ncalls ? vr->b.calls[k].name : "?", error);
		for (i = k; i < vr->b.ncalls; i++) {
			r = &vr->res[i];
			r->state = i == k ? VENDOR_FAILED : VENDOR_SKIPPED;
			if (i == k)
				r->error = xstrdup(error);
		}
		/* The model sees the screen as the failure left it. */
		if (k < vr->b.ncalls && vr->shots != VENDOR_SHOTS_NONE &&
		    !vr->display_lost) {
			if (vendor_shot_screen(vr, &vr->res[k], &cause) == -1) {
				log_debug("%s: %s", __func__, cause);
				free(cause);
			}
		}
		/* Every OpenAI output carries a screenshot. */
		for (i = k + 1; vr->b.kind == VENDOR_OPENAI &&
		    i < vr->b.ncalls && vr->res[k].image != NULL; i++) {
			vr->res[i].image = evbuffer_new();
			evbuffer_add_buffer_reference(vr->res[i].image,
			    vr->res[k].image);
			vr->res[i].mime = vr->res[k].mime;
			vr->res[i].w = vr->res[k].w;
			vr->res[i].h = vr->res[k].h;
		}
	}
	/* The space is the last screenshot's: fixed for the session. */
	vendor_space_w = vr->space_w;
	vendor_space_h = vr->space_h;
	if (vr->b.kind == VENDOR_GEMINI && !vr->native) {
		/*
		 * The function responses carry the page's URL.  Without a
		 * proxy the callback runs (and frees vr) before this returns
		 * NULL: vr is touched only while the fetch is pending.
		 */
		if ((f = cdp_page_url(vendor_url_cb, vr)) != NULL)
			vr->url_fetch = f;
		return;
	}
	http_req_set_close_cb(vr->req, NULL, NULL);
	vendor_reply(vr, NULL);
	vendor_req_free(vr);
}

/* ---- the request ---- */

static int
vendor_opt_int(struct http_req *req, const char *name, int min, int max,
    int *out, char **cause)
{
	const char	*v = http_req_query(req, name);
	long long	 n;

	if (v == NULL)
		return (0);
	if (http_parse_int(v, min, max, &n) == -1) {
		xasprintf(cause, "%s: expected an integer %d..%d, got "
		    "\"%.32s\"", name, min, max, v);
		return (-1);
	}
	*out = (int)n;
	return (0);
}

static int
vendor_opts(struct vendor_req *vr, char **cause)
{
	struct http_req	*req = vr->req;
	const char	*v;
	int		 w, h;
	char		 c;

	vr->shots = VENDOR_SHOTS_LAST;
	vr->quality = JPEGENC_QUALITY;
	vr->quiet_ms = VENDOR_SETTLE_QUIET_MS;
	vr->max_ms = VENDOR_SETTLE_MAX_MS;
	if ((v = http_req_query(req, "reply")) != NULL) {
		if (strcmp(v, "native") == 0)
			vr->native = 1;
		else if (strcmp(v, "vendor") != 0) {
			xasprintf(cause, "reply: expected vendor or native");
			return (-1);
		}
	}
	if ((v = http_req_query(req, "screenshot")) != NULL) {
		if (strcmp(v, "last") == 0)
			vr->shots = VENDOR_SHOTS_LAST;
		else if (strcmp(v, "each") == 0)
			vr->shots = VENDOR_SHOTS_EACH;
		else if (strcmp(v, "none") == 0)
			vr->shots = VENDOR_SHOTS_NONE;
		else {
			xasprintf(cause, "screenshot: expected last, each or "
			    "none");
			return (-1);
		}
	}
	if ((v = http_req_query(req, "format")) != NULL) {
		if (strcmp(v, "jpeg") == 0 || strcmp(v, "jpg") == 0)
			vr->jpeg = 1;
		else if (strcmp(v, "png") != 0) {
			xasprintf(cause, "format: expected png or jpeg");
			return (-1);
		}
	}
	if (vendor_opt_int(req, "quality", 1, 100, &vr->quality, cause) == -1 ||
	    vendor_opt_int(req, "settle_quiet_ms", 0, VENDOR_SETTLE_LIMIT_MS,
	    &vr->quiet_ms, cause) == -1 ||
	    vendor_opt_int(req, "settle_max_ms", 0, VENDOR_SETTLE_LIMIT_MS,
	    &vr->max_ms, cause) == -1)
		return (-1);
	if ((v = http_req_query(req, "type_method")) != NULL) {
		/* The type action's method, for calls that cannot say it. */
		if (strcmp(v, "paste") == 0)
			vr->paste = 1;
		else if (strcmp(v, "type") != 0) {
			xasprintf(cause, "type_method: expected type or paste");
			return (-1);
		}
	}
	if (http_req_query(req, "quality") != NULL && !vr->jpeg) {
		xasprintf(cause, "quality: only with format=jpeg");
		return (-1);
	}
	if ((v = http_req_query(req, "coordinate_space")) != NULL) {
		if (strcmp(v, "screen") == 0) {
			vendor_space_w = vendor_space_h = 0;
		} else if (sscanf(v, "%dx%d%c", &w, &h, &c) != 2 || w < 1 ||
		    h < 1 || w > CAPTURE_MAX_SIDE || h > CAPTURE_MAX_SIDE) {
			xasprintf(cause, "coordinate_space: expected WxH (each "
			    "1..%d) or screen, got \"%.32s\"", CAPTURE_MAX_SIDE,
			    v);
			return (-1);
		} else {
			vendor_space_w = w;
			vendor_space_h = h;
		}
	}
	return (0);
}

static void
vendor_bad(struct http_req *req, struct vendor_batch *b, const char *code,
    const char *msg)
{
	json_t	*e;

	e = proto_error_new(code, msg);
	json_object_set_new(json_object_get(e, "error"), "index",
	    json_integer((json_int_t)b->err_call));
	if (b->err_field != NULL)
		json_object_set_new(json_object_get(e, "error"), "field",
		    json_string(b->err_field));
	http_reply_json(req, 400, e);
}

/*
 * Build the job: each action between its two probes, settled, then the
 * call's image step.  -1 + cause (an untypable character, an unknown key)
 * naming the call.
 */
static int
vendor_build(struct vendor_req *vr, char **cause)
{
	struct vendor_call	*c;
	struct vendor_probe	*p;
	struct proto_action	*a;
	char			*inner = NULL;
	uint32_t		*cps;
	size_t			 i, j, k, n;
	int			 settle;

	vr->job = input_job_new(vendor_done_cb, vr);
	for (k = 0; k < vr->b.ncalls; k++) {
		c = &vr->b.calls[k];
		for (i = c->first; i < c->first + c->n; i++) {
			a = &vr->b.acts[i];
			p = &vr->probes[i];
			p->vr = vr;
			p->index = i;
			p->call = k;
			/* What type must send: a key a character, \r\n one. */
			if (a->type == PROTO_ACT_TYPE && keys_utf8_decode(
			    a->text, a->text_len, &cps, &n, NULL) == 0) {
				p->chars = n;
				for (j = 1; j < n; j++) {
					if (cps[j - 1] == '\r' &&
					    cps[j] == '\n')
						p->chars--;
				}
				free(cps);
			}
			input_job_call(vr->job, vendor_pre_cb, p);
			if (computer_build(vr->job, a, vr->sw, vr->sh, NULL,
			    NULL, &inner) == -1) {
				vr->b.err_call = k;
				xasprintf(cause, "call %zu (%s): %s", k,
				    c->name, inner);
				free(inner);
				return (-1);
			}
			input_job_call(vr->job, vendor_mid_cb, p);
			settle = vr->max_ms > 0 && a->type != PROTO_ACT_WAIT &&
			    a->type != PROTO_ACT_SCREENSHOT &&
			    a->type != PROTO_ACT_ZOOM &&
			    a->type != PROTO_ACT_CURSOR_POSITION;
			if (settle)
				input_job_settle(vr->job, vr->quiet_ms,
				    vr->max_ms);
			input_job_call(vr->job, vendor_post_cb_step, p);
		}
		vr->csteps[k].vr = vr;
		vr->csteps[k].call = k;
		input_job_call(vr->job, vendor_call_done_cb, &vr->csteps[k]);
	}
	return (0);
}

void
vendor_post_cb(struct http_req *req, void *arg)
{
	struct vendor_req	*vr;
	struct vendor_ctx	 ctx;
	enum vendor_kind	 kind;
	json_t			*body;
	const char		*path = http_req_path(req), *want = NULL;
	char			*cause = NULL;
	int			 native, i;

	if ((body = http_req_json(req, 0, &cause)) == NULL) {
		http_reply_error(req, 400, "bad_json", "%s", cause);
		free(cause);
		return;
	}
	if (strncmp(path, "/v1/computer/", 13) == 0)
		want = path + 13;
	if (vendor_detect(body, &kind, &native, &cause) == -1) {
		json_decref(body);
		http_reply_error(req, 400, "unknown_shape", "%s", cause);
		free(cause);
		return;
	}
	if (native && want == NULL) {
		/* proto/action.h's own form: computer.c answers it. */
		computer_post_json(req, body);
		return;
	}
	if (want != NULL && (native || strcmp(want, vendor_name(kind)) != 0)) {
		http_reply_error(req, 400, "unknown_shape", "%s takes %s "
		    "calls, and this body holds %s ones", path, want, native ?
		    "native" : vendor_name(kind));
		json_decref(body);
		return;
	}

	vr = xcalloc(1, sizeof *vr);
	vr->req = req;
	vr->t_start = deskd_now_us();
	if (vendor_opts(vr, &cause) == -1) {
		http_reply_error(req, 400, "bad_parameter", "%s", cause);
		goto fail;
	}
	if (display_need(&cause) == NULL ||
	    display_screen_size(&vr->sw, &vr->sh) == -1) {
		http_reply_error(req, 503, "display_unavailable", "%s",
		    cause != NULL ? cause : "no X display");
		goto fail;
	}
	vr->space_w = vendor_space_w != 0 ? vendor_space_w : vr->sw;
	vr->space_h = vendor_space_h != 0 ? vendor_space_h : vr->sh;
	ctx.space_w = vr->space_w;
	ctx.space_h = vr->space_h;
	ctx.screen_w = vr->sw;
	ctx.screen_h = vr->sh;
	if (vendor_parse(kind, body, &ctx, &vr->b, &cause) == -1) {
		vendor_bad(req, &vr->b, vr->b.err_coord || (cause != NULL &&
		    strstr(cause, " is outside the ") != NULL) ?
		    "bad_coordinate" : "bad_action", cause);
		goto fail;
	}
	json_decref(body);
	body = NULL;
	for (i = 0; vr->paste && i < (int)vr->b.nacts; i++) {
		if (vr->b.acts[i].type == PROTO_ACT_TYPE)
			vr->b.acts[i].paste = 1;
	}
	vr->res = xcalloc(vr->b.ncalls, sizeof *vr->res);
	vr->probes = xcalloc(vr->b.nacts > 0 ? vr->b.nacts : 1,
	    sizeof *vr->probes);
	vr->csteps = xcalloc(vr->b.ncalls, sizeof *vr->csteps);
	/* The whole batch is built before any of it is queued. */
	if (vendor_build(vr, &cause) == -1) {
		vendor_bad(req, &vr->b, "bad_action", cause);
		input_cancel(vr->job);
		vr->job = NULL;
		goto fail;
	}
	for (i = 0; i < (int)vr->b.ncalls; i++)
		vr->res[i].state = VENDOR_DONE;
	if (input_submit(vr->job, &cause) == -1) {
		http_reply_error(req, 503, "busy", "%s", cause);
		input_cancel(vr->job);
		vr->job = NULL;
		goto fail;
	}
	http_req_set_close_cb(req, vendor_close_cb, vr);
	return;
fail:
	json_decref(body);
	free(cause);
	vendor_req_free(vr);
}
