/*
 * vendor_gemini.c: Gemini's computer use: function calls {name, args}
 * whose coordinates are 0-999 on a 1000x1000 grid over the screenshot
 * (ai.google.dev/gemini-api/docs/computer-use; google-gemini/
 * computer-use-preview: agent.py, PREDEFINED_COMPUTER_USE_FUNCTIONS and
 * the legacy list, computers/playwright/playwright.py).  Accepted: a
 * FunctionCall, a Part {"functionCall": ...} (or the Python SDK's
 * "function_call"), a list of either, a Content {"role": "model",
 * "parts": [...]} or a response {"candidates": [{"content": ...}]}; parts
 * without a call (text, thoughts) are skipped.
 *
 * A grid value v is the centre of its cell: (2v + 1) * screen / 2000,
 * within a pixel of the reference's int(v / 1000 * screen).  Scroll
 * magnitudes are grid units of the scrolled axis (agent.py's
 * "magnitude", default 800) or pixels (the docs' "magnitude_in_pixels",
 * default 300), then wheel notches of 120 px.  Browser-only functions run
 * as keys on the focused browser: navigate is ctrl+l, the URL, Return;
 * go_back and go_forward are alt+Left and alt+Right; search navigates to
 * the reference's https://www.google.com; scroll_document is PageUp /
 * PageDown, or half a screen of wheel to the left or right, as the
 * reference does it.
 *
 * The answer is a Content of function responses, one per call, each
 * {"url": the focused page's URL or "", "safety_acknowledgement":
 * "true" when the call carried a safety_decision}, with the screenshot as
 * an inline PNG or JPEG part; in the caller's spelling (camelCase or
 * snake_case).
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <jansson.h>

#include "action.h"
#include "log.h"
#include "vendor.h"
#include "xmalloc.h"

/* Defaults: wait's seconds, scroll_at's grid units, scroll's pixels. */
#define VENDOR_GEMINI_WAIT_S		1
#define VENDOR_GEMINI_MAGNITUDE		800
#define VENDOR_GEMINI_MAGNITUDE_PX	300
#define VENDOR_GEMINI_SEARCH		"https://www.google.com"

static json_t *
vendor_gemini_call_of(json_t *o, int *snake)
{
	json_t	*v;

	if (!json_is_object(o))
		return (NULL);
	if ((v = json_object_get(o, "functionCall")) != NULL)
		return (v);
	if ((v = json_object_get(o, "function_call")) != NULL) {
		*snake = 1;
		return (v);
	}
	if (json_is_string(json_object_get(o, "name")) &&
	    json_object_get(o, "input") == NULL)
		return (o);
	return (NULL);
}

int
vendor_gemini_match(json_t *o)
{
	int	 snake = 0;

	if (!json_is_object(o))
		return (0);
	if (vendor_gemini_call_of(o, &snake) != NULL &&
	    json_object_get(o, "type") == NULL)
		return (1);
	return (json_is_array(json_object_get(o, "parts")) ||
	    json_is_array(json_object_get(o, "candidates")) ||
	    json_is_object(json_object_get(o, "content")));
}

static int
vendor_gemini_xy(struct vendor_batch *b, json_t *args, const char *kx,
    const char *ky, const struct vendor_ctx *ctx, struct proto_action *a,
    char **cause)
{
	int	 x, y;

	if (vendor_point(b, args, "args", kx, ky, VENDOR_GRID, VENDOR_GRID,
	    &x, &y, cause) == -1)
		return (-1);
	a->x = x;
	a->y = y;
	a->has_coord = 1;
	a->space_w = a->space_h = VENDOR_GRID;
	(void)ctx;
	return (0);
}

static struct proto_action *
vendor_gemini_key(struct vendor_batch *b, const struct vendor_ctx *ctx,
    const char *keys, char **cause)
{
	struct proto_action	*a;

	if ((a = vendor_act_add(b, ctx, PROTO_ACT_KEY, cause)) == NULL)
		return (NULL);
	a->text = xstrdup(keys);
	a->text_len = strlen(keys);
	return (a);
}

static struct proto_action *
vendor_gemini_type(struct vendor_batch *b, const struct vendor_ctx *ctx,
    const char *text, char **cause)
{
	struct proto_action	*a;

	if ((a = vendor_act_add(b, ctx, PROTO_ACT_TYPE, cause)) == NULL)
		return (NULL);
	a->text = xstrdup(text);
	a->text_len = strlen(text);
	return (a);
}

