/*
 * cmd.c: the command table and its option parser.  One getopt_long table
 * holds every option; each command lists the ones it takes (after tmux's
 * cmd_entry.args templates, cmd-kill-window.c: "at:"), and anything else
 * is refused with exit 2 instead of being silently ignored.
 */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge.h"
#include "cmd.h"
#include "compat.h"
#include "deskctl.h"
#include "guest.h"
#include "network.h"
#include "log.h"
#include "pool.h"
#include "util.h"
#include "verb.h"
#include "xmalloc.h"

enum {
	CMD_PROVIDER = 256, CMD_AMI, CMD_AMI_NAME, CMD_AMI_OWNER, CMD_TYPE,
	CMD_SUBNET, CMD_SG, CMD_KEY, CMD_DISK, CMD_SPOT, CMD_TTL, CMD_TAG,
	CMD_PUBLIC, CMD_PRIVATE, CMD_NOWAIT, CMD_JSON, CMD_KEEP, CMD_TIMEOUT,
	CMD_REGION, CMD_ENDPOINT, CMD_PROFILE, CMD_ADDRMAP, CMD_TOKENFILE,
	CMD_DESKD, CMD_EXPIRED, CMD_ALLMINE, CMD_CWD, CMD_ENV, CMD_STDIN,
	CMD_SHELL, CMD_WIDTH, CMD_HEIGHT, CMD_SCALE, CMD_CROP, CMD_CURSOR,
	CMD_LOGLEVEL, CMD_USER, CMD_ALLOW, CMD_VERSION, CMD_AMI_MAP,
	CMD_IAM, CMD_MONITORING, CMD_VOLTYPE, CMD_IOPS, CMD_THROUGHPUT,
	CMD_CONNECT, CMD_ALLOW_OPEN, CMD_FROM, CMD_SSH_FROM, CMD_NAME,
	CMD_CONTROL, CMD_OPEN, CMD_URL, CMD_MIN, CMD_MAX, CMD_DESIRED, CMD_WARM,
	CMD_WARM_STATE, CMD_SPOT_PCT, CMD_IDLE_SHUTDOWN, CMD_IDLE, CMD_LEASE,
	CMD_RESET, CMD_TERMINATE
};

