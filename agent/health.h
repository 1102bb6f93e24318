/* health.h: GET /health, always open, cheap, no secrets. */
#ifndef HEALTH_H
#define HEALTH_H

struct http_server;
struct json_t;

/* Extra fields from other modules (cdp adds "chrome"). */
typedef void (*health_extra_cb)(void *obj, void *arg);

void	 health_init(struct http_server *);
void	 health_add_extra(health_extra_cb, void *);

#endif
