/*
 * vendor_anthropic.c: Anthropic's computer-use calls and answers.
 *
 * Calls are tool_use content blocks as the assistant message holds them:
 * the beta tools (computer_20250124, computer_20251124) name the tool
 * "computer" and put the action in input.action; the GA toolset
 * (computer_toolset_20260801) names the member ("left_click") with
 * toolset_name "computer" and no action in the input.  The input fields
 * are the same as the native form's (proto/action.c parses them); only
 * the coordinate space is the session's.  Accepted: one block, a list of
 * blocks, or the assistant message {"role": "assistant", "content": [...]}
 * (text and thinking blocks are skipped).
 *
 * The answer is the user message of tool_result blocks, one per call in
 * order, echoing toolset_name; after a failure the later calls answer
 * is_error "Not executed" (platform.claude.com computer-use tool
 * reference; anthropics/anthropic-sdk-typescript computer-toolset.md).
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

/* BetaComputerMemberName: the toolset's members. */
static const char *vendor_anthropic_members[] = {
	"key", "hold_key", "type", "cursor_position", "mouse_move",
	"left_mouse_down", "left_mouse_up", "left_click", "left_click_drag",
	"right_click", "middle_click", "double_click", "triple_click",
	"scroll", "wait", "screenshot", "zoom", NULL
};

static int
vendor_anthropic_is_member(const char *name)
{
	const char	**m;

	for (m = vendor_anthropic_members; *m != NULL; m++) {
		if (strcmp(*m, name) == 0)
			return (1);
	}
	return (0);
}

int
vendor_anthropic_match(json_t *o)
{
	json_t		*v;
	const char	*type;

	if (!json_is_object(o))
		return (0);
	type = json_string_value(json_object_get(o, "type"));
	if (type != NULL)
		return (strcmp(type, "tool_use") == 0);
	/* The assistant message. */
	v = json_object_get(o, "role");
	if (json_is_string(v) && strcmp(json_string_value(v), "assistant") ==
	    0 && json_is_array(json_object_get(o, "content")))
		return (1);
	/* A member call without "type". */
	return (json_is_string(json_object_get(o, "name")) &&
	    json_object_get(o, "input") != NULL &&
	    json_object_get(o, "args") == NULL);
}

/* The field a cause of proto/action.c starts with ("coordinate must ..."). */
static char *
vendor_anthropic_field(const char *cause)
{
	size_t	 n = strspn(cause, "abcdefghijklmnopqrstuvwxyz_");

	if (n == 0)
		return (NULL);
	return (xstrndup(cause, n));
}

/* a's coordinates and region in the session's space; -1 + cause. */
static int
vendor_anthropic_check(struct vendor_batch *b, const struct proto_action *a,
    const struct vendor_ctx *ctx, char **cause)
{
	int	 w = ctx->space_w, h = ctx->space_h;

	b->err_coord = 1;
	if (a->has_coord && (a->x >= w || a->y >= h))
		return (vendor_fail(b, cause, "input.coordinate", "[%d, %d] is "
		    "outside the %dx%d space: x must be 0..%d and y 0..%d",
		    a->x, a->y, w, h, w - 1, h - 1));
	if (a->has_start && (a->sx >= w || a->sy >= h))
		return (vendor_fail(b, cause, "input.start_coordinate", "[%d, "
		    "%d] is outside the %dx%d space: x must be 0..%d and y "
		    "0..%d", a->sx, a->sy, w, h, w - 1, h - 1));
	if (a->type == PROTO_ACT_ZOOM && (a->region[2] > w || a->region[3] >
	    h))
		return (vendor_fail(b, cause, "input.region", "must lie in the "
		    "%dx%d space: x 0..%d, y 0..%d", w, h, w, h));
	b->err_coord = 0;
	return (0);
}

