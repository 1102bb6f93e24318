/*
 * pool.c: deskctl pool (pool.h).
 *
 * A pool NAME is a launch template and an Auto Scaling group, both
 * "deskd-pool-NAME", tagged deskd:pool=NAME and deskd:owner, with an
 * optional warm pool of stopped instances and a simple scaling policy
 * that adds one guest (ASG_GROW_POLICY).  What only this host knows is
 * in $XDG_STATE_HOME/deskctl/pools/NAME.json (0600): the region, the
 * endpoints, and the pool's key pair, whose public half is in the
 * template's user data and whose secret half opens the token each guest
 * publishes sealed on its /health (seal.c).
 *
 * A guest is free when it is InService and Healthy for the group, its
 * agent answers /health, and it carries no claim tag (claim.c).  acquire
 * claims one, protects it from scale-in and records it like a launched
 * guest; release takes the claim and the protection back.  reap releases
 * claims whose holder is gone and hands idle guests back to the group.
 */
#include <sys/stat.h>

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "asg.h"
#include "aws.h"
#include "claim.h"
#include "client.h"
#include "cmd.h"
#include "compat.h"
#include "deskctl.h"
#include "ec2.h"
#include "guest.h"
#include "log.h"
#include "pool.h"
#include "provider_ec2.h"
#include "seal.h"
#include "state.h"
#include "userdata.h"
#include "util.h"
#include "wait.h"
#include "xmalloc.h"

/* Where a pool lives: its record and its two service contexts. */
struct pool_ctx {
	json_t		*rec;		/* the pool file */
	const char	*name;
	char		*group;		/* deskd-pool-NAME */
	struct aws	*ec2;
	struct aws	*asg;
};

/* One guest of the group, as the three sources see it. */
struct pool_guest {
	struct asg_instance	*ai;	/* the group's view */
	struct ec2_instance	*in;	/* EC2's (tags, addresses), or NULL */
	char			*url;
	json_t			*health; /* a 200 /health, or NULL */
	size_t			 nclaims;
	const char		*holder;
	time_t			 since;
	long long		 idle_s;	/* -1: unknown */
};

struct pool_view {
	struct asg_group	*g;
	size_t			 ng;
	struct ec2_instance	*ins;
	size_t			 nins;
	struct pool_guest	*guests;
	size_t			 n;
};

/* ---- the pool file ---- */

