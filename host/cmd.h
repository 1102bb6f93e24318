/*
 * cmd.h: deskctl's command line.  One table of commands (cmd.c), each
 * with the options it takes, as tmux's cmd_entry carries its args
 * template: an option that is not the command's is refused (exit 2), so
 * "terminate --all-mine --tag team=a" cannot silently mean "all".
 */
#ifndef CMD_H
#define CMD_H

#include <stddef.h>
#include <stdio.h>

#include "ec2.h"
#include "wait.h"

/* Everything any command may be given; each command reads its own. */
struct cmd_opts {
	const char	*cmd;		/* the command's name */
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
	int		 timeout_set;
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
	/* launch, EC2 */
	const char	*ami_map;
	const char	*iam_profile;
	int		 monitoring;
	const char	*volume_type;
	int		 iops;
	int		 throughput;
	enum wait_addr	 connect;	/* which address the URL uses */
	int		 allow_open;
	/* network */
	const char	*from;
	const char	*ssh_from;
	const char	*name;
	/* mcp */
	const char	*url;
	/* guests' own end (launch, pool create): seconds, 0 none */
	long long	 idle_shutdown;
	/* pools */
	int		 pool_min;
	int		 pool_max;
	int		 pool_desired;
	int		 warm;		/* warm pool size */
	int		 min_set, max_set, desired_set, warm_set;
	const char	*warm_state;	/* "Stopped", "Hibernated" */
	int		 spot_percent;	/* -1: on-demand only */
	long long	 idle;		/* reap --idle, seconds */
	long long	 lease;		/* reap --lease, seconds */
	int		 reset;		/* release --reset */
	int		 terminate;	/* release --terminate */
	/* Values taken from the environment, freed with the rest. */
	char		**owned;
	size_t		 nowned;
	/* view */
	int		 view_control;
	int		 view_open;
};

/*
 * A name of two words ("pool create") is a verb of a group: "deskctl
 * pool create NAME ..." finds it, and its options are its own.
 */
struct cmd_entry {
	const char	*name;
	const char	*alias;
	const char	*usage;
	/* The long options it takes, space-separated (its template). */
	const char	*options;
	int		(*exec)(struct cmd_opts *, int argc, char **argv);
};

/*
 * Parse ARGV (argv[0] is the command) into *O for its entry *ENTRY.
 * 0 to run it, 1 when it was --help or --version (done, exit 0), or -1
 * after a usage message (exit 2).
 */
int	cmd_parse(int argc, char **argv, struct cmd_opts *,
	    const struct cmd_entry **, int *optind_out);
void	cmd_opts_free(struct cmd_opts *);
void	cmd_usage(FILE *);

#endif
