/*
 * verb.h: the agent verbs (screenshot, do, exec, cp, view): the command line
 * turned into client.c calls; each returns the exit code.
 */
#ifndef VERB_H
#define VERB_H

struct cmd_opts;

int	verb_screenshot(struct cmd_opts *, int argc, char **argv);
int	verb_do(struct cmd_opts *, int argc, char **argv);
int	verb_exec(struct cmd_opts *, int argc, char **argv);
int	verb_cp(struct cmd_opts *, int argc, char **argv);
int	verb_view(struct cmd_opts *, int argc, char **argv);

#endif
