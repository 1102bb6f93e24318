/*
 * asg.c: EC2 Auto Scaling operations (asg.h).  Answers are read by
 * element name, never by position: moto and AWS order them differently.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asg.h"
#include "aws.h"
#include "deskctl.h"
#include "ec2.h"
#include "query.h"
#include "xml.h"
#include "xmalloc.h"

#define ASG_PAGE	"100"	/* MaxRecords of DescribeAutoScalingGroups */

static struct query *
asg_query(const char *action)
{
	return (query_new(action, DESKCTL_ASG_VERSION));
}

static char *
asg_dup(struct xml_node *n, const char *path)
{
	const char	*t = xml_text(n, path);

	return (t != NULL ? xstrdup(t) : NULL);
}

static int
asg_int(struct xml_node *n, const char *path, int dflt)
{
	const char	*t = xml_text(n, path);

	return (t != NULL ? atoi(t) : dflt);
}

/* One call whose answer only says it worked. */
static int
asg_call(struct aws *a, struct query *q, int attempts, char **code,
    char **cause)
{
	struct xml_node	*root;
	int		 rv;

	rv = aws_call(a, q, attempts, &root, code, cause);
	query_free(q);
	if (rv == 0)
		xml_free(root);
	return (rv);
}

struct query *
asg_create_query(const struct asg_create *c)
{
	struct query	*q;
	char		 n[32];
	size_t		 i;

	q = asg_query("CreateAutoScalingGroup");
	query_add(q, "AutoScalingGroupName", c->name);
	snprintf(n, sizeof n, "%d", c->min);
	query_add(q, "MinSize", n);
	snprintf(n, sizeof n, "%d", c->max);
	query_add(q, "MaxSize", n);
	snprintf(n, sizeof n, "%d", c->desired);
	query_add(q, "DesiredCapacity", n);
	if (c->spot_percent < 0) {
		query_add(q, "LaunchTemplate.LaunchTemplateName", c->template);
		query_add(q, "LaunchTemplate.Version", "$Latest");
	} else {
		/*
		 * Spot is the group's, not the template's: a template with
		 * InstanceMarketOptions cannot be in a mixed instances
		 * policy.  OnDemandPercentageAboveBaseCapacity is the part
		 * that is not spot.
		 */
		query_add(q, "MixedInstancesPolicy.LaunchTemplate."
		    "LaunchTemplateSpecification.LaunchTemplateName",
		    c->template);
		query_add(q, "MixedInstancesPolicy.LaunchTemplate."
		    "LaunchTemplateSpecification.Version", "$Latest");
		query_add(q, "MixedInstancesPolicy.LaunchTemplate.Overrides."
		    "member.1.InstanceType", c->type);
		query_add(q, "MixedInstancesPolicy.InstancesDistribution."
		    "OnDemandBaseCapacity", "0");
		snprintf(n, sizeof n, "%d", 100 - c->spot_percent);
		query_add(q, "MixedInstancesPolicy.InstancesDistribution."
		    "OnDemandPercentageAboveBaseCapacity", n);
		query_add(q, "MixedInstancesPolicy.InstancesDistribution."
		    "SpotAllocationStrategy", "price-capacity-optimized");
	}
	if (c->subnets != NULL)
		query_add(q, "VPCZoneIdentifier", c->subnets);
	else {
		for (i = 0; i < c->nzones; i++)
			query_addf(q, c->zones[i],
			    "AvailabilityZones.member.%zu", i + 1);
	}
	/* The agent's /health is the real check; EC2's says it runs. */
	query_add(q, "HealthCheckType", "EC2");
	query_add(q, "HealthCheckGracePeriod", "300");
	query_add(q, "NewInstancesProtectedFromScaleIn", "false");
	for (i = 0; i < c->ntags; i++) {
		query_addf(q, c->name, "Tags.member.%zu.ResourceId", i + 1);
		query_addf(q, "auto-scaling-group",
		    "Tags.member.%zu.ResourceType", i + 1);
		query_addf(q, c->tags[i].key, "Tags.member.%zu.Key", i + 1);
		query_addf(q, c->tags[i].value, "Tags.member.%zu.Value", i + 1);
		query_addf(q, "true", "Tags.member.%zu.PropagateAtLaunch",
		    i + 1);
	}
	return (q);
}

