/*
 * guest.c: launch, wait, ls and terminate for both providers, the
 * signal cleanup of a launch, and the per-(region, endpoint) EC2 contexts.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aws.h"
#include "cmd.h"
#include "deskctl.h"
#include "ec2.h"
#include "local.h"
#include "log.h"
#include "state.h"
#include "wait.h"
#include "xmalloc.h"

#define DESKCTL_LIVE_STATES "pending,running,stopping,stopped,shutting-down"

/* One EC2 context per (region, endpoint) met in a run. */
struct aws_ent {
	char		*region;
	char		*endpoint;
	struct aws	*aws;
};
static struct aws_ent	*aws_cache;
static size_t		 aws_ncache;

static struct aws *
get_aws(const char *region, const char *endpoint, const char *profile,
    char **cause, int *exitcode)
{
	struct aws	*a;
	size_t		 i;
	const char	*r = region != NULL ? region : "";
	const char	*e = endpoint != NULL ? endpoint : "";

	for (i = 0; i < aws_ncache; i++) {
		if (strcmp(aws_cache[i].region, r) == 0 &&
		    strcmp(aws_cache[i].endpoint, e) == 0)
			return (aws_cache[i].aws);
	}
	if ((a = aws_new(region, endpoint, profile, cause, exitcode)) == NULL)
		return (NULL);
	aws_cache = xreallocarray(aws_cache, aws_ncache + 1,
	    sizeof *aws_cache);
	aws_cache[aws_ncache].region = xstrdup(r);
	aws_cache[aws_ncache].endpoint = xstrdup(e);
	aws_cache[aws_ncache].aws = a;
	aws_ncache++;
	return (a);
}

void
guest_cleanup(void)
{
	size_t	 i;

	for (i = 0; i < aws_ncache; i++) {
		aws_free(aws_cache[i].aws);
		free(aws_cache[i].region);
		free(aws_cache[i].endpoint);
	}
	free(aws_cache);
	aws_cache = NULL;
	aws_ncache = 0;
}

/* EC2 context of a record: flags win over what the record remembers. */
static struct aws *
aws_for_rec(struct opts *o, json_t *rec, char **cause, int *exitcode)
{
	return (get_aws(o->region != NULL ? o->region :
	    state_str(rec, "region"), o->endpoint != NULL ? o->endpoint :
	    state_str(rec, "endpoint"), o->profile, cause, exitcode));
}

static int
is_ec2_id(const char *id)
{
	return (strncmp(id, "i-", 2) == 0);
}

/* Save records (steals nothing); errors are warnings: we must go on. */
static void
save_records(json_t **recs, size_t n, int remove)
{
	struct state	*s;
	char		*cause = NULL;
	size_t		 i;

	if ((s = state_open(&cause)) == NULL) {
		util_say("state file: %s", cause);
		free(cause);
		return;
	}
	for (i = 0; i < n; i++) {
		if (recs[i] == NULL)
			continue;
		if (remove)
			state_remove(s, state_str(recs[i], "id"));
		else
			state_put(s, json_deep_copy(recs[i]));
	}
	if (state_save(s, &cause) == -1) {
		util_say("state file: %s", cause);
		free(cause);
	}
	state_close(s);
}

static char *
rec_token(json_t *rec)
{
	const char	*t = state_str(rec, "token"), *f;
	char		*v, *cause = NULL, *e;

	if (t != NULL)
		return (xstrdup(t));
	if ((f = state_str(rec, "token_file")) == NULL ||
	    (v = util_read_file(f, 4096, NULL, &cause)) == NULL) {
		free(cause);
		return (NULL);
	}
	e = v + strlen(v);
	while (e > v && (e[-1] == '\n' || e[-1] == ' '))
		*--e = '\0';
	return (v);
}

