/*
 * network.c: deskctl network create|check.  Fail-secure: with no range
 * it can stand behind (--from, the subnet's VPC when this host is in it,
 * or this host's own public address) it refuses rather than open wider.
 * The guests need 5000 (deskd) and 9222 (its DevTools proxy) from the
 * host only; OSWorld's guide also opens 22 and noVNC to 0.0.0.0/0, which
 * check reports.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws.h"
#include "cmd.h"
#include "compat.h"
#include "deskctl.h"
#include "ec2.h"
#include "network.h"
#include "util.h"
#include "xmalloc.h"

static const struct {
	int		 port;
	const char	*what;
} network_ports[] = {
	{ DESKCTL_AGENT_PORT, "deskd's API: it drives the desktop" },
	{ DESKCTL_CDP_PORT, "deskd's DevTools proxy: it drives Chrome" },
	{ DESKCTL_SSH_PORT, "SSH" },
};

/* Parse "ADDR/N" into 16 bytes (IPv4 mapped) and a prefix; -1 if bad. */
static int
network_parse(const char *cidr, unsigned char *a, int *bits, int *v6)
{
	char		 buf[64], *slash, *end;
	long		 n;

	if (strlcpy(buf, cidr, sizeof buf) >= sizeof buf ||
	    (slash = strchr(buf, '/')) == NULL)
		return (-1);
	*slash++ = '\0';
	n = strtol(slash, &end, 10);
	memset(a, 0, 16);
	if (inet_pton(AF_INET, buf, a + 12) == 1) {
		*v6 = 0;
		if (*end != '\0' || n < 0 || n > 32)
			return (-1);
		*bits = (int)n + 96;
		return (0);
	}
	if (inet_pton(AF_INET6, buf, a) == 1) {
		*v6 = 1;
		if (*end != '\0' || n < 0 || n > 128)
			return (-1);
		*bits = (int)n;
		return (0);
	}
	return (-1);
}

int
network_within(const char *cidr, const char *range)
{
	unsigned char	 a[16], r[16];
	int		 ab, rb, av6, rv6, i, m;

	if (network_parse(cidr, a, &ab, &av6) == -1 ||
	    network_parse(range, r, &rb, &rv6) == -1)
		return (-1);
	if (av6 != rv6 || ab < rb)
		return (0);
	for (i = 0; i < 16 && rb > 0; i++, rb -= 8) {
		m = rb >= 8 ? 0xff : (0xff << (8 - rb)) & 0xff;
		if ((a[i] & m) != (r[i] & m))
			return (0);
	}
	return (1);
}

/* 1 when RULE lets traffic reach PORT. */
static int
network_covers(const struct ec2_rule *ru, int port)
{
	if (strcmp(ru->proto, "-1") == 0)
		return (1);
	if (strcmp(ru->proto, "tcp") != 0 && strcmp(ru->proto, "6") != 0)
		return (0);
	return (ru->from <= port && port <= ru->to);
}

static int
network_world(const char *cidr)
{
	return (strcmp(cidr, "0.0.0.0/0") == 0 || strcmp(cidr, "::/0") == 0);
}

int
network_open(const struct ec2_group *g, char **why)
{
	size_t	 i, k;

	for (i = 0; i < g->nrules; i++) {
		if (g->rules[i].cidr == NULL || !network_world(g->rules[i].cidr))
			continue;
		for (k = 0; k < 2; k++) {
			if (!network_covers(&g->rules[i], network_ports[k].port))
				continue;
			xasprintf(why, "security group %s opens %d to %s (%s)",
			    g->id, network_ports[k].port, g->rules[i].cidr,
			    network_ports[k].what);
			return (1);
		}
	}
	return (0);
}

/*
 * This host's range as EC2 sees it: the VPC's CIDR when one of our
 * addresses is in it, else our own public IPv4 /32; NULL when neither
 * (behind NAT, say): then only --from can say.
 */