static const struct option cmd_longopts[] = {
	{ "provider", required_argument, NULL, CMD_PROVIDER },
	{ "count", required_argument, NULL, 'n' },
	{ "ami", required_argument, NULL, CMD_AMI },
	{ "ami-name", required_argument, NULL, CMD_AMI_NAME },
	{ "ami-owner", required_argument, NULL, CMD_AMI_OWNER },
	{ "type", required_argument, NULL, CMD_TYPE },
	{ "subnet", required_argument, NULL, CMD_SUBNET },
	{ "security-group", required_argument, NULL, CMD_SG },
	{ "key-name", required_argument, NULL, CMD_KEY },
	{ "desktop-user", required_argument, NULL, CMD_USER },
	{ "agent-allow", required_argument, NULL, CMD_ALLOW },
	{ "disk-gb", required_argument, NULL, CMD_DISK },
	{ "spot", no_argument, NULL, CMD_SPOT },
	{ "ttl", required_argument, NULL, CMD_TTL },
	{ "tag", required_argument, NULL, CMD_TAG },
	{ "public", no_argument, NULL, CMD_PUBLIC },
	{ "private", no_argument, NULL, CMD_PRIVATE },
	{ "no-wait", no_argument, NULL, CMD_NOWAIT },
	{ "json", no_argument, NULL, CMD_JSON },
	{ "keep", no_argument, NULL, CMD_KEEP },
	{ "timeout", required_argument, NULL, CMD_TIMEOUT },
	{ "region", required_argument, NULL, CMD_REGION },
	{ "endpoint-url", required_argument, NULL, CMD_ENDPOINT },
	{ "profile", required_argument, NULL, CMD_PROFILE },
	{ "addr-map", required_argument, NULL, CMD_ADDRMAP },
	{ "token-file", required_argument, NULL, CMD_TOKENFILE },
	{ "deskd", required_argument, NULL, CMD_DESKD },
	{ "expired", no_argument, NULL, CMD_EXPIRED },
	{ "all-mine", no_argument, NULL, CMD_ALLMINE },
	{ "cwd", required_argument, NULL, CMD_CWD },
	{ "env", required_argument, NULL, CMD_ENV },
	{ "stdin", required_argument, NULL, CMD_STDIN },
	{ "shell", no_argument, NULL, CMD_SHELL },
	{ "width", required_argument, NULL, CMD_WIDTH },
	{ "height", required_argument, NULL, CMD_HEIGHT },
	{ "scale", required_argument, NULL, CMD_SCALE },
	{ "region-crop", required_argument, NULL, CMD_CROP },
	{ "cursor", required_argument, NULL, CMD_CURSOR },
	{ "output", required_argument, NULL, 'o' },
	{ "log-level", required_argument, NULL, CMD_LOGLEVEL },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, CMD_VERSION },
	{ "ami-map", required_argument, NULL, CMD_AMI_MAP },
	{ "iam-instance-profile", required_argument, NULL, CMD_IAM },
	{ "monitoring", no_argument, NULL, CMD_MONITORING },
	{ "volume-type", required_argument, NULL, CMD_VOLTYPE },
	{ "iops", required_argument, NULL, CMD_IOPS },
	{ "throughput", required_argument, NULL, CMD_THROUGHPUT },
	{ "connect", required_argument, NULL, CMD_CONNECT },
	{ "allow-open-group", no_argument, NULL, CMD_ALLOW_OPEN },
	{ "from", required_argument, NULL, CMD_FROM },
	{ "ssh-from", required_argument, NULL, CMD_SSH_FROM },
	{ "name", required_argument, NULL, CMD_NAME },
	{ "control", no_argument, NULL, CMD_CONTROL },
	{ "open", no_argument, NULL, CMD_OPEN },
	{ "url", required_argument, NULL, CMD_URL },
	{ "min", required_argument, NULL, CMD_MIN },
	{ "max", required_argument, NULL, CMD_MAX },
	{ "desired", required_argument, NULL, CMD_DESIRED },
	{ "warm", required_argument, NULL, CMD_WARM },
	{ "warm-state", required_argument, NULL, CMD_WARM_STATE },
	{ "spot-percent", required_argument, NULL, CMD_SPOT_PCT },
	{ "idle-shutdown", required_argument, NULL, CMD_IDLE_SHUTDOWN },
	{ "idle", required_argument, NULL, CMD_IDLE },
	{ "lease", required_argument, NULL, CMD_LEASE },
	{ "reset", no_argument, NULL, CMD_RESET },
	{ "terminate", no_argument, NULL, CMD_TERMINATE },
	{ NULL, 0, NULL, 0 }
};

/* Every command takes these. */
#define CMD_COMMON	"log-level verbose help version"
/* Where EC2 is: the commands that call it. */
#define CMD_AWS		"region endpoint-url profile"

