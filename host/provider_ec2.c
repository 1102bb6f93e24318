/*
 * provider_ec2.c: the EC2 provider (provider.h).  Each guest is one
 * RunInstances with its own user data, hence its own token: a guest can
 * read its own token (cloud-init writes it, IMDS serves the user data),
 * so a shared one would let any guest drive its neighbours.  The calls
 * go out DESKCTL_RUN_PARALLEL at a time.  Every record remembers its
 * region; ls and terminate search every region that holds a record plus
 * the configured one.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws.h"
#include "cmd.h"
#include "creds.h"
#include "deskctl.h"
#include "ec2.h"
#include "log.h"
#include "network.h"
#include "provider.h"
#include "provider_ec2.h"
#include "state.h"
#include "userdata.h"
#include "util.h"
#include "wait.h"
#include "xmalloc.h"

/* The states DESKCTL_LIVE_STATES names, as a list for a filter. */
static size_t
provider_ec2_live(const char **v, size_t max)
{
	static char	 buf[] = DESKCTL_LIVE_STATES;
	static char	*parts[8];
	static size_t	 nparts;
	char		*p, *s;
	size_t		 i;

	if (nparts == 0) {
		for (p = buf; (s = strsep(&p, ",")) != NULL &&
		    nparts < 8;)
			parts[nparts++] = s;
	}
	for (i = 0; i < nparts && i < max; i++)
		v[i] = parts[i];
	return (i);
}

/*
 * The context of a record: its own region (an instance never moves),
 * the --endpoint-url flag over its recorded endpoint.  Without a record
 * region the flags and the environment decide.
 */
static struct aws *
provider_ec2_aws(struct cmd_opts *o, json_t *rec, char **cause, int *exitcode)
{
	const char	*region = NULL, *endpoint = o->endpoint;

	if (rec != NULL)
		region = state_str(rec, "region");
	if (region == NULL)
		region = o->region;
	if (endpoint == NULL && rec != NULL)
		endpoint = state_str(rec, "endpoint");
	return (aws_get(&aws_ec2, region, endpoint, o->profile, cause,
	    exitcode));
}

/* --ami-map FILE: {"us-east-1": "ami-...", ...}, OSWorld's IMAGE_ID_MAP. */
static char *
provider_ec2_ami_map(const char *file, const char *region, char **cause)
{
	json_t		*j, *v;
	json_error_t	 err;
	char		*text, *ami = NULL;

	if ((text = util_read_file(file, 1024 * 1024, NULL, cause)) == NULL)
		return (NULL);
	if ((j = json_loads(text, 0, &err)) == NULL || !json_is_object(j)) {
		xasprintf(cause, "--ami-map %s: want a JSON object of region: "
		    "AMI id (line %d: %s)", file, err.line, j == NULL ?
		    err.text : "not an object");
		goto out;
	}
	v = json_object_get(j, region);
	if (!json_is_string(v) || strncmp(json_string_value(v), "ami-", 4)) {
		xasprintf(cause, "--ami-map %s has no AMI for region %s",
		    file, region);
		goto out;
	}
	ami = xstrdup(json_string_value(v));
out:
	json_decref(j);
	free(text);
	return (ami);
}

