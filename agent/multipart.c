/*
 * multipart.c: incremental multipart/form-data parser.
 *
 * The delimiter is CRLF "--" boundary.  The first one may start the body
 * without the CRLF, so the buffer starts with a virtual CRLF and every
 * delimiter is then found the same way.  In a part's data the parser hands
 * on everything except a tail shorter than the delimiter, which may be the
 * start of one split across two reads.
 */
#include <sys/types.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "multipart.h"
#include "xmalloc.h"

/* Bytes taken from the caller per round, so the buffer stays small. */
#define MULTIPART_SLICE		(64 * 1024)
/* Spaces allowed after a delimiter before its CRLF (transport padding). */
#define MULTIPART_MAX_PAD	64

enum multipart_state {
	MP_PREAMBLE,
	MP_AFTER_DELIM,
	MP_HEADERS,
	MP_BODY,
	MP_EPILOGUE,
	MP_FAILED
};

struct multipart {
	enum multipart_state	 state;
	char			*delim;	/* "\r\n--" boundary */
	size_t			 dlen;
	char			*buf;
	size_t			 len;
	size_t			 cap;
	size_t			 pad;
	u_int			 nparts;
	const struct multipart_cbs *cbs;
	void			*arg;
};

static int
multipart_token_char(int c)
{
	return (c > 32 && c < 127 && strchr("()<>@,;:\\\"/[]?={}", c) == NULL);
}

/*
 * Read one parameter value at *pp (token or quoted string), advancing *pp.
 * Inside quotes a backslash escapes only a quote or a backslash: urllib3
 * and browsers percent-encode quotes and send other backslashes bare.
 */
static char *
multipart_param_value(const char **pp)
{
	const char	*p = *pp;
	char		*out;
	size_t		 n = 0;

	out = xmalloc(strlen(p) + 1);
	if (*p == '"') {
		p++;
		while (*p != '\0' && *p != '"') {
			if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
				p++;
			out[n++] = *p++;
		}
		if (*p == '"')
			p++;
	} else {
		while (*p != '\0' && *p != ';' && *p != ' ' && *p != '\t')
			out[n++] = *p++;
	}
	out[n] = '\0';
	*pp = p;
	return (out);
}

char *
multipart_boundary(const char *ctype, char **cause)
{
	const char	*p;
	char		*b = NULL, *key;
	size_t		 n, i;

	if (ctype == NULL) {
		*cause = xstrdup("no Content-Type");
		return (NULL);
	}
	n = strlen("multipart/form-data");
	if (strncasecmp(ctype, "multipart/form-data", n) != 0 ||
	    (ctype[n] != ';' && ctype[n] != ' ' && ctype[n] != '\0')) {
		xasprintf(cause, "Content-Type is not multipart/form-data");
		return (NULL);
	}
	p = ctype + n;
	while (*p != '\0') {
		while (*p == ';' || *p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		for (i = 0; multipart_token_char((u_char)p[i]); i++)
			;
		key = xstrndup(p, i);
		p += i;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '=') {
			free(key);
			while (*p != '\0' && *p != ';')
				p++;
			continue;
		}
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strcasecmp(key, "boundary") == 0 && b == NULL)
			b = multipart_param_value(&p);
		else
			free(multipart_param_value(&p));
		free(key);
	}
	if (b == NULL) {
		*cause = xstrdup("multipart Content-Type has no boundary");
		return (NULL);
	}
	n = strlen(b);
	if (n == 0 || n > MULTIPART_MAX_BOUNDARY ||
	    strpbrk(b, "\r\n") != NULL) {
		free(b);
		*cause = xstrdup("multipart boundary is empty or too long");
		return (NULL);
	}
	return (b);
}

struct multipart *
multipart_new(const char *boundary, const struct multipart_cbs *cbs,
    void *arg)
{
	struct multipart	*mp;

	mp = xcalloc(1, sizeof *mp);
	mp->dlen = xasprintf(&mp->delim, "\r\n--%s", boundary);
	mp->cap = MULTIPART_SLICE + MULTIPART_MAX_HEAD + mp->dlen + 8;
	mp->buf = xmalloc(mp->cap);
	/* The virtual CRLF before a delimiter at the very start. */
	memcpy(mp->buf, "\r\n", 2);
	mp->len = 2;
	mp->cbs = cbs;
	mp->arg = arg;
	mp->state = MP_PREAMBLE;
	return (mp);
}

