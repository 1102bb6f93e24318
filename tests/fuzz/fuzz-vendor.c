/*
 * fuzz-vendor: libFuzzer target for the vendor parsers (agent/vendor*.c):
 * the input is a JSON body; its shape is detected, and every vendor's
 * parser is run on it (not only the detected one), against a 1280x800
 * session space on a 1920x1080 screen.  A batch that parses has its
 * answer written for every state a call can end in, and the answer must
 * be valid JSON, as a caller would append it.
 * links: agent/vendor.c agent/vendor_anthropic.c agent/vendor_openai.c agent/vendor_gemini.c agent/vendor_osworld.c agent/keys.c proto/action.c proto/utf8.c proto/base64.c common/xmalloc.c common/log.c
 * pkgs: x11 xkbcommon
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <jansson.h>

#include "action.h"
#include "vendor.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_answer(struct vendor_batch *b, enum vendor_state last)
{
	struct vendor_result	*res;
	struct evbuffer		*out;
	json_t			*j;
	size_t			 i, len;

	res = calloc(b->ncalls, sizeof *res);
	for (i = 0; i < b->ncalls; i++) {
		res[i].state = i + 1 == b->ncalls ? last : VENDOR_DONE;
		if (res[i].state == VENDOR_FAILED)
			res[i].error = strdup("failed \"here\"\n");
		if (i == 0) {
			res[i].output = strdup("X=1,Y=2");
			res[i].image = evbuffer_new();
			evbuffer_add(res[i].image, "\x89PNG\r\n", 6);
			res[i].mime = "image/png";
		}
	}
	out = evbuffer_new();
	vendor_append(out, b, res, "http://x/\"y\"");
	len = evbuffer_get_length(out);
	j = json_loadb((const char *)evbuffer_pullup(out, -1), len,
	    JSON_DECODE_ANY, NULL);
	if (j == NULL)
		abort();	/* an answer a caller could not append */
	json_decref(j);
	evbuffer_free(out);
	for (i = 0; i < b->ncalls; i++) {
		free(res[i].error);
		free(res[i].output);
		if (res[i].image != NULL)
			evbuffer_free(res[i].image);
	}
	free(res);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vendor_batch	 b;
	struct vendor_ctx	 ctx = { 1280, 800, 1920, 1080 };
	enum vendor_kind	 kind, k;
	json_t			*j;
	json_error_t		 jerr;
	char			*cause = NULL;
	int			 native;

	j = json_loadb((const char *)data, size, JSON_DECODE_ANY, &jerr);
	if (j == NULL)
		return (0);
	if (vendor_detect(j, &kind, &native, &cause) == -1) {
		free(cause);
		cause = NULL;
	}
	for (k = VENDOR_ANTHROPIC; k <= VENDOR_OSWORLD; k++) {
		if (vendor_parse(k, j, &ctx, &b, &cause) == 0) {
			fuzz_answer(&b, VENDOR_DONE);
			fuzz_answer(&b, VENDOR_FAILED);
			fuzz_answer(&b, VENDOR_SKIPPED);
		}
		free(cause);
		cause = NULL;
		vendor_batch_clear(&b);
	}
	json_decref(j);
	return (0);
}
