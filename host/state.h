/*
 * state.h: what deskctl launched, kept in $XDG_STATE_HOME/deskctl/state.json
 * (mode 0600 in a 0700 directory): instance ids with their provider,
 * region/endpoint, agent URL and token.  Each change is lock, load,
 * modify, save, unlock, so concurrent deskctl runs never lose records.
 */
#ifndef STATE_H
#define STATE_H

#include <jansson.h>

struct state {
	json_t	*root;		/* {"instances": [ {...}, ... ]} */
	char	*dir;
	char	*path;
	int	 lockfd;
};

/* The directory (created 0700); new string or NULL + cause. */
char		*state_dir(char **cause);
struct state	*state_open(char **cause);
int		 state_save(struct state *, char **cause);
void		 state_close(struct state *);
json_t		*state_instances(struct state *);
/* Borrowed reference or NULL. */
json_t		*state_find(struct state *, const char *id);
/* Steals REC; replaces a record with the same "id". */
void		 state_put(struct state *, json_t *rec);
void		 state_remove(struct state *, const char *id);
/* A string field of a record, or NULL. */
const char	*state_str(json_t *rec, const char *key);

#endif