void
multipart_free(struct multipart *mp)
{
	if (mp == NULL)
		return;
	free(mp->delim);
	free(mp->buf);
	free(mp);
}

/* Parse one part's header block (CRLF-separated lines, no final CRLF). */
static int
multipart_headers(struct multipart *mp, const char *h, size_t hlen,
    char **cause)
{
	struct multipart_part	 part;
	char			*block, *line, *next, *colon, *v;
	char			*name = NULL, *filename = NULL, *ctype = NULL;
	char			*key, *disp = NULL;
	const char		*p;
	size_t			 i;
	int			 rc = -1;

	/* Unfold: a line starting with space or tab continues the last. */
	block = xmalloc(hlen + 1);
	for (i = 0; i < hlen; i++) {
		if (h[i] == '\0') {
			*cause = xstrdup("NUL byte in multipart headers");
			goto out;
		}
		block[i] = h[i];
		if (i + 2 < hlen && h[i] == '\r' && h[i + 1] == '\n' &&
		    (h[i + 2] == ' ' || h[i + 2] == '\t')) {
			block[i] = ' ';
			block[++i] = ' ';
		}
	}
	block[hlen] = '\0';

	for (line = block; line != NULL; line = next) {
		if ((next = strstr(line, "\r\n")) != NULL) {
			*next = '\0';
			next += 2;
		}
		if (*line == '\0')
			continue;
		if ((colon = strchr(line, ':')) == NULL) {
			*cause = xstrdup("malformed multipart header line");
			goto out;
		}
		*colon = '\0';
		for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
			;
		if (strcasecmp(line, "Content-Type") == 0) {
			free(ctype);
			ctype = xstrdup(v);
		} else if (strcasecmp(line, "Content-Disposition") == 0) {
			free(disp);
			disp = xstrdup(v);
		}
	}
	if (disp == NULL) {
		*cause = xstrdup("multipart part has no Content-Disposition");
		goto out;
	}
	for (i = 0; multipart_token_char((u_char)disp[i]); i++)
		;
	if (strncasecmp(disp, "form-data", i) != 0 || i != 9) {
		*cause = xstrdup("multipart part is not form-data");
		goto out;
	}
	p = disp + i;
	while (*p != '\0') {
		while (*p == ';' || *p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		for (i = 0; multipart_token_char((u_char)p[i]); i++)
			;
		if (i == 0) {
			*cause = xstrdup("malformed Content-Disposition");
			goto out;
		}
		key = xstrndup(p, i);
		p += i;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '=') {
			free(key);
			continue;
		}
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strcasecmp(key, "name") == 0) {
			free(name);
			name = multipart_param_value(&p);
		} else if (strcasecmp(key, "filename") == 0) {
			free(filename);
			filename = multipart_param_value(&p);
		} else
			free(multipart_param_value(&p));
		free(key);
	}
	if (name == NULL) {
		*cause = xstrdup("multipart part has no name");
		goto out;
	}
	if (++mp->nparts > MULTIPART_MAX_PARTS) {
		xasprintf(cause, "more than %d multipart parts",
		    MULTIPART_MAX_PARTS);
		goto out;
	}
	part.name = name;
	part.filename = filename;
	part.ctype = ctype;
	rc = 0;
	if (mp->cbs->begin != NULL)
		rc = mp->cbs->begin(&part, mp->arg, cause);
out:
	free(block);
	free(disp);
	free(name);
	free(filename);
	free(ctype);
	return (rc);
}

