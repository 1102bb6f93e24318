/*
 * vendor.h: the computer-use calls of the model vendors, taken exactly as
 * the models emit them and answered in the shape each caller appends to
 * its conversation.
 *
 * One file per vendor turns its calls into the actions of proto/action.h
 * and writes its answer: vendor_anthropic.c (tool_use blocks of the beta
 * computer tools and of the computer toolset), vendor_openai.c
 * (computer_call items, action or actions[]), vendor_gemini.c (function
 * calls, 0-999 grid), vendor_osworld.c (computer_13 actions).  One
 * executor, vendor_exec.c, runs every vendor's batch through the input
 * queue in order and proves each action's effect (XDamage, settle time,
 * keystrokes typed).  This file's part (vendor.c) is what the parsers
 * share: detection by shape, the batch, errors that name the call and the
 * field, key names.  Nothing here touches X: the parsers are fuzzed.
 */
#ifndef VENDOR_H
#define VENDOR_H

#include <sys/types.h>
#include <stddef.h>

#include <X11/X.h>
#include <jansson.h>

struct evbuffer;
struct http_req;
struct proto_action;

#define VENDOR_MAX_CALLS	100	/* calls in one request */
#define VENDOR_MAX_ACTIONS	400	/* actions they expand to */
#define VENDOR_MAX_ID		256	/* bytes of an id or a name */
#define VENDOR_GRID		1000	/* Gemini's 0-999 coordinates */
/*
 * Pixels one wheel notch scrolls a page in Chromium on X11: a button 4/5
 * click is one notch of ui::MouseWheelEvent::kWheelDelta, 120 (chromium
 * ui/events/event.h), which Blink scrolls 1:1 in CSS pixels (measured on
 * Chromium 156 without smooth scrolling: 1, 3 and 10 notches moved a
 * scroller 120, 360 and 1200 px; GTK applications scroll less).  Pixel
 * distances (OpenAI's scroll_x/scroll_y, Gemini's magnitudes) become
 * round(px / 120) notches, at least one.
 */
#define VENDOR_NOTCH_PX		120

enum vendor_kind {
	VENDOR_ANTHROPIC,
	VENDOR_OPENAI,
	VENDOR_GEMINI,
	VENDOR_OSWORLD
};

/* Key-name dialects (vendor_key). */
enum vendor_keys {
	VENDOR_KEYS_XDOTOOL,	/* Anthropic: keys.c's names */
	VENDOR_KEYS_CUA,	/* OpenAI: CTRL, ENTER, ARROWUP, ... */
	VENDOR_KEYS_PLAYWRIGHT,	/* Gemini: Control, ArrowUp, Meta, ... */
	VENDOR_KEYS_PYAUTOGUI	/* OSWorld: ctrlleft, num0, pgdn, ... */
};

/* One model call: a tool_use block, a computer_call, a function call. */
struct vendor_call {
	char		*id;		/* tool_use id, call_id, Gemini's */
	char		*name;		/* member, function, action_type */
	char		*toolset;	/* Anthropic's toolset_name */
	json_t		*safety;	/* OpenAI's checks, Gemini's */
	size_t		 first;		/* its actions: acts[first.. */
	size_t		 n;		/* ..first + n) */
	int		 image;		/* always answers an image */
	int		 host_only;	/* OSWorld FAIL, DONE */
};

struct vendor_batch {
	enum vendor_kind	 kind;
	int			 snake;		/* function_call */
	struct vendor_call	*calls;
	size_t			 ncalls;
	struct proto_action	*acts;
	size_t			 nacts;
	/* Where parsing failed: the call and the field. */
	size_t			 err_call;
	char			*err_field;
	int			 err_coord;	/* outside the space */
};

/* What the parsers need to know of the session. */
struct vendor_ctx {
	int	 space_w, space_h;	/* the coordinate space */
	int	 screen_w, screen_h;
};

/* What a call came to, for the answer writers. */
enum vendor_state {
	VENDOR_DONE,
	VENDOR_FAILED,
	VENDOR_SKIPPED		/* after a failure: not executed */
};

struct vendor_result {
	enum vendor_state	 state;
	char			*error;		/* VENDOR_FAILED */
	char			*output;	/* cursor_position's text */
	struct evbuffer		*image;		/* PNG or JPEG */
	const char		*mime;		/* "image/png" ... */
	int			 w, h;
};