int
provider_ec2_image(struct aws *a, struct cmd_opts *o, struct ec2_image **imp)
{
	struct ec2_image	*im = NULL;
	char			*ami = NULL, *code = NULL, *cause = NULL;
	int			 status = DESKCTL_EXIT_OK;

	*imp = NULL;
	if (o->ami_name != NULL) {
		/*
		 * Only our own images unless told otherwise: anyone can
		 * publish a public AMI under a matching name (AMI squatting).
		 */
		im = ec2_find_image(a, o->ami_name, o->ami_owner != NULL ?
		    o->ami_owner : "self", &code, &cause);
		if (im != NULL)
			log_info("--ami-name %s: using %s", o->ami_name,
			    im->id);
	} else if (o->ami != NULL || o->ami_map != NULL) {
		if (o->ami != NULL)
			ami = xstrdup(o->ami);
		else if ((ami = provider_ec2_ami_map(o->ami_map, a->region,
		    &cause)) == NULL) {
			util_say("%s: %s", o->cmd, cause);
			free(cause);
			return (DESKCTL_EXIT_USAGE);
		}
		/* Its root device name, so --disk-gb sizes the root. */
		im = ec2_image(a, ami, &code, &cause);
	} else {
		util_say("%s: --ami, --ami-name or --ami-map is needed for "
		    "ec2", o->cmd);
		return (DESKCTL_EXIT_USAGE);
	}
	if (im == NULL) {
		util_say("%s", cause != NULL ? cause : "interrupted");
		status = util_interrupted ? DESKCTL_EXIT_INTERRUPTED :
		    aws_exit_code(code);
		if (status == DESKCTL_EXIT_OK)
			status = DESKCTL_EXIT_FAIL;
	}
	*imp = im;
	free(ami);
	free(code);
	free(cause);
	return (status);
}

int
provider_ec2_groups_ok(struct aws *a, struct cmd_opts *o)
{
	struct ec2_group	*gs = NULL;
	char			*code = NULL, *cause = NULL, *why = NULL;
	size_t			 ng = 0, i;
	int			 status = DESKCTL_EXIT_OK;

	if (ec2_groups(a, o->groups, o->ngroups, &gs, &ng, &code,
	    &cause) == -1) {
		util_say("%s", cause);
		status = aws_exit_code(code);
		goto out;
	}
	for (i = 0; i < ng; i++) {
		if (!network_open(&gs[i], &why))
			continue;
		util_say("%s: %s; refused (deskctl network create makes a "
		    "tight one; --allow-open-group launches anyway)", o->cmd,
		    why);
		free(why);
		status = DESKCTL_EXIT_FAIL;
		break;
	}
out:
	ec2_groups_free(gs, ng);
	free(code);
	free(cause);
	return (status);
}

static json_t *
provider_ec2_record(struct aws *a, struct ec2_instance *in, const char *token,
    const char *ctoken, const char *now, const char *exp)
{
	return (json_pack("{s:s, s:s, s:s?, s:s, s:s, s:s, s:s, s:s, s:s?, "
	    "s:s?, s:s?}",
	    "id", in->id, "provider", "ec2", "state", in->state,
	    "region", a->region, "endpoint", a->endpoint, "token", token,
	    "client_token", ctoken, "launched_at", now, "expires_at", exp,
	    "private_ip", in->private_ip, "public_ip", in->public_ip));
}

/*
 * RunInstances answers that never arrived (a timeout, a 5xx after EC2
 * acted): EC2 may have launched.  Look for the instances by ClientToken
 * and take them as launched.
 */
static void
provider_ec2_recover(struct aws *a, struct ec2_run_result *res, size_t n,
    char **ctokens)
{
	struct ec2_instance	*list = NULL;
	struct ec2_filter	 f[2];
	const char		*owner_v[1], *states[8];
	char			*code = NULL, *cause = NULL, *owner;
	size_t			 i, j, nv = 0, nl = 0, nf;

	for (i = 0; i < n; i++) {
		if (res[i].n == 0 && (res[i].code == NULL ||
		    aws_retryable(res[i].code, 0)))
			nv++;
	}
	if (nv == 0)
		return;
	/*
	 * By our owner tag, matched on clientToken here: EC2 has a
	 * client-token filter, but moto answers it with a 500.
	 */
	owner = util_owner();
	owner_v[0] = owner;
	nf = ec2_owner_filters(f, owner_v, states, provider_ec2_live(states,
	    8));
	if (ec2_describe(a, NULL, 0, f, nf, &list, &nl, &code, &cause) == -1) {
		util_say("could not look for instances whose RunInstances "
		    "answer was lost: %s (deskctl ls shows them)", cause);
		free(code);
		free(cause);
		free(owner);
		return;
	}
	for (j = 0; j < nl; j++) {
		for (i = 0; i < n; i++) {
			if (list[j].client_token == NULL ||
			    strcmp(list[j].client_token, ctokens[i]) != 0 ||
			    res[i].n != 0)
				continue;
			util_say("RunInstances answer lost, but EC2 started %s "
			    "(found by its ClientToken)", list[j].id);
			res[i].list = xcalloc(1, sizeof *res[i].list);
			res[i].list[0] = list[j];
			memset(&list[j], 0, sizeof list[j]);
			res[i].n = 1;
			break;
		}
	}
	ec2_instances_free(list, nl);
	free(owner);
}