static const struct cmd_entry cmd_table[] = {
	{ "launch", NULL,
	  "launch [--provider ec2|local] [--count N] [--ami ID | --ami-name "
	  "PATTERN]\n"
	  "         [--ami-owner self|ACCOUNT|amazon] [--type T] "
	  "[--subnet ID]\n"
	  "         [--security-group ID ...] [--key-name K] [--disk-gb N] "
	  "[--spot]\n"
	  "         [--ttl DURATION] [--tag K=V ...] [--public|--private]\n"
	  "         [--no-wait] [--keep] [--timeout DURATION] [--json]\n"
	  "         [--desktop-user NAME] [--agent-allow CIDR ...] "
	  "[--deskd PATH]\n"
	  "         [--ami-map FILE] [--iam-instance-profile NAME|ARN] "
	  "[--monitoring]\n"
	  "         [--volume-type T] [--iops N] [--throughput N] "
	  "[--connect public|private]\n"
	  "         [--allow-open-group] [--idle-shutdown MIN]\n"
	  "         (each flag also as DESKCTL_FLAG)",
	  "provider count ami ami-name ami-owner ami-map type subnet "
	  "security-group key-name desktop-user agent-allow disk-gb "
	  "volume-type iops throughput iam-instance-profile monitoring spot "
	  "ttl tag public private connect allow-open-group no-wait json "
	  "keep timeout addr-map deskd idle-shutdown " CMD_AWS,
	  guest_launch },
	{ "wait", NULL,
	  "wait ID ... [--timeout DURATION] [--json] "
	  "[--connect public|private]",
	  "timeout json public private connect addr-map " CMD_AWS,
	  guest_wait },
	{ "ls", "list",
	  "ls [--provider ec2|local] [--tag K=V ...] [--json]",
	  "provider json tag " CMD_AWS,
	  guest_ls },
	{ "terminate", "rm",
	  "terminate ID ... | --expired | --all-mine [--tag K=V ...] "
	  "[--provider ec2|local]",
	  "provider expired all-mine tag " CMD_AWS,
	  guest_terminate },
	{ "network", NULL,
	  "network create [--subnet ID] [--from CIDR] [--ssh-from CIDR] "
	  "[--name N] [--json]\n"
	  "  network check GROUP-ID ... [--from CIDR]",
	  "subnet from ssh-from name json " CMD_AWS,
	  network_exec },
	{ "pool create", NULL,
	  "pool create NAME --min N --max N [--warm N] [--desired N]\n"
	  "         [--warm-state stopped|hibernated] [--spot-percent P]\n"
	  "         [--idle-shutdown MIN] [the image, type, network, disk "
	  "and tag flags\n"
	  "         of launch] [--no-wait] [--timeout DURATION] [--json]",
	  "ami ami-name ami-owner ami-map type subnet security-group "
	  "key-name desktop-user agent-allow disk-gb volume-type iops "
	  "throughput iam-instance-profile monitoring tag public private "
	  "connect allow-open-group min max desired warm warm-state "
	  "spot-percent idle-shutdown no-wait timeout json addr-map " CMD_AWS,
	  pool_create },
	{ "pool ls", "pool list",
	  "pool ls [--json]",
	  "json " CMD_AWS,
	  pool_ls },
	{ "pool status", NULL,
	  "pool status NAME [--json]",
	  "json connect addr-map " CMD_AWS,
	  pool_status },
	{ "pool resize", NULL,
	  "pool resize NAME [--min N] [--max N] [--desired N] [--warm N]",
	  "min max desired warm warm-state " CMD_AWS,
	  pool_resize },
	{ "pool delete", "pool rm",
	  "pool delete NAME [--timeout DURATION]",
	  "timeout " CMD_AWS,
	  pool_delete },
	{ "pool acquire", NULL,
	  "pool acquire NAME [--timeout DURATION] [--json]",
	  "timeout json connect addr-map " CMD_AWS,
	  pool_acquire },
	{ "pool release", NULL,
	  "pool release ID ... [--reset | --terminate]",
	  "reset terminate " CMD_AWS,
	  pool_release },
	{ "pool reap", NULL,
	  "pool reap NAME [--idle MIN] [--lease DURATION] [--json]",
	  "idle lease json connect addr-map " CMD_AWS,
	  pool_reap },
	{ "screenshot", NULL,
	  "screenshot ID -o FILE.png [--width W] [--height H] [--scale S]\n"
	  "             [--region-crop X,Y,W,H] [--cursor 0|1]",
	  "output width height scale region-crop cursor token-file",
	  verb_screenshot },
	{ "do", NULL,
	  "do ID JSON|- [-o F.png]  POST a computer-use action to "
	  "/v1/computer;\n"
	  "                        -o saves the screenshot of the answer",
	  "output token-file",
	  verb_do },
	{ "exec", NULL,
	  "exec ID [--cwd DIR] [--env K=V ...] [--stdin FILE] [--timeout D]\n"
	  "          [--shell] -- CMD [ARG ...]",
	  "cwd env stdin timeout shell token-file",
	  verb_exec },
	{ "cp", NULL,
	  "cp LOCAL ID:/PATH  |  cp ID:/PATH LOCAL",
	  "token-file",
	  verb_cp },
	{ "view", NULL,
	  "view ID [--control] [--ttl D] [--open] [--json]\n"
	  "                        print a live view URL with a fresh view "
	  "token\n"
	  "                        (view-only unless --control); --open runs "
	  "xdg-open",
	  "control ttl open json token-file",
	  verb_view },
	{ "mcp", NULL,
	  "mcp ID | --url URL [--token-file F]  an MCP server on stdio: "
	  "the\n"
	  "                        guest's /mcp (for claude mcp add ... -- "
	  "deskctl mcp ID)",
	  "url token-file",
	  bridge_exec },
	{ NULL, NULL, NULL, NULL, NULL }
};

