/*
 * fuzz-shlex.c: libFuzzer target for the command-text parsers of the
 * process routes: shlex_split (Python's shlex.split), proc_text (UTF-8
 * with U+FFFD, universal newlines) and proc_json_string, checking that the
 * decoded text is valid UTF-8, that valid input passes through unchanged,
 * and that the JSON reads back to the same bytes.
 * links: agent/shlex.c agent/proc.c agent/deskd.c proto/utf8.c common/log.c common/xmalloc.c common/strv.c
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <jansson.h>

#include "deskd.h"
#include "proc.h"
#include "shlex.h"
#include "strv.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct evbuffer	*b;
	json_t		*j;
	char		**v, *cause = NULL, *t;
	size_t		 n, blen;
	int		 argc, k;

	v = shlex_split((const char *)data, size, &argc, &cause);
	if (v == NULL && cause == NULL)
		abort();
	if (v != NULL) {
		for (k = 0; k < argc; k++) {
			if (v[k] == NULL)
				abort();
		}
		if (v[argc] != NULL)
			abort();
	}
	strv_free(v);
	free(cause);

	t = proc_text((const char *)data, size, 0, &n);
	j = json_stringn(t, n);
	if (j == NULL)
		abort();	/* not valid UTF-8 */
	json_decref(j);
	/* Already valid UTF-8: unchanged. */
	j = json_stringn((const char *)data, size);
	if (j != NULL && (n != size || memcmp(t, data, size) != 0))
		abort();
	json_decref(j);

	b = evbuffer_new();
	proc_json_string(b, t, n);
	blen = evbuffer_get_length(b);
	j = json_loadb((const char *)evbuffer_pullup(b, -1), blen,
	    JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	if (j == NULL || json_string_length(j) != n ||
	    memcmp(json_string_value(j), t, n) != 0)
		abort();
	json_decref(j);
	evbuffer_free(b);
	free(t);

	t = proc_text((const char *)data, size, PROC_TEXT_NEWLINES, &n);
	if (memchr(t, '\r', n) != NULL)
		abort();
	free(t);
	return (0);
}