static void
asg_parse_instance(struct xml_node *m, struct asg_instance *in)
{
	const char	*p;

	memset(in, 0, sizeof *in);
	in->id = asg_dup(m, "InstanceId");
	in->lifecycle = asg_dup(m, "LifecycleState");
	in->health = asg_dup(m, "HealthStatus");
	in->type = asg_dup(m, "InstanceType");
	in->zone = asg_dup(m, "AvailabilityZone");
	p = xml_text(m, "ProtectedFromScaleIn");
	in->protected = p != NULL && strcmp(p, "true") == 0;
}

static void
asg_parse_members(struct xml_node *list, struct asg_instance **out,
    size_t *n)
{
	struct xml_node	*m;

	for (m = list != NULL ? list->child : NULL; m != NULL; m = m->next) {
		if (strcmp(m->name, "member") != 0 ||
		    xml_text(m, "InstanceId") == NULL)
			continue;
		*out = xreallocarray(*out, *n + 1, sizeof **out);
		asg_parse_instance(m, &(*out)[(*n)++]);
	}
}

int
asg_parse_groups(struct xml_node *root, struct asg_group **list, size_t *n)
{
	struct xml_node		*set, *m, *t, *tags, *mip;
	struct asg_group	*g;
	const char		*k, *v;

	if ((set = xml_find(root, "AutoScalingGroups")) == NULL)
		return (0);
	for (m = set->child; m != NULL; m = m->next) {
		if (strcmp(m->name, "member") != 0 ||
		    xml_text(m, "AutoScalingGroupName") == NULL)
			continue;
		*list = xreallocarray(*list, *n + 1, sizeof **list);
		g = &(*list)[(*n)++];
		memset(g, 0, sizeof *g);
		g->name = asg_dup(m, "AutoScalingGroupName");
		g->min = asg_int(m, "MinSize", 0);
		g->max = asg_int(m, "MaxSize", 0);
		g->desired = asg_int(m, "DesiredCapacity", 0);
		g->status = asg_dup(m, "Status");
		g->spot_percent = -1;
		g->template = asg_dup(m, "LaunchTemplate/LaunchTemplateName");
		if ((mip = xml_child(m, "MixedInstancesPolicy")) != NULL) {
			g->mixed = 1;
			if (g->template == NULL)
				g->template = asg_dup(mip, "LaunchTemplate/"
				    "LaunchTemplateSpecification/"
				    "LaunchTemplateName");
			g->spot_percent = 100 - asg_int(mip,
			    "InstancesDistribution/"
			    "OnDemandPercentageAboveBaseCapacity", 100);
		}
		asg_parse_members(xml_child(m, "Instances"), &g->instances,
		    &g->ninstances);
		g->warm_min = -1;
		if (xml_child(m, "WarmPoolConfiguration") != NULL) {
			g->warm_min = asg_int(m,
			    "WarmPoolConfiguration/MinSize", 0);
			g->warm_state = asg_dup(m,
			    "WarmPoolConfiguration/PoolState");
		}
		if ((tags = xml_child(m, "Tags")) == NULL)
			continue;
		for (t = tags->child; t != NULL; t = t->next) {
			if (strcmp(t->name, "member") != 0 ||
			    (k = xml_text(t, "Key")) == NULL)
				continue;
			if ((v = xml_text(t, "Value")) == NULL)
				v = "";
			g->tags = xreallocarray(g->tags, g->ntags + 1,
			    sizeof *g->tags);
			g->tags[g->ntags].key = xstrdup(k);
			g->tags[g->ntags].value = xstrdup(v);
			g->ntags++;
		}
	}
	return (0);
}

int
asg_parse_warm(struct xml_node *root, struct asg_instance **list, size_t *n)
{
	struct xml_node	*r;

	if ((r = xml_find(root, "DescribeWarmPoolResult")) == NULL)
		r = root;
	asg_parse_members(xml_child(r, "Instances"), list, n);
	return (0);
}