/* An optional boolean argument; -1 when it is something else. */
static int
vendor_gemini_bool(json_t *args, const char *key, int dflt, int *out)
{
	json_t	*v = json_object_get(args, key);

	*out = dflt;
	if (v == NULL || json_is_null(v))
		return (0);
	if (!json_is_boolean(v))
		return (-1);
	*out = json_is_true(v);
	return (0);
}

static int
vendor_gemini_text(struct vendor_batch *b, json_t *args, const char **text,
    char **cause)
{
	if (vendor_str(args, "text", text) == -1 || *text == NULL)
		return (vendor_fail(b, cause, "args.text", "expected the text "
		    "to type (a string)"));
	if (strlen(*text) != json_string_length(json_object_get(args, "text")))
		return (vendor_fail(b, cause, "args.text", "contains NUL"));
	if (strlen(*text) > PROTO_MAX_TEXT)
		return (vendor_fail(b, cause, "args.text", "longer than %d "
		    "bytes", PROTO_MAX_TEXT));
	return (0);
}

static int
vendor_gemini_scroll(struct vendor_batch *b, json_t *args, int at,
    int dflt, const struct vendor_ctx *ctx, char **cause)
{
	struct proto_action	*a;
	json_t			*v;
	const char		*dir;
	long			 px;
	int			 d, m, vert;

	if (vendor_str(args, "direction", &dir) == -1 || dir == NULL)
		dir = "";
	if (strcmp(dir, "up") == 0)
		d = PROTO_SCROLL_UP;
	else if (strcmp(dir, "down") == 0)
		d = PROTO_SCROLL_DOWN;
	else if (strcmp(dir, "left") == 0)
		d = PROTO_SCROLL_LEFT;
	else if (strcmp(dir, "right") == 0)
		d = PROTO_SCROLL_RIGHT;
	else
		return (vendor_fail(b, cause, "args.direction", "expected up, "
		    "down, left or right"));
	vert = d == PROTO_SCROLL_UP || d == PROTO_SCROLL_DOWN;
	if ((v = json_object_get(args, "magnitude_in_pixels")) != NULL) {
		if (vendor_int(v, 0, 100000, &m) == -1)
			return (vendor_fail(b, cause,
			    "args.magnitude_in_pixels", "expected an integer "
			    "number of pixels"));
		px = m;
	} else if ((v = json_object_get(args, "magnitude")) != NULL) {
		if (vendor_int(v, 0, VENDOR_GRID - 1, &m) == -1)
			return (vendor_fail(b, cause, "args.magnitude",
			    "expected an integer 0..%d (grid units)",
			    VENDOR_GRID - 1));
		px = (long)m * (vert ? ctx->screen_h : ctx->screen_w) /
		    VENDOR_GRID;
	} else if (dflt < 0)
		px = VENDOR_GEMINI_MAGNITUDE_PX;
	else
		px = (long)dflt * (vert ? ctx->screen_h : ctx->screen_w) /
		    VENDOR_GRID;
	if ((a = vendor_act_add(b, ctx, PROTO_ACT_SCROLL, cause)) == NULL)
		return (-1);
	a->dir = d;
	a->amount = vendor_notches(px);
	if (at)
		return (vendor_gemini_xy(b, args, "x", "y", ctx, a, cause));
	return (0);
}