void
cmd_usage(FILE *f)
{
	const struct cmd_entry	*e;

	fprintf(f, "usage: deskctl COMMAND [options]\n\nGuests:\n");
	for (e = cmd_table; e->name != NULL; e++) {
		if (e->exec == pool_create)
			fprintf(f, "\nPools (an EC2 Auto Scaling group of warm "
			    "guests):\n");
		if (e->exec == verb_screenshot)
			fprintf(f, "\nAgents (ID from the state file, or an "
			    "http(s):// URL with --token-file):\n");
		fprintf(f, "  %s\n", e->usage);
	}
	fprintf(f,
"\n"
"EC2: --region R, --endpoint-url URL, --profile P; also --verbose,\n"
"  --log-level L, --version.  Each command takes only its own options.\n"
"Test aid: --addr-map FROM=HOST:PORT[,...] or $DESKCTL_ADDR_MAP points the\n"
"  health wait and agent URL of guests whose address is FROM (or * for\n"
"  all) at HOST:PORT instead of ADDRESS:5000 (for emulators whose\n"
"  addresses are fake).\n"
"Exit codes: 0 ok, 1 error, 2 usage, 3 credentials/permissions,\n"
"  4 a guest did not become ready, 5 no capacity/quota, 130 interrupted.\n");
}

static int
cmd_int(const char *name, const char *s, int min, int max, int *out)
{
	char		*end;
	long		 v;

	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < min || v > max) {
		util_say("%s: want a number from %d to %d, got '%s'", name,
		    min, max, s);
		return (-1);
	}
	*out = (int)v;
	return (0);
}

/* 1 when S is 1..MAX characters, all from SET. */
static int
cmd_valid_chars(const char *s, size_t max, const char *set)
{
	size_t	 n = strlen(s);

	return (n > 0 && n <= max && strspn(s, set) == n);
}

static int
cmd_tag(const char *arg, struct cmd_opts *o)
{
	const char	*eq = strchr(arg, '=');
	size_t		 kl;

	if (eq == NULL || eq == arg) {
		util_say("--tag %s: want KEY=VALUE", arg);
		return (-1);
	}
	kl = eq - arg;
	if (kl > 128 || strlen(eq + 1) > 256 || strncmp(arg, "aws:", 4) == 0 ||
	    strncmp(arg, "deskd:", 6) == 0) {
		util_say("--tag %s: keys up to 128 chars, values up to 256, "
		    "and aws: and deskd: keys are reserved", arg);
		return (-1);
	}
	o->tags = xreallocarray(o->tags, o->ntags + 1, sizeof *o->tags);
	o->tags[o->ntags].key = xstrndup(arg, kl);
	o->tags[o->ntags].value = xstrdup(eq + 1);
	o->ntags++;
	return (0);
}

static const char **
cmd_push(const char **list, size_t *n, const char *v)
{
	list = xreallocarray(list, *n + 1, sizeof *list);
	list[(*n)++] = v;
	return (list);
}

static const char	*cmd_name(int);