static int
vendor_anthropic_block(json_t *blk, size_t index,
    const struct vendor_ctx *ctx, struct vendor_batch *b, char **cause)
{
	struct vendor_call	*c;
	struct proto_action	*a;
	json_t			*input, *copy, *v;
	const char		*name, *id, *toolset;
	char			*inner = NULL, *field;
	double			 sx, sy;
	int			 rw, rh;

	if (vendor_str(blk, "name", &name) == -1 || name == NULL) {
		c = vendor_call_add(b, "?", cause);
		return (c == NULL ? -1 : vendor_fail(b, cause, "name",
		    "expected the tool's name (a string)"));
	}
	if ((c = vendor_call_add(b, name, cause)) == NULL)
		return (-1);
	if (vendor_str(blk, "id", &id) == -1)
		return (vendor_fail(b, cause, "id", "expected the tool_use id "
		    "(a string)"));
	if (id != NULL)
		c->id = xstrndup(id, VENDOR_MAX_ID);
	if (vendor_str(blk, "toolset_name", &toolset) == -1)
		return (vendor_fail(b, cause, "toolset_name", "expected a "
		    "string"));
	if (toolset != NULL)
		c->toolset = xstrndup(toolset, VENDOR_MAX_ID);
	input = json_object_get(blk, "input");
	if (input != NULL && !json_is_object(input))
		return (vendor_fail(b, cause, "input", "expected an object"));

	copy = input != NULL ? json_deep_copy(input) : json_object();
	if (copy == NULL)
		return (vendor_fail(b, cause, "input", "out of memory"));
	v = json_object_get(copy, "action");
	if (strcmp(name, "computer") == 0) {
		/* The beta tools: the action is in the input. */
		if (!json_is_string(v)) {
			json_decref(copy);
			return (vendor_fail(b, cause, "input.action",
			    "expected an action name (the beta computer "
			    "tool)"));
		}
	} else if (vendor_anthropic_is_member(name)) {
		if (v != NULL && (!json_is_string(v) ||
		    strcmp(json_string_value(v), name) != 0)) {
			json_decref(copy);
			return (vendor_fail(b, cause, "input.action", "a "
			    "toolset member's input has no action (or the "
			    "member's own name)"));
		}
		json_object_set_new(copy, "action", json_string(name));
	} else {
		json_decref(copy);
		return (vendor_fail(b, cause, "name", "expected \"computer\" "
		    "or a computer toolset member (key, type, left_click, "
		    "..., zoom), got \"%.64s\"", name));
	}
	/* The session's space, the executor's settling: not the input's. */
	json_object_del(copy, "coordinate_space");
	json_object_del(copy, "screenshot");
	if ((a = vendor_act_add(b, ctx, PROTO_ACT_SCREENSHOT, cause)) ==
	    NULL) {
		json_decref(copy);
		return (-1);
	}
	if (proto_action_parse(copy, a, &inner) == -1) {
		json_decref(copy);
		field = vendor_anthropic_field(inner);
		vendor_fail(b, cause, NULL, "%s", inner);
		free(b->err_field);
		if (field != NULL)
			xasprintf(&b->err_field, "input.%s", field);
		else
			b->err_field = NULL;
		free(field);
		free(inner);
		return (-1);
	}
	json_decref(copy);
	/*
	 * Coordinates are the session's: the last screenshot's pixels,
	 * checked here (out of the space is a range error naming the
	 * field, never clamped).
	 */
	a->space_w = ctx->space_w;
	a->space_h = ctx->space_h;
	if (vendor_anthropic_check(b, a, ctx, cause) == -1)
		return (-1);
	if (a->type == PROTO_ACT_SCREENSHOT || a->type == PROTO_ACT_ZOOM)
		c->image = 1;
	if (a->type == PROTO_ACT_ZOOM) {
		/*
		 * The region, in screenshot pixels, captured at the display's
		 * resolution and scaled up to fill the screenshot's size
		 * (BetaComputerZoomInput), aspect kept.
		 */
		rw = a->region[2] - a->region[0];
		rh = a->region[3] - a->region[1];
		sx = (double)ctx->space_w / rw;
		sy = (double)ctx->space_h / rh;
		if (sy < sx)
			sx = sy;
		a->zoom_w = (int)(rw * sx + 0.5);
		a->zoom_h = (int)(rh * sx + 0.5);
		if (a->zoom_w < 1)
			a->zoom_w = 1;
		if (a->zoom_h < 1)
			a->zoom_h = 1;
	}
	return (0);
}

