/*
 * fuzz-creds: libFuzzer target for the AWS shared config and credentials
 * file reader (host/creds.c creds_ini_get).  The input's first line is a
 * section, its second a key, the rest the file.
 * links: host/creds.c host/util.c common/xmalloc.c common/log.c
 * links: common/compat.c
 * pkgs: libcurl
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "creds.h"
#include "deskctl.h"

static void
fz_get(const char *text, const char *section, const char *key)
{
	char	*v = creds_ini_get(text, section, key);

	if (v != NULL && strlen(v) == (size_t)-1)
		abort();
	free(v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*buf, *section, *key, *text, *nl;

	buf = malloc(size + 1);
	memcpy(buf, data, size);
	buf[size] = '\0';
	section = buf;
	key = text = "";
	if ((nl = strchr(section, '\n')) != NULL) {
		*nl = '\0';
		key = nl + 1;
		if ((nl = strchr(key, '\n')) != NULL) {
			*nl = '\0';
			text = nl + 1;
		}
	}
	fz_get(text, section, key);
	fz_get(text, "default", "aws_access_key_id");
	fz_get(text, "profile dev", "region");
	free(buf);
	return (0);
}