/* One line per guest: the answer of launch and wait. */
static void
print_target(struct opts *o, struct wait_target *t)
{
	json_t		*j, *rec = t->rec;
	char		*token, *s;
	const char	*v;

	token = t->ready || o->no_wait ? rec_token(rec) : NULL;
	if (o->json) {
		j = json_pack("{s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:s?}",
		    "id", state_str(rec, "id"),
		    "provider", state_str(rec, "provider"),
		    "state", t->failed ? "failed" : state_str(rec, "state"),
		    "private_ip", state_str(rec, "private_ip"),
		    "public_ip", state_str(rec, "public_ip"),
		    "url", state_str(rec, "url"),
		    "token", token);
		if (t->ready)
			json_object_set_new(j, "seconds",
			    json_real(t->seconds));
		if (t->error != NULL)
			json_object_set_new(j, "error", json_string(t->error));
		s = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(6));
		printf("%s\n", s);
		free(s);
		json_decref(j);
	} else {
		printf("%s\t%s", state_str(rec, "id"), t->failed ? "failed" :
		    (v = state_str(rec, "state")) != NULL ? v : "-");
		if ((v = state_str(rec, "private_ip")) != NULL)
			printf("\tprivate=%s", v);
		if ((v = state_str(rec, "public_ip")) != NULL)
			printf("\tpublic=%s", v);
		if ((v = state_str(rec, "url")) != NULL)
			printf("\turl=%s", v);
		if (token != NULL)
			printf("\ttoken=%s", token);
		if (t->ready)
			printf("\tready_in=%.1fs", t->seconds);
		if (t->error != NULL)
			printf("\terror=%s", t->error);
		printf("\n");
	}
	fflush(stdout);
	if (token != NULL) {
		explicit_bzero(token, strlen(token));
		free(token);
	}
}

/*
 * Terminate what this run started (the SIGINT/SIGTERM path).  Signals
 * stay caught, but no longer cut transfers short: the cleanup must finish.
 */
static void
cleanup_started(json_t **recs, size_t n, struct aws *a)
{
	char		**ids, *cause = NULL, *code = NULL, *list = NULL;
	char		*tmp;
	size_t		 nids = 0, i;
	int		 ok = 1;

	util_interrupted = 0;
	if (a != NULL)
		a->abortable = 0;
	ids = xcalloc(n + 1, sizeof *ids);
	for (i = 0; i < n; i++) {
		if (recs[i] == NULL)
			continue;
		if (is_ec2_id(state_str(recs[i], "id")))
			ids[nids++] = (char *)state_str(recs[i], "id");
		else if (local_terminate(recs[i], &cause) == -1) {
			util_say("%s: %s", state_str(recs[i], "id"), cause);
			free(cause);
			cause = NULL;
			ok = 0;
			continue;
		}
		xasprintf(&tmp, "%s%s%s", list != NULL ? list : "",
		    list != NULL ? " " : "", state_str(recs[i], "id"));
		free(list);
		list = tmp;
	}
	if (nids > 0 && a != NULL && ec2_terminate(a, ids, nids, &code,
	    &cause) == -1) {
		util_say("interrupted, but could NOT terminate %zu "
		    "instance(s): %s", nids, cause);
		ok = 0;
	}
	if (ok) {
		save_records(recs, n, 1);
		util_say("interrupted: terminated %zu instance(s): %s", n,
		    list != NULL ? list : "none");
	} else
		util_say("interrupted: some instances may still run: %s "
		    "(deskctl terminate ID)", list != NULL ? list : "");
	free(list);
	free(code);
	free(cause);
	free(ids);
}

/*
 * The cloud-init user data of a guest: the contract with the image is
 * packaging/cloud-init/README.md.  The token file belongs to the desktop
 * user deskd.service runs as (deskd reads it after dropping to that
 * user), 0600, written in cloud-init's init stage (not deferred), which
 * deskd.service is ordered after.  --agent-allow networks go to
 * /etc/deskd/instance.env.  Values were checked at parse time, so they
 * need no YAML quoting beyond what is here.
 */
