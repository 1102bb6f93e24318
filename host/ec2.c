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
#include "util.h"
#include "xml.h"
#include "xmalloc.h"

#define EC2_DESCRIBE_PAGE	"1000"

static struct query *
ec2_query(const char *action)
{
	return (query_new(action, DESKCTL_EC2_VERSION));
}

static char *
ec2_dup(struct xml_node *n, const char *path)
{
	const char	*t = xml_text(n, path);

	return (t != NULL ? xstrdup(t) : NULL);
}

/*
 * The instance's settings, under PFX: "" for RunInstances,
 * "LaunchTemplateData." for CreateLaunchTemplate, whose data takes the
 * same names (botocore's model: RequestLaunchTemplateData).  RUN adds
 * what only RunInstances takes (counts, ClientToken, a subnet outside an
 * interface: a group's subnets are the group's).
 */
static void
ec2_launch_data(struct query *q, const char *pfx, const struct ec2_launch *l,
    int run)
{
	char		 n[32], *b64;
	size_t		 i, len;
	int		 iface = l->public_ip != -1;

	query_addf(q, l->ami, "%sImageId", pfx);
	query_addf(q, l->type, "%sInstanceType", pfx);
	if (run) {
		snprintf(n, sizeof n, "%d", l->count);
		query_add(q, "MinCount", n);
		query_add(q, "MaxCount", n);
	}
	if (l->key_name != NULL)
		query_addf(q, l->key_name, "%sKeyName", pfx);
	/*
	 * Asking for a public address, or for none, needs an explicit
	 * interface; then subnet and groups must move into it
	 * (InvalidParameterCombination otherwise).  "None" must be said:
	 * a subnet with MapPublicIpOnLaunch gives one otherwise.
	 */
	if (iface) {
		query_addf(q, "0", "%sNetworkInterface.1.DeviceIndex", pfx);
		query_addf(q, l->public_ip == 1 ? "true" : "false",
		    "%sNetworkInterface.1.AssociatePublicIpAddress", pfx);
		query_addf(q, "true",
		    "%sNetworkInterface.1.DeleteOnTermination", pfx);
		if (l->subnet != NULL)
			query_addf(q, l->subnet,
			    "%sNetworkInterface.1.SubnetId", pfx);
		for (i = 0; i < l->ngroups; i++)
			query_addf(q, l->groups[i],
			    "%sNetworkInterface.1.SecurityGroupId.%zu", pfx,
			    i + 1);
	} else {
		if (l->subnet != NULL && run)
			query_add(q, "SubnetId", l->subnet);
		for (i = 0; i < l->ngroups; i++)
			query_addf(q, l->groups[i], "%sSecurityGroupId.%zu",
			    pfx, i + 1);
	}
	if (l->user_data != NULL) {
		len = strlen(l->user_data);
		b64 = xmalloc(PROTO_BASE64_LEN(len) + 1);
		b64[proto_base64_encode(b64, l->user_data, len)] = '\0';
		query_addf(q, b64, "%sUserData", pfx);
		explicit_bzero(b64, strlen(b64));
		free(b64);
	}
	if (l->client_token != NULL && run)
		query_add(q, "ClientToken", l->client_token);
	query_addf(q, "required", "%sMetadataOptions.HttpTokens", pfx);
	query_addf(q, "enabled", "%sMetadataOptions.HttpEndpoint", pfx);
	query_addf(q, "2", "%sMetadataOptions.HttpPutResponseHopLimit", pfx);
	if (l->disk_gb > 0) {
		snprintf(n, sizeof n, "%d", l->disk_gb);
		/* The image's root, or EC2 adds a second volume instead. */
		query_addf(q, l->root_device != NULL ? l->root_device :
		    "/dev/sda1", "%sBlockDeviceMapping.1.DeviceName", pfx);
		query_addf(q, n, "%sBlockDeviceMapping.1.Ebs.VolumeSize", pfx);
		query_addf(q, l->volume_type != NULL ? l->volume_type : "gp3",
		    "%sBlockDeviceMapping.1.Ebs.VolumeType", pfx);
		if (l->iops > 0) {
			snprintf(n, sizeof n, "%d", l->iops);
			query_addf(q, n, "%sBlockDeviceMapping.1.Ebs.Iops",
			    pfx);
		}
		if (l->throughput > 0) {
			snprintf(n, sizeof n, "%d", l->throughput);
			query_addf(q, n,
			    "%sBlockDeviceMapping.1.Ebs.Throughput", pfx);
		}
		query_addf(q, "true",
		    "%sBlockDeviceMapping.1.Ebs.DeleteOnTermination", pfx);
		query_addf(q, "true", "%sBlockDeviceMapping.1.Ebs.Encrypted",
		    pfx);
	}
	if (l->spot) {
		query_addf(q, "spot", "%sInstanceMarketOptions.MarketType",
		    pfx);
		query_addf(q, "one-time", "%sInstanceMarketOptions."
		    "SpotOptions.SpotInstanceType", pfx);
		query_addf(q, "terminate", "%sInstanceMarketOptions."
		    "SpotOptions.InstanceInterruptionBehavior", pfx);
	}
	if (l->iam_profile != NULL)
		query_addf(q, l->iam_profile, "%sIamInstanceProfile.%s", pfx,
		    strncmp(l->iam_profile, "arn:", 4) == 0 ? "Arn" : "Name");
	if (l->monitoring)
		query_addf(q, "true", "%sMonitoring.Enabled", pfx);
	query_addf(q, "terminate", "%sInstanceInitiatedShutdownBehavior", pfx);
	if (l->ntags > 0) {
		query_addf(q, "instance", "%sTagSpecification.1.ResourceType",
		    pfx);
		query_addf(q, "volume", "%sTagSpecification.2.ResourceType",
		    pfx);
		for (i = 0; i < l->ntags; i++) {
			query_addf(q, l->tags[i].key,
			    "%sTagSpecification.1.Tag.%zu.Key", pfx, i + 1);
			query_addf(q, l->tags[i].value,
			    "%sTagSpecification.1.Tag.%zu.Value", pfx, i + 1);
			query_addf(q, l->tags[i].key,
			    "%sTagSpecification.2.Tag.%zu.Key", pfx, i + 1);
			query_addf(q, l->tags[i].value,
			    "%sTagSpecification.2.Tag.%zu.Value", pfx, i + 1);
		}
	}
}

