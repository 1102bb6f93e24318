/*
 * deskd.c: the process globals: the configuration main.c parsed, the time
 * deskd started, the monotonic clock every module measures with, and
 * what the native surface answers each kind of failure with.
 */
#include <time.h>

#include "deskd.h"

struct deskd_config	 deskd_cfg;
struct timespec		 deskd_started;

long long
deskd_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

double
deskd_now_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec * 1e6 + ts.tv_nsec / 1e3);
}

int
deskd_err_status(enum deskd_err kind)
{
	switch (kind) {
	case DESKD_EOK:
		return (200);
	case DESKD_EINPUT:
		return (400);
	case DESKD_EDENIED:
		return (403);
	case DESKD_ENOTFOUND:
		return (404);
	case DESKD_ESTATE:
		return (409);
	case DESKD_EBUSY:
	case DESKD_EDISPLAY:
		return (503);
	case DESKD_ESYSTEM:
		break;
	}
	return (500);
}