static char *
network_host_range(const char *vpc_cidr)
{
	struct ifaddrs		*ifs, *i;
	struct sockaddr_in	*sin;
	char			 buf[INET_ADDRSTRLEN], *cidr, *pub = NULL;
	unsigned long		 a;

	if (getifaddrs(&ifs) == -1)
		return (NULL);
	for (i = ifs; i != NULL; i = i->ifa_next) {
		if (i->ifa_addr == NULL || i->ifa_addr->sa_family != AF_INET)
			continue;
		sin = (struct sockaddr_in *)i->ifa_addr;
		inet_ntop(AF_INET, &sin->sin_addr, buf, sizeof buf);
		xasprintf(&cidr, "%s/32", buf);
		if (vpc_cidr != NULL && network_within(cidr, vpc_cidr) == 1) {
			free(cidr);
			free(pub);
			freeifaddrs(ifs);
			return (xstrdup(vpc_cidr));
		}
		a = ntohl(sin->sin_addr.s_addr);
		/* RFC 1918, loopback, link-local, CGNAT (RFC 6598). */
		if (pub == NULL && (a >> 24) != 10 && (a >> 24) != 127 &&
		    (a >> 20) != 0xac1 && (a >> 16) != 0xc0a8 &&
		    (a >> 16) != 0xa9fe && (a >> 22) != (100 << 2 | 1))
			pub = cidr;
		else
			free(cidr);
	}
	freeifaddrs(ifs);
	return (pub);
}

static int
network_create(struct cmd_opts *o, struct aws *a)
{
	struct ec2_tag	 tags[2];
	json_t		*j;
	const char	*subnet = o->subnet;
	char		*vpc = NULL, *cidr = NULL, *range = NULL, *id = NULL;
	char		*code = NULL, *cause = NULL, *owner, *hex, *name = NULL;
	char		*s;
	int		 status = DESKCTL_EXIT_OK;

	if (subnet == NULL && (subnet = getenv("DESKCTL_SUBNET")) == NULL)
		subnet = getenv("AWS_SUBNET_ID");
	if (subnet != NULL && *subnet == '\0')
		subnet = NULL;
	if (ec2_subnet_vpc(a, subnet, &vpc, &cidr, &code, &cause) == -1)
		goto fail;
	if (o->from != NULL)
		range = xstrdup(o->from);
	else if ((range = network_host_range(cidr)) == NULL) {
		util_say("network create: cannot tell this host's address as "
		    "EC2 sees it (not in %s's %s, no public address here): "
		    "give --from CIDR (this host's public address/32, or its "
		    "network)", vpc, cidr);
		status = DESKCTL_EXIT_USAGE;
		goto out;
	}
	if (network_world(range) && o->from != NULL) {
		util_say("network create: --from %s opens the guests to "
		    "everyone; refused", range);
		status = DESKCTL_EXIT_USAGE;
		goto out;
	}
	owner = util_owner();
	if (o->name != NULL)
		name = xstrdup(o->name);
	else if ((hex = util_random_hex(4, &cause)) != NULL) {
		xasprintf(&name, "deskd-guests-%s", hex);
		free(hex);
	} else {
		free(owner);
		goto fail;
	}
	tags[0].key = (char *)"Name";
	tags[0].value = name;
	tags[1].key = (char *)"deskd:owner";
	tags[1].value = owner;
	id = ec2_create_group(a, name, "deskd guests: 5000 and 9222 from the "
	    "host only (deskctl network create)", vpc, tags, 2, &code,
	    &cause);
	free(owner);
	if (id == NULL)
		goto fail;
	if (ec2_allow(a, id, DESKCTL_AGENT_PORT, range, "deskd API",
	    &code, &cause) == -1 || ec2_allow(a, id, DESKCTL_CDP_PORT, range,
	    "deskd DevTools proxy", &code, &cause) == -1 ||
	    (o->ssh_from != NULL && ec2_allow(a, id, DESKCTL_SSH_PORT,
	    o->ssh_from, "SSH", &code, &cause) == -1)) {
		util_say("%s was made but not finished (it lets nothing in "
		    "yet): %s", id, cause);
		goto fail2;
	}
	if (o->json) {
		j = json_pack("{s:s, s:s, s:s, s:s, s:s?}", "group_id", id,
		    "name", name, "vpc", vpc, "from", range, "ssh_from",
		    o->ssh_from);
		s = json_dumps(j, JSON_COMPACT);
		printf("%s\n", s);
		free(s);
		json_decref(j);
	} else {
		/* The id alone on stdout: SG=$(deskctl network create). */
		printf("%s\n", id);
		util_say("%s (%s) in %s: 5000 and 9222 from %s%s%s, nothing "
		    "else in", id, name, vpc, range, o->ssh_from != NULL ?
		    ", 22 from " : "", o->ssh_from != NULL ? o->ssh_from : "");
	}
	goto out;
fail:
	util_say("network create: %s", cause);
fail2:
	status = aws_exit_code(code);
out:
	free(vpc);
	free(cidr);
	free(range);
	free(id);
	free(name);
	free(code);
	free(cause);
	return (status);
}

