/*
 * guest.c: launch, wait, ls and terminate, written once over the provider
 * table (provider.h): the signal cleanup of a launch, the one tail every
 * launch shares (record, wait, report, clean up), and the lines each
 * guest is reported by.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "deskctl.h"
#include "guest.h"
#include "log.h"
#include "provider.h"
#include "state.h"
#include "util.h"
#include "wait.h"
#include "xmalloc.h"

/* Save records (steals nothing); errors are warnings: we must go on. */
void
guest_save(json_t **recs, size_t n, int remove)
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
		/* An id given to wait that no record holds stays unrecorded. */
		if (recs[i] == NULL || (!remove && json_is_true(
		    json_object_get(recs[i], "unrecorded"))))
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
guest_token(json_t *rec)
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

/* One line per guest: the answer of launch and wait (and pool acquire). */
void
guest_print(struct cmd_opts *o, struct wait_target *t, int with_token)
{
	json_t		*j, *rec = t->rec;
	char		*token, *s;
	const char	*v;

	token = with_token ? guest_token(rec) : NULL;
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
	util_free_secret(token);
}

/*
 * Terminate RECS, provider by provider (local first: it cannot fail for
 * the cloud's reasons), and forget those that went.  Signals stay
 * caught, but no longer cut transfers short: the cleanup must finish.
 * Returns the exit code; *LIST (if not NULL) gets the ids that went.
 */
static int
guest_end(struct cmd_opts *o, json_t **recs, size_t n, int print,
    char **list)
{
	const struct provider	**p;
	enum provider_end	 *end;
	json_t			**mine, **gone;
	char			 *tmp;
	size_t			  i, k, ngone = 0;
	int			  status = DESKCTL_EXIT_OK, st;

	end = xcalloc(n, sizeof *end);
	mine = xcalloc(n, sizeof *mine);
	gone = xcalloc(n, sizeof *gone);
	for (p = provider_all; *p != NULL; p++) {
		k = 0;
		for (i = 0; i < n; i++) {
			if (recs[i] != NULL && provider_of(recs[i]) == *p)
				mine[k++] = recs[i];
		}
		if (k == 0)
			continue;
		st = (*p)->terminate(o, mine, k, end);
		if (st != DESKCTL_EXIT_OK)
			status = st;
		for (i = 0; i < k; i++) {
			if (end[i] == PROVIDER_END_FAILED)
				continue;
			gone[ngone++] = mine[i];
			if (print)
				printf("%s %s%s\n", end[i] == PROVIDER_END_DONE ?
				    "terminated" : "forgot",
				    state_str(mine[i], "id"), end[i] ==
				    PROVIDER_END_FORGOT ? " (EC2 no longer "
				    "knows it)" : "");
			if (list != NULL) {
				xasprintf(&tmp, "%s%s%s", *list != NULL ?
				    *list : "", *list != NULL ? " " : "",
				    state_str(mine[i], "id"));
				free(*list);
				*list = tmp;
			}
		}
	}
	fflush(stdout);
	guest_save(gone, ngone, 1);
	free(end);
	free(mine);
	free(gone);
	return (status);
}

/* The SIGINT/SIGTERM path of a launch: terminate what it started. */
static void
guest_cleanup(struct cmd_opts *o, json_t **recs, size_t n)
{
	char	*list = NULL;
	size_t	 i, k = 0;

	util_interrupted = 0;
	for (i = 0; i < n; i++)
		k += recs[i] != NULL;
	if (guest_end(o, recs, n, 0, &list) == DESKCTL_EXIT_OK)
		util_say("interrupted: terminated %zu instance(s): %s", k,
		    list != NULL ? list : "none");
	else
		util_say("interrupted: some instances may still run; "
		    "terminated: %s (deskctl terminate ID)", list != NULL ?
		    list : "none");
	free(list);
}

struct guest_wait {
	struct cmd_opts	*o;
	int		 launched;	/* this run started them */
	int		 tty;		/* progress lines on stderr */
};

static void
guest_progress_cb(struct wait_ctx *ctx, struct wait_target *t,
    const char *st)
{
	struct guest_wait	*gw = ctx->arg;

	if (!gw->tty)
		return;
	fprintf(stderr, "deskctl: %s: %s (%.1f s)\n", state_str(t->rec, "id"),
	    st, wait_seconds(ctx));
}

static void
guest_done_cb(struct wait_ctx *ctx, struct wait_target *t)
{
	struct guest_wait	*gw = ctx->arg;

	/* A failed guest of a launch is terminated unless --keep. */
	guest_print(gw->o, t, t->ready || !gw->launched || gw->o->keep);
}

