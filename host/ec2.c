/*
 * ec2.c: EC2 operations.  Encodings are botocore's EC2 serializer's
 * (locationName, 1-based, flattened: boto/botocore:botocore/serialize.py,
 * EC2Serializer).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws.h"
#include "base64.h"
#include "deskctl.h"
#include "ec2.h"
#include "query.h"
#include "xml.h"
#include "xmalloc.h"

#define EC2_DESCRIBE_PAGE	"1000"

static char *
ec2_dup(struct xml_node *n, const char *path)
{
	const char	*t = xml_text(n, path);

	return (t != NULL ? xstrdup(t) : NULL);
}

struct query *
ec2_run_query(const struct ec2_launch *l)
{
	struct query	*q;
	char		 n[32], *b64;
	size_t		 i, len;
	int		 iface = l->public_ip == 1;

	q = query_new("RunInstances");
	query_add(q, "ImageId", l->ami);
	query_add(q, "InstanceType", l->type);
	snprintf(n, sizeof n, "%d", l->count);
	query_add(q, "MinCount", n);
	query_add(q, "MaxCount", n);
	if (l->key_name != NULL)
		query_add(q, "KeyName", l->key_name);
	/* A public address needs an explicit interface; then subnet and
	 * groups must move into it (InvalidParameterCombination otherwise). */
	if (iface) {
		query_add(q, "NetworkInterface.1.DeviceIndex", "0");
		query_add(q, "NetworkInterface.1.AssociatePublicIpAddress",
		    "true");
		query_add(q, "NetworkInterface.1.DeleteOnTermination", "true");
		if (l->subnet != NULL)
			query_add(q, "NetworkInterface.1.SubnetId", l->subnet);
		for (i = 0; i < l->ngroups; i++)
			query_addf(q, l->groups[i],
			    "NetworkInterface.1.SecurityGroupId.%zu", i + 1);
	} else {
		if (l->subnet != NULL)
			query_add(q, "SubnetId", l->subnet);
		for (i = 0; i < l->ngroups; i++)
			query_addf(q, l->groups[i], "SecurityGroupId.%zu",
			    i + 1);
	}
	if (l->user_data != NULL) {
		len = strlen(l->user_data);
		b64 = xmalloc(PROTO_BASE64_LEN(len) + 1);
		b64[proto_base64_encode(b64, l->user_data, len)] = '\0';
		query_add(q, "UserData", b64);
		explicit_bzero(b64, strlen(b64));
		free(b64);
	}
	if (l->client_token != NULL)
		query_add(q, "ClientToken", l->client_token);
	query_add(q, "MetadataOptions.HttpTokens", "required");
	query_add(q, "MetadataOptions.HttpEndpoint", "enabled");
	query_add(q, "MetadataOptions.HttpPutResponseHopLimit", "2");
	if (l->disk_gb > 0) {
		snprintf(n, sizeof n, "%d", l->disk_gb);
		query_add(q, "BlockDeviceMapping.1.DeviceName", "/dev/sda1");
		query_add(q, "BlockDeviceMapping.1.Ebs.VolumeSize", n);
		query_add(q, "BlockDeviceMapping.1.Ebs.VolumeType", "gp3");
		query_add(q, "BlockDeviceMapping.1.Ebs.DeleteOnTermination",
		    "true");
		query_add(q, "BlockDeviceMapping.1.Ebs.Encrypted", "true");
	}
	if (l->spot) {
		query_add(q, "InstanceMarketOptions.MarketType", "spot");
		query_add(q, "InstanceMarketOptions.SpotOptions."
		    "SpotInstanceType", "one-time");
		query_add(q, "InstanceMarketOptions.SpotOptions."
		    "InstanceInterruptionBehavior", "terminate");
	}
	query_add(q, "InstanceInitiatedShutdownBehavior", "terminate");
	if (l->ntags > 0) {
		query_add(q, "TagSpecification.1.ResourceType", "instance");
		query_add(q, "TagSpecification.2.ResourceType", "volume");
		for (i = 0; i < l->ntags; i++) {
			query_addf(q, l->tags[i].key,
			    "TagSpecification.1.Tag.%zu.Key", i + 1);
			query_addf(q, l->tags[i].value,
			    "TagSpecification.1.Tag.%zu.Value", i + 1);
			query_addf(q, l->tags[i].key,
			    "TagSpecification.2.Tag.%zu.Key", i + 1);
			query_addf(q, l->tags[i].value,
			    "TagSpecification.2.Tag.%zu.Value", i + 1);
		}
	}
	return (q);
}