struct query *
ec2_run_query(const struct ec2_launch *l)
{
	struct query	*q;

	q = ec2_query("RunInstances");
	ec2_launch_data(q, "", l, 1);
	return (q);
}

struct query *
ec2_template_query(const char *name, const struct ec2_launch *l,
    const struct ec2_tag *tags, size_t ntags)
{
	struct query	*q;
	size_t		 i;

	q = ec2_query("CreateLaunchTemplate");
	query_add(q, "LaunchTemplateName", name);
	if (l->client_token != NULL)
		query_add(q, "ClientToken", l->client_token);
	ec2_launch_data(q, "LaunchTemplateData.", l, 0);
	if (ntags > 0) {
		query_add(q, "TagSpecification.1.ResourceType",
		    "launch-template");
		for (i = 0; i < ntags; i++) {
			query_addf(q, tags[i].key,
			    "TagSpecification.1.Tag.%zu.Key", i + 1);
			query_addf(q, tags[i].value,
			    "TagSpecification.1.Tag.%zu.Value", i + 1);
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
	in->client_token = ec2_dup(item, "clientToken");
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
		im->root_device = ec2_dup(item, "rootDeviceName");
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
		free(list[i].client_token);
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
		free(list[i].root_device);
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
ec2_parse_groups(struct xml_node *root, struct ec2_group **list, size_t *n)
{
	struct xml_node		*set, *item, *perms, *p, *ranges, *r;
	struct ec2_group	*g;
	struct ec2_rule		*ru;
	const char		*proto, *from, *to;
	static const char	*kinds[][2] = {
		{ "ipRanges", "cidrIp" }, { "ipv6Ranges", "cidrIpv6" },
		{ "groups", "groupId" }, { "prefixListIds", "prefixListId" }
	};
	size_t			 k;

	if ((set = xml_find(root, "securityGroupInfo")) == NULL)
		return (0);
	for (item = set->child; item != NULL; item = item->next) {
		if (strcmp(item->name, "item") != 0 ||
		    xml_text(item, "groupId") == NULL)
			continue;
		*list = xreallocarray(*list, *n + 1, sizeof **list);
		g = &(*list)[(*n)++];
		memset(g, 0, sizeof *g);
		g->id = ec2_dup(item, "groupId");
		g->name = ec2_dup(item, "groupName");
		g->vpc = ec2_dup(item, "vpcId");
		if ((perms = xml_child(item, "ipPermissions")) == NULL)
			continue;
		for (p = perms->child; p != NULL; p = p->next) {
			if (strcmp(p->name, "item") != 0)
				continue;
			if ((proto = xml_text(p, "ipProtocol")) == NULL)
				proto = "-1";
			from = xml_text(p, "fromPort");
			to = xml_text(p, "toPort");
			for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
				if ((ranges = xml_child(p, kinds[k][0])) ==
				    NULL)
					continue;
				for (r = ranges->child; r != NULL;
				    r = r->next) {
					if (strcmp(r->name, "item") != 0 ||
					    xml_text(r, kinds[k][1]) == NULL)
						continue;
					g->rules = xreallocarray(g->rules,
					    g->nrules + 1, sizeof *g->rules);
					ru = &g->rules[g->nrules++];
					memset(ru, 0, sizeof *ru);
					ru->proto = xstrdup(proto);
					ru->from = from != NULL ? atoi(from) : -1;
					ru->to = to != NULL ? atoi(to) : -1;
					if (k <= 1)
						ru->cidr = ec2_dup(r,
						    kinds[k][1]);
					else if (k == 2)
						ru->group = ec2_dup(r,
						    kinds[k][1]);
					else
						ru->prefix_list = ec2_dup(r,
						    kinds[k][1]);
				}
			}
		}
	}
	return (0);
}

void
ec2_groups_free(struct ec2_group *list, size_t n)
{
	size_t	 i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < list[i].nrules; j++) {
			free(list[i].rules[j].proto);
			free(list[i].rules[j].cidr);
			free(list[i].rules[j].group);
			free(list[i].rules[j].prefix_list);
		}
		free(list[i].rules);
		free(list[i].id);
		free(list[i].name);
		free(list[i].vpc);
	}
	free(list);
}

