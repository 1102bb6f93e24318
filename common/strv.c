/* strv.c: NULL-terminated string vectors (see strv.h). */
#include <stdlib.h>

#include "strv.h"
#include "xmalloc.h"

char **
strv_add(char **v, size_t *n, const char *s)
{
	v = xreallocarray(v, *n + 2, sizeof *v);
	v[(*n)++] = xstrdup(s);
	v[*n] = NULL;
	return (v);
}

void
strv_free(char **v)
{
	size_t	 i;

	if (v == NULL)
		return;
	for (i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}