static int
provider_ec2_launch(struct cmd_opts *o, json_t ***recsp, size_t *np)
{
	struct ec2_launch	*ls = NULL, base;
	struct userdata		 ud;
	time_t			 exp_t = 0;
	struct ec2_run_result	*res = NULL;
	struct ec2_image	*im = NULL;
	struct aws		*a;
	json_t			**recs = NULL;
	char			*cause = NULL, *code = NULL;
	char			**tokens = NULL, **ctokens = NULL, **uds = NULL;
	char			*hex = NULL, *owner, *now = NULL, *exp = NULL;
	size_t			 n = o->count, i, j, nt, nrec = 0;
	int			 status = DESKCTL_EXIT_OK, exitcode, failed = 0;

	*recsp = NULL;
	*np = 0;
	memset(&base, 0, sizeof base);
	if ((a = aws_get(&aws_ec2, o->region, o->endpoint, o->profile,
	    &cause, &exitcode)) == NULL) {
		util_say("%s", cause);
		free(cause);
		return (exitcode);
	}
	owner = util_owner();
	a->abortable = 1;	/* nothing started yet */
	if ((status = provider_ec2_image(a, o, &im)) != DESKCTL_EXIT_OK)
		goto out;
	if (!o->allow_open && o->ngroups > 0 &&
	    (status = provider_ec2_groups_ok(a, o)) != DESKCTL_EXIT_OK)
		goto out;

	/* Tags: Name, owner and expiry first, then the user's. */
	base.tags = xcalloc(o->ntags + 3, sizeof *base.tags);
	nt = 0;
	base.tags[nt].key = (char *)"Name";
	base.tags[nt++].value = (char *)"deskd";
	for (i = 0; i < o->ntags; i++) {
		if (strcmp(o->tags[i].key, "Name") == 0)
			base.tags[0].value = o->tags[i].value;
	}
	base.tags[nt].key = (char *)"deskd:owner";
	base.tags[nt++].value = owner;
	if (o->ttl > 0) {
		exp_t = time(NULL) + o->ttl;
		exp = util_time_iso(exp_t);
		base.tags[nt].key = (char *)"deskd:expires-at";
		base.tags[nt++].value = exp;
	}
	for (i = 0; i < o->ntags; i++) {
		if (strcmp(o->tags[i].key, "Name") != 0)
			base.tags[nt++] = o->tags[i];
	}
	base.ntags = nt;
	base.ami = im->id;
	base.root_device = im->root_device;
	base.type = o->type;
	base.count = 1;
	base.subnet = o->subnet;
	base.groups = o->groups;
	base.ngroups = o->ngroups;
	base.key_name = o->key_name;
	base.disk_gb = o->disk_gb;
	base.spot = o->spot;
	base.volume_type = o->volume_type;
	base.iops = o->iops;
	base.throughput = o->throughput;
	base.iam_profile = o->iam_profile;
	base.monitoring = o->monitoring;
	base.public_ip = o->addr == WAIT_ADDR_PUBLIC ? 1 :
	    o->addr == WAIT_ADDR_PRIVATE ? 0 : -1;

	/* One token, one ClientToken, one user data per guest. */
	memset(&ud, 0, sizeof ud);
	ud.desktop_user = o->desktop_user;
	ud.allow = o->allow;
	ud.nallow = o->nallow;
	/* The guest ends itself at its expiry, as the tag says. */
	ud.expires_at = exp_t;
	ud.idle_shutdown = o->idle_shutdown;
	if ((hex = util_random_hex(16, &cause)) == NULL)
		goto fail;
	ls = xcalloc(n, sizeof *ls);
	tokens = xcalloc(n, sizeof *tokens);
	ctokens = xcalloc(n, sizeof *ctokens);
	uds = xcalloc(n, sizeof *uds);
	for (i = 0; i < n; i++) {
		if ((tokens[i] = util_random_hex(DESKCTL_TOKEN_BYTES,
		    &cause)) == NULL)
			goto fail;
		xasprintf(&ctokens[i], "deskctl-%s-%zu", hex, i);
		ud.token = tokens[i];
		uds[i] = userdata_build(&ud);
		if (strlen(uds[i]) > DESKCTL_USERDATA_MAX) {
			xasprintf(&cause, "user data of %zu bytes is over "
			    "EC2's %d (fewer --agent-allow)", strlen(uds[i]),
			    DESKCTL_USERDATA_MAX);
			status = DESKCTL_EXIT_USAGE;
			util_say("launch: %s", cause);
			goto out;
		}
		ls[i] = base;
		ls[i].client_token = ctokens[i];
		ls[i].user_data = uds[i];
	}

	/*
	 * RunInstances is not abortable: a ^C now must not lose the ids of
	 * instances AWS already started.  What is not sent yet is not sent.
	 */
	a->abortable = 0;
	a->unsent_stop = 1;
	if (util_interrupted) {
		util_say("interrupted before anything was launched");
		status = DESKCTL_EXIT_INTERRUPTED;
		goto out;
	}
	res = xcalloc(n, sizeof *res);
	ec2_run_many(a, ls, n, res);
	a->unsent_stop = 0;
	provider_ec2_recover(a, res, n, ctokens);

	now = util_time_iso(time(NULL));
	recs = xcalloc(n, sizeof *recs);
	for (i = 0; i < n; i++) {
		for (j = 0; j < res[i].n; j++) {
			if (nrec == n)
				break;
			recs[nrec++] = provider_ec2_record(a, &res[i].list[j],
			    tokens[i], ctokens[i], now, exp);
			log_debug("launched %s", res[i].list[j].id);
		}
		if (res[i].n > 0)
			continue;
		if (!failed++) {
			util_say("%s", res[i].cause != NULL ? res[i].cause :
			    "RunInstances answered no instances");
			status = util_interrupted ?
			    DESKCTL_EXIT_INTERRUPTED :
			    aws_exit_code(res[i].code);
			if (status == DESKCTL_EXIT_OK)
				status = DESKCTL_EXIT_FAIL;
		}
	}
	if (failed > 1)
		util_say("%d of %zu launches failed", failed, n);
	*recsp = recs;
	*np = nrec;
	recs = NULL;
	if (util_interrupted)
		status = DESKCTL_EXIT_INTERRUPTED;
	goto out;
fail:
	if (util_interrupted && cause == NULL)
		xasprintf(&cause, "interrupted");
	util_say("%s", cause);
	status = util_interrupted ? DESKCTL_EXIT_INTERRUPTED :
	    aws_exit_code(code);
out:
	if (res != NULL)
		ec2_run_results_free(res, n);
	for (i = 0; tokens != NULL && i < n; i++) {
		util_free_secret(tokens[i]);
		util_free_secret(uds[i]);
		free(ctokens[i]);
	}
	free(tokens);
	free(uds);
	free(ctokens);
	free(ls);
	free(base.tags);
	free(recs);
	free(code);
	free(cause);
	free(hex);
	free(now);
	free(owner);
	free(exp);
	if (im != NULL)
		ec2_images_free(im, 1);
	return (status);
}

