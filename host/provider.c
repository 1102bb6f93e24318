/*
 * provider.c: the provider table and the one place an id's shape is
 * looked at (an id that is in no record).
 */
#include <string.h>

#include "provider.h"
#include "state.h"

const struct provider	*provider_all[] = {
	&provider_local,
	&provider_ec2,
	NULL
};

const struct provider *
provider_find(const char *name)
{
	const struct provider	**p;

	if (name == NULL)
		return (NULL);
	for (p = provider_all; *p != NULL; p++) {
		if (strcmp((*p)->name, name) == 0)
			return (*p);
	}
	return (NULL);
}

const struct provider *
provider_of(json_t *rec)
{
	const struct provider	*p;

	if ((p = provider_find(state_str(rec, "provider"))) != NULL)
		return (p);
	return (provider_guess(state_str(rec, "id")));
}

/* EC2 instance ids are "i-" and hex; local ones are "local-" and hex. */
const struct provider *
provider_guess(const char *id)
{
	if (id != NULL && strncmp(id, "i-", 2) == 0)
		return (&provider_ec2);
	if (id != NULL && strncmp(id, "local-", 6) == 0)
		return (&provider_local);
	return (NULL);
}
