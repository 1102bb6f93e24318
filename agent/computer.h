/*
 * computer.h: POST /v1/computer, the Anthropic computer-use tool input
 * (proto/action.h) run on the input queue.
 */
#ifndef COMPUTER_H
#define COMPUTER_H

struct http_req;

/*
 * Settle before "screenshot": true: the screen must be quiet this long
 * (XDamage), but no longer than the max, never a fixed sleep.
 */
#define COMPUTER_SETTLE_QUIET_MS	100
#define COMPUTER_SETTLE_MAX_MS		3000

/* POST /v1/computer (v1.c's table). */
void	 computer_post_cb(struct http_req *, void *);

#endif