void
asg_instances_free(struct asg_instance *list, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		free(list[i].id);
		free(list[i].lifecycle);
		free(list[i].health);
		free(list[i].type);
		free(list[i].zone);
	}
	free(list);
}

void
asg_groups_free(struct asg_group *list, size_t n)
{
	size_t	 i, j;

	for (i = 0; i < n; i++) {
		free(list[i].name);
		free(list[i].template);
		free(list[i].status);
		free(list[i].warm_state);
		for (j = 0; j < list[i].ntags; j++) {
			free(list[i].tags[j].key);
			free(list[i].tags[j].value);
		}
		free(list[i].tags);
		asg_instances_free(list[i].instances, list[i].ninstances);
	}
	free(list);
}

const char *
asg_tag(const struct asg_group *g, const char *key)
{
	size_t	 i;

	for (i = 0; i < g->ntags; i++) {
		if (strcmp(g->tags[i].key, key) == 0)
			return (g->tags[i].value);
	}
	return (NULL);
}

int
asg_create(struct aws *a, const struct asg_create *c, char **code,
    char **cause)
{
	/*
	 * Not retried blindly: a lost answer and a retry give
	 * AlreadyExists, which the caller takes as done.
	 */
	return (asg_call(a, asg_create_query(c), DESKCTL_ATTEMPTS_WRITE, code,
	    cause));
}

int
asg_put_warm_pool(struct aws *a, const char *name, int min,
    const char *state, char **code, char **cause)
{
	struct query	*q;
	char		 n[32];

	q = asg_query("PutWarmPool");
	query_add(q, "AutoScalingGroupName", name);
	snprintf(n, sizeof n, "%d", min);
	query_add(q, "MinSize", n);
	query_add(q, "PoolState", state != NULL ? state : "Stopped");
	/* A scale-in puts the instance back, its disk as it was. */
	query_add(q, "InstanceReusePolicy.ReuseOnScaleIn", "true");
	return (asg_call(a, q, DESKCTL_ATTEMPTS_WRITE, code, cause));
}

int
asg_delete_warm_pool(struct aws *a, const char *name, char **code,
    char **cause)
{
	struct query	*q;

	q = asg_query("DeleteWarmPool");
	query_add(q, "AutoScalingGroupName", name);
	query_add(q, "ForceDelete", "true");
	return (asg_call(a, q, DESKCTL_ATTEMPTS_WRITE, code, cause));
}

int
asg_describe(struct aws *a, const char *name, const char *owner,
    struct asg_group **list, size_t *n, char **code, char **cause)
{
	struct query	*q;
	struct xml_node	*root;
	char		*next = NULL;

	*list = NULL;
	*n = 0;
	do {
		q = asg_query("DescribeAutoScalingGroups");
		if (name != NULL)
			query_add(q, "AutoScalingGroupNames.member.1", name);
		else {
			query_add(q, "Filters.member.1.Name",
			    "tag:deskd:owner");
			query_add(q, "Filters.member.1.Values.member.1", owner);
			query_add(q, "Filters.member.2.Name", "tag-key");
			query_add(q, "Filters.member.2.Values.member.1",
			    "deskd:pool");
		}
		query_add(q, "MaxRecords", ASG_PAGE);
		if (next != NULL)
			query_add(q, "NextToken", next);
		free(next);
		next = NULL;
		if (aws_call(a, q, DESKCTL_ATTEMPTS_READ, &root, code,
		    cause) == -1) {
			query_free(q);
			asg_groups_free(*list, *n);
			*list = NULL;
			*n = 0;
			return (-1);
		}
		query_free(q);
		asg_parse_groups(root, list, n);
		next = asg_dup(xml_find(root,
		    "DescribeAutoScalingGroupsResult"), "NextToken");
		xml_free(root);
	} while (next != NULL);
	return (0);
}

int
asg_warm_instances(struct aws *a, const char *name,
    struct asg_instance **list, size_t *n, char **code, char **cause)
{
	struct query	*q;
	struct xml_node	*root;
	char		*next = NULL;

