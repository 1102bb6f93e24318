/*
 * fuzz-action: libFuzzer target for the computer-use action parser
 * (proto/action.c) and the key-name and UTF-8 parsers (agent/keys.c): the
 * input is parsed as a JSON body, and every action's text as key names,
 * a chord and UTF-8, as POST /v1/computer does before queueing anything.
 * links: proto/action.c proto/utf8.c agent/keys.c common/xmalloc.c common/log.c
 * pkgs: x11 xkbcommon
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "action.h"
#include "keys.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_actions	*acts;
	struct keys_seq		*seq;
	struct keys_chord	 ch;
	json_t			*j;
	json_error_t		 jerr;
	char			*cause = NULL, *s;
	uint32_t		*cps;
	size_t			 i, n;

	/* The raw bytes as key names and text too. */
	s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	seq = keys_parse(s, &cause);
	keys_seq_free(seq);
	free(cause);
	cause = NULL;
	(void)keys_parse_chord(s, &ch, NULL);
	if (keys_utf8_decode(s, size, &cps, &n, NULL) == 0) {
		for (i = 0; i < n; i++)
			(void)keys_char_to_keysym(cps[i]);
		free(cps);
	}
	free(s);

	j = json_loadb((const char *)data, size, JSON_DECODE_ANY, &jerr);
	if (j == NULL)
		return (0);
	acts = proto_actions_parse(j, &cause);
	json_decref(j);
	if (acts == NULL) {
		free(cause);
		return (0);
	}
	(void)proto_actions_check_screen(acts, 1920, 1080, &cause);
	free(cause);
	cause = NULL;
	for (i = 0; i < acts->n; i++) {
		if (acts->v[i].text == NULL)
			continue;
		seq = keys_parse(acts->v[i].text, &cause);
		keys_seq_free(seq);
		free(cause);
		cause = NULL;
		if (keys_utf8_decode(acts->v[i].text, acts->v[i].text_len,
		    &cps, &n, NULL) == 0)
			free(cps);
	}
	proto_actions_free(acts);
	return (0);
}
