/*
 * wait.h: follow guests until their agent answers.  EC2 guests first
 * reach "running" (DescribeInstances in batches, InvalidInstanceID.NotFound
 * tolerated right after launch), then every guest's GET /health on the
 * chosen address is polled with backoff until it answers 200.
 */
#ifndef WAIT_H
#define WAIT_H

#include <jansson.h>

struct aws;

enum wait_addr {
	WAIT_ADDR_AUTO = 0,	/* public when there is one, else private */
	WAIT_ADDR_PUBLIC,
	WAIT_ADDR_PRIVATE
};

struct wait_target {
	json_t		*rec;		/* state record, updated */
	struct aws	*aws;		/* EC2 guests; NULL for local */
	int		 running;	/* EC2 state reached running */
	int		 ready;
	int		 failed;
	char		*error;
	double		 seconds;
};

/*
 * Address map, a test aid: "FROM=HOST:PORT[,FROM=HOST:PORT...]" where FROM
 * is an instance address or "*".  Maps the agent URL of matching guests
 * (moto's fake addresses must never be contacted).  New string or NULL.
 */
char	*wait_map_addr(const char *map, const char *addr);

/*
 * Wait for all targets; START_MS is when the clock started (util_now_ms).
 * 0 when all are ready, -1 when any failed or timed out (see each target),
 * -2 when interrupted.
 */
int	 wait_targets(struct wait_target *, size_t n, enum wait_addr,
	    const char *addr_map, long long start_ms, long long timeout_s);

#endif