static int
guest_run_wait(struct cmd_opts *o, json_t **recs, size_t n, long long start,
    int launched)
{
	struct wait_target	*ts;
	struct wait_ctx		 ctx;
	struct guest_wait	 gw;
	json_t			**failed;
	char			*ids = NULL, *tmp;
	size_t			 i, nf = 0;
	int			 rv, status = DESKCTL_EXIT_OK;

	memset(&ctx, 0, sizeof ctx);
	gw.o = o;
	gw.launched = launched;
	gw.tty = !o->json && isatty(STDERR_FILENO);
	/* --connect picks the URL; --private alone means private too. */
	ctx.addr = o->connect != WAIT_ADDR_AUTO ? o->connect :
	    o->addr == WAIT_ADDR_PRIVATE ? WAIT_ADDR_PRIVATE : WAIT_ADDR_AUTO;
	ctx.map = o->addr_map != NULL ? o->addr_map :
	    getenv("DESKCTL_ADDR_MAP");
	ctx.region = o->region;
	ctx.endpoint = o->endpoint;
	ctx.profile = o->profile;
	ctx.start_ms = start;
	ctx.deadline_ms = util_now_ms() + o->timeout * 1000;
	ctx.progress = guest_progress_cb;
	ctx.done = guest_done_cb;
	ctx.arg = &gw;
	ts = xcalloc(n, sizeof *ts);
	for (i = 0; i < n; i++) {
		ts[i].rec = recs[i];
		ts[i].prov = provider_of(recs[i]);
	}
	rv = wait_targets(&ctx, ts, n);
	if (rv == -2) {
		if (launched && !o->keep)
			guest_cleanup(o, recs, n);
		else {
			guest_save(recs, n, 0);
			util_say("interrupted; %s", launched ?
			    "--keep: instances left running" :
			    "instances left as they are");
		}
		status = DESKCTL_EXIT_INTERRUPTED;
		goto out;
	}
	guest_save(recs, n, 0);
	failed = xcalloc(n, sizeof *failed);
	for (i = 0; i < n; i++) {
		if (!ts[i].failed)
			continue;
		status = DESKCTL_EXIT_TIMEOUT;
		failed[nf++] = recs[i];
		xasprintf(&tmp, "%s%s%s", ids != NULL ? ids : "", ids !=
		    NULL ? " " : "", state_str(recs[i], "id"));
		free(ids);
		ids = tmp;
	}
	/* Nothing that failed is left running without a word. */
	if (nf > 0 && launched && !o->keep) {
		free(ids);
		ids = NULL;
		guest_end(o, failed, nf, 0, &ids);
		util_say("not ready, so terminated: %s (--keep keeps them)",
		    ids != NULL ? ids : "none");
	} else if (nf > 0)
		util_say("not ready, and left as they are: %s (deskctl "
		    "terminate ID ... to remove them)", ids);
	free(failed);
	free(ids);
out:
	for (i = 0; i < n; i++) {
		free(ts[i].error);
		free(ts[i].shown);
	}
	free(ts);
	return (status);
}

static const struct provider *
guest_default_provider(struct cmd_opts *o)
{
	/* --provider or $DESKCTL_PROVIDER (cmd.c), checked there. */
	if (o->provider != NULL)
		return (provider_find(o->provider));
	/* An image means the cloud; otherwise the no-cloud default. */
	if (o->ami != NULL || o->ami_name != NULL || o->ami_map != NULL)
		return (&provider_ec2);
	return (&provider_local);
}

