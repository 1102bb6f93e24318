/*
 * cmd.h: what the command modules share: the parsed command line
 * (deskctl.c), the guest commands (guest.c: launch, wait, ls, terminate)
 * and the agent verbs (verb.c: screenshot, do, exec, cp).
 */
#ifndef CMD_H
#define CMD_H

#include "ec2.h"
#include "wait.h"

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
	/* view */
	int		 view_control;
	int		 view_open;
};

/* guest.c: each returns the exit code. */
int	guest_launch(struct opts *, int argc, char **argv);
int	guest_wait(struct opts *, int argc, char **argv);
int	guest_ls(struct opts *, int argc, char **argv);
int	guest_terminate(struct opts *, int argc, char **argv);
/* Free the EC2 contexts of this run. */
void	guest_cleanup(void);

/* verb.c */
int	verb_screenshot(struct opts *, int argc, char **argv);
int	verb_do(struct opts *, int argc, char **argv);
int	verb_exec(struct opts *, int argc, char **argv, long long timeout);
int	verb_cp(struct opts *, int argc, char **argv);
int	verb_view(struct opts *, int argc, char **argv);

#endif
