/*
 * guest.h: the guest commands (launch, wait, ls, terminate), written once
 * over the provider table (provider.h); each returns the exit code.
 */
#ifndef GUEST_H
#define GUEST_H

#include <jansson.h>
#include <stddef.h>

struct cmd_opts;
struct wait_target;

int	guest_launch(struct cmd_opts *, int argc, char **argv);
int	guest_wait(struct cmd_opts *, int argc, char **argv);
int	guest_ls(struct cmd_opts *, int argc, char **argv);
int	guest_terminate(struct cmd_opts *, int argc, char **argv);
/* Record RECS in the state file (or forget them with REMOVE). */
void	guest_save(json_t **recs, size_t n, int remove);
/* A guest's line, as launch prints it (pool acquire prints the same). */
void	guest_print(struct cmd_opts *, struct wait_target *, int with_token);

#endif