int
vendor_anthropic_parse(json_t *body, const struct vendor_ctx *ctx,
    struct vendor_batch *b, char **cause)
{
	json_t		*list = body, *blk;
	const char	*type;
	size_t		 i;

	if (json_is_object(body) && json_object_get(body, "role") != NULL)
		list = json_object_get(body, "content");
	if (json_is_object(list))
		return (vendor_anthropic_block(list, 0, ctx, b, cause));
	if (!json_is_array(list)) {
		xasprintf(cause, "content: expected a list of content blocks");
		return (-1);
	}
	json_array_foreach(list, i, blk) {
		if (!json_is_object(blk)) {
			vendor_call_add(b, "?", NULL);
			return (vendor_fail(b, cause, NULL, "block %zu: "
			    "expected a tool_use content block (an object)",
			    i));
		}
		type = json_string_value(json_object_get(blk, "type"));
		/* What an assistant message holds beside its calls. */
		if (type != NULL && (strcmp(type, "text") == 0 ||
		    strcmp(type, "thinking") == 0 ||
		    strcmp(type, "redacted_thinking") == 0))
			continue;
		if (type != NULL && strcmp(type, "tool_use") != 0) {
			vendor_call_add(b, type, NULL);
			return (vendor_fail(b, cause, "type", "expected "
			    "\"tool_use\" (block %zu), got \"%.64s\"", i,
			    type));
		}
		if (vendor_anthropic_block(blk, i, ctx, b, cause) == -1)
			return (-1);
	}
	return (0);
}

static void
vendor_anthropic_image(struct evbuffer *out, const struct vendor_result *r)
{
	evbuffer_add_printf(out, "{\"type\":\"image\",\"source\":{\"type\":"
	    "\"base64\",\"media_type\":\"%s\",\"data\":\"", r->mime);
	if (vendor_add_base64(out, r->image) == -1)
		fatalx("%s: out of memory", __func__);
	evbuffer_add_printf(out, "\"}}");
}

void
vendor_anthropic_append(struct evbuffer *out, const struct vendor_batch *b,
    const struct vendor_result *res)
{
	const struct vendor_call	*c;
	const struct vendor_result	*r;
	size_t				 i;

	evbuffer_add_printf(out, "{\"role\":\"user\",\"content\":[");
	for (i = 0; i < b->ncalls; i++) {
		c = &b->calls[i];
		r = &res[i];
		evbuffer_add_printf(out, "%s{\"type\":\"tool_result\","
		    "\"tool_use_id\":", i > 0 ? "," : "");
		vendor_add_string(out, c->id);
		evbuffer_add_printf(out, ",\"content\":[");
		if (r->state == VENDOR_SKIPPED) {
			evbuffer_add_printf(out, "{\"type\":\"text\",\"text\":"
			    "\"Not executed: an earlier call of this batch "
			    "failed\"}");
		} else if (r->state == VENDOR_FAILED) {
			evbuffer_add_printf(out, "{\"type\":\"text\","
			    "\"text\":");
			vendor_add_string(out, r->error);
			evbuffer_add_printf(out, "}");
			if (r->image != NULL) {
				evbuffer_add_printf(out, ",");
				vendor_anthropic_image(out, r);
			}
		} else {
			if (r->output != NULL || r->image == NULL) {
				evbuffer_add_printf(out, "{\"type\":\"text\","
				    "\"text\":");
				vendor_add_string(out, r->output != NULL ?
				    r->output : "ok");
				evbuffer_add_printf(out, "}%s", r->image !=
				    NULL ? "," : "");
			}
			if (r->image != NULL)
				vendor_anthropic_image(out, r);
		}
		evbuffer_add_printf(out, "],\"is_error\":%s",
		    r->state == VENDOR_DONE ? "false" : "true");
		if (c->toolset != NULL) {
			evbuffer_add_printf(out, ",\"toolset_name\":");
			vendor_add_string(out, c->toolset);
		}
		evbuffer_add_printf(out, "}");
	}
	evbuffer_add_printf(out, "]}");
}