static int
vendor_gemini_one(struct vendor_batch *b, json_t *fc,
    const struct vendor_ctx *ctx, char **cause)
{
	struct vendor_call	*c;
	struct proto_action	*a;
	json_t			*args, *v;
	const char		*name, *id, *text, *s;
	char			*chord, *url;
	int			 enter, clear, ms, t;

	if (vendor_str(fc, "name", &name) == -1 || name == NULL) {
		if (vendor_call_add(b, "?", cause) == NULL)
			return (-1);
		return (vendor_fail(b, cause, "name", "expected the function's "
		    "name"));
	}
	if ((c = vendor_call_add(b, name, cause)) == NULL)
		return (-1);
	if (vendor_str(fc, "id", &id) == -1)
		return (vendor_fail(b, cause, "id", "expected a string"));
	if (id != NULL)
		c->id = xstrndup(id, VENDOR_MAX_ID);
	args = json_object_get(fc, "args");
	if (args == NULL || json_is_null(args))
		args = json_object_get(fc, "arguments");
	if (args != NULL && !json_is_null(args) && !json_is_object(args))
		return (vendor_fail(b, cause, "args", "expected an object"));
	if (args == NULL || json_is_null(args))
		args = json_object();
	else
		json_incref(args);
	if ((v = json_object_get(args, "safety_decision")) != NULL)
		c->safety = json_incref(v);

#define IS(n) (strcmp(name, (n)) == 0)
	t = -1;
	if (IS("click") || IS("click_at"))
		t = PROTO_ACT_LEFT_CLICK;
	else if (IS("double_click"))
		t = PROTO_ACT_DOUBLE_CLICK;
	else if (IS("triple_click"))
		t = PROTO_ACT_TRIPLE_CLICK;
	else if (IS("middle_click"))
		t = PROTO_ACT_MIDDLE_CLICK;
	else if (IS("right_click"))
		t = PROTO_ACT_RIGHT_CLICK;
	else if (IS("mouse_down"))
		t = PROTO_ACT_LEFT_MOUSE_DOWN;
	else if (IS("mouse_up"))
		t = PROTO_ACT_LEFT_MOUSE_UP;
	else if (IS("move") || IS("hover_at"))
		t = PROTO_ACT_MOUSE_MOVE;
	if (t != -1) {
		if ((a = vendor_act_add(b, ctx, t, cause)) == NULL ||
		    vendor_gemini_xy(b, args, "x", "y", ctx, a, cause) == -1)
			goto fail;
	} else if (IS("type") || IS("type_text_at")) {
		if (vendor_gemini_text(b, args, &text, cause) == -1)
			goto fail;
		/* type_text_at clicks, clears and submits by default. */
		if (vendor_gemini_bool(args, "press_enter", IS("type_text_at"),
		    &enter) == -1) {
			vendor_fail(b, cause, "args.press_enter", "expected "
			    "true or false");
			goto fail;
		}
		if (vendor_gemini_bool(args, "clear_before_typing",
		    IS("type_text_at"), &clear) == -1) {
			vendor_fail(b, cause, "args.clear_before_typing",
			    "expected true or false");
			goto fail;
		}
		if (IS("type_text_at")) {
			if ((a = vendor_act_add(b, ctx, PROTO_ACT_LEFT_CLICK,
			    cause)) == NULL || vendor_gemini_xy(b, args, "x",
			    "y", ctx, a, cause) == -1)
				goto fail;
		}
		if (clear && (vendor_gemini_key(b, ctx, "ctrl+a", cause) ==
		    NULL || vendor_gemini_key(b, ctx, "BackSpace", cause) ==
		    NULL))
			goto fail;
		if (vendor_gemini_type(b, ctx, text, cause) == NULL)
			goto fail;
		if (enter && vendor_gemini_key(b, ctx, "Return", cause) == NULL)
			goto fail;
	} else if (IS("drag_and_drop")) {
		if ((a = vendor_act_add(b, ctx, PROTO_ACT_LEFT_CLICK_DRAG,
		    cause)) == NULL)
			goto fail;
		/* The docs' names, or the reference agent.py's. */
		if (json_object_get(args, "start_x") != NULL) {
			if (vendor_gemini_xy(b, args, "start_x", "start_y", ctx,
			    a, cause) == -1)
				goto fail;
			a->sx = a->x;
			a->sy = a->y;
			if (vendor_gemini_xy(b, args, "end_x", "end_y", ctx, a,
			    cause) == -1)
				goto fail;
		} else {
			if (vendor_gemini_xy(b, args, "x", "y", ctx, a,
			    cause) == -1)
				goto fail;
			a->sx = a->x;
			a->sy = a->y;
			if (vendor_gemini_xy(b, args, "destination_x",
			    "destination_y", ctx, a, cause) == -1)
				goto fail;
		}
		a->has_start = 1;
	} else if (IS("wait") || IS("wait_5_seconds")) {
		ms = (IS("wait") ? VENDOR_GEMINI_WAIT_S : 5) * 1000;
		if ((v = json_object_get(args, "seconds")) != NULL &&
		    IS("wait") && vendor_seconds(v, PROTO_MAX_DURATION_MS,
		    &ms) == -1) {
			vendor_fail(b, cause, "args.seconds", "expected "
			    "seconds 0..%d", PROTO_MAX_DURATION_MS / 1000);
			goto fail;
		}
		if ((a = vendor_act_add(b, ctx, PROTO_ACT_WAIT, cause)) == NULL)
			goto fail;
		a->duration_ms = ms;
	} else if (IS("press_key") || IS("key_down") || IS("key_up")) {
		v = json_object_get(args, "key");
		if (!json_is_string(v)) {
			vendor_fail(b, cause, "args.key", "expected a key "
			    "name");
			goto fail;
		}
		if ((chord = vendor_chord(b, VENDOR_KEYS_PLAYWRIGHT, v, '+',
		    "args.key", cause)) == NULL)
			goto fail;
		a = vendor_act_add(b, ctx, IS("press_key") ? PROTO_ACT_KEY :
		    IS("key_down") ? PROTO_ACT_KEY_DOWN : PROTO_ACT_KEY_UP,
		    cause);
		if (a == NULL) {
			free(chord);
			goto fail;
		}
		a->text = chord;
		a->text_len = strlen(chord);
	} else if (IS("hotkey") || IS("key_combination")) {
		v = json_object_get(args, "keys");
		if ((chord = vendor_chord(b, VENDOR_KEYS_PLAYWRIGHT, v,
		    IS("key_combination") ? '+' : 0, "args.keys", cause)) ==
		    NULL)
			goto fail;
		if ((a = vendor_act_add(b, ctx, PROTO_ACT_KEY, cause)) ==
		    NULL) {
			free(chord);
			goto fail;
		}
		a->text = chord;
		a->text_len = strlen(chord);
	} else if (IS("take_screenshot") || IS("open_web_browser")) {
		if (vendor_act_add(b, ctx, PROTO_ACT_SCREENSHOT, cause) == NULL)
			goto fail;
	} else if (IS("scroll") || IS("scroll_at")) {
		if (vendor_gemini_scroll(b, args, 1, IS("scroll_at") ?
		    VENDOR_GEMINI_MAGNITUDE : -1, ctx, cause) == -1)
			goto fail;
	} else if (IS("scroll_document")) {
		s = json_string_value(json_object_get(args, "direction"));
		if (s != NULL && strcmp(s, "down") == 0)
			a = vendor_gemini_key(b, ctx, "Next", cause);
		else if (s != NULL && strcmp(s, "up") == 0)
			a = vendor_gemini_key(b, ctx, "Prior", cause);
		else if (s != NULL && (strcmp(s, "left") == 0 ||
		    strcmp(s, "right") == 0)) {
			if (vendor_gemini_scroll(b, args, 0, VENDOR_GRID / 2,
			    ctx, cause) == -1)
				goto fail;
			a = &b->acts[b->nacts - 1];
		} else {
			vendor_fail(b, cause, "args.direction", "expected up, "
			    "down, left or right");
			goto fail;
		}
		if (a == NULL)
			goto fail;
	} else if (IS("go_back") || IS("go_forward")) {
		if (vendor_gemini_key(b, ctx, IS("go_back") ? "alt+Left" :
		    "alt+Right", cause) == NULL)
			goto fail;
	} else if (IS("navigate") || IS("search")) {
		url = NULL;
		if (IS("navigate")) {
			if (vendor_str(args, "url", &s) == -1 || s == NULL ||
			    *s == '\0' || strlen(s) > 8192 || strchr(s, '\n') !=
			    NULL) {
				vendor_fail(b, cause, "args.url", "expected a "
				    "URL (a string, one line)");
				goto fail;
			}
		} else
			s = VENDOR_GEMINI_SEARCH;
		url = xstrdup(s);
		if (vendor_gemini_key(b, ctx, "ctrl+l", cause) == NULL ||
		    vendor_gemini_type(b, ctx, url, cause) == NULL ||
		    vendor_gemini_key(b, ctx, "Return", cause) == NULL) {
			free(url);
			goto fail;
		}
		free(url);
	} else {
		vendor_fail(b, cause, "name", "expected a computer-use "
		    "function (click, type, scroll, drag_and_drop, press_key, "
		    "hotkey, wait, take_screenshot, ...; click_at, "
		    "type_text_at, scroll_at, key_combination, ... of the 2.5 model); "
		    "\"%.64s\" is not one a desktop runs", name);
		goto fail;
	}
#undef IS
	json_decref(args);
	return (0);
fail:
	json_decref(args);
	return (-1);
}

