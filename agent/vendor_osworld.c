/*
 * vendor_osworld.c: OSWorld's computer_13 action space
 * ({"action_type": ..., "parameters": {...}}, xlang-ai/OSWorld:
 * desktop_env/actions.py), which OSWorld's host otherwise turns into one
 * pyautogui program per action posted to /execute
 * (desktop_env/controllers/python.py, execute_action).  Accepted: one
 * action, the parameters at the top level as execute_action also takes
 * them, the strings "WAIT", "FAIL" and "DONE", or a list.
 *
 * Coordinates are screen pixels (X_MAX/Y_MAX in actions.py); numbers may
 * be floats and are rounded.  SCROLL's dx and dy are wheel clicks as
 * pyautogui's hscroll/vscroll take them: dy > 0 up, dx > 0 right.
 * DRAG_TO drags from where the pointer is, as pyautogui.dragTo does.
 * Key names are pyautogui's KEYBOARD_KEYS.  WAIT waits DesktopEnv.step's
 * default pause, 2 s; FAIL and DONE are the host's and run nothing.
 * There is nothing to append: OSWorld reads the screen with GET
 * /screenshot, and the reply carries the screenshot for a caller that
 * wants it.
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "action.h"
#include "vendor.h"
#include "xmalloc.h"

#define VENDOR_OSWORLD_WAIT_MS	2000

int
vendor_osworld_match(json_t *o)
{
	const char	*s;

	if (json_is_string(o)) {
		s = json_string_value(o);
		return (strcmp(s, "WAIT") == 0 || strcmp(s, "FAIL") == 0 ||
		    strcmp(s, "DONE") == 0);
	}
	return (json_is_object(o) &&
	    json_is_string(json_object_get(o, "action_type")));
}

/* pyautogui's button names to X buttons; 0 when unknown. */
static int
vendor_osworld_button(const char *s)
{
	if (s == NULL || strcmp(s, "left") == 0 || strcmp(s, "primary") == 0)
		return (1);
	if (strcmp(s, "middle") == 0)
		return (2);
	if (strcmp(s, "right") == 0 || strcmp(s, "secondary") == 0)
		return (3);
	return (0);
}

static int
vendor_osworld_xy(struct vendor_batch *b, json_t *p, int need,
    const struct vendor_ctx *ctx, struct proto_action *a, char **cause)
{
	if (!need && json_object_get(p, "x") == NULL &&
	    json_object_get(p, "y") == NULL)
		return (0);
	/* Screen pixels, not the session's space. */
	a->space_w = a->space_h = 0;
	if (vendor_point(b, p, "parameters", "x", "y", ctx->screen_w,
	    ctx->screen_h, &a->x, &a->y, cause) == -1)
		return (-1);
	a->has_coord = 1;
	return (0);
}