static char *
user_data(struct opts *o, const char *token)
{
	char	*s, *env = NULL, *tmp;
	size_t	 i;

	for (i = 0; i < o->nallow; i++) {
		xasprintf(&tmp, "%s%s--allow %s", env != NULL ? env : "",
		    env != NULL ? " " : "", o->allow[i]);
		free(env);
		env = tmp;
	}
	xasprintf(&s,
	    "#cloud-config\n"
	    "write_files:\n"
	    "  - path: /etc/deskd/token\n"
	    "    owner: %s:%s\n"
	    "    permissions: \"0600\"\n"
	    "    content: \"%s\"\n"
	    "%s%s%s",
	    o->desktop_user, o->desktop_user, token,
	    env != NULL ? "  - path: /etc/deskd/instance.env\n"
	    "    owner: root:root\n"
	    "    permissions: \"0644\"\n"
	    "    content: |\n"
	    "      DESKD_INSTANCE_OPTS=\"" : "",
	    env != NULL ? env : "", env != NULL ? "\"\n" : "");
	free(env);
	return (s);
}

static int
run_wait(struct opts *o, json_t **recs, size_t n, struct aws **aws,
    long long start, int cleanup_on_signal, struct aws *owner_aws)
{
	struct wait_target	*ts;
	const char		*map;
	size_t			 i;
	int			 rv, status = DESKCTL_EXIT_OK;

	map = o->addr_map != NULL ? o->addr_map : getenv("DESKCTL_ADDR_MAP");
	ts = xcalloc(n, sizeof *ts);
	for (i = 0; i < n; i++) {
		ts[i].rec = recs[i];
		ts[i].aws = aws[i];
		if (aws[i] != NULL)
			aws[i]->abortable = 1;
	}
	rv = wait_targets(ts, n, o->addr, map, start, o->timeout);
	if (rv == -2) {
		if (cleanup_on_signal && !o->keep)
			cleanup_started(recs, n, owner_aws);
		else {
			save_records(recs, n, 0);
			util_say("interrupted; %s", cleanup_on_signal ?
			    "--keep: instances left running" :
			    "instances left as they are");
		}
		status = DESKCTL_EXIT_INTERRUPTED;
		goto out;
	}
	save_records(recs, n, 0);
	for (i = 0; i < n; i++) {
		print_target(o, &ts[i]);
		if (ts[i].failed)
			status = DESKCTL_EXIT_TIMEOUT;
	}
out:
	for (i = 0; i < n; i++)
		free(ts[i].error);
	free(ts);
	return (status);
}

static int
launch_local(struct opts *o)
{
	json_t		**recs;
	struct aws	**aws;
	char		*deskd, *dir, *cause = NULL, *exp;
	long long	 start = util_now_ms();
	int		 i, status = DESKCTL_EXIT_OK;

	if ((dir = state_dir(&cause)) == NULL) {
		util_say("%s", cause);
		free(cause);
		return (DESKCTL_EXIT_FAIL);
	}
	deskd = local_find_deskd(o->deskd);
	recs = xcalloc(o->count, sizeof *recs);
	aws = xcalloc(o->count, sizeof *aws);
	for (i = 0; i < o->count && !util_interrupted; i++) {
		if ((recs[i] = local_launch(deskd, dir, &cause)) == NULL) {
			util_say("local launch: %s", cause);
			free(cause);
			status = DESKCTL_EXIT_FAIL;
			break;
		}
		if (o->ttl > 0) {
			exp = util_time_iso(time(NULL) + o->ttl);
			json_object_set_new(recs[i], "expires_at",
			    json_string(exp));
			free(exp);
		}
	}
	save_records(recs, o->count, 0);
	if (util_interrupted || status != DESKCTL_EXIT_OK) {
		if (util_interrupted && o->keep)
			status = DESKCTL_EXIT_INTERRUPTED;
		else {
			cleanup_started(recs, o->count, NULL);
			if (util_interrupted || status == DESKCTL_EXIT_OK)
				status = DESKCTL_EXIT_INTERRUPTED;
		}
		goto out;
	}
	if (o->no_wait) {
		for (i = 0; i < o->count; i++) {
			struct wait_target	 t;

			memset(&t, 0, sizeof t);
			t.rec = recs[i];
			print_target(o, &t);
		}
		goto out;
	}
	status = run_wait(o, recs, o->count, aws, start, 1, NULL);
out:
	for (i = 0; i < o->count; i++)
		json_decref(recs[i]);
	free(recs);
	free(aws);
	free(deskd);
	free(dir);
	return (status);
}

