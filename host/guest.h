/*
 * guest.h: the guest commands (launch, wait, ls, terminate), written once
 * over the provider table (provider.h); each returns the exit code.
 */
#ifndef GUEST_H
#define GUEST_H

struct cmd_opts;

int	guest_launch(struct cmd_opts *, int argc, char **argv);
int	guest_wait(struct cmd_opts *, int argc, char **argv);
int	guest_ls(struct cmd_opts *, int argc, char **argv);
int	guest_terminate(struct cmd_opts *, int argc, char **argv);

#endif