static int
pool_name_ok(const char *name)
{
	size_t	 n = strlen(name);

	if (n == 0 || n > POOL_NAME_MAX || strspn(name,
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
	    != n) {
		util_say("pool name %s: want 1 to %d letters, digits, - and _",
		    name, POOL_NAME_MAX);
		return (0);
	}
	return (1);
}

static char *
pool_path(const char *name, char **cause)
{
	char	*dir, *p;

	if ((dir = state_dir(cause)) == NULL)
		return (NULL);
	xasprintf(&p, "%s/pools", dir);
	if (mkdir(p, 0700) == -1 && errno != EEXIST) {
		xasprintf(cause, "mkdir %s: %s", p, strerror(errno));
		free(p);
		free(dir);
		return (NULL);
	}
	free(p);
	xasprintf(&p, "%s/pools/%s.json", dir, name);
	free(dir);
	return (p);
}

static json_t *
pool_load(const char *name, int quiet)
{
	json_t		*j;
	json_error_t	 err;
	char		*path, *text, *cause = NULL;
	size_t		 len;

	if ((path = pool_path(name, &cause)) == NULL) {
		util_say("%s", cause);
		free(cause);
		return (NULL);
	}
	if ((text = util_read_file(path, 1024 * 1024, &len, &cause)) == NULL) {
		if (!quiet)
			util_say("pool %s: not made on this host (%s)", name,
			    cause);
		free(cause);
		free(path);
		return (NULL);
	}
	j = json_loadb(text, len, 0, &err);
	explicit_bzero(text, len);
	free(text);
	if (!json_is_object(j) || state_str(j, "region") == NULL) {
		util_say("%s: not a deskctl pool file (%s)", path, j == NULL ?
		    err.text : "no region");
		json_decref(j);
		j = NULL;
	}
	free(path);
	return (j);
}

static int
pool_save(json_t *rec)
{
	char	*path, *text, *cause = NULL;
	int	 rv;

	if ((path = pool_path(state_str(rec, "name"), &cause)) == NULL) {
		util_say("%s", cause);
		free(cause);
		return (-1);
	}
	text = json_dumps(rec, JSON_INDENT(1) | JSON_SORT_KEYS);
	/* It holds the pool's secret key. */
	if ((rv = util_write_file(path, text, strlen(text), 0600,
	    &cause)) == -1) {
		util_say("%s", cause);
		free(cause);
	}
	util_free_secret(text);
	free(path);
	return (rv);
}

static void
pool_forget(const char *name)
{
	char	*path, *cause = NULL;

	if ((path = pool_path(name, &cause)) == NULL) {
		free(cause);
		return;
	}
	unlink(path);
	free(path);
}

/* The records of this pool's guests go from the state file. */
static void
pool_forget_guests(const char *name, const char *only_id)
{
	struct state	*s;
	json_t		*r;
	char		*cause = NULL;
	size_t		 i;

	if ((s = state_open(&cause)) == NULL) {
		util_say("state file: %s", cause);
		free(cause);
		return;
	}
	for (i = 0; i < json_array_size(state_instances(s));) {
		r = json_array_get(state_instances(s), i);
		if (state_str(r, "pool") != NULL &&
		    strcmp(state_str(r, "pool"), name) == 0 &&
		    (only_id == NULL || strcmp(state_str(r, "id"),
		    only_id) == 0))
			json_array_remove(state_instances(s), i);
		else
			i++;
	}
	if (state_save(s, &cause) == -1) {
		util_say("state file: %s", cause);
		free(cause);
	}
	state_close(s);
}

/* ---- contexts ---- */

static int
pool_contexts(struct cmd_opts *o, struct pool_ctx *c, const char *region,
    const char *ec2_ep, const char *asg_ep)
{
	char	*cause = NULL;
	int	 exitcode;

	if ((c->ec2 = aws_get(&aws_ec2, region, o->endpoint != NULL ?
	    o->endpoint : ec2_ep, o->profile, &cause, &exitcode)) == NULL ||
	    (c->asg = aws_get(&aws_autoscaling, c->ec2->region,
	    o->endpoint != NULL ? o->endpoint : asg_ep, o->profile, &cause,
	    &exitcode)) == NULL) {
		util_say("%s", cause);
		free(cause);
		return (exitcode);
	}
	return (DESKCTL_EXIT_OK);
}

/* The pool NAME from its file; the exit code. */
static int
pool_open(struct cmd_opts *o, const char *name, struct pool_ctx *c)
{
	memset(c, 0, sizeof *c);
	if (!pool_name_ok(name))
		return (DESKCTL_EXIT_USAGE);
	if ((c->rec = pool_load(name, 0)) == NULL)
		return (DESKCTL_EXIT_FAIL);
	c->name = state_str(c->rec, "name");
	xasprintf(&c->group, "%s%s", POOL_PREFIX, name);
	return (pool_contexts(o, c, state_str(c->rec, "region"),
	    state_str(c->rec, "endpoint"), state_str(c->rec, "asg_endpoint")));
}

static void
pool_close(struct pool_ctx *c)
{
	json_decref(c->rec);
	free(c->group);
}

/* An AWS failure said; its exit code. */
static int
pool_failed(const char *what, char *code, char *cause)
{
	int	 st;

	util_say("%s%s%s", what != NULL ? what : "", what != NULL ? ": " : "",
	    cause != NULL ? cause : "interrupted");
	st = util_interrupted ? DESKCTL_EXIT_INTERRUPTED : aws_exit_code(code);
	free(code);
	free(cause);
	return (st == DESKCTL_EXIT_OK ? DESKCTL_EXIT_FAIL : st);
}

static enum wait_addr
pool_addr(struct cmd_opts *o)
{
	return (o->connect != WAIT_ADDR_AUTO ? o->connect : o->addr ==
	    WAIT_ADDR_PRIVATE ? WAIT_ADDR_PRIVATE : WAIT_ADDR_AUTO);
}

static const char *
pool_map(struct cmd_opts *o)
{
	return (o->addr_map != NULL ? o->addr_map : getenv("DESKCTL_ADDR_MAP"));
}

/* ---- what the group, EC2 and the agents say ---- */

static void
pool_view_free(struct pool_view *v)
{
	size_t	 i;

	for (i = 0; i < v->n; i++) {
		free(v->guests[i].url);
		json_decref(v->guests[i].health);
	}
	free(v->guests);
	ec2_instances_free(v->ins, v->nins);
	asg_groups_free(v->g, v->ng);
	memset(v, 0, sizeof *v);
}

/*
 * The group and its instances; with HEALTH, the /health of each running
 * one.  The exit code (the group missing is DESKCTL_EXIT_FAIL).
 */
static int
pool_look(struct cmd_opts *o, struct pool_ctx *c, struct pool_view *v,
    int health)
{
	struct pool_guest	*pg;
	struct ec2_filter	 f[2];
	char			**urls, *code = NULL, *cause = NULL;
	json_t			**hs;
	const char		*key, *gv[1];
	const char		*states[] = { "pending", "running", "stopping",
				    "stopped", "shutting-down" };
	size_t			 i, j;

	memset(v, 0, sizeof *v);
	if (asg_describe(c->asg, c->group, NULL, &v->g, &v->ng, &code,
	    &cause) == -1)
		return (pool_failed(NULL, code, cause));
	if (v->ng == 0) {
		util_say("pool %s: no group %s in %s (deskctl pool delete %s "
		    "forgets it)", c->name, c->group, c->ec2->region, c->name);
		return (DESKCTL_EXIT_FAIL);
	}
	v->n = v->g[0].ninstances;
	v->guests = xcalloc(v->n + 1, sizeof *v->guests);
	for (i = 0; i < v->n; i++) {
		v->guests[i].ai = &v->g[0].instances[i];
		v->guests[i].idle_s = -1;
	}
	/*
	 * By the group's tag, not by ids: an instance the group has just
	 * launched may be unknown to DescribeInstances for a moment, and
	 * one unknown id fails a whole call by ids (it is then not a
	 * candidate yet, which is right).
	 */
	f[0].name = "tag:aws:autoscaling:groupName";
	f[0].values = gv;
	f[0].nvalues = 1;
	gv[0] = c->group;
	f[1].name = "instance-state-name";
	f[1].values = states;
	f[1].nvalues = sizeof states / sizeof states[0];
	if (v->n > 0 && ec2_describe(c->ec2, NULL, 0, f, 2, &v->ins,
	    &v->nins, &code, &cause) == -1) {
		pool_view_free(v);
		return (pool_failed(NULL, code, cause));
	}
	urls = xcalloc(v->n + 1, sizeof *urls);
	for (i = 0; i < v->n; i++) {
		pg = &v->guests[i];
		for (j = 0; j < v->nins; j++) {
			if (strcmp(v->ins[j].id, pg->ai->id) == 0)
				pg->in = &v->ins[j];
		}
		if (pg->in == NULL)
			continue;
		pg->nclaims = claim_count(pg->in);
		if (claim_oldest(pg->in, &key, &pg->holder, &pg->since) == -1)
			pg->holder = NULL;
		if (pg->in->state != NULL && strcmp(pg->in->state,
		    "running") == 0)
			pg->url = wait_url(pool_addr(o), pool_map(o),
			    pg->in->private_ip, pg->in->public_ip);
		urls[i] = pg->url;
	}
	if (health && v->n > 0) {
		hs = xcalloc(v->n, sizeof *hs);
		client_health_many(urls, v->n, DESKCTL_HEALTH_TIMEOUT_MS, hs);
		for (i = 0; i < v->n; i++) {
			v->guests[i].health = hs[i];
			if (hs[i] != NULL && json_is_integer(json_object_get(
			    hs[i], "idle_s")))
				v->guests[i].idle_s = json_integer_value(
				    json_object_get(hs[i], "idle_s"));
		}
		free(hs);
	}
	free(urls);
	return (DESKCTL_EXIT_OK);
}

static int
pool_in_service(const struct pool_guest *pg)
{
	return (pg->in != NULL && strcmp(pg->ai->lifecycle != NULL ?
	    pg->ai->lifecycle : "", "InService") == 0 &&
	    strcmp(pg->ai->health != NULL ? pg->ai->health : "",
	    "Healthy") == 0 && pg->in->state != NULL &&
	    strcmp(pg->in->state, "running") == 0);
}

static int
pool_free_guest(const struct pool_guest *pg)
{
	return (pool_in_service(pg) && pg->nclaims == 0 && pg->health != NULL);
}

/* "alice@host:1234": the claim's holder, this process. */
static char *
pool_holder(void)
{
	char	*owner, *h;

	owner = util_owner();
	xasprintf(&h, "%s:%ld", owner, (long)getpid());
	free(owner);
	return (h);
}

/* ---- create ---- */

static int
pool_check_sizes(struct cmd_opts *o, int min, int max, int desired)
{
	if (min > max || desired < min || desired > max) {
		util_say("%s: want --min <= --desired <= --max (got %d, %d, "
		    "%d)", o->cmd, min, desired, max);
		return (-1);
	}
	return (0);
}

/* Tags of the group, each propagated to the guests it launches. */
static struct ec2_tag *
pool_tags(struct cmd_opts *o, const char *name, char *owner, size_t *np)
{
	struct ec2_tag	*t;
	size_t		 i, n = 0;

	t = xcalloc(o->ntags + 3, sizeof *t);
	t[n].key = (char *)"Name";
	t[n++].value = (char *)name;
	for (i = 0; i < o->ntags; i++) {
		if (strcmp(o->tags[i].key, "Name") == 0)
			t[0].value = o->tags[i].value;
	}
	t[n].key = (char *)"deskd:pool";
	t[n++].value = (char *)name;
	t[n].key = (char *)"deskd:owner";
	t[n++].value = owner;
	for (i = 0; i < o->ntags; i++) {
		if (strcmp(o->tags[i].key, "Name") != 0)
			t[n++] = o->tags[i];
	}
	*np = n;
	return (t);
}

/* Until MIN guests answer /health: the exit code; *READY gets the count. */
static int
pool_wait_ready(struct cmd_opts *o, struct pool_ctx *c, int min,
    long long deadline, int *ready)
{
	struct pool_view	 v;
	long			 delay = POOL_WAIT_FIRST_MS;
	size_t			 i;
	int			 st;

	*ready = 0;
	for (;;) {
		if ((st = pool_look(o, c, &v, 1)) != DESKCTL_EXIT_OK)
			return (st);
		*ready = 0;
		for (i = 0; i < v.n; i++)
			*ready += pool_in_service(&v.guests[i]) &&
			    v.guests[i].health != NULL;
		pool_view_free(&v);
		if (*ready >= min)
			return (DESKCTL_EXIT_OK);
		if (util_now_ms() + delay > deadline)
			return (DESKCTL_EXIT_TIMEOUT);
		if (util_sleep_ms(delay) == -1)
			return (DESKCTL_EXIT_INTERRUPTED);
		delay = delay * 3 / 2 > POOL_WAIT_MAX_MS ? POOL_WAIT_MAX_MS :
		    delay * 3 / 2;
	}
}

/* Undo a create that failed part way: what it made goes, said so. */
static void
pool_undo(struct pool_ctx *c, int made_group, int made_template)
{
	char	*code = NULL, *cause = NULL;

	if (made_group && asg_delete(c->asg, c->group, &code, &cause) == -1) {
		util_say("could not delete group %s: %s (deskctl pool delete "
		    "%s)", c->group, cause, c->name);
		free(code);
		free(cause);
		return;
	}
	if (made_template && ec2_delete_template(c->ec2, c->group, &code,
	    &cause) == -1) {
		util_say("could not delete launch template %s: %s", c->group,
		    cause);
		free(code);
		free(cause);
		return;
	}
	pool_forget(c->name);
}

int
pool_create(struct cmd_opts *o, int argc, char **argv)
{
	struct pool_ctx		 c;
	struct ec2_launch	 l;
	struct ec2_image	*im = NULL;
	struct asg_create	 ac;
	struct userdata		 ud;
	struct ec2_tag		*tags = NULL;
	json_t			*rec;
	char			*pk = NULL, *sk = NULL, *ud_text = NULL;
	char			*owner = NULL, *code = NULL, *cause = NULL;
	char			*tpl = NULL, *hex = NULL, *ctoken = NULL;
	char			**zones = NULL, *now, *line;
	long long		 start = util_now_ms(), deadline;
	size_t			 ntags = 0, nzones = 0, i;
	int			 st, desired, made_group = 0, made_tpl = 0;
	int			 ready = 0;

	memset(&c, 0, sizeof c);
	if (argc != 1) {
		util_say("usage: deskctl pool create NAME --min N --max N ...");
		return (DESKCTL_EXIT_USAGE);
	}
	if (!pool_name_ok(argv[0]))
		return (DESKCTL_EXIT_USAGE);
	if (!o->min_set || !o->max_set) {
		util_say("pool create: --min and --max are needed");
		return (DESKCTL_EXIT_USAGE);
	}
	desired = o->desired_set ? o->pool_desired : o->pool_min;
	if (pool_check_sizes(o, o->pool_min, o->pool_max, desired) == -1)
		return (DESKCTL_EXIT_USAGE);
	/*
	 * "You can't add a warm pool to Auto Scaling groups that have a
	 * mixed instances policy or that launch Spot Instances" (EC2 Auto
	 * Scaling User Guide, warm pools, limitations).
	 */
	if (o->spot_percent > 0 && o->warm > 0) {
		util_say("pool create: --spot-percent and --warm do not go "
		    "together (EC2 Auto Scaling has no warm pools for spot "
		    "or mixed groups)");
		return (DESKCTL_EXIT_USAGE);
	}
	if ((rec = pool_load(argv[0], 1)) != NULL) {
		util_say("pool %s exists (in %s); deskctl pool delete %s first",
		    argv[0], state_str(rec, "region"), argv[0]);
		json_decref(rec);
		return (DESKCTL_EXIT_FAIL);
	}
	c.name = argv[0];
	xasprintf(&c.group, "%s%s", POOL_PREFIX, c.name);
	if ((st = pool_contexts(o, &c, o->region, NULL, NULL)) !=
	    DESKCTL_EXIT_OK)
		goto out;
	c.ec2->abortable = c.asg->abortable = 1;
	if ((st = provider_ec2_image(c.ec2, o, &im)) != DESKCTL_EXIT_OK)
		goto out;
	if (!o->allow_open && o->ngroups > 0 &&
	    (st = provider_ec2_groups_ok(c.ec2, o)) != DESKCTL_EXIT_OK)
		goto out;
	if (o->subnet == NULL && ec2_zones(c.ec2, &zones, &nzones, &code,
	    &cause) == -1) {
		st = pool_failed("pool create", code, cause);
		goto out;
	}

	/* The key pair, saved before anything is made: delete finds it. */
	if (seal_keypair(&pk, &sk, &cause) == -1) {
		util_say("%s", cause);
		free(cause);
		st = DESKCTL_EXIT_FAIL;
		goto out;
	}
	now = util_time_iso(time(NULL));
	c.rec = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
	    "name", c.name, "region", c.ec2->region, "endpoint",
	    c.ec2->endpoint, "asg_endpoint", c.asg->endpoint, "group",
	    c.group, "public_key", pk, "secret_key", sk, "created_at", now);
	free(now);
	if (pool_save(c.rec) == -1) {
		st = DESKCTL_EXIT_FAIL;
		goto out;
	}
	c.ec2->abortable = c.asg->abortable = 0;

	owner = util_owner();
	tags = pool_tags(o, c.name, owner, &ntags);
	memset(&ud, 0, sizeof ud);
	ud.pool_key = pk;
	ud.allow = o->allow;
	ud.nallow = o->nallow;
	ud.idle_shutdown = o->idle_shutdown;
	ud_text = userdata_build(&ud);
	if ((hex = util_random_hex(16, &cause)) == NULL) {
		util_say("%s", cause);
		free(cause);
		st = DESKCTL_EXIT_FAIL;
		goto undo;
	}
	xasprintf(&ctoken, "deskctl-%s", hex);
	memset(&l, 0, sizeof l);
	l.ami = im->id;
	l.root_device = im->root_device;
	l.type = o->type;
	l.count = 1;
	l.groups = o->groups;
	l.ngroups = o->ngroups;
	l.key_name = o->key_name;
	l.disk_gb = o->disk_gb;
	l.volume_type = o->volume_type;
	l.iops = o->iops;
	l.throughput = o->throughput;
	l.iam_profile = o->iam_profile;
	l.monitoring = o->monitoring;
	l.public_ip = o->addr == WAIT_ADDR_PUBLIC ? 1 :
	    o->addr == WAIT_ADDR_PRIVATE ? 0 : -1;
	l.client_token = ctoken;
	l.user_data = ud_text;
	l.tags = tags;
	l.ntags = ntags;
	if ((tpl = ec2_create_template(c.ec2, c.group, &l, tags + 1,
	    ntags - 1, &code, &cause)) == NULL) {
		st = pool_failed("pool create", code, cause);
		goto undo;
	}
	made_tpl = 1;
	log_debug("launch template %s (%s)", c.group, tpl);

	memset(&ac, 0, sizeof ac);
	ac.name = c.group;
	ac.template = c.group;
	ac.min = o->pool_min;
	ac.max = o->pool_max;
	ac.desired = desired;
	ac.subnets = o->subnet;
	ac.zones = (const char **)zones;
	ac.nzones = nzones;
	ac.type = o->type;
	ac.spot_percent = o->spot_percent > 0 ? o->spot_percent : -1;
	ac.tags = tags;
	ac.ntags = ntags;
	if (asg_create(c.asg, &ac, &code, &cause) == -1) {
		st = pool_failed("pool create", code, cause);
		goto undo;
	}
	made_group = 1;
	if (asg_put_grow_policy(c.asg, c.group, &code, &cause) == -1) {
		st = pool_failed("pool create", code, cause);
		goto undo;
	}
	if (o->warm > 0 && asg_put_warm_pool(c.asg, c.group, o->warm,
	    o->warm_state, &code, &cause) == -1) {
		st = pool_failed("pool create", code, cause);
		goto undo;
	}
	if (util_interrupted) {
		util_say("interrupted: deleting what pool create made");
		util_interrupted = 0;
		st = DESKCTL_EXIT_INTERRUPTED;
		goto undo;
	}
	st = DESKCTL_EXIT_OK;
	if (!o->no_wait && o->pool_min > 0) {
		deadline = start + (o->timeout_set ? o->timeout :
		    DESKCTL_WAIT_TIMEOUT_S) * 1000;
		st = pool_wait_ready(o, &c, o->pool_min, deadline, &ready);
		if (st == DESKCTL_EXIT_TIMEOUT)
			util_say("pool %s: %d of %d guests ready at the "
			    "timeout; the pool stays (deskctl pool status %s)",
			    c.name, ready, o->pool_min, c.name);
	}
	if (o->json) {
		rec = json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:i, "
		    "s:i, s:f}", "pool", c.name, "group", c.group, "template",
		    tpl, "region", c.ec2->region, "min", o->pool_min, "max",
		    o->pool_max, "desired", desired, "warm", o->warm, "ready",
		    ready, "seconds", (util_now_ms() - start) / 1000.0);
		if (o->spot_percent > 0)
			json_object_set_new(rec, "spot_percent",
			    json_integer(o->spot_percent));
		line = json_dumps(rec, JSON_COMPACT | JSON_REAL_PRECISION(6));
		printf("%s\n", line);
		free(line);
		json_decref(rec);
	} else
		printf("pool %s: group %s, template %s, region %s, min %d max "
		    "%d desired %d warm %d%s; %d ready in %.1f s\n", c.name,
		    c.group, tpl, c.ec2->region, o->pool_min, o->pool_max,
		    desired, o->warm, o->spot_percent > 0 ? ", spot" : "",
		    ready, (util_now_ms() - start) / 1000.0);
	goto out;