/* The grace for InvalidInstanceID.NotFound runs from the launch. */
static int
provider_ec2_in_grace(struct wait_ctx *ctx, struct wait_target *t)
{
	const char	*at = state_str(t->rec, "launched_at");
	time_t		 when;

	if (at != NULL && util_parse_iso(at, &when) == 0)
		return (time(NULL) - when < DESKCTL_NOTFOUND_GRACE_S);
	return (util_now_ms() - ctx->start_ms <
	    DESKCTL_NOTFOUND_GRACE_S * 1000LL);
}

/* What DescribeInstances said of one target. */
static void
provider_ec2_seen(struct wait_ctx *ctx, struct wait_target *t,
    struct ec2_instance *in)
{
	if (in->state != NULL)
		json_object_set_new(t->rec, "state", json_string(in->state));
	if (in->state == NULL || strcmp(in->state, "pending") == 0)
		return;
	if (strcmp(in->state, "running") == 0) {
		if (!t->running)
			wait_running(ctx, t, in->private_ip, in->public_ip);
		if (t->running && !t->ready)
			json_object_set_new(t->rec, "state",
			    json_string("running"));
		return;
	}
	/* Terminated, stopped or reclaimed (spot) while we waited. */
	wait_fail(t, "instance is %s (stopped, terminated or reclaimed "
	    "while waiting)", in->state);
}

