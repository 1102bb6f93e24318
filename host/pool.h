/*
 * pool.h: deskctl pool: warm guests on an EC2 Auto Scaling group
 * (proto/deskctl.md, "Pools").  The group is the engine (launching,
 * replacing, the warm pool of stopped instances, scale-in protection);
 * deskctl makes it, claims and releases its guests, and runs no daemon:
 * "pool reap" from cron does the shrinking.  Each verb returns the exit
 * code.
 */
#ifndef POOL_H
#define POOL_H

struct cmd_opts;

/* Names: letters, digits, - and _ (they go into group and template names). */
#define POOL_NAME_MAX		64
#define POOL_PREFIX		"deskd-pool-"
#define POOL_PROBE_MAX		8	/* /health probes per acquire round */
#define POOL_RAISE_AGAIN_MS	60000	/* a waiter asks again after this */
#define POOL_WAIT_FIRST_MS	250
#define POOL_WAIT_MAX_MS	2000
#define POOL_DEFAULT_IDLE_S	(30 * 60)	/* reap --idle */
#define POOL_DEFAULT_LEASE_S	(15 * 60)	/* reap --lease */
#define POOL_DELETE_TIMEOUT_S	300

int	pool_create(struct cmd_opts *, int argc, char **argv);
int	pool_ls(struct cmd_opts *, int argc, char **argv);
int	pool_status(struct cmd_opts *, int argc, char **argv);
int	pool_resize(struct cmd_opts *, int argc, char **argv);
int	pool_delete(struct cmd_opts *, int argc, char **argv);
int	pool_acquire(struct cmd_opts *, int argc, char **argv);
int	pool_release(struct cmd_opts *, int argc, char **argv);
int	pool_reap(struct cmd_opts *, int argc, char **argv);

#endif