undo:
	pool_undo(&c, made_group, made_tpl);
out:
	if (im != NULL)
		ec2_images_free(im, 1);
	for (i = 0; i < nzones; i++)
		free(zones[i]);
	free(zones);
	free(tags);
	free(owner);
	free(pk);
	util_free_secret(sk);
	free(ud_text);
	free(tpl);
	free(hex);
	free(ctoken);
	pool_close(&c);
	return (st);
}

/* ---- ls, status ---- */

int
pool_ls(struct cmd_opts *o, int argc, char **argv)
{
	struct asg_group	*g = NULL;
	struct aws		*a;
	json_t			*j;
	char			*owner, *code = NULL, *cause = NULL, *s;
	size_t			 n = 0, i, j2, up;
	int			 exitcode;

	if (argc != 0) {
		util_say("pool ls: unexpected argument %s", argv[0]);
		return (DESKCTL_EXIT_USAGE);
	}
	if ((a = aws_get(&aws_autoscaling, o->region, o->endpoint, o->profile,
	    &cause, &exitcode)) == NULL) {
		util_say("%s", cause);
		free(cause);
		return (exitcode);
	}
	owner = util_owner();
	if (asg_describe(a, NULL, owner, &g, &n, &code, &cause) == -1) {
		free(owner);
		return (pool_failed(NULL, code, cause));
	}
	free(owner);
	if (!o->json)
		printf("%-20s %-12s %4s %4s %7s %10s %5s %s\n", "POOL",
		    "REGION", "MIN", "MAX", "DESIRED", "IN_SERVICE", "WARM",
		    "STATUS");
	for (i = 0; i < n; i++) {
		up = 0;
		for (j2 = 0; j2 < g[i].ninstances; j2++)
			up += strcmp(g[i].instances[j2].lifecycle != NULL ?
			    g[i].instances[j2].lifecycle : "", "InService") ==
			    0;
		if (o->json) {
			j = json_pack("{s:s?, s:s, s:s, s:i, s:i, s:i, s:i, "
			    "s:i, s:s?}", "pool", asg_tag(&g[i], "deskd:pool"),
			    "group", g[i].name, "region", a->region, "min",
			    g[i].min, "max", g[i].max, "desired", g[i].desired,
			    "in_service", (int)up, "warm", g[i].warm_min,
			    "status", g[i].status);
			s = json_dumps(j, JSON_COMPACT);
			printf("%s\n", s);
			free(s);
			json_decref(j);
		} else
			printf("%-20s %-12s %4d %4d %7d %10zu %5s %s\n",
			    asg_tag(&g[i], "deskd:pool"), a->region, g[i].min,
			    g[i].max, g[i].desired, up, g[i].warm_min < 0 ?
			    "-" : "yes", g[i].status != NULL ? g[i].status :
			    "ok");
	}
	asg_groups_free(g, n);
	return (DESKCTL_EXIT_OK);
}

