/*
 * action.h: the Anthropic computer-use tool input (POST /v1/computer),
 * parsed and checked the same way by deskd and by deskctl's "do", so a bad
 * action is refused before anything is injected.
 *
 * Accepted bodies: one action object ({"action": "left_click", ...}), a
 * JSON array of them (a batch, run in order), or {"actions": [...]} with
 * "coordinate_space" and "screenshot" applying to the whole batch.
 * Modifiers held during a click or scroll come in "text", or in "key" as
 * computer_20250124's reference tool sends them.
 */
#ifndef ACTION_H
#define ACTION_H

#include <stddef.h>

#include <jansson.h>

#define PROTO_MAX_ACTIONS	100		/* in one batch */
#define PROTO_MAX_TEXT		(1024 * 1024)	/* bytes of key/type text */
#define PROTO_MAX_COORD		65535
#define PROTO_MAX_SCROLL	100		/* notches per scroll */
#define PROTO_MAX_DURATION_MS	100000		/* hold_key and wait */
#define PROTO_MAX_DELAY_MS	1000		/* per-key typing delay */
#define PROTO_MAX_REPEAT	100		/* key: times the sequence */
#define PROTO_MAX_PATH		100		/* points of a drag path */

enum proto_act_type {
	PROTO_ACT_KEY,
	PROTO_ACT_TYPE,
	PROTO_ACT_MOUSE_MOVE,
	PROTO_ACT_LEFT_CLICK,
	PROTO_ACT_RIGHT_CLICK,
	PROTO_ACT_MIDDLE_CLICK,
	PROTO_ACT_DOUBLE_CLICK,
	PROTO_ACT_TRIPLE_CLICK,
	PROTO_ACT_LEFT_CLICK_DRAG,
	PROTO_ACT_LEFT_MOUSE_DOWN,
	PROTO_ACT_LEFT_MOUSE_UP,
	PROTO_ACT_SCROLL,
	PROTO_ACT_HOLD_KEY,
	PROTO_ACT_WAIT,
	PROTO_ACT_CURSOR_POSITION,
	PROTO_ACT_SCREENSHOT,
	PROTO_ACT_ZOOM,
	PROTO_ACT_KEY_DOWN,	/* held until key_up or the batch's end */
	PROTO_ACT_KEY_UP
};

enum proto_scroll_dir {
	PROTO_SCROLL_UP,
	PROTO_SCROLL_DOWN,
	PROTO_SCROLL_LEFT,
	PROTO_SCROLL_RIGHT
};

struct proto_action {
	enum proto_act_type	 type;
	int			 has_coord;
	int			 x, y;
	int			 has_start;	/* left_click_drag */
	int			 sx, sy;
	char			*text;		/* NULL when absent */
	size_t			 text_len;
	enum proto_scroll_dir	 dir;
	int			 amount;	/* scroll notches */
	int			 duration_ms;	/* hold_key, wait */
	int			 region[4];	/* zoom: x0, y0, x1, y1 */
	int			 space_w;	/* coordinate_space; 0: screen */
	int			 space_h;
	int			 screenshot;	/* screenshot after the action */
	int			 delay_ms;	/* type/key: per-key delay */
	int			 repeat;	/* key: times (0 or 1: once) */
	int			 paste;		/* type: "method": "paste" */
	/*
	 * Filled by the vendor front ends (agent/vendor*.c), never by
	 * proto_actions_parse: another X button for a click, mouse down
	 * or up (8 back, 9 forward); the points a drag passes between its
	 * start and its end; the image size a zoom is scaled to (0: the
	 * region's own).
	 */
	int			 button;	/* 0: the action's own */
	int			*path;		/* x, y pairs */
	size_t			 npath;
	int			 zoom_w, zoom_h;
};

struct proto_actions {
	size_t			 n;
	struct proto_action	*v;
	int			 batch;		/* body was a list */
};

/* -1 + cause ("action 2: scroll_amount must be ..."); nothing half-made. */
struct proto_actions	*proto_actions_parse(json_t *, char **cause);
/* One action object into *a (zeroed first); -1 + cause.  Free with
 * proto_action_clear. */
int			 proto_action_parse(json_t *, struct proto_action *a,
			    char **cause);
void			 proto_action_clear(struct proto_action *);
void			 proto_actions_free(struct proto_actions *);
/*
 * Coordinates of actions without a coordinate_space must lie on a w x h
 * screen: -1 + cause giving the allowed range.
 */
int			 proto_actions_check_screen(struct proto_actions *,
			    int w, int h, char **cause);
const char		*proto_action_name(enum proto_act_type);
/* True for actions that take a coordinate at all. */
int			 proto_action_is_pointer(enum proto_act_type);

#endif
