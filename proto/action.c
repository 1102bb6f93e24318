/*
 * action.c: parse and check computer-use actions (see action.h).  Every
 * limit is checked here, before deskd queues anything, so a bad batch
 * injects nothing at all.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "action.h"

static const char *proto_act_names[] = {
	[PROTO_ACT_KEY] = "key",
	[PROTO_ACT_TYPE] = "type",
	[PROTO_ACT_MOUSE_MOVE] = "mouse_move",
	[PROTO_ACT_LEFT_CLICK] = "left_click",
	[PROTO_ACT_RIGHT_CLICK] = "right_click",
	[PROTO_ACT_MIDDLE_CLICK] = "middle_click",
	[PROTO_ACT_DOUBLE_CLICK] = "double_click",
	[PROTO_ACT_TRIPLE_CLICK] = "triple_click",
	[PROTO_ACT_LEFT_CLICK_DRAG] = "left_click_drag",
	[PROTO_ACT_LEFT_MOUSE_DOWN] = "left_mouse_down",
	[PROTO_ACT_LEFT_MOUSE_UP] = "left_mouse_up",
	[PROTO_ACT_SCROLL] = "scroll",
	[PROTO_ACT_HOLD_KEY] = "hold_key",
	[PROTO_ACT_WAIT] = "wait",
	[PROTO_ACT_CURSOR_POSITION] = "cursor_position",
	[PROTO_ACT_SCREENSHOT] = "screenshot",
	[PROTO_ACT_ZOOM] = "zoom",
	[PROTO_ACT_KEY_DOWN] = "key_down",
	[PROTO_ACT_KEY_UP] = "key_up",
};
#define PROTO_NACTS (sizeof proto_act_names / sizeof proto_act_names[0])

static const char *proto_dir_names[] = {
	[PROTO_SCROLL_UP] = "up",
	[PROTO_SCROLL_DOWN] = "down",
	[PROTO_SCROLL_LEFT] = "left",
	[PROTO_SCROLL_RIGHT] = "right",
};

const char *
proto_action_name(enum proto_act_type t)
{
	if ((size_t)t >= PROTO_NACTS)
		return ("?");
	return (proto_act_names[t]);
}

int
proto_action_is_pointer(enum proto_act_type t)
{
	switch (t) {
	case PROTO_ACT_MOUSE_MOVE:
	case PROTO_ACT_LEFT_CLICK:
	case PROTO_ACT_RIGHT_CLICK:
	case PROTO_ACT_MIDDLE_CLICK:
	case PROTO_ACT_DOUBLE_CLICK:
	case PROTO_ACT_TRIPLE_CLICK:
	case PROTO_ACT_LEFT_CLICK_DRAG:
	case PROTO_ACT_LEFT_MOUSE_DOWN:
	case PROTO_ACT_LEFT_MOUSE_UP:
	case PROTO_ACT_SCROLL:
		return (1);
	default:
		return (0);
	}
}

static void __attribute__((format(printf, 2, 3)))
proto_fail(char **cause, const char *fmt, ...)
{
	va_list	 ap;

	if (cause == NULL || *cause != NULL)
		return;
	va_start(ap, fmt);
	if (vasprintf(cause, fmt, ap) == -1)
		*cause = NULL;
	va_end(ap);
}

/* An integer-valued JSON number in [min, max]. */
static int
proto_get_int(json_t *v, long min, long max, int *out)
{
	double	 d;

	if (json_is_integer(v)) {
		if (json_integer_value(v) < min || json_integer_value(v) > max)
			return (-1);
		*out = (int)json_integer_value(v);
		return (0);
	}
	if (!json_is_real(v))
		return (-1);
	/* Models sometimes send 512.0; round rather than refuse. */
	d = json_real_value(v);
	if (!isfinite(d) || d < min - 0.5 || d >= max + 0.5)
		return (-1);
	*out = (int)lround(d);
	return (0);
}

/* [a, b] (n == 2) or [a, b, c, d] (n == 4) of integers >= 0. */
static int
proto_get_ints(json_t *v, size_t n, long max, int *out)
{
	size_t	 i;

	if (!json_is_array(v) || json_array_size(v) != n)
		return (-1);
	for (i = 0; i < n; i++) {
		if (proto_get_int(json_array_get(v, i), 0, max, &out[i]) == -1)
			return (-1);
	}
	return (0);
}