/* One DescribeInstances for IDS; NotFound splits the batch. */
static int
provider_ec2_ask(struct wait_ctx *ctx, struct aws *a, struct wait_target **ts,
    size_t n)
{
	struct ec2_instance	*list = NULL;
	char			**ids, *code = NULL, *cause = NULL;
	size_t			 nl = 0, i, j;
	int			 found;

	ids = xcalloc(n, sizeof *ids);
	for (i = 0; i < n; i++)
		ids[i] = (char *)state_str(ts[i]->rec, "id");
	if (ec2_describe(a, ids, n, NULL, 0, &list, &nl, &code,
	    &cause) == -1) {
		free(ids);
		if (util_interrupted) {
			free(code);
			free(cause);
			return (-2);
		}
		if (code != NULL &&
		    strcmp(code, "InvalidInstanceID.NotFound") == 0) {
			/*
			 * One unknown id fails the whole call on AWS: from
			 * now on ask for each on its own.
			 */
			if (n > 1) {
				for (i = 0; i < n; i++)
					ts[i]->solo = 1;
				for (i = 0; i < n; i++) {
					if (provider_ec2_ask(ctx, a, &ts[i],
					    1) == -2)
						break;
				}
			} else if (provider_ec2_in_grace(ctx, ts[0]))
				log_debug("not visible yet: %s", cause);
			else
				wait_fail(ts[0], "instance not found");
			free(code);
			free(cause);
			return (util_interrupted ? -2 : 0);
		}
		for (i = 0; i < n; i++)
			wait_fail(ts[i], "%s", cause);
		free(code);
		free(cause);
		return (0);
	}
	free(ids);
	for (i = 0; i < n; i++) {
		found = 0;
		for (j = 0; j < nl; j++) {
			if (strcmp(list[j].id, state_str(ts[i]->rec, "id")) ==
			    0) {
				provider_ec2_seen(ctx, ts[i], &list[j]);
				found = 1;
				break;
			}
		}
		if (!found && !provider_ec2_in_grace(ctx, ts[i]))
			wait_fail(ts[i], "instance not found");
	}
	ec2_instances_free(list, nl);
	return (0);
}

/*
 * One round: pending guests every round, running ones not yet ready
 * again every few seconds (a guest terminated or reclaimed meanwhile
 * must not be waited on until the timeout).  One call per context.
 */