int
guest_launch(struct cmd_opts *o, int argc, char **argv)
{
	const struct provider	*p;
	struct wait_target	 t;
	json_t			**recs = NULL;
	long long		 start = util_now_ms();
	size_t			 n = 0, i;
	int			 status;

	if (argc != 0) {
		util_say("launch: unexpected argument %s", argv[0]);
		return (DESKCTL_EXIT_USAGE);
	}
	p = guest_default_provider(o);
	status = p->launch(o, &recs, &n);
	/* Recorded before anything else: nothing runs unrecorded. */
	guest_save(recs, n, 0);
	if (util_interrupted || status == DESKCTL_EXIT_INTERRUPTED) {
		if (o->keep)
			util_say("interrupted; --keep: %zu instance(s) left "
			    "running", n);
		else
			guest_cleanup(o, recs, n);
		status = DESKCTL_EXIT_INTERRUPTED;
		goto out;
	}
	if (status != DESKCTL_EXIT_OK) {
		/* All or nothing, as one RunInstances of N used to be. */
		if (n > 0 && !o->keep) {
			guest_end(o, recs, n, 0, NULL);
			util_say("the launch failed: terminated the %zu guest(s) "
			    "it had started (--keep keeps them)", n);
		} else if (n > 0)
			util_say("the launch failed; --keep: %zu guest(s) left "
			    "running", n);
		goto out;
	}
	if (o->no_wait) {
		for (i = 0; i < n; i++) {
			memset(&t, 0, sizeof t);
			t.rec = recs[i];
			guest_print(o, &t, 1);
		}
		goto out;
	}
	status = guest_run_wait(o, recs, n, start, 1);
out:
	for (i = 0; i < n; i++)
		json_decref(recs[i]);
	free(recs);
	return (status);
}

int
guest_wait(struct cmd_opts *o, int argc, char **argv)
{
	struct state	*s;
	json_t		**recs, *r;
	char		*cause = NULL;
	int		 i, n = 0, status = DESKCTL_EXIT_OK, rv;

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
	for (i = 0; i < argc; i++) {
		if ((r = state_find(s, argv[i])) != NULL)
			r = json_deep_copy(r);
		else if (provider_guess(argv[i]) == &provider_ec2) {
			/* Launched elsewhere: no token, but we can wait. */
			r = json_pack("{s:s, s:s, s:b}", "id", argv[i],
			    "provider", "ec2", "unrecorded", 1);
		} else {
			util_say("%s: not in the state file", argv[i]);
			status = DESKCTL_EXIT_FAIL;
			continue;
		}
		recs[n++] = r;
	}
	state_close(s);
	if (n > 0) {
		rv = guest_run_wait(o, recs, n, util_now_ms(), 0);
		if (rv != DESKCTL_EXIT_OK)
			status = rv;
	}
	for (i = 0; i < n; i++)
		json_decref(recs[i]);
	free(recs);
	return (status);
}

/* Every --tag K=V is on the guest. */
static int
guest_tags_match(struct cmd_opts *o, json_t *rec)
{
	json_t		*tags = json_object_get(rec, "tags");
	const char	*v;
	size_t		 i;

	for (i = 0; i < o->ntags; i++) {
		v = json_string_value(json_object_get(tags, o->tags[i].key));
		if (v == NULL || strcmp(v, o->tags[i].value) != 0)
			return (0);
	}
	return (1);
}

/* What every provider (or the one --provider names) sees. */
static int
guest_list(struct cmd_opts *o, struct state *s, json_t *list)
{
	const struct provider	**p;
	int			  status = DESKCTL_EXIT_OK, st;

	for (p = provider_all; *p != NULL; p++) {
		if (o->provider != NULL && strcmp(o->provider, (*p)->name) != 0)
			continue;
		st = (*p)->list(o, s, list);
		if (st != DESKCTL_EXIT_OK && status == DESKCTL_EXIT_OK)
			status = st;
	}
	return (status);
}

static void
guest_ls_print(struct cmd_opts *o, json_t *r)
{
	const char	*k, *v[7];
	const char	*keys[] = { "id", "provider", "state", "private_ip",
			    "public_ip", "url", "expires_at" };
	json_t		*j, *tags, *tv;
	char		*s;
	size_t		 i;
	int		 first = 1;

	tags = json_object_get(r, "tags");
	if (o->json) {
		j = json_object();
		for (i = 0; i < 7; i++) {
			v[i] = state_str(r, keys[i]);
			if (v[i] != NULL || i < 2)
				json_object_set_new(j, keys[i],
				    json_string(v[i] != NULL ? v[i] : ""));
		}
		if (state_str(r, "launched_at") != NULL)
			json_object_set_new(j, "launched_at",
			    json_string(state_str(r, "launched_at")));
		if (state_str(r, "region") != NULL)
			json_object_set_new(j, "region",
			    json_string(state_str(r, "region")));
		json_object_set(j, "tags", tags != NULL ? tags :
		    json_object());
		s = json_dumps(j, JSON_COMPACT);
		printf("%s\n", s);
		free(s);
		json_decref(j);
		return;
	}
	for (i = 0; i < 7; i++)
		v[i] = state_str(r, keys[i]);
	printf("%-20s %-6s %-13s %-15s %-15s %-28s %-20s ", v[0], v[1],
	    v[2] != NULL ? v[2] : "-", v[3] != NULL ? v[3] : "-",
	    v[4] != NULL ? v[4] : "-", v[5] != NULL ? v[5] : "-",
	    v[6] != NULL ? v[6] : "-");
	json_object_foreach(tags, k, tv) {
		printf("%s%s=%s", first ? "" : ",", k, json_string_value(tv));
		first = 0;
	}
	printf("%s\n", first ? "-" : "");
}