/* Seconds as a number to milliseconds in [0, max_ms]. */
static int
proto_get_duration(json_t *v, int max_ms, int *out)
{
	double	 d;

	if (!json_is_number(v))
		return (-1);
	d = json_number_value(v);
	if (!isfinite(d) || d < 0 || d * 1000 > max_ms)
		return (-1);
	*out = (int)lround(d * 1000);
	return (0);
}

static int
proto_check_point(const char *what, int x, int y, int w, int h, char **cause)
{
	if (x >= w || y >= h) {
		proto_fail(cause, "%s [%d, %d] is outside the %dx%d space: x "
		    "must be 0..%d and y 0..%d", what, x, y, w, h, w - 1,
		    h - 1);
		return (-1);
	}
	return (0);
}

static int
proto_parse_one(json_t *o, json_t *defaults, struct proto_action *a,
    char **cause)
{
	json_t		*v;
	const char	*name;
	size_t		 i;
	int		 space[2], pt[2];

	memset(a, 0, sizeof *a);
	if (!json_is_object(o)) {
		proto_fail(cause, "an action must be a JSON object");
		return (-1);
	}
	v = json_object_get(o, "action");
	if (!json_is_string(v)) {
		proto_fail(cause, "\"action\" (a string) is required");
		return (-1);
	}
	name = json_string_value(v);
	for (i = 0; i < PROTO_NACTS; i++) {
		if (strcmp(name, proto_act_names[i]) == 0)
			break;
	}
	if (i == PROTO_NACTS) {
		proto_fail(cause, "unknown action \"%.64s\"", name);
		return (-1);
	}
	a->type = i;

	if ((v = json_object_get(o, "coordinate_space")) == NULL &&
	    defaults != NULL)
		v = json_object_get(defaults, "coordinate_space");
	if (v != NULL && !json_is_null(v)) {
		if (proto_get_ints(v, 2, PROTO_MAX_COORD, space) == -1 ||
		    space[0] < 1 || space[1] < 1) {
			proto_fail(cause, "coordinate_space must be [width, "
			    "height] with each 1..%d", PROTO_MAX_COORD);
			return (-1);
		}
		a->space_w = space[0];
		a->space_h = space[1];
	}

	if ((v = json_object_get(o, "coordinate")) != NULL &&
	    !json_is_null(v)) {
		if (proto_get_ints(v, 2, PROTO_MAX_COORD, pt) == -1) {
			proto_fail(cause, "coordinate must be [x, y], two "
			    "integers 0..%d", PROTO_MAX_COORD);
			return (-1);
		}
		a->x = pt[0];
		a->y = pt[1];
		a->has_coord = 1;
	}
	if ((v = json_object_get(o, "start_coordinate")) != NULL &&
	    !json_is_null(v)) {
		if (proto_get_ints(v, 2, PROTO_MAX_COORD, pt) == -1) {
			proto_fail(cause, "start_coordinate must be [x, y], two "
			    "integers 0..%d", PROTO_MAX_COORD);
			return (-1);
		}
		a->sx = pt[0];
		a->sy = pt[1];
		a->has_start = 1;
	}
	/*
	 * computer_20250124's reference tool reads a click's modifiers from
	 * "key" (anthropics/claude-quickstarts: computer_use_demo/tools/
	 * computer.py); the current tools send them in "text".
	 */
	if (((v = json_object_get(o, "text")) == NULL || json_is_null(v)) &&
	    proto_action_is_pointer(a->type))
		v = json_object_get(o, "key");
	if (v != NULL && !json_is_null(v)) {
		if (!json_is_string(v)) {
			proto_fail(cause, "text must be a string");
			return (-1);
		}
		if (json_string_length(v) > PROTO_MAX_TEXT) {
			proto_fail(cause, "text is longer than %d bytes",
			    PROTO_MAX_TEXT);
			return (-1);
		}
		a->text_len = json_string_length(v);
		if ((a->text = malloc(a->text_len + 1)) == NULL) {
			proto_fail(cause, "out of memory");
			return (-1);
		}
		memcpy(a->text, json_string_value(v), a->text_len + 1);
		if (strlen(a->text) != a->text_len) {
			proto_fail(cause, "text must not contain NUL");
			return (-1);
		}
	}
	if ((v = json_object_get(o, "screenshot")) == NULL && defaults != NULL)
		v = json_object_get(defaults, "screenshot");
	if (v != NULL && !json_is_null(v)) {
		if (!json_is_boolean(v)) {
			proto_fail(cause, "screenshot must be true or false");
			return (-1);
		}
		a->screenshot = json_is_true(v);
	}
	if ((v = json_object_get(o, "delay_ms")) != NULL && !json_is_null(v)) {
		if (proto_get_int(v, 0, PROTO_MAX_DELAY_MS, &a->delay_ms) ==
		    -1) {
			proto_fail(cause, "delay_ms must be an integer 0..%d",
			    PROTO_MAX_DELAY_MS);
			return (-1);
		}
	}

	if ((v = json_object_get(o, "repeat")) != NULL && !json_is_null(v)) {
		if (a->type != PROTO_ACT_KEY || !json_is_integer(v) ||
		    json_integer_value(v) < 1 ||
		    json_integer_value(v) > PROTO_MAX_REPEAT) {
			proto_fail(cause, "repeat must be an integer 1..%d "
			    "(key only)", PROTO_MAX_REPEAT);
			return (-1);
		}
		a->repeat = (int)json_integer_value(v);
	}

	/* type by the clipboard and ctrl+v instead of keystrokes */
	if ((v = json_object_get(o, "method")) != NULL && !json_is_null(v)) {
		if (!json_is_string(v) || a->type != PROTO_ACT_TYPE ||
		    (strcmp(json_string_value(v), "paste") != 0 &&
		    strcmp(json_string_value(v), "type") != 0)) {
			proto_fail(cause, "method is \"type\" or \"paste\", "
			    "for the type action");
			return (-1);
		}
		a->paste = strcmp(json_string_value(v), "paste") == 0;
	}

	switch (a->type) {
	case PROTO_ACT_KEY:
	case PROTO_ACT_HOLD_KEY:
	case PROTO_ACT_KEY_DOWN:
	case PROTO_ACT_KEY_UP:
		if (a->text == NULL || a->text_len == 0) {
			proto_fail(cause, "%s needs text (key names)", name);
			return (-1);
		}
		break;
	case PROTO_ACT_TYPE:
		if (a->text == NULL) {
			proto_fail(cause, "type needs text");
			return (-1);
		}
		break;
	case PROTO_ACT_MOUSE_MOVE:
	case PROTO_ACT_LEFT_CLICK_DRAG:
		if (!a->has_coord) {
			proto_fail(cause, "%s needs coordinate [x, y]", name);
			return (-1);
		}
		break;
	case PROTO_ACT_SCROLL:
		v = json_object_get(o, "scroll_direction");
		for (i = 0; json_is_string(v) && i < 4; i++) {
			if (strcmp(json_string_value(v),
			    proto_dir_names[i]) == 0)
				break;
		}
		if (!json_is_string(v) || i == 4) {
			proto_fail(cause, "scroll_direction must be up, down, "
			    "left or right");
			return (-1);
		}
		a->dir = i;
		v = json_object_get(o, "scroll_amount");
		if (proto_get_int(v, 0, PROTO_MAX_SCROLL, &a->amount) == -1) {
			proto_fail(cause, "scroll_amount must be an integer "
			    "0..%d", PROTO_MAX_SCROLL);
			return (-1);
		}
		break;
	case PROTO_ACT_WAIT:
		v = json_object_get(o, "duration");
		if (proto_get_duration(v, PROTO_MAX_DURATION_MS,
		    &a->duration_ms) == -1) {
			proto_fail(cause, "duration must be seconds, 0..%d",
			    PROTO_MAX_DURATION_MS / 1000);
			return (-1);
		}
		break;
	case PROTO_ACT_ZOOM:
		v = json_object_get(o, "region");
		if (proto_get_ints(v, 4, PROTO_MAX_COORD, a->region) == -1 ||
		    a->region[0] >= a->region[2] ||
		    a->region[1] >= a->region[3]) {
			proto_fail(cause, "region must be [x0, y0, x1, y1] with "
			    "x0 < x1 and y0 < y1");
			return (-1);
		}
		break;
	default:
		break;
	}
	if (a->type == PROTO_ACT_HOLD_KEY) {
		v = json_object_get(o, "duration");
		if (proto_get_duration(v, PROTO_MAX_DURATION_MS,
		    &a->duration_ms) == -1) {
			proto_fail(cause, "duration must be seconds, 0..%d",
			    PROTO_MAX_DURATION_MS / 1000);
			return (-1);
		}
	}

	if (a->space_w != 0) {
		if (a->has_coord && proto_check_point("coordinate", a->x, a->y,
		    a->space_w, a->space_h, cause) == -1)
			return (-1);
		if (a->has_start && proto_check_point("start_coordinate",
		    a->sx, a->sy, a->space_w, a->space_h, cause) == -1)
			return (-1);
		if (a->type == PROTO_ACT_ZOOM && (a->region[2] > a->space_w ||
		    a->region[3] > a->space_h)) {
			proto_fail(cause, "region must lie in the %dx%d space: "
			    "x 0..%d, y 0..%d", a->space_w, a->space_h,
			    a->space_w, a->space_h);
			return (-1);
		}
	}
	return (0);
}

