/*
 * deskctl.c: the host tool.  Command line, the launch/wait/ls/terminate
 * flows for both providers, signal cleanup, and the client verbs.
 */
#include <curl/curl.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "aws.h"
#include "client.h"
#include "creds.h"
#include "deskctl.h"
#include "ec2.h"
#include "local.h"
#include "log.h"
#include "state.h"
#include "wait.h"
#include "xmalloc.h"

#define DESKCTL_LIVE_STATES "pending,running,stopping,stopped,shutting-down"

struct opts {
	const char	*provider;
	int		 count;
	const char	*ami;
	const char	*ami_name;
	const char	*ami_owner;
	const char	*type;
	const char	*subnet;
	const char	**groups;
	size_t		 ngroups;
	const char	*key_name;
	const char	*desktop_user;
	const char	**allow;
	size_t		 nallow;
	int		 disk_gb;
	int		 spot;
	long long	 ttl;
	struct ec2_tag	*tags;
	size_t		 ntags;
	enum wait_addr	 addr;
	int		 no_wait;
	int		 json;
	int		 keep;
	long long	 timeout;
	const char	*region;
	const char	*endpoint;
	const char	*profile;
	const char	*addr_map;
	const char	*token_file;
	const char	*deskd;
	const char	*out;
	int		 expired;
	int		 all_mine;
	/* exec */
	const char	*cwd;
	const char	**env;
	size_t		 nenv;
	const char	*stdin_file;
	int		 shell;
	/* screenshot */
	const char	*width;
	const char	*height;
	const char	*scale;
	const char	*sregion;
	const char	*cursor;
};

/* One EC2 context per (region, endpoint) met in a run. */
struct aws_ent {
	char		*region;
	char		*endpoint;
	struct aws	*aws;
};
static struct aws_ent	*aws_cache;
static size_t		 aws_ncache;

static void
usage(FILE *f)
{
	fprintf(f,
"usage: deskctl COMMAND [options]\n"
"\n"
"Guests:\n"
"  launch [--provider ec2|local] [--count N] [--ami ID | --ami-name PATTERN]\n"
"         [--ami-owner self|ACCOUNT|amazon] [--type T] [--subnet ID]\n"
"         [--security-group ID ...] [--key-name K] [--disk-gb N] [--spot]\n"
"         [--ttl DURATION] [--tag K=V ...] [--public|--private]\n"
"         [--no-wait] [--keep] [--timeout DURATION] [--json]\n"
"         [--desktop-user NAME] [--agent-allow CIDR ...]\n"
"  wait ID ... [--timeout DURATION] [--json]\n"
"  ls [--provider ec2|local] [--json]\n"
"  terminate ID ... | --expired | --all-mine\n"
"\n"
"Agents (ID from the state file, or an http(s):// URL with --token-file):\n"
"  screenshot ID -o FILE.png [--width W] [--height H] [--scale S]\n"
"             [--region-crop X,Y,W,H] [--cursor 0|1]\n"
"  do ID JSON|- [-o F.png]  POST a computer-use action to /v1/computer;\n"
"                        -o saves the screenshot of the answer\n"
"  exec ID [--cwd DIR] [--env K=V ...] [--stdin FILE] [--timeout D]\n"
"          [--shell] -- CMD [ARG ...]\n"
"  cp LOCAL ID:/PATH  |  cp ID:/PATH LOCAL\n"
"\n"
"Common: --region R, --endpoint-url URL, --profile P, --token-file F,\n"
"  --deskd PATH (local provider), --verbose.\n"
"Test aid: --addr-map FROM=HOST:PORT[,...] or $DESKCTL_ADDR_MAP points the\n"
"  health wait and agent URL of guests whose address is FROM (or * for\n"
"  all) at HOST:PORT instead of ADDRESS:5000 (for emulators whose\n"
"  addresses are fake).\n"
"Exit codes: 0 ok, 1 error, 2 usage, 3 credentials/permissions,\n"
"  4 a guest did not become ready, 5 no capacity/quota, 130 interrupted.\n");
}

