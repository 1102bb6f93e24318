/*
 * deskd.c: the process globals: the configuration main.c parsed, the time
 * deskd started, and the monotonic clock every module measures with.
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
