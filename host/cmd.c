/*
 * cmd.c: the command table and its option parser.  One getopt_long table
 * holds every option; each command lists the ones it takes (after tmux's
 * cmd_entry.args templates, cmd-kill-window.c: "at:"), and anything else
 * is refused with exit 2 instead of being silently ignored.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "deskctl.h"
#include "guest.h"
#include "log.h"
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
	CMD_LOGLEVEL, CMD_USER, CMD_ALLOW, CMD_VERSION
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
	  "[--deskd PATH]",
	  "provider count ami ami-name ami-owner type subnet security-group "
	  "key-name desktop-user agent-allow disk-gb spot ttl tag public "
	  "private no-wait json keep timeout addr-map deskd " CMD_AWS,
	  guest_launch },
	{ "wait", NULL,
	  "wait ID ... [--timeout DURATION] [--json] [--public|--private]",
	  "timeout json public private addr-map " CMD_AWS,
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
	{ NULL, NULL, NULL, NULL, NULL }
};

void
cmd_usage(FILE *f)
{
	const struct cmd_entry	*e;

	fprintf(f, "usage: deskctl COMMAND [options]\n\nGuests:\n");
	for (e = cmd_table; e->name != NULL; e++) {
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
	int			 ch;

	memset(o, 0, sizeof *o);
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
	if ((e = cmd_find(argv[0])) == NULL) {
		util_say("unknown command %s", argv[0]);
		cmd_usage(stderr);
		return (-1);
	}
	*ep = e;
	o->cmd = e->name;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":n:o:vh", cmd_longopts,
	    NULL)) != -1) {
		if (ch == '?') {
			util_say("%s: unknown option %s (deskctl %s --help)",
			    e->name, argv[optind - 1], e->name);
			return (-1);
		}
		if (ch == ':') {
			util_say("%s: %s needs a value", e->name,
			    argv[optind - 1]);
			return (-1);
		}
		if (!cmd_takes(e->options, cmd_name(ch))) {
			util_say("%s: --%s is not an option of %s; it takes: "
			    "%s", e->name, cmd_name(ch), e->name,
			    e->options);
			return (-1);
		}
		if (ch == 'h') {
			printf("usage: deskctl %s\n", e->usage);
			return (1);
		}
		if (ch == CMD_VERSION) {
			printf("deskctl %s\n", DESKD_VERSION);
			return (1);
		}
		if (cmd_apply(o, ch, optarg) == -1)
			return (-1);
	}
	*optind_out = optind;
	return (0);
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
}