static void
ec2_parse_one(struct xml_node *item, struct ec2_instance *in)
{
	struct xml_node	*tags, *t;
	const char	*k, *v;

	memset(in, 0, sizeof *in);
	in->id = ec2_dup(item, "instanceId");
	in->state = ec2_dup(item, "instanceState/name");
	if (in->state == NULL)
		in->state = ec2_dup(item, "currentState/name");
	in->private_ip = ec2_dup(item, "privateIpAddress");
	in->public_ip = ec2_dup(item, "ipAddress");
	in->launch_time = ec2_dup(item, "launchTime");
	in->type = ec2_dup(item, "instanceType");
	in->image = ec2_dup(item, "imageId");
	if ((tags = xml_child(item, "tagSet")) == NULL)
		return;
	for (t = tags->child; t != NULL; t = t->next) {
		if (strcmp(t->name, "item") != 0 ||
		    (k = xml_text(t, "key")) == NULL)
			continue;
		if ((v = xml_text(t, "value")) == NULL)
			v = "";
		in->tags = xreallocarray(in->tags, in->ntags + 1,
		    sizeof *in->tags);
		in->tags[in->ntags].key = xstrdup(k);
		in->tags[in->ntags].value = xstrdup(v);
		in->ntags++;
	}
}

/* Appends to *list. */
int
ec2_parse_instances(struct xml_node *root, struct ec2_instance **list,
    size_t *n)
{
	struct xml_node	*set, *item;

	for (set = xml_find(root, "instancesSet"); set != NULL;
	    set = xml_find_next(root, set, "instancesSet")) {
		for (item = set->child; item != NULL; item = item->next) {
			if (strcmp(item->name, "item") != 0 ||
			    xml_text(item, "instanceId") == NULL)
				continue;
			*list = xreallocarray(*list, *n + 1, sizeof **list);
			ec2_parse_one(item, &(*list)[*n]);
			(*n)++;
		}
	}
	return (0);
}

int
ec2_parse_images(struct xml_node *root, struct ec2_image **list, size_t *n)
{
	struct xml_node	*set, *item;
	struct ec2_image *im;

	if ((set = xml_find(root, "imagesSet")) == NULL)
		return (0);
	for (item = set->child; item != NULL; item = item->next) {
		if (strcmp(item->name, "item") != 0 ||
		    xml_text(item, "imageId") == NULL)
			continue;
		*list = xreallocarray(*list, *n + 1, sizeof **list);
		im = &(*list)[(*n)++];
		im->id = ec2_dup(item, "imageId");
		im->name = ec2_dup(item, "name");
		im->created = ec2_dup(item, "creationDate");
		im->state = ec2_dup(item, "imageState");
	}
	return (0);
}

void
ec2_instances_free(struct ec2_instance *list, size_t n)
{
	size_t	 i, j;

	for (i = 0; i < n; i++) {
		free(list[i].id);
		free(list[i].state);
		free(list[i].private_ip);
		free(list[i].public_ip);
		free(list[i].launch_time);
		free(list[i].type);
		free(list[i].image);
		for (j = 0; j < list[i].ntags; j++) {
			free(list[i].tags[j].key);
			free(list[i].tags[j].value);
		}
		free(list[i].tags);
	}
	free(list);
}

void
ec2_images_free(struct ec2_image *list, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		free(list[i].id);
		free(list[i].name);
		free(list[i].created);
		free(list[i].state);
	}
	free(list);
}

const char *
ec2_tag(const struct ec2_instance *in, const char *key)
{
	size_t	 i;

	for (i = 0; i < in->ntags; i++) {
		if (strcmp(in->tags[i].key, key) == 0)
			return (in->tags[i].value);
	}
	return (NULL);
}

int
ec2_run(struct aws *a, const struct ec2_launch *l, struct ec2_instance **list,
    size_t *n, char **code, char **cause)
{
	struct query	*q;
	struct xml_node	*root;
	int		 rv;

	q = ec2_run_query(l);
	/* Safe to retry: the ClientToken makes a repeat return the first. */
	rv = aws_call(a, q, DESKCTL_ATTEMPTS_WRITE, &root, code, cause);
	query_free(q);
	if (rv == -1)
		return (-1);
	ec2_parse_instances(root, list, n);
	xml_free(root);
	return (0);
}