/* Apply option CH with ARG to O: 0, or -1 after saying why. */
static int
cmd_apply(struct cmd_opts *o, int ch, const char *arg)
{
	char		*cause = NULL;
	long long	 secs;
	int		 level;

	switch (ch) {
	case CMD_PROVIDER:
		if (strcmp(arg, "ec2") != 0 && strcmp(arg, "local") != 0) {
			util_say("--provider: ec2 or local, not %s", arg);
			return (-1);
		}
		o->provider = arg;
		break;
	case 'n':
		return (cmd_int("--count", arg, 1, DESKCTL_MAX_COUNT,
		    &o->count));
	case CMD_AMI:
		o->ami = arg;
		break;
	case CMD_AMI_NAME:
		o->ami_name = arg;
		break;
	case CMD_AMI_OWNER:
		o->ami_owner = arg;
		break;
	case CMD_TYPE:
		o->type = arg;
		break;
	case CMD_SUBNET:
		o->subnet = arg;
		break;
	case CMD_SG:
		o->groups = cmd_push(o->groups, &o->ngroups, arg);
		break;
	case CMD_KEY:
		o->key_name = arg;
		break;
	case CMD_USER:
		if (!cmd_valid_chars(arg, 32,
		    "abcdefghijklmnopqrstuvwxyz0123456789_-") || arg[0] == '-') {
			util_say("--desktop-user %s: want a user name", arg);
			return (-1);
		}
		o->desktop_user = arg;
		break;
	case CMD_ALLOW:
		/* It lands in instance.env: address characters only. */
		if (!cmd_valid_chars(arg, 64, "0123456789abcdefABCDEF:./") ||
		    strchr(arg, '/') == NULL) {
			util_say("--agent-allow %s: want a CIDR such as "
			    "10.0.0.0/16", arg);
			return (-1);
		}
		o->allow = cmd_push(o->allow, &o->nallow, arg);
		break;
	case CMD_DISK:
		return (cmd_int("--disk-gb", arg, 8, 16384, &o->disk_gb));
	case CMD_SPOT:
		o->spot = 1;
		break;
	case CMD_TTL:
		if (util_parse_duration(arg, &o->ttl, &cause) == -1 ||
		    o->ttl == 0) {
			util_say("--ttl: %s", cause != NULL ? cause :
			    "must be more than 0");
			free(cause);
			return (-1);
		}
		break;
	case CMD_TAG:
		return (cmd_tag(arg, o));
	case CMD_PUBLIC:
		o->addr = WAIT_ADDR_PUBLIC;
		break;
	case CMD_PRIVATE:
		o->addr = WAIT_ADDR_PRIVATE;
		break;
	case CMD_NOWAIT:
		o->no_wait = 1;
		break;
	case CMD_JSON:
		o->json = 1;
		break;
	case CMD_KEEP:
		o->keep = 1;
		break;
	case CMD_TIMEOUT:
		if (util_parse_duration(arg, &secs, &cause) == -1) {
			util_say("--timeout: %s", cause);
			free(cause);
			return (-1);
		}
		o->timeout = secs;
		o->timeout_set = 1;
		break;
	case CMD_REGION:
		o->region = arg;
		break;
	case CMD_ENDPOINT:
		o->endpoint = arg;
		break;
	case CMD_PROFILE:
		o->profile = arg;
		break;
	case CMD_ADDRMAP:
		o->addr_map = arg;
		break;
	case CMD_TOKENFILE:
		o->token_file = arg;
		break;
	case CMD_DESKD:
		o->deskd = arg;
		break;
	case CMD_EXPIRED:
		o->expired = 1;
		break;
	case CMD_ALLMINE:
		o->all_mine = 1;
		break;
	case CMD_CWD:
		o->cwd = arg;
		break;
	case CMD_ENV:
		o->env = cmd_push(o->env, &o->nenv, arg);
		break;
	case CMD_STDIN:
		o->stdin_file = arg;
		break;
	case CMD_SHELL:
		o->shell = 1;
		break;
	case CMD_WIDTH:
		o->width = arg;
		break;
	case CMD_HEIGHT:
		o->height = arg;
		break;
	case CMD_SCALE:
		o->scale = arg;
		break;
	case CMD_CROP:
		o->sregion = arg;
		break;
	case CMD_CURSOR:
		o->cursor = arg;
		break;
	case 'o':
		o->out = arg;
		break;
	case CMD_AMI_MAP:
		o->ami_map = arg;
		break;
	case CMD_IAM:
		o->iam_profile = arg;
		break;
	case CMD_MONITORING:
		o->monitoring = 1;
		break;
	case CMD_CONTROL:
		o->view_control = 1;
		break;
	case CMD_OPEN:
		o->view_open = 1;
		break;
	case CMD_VOLTYPE:
		if (!cmd_valid_chars(arg, 16, "abcdefghijklmnopqrstuvwxyz0123"
		    "456789")) {
			util_say("--volume-type %s: want an EBS type such as "
			    "gp3, gp2, io2", arg);
			return (-1);
		}
		o->volume_type = arg;
		break;
	case CMD_IOPS:
		return (cmd_int("--iops", arg, 100, 256000, &o->iops));
	case CMD_THROUGHPUT:
		return (cmd_int("--throughput", arg, 125, 2000,
		    &o->throughput));
	case CMD_CONNECT:
		if (strcmp(arg, "public") == 0)
			o->connect = WAIT_ADDR_PUBLIC;
		else if (strcmp(arg, "private") == 0)
			o->connect = WAIT_ADDR_PRIVATE;
		else {
			util_say("--connect: public or private, not %s", arg);
			return (-1);
		}
		break;
	case CMD_ALLOW_OPEN:
		o->allow_open = 1;
		break;
	case CMD_FROM:
	case CMD_SSH_FROM:
		if (!cmd_valid_chars(arg, 64, "0123456789abcdefABCDEF:./") ||
		    strchr(arg, '/') == NULL) {
			util_say("--%s %s: want a CIDR such as 10.0.0.0/16",
			    ch == CMD_FROM ? "from" : "ssh-from", arg);
			return (-1);
		}
		if (ch == CMD_FROM)
			o->from = arg;
		else
			o->ssh_from = arg;
		break;
	case CMD_NAME:
		o->name = arg;
		break;
	case CMD_URL:
		o->url = arg;
		break;
	case CMD_MIN:
		o->min_set = 1;
		return (cmd_int("--min", arg, 0, DESKCTL_MAX_COUNT,
		    &o->pool_min));
	case CMD_MAX:
		o->max_set = 1;
		return (cmd_int("--max", arg, 0, DESKCTL_MAX_COUNT,
		    &o->pool_max));
	case CMD_DESIRED:
		o->desired_set = 1;
		return (cmd_int("--desired", arg, 0, DESKCTL_MAX_COUNT,
		    &o->pool_desired));
	case CMD_WARM:
		o->warm_set = 1;
		return (cmd_int("--warm", arg, 0, DESKCTL_MAX_COUNT, &o->warm));
	case CMD_WARM_STATE:
		if (strcmp(arg, "stopped") == 0)
			o->warm_state = "Stopped";
		else if (strcmp(arg, "hibernated") == 0)
			o->warm_state = "Hibernated";
		else {
			util_say("--warm-state: stopped or hibernated, not %s",
			    arg);
			return (-1);
		}
		break;
	case CMD_SPOT_PCT:
		return (cmd_int("--spot-percent", arg, 0, 100,
		    &o->spot_percent));
	case CMD_IDLE_SHUTDOWN:
	case CMD_IDLE:
		if (util_parse_minutes(arg, &secs, &cause) == -1 ||
		    secs == 0) {
			util_say("--%s: %s", cmd_name(ch), cause != NULL ?
			    cause : "must be more than 0");
			free(cause);
			return (-1);
		}
		if (ch == CMD_IDLE)
			o->idle = secs;
		else
			o->idle_shutdown = secs;
		break;
	case CMD_LEASE:
		if (util_parse_duration(arg, &o->lease, &cause) == -1 ||
		    o->lease == 0) {
			util_say("--lease: %s", cause != NULL ? cause :
			    "must be more than 0");
			free(cause);
			return (-1);
		}
		break;
	case CMD_RESET:
		o->reset = 1;
		break;
	case CMD_TERMINATE:
		o->terminate = 1;
		break;
	case CMD_LOGLEVEL:
		if ((level = log_parse_level(arg)) == -1) {
			util_say("--log-level: unknown level %s", arg);
			return (-1);
		}
		log_init(level, NULL);
		break;
	case 'v':
		log_init(LOG_LEVEL_DEBUG, NULL);
		break;
	}
	return (0);
}

