/*
 * files.h: file transfer for both API surfaces.  Replies stream a file
 * from its descriptor under backpressure (a 1 GB file never sits in
 * memory and the loop keeps serving screenshots); writes go to a
 * temporary file beside the target and are renamed over it only when
 * complete, so a reader never sees a torn file.
 */
#ifndef FILES_H
#define FILES_H

#include <sys/types.h>
#include <stddef.h>

struct http_req;
struct http_server;
struct files_sink;

#define FILES_CHUNK		(256 * 1024)	/* read size when sending */
#define FILES_MAX_PATH		4096

void		 files_init(struct http_server *);
void		 files_shutdown(void);

/*
 * Python's os.path.expandvars(os.path.expanduser(p)): "~" and "~user" at
 * the start, $NAME and ${NAME} anywhere (unknown names left as they are).
 */
char		*files_expand(const char *);
/* files_expand, then relative paths are taken from --workdir. */
char		*files_resolve(const char *);
/* A MIME type guessed from the name, as Python's mimetypes does. */
const char	*files_mime(const char *name);
/* mkdir -p of path's parent directory. */
int		 files_mkdir_parent(const char *path, char **cause);
/* "[Errno 2] No such file or directory: 'x'" as Python words OSError. */
char		*files_oserror(int errnum, const char *path);

/*
 * Send the open fd (taken over, closed when done) as the reply: 200,
 * Content-Length from fstat, ctype, and "attachment; filename=" when
 * attach_name is not NULL.
 */
void		 files_send_fd(struct http_req *, int fd, const char *ctype,
		    const char *attach_name);

/* A file being written: a temporary beside the target, renamed at commit. */
struct files_sink *files_sink_open(const char *target, char **cause);
int		 files_sink_write(struct files_sink *, const void *, size_t,
		    char **cause);
/*
 * fsync, then rename the temporary over the target (and fsync its
 * directory); frees the sink either way.  -1 with cause and errno set.
 * files_sink_open, too, leaves errno set when it fails.
 */
int		 files_sink_commit(struct files_sink *, char **cause);
/* Remove the temporary; NULL is a no-op. */
void		 files_sink_abort(struct files_sink *);
off_t		 files_sink_size(struct files_sink *);
const char	*files_sink_target(struct files_sink *);
/*
 * Point the sink at another target: commit renames onto it, or copies
 * when it is on another file system.
 */
void		 files_sink_retarget(struct files_sink *, const char *);

#endif