static int
launch_ec2(struct opts *o)
{
	struct ec2_launch	 l;
	struct ec2_instance	*list = NULL;
	struct aws		*a, **aws = NULL;
	json_t			**recs = NULL;
	char			*cause = NULL, *code = NULL, *ami = NULL;
	char			*token = NULL, *ctoken = NULL, *hex;
	char			*ud = NULL;
	char			*owner, *now, *exp = NULL;
	size_t			 n = 0, i, nt;
	long long		 start = util_now_ms();
	int			 status = DESKCTL_EXIT_OK, exitcode;

	memset(&l, 0, sizeof l);
	if ((a = get_aws(o->region, o->endpoint, o->profile, &cause,
	    &exitcode)) == NULL) {
		util_say("%s", cause);
		free(cause);
		return (exitcode);
	}
	owner = util_owner();
	if (o->ami_name != NULL) {
		a->abortable = 1;	/* nothing started yet */
		/*
		 * Only our own images unless told otherwise: anyone can
		 * publish a public AMI under a matching name (AMI squatting).
		 */
		ami = ec2_find_image(a, o->ami_name, o->ami_owner != NULL ?
		    o->ami_owner : "self", &code, &cause);
		if (ami == NULL)
			goto fail;
		log_info("--ami-name %s: using %s", o->ami_name, ami);
	} else if (o->ami != NULL)
		ami = xstrdup(o->ami);
	else if (getenv("DESKCTL_AMI") != NULL)
		ami = xstrdup(getenv("DESKCTL_AMI"));
	else {
		util_say("launch: --ami or --ami-name is needed for ec2");
		status = DESKCTL_EXIT_USAGE;
		goto out;
	}
	if ((token = util_random_hex(DESKCTL_TOKEN_BYTES, &cause)) == NULL)
		goto fail;
	if ((hex = util_random_hex(16, &cause)) == NULL)
		goto fail;
	xasprintf(&ctoken, "deskctl-%s", hex);
	free(hex);
	ud = user_data(o, token);

	/* Tags: Name, owner and expiry first, then the user's. */
	l.tags = xcalloc(o->ntags + 3, sizeof *l.tags);
	nt = 0;
	l.tags[nt].key = (char *)"Name";
	l.tags[nt++].value = (char *)"deskd";
	for (i = 0; i < o->ntags; i++) {
		if (strcmp(o->tags[i].key, "Name") == 0)
			l.tags[0].value = o->tags[i].value;
	}
	l.tags[nt].key = (char *)"deskd:owner";
	l.tags[nt++].value = owner;
	if (o->ttl > 0) {
		exp = util_time_iso(time(NULL) + o->ttl);
		l.tags[nt].key = (char *)"deskd:expires-at";
		l.tags[nt++].value = exp;
	}
	for (i = 0; i < o->ntags; i++) {
		if (strcmp(o->tags[i].key, "Name") != 0)
			l.tags[nt++] = o->tags[i];
	}
	l.ntags = nt;
	l.ami = ami;
	l.type = o->type;
	l.count = o->count;
	l.subnet = o->subnet;
	l.groups = o->groups;
	l.ngroups = o->ngroups;
	l.key_name = o->key_name;
	l.disk_gb = o->disk_gb;
	l.spot = o->spot;
	l.public_ip = o->addr == WAIT_ADDR_PUBLIC ? 1 :
	    o->addr == WAIT_ADDR_PRIVATE ? 0 : -1;
	l.client_token = ctoken;
	l.user_data = ud;

	/*
	 * RunInstances is not abortable: a ^C now must not lose the ids of
	 * instances AWS already started.  The handler's flag is checked
	 * right after.
	 */
	a->abortable = 0;
	if (util_interrupted) {
		util_say("interrupted before anything was launched");
		status = DESKCTL_EXIT_INTERRUPTED;
		goto out;
	}
	if (ec2_run(a, &l, &list, &n, &code, &cause) == -1)
		goto fail;
	if (n == 0) {
		xasprintf(&cause, "RunInstances answered no instances");
		goto fail;
	}
	now = util_time_iso(time(NULL));
	recs = xcalloc(n, sizeof *recs);
	aws = xcalloc(n, sizeof *aws);
	for (i = 0; i < n; i++) {
		recs[i] = json_pack("{s:s, s:s, s:s?, s:s, s:s, s:s, s:s, "
		    "s:s, s:s?, s:s?, s:s?}",
		    "id", list[i].id, "provider", "ec2",
		    "state", list[i].state, "region", a->region,
		    "endpoint", a->endpoint, "token", token,
		    "client_token", ctoken, "launched_at", now,
		    "expires_at", exp, "private_ip", list[i].private_ip,
		    "public_ip", list[i].public_ip);
		aws[i] = a;
		log_debug("launched %s", list[i].id);
	}
	free(now);
	save_records(recs, n, 0);
	if (util_interrupted) {
		if (o->keep)
			util_say("interrupted; --keep: %zu instance(s) left "
			    "running", n);
		else
			cleanup_started(recs, n, a);
		status = DESKCTL_EXIT_INTERRUPTED;
		goto out;
	}
	if (o->no_wait) {
		for (i = 0; i < n; i++) {
			struct wait_target	 t;

			memset(&t, 0, sizeof t);
			t.rec = recs[i];
			print_target(o, &t);
		}
		goto out;
	}
	status = run_wait(o, recs, n, aws, start, 1, a);
	goto out;
fail:
	if (util_interrupted && cause == NULL)
		xasprintf(&cause, "interrupted");
	util_say("%s", cause);
	status = util_interrupted ? DESKCTL_EXIT_INTERRUPTED :
	    aws_exit_code(code);
out:
	if (recs != NULL) {
		for (i = 0; i < n; i++)
			json_decref(recs[i]);
	}
	free(recs);
	free(aws);
	ec2_instances_free(list, n);
	free(l.tags);
	free(code);
	free(cause);
	free(ami);
	if (token != NULL) {
		explicit_bzero(token, strlen(token));
		free(token);
	}
	if (ud != NULL) {
		explicit_bzero(ud, strlen(ud));
		free(ud);
	}
	free(ctoken);
	free(owner);
	free(exp);
	return (status);
}

