/*
 * local.h: the local provider.  A guest is a deskd --xvfb on a free
 * loopback port with its own token file, recorded in the state file and
 * stopped by pid (after checking the pid is still that deskd).
 */
#ifndef LOCAL_H
#define LOCAL_H

#include <jansson.h>

/* --deskd, $DESKD, next to deskctl, the build tree, then $PATH. */
char	*local_find_deskd(const char *flag);
/* Start one; a new state record (id, url, pid, token_file...) or NULL. */
json_t	*local_launch(const char *deskd, const char *statedir,
	    char **cause);
/* 1 while the recorded process is that deskd and alive. */
int	 local_alive(json_t *rec);
int	 local_terminate(json_t *rec, char **cause);

#endif
