/*
 * vendor_openai.c: OpenAI's Responses computer tool: computer_call items
 * with one action (computer_use_preview) or actions[] (the GA computer
 * tool), as openai/openai-python's types declare them
 * (src/openai/types/responses/computer_action.py,
 * response_computer_tool_call.py).  Accepted: one item, a list of them,
 * or a whole response ({"output": [...]}, whose reasoning and message
 * items are skipped).
 *
 * Coordinates are pixels of the last screenshot (the session's space);
 * scroll_x / scroll_y are pixel distances, turned into wheel notches
 * (vendor_notches: 120 px a notch, Chromium's); key names are CUA's
 * (CTRL, ENTER, ARROWUP, ...), case-insensitive, a single letter being
 * its key.  "keys" on a click, double_click, drag, move or scroll are
 * held during it.  wait has no duration: 1 s, as openai-cua-sample-app's
 * computers do (time.sleep(1)).
 *
 * The answer is one computer_call_output per call with the screenshot as
 * a data URL and the call's pending_safety_checks acknowledged.
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

#define VENDOR_OPENAI_WAIT_MS	1000

int
vendor_openai_match(json_t *o)
{
	const char	*type;

	if (!json_is_object(o))
		return (0);
	type = json_string_value(json_object_get(o, "type"));
	if (type != NULL)
		return (strcmp(type, "computer_call") == 0);
	/* A response: {"object": "response", "output": [...]}. */
	return (json_is_array(json_object_get(o, "output")));
}

/* "keys" held during a pointer action, as the action's text. */
static int
vendor_openai_held(struct vendor_batch *b, json_t *act, const char *at,
    struct proto_action *a, char **cause)
{
	json_t	*keys = json_object_get(act, "keys");
	char	*f;

	if (keys == NULL || json_is_null(keys) ||
	    (json_is_array(keys) && json_array_size(keys) == 0))
		return (0);
	xasprintf(&f, "%s.keys", at);
	a->text = vendor_chord(b, VENDOR_KEYS_CUA, keys, 0, f, cause);
	free(f);
	if (a->text == NULL)
		return (-1);
	a->text_len = strlen(a->text);
	return (0);
}

