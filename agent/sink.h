/*
 * sink.h: atomic file writes (sink.c): a temporary beside the target,
 * renamed over it at commit.
 */
#ifndef SINK_H
#define SINK_H

#include <sys/types.h>
#include <stddef.h>

#include "deskd.h"

struct sink;

/* Read the umask new files get their mode from (once, at start). */
void		 sink_init(void);
/*
 * A file being written to target (parent directories made).  NULL with a
 * kind and a cause in Python's words ("[Errno 13] Permission denied:
 * 'x'"): DESKD_EDENIED when the system refuses, DESKD_EINPUT for a target
 * that cannot be a file (too long a name included), DESKD_EBUSY out of
 * descriptors, DESKD_ESYSTEM otherwise.
 */
struct sink	*sink_open(const char *target, enum deskd_err *, char **cause);
int		 sink_write(struct sink *, const void *, size_t, char **cause);
/*
 * fsync, then rename the temporary over the target (and fsync its
 * directory); frees the sink either way.  -1 with a kind and a cause.
 */
int		 sink_commit(struct sink *, enum deskd_err *, char **cause);
/* Remove the temporary; NULL is a no-op. */
void		 sink_abort(struct sink *);
off_t		 sink_size(struct sink *);
const char	*sink_target(struct sink *);

#endif