struct proto_actions *
proto_actions_parse(json_t *body, char **cause)
{
	struct proto_actions	*acts;
	json_t			*list = NULL, *defaults = NULL;
	char			*inner = NULL;
	size_t			 i, n;

	if ((acts = calloc(1, sizeof *acts)) == NULL) {
		proto_fail(cause, "out of memory");
		return (NULL);
	}
	if (json_is_array(body)) {
		list = body;
		acts->batch = 1;
	} else if (json_is_object(body) &&
	    json_object_get(body, "actions") != NULL) {
		list = json_object_get(body, "actions");
		defaults = body;
		acts->batch = 1;
		if (!json_is_array(list)) {
			proto_fail(cause, "actions must be a list");
			goto fail;
		}
	} else if (!json_is_object(body)) {
		proto_fail(cause, "expected an action object or a list of "
		    "them");
		goto fail;
	}
	n = list != NULL ? json_array_size(list) : 1;
	if (n == 0) {
		proto_fail(cause, "empty list of actions");
		goto fail;
	}
	if (n > PROTO_MAX_ACTIONS) {
		proto_fail(cause, "more than %d actions in one batch",
		    PROTO_MAX_ACTIONS);
		goto fail;
	}
	if ((acts->v = calloc(n, sizeof *acts->v)) == NULL) {
		proto_fail(cause, "out of memory");
		goto fail;
	}
	for (i = 0; i < n; i++) {
		acts->n = i + 1;
		if (proto_parse_one(list != NULL ? json_array_get(list, i) :
		    body, defaults, &acts->v[i], &inner) == -1) {
			if (acts->batch)
				proto_fail(cause, "action %zu: %s", i,
				    inner != NULL ? inner : "invalid");
			else
				proto_fail(cause, "%s",
				    inner != NULL ? inner : "invalid");
			free(inner);
			goto fail;
		}
	}
	/* {"actions": [...], "screenshot": true}: after the last one. */
	if (defaults != NULL) {
		for (i = 0; i + 1 < n; i++) {
			if (json_object_get(json_array_get(list, i),
			    "screenshot") == NULL)
				acts->v[i].screenshot = 0;
		}
	}
	return (acts);
fail:
	proto_actions_free(acts);
	return (NULL);
}