/* The long name of option CH. */
static const char *
cmd_name(int ch)
{
	const struct option	*lo;

	for (lo = cmd_longopts; lo->name != NULL; lo++) {
		if (lo->val == ch)
			return (lo->name);
	}
	return ("?");
}

/* 1 when NAME is a word of TEMPLATE (or of the common options). */
static int
cmd_takes(const char *template, const char *name)
{
	const char	*t, *p;
	size_t		 n = strlen(name);
	int		 i;

	for (i = 0; i < 2; i++) {
		t = i == 0 ? template : CMD_COMMON;
		for (p = t; (p = strstr(p, name)) != NULL; p += n) {
			if ((p == t || p[-1] == ' ') &&
			    (p[n] == ' ' || p[n] == '\0'))
				return (1);
		}
	}
	return (0);
}

/* Options of the same thing: one given on the command line hides the rest. */
static const char *cmd_env_groups[] = {
	" ami ami-name ami-map ", " public private ", NULL
};

/* The options EC2 users set as OSWorld does, after DESKCTL_*. */
static const char *cmd_env_aws[][2] = {
	{ "subnet", "AWS_SUBNET_ID" },
	{ "security-group", "AWS_SECURITY_GROUP_ID" },
	{ NULL, NULL }
};

/* 1 when option NAME, or one of its group, was on the command line. */
static int
cmd_env_hidden(const char *name, const char *seen)
{
	const char	**g;
	char		 *word, *p, *w;
	int		  hid = 0;

	if (cmd_takes(seen, name))
		return (1);
	xasprintf(&word, " %s ", name);
	for (g = cmd_env_groups; *g != NULL && !hid; g++) {
		if (strstr(*g, word) == NULL)
			continue;
		p = w = xstrdup(*g);
		while ((name = strsep(&p, " ")) != NULL && !hid)
			hid = *name != '\0' && cmd_takes(seen, name);
		free(w);
	}
	free(word);
	return (hid);
}