int
vendor_gemini_parse(json_t *body, const struct vendor_ctx *ctx,
    struct vendor_batch *b, char **cause)
{
	json_t	*list = body, *v, *fc;
	size_t	 i;

	/* Response, candidate, Content: down to the parts. */
	if (json_is_object(list) && (v = json_object_get(list,
	    "candidates")) != NULL) {
		if (!json_is_array(v) || json_array_size(v) == 0) {
			xasprintf(cause, "candidates: expected a non-empty "
			    "list");
			return (-1);
		}
		list = json_array_get(v, 0);
	}
	if (json_is_object(list) && json_is_object(json_object_get(list,
	    "content")))
		list = json_object_get(list, "content");
	if (json_is_object(list) && json_object_get(list, "parts") != NULL)
		list = json_object_get(list, "parts");
	if (json_is_object(list)) {
		if ((fc = vendor_gemini_call_of(list, &b->snake)) == NULL) {
			xasprintf(cause, "expected a function call");
			return (-1);
		}
		return (vendor_gemini_one(b, fc, ctx, cause));
	}
	if (!json_is_array(list)) {
		xasprintf(cause, "parts: expected a list");
		return (-1);
	}
	json_array_foreach(list, i, v) {
		if ((fc = vendor_gemini_call_of(v, &b->snake)) == NULL) {
			/* Text and thought parts go with the calls. */
			if (json_is_object(v))
				continue;
			vendor_call_add(b, "?", NULL);
			return (vendor_fail(b, cause, NULL, "part %zu: "
			    "expected a function call or a part", i));
		}
		if (!json_is_object(fc)) {
			vendor_call_add(b, "?", NULL);
			return (vendor_fail(b, cause, "functionCall",
			    "expected an object (part %zu)", i));
		}
		if (vendor_gemini_one(b, fc, ctx, cause) == -1)
			return (-1);
	}
	return (0);
}