	*list = NULL;
	*n = 0;
	do {
		q = asg_query("DescribeWarmPool");
		query_add(q, "AutoScalingGroupName", name);
		query_add(q, "MaxRecords", ASG_PAGE);
		if (next != NULL)
			query_add(q, "NextToken", next);
		free(next);
		next = NULL;
		if (aws_call(a, q, DESKCTL_ATTEMPTS_READ, &root, code,
		    cause) == -1) {
			query_free(q);
			asg_instances_free(*list, *n);
			*list = NULL;
			*n = 0;
			return (-1);
		}
		query_free(q);
		asg_parse_warm(root, list, n);
		next = asg_dup(xml_find(root, "DescribeWarmPoolResult"),
		    "NextToken");
		xml_free(root);
	} while (next != NULL);
	return (0);
}

int
asg_update(struct aws *a, const char *name, int min, int max, int desired,
    char **code, char **cause)
{
	struct query	*q;
	char		 n[32];

	q = asg_query("UpdateAutoScalingGroup");
	query_add(q, "AutoScalingGroupName", name);
	if (min >= 0) {
		snprintf(n, sizeof n, "%d", min);
		query_add(q, "MinSize", n);
	}
	if (max >= 0) {
		snprintf(n, sizeof n, "%d", max);
		query_add(q, "MaxSize", n);
	}
	if (desired >= 0) {
		snprintf(n, sizeof n, "%d", desired);
		query_add(q, "DesiredCapacity", n);
	}
	return (asg_call(a, q, DESKCTL_ATTEMPTS_WRITE, code, cause));
}

int
asg_put_grow_policy(struct aws *a, const char *name, char **code,
    char **cause)
{
	struct query	*q;

	q = asg_query("PutScalingPolicy");
	query_add(q, "AutoScalingGroupName", name);
	query_add(q, "PolicyName", ASG_GROW_POLICY);
	query_add(q, "PolicyType", "SimpleScaling");
	query_add(q, "AdjustmentType", "ChangeInCapacity");
	query_add(q, "ScalingAdjustment", "1");
	query_add(q, "Cooldown", "0");
	return (asg_call(a, q, DESKCTL_ATTEMPTS_WRITE, code, cause));
}

int
asg_grow(struct aws *a, const char *name, char **code, char **cause)
{
	struct query	*q;

	q = asg_query("ExecutePolicy");
	query_add(q, "AutoScalingGroupName", name);
	query_add(q, "PolicyName", ASG_GROW_POLICY);
	query_add(q, "HonorCooldown", "false");
	/* Each run adds one: a retry could add two, so one attempt. */
	return (asg_call(a, q, 1, code, cause));
}

int
asg_protect(struct aws *a, const char *name, char **ids, size_t n, int on,
    char **code, char **cause)
{
	struct query	*q;
	size_t		 i;

	q = asg_query("SetInstanceProtection");
	query_add(q, "AutoScalingGroupName", name);
	for (i = 0; i < n; i++)
		query_addf(q, ids[i], "InstanceIds.member.%zu", i + 1);
	query_add(q, "ProtectedFromScaleIn", on ? "true" : "false");
	return (asg_call(a, q, DESKCTL_ATTEMPTS_WRITE, code, cause));
}

int
asg_terminate(struct aws *a, const char *id, int decrement, char **code,
    char **cause)
{
	struct query	*q;

	q = asg_query("TerminateInstanceInAutoScalingGroup");
	query_add(q, "InstanceId", id);
	query_add(q, "ShouldDecrementDesiredCapacity", decrement ? "true" :
	    "false");
	/* By instance id: a retry cannot lower the size twice. */
	return (asg_call(a, q, DESKCTL_ATTEMPTS_WRITE, code, cause));
}

int
asg_delete(struct aws *a, const char *name, char **code, char **cause)
{
	struct query	*q;

	q = asg_query("DeleteAutoScalingGroup");
	query_add(q, "AutoScalingGroupName", name);
	query_add(q, "ForceDelete", "true");
	return (asg_call(a, q, DESKCTL_ATTEMPTS_WRITE, code, cause));
}