int
pool_status(struct cmd_opts *o, int argc, char **argv)
{
	struct pool_ctx		 c;
	struct pool_view	 v;
	struct pool_guest	*pg;
	struct asg_instance	*warm = NULL;
	json_t			*j, *rows, *row;
	char			*code = NULL, *cause = NULL, *s, when[32];
	char			 idle_s[32];
	size_t			 nwarm = 0, i;
	int			 st, in_service = 0, busy = 0, idle = 0;
	int			 pending = 0, down = 0;

	if (argc != 1) {
		util_say("usage: deskctl pool status NAME");
		return (DESKCTL_EXIT_USAGE);
	}
	if ((st = pool_open(o, argv[0], &c)) != DESKCTL_EXIT_OK) {
		pool_close(&c);
		return (st);
	}
	if ((st = pool_look(o, &c, &v, 1)) != DESKCTL_EXIT_OK) {
		pool_close(&c);
		return (st);
	}
	if (v.g[0].warm_min >= 0 && asg_warm_instances(c.asg, c.group, &warm,
	    &nwarm, &code, &cause) == -1) {
		util_say("warm pool: %s", cause);
		free(code);
		free(cause);
	}
	rows = json_array();
	for (i = 0; i < v.n; i++) {
		pg = &v.guests[i];
		if (pool_in_service(pg)) {
			in_service++;
			if (pg->nclaims > 0)
				busy++;
			else if (pg->health != NULL)
				idle++;
			else
				down++;
		} else if (strncmp(pg->ai->lifecycle != NULL ?
		    pg->ai->lifecycle : "", "Pending", 7) == 0)
			pending++;
		when[0] = '\0';
		if (pg->holder != NULL && pg->since > 0)
			strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ",
			    gmtime(&pg->since));
		row = json_pack("{s:s, s:s?, s:s?, s:b, s:s, s:s?, s:s?, "
		    "s:s?}", "id", pg->ai->id, "lifecycle", pg->ai->lifecycle,
		    "health", pg->ai->health, "protected", pg->ai->protected,
		    "agent", pg->health != NULL ? "ready" : "down", "holder",
		    pg->holder, "since", when[0] != '\0' ? when : NULL, "url",
		    pg->url);
		json_object_set_new(row, "busy", json_boolean(pg->nclaims > 0));
		json_object_set_new(row, "idle_s", pg->idle_s >= 0 ?
		    json_integer(pg->idle_s) : json_null());
		json_array_append_new(rows, row);
	}
	if (o->json) {
		j = json_pack("{s:s, s:s, s:s, s:i, s:i, s:i, s:i, s:i, s:i, "
		    "s:i, s:i, s:i, s:o}", "pool", c.name, "group", c.group,
		    "region", c.ec2->region, "min", v.g[0].min, "max",
		    v.g[0].max, "desired", v.g[0].desired, "in_service",
		    in_service, "warm", (int)nwarm, "busy", busy, "idle", idle,
		    "pending", pending, "down", down, "guests", rows);
		s = json_dumps(j, JSON_COMPACT);
		printf("%s\n", s);
		free(s);
		json_decref(j);
	} else {
		printf("pool %s: group %s (%s), min %d max %d desired %d; "
		    "in service %d, warm %zu, busy %d, idle %d, pending %d, "
		    "agent down %d\n", c.name, c.group, c.ec2->region,
		    v.g[0].min, v.g[0].max, v.g[0].desired, in_service, nwarm,
		    busy, idle, pending, down);
		printf("%-20s %-16s %-6s %-5s %7s %-32s %s\n", "ID",
		    "LIFECYCLE", "AGENT", "BUSY", "IDLE_S", "HOLDER", "URL");
		json_array_foreach(rows, i, row) {
			if (v.guests[i].idle_s >= 0)
				snprintf(idle_s, sizeof idle_s, "%lld",
				    v.guests[i].idle_s);
			else
				strlcpy(idle_s, "-", sizeof idle_s);
			printf("%-20s %-16s %-6s %-5s %7s %-32s %s\n",
			    state_str(row, "id"), state_str(row, "lifecycle") !=
			    NULL ? state_str(row, "lifecycle") : "-",
			    state_str(row, "agent"), json_is_true(
			    json_object_get(row, "busy")) ? "yes" : "no",
			    idle_s, state_str(row, "holder") != NULL ?
			    state_str(row, "holder") : "-",
			    state_str(row, "url") != NULL ?
			    state_str(row, "url") : "-");
		}
		json_decref(rows);
	}
	asg_instances_free(warm, nwarm);
	pool_view_free(&v);
	pool_close(&c);
	return (DESKCTL_EXIT_OK);
}