void
vendor_gemini_append(struct evbuffer *out, const struct vendor_batch *b,
    const struct vendor_result *res, const char *url)
{
	const struct vendor_call	*c;
	const struct vendor_result	*r;
	size_t				 i;
	int				 sn = b->snake;

	evbuffer_add_printf(out, "{\"role\":\"user\",\"parts\":[");
	for (i = 0; i < b->ncalls; i++) {
		c = &b->calls[i];
		r = &res[i];
		evbuffer_add_printf(out, "%s{\"%s\":{\"name\":", i > 0 ? "," :
		    "", sn ? "function_response" : "functionResponse");
		vendor_add_string(out, c->name);
		if (c->id != NULL) {
			evbuffer_add_printf(out, ",\"id\":");
			vendor_add_string(out, c->id);
		}
		evbuffer_add_printf(out, ",\"response\":{\"url\":");
		vendor_add_string(out, url != NULL ? url : "");
		if (c->safety != NULL)
			evbuffer_add_printf(out, ",\"safety_acknowledgement\":"
			    "\"true\"");
		if (r->state == VENDOR_FAILED) {
			evbuffer_add_printf(out, ",\"error\":");
			vendor_add_string(out, r->error);
		} else if (r->state == VENDOR_SKIPPED)
			evbuffer_add_printf(out, ",\"error\":\"Not executed: "
			    "an earlier call of this batch failed\"");
		evbuffer_add_printf(out, "}");
		if (r->image != NULL) {
			evbuffer_add_printf(out, ",\"parts\":[{\"%s\":{\"%s\":"
			    "\"%s\",\"data\":\"", sn ? "inline_data" :
			    "inlineData", sn ? "mime_type" : "mimeType",
			    r->mime);
			if (vendor_add_base64(out, r->image) == -1)
				fatalx("%s: out of memory", __func__);
			evbuffer_add_printf(out, "\"}}]");
		}
		evbuffer_add_printf(out, "}}");
	}
	evbuffer_add_printf(out, "]}");
}
