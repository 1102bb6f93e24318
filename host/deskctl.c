/*
 * deskctl.c: the host tool's command line: options, usage, signals, and
 * the dispatch to guest.c (launch, wait, ls, terminate) and verb.c
 * (screenshot, do, exec, cp).
 */
#include <curl/curl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "deskctl.h"
#include "log.h"
#include "xmalloc.h"

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
"  view ID [--control] [--ttl D] [--open] [--json]\n"
"                        print a live view URL with a fresh view token\n"
"                        (view-only unless --control); --open runs xdg-open\n"
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

static int
parse_int(const char *name, const char *s, int min, int max, int *out)
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

enum {
	OPT_PROVIDER = 256, OPT_AMI, OPT_AMI_NAME, OPT_AMI_OWNER, OPT_TYPE,
	OPT_SUBNET, OPT_SG, OPT_KEY, OPT_DISK, OPT_SPOT, OPT_TTL, OPT_TAG,
	OPT_PUBLIC, OPT_PRIVATE, OPT_NOWAIT, OPT_JSON, OPT_KEEP, OPT_TIMEOUT,
	OPT_REGION, OPT_ENDPOINT, OPT_PROFILE, OPT_ADDRMAP, OPT_TOKENFILE,
	OPT_DESKD, OPT_EXPIRED, OPT_ALLMINE, OPT_CWD, OPT_ENV, OPT_STDIN,
	OPT_SHELL, OPT_WIDTH, OPT_HEIGHT, OPT_SCALE, OPT_CROP, OPT_CURSOR,
	OPT_LOGLEVEL, OPT_USER, OPT_ALLOW, OPT_CONTROL, OPT_OPEN
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
	{ "control", no_argument, NULL, OPT_CONTROL },
	{ "open", no_argument, NULL, OPT_OPEN },
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
				util_say("--desktop-user %s: want a user "
				    "name", optarg);
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
				util_say("--agent-allow %s: want a CIDR "
				    "such as 10.0.0.0/16", optarg);
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
				util_say("--ttl: %s", cause != NULL ? cause :
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
				util_say("--timeout: %s", cause);
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
				util_say("--log-level: unknown level %s",
				    optarg);
				status = DESKCTL_EXIT_USAGE;
				goto done;
			}
			log_init(level, NULL);
			break;
		case 'v':
			log_init(LOG_LEVEL_DEBUG, NULL);
			break;
		case OPT_CONTROL:
			o.view_control = 1;
			break;
		case OPT_OPEN:
			o.view_open = 1;
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
		util_say("--provider: ec2 or local, not %s", o.provider);
		status = DESKCTL_EXIT_USAGE;
		goto done;
	}

	curl_global_init(CURL_GLOBAL_DEFAULT);
	install_signals();
	if (strcmp(cmd, "launch") == 0)
		status = guest_launch(&o, argc, argv);
	else if (strcmp(cmd, "wait") == 0)
		status = guest_wait(&o, argc, argv);
	else if (strcmp(cmd, "ls") == 0 || strcmp(cmd, "list") == 0)
		status = guest_ls(&o, argc, argv);
	else if (strcmp(cmd, "terminate") == 0 || strcmp(cmd, "rm") == 0)
		status = guest_terminate(&o, argc, argv);
	else if (strcmp(cmd, "screenshot") == 0)
		status = verb_screenshot(&o, argc, argv);
	else if (strcmp(cmd, "do") == 0)
		status = verb_do(&o, argc, argv);
	else if (strcmp(cmd, "exec") == 0)
		status = verb_exec(&o, argc, argv, timeout_set ? exec_timeout :
		    0);
	else if (strcmp(cmd, "cp") == 0)
		status = verb_cp(&o, argc, argv);
	else if (strcmp(cmd, "view") == 0)
		status = verb_view(&o, argc, argv);
	else {
		util_say("unknown command %s", cmd);
		usage(stderr);
		status = DESKCTL_EXIT_USAGE;
	}
done:
	guest_cleanup();
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