static int
provider_ec2_poll(struct wait_ctx *ctx, struct wait_target *ts, size_t n)
{
	struct wait_target	**due;
	struct aws		**as, *a;
	struct cmd_opts		 o;
	char			*cause = NULL;
	long long		 now = util_now_ms();
	size_t			 i, j, k;
	int			 exitcode, rv = 0;

	memset(&o, 0, sizeof o);
	o.region = ctx->region;
	o.endpoint = ctx->endpoint;
	o.profile = ctx->profile;
	due = xcalloc(n, sizeof *due);
	as = xcalloc(n, sizeof *as);
	for (i = 0; i < n; i++) {
		if (ts[i].prov != &provider_ec2 || ts[i].ready ||
		    ts[i].failed)
			continue;
		if (ts[i].running && now < ts[i].next_ms)
			continue;
		if (ts[i].running) {
			ts[i].every_ms = ts[i].every_ms == 0 ?
			    DESKCTL_POLL_FIRST_MS * 2 : ts[i].every_ms * 3 / 2;
			if (ts[i].every_ms > DESKCTL_POLL_MAX_MS)
				ts[i].every_ms = DESKCTL_POLL_MAX_MS;
			ts[i].next_ms = now + ts[i].every_ms;
		}
		if ((as[i] = provider_ec2_aws(&o, ts[i].rec, &cause,
		    &exitcode)) == NULL) {
			wait_fail(&ts[i], "%s", cause);
			free(cause);
			cause = NULL;
		}
	}
	for (i = 0; i < n && rv == 0; i++) {
		if ((a = as[i]) == NULL)
			continue;
		k = 0;
		for (j = i; j < n; j++) {
			if (as[j] != a)
				continue;
			as[j] = NULL;
			if (ts[j].solo)
				rv = provider_ec2_ask(ctx, a, (struct
				    wait_target *[]){ &ts[j] }, 1);
			else
				due[k++] = &ts[j];
			if (rv == -2)
				break;
		}
		if (k > 0 && rv == 0)
			rv = provider_ec2_ask(ctx, a, due, k);
	}
	free(due);
	free(as);
	return (rv);
}

static json_t *
provider_ec2_row(struct aws *a, struct ec2_instance *in, json_t *rec)
{
	json_t	*r, *tags;
	size_t	 i;

	tags = json_object();
	for (i = 0; i < in->ntags; i++)
		json_object_set_new(tags, in->tags[i].key,
		    json_string(in->tags[i].value));
	r = json_pack("{s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s, "
	    "s:o}", "id", in->id, "provider", "ec2", "state", in->state,
	    "private_ip", in->private_ip, "public_ip", in->public_ip,
	    "url", rec != NULL ? state_str(rec, "url") : NULL,
	    "launched_at", in->launch_time, "expires_at", ec2_tag(in,
	    "deskd:expires-at"), "region", a->region, "tags", tags);
	if (rec != NULL && state_str(rec, "endpoint") != NULL)
		json_object_set_new(r, "endpoint",
		    json_string(state_str(rec, "endpoint")));
	return (r);
}

/* Does the environment name a region (flags, variables, config, IMDS)? */
static int
provider_ec2_configured(struct cmd_opts *o)
{
	char	*r;

	if (o->region != NULL || o->endpoint != NULL)
		return (1);
	if ((r = creds_region(NULL, o->profile)) == NULL)
		return (0);
	free(r);
	return (1);
}