int
ec2_run_many(struct aws *a, const struct ec2_launch *l, size_t n,
    struct ec2_run_result *res)
{
	struct aws_req	*reqs;
	size_t		 i;
	int		 rv;

	reqs = xcalloc(n, sizeof *reqs);
	for (i = 0; i < n; i++) {
		reqs[i].q = ec2_run_query(&l[i]);
		/* Safe to retry: the ClientToken makes a repeat the first. */
		reqs[i].attempts = DESKCTL_ATTEMPTS_WRITE;
	}
	rv = aws_call_many(a, reqs, n, DESKCTL_RUN_PARALLEL);
	for (i = 0; i < n; i++) {
		memset(&res[i], 0, sizeof res[i]);
		if (reqs[i].root != NULL) {
			ec2_parse_instances(reqs[i].root, &res[i].list,
			    &res[i].n);
			xml_free(reqs[i].root);
		}
		res[i].code = reqs[i].code;
		res[i].cause = reqs[i].cause;
		query_free(reqs[i].q);
	}
	free(reqs);
	return (rv);
}

void
ec2_run_results_free(struct ec2_run_result *res, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		ec2_instances_free(res[i].list, res[i].n);
		free(res[i].code);
		free(res[i].cause);
	}
	free(res);
}

size_t
ec2_owner_filters(struct ec2_filter *f, const char **owner,
    const char **states, size_t nstates)
{
	f[0].name = "tag:deskd:owner";
	f[0].values = owner;
	f[0].nvalues = 1;
	f[1].name = "instance-state-name";
	f[1].values = states;
	f[1].nvalues = nstates;
	return (2);
}