static const char *
default_provider(struct opts *o)
{
	const char	*p;

	if (o->provider != NULL)
		return (o->provider);
	if ((p = getenv("DESKCTL_PROVIDER")) != NULL && *p != '\0')
		return (p);
	/* An image means the cloud; otherwise the no-cloud default. */
	if (o->ami != NULL || o->ami_name != NULL)
		return ("ec2");
	return ("local");
}

int
guest_launch(struct opts *o, int argc, char **argv)
{
	const char	*p;

	if (argc != 0) {
		util_say("launch: unexpected argument %s", argv[0]);
		return (DESKCTL_EXIT_USAGE);
	}
	p = default_provider(o);
	if (strcmp(p, "ec2") == 0)
		return (launch_ec2(o));
	if (strcmp(p, "local") == 0)
		return (launch_local(o));
	util_say("unknown provider %s (ec2 or local)", p);
	return (DESKCTL_EXIT_USAGE);
}

int
guest_wait(struct opts *o, int argc, char **argv)
{
	struct state	*s;
	json_t		**recs, *r;
	struct aws	**aws;
	char		*cause = NULL;
	int		 i, n = 0, status = DESKCTL_EXIT_OK, exitcode;

	if (argc == 0) {
		util_say("wait: which instances? (deskctl wait ID ...)");
		return (DESKCTL_EXIT_USAGE);
	}
	if ((s = state_open(&cause)) == NULL) {
		util_say("%s", cause);
		free(cause);
		return (DESKCTL_EXIT_FAIL);
	}
	recs = xcalloc(argc, sizeof *recs);
	aws = xcalloc(argc, sizeof *aws);
	for (i = 0; i < argc; i++) {
		if ((r = state_find(s, argv[i])) == NULL) {
			if (!is_ec2_id(argv[i])) {
				util_say("%s: not in the state file",
				    argv[i]);
				status = DESKCTL_EXIT_FAIL;
				continue;
			}
			/* Launched elsewhere: no token, but we can wait. */
			r = json_pack("{s:s, s:s}", "id", argv[i], "provider",
			    "ec2");
		} else
			r = json_deep_copy(r);
		if (is_ec2_id(argv[i]) && (aws[n] = aws_for_rec(o, r, &cause,
		    &exitcode)) == NULL) {
			util_say("%s", cause);
			free(cause);
			json_decref(r);
			status = exitcode;
			goto out;
		}
		recs[n++] = r;
	}
	state_close(s);
	s = NULL;
	if (n > 0) {
		i = run_wait(o, recs, n, aws, util_now_ms(), 0, NULL);
		if (i != DESKCTL_EXIT_OK)
			status = i;
	}
out:
	state_close(s);
	for (i = 0; i < n; i++)
		json_decref(recs[i]);
	free(recs);
	free(aws);
	return (status);
}