static int
provider_ec2_list(struct cmd_opts *o, struct state *s, json_t *list)
{
	struct ec2_instance	*in = NULL;
	struct ec2_filter	 f[2];
	struct aws		**done = NULL, *a;
	json_t			*r, *seen, *row;
	const char		*owner_v[1], *states[8], *id;
	char			*cause = NULL, *code = NULL, *owner;
	size_t			 i, j, nd = 0, nin = 0, nf;
	int			 status = DESKCTL_EXIT_OK, exitcode, want;
	int			 any_rec = 0, searched;

	json_array_foreach(state_instances(s), i, r) {
		if (provider_of(r) == &provider_ec2)
			any_rec = 1;
	}
	want = any_rec || (o->provider != NULL &&
	    strcmp(o->provider, "ec2") == 0) || provider_ec2_configured(o);
	if (!want) {
		if (strcmp(o->cmd, "terminate") == 0)
			util_say("EC2 not searched: no AWS region (--region, "
			    "AWS_REGION, or region= in ~/.aws/config)");
		return (DESKCTL_EXIT_OK);
	}
	owner = util_owner();
	owner_v[0] = owner;
	nf = ec2_owner_filters(f, owner_v, states, provider_ec2_live(states,
	    8));
	seen = json_object();
	/*
	 * The contexts to search: every record's, then the configured one
	 * (the record NULL), each once.
	 */
	done = xcalloc(json_array_size(state_instances(s)) + 1, sizeof *done);
	for (i = 0; i <= json_array_size(state_instances(s)); i++) {
		r = json_array_get(state_instances(s), i);
		if (r != NULL && provider_of(r) != &provider_ec2)
			continue;
		if (r == NULL && !(o->region != NULL || o->endpoint != NULL ||
		    provider_ec2_configured(o)))
			continue;
		if ((a = provider_ec2_aws(o, r, &cause, &exitcode)) == NULL) {
			util_say("%s", cause);
			free(cause);
			cause = NULL;
			if (status == DESKCTL_EXIT_OK)
				status = exitcode;
			continue;
		}
		/*
		 * The configured region is searched unless a record's
		 * context already covers it (records may name an endpoint
		 * the environment does not).
		 */
		for (j = 0; j < nd; j++) {
			if (done[j] == a || (r == NULL &&
			    strcmp(done[j]->region, a->region) == 0))
				break;
		}
		if (j < nd)
			continue;
		done[nd++] = a;
		if (ec2_describe(a, NULL, 0, f, nf, &in, &nin, &code,
		    &cause) == -1) {
			util_say("%s", cause);
			if (status == DESKCTL_EXIT_OK)
				status = aws_exit_code(code);
			free(code);
			free(cause);
			code = cause = NULL;
			/* Its records stay as recorded below. */
			done[--nd] = NULL;
			json_object_set_new(seen, a->region, json_false());
			continue;
		}
		json_object_set_new(seen, a->region, json_true());
		for (j = 0; j < nin; j++) {
			row = provider_ec2_row(a, &in[j],
			    state_find(s, in[j].id));
			json_object_set_new(seen, in[j].id, json_true());
			json_array_append_new(list, row);
		}
		ec2_instances_free(in, nin);
		in = NULL;
		nin = 0;
	}
	/* Records EC2 did not list: gone where searched, else as recorded. */
	json_array_foreach(state_instances(s), i, r) {
		if (provider_of(r) != &provider_ec2 ||
		    (id = state_str(r, "id")) == NULL ||
		    json_object_get(seen, id) != NULL)
			continue;
		searched = state_str(r, "region") != NULL && json_is_true(
		    json_object_get(seen, state_str(r, "region")));
		row = json_deep_copy(r);
		json_object_del(row, "token");
		if (searched)
			json_object_set_new(row, "state", json_string("gone"));
		if (json_object_get(row, "tags") == NULL)
			json_object_set_new(row, "tags", json_object());
		json_array_append_new(list, row);
	}
	json_decref(seen);
	free(done);
	free(owner);
	return (status);
}

/* The outcome of an answer for one guest; the exit code. */
static int
provider_ec2_end(json_t *rec, int rv, const char *code, const char *cause,
    enum provider_end *end)
{
	if (rv == 0) {
		*end = PROVIDER_END_DONE;
		return (DESKCTL_EXIT_OK);
	}
	/*
	 * Unknown in its own region: forgotten if we had it on record
	 * (terminated and purged, or an endpoint that was reset), an error
	 * otherwise.
	 */
	if (code != NULL && strcmp(code, "InvalidInstanceID.NotFound") == 0 &&
	    !json_is_true(json_object_get(rec, "unrecorded"))) {
		*end = PROVIDER_END_FORGOT;
		return (DESKCTL_EXIT_OK);
	}
	util_say("%s: %s", state_str(rec, "id"), cause);
	*end = PROVIDER_END_FAILED;
	return (code != NULL && strcmp(code, "InvalidInstanceID.NotFound") ==
	    0 ? DESKCTL_EXIT_FAIL : aws_exit_code(code));
}

