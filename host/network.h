/*
 * network.h: deskctl network: least-privilege security groups for guests
 * (5000 and 9222 from the host's range only, nothing else inbound unless
 * --ssh-from), and the check of an existing group.
 */
#ifndef NETWORK_H
#define NETWORK_H

struct cmd_opts;
struct ec2_group;

int	network_exec(struct cmd_opts *, int argc, char **argv);
/*
 * 1 when GROUP lets 0.0.0.0/0 or ::/0 reach deskd (5000) or its
 * DevTools proxy (9222); *WHY says which rule (new string).
 */
int	network_open(const struct ec2_group *, char **why);
/* Pure: 1 when CIDR lies within RANGE (IPv4 or IPv6), 0 if not, -1 bad. */
int	network_within(const char *cidr, const char *range);

#endif
