/*
 * wait.h: follow guests until their agent answers.  Each round asks the
 * guests' providers (provider.h) where they are: EC2 guests first reach
 * "running" (DescribeInstances in batches, InvalidInstanceID.NotFound
 * tolerated right after launch) and are looked at again while they come
 * up, local ones must still run; then every running guest's GET /health
 * on the chosen address is polled with backoff until it answers 200.
 * Each guest is reported the moment it is ready or failed.
 */
#ifndef WAIT_H
#define WAIT_H

#include <jansson.h>

struct provider;

enum wait_addr {
	WAIT_ADDR_AUTO = 0,	/* public when there is one, else private */
	WAIT_ADDR_PUBLIC,
	WAIT_ADDR_PRIVATE
};

struct wait_target {
	json_t			*rec;		/* state record, updated */
	const struct provider	*prov;
	int			 running;	/* may answer /health now */
	int			 up;		/* /health answered, not 200 */
	int			 ready;
	int			 failed;
	char			*error;
	double			 seconds;
	/* The provider's own bookkeeping. */
	long long		 next_ms;	/* its next look at this one */
	long			 every_ms;
	int			 solo;		/* ask for it on its own */
	/* The wait's. */
	char			*shown;		/* last state shown (ours) */
	int			 reported;
};

struct wait_ctx {
	enum wait_addr	 addr;
	const char	*map;		/* the address map test aid */
	const char	*region;	/* flags, for ids without a record */
	const char	*endpoint;
	const char	*profile;
	long long	 start_ms;	/* util_now_ms at the start */
	long long	 deadline_ms;
	/* A guest's state changed (pending, running, agent up, ...). */
	void		(*progress)(struct wait_ctx *, struct wait_target *,
			    const char *state);
	/* A guest is ready or failed: called once for each. */
	void		(*done)(struct wait_ctx *, struct wait_target *);
	void		*arg;
};

/*
 * Address map, a test aid: "FROM=HOST:PORT[,FROM=HOST:PORT...]" where FROM
 * is an instance address or "*".  Maps the agent URL of matching guests
 * (moto's fake addresses must never be contacted).  "@FILE" reads the map
 * from FILE each time, so a test can add guests while deskctl waits.
 * New string or NULL.
 */
char	*wait_map_addr(const char *map, const char *addr);
/*
 * The agent URL of a guest with these addresses, through the map: the
 * one ADDR picks ("auto": public when there is one).  NULL when it has
 * no such address.
 */
char	*wait_url(enum wait_addr, const char *map, const char *private_ip,
	    const char *public_ip);

/* For providers: the guest failed (sets the reason). */
void	 wait_fail(struct wait_target *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* For providers: the guest runs with these addresses; picks the URL. */
void	 wait_running(struct wait_ctx *, struct wait_target *,
	    const char *private_ip, const char *public_ip);
/* Milliseconds since the start (for progress lines). */
double	 wait_seconds(struct wait_ctx *);

/*
 * Wait for all targets until ready, failed or the deadline.  0 when all
 * are ready, -1 when any failed or timed out (see each target), -2 when
 * interrupted.
 */
int	 wait_targets(struct wait_ctx *, struct wait_target *, size_t n);

#endif
