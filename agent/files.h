/*
 * files.h: file transfer for both API surfaces.  Replies stream a file
 * from its descriptor under backpressure (a 1 GB file never sits in
 * memory and the loop keeps serving screenshots); writes go through the
 * atomic sink (sink.h).
 */
#ifndef FILES_H
#define FILES_H

#include <sys/types.h>
#include <stddef.h>

struct http_req;

#define FILES_CHUNK		(256 * 1024)	/* read size when sending */
#define FILES_MAX_PATH		4096

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

/*
 * Send the open fd (taken over, closed when done) as the reply: 200,
 * Content-Length from fstat, ctype, and "attachment; filename=" when
 * attach_name is not NULL.
 */
void		 files_send_fd(struct http_req *, int fd, const char *ctype,
		    const char *attach_name);

/* GET and PUT /v1/files (v1.c's table). */
void		 files_get_cb(struct http_req *, void *);
void		 files_put_cb(struct http_req *, void *);

#endif
