/*
 * provider.h: where guests come from.  Each provider (provider_ec2.c,
 * local.c) fills this table; the guest commands (guest.c) and the wait
 * (wait.c) dispatch once on a record's "provider" field and never look
 * at an id's shape.  A new provider is one new file and one line in
 * provider.c.
 */
#ifndef PROVIDER_H
#define PROVIDER_H

#include <jansson.h>
#include <stddef.h>

struct cmd_opts;
struct state;
struct wait_ctx;
struct wait_target;

/* What terminate did to each guest. */
enum provider_end {
	PROVIDER_END_DONE,	/* terminated */
	PROVIDER_END_FORGOT,	/* the provider no longer knows it */
	PROVIDER_END_FAILED	/* still there; the provider said why */
};

struct provider {
	const char	*name;
	/*
	 * Start o->count guests.  *RECS gets a record (a new reference)
	 * for every guest started, also when it fails part way, so that
	 * the caller can record and clean them up.  Returns the exit code.
	 */
	int		(*launch)(struct cmd_opts *, json_t ***recs, size_t *n);
	/*
	 * One wait round over the targets whose provider this is: move
	 * them to running (with an URL) or fail them.  0, or -2 when
	 * interrupted.
	 */
	int		(*poll)(struct wait_ctx *, struct wait_target *,
			    size_t n);
	/*
	 * Append every live guest of this owner the provider can see to
	 * LIST (records with id, state, addresses, tags...).  Returns the
	 * exit code; what it could not search it said on stderr.
	 */
	int		(*list)(struct cmd_opts *, struct state *, json_t *list);
	/* Terminate RECS; END[i] for each.  Returns the exit code. */
	int		(*terminate)(struct cmd_opts *, json_t **recs, size_t n,
			    enum provider_end *end);
	/* 0 when the guest is known to be dead, with *WHY (new string). */
	int		(*alive)(json_t *rec, char **why);
};

extern const struct provider	 provider_ec2;
extern const struct provider	 provider_local;
/* All providers, local first (it never fails for the cloud's reasons). */
extern const struct provider	*provider_all[];

const struct provider	*provider_find(const char *name);
/* The provider of a record, or for an id not in the state file. */
const struct provider	*provider_of(json_t *rec);
const struct provider	*provider_guess(const char *id);

#endif
