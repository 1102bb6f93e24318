/*
 * fuzz-multipart.c: libFuzzer target for the multipart parser.  The first
 * byte picks the piece size, so the split logic is fuzzed too.
 * links: agent/multipart.c common/xmalloc.c common/log.c
 *
 *   clang -D_GNU_SOURCE -g -fsanitize=fuzzer,address,undefined -Iagent \
 *       tests/fuzz/fuzz-multipart.c agent/multipart.c common/xmalloc.c \
 *       common/log.c -o fuzz-multipart && ./fuzz-multipart -max_total_time=60
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "multipart.h"

static int
fz_begin(const struct multipart_part *p, void *arg, char **cause)
{
	return (0);
}

static int
fz_data(const char *d, size_t n, void *arg, char **cause)
{
	volatile char	 c;

	/* Touch every byte handed out so ASan sees a bad range. */
	while (n-- > 0)
		c = d[n];
	(void)c;
	return (0);
}

static int
fz_end(void *arg, char **cause)
{
	return (0);
}

static const struct multipart_cbs fz_cbs = { fz_begin, fz_data, fz_end };

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct multipart	*mp;
	char			*cause = NULL;
	size_t			 step, off, n;

	if (len < 1)
		return (0);
	step = 1 + data[0];
	data++;
	len--;
	mp = multipart_new("fz", &fz_cbs, NULL);
	for (off = 0; off < len; off += n) {
		n = len - off < step ? len - off : step;
		if (multipart_feed(mp, (const char *)data + off, n,
		    &cause) == -1)
			break;
	}
	if (cause == NULL)
		multipart_finish(mp, &cause);
	free(cause);
	multipart_free(mp);
	return (0);
}
