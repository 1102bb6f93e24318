/* health.h: GET /health, always open, cheap, no secrets. */
#ifndef HEALTH_H
#define HEALTH_H

#include <jansson.h>

struct http_req;

/* Extra fields from other modules (cdp adds "chrome"). */
typedef void (*health_extra_cb)(json_t *, void *);

void	 health_add_extra(health_extra_cb, void *);
/* GET /health and /v1/health (v1.c's table). */
void	 health_cb(struct http_req *, void *);

#endif