static int
network_check(struct cmd_opts *o, struct aws *a, int argc, char **argv)
{
	struct ec2_group	*gs = NULL, *g;
	struct ec2_rule		*ru;
	char			*code = NULL, *cause = NULL, *vpc = NULL;
	char			*cidr = NULL;
	const char		*range, *src;
	size_t			 ng = 0, i, r, k;
	int			 status = DESKCTL_EXIT_OK, bad, w;

	if (ec2_groups(a, (const char **)argv, argc, &gs, &ng, &code,
	    &cause) == -1) {
		util_say("network check: %s", cause);
		status = aws_exit_code(code);
		goto out;
	}
	for (i = 0; i < ng; i++) {
		g = &gs[i];
		range = o->from;
		if (range == NULL) {
			free(vpc);
			free(cidr);
			vpc = cidr = NULL;
			if (g->vpc == NULL || ec2_subnet_vpc(a, g->vpc, &vpc,
			    &cidr, &code, &cause) == -1) {
				util_say("network check: %s: no VPC range "
				    "(%s): give --from CIDR", g->id, cause !=
				    NULL ? cause : "no VPC");
				status = DESKCTL_EXIT_FAIL;
				free(code);
				free(cause);
				code = cause = NULL;
				continue;
			}
			range = cidr;
		}
		bad = 0;
		for (r = 0; r < g->nrules; r++) {
			ru = &g->rules[r];
			src = ru->cidr != NULL ? ru->cidr : ru->group != NULL ?
			    ru->group : ru->prefix_list;
			for (k = 0; k < 3; k++) {
				if (!network_covers(ru, network_ports[k].port))
					continue;
				if (ru->cidr == NULL) {
					if (ru->prefix_list != NULL)
						printf("%s: note: %d from prefix "
						    "list %s is not checked\n",
						    g->id,
						    network_ports[k].port, src);
					continue;
				}
				if ((w = network_within(ru->cidr, range)) == 1)
					continue;
				bad++;
				printf("%s: too open: %s %d from %s is wider "
				    "than the host's range %s (%s%s)\n", g->id,
				    strcmp(ru->proto, "-1") == 0 ? "all "
				    "traffic, so" : "tcp", network_ports[k].port,
				    ru->cidr, range, network_ports[k].what,
				    network_world(ru->cidr) ? ", open to "
				    "everyone" : "");
			}
		}
		if (bad == 0)
			printf("%s: ok: 5000, 9222 and 22 only from within "
			    "%s\n", g->id, range);
		else
			status = DESKCTL_EXIT_FAIL;
	}
out:
	fflush(stdout);
	ec2_groups_free(gs, ng);
	free(vpc);
	free(cidr);
	free(code);
	free(cause);
	return (status);
}

int
network_exec(struct cmd_opts *o, int argc, char **argv)
{
	struct aws	*a;
	char		*cause = NULL;
	int		 exitcode;

	if (argc < 1 || (strcmp(argv[0], "create") == 0 && argc != 1) ||
	    (strcmp(argv[0], "check") == 0 && argc < 2) ||
	    (strcmp(argv[0], "create") != 0 && strcmp(argv[0], "check") !=
	    0)) {
		util_say("usage: deskctl network create [--subnet ID] "
		    "[--from CIDR] [--ssh-from CIDR] | network check GROUP "
		    "...");
		return (DESKCTL_EXIT_USAGE);
	}
	if ((a = aws_get(&aws_ec2, o->region, o->endpoint, o->profile,
	    &cause, &exitcode)) == NULL) {
		util_say("%s", cause);
		free(cause);
		return (exitcode);
	}
	if (strcmp(argv[0], "create") == 0)
		return (network_create(o, a));
	return (network_check(o, a, argc - 1, argv + 1));
}