/*
 * The shape of a body: the vendor whose calls it holds, or -1 with cause
 * listing the shapes accepted.  A native body (proto/action.h) is 0 with
 * *native set.
 */
int		 vendor_detect(json_t *, enum vendor_kind *, int *native,
		    char **cause);
const char	*vendor_name(enum vendor_kind);
/* Parse body as kind's calls; -1 + cause, b->err_* naming the place. */
int		 vendor_parse(enum vendor_kind, json_t *,
		    const struct vendor_ctx *, struct vendor_batch *,
		    char **cause);
void		 vendor_batch_clear(struct vendor_batch *);

/*
 * The thing to append to the conversation, as JSON into out: Anthropic a
 * user message of tool_result blocks, OpenAI a list of
 * computer_call_output items, Gemini a user Content of function
 * responses (url is the focused page's, or ""), OSWorld null.
 */
void		 vendor_append(struct evbuffer *out,
		    const struct vendor_batch *, const struct vendor_result *,
		    const char *url);

/* ---- for the vendor files (vendor.c) ---- */

struct vendor_call	*vendor_call_add(struct vendor_batch *,
			    const char *name, char **cause);
struct proto_action	*vendor_act_add(struct vendor_batch *,
			    const struct vendor_ctx *, int type,
			    char **cause);
/* "call N (name): field: ...", field recorded for the error reply. */
int		 vendor_fail(struct vendor_batch *, char **cause,
		    const char *field, const char *fmt, ...)
		    __attribute__((format(printf, 4, 5)));
/* A JSON number with an integral value in [min, max] (512.0 counts). */
int		 vendor_int(json_t *, long min, long max, int *out);
/* A number of seconds to milliseconds in [0, max_ms]. */
int		 vendor_seconds(json_t *, int max_ms, int *out);
/* A string field (NULL when absent; -1 when not a string). */
int		 vendor_str(json_t *obj, const char *key, const char **out);
/*
 * Point (x, y) of obj's fields kx, ky in the space w x h: an error naming
 * the field ("at.kx") and the range when outside, never clamped.
 */
int		 vendor_point(struct vendor_batch *, json_t *obj,
		    const char *at, const char *kx, const char *ky, int w,
		    int h, int *x, int *y, char **cause);
/* One key name of a dialect to a keysym; NoSymbol when unknown. */
KeySym		 vendor_key(enum vendor_keys, const char *name);
/*
 * Key names (a JSON list, or one string split on sep when sep is not 0)
 * as a chord for keys.c: "Control_L+a".  NULL + cause naming the field.
 */
char		*vendor_chord(struct vendor_batch *, enum vendor_keys,
		    json_t *names, int sep, const char *field,
		    char **cause);
/* Wheel notches for a distance in pixels (0 for 0). */
int		 vendor_notches(long px);

/* JSON helpers for the answer writers. */
void		 vendor_add_string(struct evbuffer *, const char *);
void		 vendor_add_json(struct evbuffer *, json_t *);
/* The bytes of in as base64, straight into out (no copy of in). */
int		 vendor_add_base64(struct evbuffer *out,
		    struct evbuffer *in);

/* The vendors (vendor_*.c). */
int	 vendor_anthropic_match(json_t *);
int	 vendor_anthropic_parse(json_t *, const struct vendor_ctx *,
	    struct vendor_batch *, char **);
void	 vendor_anthropic_append(struct evbuffer *,
	    const struct vendor_batch *, const struct vendor_result *);
int	 vendor_openai_match(json_t *);
int	 vendor_openai_parse(json_t *, const struct vendor_ctx *,
	    struct vendor_batch *, char **);
void	 vendor_openai_append(struct evbuffer *,
	    const struct vendor_batch *, const struct vendor_result *);
int	 vendor_gemini_match(json_t *);
int	 vendor_gemini_parse(json_t *, const struct vendor_ctx *,
	    struct vendor_batch *, char **);
void	 vendor_gemini_append(struct evbuffer *,
	    const struct vendor_batch *, const struct vendor_result *,
	    const char *url);
int	 vendor_osworld_match(json_t *);
int	 vendor_osworld_parse(json_t *, const struct vendor_ctx *,
	    struct vendor_batch *, char **);

/* POST /v1/computer and /v1/computer/<vendor> (vendor_exec.c). */
void	 vendor_post_cb(struct http_req *, void *);

#endif