/* Run the state machine over the buffer; returns bytes consumed or -1. */
static int
multipart_run(struct multipart *mp, size_t *usedp, char **cause)
{
	char	*b = mp->buf, *hit;
	size_t	 used = 0, avail, n;

	for (;;) {
		avail = mp->len - used;
		switch (mp->state) {
		case MP_PREAMBLE:
			hit = memmem(b + used, avail, mp->delim, mp->dlen);
			if (hit == NULL) {
				/* Keep a tail that may start a delimiter. */
				if (avail >= mp->dlen)
					used = mp->len - (mp->dlen - 1);
				goto more;
			}
			used = (hit - b) + mp->dlen;
			mp->state = MP_AFTER_DELIM;
			mp->pad = 0;
			break;
		case MP_AFTER_DELIM:
			while (avail > 0 &&
			    (b[used] == ' ' || b[used] == '\t')) {
				if (++mp->pad > MULTIPART_MAX_PAD) {
					*cause = xstrdup("malformed multipart "
					    "delimiter line");
					return (-1);
				}
				used++;
				avail--;
			}
			if (avail < 2)
				goto more;
			if (b[used] == '-' && b[used + 1] == '-') {
				used += 2;
				mp->state = MP_EPILOGUE;
				break;
			}
			if (b[used] != '\r' || b[used + 1] != '\n') {
				*cause = xstrdup("malformed multipart "
				    "delimiter line");
				return (-1);
			}
			used += 2;
			mp->state = MP_HEADERS;
			break;
		case MP_HEADERS:
			if (avail >= 2 && b[used] == '\r' &&
			    b[used + 1] == '\n') {
				/* No headers at all: still needs a name. */
				if (multipart_headers(mp, "", 0, cause) == -1)
					return (-1);
				used += 2;
				mp->state = MP_BODY;
				break;
			}
			n = avail < MULTIPART_MAX_HEAD + 4 ? avail :
			    MULTIPART_MAX_HEAD + 4;
			hit = memmem(b + used, n, "\r\n\r\n", 4);
			if (hit == NULL) {
				if (avail >= MULTIPART_MAX_HEAD + 4) {
					*cause = xstrdup("multipart part "
					    "headers too long");
					return (-1);
				}
				goto more;
			}
			if (multipart_headers(mp, b + used, hit - (b + used),
			    cause) == -1)
				return (-1);
			used = (hit - b) + 4;
			mp->state = MP_BODY;
			break;
		case MP_BODY:
			hit = memmem(b + used, avail, mp->delim, mp->dlen);
			if (hit == NULL) {
				if (avail < mp->dlen)
					goto more;
				n = avail - (mp->dlen - 1);
			} else
				n = hit - (b + used);
			if (n > 0 && mp->cbs->data != NULL &&
			    mp->cbs->data(b + used, n, mp->arg, cause) == -1)
				return (-1);
			used += n;
			if (hit == NULL)
				goto more;
			used += mp->dlen;
			if (mp->cbs->end != NULL &&
			    mp->cbs->end(mp->arg, cause) == -1)
				return (-1);
			mp->state = MP_AFTER_DELIM;
			mp->pad = 0;
			break;
		case MP_EPILOGUE:
			used = mp->len;
			goto more;
		case MP_FAILED:
			*cause = xstrdup("multipart parse already failed");
			return (-1);
		}
	}
more:
	*usedp = used;
	return (0);
}

int
multipart_feed(struct multipart *mp, const char *data, size_t len,
    char **cause)
{
	size_t	 n, used;

	if (mp->state == MP_FAILED) {
		*cause = xstrdup("multipart parse already failed");
		return (-1);
	}
	while (len > 0) {
		if (mp->state == MP_EPILOGUE)
			return (0);
		n = len < MULTIPART_SLICE ? len : MULTIPART_SLICE;
		/* The kept tail is under MAX_HEAD + dlen + 4 bytes. */
		if (mp->len + n > mp->cap) {
			mp->cap = mp->len + n;
			mp->buf = xrealloc(mp->buf, mp->cap);
		}
		memcpy(mp->buf + mp->len, data, n);
		mp->len += n;
		data += n;
		len -= n;
		if (multipart_run(mp, &used, cause) == -1) {
			mp->state = MP_FAILED;
			return (-1);
		}
		memmove(mp->buf, mp->buf + used, mp->len - used);
		mp->len -= used;
	}
	return (0);
}

int
multipart_finish(struct multipart *mp, char **cause)
{
	if (mp->state == MP_EPILOGUE)
		return (0);
	if (mp->state != MP_FAILED)
		mp->state = MP_FAILED;
	*cause = xstrdup("multipart body ended before its closing boundary");
	return (-1);
}