int
guest_ls(struct cmd_opts *o, int argc, char **argv)
{
	struct state	*s;
	json_t		*list, *r;
	char		*cause = NULL;
	size_t		 i;
	int		 status;

	if (argc != 0) {
		util_say("ls: unexpected argument %s", argv[0]);
		return (DESKCTL_EXIT_USAGE);
	}
	if ((s = state_open(&cause)) == NULL) {
		util_say("%s", cause);
		free(cause);
		return (DESKCTL_EXIT_FAIL);
	}
	list = json_array();
	status = guest_list(o, s, list);
	state_close(s);
	if (!o->json)
		printf("%-20s %-6s %-13s %-15s %-15s %-28s %-20s %s\n", "ID",
		    "PROV", "STATE", "PRIVATE", "PUBLIC", "URL", "EXPIRES",
		    "TAGS");
	json_array_foreach(list, i, r) {
		if (guest_tags_match(o, r))
			guest_ls_print(o, r);
	}
	json_decref(list);
	return (status);
}

/* A guest of a pool: tagged deskd:pool by its group, or recorded so. */
static int
guest_pooled(json_t *r)
{
	return (json_object_get(json_object_get(r, "tags"), "deskd:pool") !=
	    NULL || state_str(r, "pool") != NULL);
}

static int
guest_expired(const char *when, time_t now)
{
	time_t	 t;

	return (when != NULL && util_parse_iso(when, &t) == 0 && t <= now);
}

int
guest_terminate(struct cmd_opts *o, int argc, char **argv)
{
	struct state	*s;
	json_t		*list, *r, **recs;
	char		*cause = NULL;
	size_t		 i, n = 0, npool = 0;
	time_t		 now = time(NULL);
	int		 status = DESKCTL_EXIT_OK, st;

	if ((argc == 0) == !(o->expired || o->all_mine)) {
		util_say("terminate: give instance ids, or --expired, or "
		    "--all-mine");
		return (DESKCTL_EXIT_USAGE);
	}
	if (argc > 0 && o->ntags > 0) {
		util_say("terminate: --tag filters --expired and --all-mine, "
		    "not a list of ids");
		return (DESKCTL_EXIT_USAGE);
	}
	if ((s = state_open(&cause)) == NULL) {
		util_say("%s", cause);
		free(cause);
		return (DESKCTL_EXIT_FAIL);
	}
	list = json_array();
	for (i = 0; i < (size_t)argc; i++) {
		if ((r = state_find(s, argv[i])) != NULL)
			json_array_append_new(list, json_deep_copy(r));
		else if (provider_guess(argv[i]) == &provider_ec2)
			json_array_append_new(list, json_pack("{s:s, s:s, s:b}",
			    "id", argv[i], "provider", "ec2", "unrecorded", 1));
		else {
			util_say("%s: no such instance", argv[i]);
			status = DESKCTL_EXIT_FAIL;
		}
	}
	if (o->expired || o->all_mine) {
		status = guest_list(o, s, list);
		/* Only what is still there, and matches. */
		for (i = 0; i < json_array_size(list);) {
			r = json_array_get(list, i);
			if (strcmp(state_str(r, "state") != NULL ?
			    state_str(r, "state") : "", "gone") == 0 ||
			    !guest_tags_match(o, r) || (!o->all_mine &&
			    !guest_expired(state_str(r, "expires_at"), now)))
				json_array_remove(list, i);
			else if (guest_pooled(r)) {
				/* Its group would start another at once. */
				npool++;
				json_array_remove(list, i);
			} else
				i++;
		}
		if (npool > 0)
			util_say("left %zu pool guest(s) to their pool "
			    "(deskctl pool release, pool delete)", npool);
	}
	state_close(s);
	recs = xcalloc(json_array_size(list) + 1, sizeof *recs);
	json_array_foreach(list, i, r)
		recs[n++] = r;
	st = guest_end(o, recs, n, 1, NULL);
	if (st != DESKCTL_EXIT_OK)
		status = st;
	free(recs);
	json_decref(list);
	return (status);
}