static char *
cmd_keep(struct cmd_opts *o, const char *v)
{
	o->owned = xreallocarray(o->owned, o->nowned + 1, sizeof *o->owned);
	return (o->owned[o->nowned++] = xstrdup(v));
}

/*
 * The environment's part of launch: DESKCTL_FLAG_NAME for --flag-name
 * (lists comma-separated, switches 1/0), then OSWorld's AWS_SUBNET_ID
 * and AWS_SECURITY_GROUP_ID.  The command line wins.
 */
static int
cmd_env(const struct cmd_entry *e, struct cmd_opts *o, const char *seen)
{
	const struct option	*lo;
	char			 var[64], *v, *p, *one;
	size_t			 i;
	int			 k;

	for (lo = cmd_longopts; lo->name != NULL; lo++) {
		if (!cmd_takes(e->options, lo->name) ||
		    cmd_takes(CMD_COMMON, lo->name) ||
		    cmd_env_hidden(lo->name, seen))
			continue;
		snprintf(var, sizeof var, "DESKCTL_%s", lo->name);
		for (i = 8; var[i] != '\0'; i++)
			var[i] = var[i] == '-' ? '_' : toupper((unsigned char)
			    var[i]);
		v = getenv(var);
		for (k = 0; (v == NULL || *v == '\0') &&
		    cmd_env_aws[k][0] != NULL; k++) {
			if (strcmp(cmd_env_aws[k][0], lo->name) == 0) {
				v = getenv(cmd_env_aws[k][1]);
				strlcpy(var, cmd_env_aws[k][1], sizeof var);
			}
		}
		if (v == NULL || *v == '\0')
			continue;
		if (lo->has_arg == no_argument) {
			if (strcmp(v, "0") == 0 || strcmp(v, "false") == 0 ||
			    strcmp(v, "no") == 0)
				continue;
			if (strcmp(v, "1") != 0 && strcmp(v, "true") != 0 &&
			    strcmp(v, "yes") != 0) {
				util_say("%s=%s: want 1 or 0", var, v);
				return (-1);
			}
			if (cmd_apply(o, lo->val, NULL) == -1)
				return (-1);
			continue;
		}
		log_debug("--%s from %s", lo->name, var);
		if (lo->val == CMD_SG || lo->val == CMD_TAG ||
		    lo->val == CMD_ALLOW) {
			p = cmd_keep(o, v);
			while ((one = strsep(&p, ",")) != NULL) {
				if (*one != '\0' && cmd_apply(o, lo->val,
				    one) == -1) {
					util_say("(from %s)", var);
					return (-1);
				}
			}
		} else if (cmd_apply(o, lo->val, cmd_keep(o, v)) == -1) {
			util_say("(from %s)", var);
			return (-1);
		}
	}
	return (0);
}

/* 1 when NAME is the first word of two-word commands ("pool"). */
static int
cmd_group(const char *name)
{
	const struct cmd_entry	*e;
	size_t			 n = strlen(name);

	for (e = cmd_table; e->name != NULL; e++) {
		if (strncmp(e->name, name, n) == 0 && e->name[n] == ' ')
			return (1);
	}
	return (0);
}

static void
cmd_usage_group(FILE *f, const char *name)
{
	const struct cmd_entry	*e;
	size_t			 n = strlen(name);

	for (e = cmd_table; e->name != NULL; e++) {
		if (strncmp(e->name, name, n) == 0 && e->name[n] == ' ')
			fprintf(f, "  %s\n", e->usage);
	}
}