/* ---- resize, delete ---- */

int
pool_resize(struct cmd_opts *o, int argc, char **argv)
{
	struct pool_ctx		 c;
	struct pool_view	 v;
	char			*code = NULL, *cause = NULL;
	int			 st, min, max, desired;

	if (argc != 1 || (!o->min_set && !o->max_set && !o->desired_set &&
	    !o->warm_set)) {
		util_say("usage: deskctl pool resize NAME [--min N] [--max N] "
		    "[--desired N] [--warm N]");
		return (DESKCTL_EXIT_USAGE);
	}
	if ((st = pool_open(o, argv[0], &c)) != DESKCTL_EXIT_OK ||
	    (st = pool_look(o, &c, &v, 0)) != DESKCTL_EXIT_OK) {
		pool_close(&c);
		return (st);
	}
	min = o->min_set ? o->pool_min : v.g[0].min;
	max = o->max_set ? o->pool_max : v.g[0].max;
	desired = o->desired_set ? o->pool_desired : v.g[0].desired;
	if (desired < min)
		desired = min;
	if (desired > max)
		desired = max;
	if (pool_check_sizes(o, min, max, desired) == -1) {
		st = DESKCTL_EXIT_USAGE;
		goto out;
	}
	if ((o->min_set || o->max_set || o->desired_set ||
	    desired != v.g[0].desired) && asg_update(c.asg, c.group, min, max,
	    desired, &code, &cause) == -1) {
		st = pool_failed("pool resize", code, cause);
		goto out;
	}
	if (o->warm_set && o->warm == 0 && v.g[0].warm_min >= 0 &&
	    asg_delete_warm_pool(c.asg, c.group, &code, &cause) == -1) {
		st = pool_failed("pool resize", code, cause);
		goto out;
	}
	if (o->warm_set && o->warm > 0) {
		if (v.g[0].mixed && v.g[0].spot_percent > 0) {
			util_say("pool resize: a spot pool has no warm pool");
			st = DESKCTL_EXIT_USAGE;
			goto out;
		}
		if (asg_put_warm_pool(c.asg, c.group, o->warm, o->warm_state !=
		    NULL ? o->warm_state : v.g[0].warm_state, &code,
		    &cause) == -1) {
			st = pool_failed("pool resize", code, cause);
			goto out;
		}
	}
	printf("pool %s: min %d max %d desired %d%s\n", c.name, min, max,
	    desired, o->warm_set ? (o->warm > 0 ? ", warm pool resized" :
	    ", no warm pool") : "");
out:
	pool_view_free(&v);
	pool_close(&c);
	return (st);
}

/* The pool's instances EC2 still has running or stopped. */
static int
pool_leftovers(struct pool_ctx *c, struct ec2_instance **list, size_t *n,
    char **code, char **cause)
{
	struct ec2_filter	 f[3];
	const char		*pv[1], *gv[1];
	const char		*states[] = { "pending", "running", "stopping",
				    "stopped" };

	pv[0] = c->name;
	gv[0] = c->group;
	f[0].name = "tag:deskd:pool";
	f[0].values = pv;
	f[0].nvalues = 1;
	f[1].name = "tag:aws:autoscaling:groupName";
	f[1].values = gv;
	f[1].nvalues = 1;
	f[2].name = "instance-state-name";
	f[2].values = states;
	f[2].nvalues = 4;
	return (ec2_describe(c->ec2, NULL, 0, f, 3, list, n, code, cause));
}