int
ec2_describe(struct aws *a, char **ids, size_t nids, const char *owner,
    const char *states, struct ec2_instance **list, size_t *n, char **code,
    char **cause)
{
	struct query	*q;
	struct xml_node	*root;
	char		*next = NULL, *copy, *p, *s;
	size_t		 i;
	int		 f, v;

	*list = NULL;
	*n = 0;
	do {
		q = query_new("DescribeInstances");
		for (i = 0; i < nids; i++)
			query_addf(q, ids[i], "InstanceId.%zu", i + 1);
		f = 1;
		if (owner != NULL) {
			query_addf(q, "tag:deskd:owner", "Filter.%d.Name", f);
			query_addf(q, owner, "Filter.%d.Value.1", f);
			f++;
		}
		if (states != NULL) {
			query_addf(q, "instance-state-name", "Filter.%d.Name",
			    f);
			copy = p = xstrdup(states);
			v = 1;
			while ((s = strsep(&p, ",")) != NULL)
				query_addf(q, s, "Filter.%d.Value.%d", f, v++);
			free(copy);
			f++;
		}
		/* MaxResults cannot be combined with InstanceId.N. */
		if (nids == 0)
			query_add(q, "MaxResults", EC2_DESCRIBE_PAGE);
		if (next != NULL)
			query_add(q, "NextToken", next);
		free(next);
		next = NULL;
		if (aws_call(a, q, DESKCTL_ATTEMPTS_READ, &root, code,
		    cause) == -1) {
			query_free(q);
			ec2_instances_free(*list, *n);
			*list = NULL;
			*n = 0;
			return (-1);
		}
		query_free(q);
		ec2_parse_instances(root, list, n);
		next = ec2_dup(root, "nextToken");
		xml_free(root);
	} while (next != NULL);
	return (0);
}

int
ec2_terminate(struct aws *a, char **ids, size_t nids, char **code,
    char **cause)
{
	struct query	*q;
	struct xml_node	*root;
	size_t		 i;
	int		 rv;

	q = query_new("TerminateInstances");
	for (i = 0; i < nids; i++)
		query_addf(q, ids[i], "InstanceId.%zu", i + 1);
	/* TerminateInstances is idempotent: retrying is safe. */
	rv = aws_call(a, q, DESKCTL_ATTEMPTS_WRITE, &root, code, cause);
	query_free(q);
	if (rv == 0)
		xml_free(root);
	return (rv);
}

char *
ec2_find_image(struct aws *a, const char *pattern, const char *owner,
    char **code, char **cause)
{
	struct query		*q;
	struct xml_node		*root;
	struct ec2_image	*list = NULL, *best = NULL;
	size_t			 n = 0, i;
	char			*id = NULL;

	q = query_new("DescribeImages");
	if (owner != NULL)
		query_add(q, "Owner.1", owner);
	query_add(q, "Filter.1.Name", "name");
	query_add(q, "Filter.1.Value.1", pattern);
	query_add(q, "Filter.2.Name", "state");
	query_add(q, "Filter.2.Value.1", "available");
	if (aws_call(a, q, DESKCTL_ATTEMPTS_READ, &root, code, cause) == -1) {
		query_free(q);
		return (NULL);
	}
	query_free(q);
	ec2_parse_images(root, &list, &n);
	xml_free(root);
	/* ISO 8601 UTC stamps sort as strings; the API has no "newest". */
	for (i = 0; i < n; i++) {
		if (best == NULL || (list[i].created != NULL &&
		    (best->created == NULL ||
		    strcmp(list[i].created, best->created) > 0)))
			best = &list[i];
	}
	if (best == NULL) {
		*code = xstrdup("InvalidAMIID.NotFound");
		xasprintf(cause, "no available AMI named '%s'%s%s in region "
		    "%s: check --ami-name (wildcards * and ?) and --region",
		    pattern, owner != NULL ? " owned by " : "",
		    owner != NULL ? owner : "", a->region);
	} else
		id = xstrdup(best->id);
	ec2_images_free(list, n);
	return (id);
}
