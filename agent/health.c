/*
 * health.c: GET /health.  Always open (deskctl polls it before it has a
 * token in hand), cheap, and it tells nothing secret: 200 while X answers,
 * 503 "degraded" with the reason while it does not.
 */
#include <sys/types.h>

#include <stdlib.h>
#include <time.h>

#include <jansson.h>

#include "deskd.h"
#include "display.h"
#include "health.h"
#include "http.h"
#include "xmalloc.h"

#define HEALTH_MAX_EXTRA	8

static struct {
	health_extra_cb	 cb;
	void		*arg;
} health_extra[HEALTH_MAX_EXTRA];
static int	 health_nextra;

void
health_add_extra(health_extra_cb cb, void *arg)
{
	if (health_nextra < HEALTH_MAX_EXTRA) {
		health_extra[health_nextra].cb = cb;
		health_extra[health_nextra].arg = arg;
		health_nextra++;
	}
}

void
health_cb(struct http_req *req, void *arg)
{
	json_t		*obj;
	long long	 uptime;
	int		 w, h, i, ok;

	uptime = deskd_now_ms() - ((long long)deskd_started.tv_sec * 1000 +
	    deskd_started.tv_nsec / 1000000);
	ok = display_screen_size(&w, &h) == 0;
	obj = json_pack("{s:s, s:s, s:I, s:s, s:b}",
	    "status", ok ? "ok" : "degraded",
	    "version", DESKD_VERSION,
	    "uptime_ms", (json_int_t)uptime,
	    "display", display_name() != NULL ? display_name() : "",
	    "x", ok);
	if (ok)
		json_object_set_new(obj, "screen",
		    json_pack("{s:i, s:i}", "width", w, "height", h));
	else
		json_object_set_new(obj, "reason",
		    json_string(display_reason()));
	for (i = 0; i < health_nextra; i++)
		health_extra[i].cb(obj, health_extra[i].arg);
	http_reply_json(req, ok ? 200 : 503, obj);
}
