/*
 * query.c: Query API form bodies (EC2, Auto Scaling).  Parameters keep
 * insertion order; SigV4 hashes the POST body as it is, so no sorting is
 * needed (that is only for GET query strings, which curl 7.88 signs
 * wrongly: curl#9717).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "deskctl.h"
#include "query.h"
#include "util.h"
#include "xmalloc.h"

struct query_param {
	char	*key;
	char	*value;
};

struct query {
	struct query_param	*params;
	size_t			 n;
	size_t			 size;
};

struct query *
query_new(const char *action, const char *version)
{
	struct query	*q;

	q = xcalloc(1, sizeof *q);
	query_add(q, "Action", action);
	query_add(q, "Version", version);
	return (q);
}

void
query_free(struct query *q)
{
	size_t	 i;

	if (q == NULL)
		return;
	for (i = 0; i < q->n; i++) {
		free(q->params[i].key);
		if (q->params[i].value != NULL) {
			/* User data carries the agent token. */
			explicit_bzero(q->params[i].value,
			    strlen(q->params[i].value));
			free(q->params[i].value);
		}
	}
	free(q->params);
	free(q);
}

const char *
query_action(struct query *q)
{
	return (q->params[0].value);
}

void
query_add(struct query *q, const char *key, const char *value)
{
	if (q->n == q->size) {
		q->size = q->size == 0 ? 16 : q->size * 2;
		q->params = xreallocarray(q->params, q->size,
		    sizeof *q->params);
	}
	q->params[q->n].key = xstrdup(key);
	q->params[q->n].value = xstrdup(value);
	q->n++;
}

void
query_addf(struct query *q, const char *value, const char *keyfmt, ...)
{
	va_list	 ap;
	char	*key;

	va_start(ap, keyfmt);
	xvasprintf(&key, keyfmt, ap);
	va_end(ap);
	query_add(q, key, value);
	free(key);
}

/*
 * A space goes as "+", as botocore's body does (it is urlencode's
 * quote_plus, botocore/awsrequest.py prepare_body): AWS reads either,
 * but moto's signature check rebuilds the body that way, so "%20" in a
 * value (a description, a tag) fails it with AuthFailure.
 */
static char *
query_space_plus(char *v)
{
	char	*r, *w;

	for (r = w = v; *r != '\0'; r++, w++) {
		if (r[0] == '%' && r[1] == '2' && r[2] == '0') {
			*w = '+';
			r += 2;
		} else
			*w = *r;
	}
	*w = '\0';
	return (v);
}

char *
query_encode(struct query *q)
{
	char	*out = NULL, *k, *v;
	size_t	 len = 0, i, kl, vl;

	out = xmalloc(1);
	out[0] = '\0';
	for (i = 0; i < q->n; i++) {
		k = util_pct_encode(q->params[i].key);
		v = query_space_plus(util_pct_encode(q->params[i].value));
		kl = strlen(k);
		vl = strlen(v);
		out = xrealloc(out, len + kl + vl + 3);
		if (i > 0)
			out[len++] = '&';
		memcpy(out + len, k, kl);
		len += kl;
		out[len++] = '=';
		memcpy(out + len, v, vl);
		len += vl;
		out[len] = '\0';
		free(k);
		explicit_bzero(v, vl);
		free(v);
	}
	return (out);
}