/* One action of a call: at is its place ("actions[2]") for errors. */
static int
vendor_openai_action(struct vendor_batch *b, json_t *act, const char *at,
    const struct vendor_ctx *ctx, char **cause)
{
	struct proto_action	*a;
	json_t			*path, *pt, *v;
	const char		*type, *button, *text;
	char			 f[96];
	int			 x, y, sx, sy, n;
	size_t			 i, np;

	if (!json_is_object(act))
		return (vendor_fail(b, cause, at, "expected an action object"));
	snprintf(f, sizeof f, "%s.type", at);
	if (vendor_str(act, "type", &type) == -1 || type == NULL)
		return (vendor_fail(b, cause, f, "expected one of click, "
		    "double_click, drag, keypress, move, screenshot, scroll, "
		    "type, wait"));

	if (strcmp(type, "click") == 0 || strcmp(type, "double_click") == 0) {
		if ((a = vendor_act_add(b, ctx, PROTO_ACT_LEFT_CLICK,
		    cause)) == NULL)
			return (-1);
		if (type[0] == 'd')
			a->type = PROTO_ACT_DOUBLE_CLICK;
		snprintf(f, sizeof f, "%s.button", at);
		if (vendor_str(act, "button", &button) == -1)
			return (vendor_fail(b, cause, f, "expected left, "
			    "right, wheel, back or forward"));
		if (a->type == PROTO_ACT_DOUBLE_CLICK || button == NULL ||
		    strcmp(button, "left") == 0)
			;
		else if (strcmp(button, "right") == 0)
			a->type = PROTO_ACT_RIGHT_CLICK;
		else if (strcmp(button, "wheel") == 0)
			a->type = PROTO_ACT_MIDDLE_CLICK;
		else if (strcmp(button, "back") == 0)
			a->button = 8;
		else if (strcmp(button, "forward") == 0)
			a->button = 9;
		else
			return (vendor_fail(b, cause, f, "expected left, "
			    "right, wheel, back or forward, got \"%.32s\"",
			    button));
		if (vendor_point(b, act, at, "x", "y", ctx->space_w,
		    ctx->space_h, &a->x, &a->y, cause) == -1)
			return (-1);
		a->has_coord = 1;
		return (vendor_openai_held(b, act, at, a, cause));
	}
	if (strcmp(type, "move") == 0) {
		if ((a = vendor_act_add(b, ctx, PROTO_ACT_MOUSE_MOVE,
		    cause)) == NULL)
			return (-1);
		if (vendor_point(b, act, at, "x", "y", ctx->space_w,
		    ctx->space_h, &a->x, &a->y, cause) == -1)
			return (-1);
		a->has_coord = 1;
		return (vendor_openai_held(b, act, at, a, cause));
	}
	if (strcmp(type, "drag") == 0) {
		snprintf(f, sizeof f, "%s.path", at);
		path = json_object_get(act, "path");
		if (!json_is_array(path) || json_array_size(path) < 2 ||
		    json_array_size(path) > PROTO_MAX_PATH + 2)
			return (vendor_fail(b, cause, f, "expected a list of "
			    "2..%d points {\"x\", \"y\"}", PROTO_MAX_PATH + 2));
		if ((a = vendor_act_add(b, ctx, PROTO_ACT_LEFT_CLICK_DRAG,
		    cause)) == NULL)
			return (-1);
		np = json_array_size(path);
		a->path = xreallocarray(NULL, np, 2 * sizeof *a->path);
		json_array_foreach(path, i, pt) {
			snprintf(f, sizeof f, "%s.path[%zu]", at, i);
			if (!json_is_object(pt))
				return (vendor_fail(b, cause, f, "expected a "
				    "point {\"x\", \"y\"}"));
			if (vendor_point(b, pt, f, "x", "y", ctx->space_w,
			    ctx->space_h, &x, &y, cause) == -1)
				return (-1);
			if (i == 0) {
				a->sx = x;
				a->sy = y;
			} else if (i == np - 1) {
				a->x = x;
				a->y = y;
			} else {
				a->path[2 * a->npath] = x;
				a->path[2 * a->npath + 1] = y;
				a->npath++;
			}
		}
		a->has_start = a->has_coord = 1;
		return (vendor_openai_held(b, act, at, a, cause));
	}
	if (strcmp(type, "scroll") == 0) {
		if (vendor_point(b, act, at, "x", "y", ctx->space_w,
		    ctx->space_h, &x, &y, cause) == -1)
			return (-1);
		snprintf(f, sizeof f, "%s.scroll_y", at);
		v = json_object_get(act, "scroll_y");
		if (v != NULL && vendor_int(v, -1000000, 1000000, &sy) == -1)
			return (vendor_fail(b, cause, f, "expected an integer "
			    "(pixels, down when positive)"));
		if (v == NULL)
			sy = 0;
		snprintf(f, sizeof f, "%s.scroll_x", at);
		v = json_object_get(act, "scroll_x");
		if (v != NULL && vendor_int(v, -1000000, 1000000, &sx) == -1)
			return (vendor_fail(b, cause, f, "expected an integer "
			    "(pixels, right when positive)"));
		if (v == NULL)
			sx = 0;
		/* Vertical first, then horizontal; nothing: a move there. */
		for (i = 0; i < 2; i++) {
			n = vendor_notches(i == 0 ? sy : sx);
			if (n == 0 && (i == 0 || sy != 0))
				continue;
			if ((a = vendor_act_add(b, ctx, n == 0 ?
			    PROTO_ACT_MOUSE_MOVE : PROTO_ACT_SCROLL,
			    cause)) == NULL)
				return (-1);
			a->x = x;
			a->y = y;
			a->has_coord = 1;
			a->amount = n;
			if (i == 0)
				a->dir = sy > 0 ? PROTO_SCROLL_DOWN :
				    PROTO_SCROLL_UP;
			else
				a->dir = sx > 0 ? PROTO_SCROLL_RIGHT :
				    PROTO_SCROLL_LEFT;
			if (vendor_openai_held(b, act, at, a, cause) == -1)
				return (-1);
		}
		return (0);
	}
	if (strcmp(type, "keypress") == 0) {
		if ((a = vendor_act_add(b, ctx, PROTO_ACT_KEY, cause)) == NULL)
			return (-1);
		snprintf(f, sizeof f, "%s.keys", at);
		a->text = vendor_chord(b, VENDOR_KEYS_CUA,
		    json_object_get(act, "keys"), 0, f, cause);
		if (a->text == NULL)
			return (-1);
		a->text_len = strlen(a->text);
		return (0);
	}
	if (strcmp(type, "type") == 0) {
		snprintf(f, sizeof f, "%s.text", at);
		if (vendor_str(act, "text", &text) == -1 || text == NULL)
			return (vendor_fail(b, cause, f, "expected the text to "
			    "type (a string)"));
		if (strlen(text) > PROTO_MAX_TEXT)
			return (vendor_fail(b, cause, f, "longer than %d bytes",
			    PROTO_MAX_TEXT));
		if (strlen(text) != json_string_length(json_object_get(act,
		    "text")))
			return (vendor_fail(b, cause, f, "contains NUL"));
		if ((a = vendor_act_add(b, ctx, PROTO_ACT_TYPE, cause)) == NULL)
			return (-1);
		a->text = xstrdup(text);
		a->text_len = strlen(text);
		return (0);
	}
	if (strcmp(type, "wait") == 0) {
		if ((a = vendor_act_add(b, ctx, PROTO_ACT_WAIT, cause)) == NULL)
			return (-1);
		a->duration_ms = VENDOR_OPENAI_WAIT_MS;
		return (0);
	}
	if (strcmp(type, "screenshot") == 0) {
		if (vendor_act_add(b, ctx, PROTO_ACT_SCREENSHOT, cause) == NULL)
			return (-1);
		return (0);
	}
	snprintf(f, sizeof f, "%s.type", at);
	return (vendor_fail(b, cause, f, "expected one of click, double_click, "
	    "drag, keypress, move, screenshot, scroll, type, wait, got "
	    "\"%.32s\"", type));
}