static const struct cmd_entry *
cmd_find(const char *name)
{
	const struct cmd_entry	*e;

	for (e = cmd_table; e->name != NULL; e++) {
		if (strcmp(e->name, name) == 0 ||
		    (e->alias != NULL && strcmp(e->alias, name) == 0))
			return (e);
	}
	return (NULL);
}

int
cmd_parse(int argc, char **argv, struct cmd_opts *o,
    const struct cmd_entry **ep, int *optind_out)
{
	const struct cmd_entry	*e;
	char			*seen, *tmp;
	int			 ch, rv, shift = 0;

	memset(o, 0, sizeof *o);
	o->spot_percent = -1;
	o->count = 1;
	o->type = DESKCTL_DEFAULT_TYPE;
	o->disk_gb = DESKCTL_DEFAULT_DISK_GB;
	o->desktop_user = DESKCTL_DESKTOP_USER;
	o->timeout = DESKCTL_WAIT_TIMEOUT_S;
	if (argc < 1) {
		cmd_usage(stderr);
		return (-1);
	}
	if (strcmp(argv[0], "-h") == 0 || strcmp(argv[0], "--help") == 0 ||
	    strcmp(argv[0], "help") == 0) {
		cmd_usage(stdout);
		return (1);
	}
	if (strcmp(argv[0], "--version") == 0 ||
	    strcmp(argv[0], "version") == 0) {
		printf("deskctl %s\n", DESKD_VERSION);
		return (1);
	}
	if (cmd_group(argv[0])) {
		if (argc < 2 || argv[1][0] == '-') {
			util_say("%s: which one? (deskctl --help)", argv[0]);
			cmd_usage_group(stderr, argv[0]);
			return (-1);
		}
		xasprintf(&tmp, "%s %s", argv[0], argv[1]);
		e = cmd_find(tmp);
		free(tmp);
		if (e == NULL) {
			util_say("unknown command %s %s", argv[0], argv[1]);
			cmd_usage_group(stderr, argv[0]);
			return (-1);
		}
		/* getopt sees "create NAME --min 1 ...". */
		argc--;
		argv++;
		shift = 1;
	} else if ((e = cmd_find(argv[0])) == NULL) {
		util_say("unknown command %s", argv[0]);
		cmd_usage(stderr);
		return (-1);
	}
	*ep = e;
	o->cmd = e->name;
	seen = xstrdup("");
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":n:o:vh", cmd_longopts,
	    NULL)) != -1) {
		rv = 0;
		if (ch == '?') {
			util_say("%s: unknown option %s (deskctl %s --help)",
			    e->name, argv[optind - 1], e->name);
			rv = -1;
		} else if (ch == ':') {
			util_say("%s: %s needs a value", e->name,
			    argv[optind - 1]);
			rv = -1;
		} else if (!cmd_takes(e->options, cmd_name(ch))) {
			util_say("%s: --%s is not an option of %s; it takes: "
			    "%s", e->name, cmd_name(ch), e->name,
			    e->options);
			rv = -1;
		} else if (ch == 'h') {
			printf("usage: deskctl %s\n", e->usage);
			rv = 1;
		} else if (ch == CMD_VERSION) {
			printf("deskctl %s\n", DESKD_VERSION);
			rv = 1;
		} else if (cmd_apply(o, ch, optarg) == -1)
			rv = -1;
		if (rv != 0) {
			free(seen);
			return (rv);
		}
		xasprintf(&tmp, "%s %s", seen, cmd_name(ch));
		free(seen);
		seen = tmp;
	}
	*optind_out = optind + shift;
	rv = 0;
	if (strcmp(e->name, "launch") == 0 ||
	    strcmp(e->name, "pool create") == 0)
		rv = cmd_env(e, o, seen);
	free(seen);
	return (rv);
}

void
cmd_opts_free(struct cmd_opts *o)
{
	size_t	 i;

	for (i = 0; i < o->ntags; i++) {
		free(o->tags[i].key);
		free(o->tags[i].value);
	}
	free(o->tags);
	free(o->groups);
	free(o->env);
	free(o->allow);
	for (i = 0; i < o->nowned; i++)
		free(o->owned[i]);
	free(o->owned);
}