int
proto_action_parse(json_t *o, struct proto_action *a, char **cause)
{
	if (proto_parse_one(o, NULL, a, cause) == -1) {
		proto_action_clear(a);
		if (cause != NULL && *cause == NULL)
			proto_fail(cause, "invalid action");
		return (-1);
	}
	return (0);
}

void
proto_action_clear(struct proto_action *a)
{
	free(a->text);
	free(a->path);
	memset(a, 0, sizeof *a);
}

void
proto_actions_free(struct proto_actions *acts)
{
	size_t	 i;

	if (acts == NULL)
		return;
	for (i = 0; i < acts->n; i++)
		proto_action_clear(&acts->v[i]);
	free(acts->v);
	free(acts);
}

int
proto_actions_check_screen(struct proto_actions *acts, int w, int h,
    char **cause)
{
	struct proto_action	*a;
	char			*inner = NULL;
	size_t			 i;
	int			 rc = 0;

	for (i = 0; i < acts->n && rc == 0; i++) {
		a = &acts->v[i];
		if (a->space_w != 0)
			continue;
		if (a->has_coord && proto_check_point("coordinate", a->x, a->y,
		    w, h, &inner) == -1)
			rc = -1;
		else if (a->has_start && proto_check_point("start_coordinate",
		    a->sx, a->sy, w, h, &inner) == -1)
			rc = -1;
		else if (a->type == PROTO_ACT_ZOOM && (a->region[2] > w ||
		    a->region[3] > h)) {
			proto_fail(&inner, "region must lie on the %dx%d "
			    "screen: x 0..%d, y 0..%d", w, h, w, h);
			rc = -1;
		}
		if (rc == -1) {
			if (acts->batch)
				proto_fail(cause, "action %zu: %s", i, inner);
			else
				proto_fail(cause, "%s", inner);
		}
	}
	free(inner);
	return (rc);
}