int
pool_delete(struct cmd_opts *o, int argc, char **argv)
{
	struct pool_ctx		 c;
	struct asg_group	*g = NULL;
	struct ec2_instance	*left = NULL;
	char			**ids, *code = NULL, *cause = NULL;
	long long		 deadline;
	long			 delay = POOL_WAIT_FIRST_MS;
	size_t			 ng = 0, nleft = 0, i, killed = 0;
	int			 st, tpl;

	if (argc != 1) {
		util_say("usage: deskctl pool delete NAME");
		return (DESKCTL_EXIT_USAGE);
	}
	if ((st = pool_open(o, argv[0], &c)) != DESKCTL_EXIT_OK) {
		pool_close(&c);
		return (st);
	}
	deadline = util_now_ms() + (o->timeout_set ? o->timeout :
	    POOL_DELETE_TIMEOUT_S) * 1000;
	if (asg_describe(c.asg, c.group, NULL, &g, &ng, &code, &cause) == -1) {
		st = pool_failed("pool delete", code, cause);
		goto out;
	}
	if (ng > 0) {
		/*
		 * Nothing may start again, nothing is protected (scale-in
		 * protection keeps an instance through a scale to 0), then
		 * the group goes with its instances (ForceDelete).
		 */
		if (asg_update(c.asg, c.group, 0, 0, 0, &code, &cause) == -1) {
			st = pool_failed("pool delete", code, cause);
			goto out;
		}
		ids = xcalloc(g[0].ninstances + 1, sizeof *ids);
		for (i = 0; i < g[0].ninstances; i++)
			ids[i] = g[0].instances[i].id;
		if (g[0].ninstances > 0 && asg_protect(c.asg, c.group, ids,
		    g[0].ninstances, 0, &code, &cause) == -1) {
			log_info("unprotect: %s", cause);
			free(code);
			free(cause);
			code = cause = NULL;
		}
		free(ids);
		if (g[0].warm_min >= 0 && asg_delete_warm_pool(c.asg, c.group,
		    &code, &cause) == -1) {
			log_info("delete warm pool: %s", cause);
			free(code);
			free(cause);
			code = cause = NULL;
		}
		if (asg_delete(c.asg, c.group, &code, &cause) == -1) {
			st = pool_failed("pool delete", code, cause);
			goto out;
		}
	}
	/* Verified: no group, no template, no instance running or stopped. */
	for (;;) {
		asg_groups_free(g, ng);
		g = NULL;
		if (asg_describe(c.asg, c.group, NULL, &g, &ng, &code,
		    &cause) == -1) {
			st = pool_failed("pool delete", code, cause);
			goto out;
		}
		ec2_instances_free(left, nleft);
		left = NULL;
		if (pool_leftovers(&c, &left, &nleft, &code, &cause) == -1) {
			st = pool_failed("pool delete", code, cause);
			goto out;
		}
		if (nleft > 0) {
			/* The group's own deletion missed them: ours to end. */
			ids = xcalloc(nleft, sizeof *ids);
			for (i = 0; i < nleft; i++)
				ids[i] = left[i].id;
			if (ec2_terminate(c.ec2, ids, nleft, &code,
			    &cause) == -1) {
				log_info("terminate: %s", cause);
				free(code);
				free(cause);
				code = cause = NULL;
			} else
				killed += nleft;
			free(ids);
		}
		if (ng == 0 && nleft == 0)
			break;
		if (util_now_ms() + delay > deadline) {
			util_say("pool delete %s: after the timeout, %s%zu "
			    "instance(s) still running or stopped (deskctl "
			    "pool delete %s again)", c.name, ng > 0 ?
			    "the group is still there, " : "", nleft, c.name);
			st = DESKCTL_EXIT_FAIL;
			goto out;
		}
		if (util_sleep_ms(delay) == -1) {
			st = DESKCTL_EXIT_INTERRUPTED;
			goto out;
		}
		delay = delay * 3 / 2 > POOL_WAIT_MAX_MS ? POOL_WAIT_MAX_MS :
		    delay * 3 / 2;
	}
	if ((tpl = ec2_template_exists(c.ec2, c.group, &code, &cause)) == -1) {
		st = pool_failed("pool delete", code, cause);
		goto out;
	}
	if (tpl && ec2_delete_template(c.ec2, c.group, &code, &cause) == -1) {
		st = pool_failed("pool delete", code, cause);
		goto out;
	}
	pool_forget_guests(c.name, NULL);
	pool_forget(c.name);
	printf("deleted pool %s: group, warm pool and template %s%s; nothing "
	    "of it runs\n", c.name, c.group, killed > 0 ? " (and instances "
	    "the group left)" : "");
	st = DESKCTL_EXIT_OK;
out:
	asg_groups_free(g, ng);
	ec2_instances_free(left, nleft);
	pool_close(&c);
	return (st);
}

/* ---- acquire, release ---- */

/* Shuffle (Fisher-Yates): concurrent acquirers spread over the guests. */
static void
pool_shuffle(size_t *v, size_t n)
{
	size_t	 i, j, t;

	for (i = n; i > 1; i--) {
		j = (size_t)util_backoff_ms(30, 1, 1L << 30) % i;
		t = v[i - 1];
		v[i - 1] = v[j];
		v[j] = t;
	}
}

/*
 * Hold guest PG: claim, open its token, protect it, record it.  1 when
 * held (and printed), 0 when lost or unusable, -1 on an error (said).
 */
static int
pool_take(struct cmd_opts *o, struct pool_ctx *c, struct pool_guest *pg,
    const char *holder, long long start)
{
	struct wait_target	 t;
	json_t			*rec;
	char			*key = NULL, *token = NULL, *code = NULL;
	char			*cause = NULL, *ids[1], *now;
	int			 rv;

	rv = claim_try(c->ec2, pg->ai->id, holder, &key, &code, &cause);
	if (rv != 1) {
		if (rv == -1) {
			util_say("%s: claim: %s", pg->ai->id, cause);
			free(code);
			free(cause);
		}
		return (rv);
	}
	token = seal_open(state_str(pg->health, "sealed_token"),
	    state_str(c->rec, "public_key"), state_str(c->rec, "secret_key"),
	    pg->ai->id, &cause);
	ids[0] = pg->ai->id;
	if (token == NULL || asg_protect(c->asg, c->group, ids, 1, 1, &code,
	    &cause) == -1) {
		util_say("%s: %s; skipped", pg->ai->id, cause);
		free(code);
		free(cause);
		code = cause = NULL;
		if (claim_drop(c->ec2, pg->ai->id, NULL, key, &code,
		    &cause) == -1) {
			util_say("%s: %s", pg->ai->id, cause);
			free(code);
			free(cause);
		}
		util_free_secret(token);
		free(key);
		return (0);
	}
	now = util_time_iso(time(NULL));
	rec = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, "
	    "s:s?, s:s?, s:s?}", "id", pg->ai->id, "provider", "ec2", "state",
	    "ready", "region", c->ec2->region, "endpoint", c->ec2->endpoint,
	    "token", token, "pool", c->name, "claim", key, "acquired_at", now,
	    "launched_at", now, "private_ip", pg->in->private_ip,
	    "public_ip", pg->in->public_ip, "url", pg->url);
	free(now);
	guest_save(&rec, 1, 0);
	memset(&t, 0, sizeof t);
	t.rec = rec;
	t.ready = 1;
	t.seconds = (util_now_ms() - start) / 1000.0;
	guest_print(o, &t, 1);
	json_decref(rec);
	util_free_secret(token);
	free(key);
	return (1);
}

