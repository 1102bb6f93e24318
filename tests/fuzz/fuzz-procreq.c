/*
 * fuzz-procreq.c: libFuzzer target for procreq.c, the JSON of a process
 * request (POST /v1/exec, /v1/launch, /v1/pty and the first message of
 * GET /v1/exec/ws) and of the control messages of process and terminal
 * websockets.  Checks that a parsed request holds what the route asked
 * for (an argv with a non-empty argv[0], sizes in range, an env with no
 * '=' in a name) and that nothing leaks when parsing fails half-way.
 * links: agent/procreq.c common/log.c common/xmalloc.c common/strv.c
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "deskd.h"
#include "procreq.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const int	 fuzz_flags[] = {
	PROCREQ_STDIN | PROCREQ_TIMEOUT | PROCREQ_STREAM,
	PROCREQ_WINDOW,
	PROCREQ_SIZE | PROCREQ_NO_ARGV,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct procreq		 pr;
	struct procreq_msg	 m;
	json_t			*j;
	char			*cause = NULL, *shown;
	size_t			 i, k;

	if (procreq_message(data, size, &m, &cause) == 0) {
		if (m.type == PROCREQ_MSG_RESIZE && (m.cols < 1 ||
		    m.rows < 1 || m.cols > DESKD_PTY_MAX_SIZE ||
		    m.rows > DESKD_PTY_MAX_SIZE))
			abort();
		if (m.type == PROCREQ_MSG_SIGNAL && m.sig < 1)
			abort();
		procreq_msg_clear(&m);
	} else {
		if (cause == NULL)
			abort();
		free(cause);
		cause = NULL;
	}

	if ((j = json_loadb((const char *)data, size, 0, NULL)) == NULL)
		return (0);
	for (k = 0; k < sizeof fuzz_flags / sizeof fuzz_flags[0]; k++) {
		if (procreq_parse(j, fuzz_flags[k], "/work", &pr,
		    &cause) == -1) {
			if (cause == NULL || pr.argv != NULL)
				abort();
			free(cause);
			cause = NULL;
			continue;
		}
		if (pr.argv == NULL && !(fuzz_flags[k] & PROCREQ_NO_ARGV))
			abort();
		if (pr.argv != NULL && pr.argv[0][0] == '\0')
			abort();
		for (i = 0; pr.env != NULL && pr.env[i] != NULL; i++) {
			if (strchr(pr.env[i], '=') == NULL ||
			    pr.env[i][0] == '=')
				abort();
		}
		if (pr.cols < 0 || pr.cols > DESKD_PTY_MAX_SIZE)
			abort();
		shown = procreq_shown(&pr);
		free(shown);
		procreq_clear(&pr);
	}
	json_decref(j);
	return (0);
}