static void
ls_print(struct opts *o, const char *id, const char *provider,
    const char *state, const char *priv, const char *pub, const char *url,
    const char *launched, const char *expires, json_t *tags)
{
	json_t		*j;
	const char	*k;
	json_t		*v;
	char		*s;
	int		 first = 1;

	if (o->json) {
		j = json_pack("{s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, "
		    "s:O}", "id", id, "provider", provider, "state", state,
		    "private_ip", priv, "public_ip", pub, "url", url,
		    "launched_at", launched, "expires_at", expires, "tags",
		    tags);
		s = json_dumps(j, JSON_COMPACT);
		printf("%s\n", s);
		free(s);
		json_decref(j);
		return;
	}
	printf("%-20s %-6s %-13s %-15s %-15s %-28s %-20s ", id, provider,
	    state != NULL ? state : "-", priv != NULL ? priv : "-",
	    pub != NULL ? pub : "-", url != NULL ? url : "-",
	    expires != NULL ? expires : "-");
	json_object_foreach(tags, k, v) {
		printf("%s%s=%s", first ? "" : ",", k, json_string_value(v));
		first = 0;
	}
	printf("%s\n", first ? "-" : "");
}

int
guest_ls(struct opts *o, int argc, char **argv)
{
	struct state		*s;
	json_t			*r, *tags, *seen;
	struct ec2_instance	*list = NULL;
	struct aws		*a;
	char			*cause = NULL, *code = NULL, *owner;
	const char		*prov, *st, *id;
	size_t			 i, j, nl = 0;
	int			 want_ec2, exitcode;
	int			 status = DESKCTL_EXIT_OK;

	if (argc != 0) {
		util_say("ls: unexpected argument %s", argv[0]);
		return (DESKCTL_EXIT_USAGE);
	}
	if ((s = state_open(&cause)) == NULL) {
		util_say("%s", cause);
		free(cause);
		return (DESKCTL_EXIT_FAIL);
	}
	seen = json_object();
	owner = util_owner();
	if (!o->json)
		printf("%-20s %-6s %-13s %-15s %-15s %-28s %-20s %s\n", "ID",
		    "PROV", "STATE", "PRIVATE", "PUBLIC", "URL", "EXPIRES",
		    "TAGS");

	want_ec2 = o->provider == NULL ? -1 : strcmp(o->provider, "ec2") == 0;
	if (want_ec2 == -1) {
		want_ec2 = o->region != NULL || o->endpoint != NULL ||
		    getenv("AWS_REGION") != NULL ||
		    getenv("AWS_DEFAULT_REGION") != NULL;
		json_array_foreach(state_instances(s), i, r) {
			if (is_ec2_id(state_str(r, "id")))
				want_ec2 = 1;
		}
	}
	if (want_ec2) {
		/* The record's endpoint when there is one, else flags/env. */
		r = NULL;
		json_array_foreach(state_instances(s), i, r) {
			if (is_ec2_id(state_str(r, "id")))
				break;
			r = NULL;
		}
		a = r != NULL && o->region == NULL && o->endpoint == NULL ?
		    aws_for_rec(o, r, &cause, &exitcode) :
		    get_aws(o->region, o->endpoint, o->profile, &cause,
		    &exitcode);
		/* Without EC2, still list what the state file knows. */
		if (a == NULL) {
			util_say("%s", cause);
			status = exitcode;
			want_ec2 = 0;
		} else if (ec2_describe(a, NULL, 0, owner, DESKCTL_LIVE_STATES,
		    &list, &nl, &code, &cause) == -1) {
			util_say("%s", cause);
			status = aws_exit_code(code);
			want_ec2 = 0;
		}
		for (i = 0; i < nl; i++) {
			tags = json_object();
			for (j = 0; j < list[i].ntags; j++)
				json_object_set_new(tags, list[i].tags[j].key,
				    json_string(list[i].tags[j].value));
			r = state_find(s, list[i].id);
			ls_print(o, list[i].id, "ec2", list[i].state,
			    list[i].private_ip, list[i].public_ip,
			    r != NULL ? state_str(r, "url") : NULL,
			    list[i].launch_time, ec2_tag(&list[i],
			    "deskd:expires-at"), tags);
			json_decref(tags);
			json_object_set_new(seen, list[i].id, json_true());
		}
	}
	json_array_foreach(state_instances(s), i, r) {
		id = state_str(r, "id");
		prov = state_str(r, "provider");
		if (id == NULL || prov == NULL || json_object_get(seen, id))
			continue;
		if (o->provider != NULL && strcmp(o->provider, prov) != 0)
			continue;
		if (strcmp(prov, "local") == 0)
			st = local_alive(r) ? "running" : "exited";
		else
			st = want_ec2 ? "gone" : state_str(r, "state");
		tags = json_object();
		ls_print(o, id, prov, st, state_str(r, "private_ip"),
		    state_str(r, "public_ip"), state_str(r, "url"),
		    state_str(r, "launched_at"), state_str(r, "expires_at"),
		    tags);
		json_decref(tags);
	}
	ec2_instances_free(list, nl);
	json_decref(seen);
	free(owner);
	free(code);
	free(cause);
	state_close(s);
	return (status);
}