static int
vendor_osworld_one(struct vendor_batch *b, json_t *o,
    const struct vendor_ctx *ctx, char **cause)
{
	struct vendor_call	*c;
	struct proto_action	*a;
	json_t			*p, *v;
	const char		*t, *s;
	char			*chord;
	int			 n, button, dx, dy;

	if (json_is_string(o)) {
		t = json_string_value(o);
		if ((c = vendor_call_add(b, t, cause)) == NULL)
			return (-1);
		if (!vendor_osworld_match(o))
			return (vendor_fail(b, cause, NULL, "expected WAIT, "
			    "FAIL, DONE or an action object"));
		p = NULL;
	} else {
		if (!json_is_object(o) || vendor_str(o, "action_type", &t) ==
		    -1 || t == NULL) {
			if (vendor_call_add(b, "?", cause) == NULL)
				return (-1);
			return (vendor_fail(b, cause, "action_type", "expected "
			    "a computer_13 action type (MOVE_TO, CLICK, ...)"));
		}
		if ((c = vendor_call_add(b, t, cause)) == NULL)
			return (-1);
		p = json_object_get(o, "parameters");
		if (p == NULL)
			p = o;
		if (!json_is_object(p))
			return (vendor_fail(b, cause, "parameters", "expected "
			    "an object"));
	}

#define IS(n) (strcmp(t, (n)) == 0)
	if (IS("FAIL") || IS("DONE")) {
		c->host_only = 1;
		return (0);
	}
	if (IS("WAIT")) {
		if ((a = vendor_act_add(b, ctx, PROTO_ACT_WAIT, cause)) == NULL)
			return (-1);
		a->duration_ms = VENDOR_OSWORLD_WAIT_MS;
		return (0);
	}
	if (IS("MOVE_TO")) {
		if ((a = vendor_act_add(b, ctx, PROTO_ACT_MOUSE_MOVE,
		    cause)) == NULL)
			return (-1);
		return (vendor_osworld_xy(b, p, 1, ctx, a, cause));
	}
	if (IS("CLICK") || IS("RIGHT_CLICK") || IS("DOUBLE_CLICK")) {
		if ((a = vendor_act_add(b, ctx, PROTO_ACT_LEFT_CLICK,
		    cause)) == NULL)
			return (-1);
		if (IS("RIGHT_CLICK"))
			a->type = PROTO_ACT_RIGHT_CLICK;
		else if (IS("DOUBLE_CLICK"))
			a->type = PROTO_ACT_DOUBLE_CLICK;
		else {
			if (vendor_str(p, "button", &s) == -1 ||
			    (button = vendor_osworld_button(s)) == 0)
				return (vendor_fail(b, cause,
				    "parameters.button", "expected left, "
				    "right or middle"));
			n = 1;
			if ((v = json_object_get(p, "num_clicks")) != NULL &&
			    vendor_int(v, 1, 3, &n) == -1)
				return (vendor_fail(b, cause,
				    "parameters.num_clicks", "expected 1, 2 "
				    "or 3"));
			a->type = n == 3 ? PROTO_ACT_TRIPLE_CLICK : n == 2 ?
			    PROTO_ACT_DOUBLE_CLICK : PROTO_ACT_LEFT_CLICK;
			a->button = button;
		}
		return (vendor_osworld_xy(b, p, 0, ctx, a, cause));
	}
	if (IS("MOUSE_DOWN") || IS("MOUSE_UP")) {
		if (vendor_str(p, "button", &s) == -1 ||
		    (button = vendor_osworld_button(s)) == 0)
			return (vendor_fail(b, cause, "parameters.button",
			    "expected left, right or middle"));
		if ((a = vendor_act_add(b, ctx, IS("MOUSE_DOWN") ?
		    PROTO_ACT_LEFT_MOUSE_DOWN : PROTO_ACT_LEFT_MOUSE_UP,
		    cause)) == NULL)
			return (-1);
		a->button = button;
		return (0);
	}
	if (IS("DRAG_TO")) {
		if ((a = vendor_act_add(b, ctx, PROTO_ACT_LEFT_CLICK_DRAG,
		    cause)) == NULL)
			return (-1);
		return (vendor_osworld_xy(b, p, 1, ctx, a, cause));
	}
	if (IS("SCROLL")) {
		dx = dy = 0;
		if ((v = json_object_get(p, "dx")) != NULL && vendor_int(v,
		    -PROTO_MAX_SCROLL, PROTO_MAX_SCROLL, &dx) == -1)
			return (vendor_fail(b, cause, "parameters.dx",
			    "expected an integer %d..%d (wheel clicks, right "
			    "when positive)", -PROTO_MAX_SCROLL,
			    PROTO_MAX_SCROLL));
		if ((v = json_object_get(p, "dy")) != NULL && vendor_int(v,
		    -PROTO_MAX_SCROLL, PROTO_MAX_SCROLL, &dy) == -1)
			return (vendor_fail(b, cause, "parameters.dy",
			    "expected an integer %d..%d (wheel clicks, up "
			    "when positive)", -PROTO_MAX_SCROLL,
			    PROTO_MAX_SCROLL));
		if (json_object_get(p, "dx") == NULL &&
		    json_object_get(p, "dy") == NULL)
			return (vendor_fail(b, cause, "parameters.dy",
			    "expected dx or dy"));
		/* python.py runs hscroll(dx) then vscroll(dy). */
		if (dx != 0) {
			if ((a = vendor_act_add(b, ctx, PROTO_ACT_SCROLL,
			    cause)) == NULL)
				return (-1);
			a->dir = dx > 0 ? PROTO_SCROLL_RIGHT :
			    PROTO_SCROLL_LEFT;
			a->amount = dx > 0 ? dx : -dx;
		}
		if (dy != 0) {
			if ((a = vendor_act_add(b, ctx, PROTO_ACT_SCROLL,
			    cause)) == NULL)
				return (-1);
			a->dir = dy > 0 ? PROTO_SCROLL_UP : PROTO_SCROLL_DOWN;
			a->amount = dy > 0 ? dy : -dy;
		}
		return (0);
	}
	if (IS("TYPING")) {
		v = json_object_get(p, "text");
		if (!json_is_string(v) ||
		    json_string_length(v) > PROTO_MAX_TEXT ||
		    strlen(json_string_value(v)) != json_string_length(v))
			return (vendor_fail(b, cause, "parameters.text",
			    "expected the text to type (a string without NUL, "
			    "at most %d bytes)", PROTO_MAX_TEXT));
		if ((a = vendor_act_add(b, ctx, PROTO_ACT_TYPE, cause)) == NULL)
			return (-1);
		a->text = xstrdup(json_string_value(v));
		a->text_len = strlen(a->text);
		return (0);
	}
	if (IS("PRESS") || IS("KEY_DOWN") || IS("KEY_UP") || IS("HOTKEY")) {
		v = json_object_get(p, IS("HOTKEY") ? "keys" : "key");
		if (!IS("HOTKEY") && !json_is_string(v))
			return (vendor_fail(b, cause, "parameters.key",
			    "expected a pyautogui key name"));
		if ((chord = vendor_chord(b, VENDOR_KEYS_PYAUTOGUI, v, 0,
		    IS("HOTKEY") ? "parameters.keys" : "parameters.key",
		    cause)) == NULL)
			return (-1);
		a = vendor_act_add(b, ctx, IS("KEY_DOWN") ? PROTO_ACT_KEY_DOWN :
		    IS("KEY_UP") ? PROTO_ACT_KEY_UP : PROTO_ACT_KEY, cause);
		if (a == NULL) {
			free(chord);
			return (-1);
		}
		a->text = chord;
		a->text_len = strlen(chord);
		return (0);
	}
#undef IS
	return (vendor_fail(b, cause, "action_type", "expected one of "
	    "MOVE_TO, CLICK, MOUSE_DOWN, MOUSE_UP, RIGHT_CLICK, DOUBLE_CLICK, "
	    "DRAG_TO, SCROLL, TYPING, PRESS, KEY_DOWN, KEY_UP, HOTKEY, WAIT, "
	    "FAIL, DONE"));
}

int
vendor_osworld_parse(json_t *body, const struct vendor_ctx *ctx,
    struct vendor_batch *b, char **cause)
{
	json_t	*v;
	size_t	 i;

	if (!json_is_array(body))
		return (vendor_osworld_one(b, body, ctx, cause));
	json_array_foreach(body, i, v) {
		if (vendor_osworld_one(b, v, ctx, cause) == -1)
			return (-1);
	}
	return (0);
}