int
pool_acquire(struct cmd_opts *o, int argc, char **argv)
{
	struct pool_ctx		 c;
	struct pool_view	 v;
	char			*holder, **urls, *code = NULL, *cause = NULL;
	json_t			**hs;
	long long		 start = util_now_ms(), deadline;
	long long		 raised_ms = 0;
	long			 delay = POOL_WAIT_FIRST_MS;
	size_t			*cand, ncand, nprobe, i, k;
	int			 st, rv, coming, held = 0, said = 0;

	if (argc != 1) {
		util_say("usage: deskctl pool acquire NAME [--timeout D]");
		return (DESKCTL_EXIT_USAGE);
	}
	if ((st = pool_open(o, argv[0], &c)) != DESKCTL_EXIT_OK) {
		pool_close(&c);
		return (st);
	}
	deadline = start + (o->timeout_set ? o->timeout :
	    DESKCTL_WAIT_TIMEOUT_S) * 1000;
	holder = pool_holder();
	while (!held) {
		if ((st = pool_look(o, &c, &v, 0)) != DESKCTL_EXIT_OK)
			break;
		/* Free for the group, untagged; the agents are asked next. */
		cand = xcalloc(v.n + 1, sizeof *cand);
		ncand = coming = 0;
		for (i = 0; i < v.n; i++) {
			if (pool_in_service(&v.guests[i]) &&
			    v.guests[i].nclaims == 0 && v.guests[i].url != NULL)
				cand[ncand++] = i;
			else if (v.guests[i].nclaims == 0 &&
			    strncmp(v.guests[i].ai->lifecycle != NULL ?
			    v.guests[i].ai->lifecycle : "", "Pending", 7) == 0)
				coming++;
		}
		pool_shuffle(cand, ncand);
		nprobe = ncand > POOL_PROBE_MAX ? POOL_PROBE_MAX : ncand;
		urls = xcalloc(nprobe + 1, sizeof *urls);
		hs = xcalloc(nprobe + 1, sizeof *hs);
		for (k = 0; k < nprobe; k++)
			urls[k] = v.guests[cand[k]].url;
		if (nprobe > 0)
			client_health_many(urls, nprobe,
			    DESKCTL_HEALTH_TIMEOUT_MS, hs);
		for (k = 0; k < nprobe && !held && !util_interrupted; k++) {
			v.guests[cand[k]].health = hs[k];
			hs[k] = NULL;
			if (v.guests[cand[k]].health == NULL) {
				/* In service, agent not up yet: booting. */
				coming++;
				continue;
			}
			rv = pool_take(o, &c, &v.guests[cand[k]], holder,
			    start);
			if (rv == 1)
				held = 1;
		}
		for (k = 0; k < nprobe; k++)
			json_decref(hs[k]);
		free(hs);
		free(urls);
		/*
		 * None free: one more guest, once, and again only when
		 * nothing is on its way for a while (each waiter adds its
		 * own one: ExecutePolicy, not a read-modify-write).
		 */
		if (!held && ncand == 0 && !util_interrupted &&
		    (raised_ms == 0 ? coming == 0 : util_now_ms() - raised_ms >
		    POOL_RAISE_AGAIN_MS)) {
			if (v.g[0].desired >= v.g[0].max) {
				if (!said++)
					util_say("pool %s: all %d guests busy "
					    "and the group is at its --max %d; "
					    "waiting for a release", c.name,
					    v.g[0].desired, v.g[0].max);
			} else if (asg_grow(c.asg, c.group, &code,
			    &cause) == -1) {
				util_say("pool %s: could not add a guest: %s",
				    c.name, cause);
				free(code);
				free(cause);
				code = cause = NULL;
			} else {
				util_say("pool %s: no free guest; asked the "
				    "group for one more (desired %d)", c.name,
				    v.g[0].desired + 1);
				raised_ms = util_now_ms();
			}
		}
		free(cand);
		pool_view_free(&v);
		if (held)
			break;
		if (util_interrupted) {
			st = DESKCTL_EXIT_INTERRUPTED;
			break;
		}
		if (util_now_ms() + delay > deadline) {
			util_say("pool %s: no free guest before the timeout",
			    c.name);
			st = DESKCTL_EXIT_TIMEOUT;
			break;
		}
		if (util_sleep_ms(delay) == -1) {
			st = DESKCTL_EXIT_INTERRUPTED;
			break;
		}
		delay = delay * 3 / 2 > POOL_WAIT_MAX_MS ? POOL_WAIT_MAX_MS :
		    delay * 3 / 2;
	}
	free(holder);
	pool_close(&c);
	return (held ? DESKCTL_EXIT_OK : st);
}

/*
 * release --reset: the guest's own reset (POST /v1/reset: the recording
 * stopped, what deskd started ended, --reset-command run), before it is
 * handed back.  The exit code.
 */
static int
pool_reset(json_t *rec)
{
	char	*cause = NULL;

	if (client_reset(state_str(rec, "url"), state_str(rec, "token"),
	    &cause) == -1) {
		util_say("%s: reset: %s (not released)", state_str(rec, "id"),
		    cause);
		free(cause);
		return (DESKCTL_EXIT_FAIL);
	}
	return (DESKCTL_EXIT_OK);
}

/* Release one guest; the exit code. */
static int
pool_release_one(struct cmd_opts *o, const char *id)
{
	struct pool_ctx		 c;
	struct ec2_instance	*list = NULL;
	struct state		*s;
	json_t			*rec = NULL;
	const char		*pool, *key;
	char			*ids[1], *code = NULL, *cause = NULL;
	size_t			 n = 0, i;
	int			 st, ours = 0;

	memset(&c, 0, sizeof c);
	if ((s = state_open(&cause)) == NULL) {
		util_say("%s", cause);
		free(cause);
		return (DESKCTL_EXIT_FAIL);
	}
	if ((rec = state_find(s, id)) != NULL)
		rec = json_deep_copy(rec);
	state_close(s);
	if (rec == NULL || (pool = state_str(rec, "pool")) == NULL) {
		util_say("%s: not a pool guest this host acquired (deskctl "
		    "pool status NAME lists them)", id);
		json_decref(rec);
		return (DESKCTL_EXIT_FAIL);
	}
	if ((st = pool_open(o, pool, &c)) != DESKCTL_EXIT_OK)
		goto out;
	ids[0] = (char *)id;
	if (ec2_describe(c.ec2, ids, 1, NULL, 0, &list, &n, &code,
	    &cause) == -1) {
		if (code == NULL || strcmp(code,
		    "InvalidInstanceID.NotFound") != 0) {
			st = pool_failed(id, code, cause);
			goto out;
		}
		free(code);
		free(cause);
		code = cause = NULL;
	}
	key = state_str(rec, "claim");
	for (i = 0; n == 1 && key != NULL && i < list[0].ntags; i++)
		ours |= strcmp(list[0].tags[i].key, key) == 0;
	if (n == 0 || list[0].state == NULL || strcmp(list[0].state,
	    "terminated") == 0) {
		printf("forgot %s (it is gone)\n", id);
		pool_forget_guests(c.name, id);
		st = DESKCTL_EXIT_OK;
		goto out;
	}
	if (!ours) {
		/* Reaped meanwhile, perhaps someone else's now: hands off. */
		printf("forgot %s (its claim had been released already)\n", id);
		pool_forget_guests(c.name, id);
		st = DESKCTL_EXIT_OK;
		goto out;
	}
	if (o->terminate) {
		/* The group replaces it (from its warm pool, if any). */
		if (asg_terminate(c.asg, id, 0, &code, &cause) == -1) {
			st = pool_failed(id, code, cause);
			goto out;
		}
		printf("released %s: terminated, the group replaces it\n", id);
	} else {
		if (o->reset && (st = pool_reset(rec)) != DESKCTL_EXIT_OK)
			goto out;
		if (asg_protect(c.asg, c.group, ids, 1, 0, &code,
		    &cause) == -1 || claim_drop(c.ec2, id, &list[0], NULL,
		    &code, &cause) == -1) {
			st = pool_failed(id, code, cause);
			goto out;
		}
		printf("released %s%s\n", id, o->reset ? " (reset)" : "");
	}
	pool_forget_guests(c.name, id);
	st = DESKCTL_EXIT_OK;
out:
	ec2_instances_free(list, n);
	json_decref(rec);
	pool_close(&c);
	return (st);
}