static int
expired(const char *when, time_t now)
{
	time_t	 t;

	return (when != NULL && util_parse_iso(when, &t) == 0 && t <= now);
}

/*
 * Terminate one EC2 instance.  One EC2 no longer knows is forgotten if
 * we had it on record (terminated and purged, or launched against an
 * endpoint that was reset), an error otherwise.
 */
static int
terminate_one(struct aws *a, struct state *s, char *id)
{
	char	*code = NULL, *cause = NULL;
	int	 rv = 0;

	if (ec2_terminate(a, &id, 1, &code, &cause) == 0)
		printf("terminated %s\n", id);
	else if (code != NULL &&
	    strcmp(code, "InvalidInstanceID.NotFound") == 0 &&
	    state_find(s, id) != NULL)
		printf("forgot %s (EC2 no longer knows it)\n", id);
	else {
		util_say("%s: %s", id, cause);
		rv = -1;
	}
	if (rv == 0)
		state_remove(s, id);
	free(code);
	free(cause);
	return (rv);
}

int
guest_terminate(struct opts *o, int argc, char **argv)
{
	struct state		*s;
	json_t			*r, *ids, *locals, *v;
	struct ec2_instance	*list = NULL;
	struct aws		*a = NULL;
	char			*cause = NULL, *code = NULL, *owner = NULL;
	char			**idv = NULL;
	const char		*id;
	size_t			 i, nl = 0, nids;
	time_t			 now = time(NULL);
	int			 status = DESKCTL_EXIT_OK, exitcode;

	if ((argc == 0) == !(o->expired || o->all_mine)) {
		util_say("terminate: give instance ids, or --expired, or "
		    "--all-mine");
		return (DESKCTL_EXIT_USAGE);
	}
	if ((s = state_open(&cause)) == NULL) {
		util_say("%s", cause);
		free(cause);
		return (DESKCTL_EXIT_FAIL);
	}
	ids = json_array();	/* EC2 ids for the one endpoint */
	locals = json_array();
	for (i = 0; i < (size_t)argc; i++) {
		if (is_ec2_id(argv[i])) {
			r = state_find(s, argv[i]);
			if (a == NULL) {
				a = r != NULL ? aws_for_rec(o, r, &cause,
				    &exitcode) : get_aws(o->region, o->endpoint,
				    o->profile, &cause, &exitcode);
				if (a == NULL) {
					util_say("%s", cause);
					status = exitcode;
					goto out;
				}
			}
			json_array_append_new(ids, json_string(argv[i]));
		} else if ((r = state_find(s, argv[i])) != NULL)
			json_array_append(locals, r);
		else {
			util_say("%s: no such instance", argv[i]);
			status = DESKCTL_EXIT_FAIL;
		}
	}
	if (o->expired || o->all_mine) {
		json_array_foreach(state_instances(s), i, r) {
			if (strcmp(state_str(r, "provider") != NULL ?
			    state_str(r, "provider") : "", "local") == 0 &&
			    (o->all_mine || expired(state_str(r,
			    "expires_at"), now)))
				json_array_append(locals, r);
		}
		r = NULL;
		json_array_foreach(state_instances(s), i, r) {
			if (is_ec2_id(state_str(r, "id")))
				break;
			r = NULL;
		}
		if (o->provider == NULL || strcmp(o->provider, "ec2") == 0) {
			if (r != NULL && o->region == NULL &&
			    o->endpoint == NULL)
				a = aws_for_rec(o, r, &cause, &exitcode);
			else if (r != NULL || o->provider != NULL ||
			    o->region != NULL || o->endpoint != NULL ||
			    getenv("AWS_REGION") != NULL ||
			    getenv("AWS_DEFAULT_REGION") != NULL)
				a = get_aws(o->region, o->endpoint, o->profile,
				    &cause, &exitcode);
			if (a == NULL && cause != NULL) {
				util_say("%s", cause);
				status = exitcode;
				goto out;
			}
		}
		if (a != NULL) {
			owner = util_owner();
			if (ec2_describe(a, NULL, 0, owner,
			    "pending,running,stopping,stopped", &list, &nl,
			    &code, &cause) == -1) {
				util_say("%s", cause);
				status = aws_exit_code(code);
				goto out;
			}
			for (i = 0; i < nl; i++) {
				if (o->all_mine || expired(ec2_tag(&list[i],
				    "deskd:expires-at"), now))
					json_array_append_new(ids,
					    json_string(list[i].id));
			}
		}
	}

	json_array_foreach(locals, i, r) {
		id = state_str(r, "id");
		if (local_terminate(r, &cause) == -1) {
			util_say("%s: %s", id, cause);
			free(cause);
			cause = NULL;
			status = DESKCTL_EXIT_FAIL;
			continue;
		}
		printf("terminated %s\n", id);
		state_remove(s, id);
	}
	nids = json_array_size(ids);
	if (nids > 0) {
		idv = xcalloc(nids, sizeof *idv);
		json_array_foreach(ids, i, v)
			idv[i] = (char *)json_string_value(v);
		if (ec2_terminate(a, idv, nids, &code, &cause) == 0) {
			for (i = 0; i < nids; i++) {
				printf("terminated %s\n", idv[i]);
				state_remove(s, idv[i]);
			}
		} else if (code != NULL &&
		    strcmp(code, "InvalidInstanceID.NotFound") == 0) {
			/* One unknown id fails the batch: go one by one. */
			for (i = 0; i < nids; i++) {
				if (terminate_one(a, s, idv[i]) != 0)
					status = DESKCTL_EXIT_FAIL;
			}
		} else {
			util_say("%s", cause);
			status = aws_exit_code(code);
		}
	}
	fflush(stdout);
	if (state_save(s, &cause) == -1) {
		util_say("state file: %s", cause);
		status = DESKCTL_EXIT_FAIL;
	}
out:
	free(idv);
	ec2_instances_free(list, nl);
	json_decref(ids);
	json_decref(locals);
	free(owner);
	free(code);
	free(cause);
	state_close(s);
	return (status);
}