static int
vendor_openai_item(struct vendor_batch *b, json_t *item,
    const struct vendor_ctx *ctx, char **cause)
{
	struct vendor_call	*c;
	json_t			*one, *list, *v;
	const char		*id;
	char			 at[32];
	size_t			 i;

	if ((c = vendor_call_add(b, "computer_call", cause)) == NULL)
		return (-1);
	if (vendor_str(item, "call_id", &id) == -1 || id == NULL)
		return (vendor_fail(b, cause, "call_id", "expected the call's "
		    "call_id (a string)"));
	c->id = xstrndup(id, VENDOR_MAX_ID);
	v = json_object_get(item, "pending_safety_checks");
	if (v != NULL && !json_is_null(v)) {
		if (!json_is_array(v))
			return (vendor_fail(b, cause, "pending_safety_checks",
			    "expected a list of {id, code, message}"));
		c->safety = json_deep_copy(v);
	}
	/* The screenshot after the call is what the model reads next. */
	c->image = 1;
	one = json_object_get(item, "action");
	list = json_object_get(item, "actions");
	if (one != NULL && list != NULL)
		return (vendor_fail(b, cause, "actions", "expected action "
		    "(computer_use_preview) or actions (computer), not both"));
	if (one != NULL)
		return (vendor_openai_action(b, one, "action", ctx, cause));
	if (!json_is_array(list) || json_array_size(list) == 0)
		return (vendor_fail(b, cause, "actions", "expected action or a "
		    "non-empty list of actions"));
	json_array_foreach(list, i, v) {
		snprintf(at, sizeof at, "actions[%zu]", i);
		if (vendor_openai_action(b, v, at, ctx, cause) == -1)
			return (-1);
	}
	return (0);
}

int
vendor_openai_parse(json_t *body, const struct vendor_ctx *ctx,
    struct vendor_batch *b, char **cause)
{
	json_t		*list = body, *item;
	const char	*type;
	size_t		 i;

	if (json_is_object(body) && json_object_get(body, "output") != NULL)
		list = json_object_get(body, "output");
	if (json_is_object(list))
		return (vendor_openai_item(b, list, ctx, cause));
	if (!json_is_array(list)) {
		xasprintf(cause, "output: expected a list of items");
		return (-1);
	}
	json_array_foreach(list, i, item) {
		type = json_string_value(json_object_get(item, "type"));
		/* A response's output holds these beside its calls. */
		if (type != NULL && (strcmp(type, "reasoning") == 0 ||
		    strcmp(type, "message") == 0))
			continue;
		if (type == NULL || strcmp(type, "computer_call") != 0) {
			vendor_call_add(b, type != NULL ? type : "?", NULL);
			return (vendor_fail(b, cause, "type", "expected "
			    "\"computer_call\" (item %zu)", i));
		}
		if (vendor_openai_item(b, item, ctx, cause) == -1)
			return (-1);
	}
	return (0);
}

void
vendor_openai_append(struct evbuffer *out, const struct vendor_batch *b,
    const struct vendor_result *res)
{
	const struct vendor_call	*c;
	const struct vendor_result	*r;
	size_t				 i;

	evbuffer_add_printf(out, "[");
	for (i = 0; i < b->ncalls; i++) {
		c = &b->calls[i];
		r = &res[i];
		evbuffer_add_printf(out, "%s{\"type\":\"computer_call_output\","
		    "\"call_id\":", i > 0 ? "," : "");
		vendor_add_string(out, c->id);
		evbuffer_add_printf(out, ",\"output\":{\"type\":"
		    "\"computer_screenshot\",\"image_url\":\"");
		if (r->image != NULL) {
			evbuffer_add_printf(out, "data:%s;base64,", r->mime);
			if (vendor_add_base64(out, r->image) == -1)
				fatalx("%s: out of memory", __func__);
		}
		evbuffer_add_printf(out, "\"},\"acknowledged_safety_checks\":");
		if (c->safety != NULL)
			vendor_add_json(out, c->safety);
		else
			evbuffer_add_printf(out, "[]");
		evbuffer_add_printf(out, "}");
	}
	evbuffer_add_printf(out, "]");
}