int
pool_release(struct cmd_opts *o, int argc, char **argv)
{
	int	 i, st, status = DESKCTL_EXIT_OK;

	if (argc == 0 || (o->reset && o->terminate)) {
		util_say("usage: deskctl pool release ID ... [--reset | "
		    "--terminate]");
		return (DESKCTL_EXIT_USAGE);
	}
	for (i = 0; i < argc; i++) {
		if ((st = pool_release_one(o, argv[i])) != DESKCTL_EXIT_OK)
			status = st;
	}
	return (status);
}

/* ---- reap ---- */

int
pool_reap(struct cmd_opts *o, int argc, char **argv)
{
	struct pool_ctx		 c;
	struct pool_view	 v;
	struct pool_guest	*pg;
	json_t			*out = NULL, *released, *scaled;
	char			*code = NULL, *cause = NULL, *key, *ids[1];
	char			*holder, *s;
	long long		 idle, lease;
	time_t			 now = time(NULL);
	size_t			*order, nord = 0, i, j, t;
	int			 st, desired, rv;

	idle = o->idle > 0 ? o->idle : POOL_DEFAULT_IDLE_S;
	lease = o->lease > 0 ? o->lease : POOL_DEFAULT_LEASE_S;
	if (argc != 1) {
		util_say("usage: deskctl pool reap NAME [--idle MIN] "
		    "[--lease DURATION]");
		return (DESKCTL_EXIT_USAGE);
	}
	if ((st = pool_open(o, argv[0], &c)) != DESKCTL_EXIT_OK ||
	    (st = pool_look(o, &c, &v, 1)) != DESKCTL_EXIT_OK) {
		pool_close(&c);
		return (st);
	}
	released = json_array();
	scaled = json_array();
	/*
	 * A holder is gone when its claim is older than the lease and the
	 * guest has not been used for as long (its agent counts every
	 * authenticated request), or its agent no longer answers.
	 */
	for (i = 0; i < v.n; i++) {
		pg = &v.guests[i];
		if (pg->nclaims == 0 || pg->in == NULL || pg->since == 0 ||
		    now - pg->since < lease)
			continue;
		if (pg->health != NULL && pg->idle_s < lease)
			continue;
		ids[0] = pg->ai->id;
		if (asg_protect(c.asg, c.group, ids, 1, 0, &code,
		    &cause) == -1 || claim_drop(c.ec2, pg->ai->id, pg->in,
		    NULL, &code, &cause) == -1) {
			util_say("%s: %s", pg->ai->id, cause);
			free(code);
			free(cause);
			code = cause = NULL;
			continue;
		}
		if (!o->json)
			printf("released %s: held by %s since %lld s, %s\n",
			    pg->ai->id, pg->holder, (long long)(now -
			    pg->since), pg->health != NULL ? "idle as long" :
			    "agent not answering");
		json_array_append_new(released, json_string(pg->ai->id));
		pg->nclaims = 0;
		pg->idle_s = -1;	/* not for scale-in this round */
	}
	/* Idle free guests, the longest idle first, down to --min. */
	order = xcalloc(v.n + 1, sizeof *order);
	for (i = 0; i < v.n; i++) {
		if (pool_free_guest(&v.guests[i]) && v.guests[i].idle_s >= idle)
			order[nord++] = i;
	}
	for (i = 1; i < nord; i++) {
		for (j = i; j > 0 && v.guests[order[j - 1]].idle_s <
		    v.guests[order[j]].idle_s; j--) {
			t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	}
	desired = v.g[0].desired;
	holder = pool_holder();
	for (i = 0; i < nord && desired > v.g[0].min; i++) {
		pg = &v.guests[order[i]];
		/* Claimed first: an acquire cannot take it from under us. */
		rv = claim_try(c.ec2, pg->ai->id, holder, &key, &code, &cause);
		if (rv != 1) {
			if (rv == -1) {
				util_say("%s: %s", pg->ai->id, cause);
				free(code);
				free(cause);
				code = cause = NULL;
			}
			continue;
		}
		if (asg_terminate(c.asg, pg->ai->id, 1, &code, &cause) == -1) {
			util_say("%s: %s", pg->ai->id, cause);
			free(code);
			free(cause);
			code = cause = NULL;
			/* Not ended: it must not stay claimed by nobody. */
			if (claim_drop(c.ec2, pg->ai->id, NULL, key, &code,
			    &cause) == -1) {
				util_say("%s: %s", pg->ai->id, cause);
				free(code);
				free(cause);
				code = cause = NULL;
			}
			free(key);
			continue;
		}
		free(key);
		desired--;
		if (!o->json)
			printf("scaled in %s: idle %lld s; desired %d\n",
			    pg->ai->id, pg->idle_s, desired);
		json_array_append_new(scaled, json_string(pg->ai->id));
	}
	free(holder);
	free(order);
	if (o->json) {
		out = json_pack("{s:s, s:o, s:o, s:i, s:i}", "pool", c.name,
		    "released", released, "scaled_in", scaled, "desired",
		    desired, "min", v.g[0].min);
		s = json_dumps(out, JSON_COMPACT);
		printf("%s\n", s);
		free(s);
		json_decref(out);
	} else {
		if (json_array_size(released) == 0 &&
		    json_array_size(scaled) == 0)
			printf("pool %s: nothing to reap (desired %d, min "
			    "%d)\n", c.name, desired, v.g[0].min);
		json_decref(released);
		json_decref(scaled);
	}
	pool_view_free(&v);
	pool_close(&c);
	return (DESKCTL_EXIT_OK);
}