int
ec2_describe(struct aws *a, char **ids, size_t nids,
    const struct ec2_filter *filters, size_t nf, struct ec2_instance **list,
    size_t *n, char **code, char **cause)
{
	struct query	*q;
	struct xml_node	*root;
	char		*next = NULL;
	size_t		 i, j;

	*list = NULL;
	*n = 0;
	do {
		q = ec2_query("DescribeInstances");
		for (i = 0; i < nids; i++)
			query_addf(q, ids[i], "InstanceId.%zu", i + 1);
		for (i = 0; i < nf; i++) {
			query_addf(q, filters[i].name, "Filter.%zu.Name",
			    i + 1);
			for (j = 0; j < filters[i].nvalues; j++)
				query_addf(q, filters[i].values[j],
				    "Filter.%zu.Value.%zu", i + 1, j + 1);
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
	size_t		 i, done, k;
	int		 rv = 0;

	/*
	 * "Constraints: Up to 1000 instance IDs" (TerminateInstances in
	 * the EC2 API reference): a longer list fails as a whole.
	 */
	for (done = 0; done < nids && rv == 0; done += k) {
		k = nids - done;
		if (k > EC2_TERMINATE_MAX)
			k = EC2_TERMINATE_MAX;
		q = ec2_query("TerminateInstances");
		for (i = 0; i < k; i++)
			query_addf(q, ids[done + i], "InstanceId.%zu", i + 1);
		/* TerminateInstances is idempotent: retrying is safe. */
		rv = aws_call(a, q, DESKCTL_ATTEMPTS_WRITE, &root, code,
		    cause);
		query_free(q);
		if (rv == 0)
			xml_free(root);
	}
	return (rv);
}

static struct ec2_image *
ec2_images_call(struct aws *a, struct query *q, const char *what,
    char **code, char **cause)
{
	struct xml_node		*root;
	struct ec2_image	*list = NULL, *best = NULL, *out;
	size_t			 n = 0, i;

	if (aws_call(a, q, DESKCTL_ATTEMPTS_READ, &root, code, cause) == -1)
		return (NULL);
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
		xasprintf(cause, "no available AMI %s in region %s", what,
		    a->region);
		ec2_images_free(list, n);
		return (NULL);
	}
	out = xcalloc(1, sizeof *out);
	*out = *best;
	*best = list[n - 1];
	ec2_images_free(list, n - 1);
	return (out);
}

struct ec2_image *
ec2_find_image(struct aws *a, const char *pattern, const char *owner,
    char **code, char **cause)
{
	struct query		*q;
	struct ec2_image	*im;
	char			*what;

	q = ec2_query("DescribeImages");
	if (owner != NULL)
		query_add(q, "Owner.1", owner);
	query_add(q, "Filter.1.Name", "name");
	query_add(q, "Filter.1.Value.1", pattern);
	query_add(q, "Filter.2.Name", "state");
	query_add(q, "Filter.2.Value.1", "available");
	xasprintf(&what, "named '%s'%s%s", pattern, owner != NULL ?
	    " owned by " : "", owner != NULL ? owner : "");
	im = ec2_images_call(a, q, what, code, cause);
	if (im == NULL && *code != NULL &&
	    strcmp(*code, "InvalidAMIID.NotFound") == 0) {
		free(*cause);
		xasprintf(cause, "no available AMI %s in region %s: check "
		    "--ami-name (wildcards * and ?) and --region", what,
		    a->region);
	}
	free(what);
	query_free(q);
	return (im);
}

struct ec2_image *
ec2_image(struct aws *a, const char *id, char **code, char **cause)
{
	struct query		*q;
	struct ec2_image	*im;
	char			*what;

	q = ec2_query("DescribeImages");
	query_add(q, "ImageId.1", id);
	xasprintf(&what, "with id %s", id);
	im = ec2_images_call(a, q, what, code, cause);
	free(what);
	query_free(q);
	return (im);
}

int
ec2_groups(struct aws *a, const char **ids, size_t nids,
    struct ec2_group **list, size_t *n, char **code, char **cause)
{
	struct query	*q;
	struct xml_node	*root;
	size_t		 i;

	*list = NULL;
	*n = 0;
	q = ec2_query("DescribeSecurityGroups");
	for (i = 0; i < nids; i++)
		query_addf(q, ids[i], "GroupId.%zu", i + 1);
	if (aws_call(a, q, DESKCTL_ATTEMPTS_READ, &root, code, cause) == -1) {
		query_free(q);
		return (-1);
	}
	query_free(q);
	ec2_parse_groups(root, list, n);
	xml_free(root);
	return (0);
}

int
ec2_subnet_vpc(struct aws *a, const char *subnet, char **vpc, char **cidr,
    char **code, char **cause)
{
	struct query	*q;
	struct xml_node	*root, *item;
	const char	*v;

	*vpc = *cidr = NULL;
	if (subnet != NULL && strncmp(subnet, "vpc-", 4) == 0)
		*vpc = xstrdup(subnet);
	else if (subnet != NULL) {
		q = ec2_query("DescribeSubnets");
		query_add(q, "SubnetId.1", subnet);
		if (aws_call(a, q, DESKCTL_ATTEMPTS_READ, &root, code,
		    cause) == -1) {
			query_free(q);
			return (-1);
		}
		query_free(q);
		if ((item = xml_find(root, "subnetSet")) != NULL)
			item = xml_child(item, "item");
		v = item != NULL ? xml_text(item, "vpcId") : NULL;
		if (v == NULL) {
			xml_free(root);
			*code = xstrdup("InvalidSubnetID.NotFound");
			xasprintf(cause, "no subnet %s in region %s", subnet,
			    a->region);
			return (-1);
		}
		*vpc = xstrdup(v);
		xml_free(root);
	}
	q = ec2_query("DescribeVpcs");
	if (*vpc != NULL)
		query_add(q, "VpcId.1", *vpc);
	else {
		query_add(q, "Filter.1.Name", "isDefault");
		query_add(q, "Filter.1.Value.1", "true");
	}
	if (aws_call(a, q, DESKCTL_ATTEMPTS_READ, &root, code, cause) == -1) {
		query_free(q);
		free(*vpc);
		*vpc = NULL;
		return (-1);
	}
	query_free(q);
	if ((item = xml_find(root, "vpcSet")) != NULL)
		item = xml_child(item, "item");
	if (item == NULL || xml_text(item, "vpcId") == NULL ||
	    xml_text(item, "cidrBlock") == NULL) {
		xml_free(root);
		free(*vpc);
		*vpc = NULL;
		*code = xstrdup("InvalidVpcID.NotFound");
		xasprintf(cause, "no %s VPC in region %s (give --subnet)",
		    subnet != NULL ? "such" : "default", a->region);
		return (-1);
	}
	free(*vpc);
	*vpc = xstrdup(xml_text(item, "vpcId"));
	*cidr = xstrdup(xml_text(item, "cidrBlock"));
	xml_free(root);
	return (0);
}

char *
ec2_create_group(struct aws *a, const char *name, const char *description,
    const char *vpc, const struct ec2_tag *tags, size_t ntags, char **code,
    char **cause)
{
	struct query	*q;
	struct xml_node	*root;
	char		*id;
	size_t		 i;

	q = ec2_query("CreateSecurityGroup");
	query_add(q, "GroupName", name);
	query_add(q, "GroupDescription", description);
	query_add(q, "VpcId", vpc);
	if (ntags > 0) {
		query_add(q, "TagSpecification.1.ResourceType",
		    "security-group");
		for (i = 0; i < ntags; i++) {
			query_addf(q, tags[i].key,
			    "TagSpecification.1.Tag.%zu.Key", i + 1);
			query_addf(q, tags[i].value,
			    "TagSpecification.1.Tag.%zu.Value", i + 1);
		}
	}
	if (aws_call(a, q, DESKCTL_ATTEMPTS_WRITE, &root, code, cause) == -1) {
		query_free(q);
		return (NULL);
	}
	query_free(q);
	id = ec2_dup(root, "groupId");
	xml_free(root);
	if (id == NULL) {
		xasprintf(cause, "CreateSecurityGroup answered no groupId");
		return (NULL);
	}
	return (id);
}

int
ec2_allow(struct aws *a, const char *group, int port, const char *cidr,
    const char *description, char **code, char **cause)
{
	struct query	*q;
	struct xml_node	*root;
	char		 p[16];
	int		 v6 = strchr(cidr, ':') != NULL;

	snprintf(p, sizeof p, "%d", port);
	q = ec2_query("AuthorizeSecurityGroupIngress");
	query_add(q, "GroupId", group);
	query_add(q, "IpPermissions.1.IpProtocol", "tcp");
	query_add(q, "IpPermissions.1.FromPort", p);
	query_add(q, "IpPermissions.1.ToPort", p);
	query_add(q, v6 ? "IpPermissions.1.Ipv6Ranges.1.CidrIpv6" :
	    "IpPermissions.1.IpRanges.1.CidrIp", cidr);
	query_add(q, v6 ? "IpPermissions.1.Ipv6Ranges.1.Description" :
	    "IpPermissions.1.IpRanges.1.Description", description);
	if (aws_call(a, q, DESKCTL_ATTEMPTS_WRITE, &root, code, cause) == -1) {
		query_free(q);
		return (-1);
	}
	query_free(q);
	xml_free(root);
	return (0);
}

char *
ec2_create_template(struct aws *a, const char *name,
    const struct ec2_launch *l, const struct ec2_tag *tags, size_t ntags,
    char **code, char **cause)
{
	struct query	*q;
	struct xml_node	*root;
	char		*id;

	q = ec2_template_query(name, l, tags, ntags);
	/* The ClientToken makes a retried create the first one. */
	if (aws_call(a, q, DESKCTL_ATTEMPTS_WRITE, &root, code, cause) == -1) {
		query_free(q);
		return (NULL);
	}
	query_free(q);
	id = ec2_dup(xml_find(root, "launchTemplate"), "launchTemplateId");
	xml_free(root);
	if (id == NULL)
		xasprintf(cause, "CreateLaunchTemplate answered no "
		    "launchTemplateId");
	return (id);
}

int
ec2_template_exists(struct aws *a, const char *name, char **code,
    char **cause)
{
	struct query	*q;
	struct xml_node	*root, *set;
	int		 rv;

	q = ec2_query("DescribeLaunchTemplates");
	query_add(q, "LaunchTemplateName.1", name);
	rv = aws_call(a, q, DESKCTL_ATTEMPTS_READ, &root, code, cause);
	query_free(q);
	if (rv == -1) {
		/* AWS says so with an error; moto too. */
		if (*code != NULL && strstr(*code, "NotFound") != NULL) {
			free(*code);
			free(*cause);
			*code = *cause = NULL;
			return (0);
		}
		return (-1);
	}
	set = xml_find(root, "launchTemplates");
	rv = set != NULL && xml_child(set, "item") != NULL;
	xml_free(root);
	return (rv);
}

int
ec2_delete_template(struct aws *a, const char *name, char **code,
    char **cause)
{
	struct query	*q;
	struct xml_node	*root;
	int		 rv;

	q = ec2_query("DeleteLaunchTemplate");
	query_add(q, "LaunchTemplateName", name);
	rv = aws_call(a, q, DESKCTL_ATTEMPTS_WRITE, &root, code, cause);
	query_free(q);
	if (rv == 0)
		xml_free(root);
	return (rv);
}

int
ec2_create_tags(struct aws *a, char **ids, size_t nids,
    const struct ec2_tag *tags, size_t ntags, char **code, char **cause)
{
	struct query	*q;
	struct xml_node	*root;
	size_t		 i;
	int		 rv;

	q = ec2_query("CreateTags");
	for (i = 0; i < nids; i++)
		query_addf(q, ids[i], "ResourceId.%zu", i + 1);
	for (i = 0; i < ntags; i++) {
		query_addf(q, tags[i].key, "Tag.%zu.Key", i + 1);
		query_addf(q, tags[i].value, "Tag.%zu.Value", i + 1);
	}
	/* Setting a tag twice sets it once. */
	rv = aws_call(a, q, DESKCTL_ATTEMPTS_WRITE, &root, code, cause);
	query_free(q);
	if (rv == 0)
		xml_free(root);
	return (rv);
}

int
ec2_delete_tags(struct aws *a, char **ids, size_t nids, char **keys,
    size_t nkeys, char **code, char **cause)
{
	struct query	*q;
	struct xml_node	*root;
	size_t		 i;
	int		 rv;

	q = ec2_query("DeleteTags");
	for (i = 0; i < nids; i++)
		query_addf(q, ids[i], "ResourceId.%zu", i + 1);
	/* By key only: whatever the value, it goes. */
	for (i = 0; i < nkeys; i++)
		query_addf(q, keys[i], "Tag.%zu.Key", i + 1);
	rv = aws_call(a, q, DESKCTL_ATTEMPTS_WRITE, &root, code, cause);
	query_free(q);
	if (rv == 0)
		xml_free(root);
	return (rv);
}

int
ec2_zones(struct aws *a, char ***zones, size_t *n, char **code, char **cause)
{
	struct query	*q;
	struct xml_node	*root, *set, *item;
	const char	*z;

	*zones = NULL;
	*n = 0;
	q = ec2_query("DescribeAvailabilityZones");
	query_add(q, "Filter.1.Name", "state");
	query_add(q, "Filter.1.Value.1", "available");
	if (aws_call(a, q, DESKCTL_ATTEMPTS_READ, &root, code, cause) == -1) {
		query_free(q);
		return (-1);
	}
	query_free(q);
	if ((set = xml_find(root, "availabilityZoneInfo")) != NULL) {
		for (item = set->child; item != NULL; item = item->next) {
			if (strcmp(item->name, "item") != 0 ||
			    (z = xml_text(item, "zoneName")) == NULL)
				continue;
			*zones = xreallocarray(*zones, *n + 1,
			    sizeof **zones);
			(*zones)[(*n)++] = xstrdup(z);
		}
	}
	xml_free(root);
	return (0);
}