static void	provider_ec2_end_batch(struct aws *, json_t **, size_t *,
		    char **, size_t, enum provider_end *, int *);

static int
provider_ec2_terminate(struct cmd_opts *o, json_t **recs, size_t n,
    enum provider_end *end)
{
	struct aws	**as, *a;
	char		**ids, *cause = NULL;
	const char	*env;
	size_t		*idx, i, j, k, b, nb, batch = EC2_TERMINATE_MAX;
	int		 status = DESKCTL_EXIT_OK, exitcode;

	/* Test aid: smaller batches, so a test needs no 1001 guests. */
	if ((env = getenv("DESKCTL_TERMINATE_BATCH")) != NULL &&
	    atoi(env) > 0 && atoi(env) < EC2_TERMINATE_MAX)
		batch = atoi(env);
	as = xcalloc(n, sizeof *as);
	ids = xcalloc(n, sizeof *ids);
	idx = xcalloc(n, sizeof *idx);
	for (i = 0; i < n; i++) {
		end[i] = PROVIDER_END_FAILED;
		if ((as[i] = provider_ec2_aws(o, recs[i], &cause,
		    &exitcode)) == NULL) {
			util_say("%s: %s", state_str(recs[i], "id"), cause);
			free(cause);
			cause = NULL;
			status = exitcode;
		}
	}
	/* One batch per context: each id goes to its own region. */
	for (i = 0; i < n; i++) {
		if ((a = as[i]) == NULL)
			continue;
		k = 0;
		for (j = i; j < n; j++) {
			if (as[j] == a) {
				as[j] = NULL;
				idx[k] = j;
				ids[k++] = (char *)state_str(recs[j], "id");
			}
		}
		a->abortable = 0;
		/* Batch by batch: a failed one is retried one by one. */
		for (b = 0; b < k; b += nb) {
			nb = k - b > batch ? batch : k - b;
			provider_ec2_end_batch(a, recs, idx + b, ids + b, nb,
			    end, &status);
		}
	}
	free(as);
	free(ids);
	free(idx);
	return (status);
}

static void
provider_ec2_end_batch(struct aws *a, json_t **recs, size_t *idx, char **ids,
    size_t k, enum provider_end *end, int *status)
{
	char	*id, *code = NULL, *cause = NULL;
	size_t	 j;
	int	 rv, st;

	rv = ec2_terminate(a, ids, k, &code, &cause);
	if (rv == -1 && k > 1 && code != NULL &&
	    strcmp(code, "InvalidInstanceID.NotFound") == 0) {
		/* One unknown id fails the batch: one by one. */
		for (j = 0; j < k; j++) {
			free(code);
			free(cause);
			id = ids[j];
			rv = ec2_terminate(a, &id, 1, &code, &cause);
			st = provider_ec2_end(recs[idx[j]], rv, code,
			    cause, &end[idx[j]]);
			if (st != DESKCTL_EXIT_OK)
				*status = st;
		}
	} else {
		for (j = 0; j < k; j++) {
			st = provider_ec2_end(recs[idx[j]], rv, code,
			    cause, &end[idx[j]]);
			if (st != DESKCTL_EXIT_OK)
				*status = st;
		}
	}
	free(code);
	free(cause);
}

static int
provider_ec2_alive(json_t *rec, char **why)
{
	return (1);
}

const struct provider provider_ec2 = {
	"ec2",
	provider_ec2_launch,
	provider_ec2_poll,
	provider_ec2_list,
	provider_ec2_terminate,
	provider_ec2_alive
};
