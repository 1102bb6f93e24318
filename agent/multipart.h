/*
 * multipart.h: an incremental multipart/form-data parser (RFC 7578).
 *
 * Bytes are fed as they arrive from the socket, in pieces of any size; the
 * parser calls back at the start of each part (with its name, filename and
 * type), for each run of its data, and at its end.  It keeps at most one
 * header block or one delimiter's worth of bytes, so a body of any size
 * streams through in constant memory.  No I/O here: the unit test and the
 * fuzz target drive it directly.
 */
#ifndef MULTIPART_H
#define MULTIPART_H

#include <stddef.h>

#define MULTIPART_MAX_BOUNDARY	200	/* RFC 2046 says 70; be lenient */
#define MULTIPART_MAX_HEAD	8192	/* one part's header block */
#define MULTIPART_MAX_PARTS	64

struct multipart;

struct multipart_part {
	const char	*name;		/* form field name, never NULL */
	const char	*filename;	/* NULL when not a file part */
	const char	*ctype;		/* NULL when absent */
};

/*
 * Each callback returns 0 to go on, or -1 with *cause set (xasprintf) to
 * stop the parse: multipart_feed then returns -1 with that cause.
 */
struct multipart_cbs {
	int	(*begin)(const struct multipart_part *, void *, char **);
	int	(*data)(const char *, size_t, void *, char **);
	int	(*end)(void *, char **);
};

/*
 * The boundary parameter of a multipart/form-data Content-Type, or NULL
 * with cause.  The caller frees it.
 */
char		*multipart_boundary(const char *ctype, char **cause);
struct multipart *multipart_new(const char *boundary,
		    const struct multipart_cbs *, void *arg);
void		 multipart_free(struct multipart *);
/* Feed bytes; -1 with cause on malformed input or a callback's refusal. */
int		 multipart_feed(struct multipart *, const char *, size_t,
		    char **cause);
/* The body has ended: -1 with cause unless the closing delimiter was seen. */
int		 multipart_finish(struct multipart *, char **cause);

#endif
