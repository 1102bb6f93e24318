/*
 * fuzz-xml: libFuzzer target for deskctl's EC2 answer parser (host/xml.c:
 * expat into an element tree, then the lookups ec2.c makes).
 * links: host/xml.c common/xmalloc.c common/log.c common/compat.c
 * pkgs: expat
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xml.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xml_node	*root, *n;
	char		*cause = NULL;
	const char	*t;
	volatile size_t	 sum = 0;

	root = xml_parse((const char *)data, size, &cause);
	free(cause);
	if (root == NULL)
		return (0);
	/* What ec2.c asks of DescribeInstances and error answers. */
	for (n = xml_find(root, "item"); n != NULL;
	    n = xml_find_next(root, n, "item")) {
		if ((t = xml_text(n, "instanceId")) != NULL)
			sum += strlen(t);
		if ((t = xml_text(n, "instanceState/name")) != NULL)
			sum += strlen(t);
		(void)xml_path(n, "tagSet/item/key");
	}
	if ((t = xml_text(root, "Errors/Error/Code")) != NULL)
		sum += strlen(t);
	(void)xml_child(root, "requestId");
	xml_free(root);
	return (0);
}
