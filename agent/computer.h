/*
 * computer.h: POST /v1/computer, the Anthropic computer-use tool input
 * (proto/action.h) run on the input queue, plus OSWorld's
 * GET /cursor_position and POST /screen_size from the same code.
 */
#ifndef COMPUTER_H
#define COMPUTER_H

struct http_server;

/*
 * Settle before "screenshot": true: the screen must be quiet this long
 * (XDamage), but no longer than the max, never a fixed sleep.
 */
#define COMPUTER_SETTLE_QUIET_MS	100
#define COMPUTER_SETTLE_MAX_MS		3000

void	 computer_init(struct http_server *);

#endif
