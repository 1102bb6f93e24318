/*
 * computer.h: the computer-use actions (proto/action.h) run on the input
 * queue: POST /v1/computer, the Anthropic computer-use tool input (v1.c's
 * table).
 *
 * The executor is not tied to the HTTP request, so another front end
 * (another vendor's action JSON turned into struct proto_action) builds
 * the same jobs: computer_build per action, then input_submit, with its own
 * call step producing its own result shape from computer_cursor and
 * computer_capture.
 */
#ifndef COMPUTER_H
#define COMPUTER_H

#include <jansson.h>

#include "input.h"

struct evbuffer;
struct http_req;
struct proto_action;

/*
 * Settle before "screenshot": true: the screen must be quiet this long
 * (XDamage), but no longer than the max, never a fixed sleep.
 */
#define COMPUTER_SETTLE_QUIET_MS	100
#define COMPUTER_SETTLE_MAX_MS		3000

/*
 * POST /v1/computer with a native body (vendor_exec.c tells the shapes
 * apart and hands these over); takes the body's reference.
 */
void	 computer_post_json(struct http_req *, json_t *body);

/*
 * Append the steps of action a to job, its coordinates mapped from its
 * coordinate_space to the sw x sh screen, then the settle "screenshot":
 * true asks for, then a call to cb (when not NULL).  Key names are parsed
 * and text decoded here, once: -1 + cause for what cannot be typed (the
 * job may hold some of a's steps: cancel it).  Reads no X state.
 */
int	 computer_build(struct input_job *job, const struct proto_action *a,
	    int sw, int sh, input_call_cb cb, void *arg, char **cause);
/* The pointer now, in a's coordinate space. */
int	 computer_cursor(const struct proto_action *a, int sw, int sh,
	    int *x, int *y, char **cause);
/* Whether a's result carries an image (screenshot, zoom, or asked for). */
int	 computer_wants_image(const struct proto_action *);
/*
 * Append to png the image a's result carries: the screen scaled to a's
 * coordinate_space, or zoom's region cropped from the native frame.
 */
int	 computer_capture(const struct proto_action *a, int sw, int sh,
	    struct evbuffer *png, int *w, int *h, char **cause);

#endif