/* Messages for the person at the terminal: "deskctl: ...". */
static void __attribute__((format(printf, 1, 2)))
say(const char *fmt, ...)
{
	va_list	 ap;

	fflush(stdout);
	fputs("deskctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void
sig_cb(int sig)
{
	util_interrupted = 1;
}

static void
install_signals(void)
{
	struct sigaction	 sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = sig_cb;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: sleeps and polls must wake up. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

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

static void
free_aws_cache(void)
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
		say("state file: %s", cause);
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
		say("state file: %s", cause);
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
			say("%s: %s", state_str(recs[i], "id"), cause);
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
		say("interrupted, but could NOT terminate %zu "
		    "instance(s): %s", nids, cause);
		ok = 0;
	}
	if (ok) {
		save_records(recs, n, 1);
		say("interrupted: terminated %zu instance(s): %s", n,
		    list != NULL ? list : "none");
	} else
		say("interrupted: some instances may still run: %s "
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
			say("interrupted; %s", cleanup_on_signal ?
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
		say("%s", cause);
		free(cause);
		return (DESKCTL_EXIT_FAIL);
	}
	deskd = local_find_deskd(o->deskd);
	recs = xcalloc(o->count, sizeof *recs);
	aws = xcalloc(o->count, sizeof *aws);
	for (i = 0; i < o->count && !util_interrupted; i++) {
		if ((recs[i] = local_launch(deskd, dir, &cause)) == NULL) {
			say("local launch: %s", cause);
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
		say("%s", cause);
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
		say("launch: --ami or --ami-name is needed for ec2");
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
		say("interrupted before anything was launched");
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
			say("interrupted; --keep: %zu instance(s) left "
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
	say("%s", cause);
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

static int
cmd_launch(struct opts *o, int argc, char **argv)
{
	const char	*p;

	if (argc != 0) {
		say("launch: unexpected argument %s", argv[0]);
		return (DESKCTL_EXIT_USAGE);
	}
	p = default_provider(o);
	if (strcmp(p, "ec2") == 0)
		return (launch_ec2(o));
	if (strcmp(p, "local") == 0)
		return (launch_local(o));
	say("unknown provider %s (ec2 or local)", p);
	return (DESKCTL_EXIT_USAGE);
}

static int
cmd_wait(struct opts *o, int argc, char **argv)
{
	struct state	*s;
	json_t		**recs, *r;
	struct aws	**aws;
	char		*cause = NULL;
	int		 i, n = 0, status = DESKCTL_EXIT_OK, exitcode;

	if (argc == 0) {
		say("wait: which instances? (deskctl wait ID ...)");
		return (DESKCTL_EXIT_USAGE);
	}
	if ((s = state_open(&cause)) == NULL) {
		say("%s", cause);
		free(cause);
		return (DESKCTL_EXIT_FAIL);
	}
	recs = xcalloc(argc, sizeof *recs);
	aws = xcalloc(argc, sizeof *aws);
	for (i = 0; i < argc; i++) {
		if ((r = state_find(s, argv[i])) == NULL) {
			if (!is_ec2_id(argv[i])) {
				say("%s: not in the state file",
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
			say("%s", cause);
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

static int
cmd_ls(struct opts *o, int argc, char **argv)
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
		say("ls: unexpected argument %s", argv[0]);
		return (DESKCTL_EXIT_USAGE);
	}
	if ((s = state_open(&cause)) == NULL) {
		say("%s", cause);
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
			say("%s", cause);
			status = exitcode;
			want_ec2 = 0;
		} else if (ec2_describe(a, NULL, 0, owner, DESKCTL_LIVE_STATES,
		    &list, &nl, &code, &cause) == -1) {
			say("%s", cause);
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
		say("%s: %s", id, cause);
		rv = -1;
	}
	if (rv == 0)
		state_remove(s, id);
	free(code);
	free(cause);
	return (rv);
}

static int
cmd_terminate(struct opts *o, int argc, char **argv)
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
		say("terminate: give instance ids, or --expired, or "
		    "--all-mine");
		return (DESKCTL_EXIT_USAGE);
	}
	if ((s = state_open(&cause)) == NULL) {
		say("%s", cause);
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
					say("%s", cause);
					status = exitcode;
					goto out;
				}
			}
			json_array_append_new(ids, json_string(argv[i]));
		} else if ((r = state_find(s, argv[i])) != NULL)
			json_array_append(locals, r);
		else {
			say("%s: no such instance", argv[i]);
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
				say("%s", cause);
				status = exitcode;
				goto out;
			}
		}
		if (a != NULL) {
			owner = util_owner();
			if (ec2_describe(a, NULL, 0, owner,
			    "pending,running,stopping,stopped", &list, &nl,
			    &code, &cause) == -1) {
				say("%s", cause);
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
			say("%s: %s", id, cause);
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
			say("%s", cause);
			status = aws_exit_code(code);
		}
	}
	fflush(stdout);
	if (state_save(s, &cause) == -1) {
		say("state file: %s", cause);
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

static int
client_target(struct opts *o, const char *target, char **url, char **token)
{
	char	*cause = NULL;

	if (client_resolve(target, o->token_file, url, token, &cause) == -1) {
		say("%s", cause);
		free(cause);
		return (-1);
	}
	return (0);
}

static void
add_param(char **q, const char *key, const char *value)
{
	char	*esc, *nq;

	if (value == NULL)
		return;
	esc = curl_easy_escape(NULL, value, 0);
	xasprintf(&nq, "%s%s%s=%s", *q, **q != '\0' ? "&" : "", key, esc);
	curl_free(esc);
	free(*q);
	*q = nq;
}

static int
cmd_screenshot(struct opts *o, int argc, char **argv)
{
	char	*url, *token, *q, *cause = NULL;
	int	 status = DESKCTL_EXIT_OK;

	if (argc != 1 || o->out == NULL) {
		say("usage: deskctl screenshot ID -o FILE.png");
		return (DESKCTL_EXIT_USAGE);
	}
	if (client_target(o, argv[0], &url, &token) == -1)
		return (DESKCTL_EXIT_FAIL);
	q = xstrdup("");
	add_param(&q, "width", o->width);
	add_param(&q, "height", o->height);
	add_param(&q, "scale", o->scale);
	add_param(&q, "region", o->sregion);
	add_param(&q, "cursor", o->cursor);
	if (client_screenshot(url, token, q, o->out, &cause) == -1) {
		say("screenshot: %s", cause);
		free(cause);
		status = DESKCTL_EXIT_FAIL;
	}
	free(q);
	free(url);
	free(token);
	return (status);
}

static int
cmd_do(struct opts *o, int argc, char **argv)
{
	char	*url, *token, *json, *cause = NULL;
	int	 status = DESKCTL_EXIT_OK;

	if (argc != 2) {
		say("usage: deskctl do ID JSON (or - for stdin)");
		return (DESKCTL_EXIT_USAGE);
	}
	if (strcmp(argv[1], "-") == 0) {
		if ((json = util_read_file("/dev/stdin", 16 * 1024 * 1024,
		    NULL, &cause)) == NULL) {
			say("%s", cause);
			free(cause);
			return (DESKCTL_EXIT_FAIL);
		}
	} else
		json = xstrdup(argv[1]);
	if (client_target(o, argv[0], &url, &token) == -1) {
		free(json);
		return (DESKCTL_EXIT_FAIL);
	}
	if (client_do(url, token, json, o->out, &cause) == -1) {
		say("do: %s", cause);
		free(cause);
		status = DESKCTL_EXIT_FAIL;
	}
	free(json);
	free(url);
	free(token);
	return (status);
}

static int
cmd_exec(struct opts *o, int argc, char **argv, long long timeout)
{
	json_t		*req, *a, *env;
	char		*url, *token, *in, *cause = NULL, *eq, *k;
	size_t		 i, len;
	int		 status = DESKCTL_EXIT_FAIL, st;

	if (argc < 2 || (o->shell && argc != 2)) {
		say("usage: deskctl exec ID -- CMD [ARG ...] (or --shell "
		    "ID 'COMMAND LINE')");
		return (DESKCTL_EXIT_USAGE);
	}
	req = json_object();
	if (o->shell)
		json_object_set_new(req, "command", json_string(argv[1]));
	else {
		a = json_array();
		for (i = 1; i < (size_t)argc; i++)
			json_array_append_new(a, json_string(argv[i]));
		json_object_set_new(req, "argv", a);
	}
	if (o->cwd != NULL)
		json_object_set_new(req, "cwd", json_string(o->cwd));
	if (o->nenv > 0) {
		env = json_object();
		for (i = 0; i < o->nenv; i++) {
			if ((eq = strchr(o->env[i], '=')) == NULL ||
			    eq == o->env[i]) {
				say("--env %s: want KEY=VALUE",
				    o->env[i]);
				json_decref(env);
				json_decref(req);
				return (DESKCTL_EXIT_USAGE);
			}
			k = xstrndup(o->env[i], eq - o->env[i]);
			json_object_set_new(env, k, json_string(eq + 1));
			free(k);
		}
		json_object_set_new(req, "env", env);
	}
	if (o->stdin_file != NULL) {
		in = util_read_file(strcmp(o->stdin_file, "-") == 0 ?
		    "/dev/stdin" : o->stdin_file, 64 * 1024 * 1024, &len,
		    &cause);
		if (in == NULL) {
			say("%s", cause);
			free(cause);
			json_decref(req);
			return (DESKCTL_EXIT_FAIL);
		}
		json_object_set_new(req, "stdin", json_stringn(in, len));
		free(in);
	}
	if (timeout > 0)
		json_object_set_new(req, "timeout", json_integer(timeout));
	if (client_target(o, argv[0], &url, &token) == -1) {
		json_decref(req);
		return (DESKCTL_EXIT_FAIL);
	}
	if (client_exec(url, token, req, timeout > 0 ? (long)timeout : 120,
	    &st, &cause) == -1) {
		say("exec: %s", cause);
		free(cause);
	} else
		status = st;
	json_decref(req);
	free(url);
	free(token);
	return (status);
}

static int
cmd_cp(struct opts *o, int argc, char **argv)
{
	char	*t1 = NULL, *p1 = NULL, *t2 = NULL, *p2 = NULL;
	char	*url = NULL, *token = NULL, *cause = NULL;
	int	 r1, r2, status = DESKCTL_EXIT_FAIL, rv;

	if (argc != 2) {
		say("usage: deskctl cp LOCAL ID:/PATH | ID:/PATH LOCAL");
		return (DESKCTL_EXIT_USAGE);
	}
	r1 = client_split_remote(argv[0], &t1, &p1);
	r2 = client_split_remote(argv[1], &t2, &p2);
	if (r1 == r2) {
		say("cp: exactly one side must be ID:/PATH");
		status = DESKCTL_EXIT_USAGE;
		goto out;
	}
	if (client_target(o, r1 ? t1 : t2, &url, &token) == -1)
		goto out;
	if (r1)
		rv = client_get(url, token, p1, argv[1], &cause);
	else
		rv = client_put(url, token, argv[0], p2, &cause);
	if (rv == -1) {
		say("cp: %s", cause);
		free(cause);
	} else
		status = DESKCTL_EXIT_OK;
out:
	free(t1);
	free(p1);
	free(t2);
	free(p2);
	free(url);
	free(token);
	return (status);
}

static int
parse_int(const char *name, const char *s, int min, int max, int *out)
{
	char		*end;
	long		 v;

	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < min || v > max) {
		say("%s: want a number from %d to %d, got '%s'", name,
		    min, max, s);
		return (-1);
	}
	*out = (int)v;
	return (0);
}

enum {
	OPT_PROVIDER = 256, OPT_AMI, OPT_AMI_NAME, OPT_AMI_OWNER, OPT_TYPE,
	OPT_SUBNET, OPT_SG, OPT_KEY, OPT_DISK, OPT_SPOT, OPT_TTL, OPT_TAG,
	OPT_PUBLIC, OPT_PRIVATE, OPT_NOWAIT, OPT_JSON, OPT_KEEP, OPT_TIMEOUT,
	OPT_REGION, OPT_ENDPOINT, OPT_PROFILE, OPT_ADDRMAP, OPT_TOKENFILE,
	OPT_DESKD, OPT_EXPIRED, OPT_ALLMINE, OPT_CWD, OPT_ENV, OPT_STDIN,
	OPT_SHELL, OPT_WIDTH, OPT_HEIGHT, OPT_SCALE, OPT_CROP, OPT_CURSOR,
	OPT_LOGLEVEL, OPT_USER, OPT_ALLOW
};

static const struct option longopts[] = {
	{ "provider", required_argument, NULL, OPT_PROVIDER },
	{ "count", required_argument, NULL, 'n' },
	{ "ami", required_argument, NULL, OPT_AMI },
	{ "ami-name", required_argument, NULL, OPT_AMI_NAME },
	{ "ami-owner", required_argument, NULL, OPT_AMI_OWNER },
	{ "type", required_argument, NULL, OPT_TYPE },
	{ "subnet", required_argument, NULL, OPT_SUBNET },
	{ "security-group", required_argument, NULL, OPT_SG },
	{ "key-name", required_argument, NULL, OPT_KEY },
	{ "desktop-user", required_argument, NULL, OPT_USER },
	{ "agent-allow", required_argument, NULL, OPT_ALLOW },
	{ "disk-gb", required_argument, NULL, OPT_DISK },
	{ "spot", no_argument, NULL, OPT_SPOT },
	{ "ttl", required_argument, NULL, OPT_TTL },
	{ "tag", required_argument, NULL, OPT_TAG },
	{ "public", no_argument, NULL, OPT_PUBLIC },
	{ "private", no_argument, NULL, OPT_PRIVATE },
	{ "no-wait", no_argument, NULL, OPT_NOWAIT },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "keep", no_argument, NULL, OPT_KEEP },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "region", required_argument, NULL, OPT_REGION },
	{ "endpoint-url", required_argument, NULL, OPT_ENDPOINT },
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "addr-map", required_argument, NULL, OPT_ADDRMAP },
	{ "token-file", required_argument, NULL, OPT_TOKENFILE },
	{ "deskd", required_argument, NULL, OPT_DESKD },
	{ "expired", no_argument, NULL, OPT_EXPIRED },
	{ "all-mine", no_argument, NULL, OPT_ALLMINE },
	{ "cwd", required_argument, NULL, OPT_CWD },
	{ "env", required_argument, NULL, OPT_ENV },
	{ "stdin", required_argument, NULL, OPT_STDIN },
	{ "shell", no_argument, NULL, OPT_SHELL },
	{ "width", required_argument, NULL, OPT_WIDTH },
	{ "height", required_argument, NULL, OPT_HEIGHT },
	{ "scale", required_argument, NULL, OPT_SCALE },
	{ "region-crop", required_argument, NULL, OPT_CROP },
	{ "cursor", required_argument, NULL, OPT_CURSOR },
	{ "output", required_argument, NULL, 'o' },
	{ "log-level", required_argument, NULL, OPT_LOGLEVEL },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/* 1 when S is 1..MAX characters, all from SET. */
static int
valid_chars(const char *s, size_t max, const char *set)
{
	size_t	 n = strlen(s);

	return (n > 0 && n <= max && strspn(s, set) == n);
}

static int
check_tag(const char *arg, struct opts *o)
{
	const char	*eq = strchr(arg, '=');
	size_t		 kl;

	if (eq == NULL || eq == arg) {
		say("--tag %s: want KEY=VALUE", arg);
		return (-1);
	}
	kl = eq - arg;
	if (kl > 128 || strlen(eq + 1) > 256 || strncmp(arg, "aws:", 4) == 0 ||
	    strncmp(arg, "deskd:", 6) == 0) {
		say("--tag %s: keys up to 128 chars, values up to 256, "
		    "and aws: and deskd: keys are reserved", arg);
		return (-1);
	}
	o->tags = xreallocarray(o->tags, o->ntags + 1, sizeof *o->tags);
	o->tags[o->ntags].key = xstrndup(arg, kl);
	o->tags[o->ntags].value = xstrdup(eq + 1);
	o->ntags++;
	return (0);
}

int
main(int argc, char **argv)
{
	struct opts	 o;
	const char	*cmd;
	char		*cause = NULL;
	long long	 secs, exec_timeout = 0;
	int		 ch, status, level, timeout_set = 0;
	size_t		 i;

	log_init(LOG_LEVEL_INFO, "deskctl");
	if (argc < 2) {
		usage(stderr);
		return (DESKCTL_EXIT_USAGE);
	}
	cmd = argv[1];
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 ||
	    strcmp(cmd, "help") == 0) {
		usage(stdout);
		return (DESKCTL_EXIT_OK);
	}
	memset(&o, 0, sizeof o);
	o.count = 1;
	o.type = DESKCTL_DEFAULT_TYPE;
	o.disk_gb = DESKCTL_DEFAULT_DISK_GB;
	o.desktop_user = DESKCTL_DESKTOP_USER;
	o.timeout = DESKCTL_WAIT_TIMEOUT_S;
	argc--;
	argv++;
	while ((ch = getopt_long(argc, argv, "n:o:vh", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_PROVIDER:
			o.provider = optarg;
			break;
		case 'n':
			if (parse_int("--count", optarg, 1, DESKCTL_MAX_COUNT,
			    &o.count) == -1) {
				status = DESKCTL_EXIT_USAGE;
				goto done;
			}
			break;
		case OPT_AMI:
			o.ami = optarg;
			break;
		case OPT_AMI_NAME:
			o.ami_name = optarg;
			break;
		case OPT_AMI_OWNER:
			o.ami_owner = optarg;
			break;
		case OPT_TYPE:
			o.type = optarg;
			break;
		case OPT_SUBNET:
			o.subnet = optarg;
			break;
		case OPT_SG:
			o.groups = xreallocarray(o.groups, o.ngroups + 1,
			    sizeof *o.groups);
			o.groups[o.ngroups++] = optarg;
			break;
		case OPT_KEY:
			o.key_name = optarg;
			break;
		case OPT_USER:
			if (!valid_chars(optarg, 32,
			    "abcdefghijklmnopqrstuvwxyz0123456789_-") ||
			    optarg[0] == '-') {
				say("--desktop-user %s: want a user name",
				    optarg);
				status = DESKCTL_EXIT_USAGE;
				goto done;
			}
			o.desktop_user = optarg;
			break;
		case OPT_ALLOW:
			/* It lands in instance.env: address characters only. */
			if (!valid_chars(optarg, 64,
			    "0123456789abcdefABCDEF:./") ||
			    strchr(optarg, '/') == NULL) {
				say("--agent-allow %s: want a CIDR such as "
				    "10.0.0.0/16", optarg);
				status = DESKCTL_EXIT_USAGE;
				goto done;
			}
			o.allow = xreallocarray(o.allow, o.nallow + 1,
			    sizeof *o.allow);
			o.allow[o.nallow++] = optarg;
			break;
		case OPT_DISK:
			if (parse_int("--disk-gb", optarg, 8, 16384,
			    &o.disk_gb) == -1) {
				status = DESKCTL_EXIT_USAGE;
				goto done;
			}
			break;
		case OPT_SPOT:
			o.spot = 1;
			break;
		case OPT_TTL:
			if (util_parse_duration(optarg, &o.ttl, &cause) == -1 ||
			    o.ttl == 0) {
				say("--ttl: %s", cause != NULL ? cause :
				    "must be more than 0");
				status = DESKCTL_EXIT_USAGE;
				goto done;
			}
			break;
		case OPT_TAG:
			if (check_tag(optarg, &o) == -1) {
				status = DESKCTL_EXIT_USAGE;
				goto done;
			}
			break;
		case OPT_PUBLIC:
			o.addr = WAIT_ADDR_PUBLIC;
			break;
		case OPT_PRIVATE:
			o.addr = WAIT_ADDR_PRIVATE;
			break;
		case OPT_NOWAIT:
			o.no_wait = 1;
			break;
		case OPT_JSON:
			o.json = 1;
			break;
		case OPT_KEEP:
			o.keep = 1;
			break;
		case OPT_TIMEOUT:
			if (util_parse_duration(optarg, &secs, &cause) == -1) {
				say("--timeout: %s", cause);
				status = DESKCTL_EXIT_USAGE;
				goto done;
			}
			o.timeout = exec_timeout = secs;
			timeout_set = 1;
			break;
		case OPT_REGION:
			o.region = optarg;
			break;
		case OPT_ENDPOINT:
			o.endpoint = optarg;
			break;
		case OPT_PROFILE:
			o.profile = optarg;
			break;
		case OPT_ADDRMAP:
			o.addr_map = optarg;
			break;
		case OPT_TOKENFILE:
			o.token_file = optarg;
			break;
		case OPT_DESKD:
			o.deskd = optarg;
			break;
		case OPT_EXPIRED:
			o.expired = 1;
			break;
		case OPT_ALLMINE:
			o.all_mine = 1;
			break;
		case OPT_CWD:
			o.cwd = optarg;
			break;
		case OPT_ENV:
			o.env = xreallocarray(o.env, o.nenv + 1,
			    sizeof *o.env);
			o.env[o.nenv++] = optarg;
			break;
		case OPT_STDIN:
			o.stdin_file = optarg;
			break;
		case OPT_SHELL:
			o.shell = 1;
			break;
		case OPT_WIDTH:
			o.width = optarg;
			break;
		case OPT_HEIGHT:
			o.height = optarg;
			break;
		case OPT_SCALE:
			o.scale = optarg;
			break;
		case OPT_CROP:
			o.sregion = optarg;
			break;
		case OPT_CURSOR:
			o.cursor = optarg;
			break;
		case 'o':
			o.out = optarg;
			break;
		case OPT_LOGLEVEL:
			if ((level = log_parse_level(optarg)) == -1) {
				say("--log-level: unknown level %s",
				    optarg);
				status = DESKCTL_EXIT_USAGE;
				goto done;
			}
			log_init(level, NULL);
			break;
		case 'v':
			log_init(LOG_LEVEL_DEBUG, NULL);
			break;
		case 'h':
			usage(stdout);
			status = DESKCTL_EXIT_OK;
			goto done;
		default:
			usage(stderr);
			status = DESKCTL_EXIT_USAGE;
			goto done;
		}
	}
	argc -= optind;
	argv += optind;
	if (o.provider != NULL && strcmp(o.provider, "ec2") != 0 &&
	    strcmp(o.provider, "local") != 0) {
		say("--provider: ec2 or local, not %s", o.provider);
		status = DESKCTL_EXIT_USAGE;
		goto done;
	}

	curl_global_init(CURL_GLOBAL_DEFAULT);
	install_signals();
	if (strcmp(cmd, "launch") == 0)
		status = cmd_launch(&o, argc, argv);
	else if (strcmp(cmd, "wait") == 0)
		status = cmd_wait(&o, argc, argv);
	else if (strcmp(cmd, "ls") == 0 || strcmp(cmd, "list") == 0)
		status = cmd_ls(&o, argc, argv);
	else if (strcmp(cmd, "terminate") == 0 || strcmp(cmd, "rm") == 0)
		status = cmd_terminate(&o, argc, argv);
	else if (strcmp(cmd, "screenshot") == 0)
		status = cmd_screenshot(&o, argc, argv);
	else if (strcmp(cmd, "do") == 0)
		status = cmd_do(&o, argc, argv);
	else if (strcmp(cmd, "exec") == 0)
		status = cmd_exec(&o, argc, argv, timeout_set ? exec_timeout :
		    0);
	else if (strcmp(cmd, "cp") == 0)
		status = cmd_cp(&o, argc, argv);
	else {
		say("unknown command %s", cmd);
		usage(stderr);
		status = DESKCTL_EXIT_USAGE;
	}
done:
	free_aws_cache();
	curl_global_cleanup();
	for (i = 0; i < o.ntags; i++) {
		free(o.tags[i].key);
		free(o.tags[i].value);
	}
	free(o.tags);
	free(o.groups);
	free(o.env);
	free(o.allow);
	free(cause);
	return (status);
}
