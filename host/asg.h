/*
 * asg.h: the EC2 Auto Scaling operations a pool uses (Query API
 * 2011-01-01, aws.c's transport) and the parsers of their answers.  The
 * encodings are botocore's query serializer's: lists as Name.member.N,
 * structures as Name.Field (botocore/serialize.py, QuerySerializer).
 */
#ifndef ASG_H
#define ASG_H

#include <stddef.h>

struct aws;
struct ec2_tag;
struct query;
struct xml_node;

struct asg_instance {
	char	*id;
	char	*lifecycle;	/* Pending, InService, Warmed:Stopped, ... */
	char	*health;	/* Healthy, Unhealthy */
	char	*type;
	char	*zone;
	int	 protected;	/* ProtectedFromScaleIn */
};

struct asg_group {
	char			*name;
	int			 min, max, desired;
	char			*template;	/* launch template name */
	int			 mixed;		/* MixedInstancesPolicy */
	int			 spot_percent;	/* -1 unless mixed */
	char			*status;	/* "Delete in progress" */
	struct ec2_tag		*tags;
	size_t			 ntags;
	struct asg_instance	*instances;
	size_t			 ninstances;
	int			 warm_min;	/* -1: no warm pool */
	char			*warm_state;
};

struct asg_create {
	const char	 *name;
	const char	 *template;	/* launch template name, $Latest */
	int		  min, max, desired;
	const char	 *subnets;	/* VPCZoneIdentifier, or NULL */
	const char	**zones;	/* AvailabilityZones without subnets */
	size_t		  nzones;
	const char	 *type;		/* the override of a mixed group */
	int		  spot_percent;	/* -1: LaunchTemplate, no spot */
	const struct ec2_tag *tags;	/* propagated to the instances */
	size_t		  ntags;
};

/* Pure: the CreateAutoScalingGroup form (unit-tested). */
struct query	*asg_create_query(const struct asg_create *);
/* Pure: AutoScalingGroups/member* under ROOT; appends to *list. */
int		 asg_parse_groups(struct xml_node *root, struct asg_group **,
		    size_t *n);
/* Pure: the Instances/member* of a DescribeWarmPool answer. */
int		 asg_parse_warm(struct xml_node *root, struct asg_instance **,
		    size_t *n);
void		 asg_groups_free(struct asg_group *, size_t);
void		 asg_instances_free(struct asg_instance *, size_t);
const char	*asg_tag(const struct asg_group *, const char *key);

int		 asg_create(struct aws *, const struct asg_create *,
		    char **code, char **cause);
/* PutWarmPool: MIN stopped (or hibernated) instances, reused on scale-in. */
int		 asg_put_warm_pool(struct aws *, const char *name, int min,
		    const char *state, char **code, char **cause);
int		 asg_delete_warm_pool(struct aws *, const char *name,
		    char **code, char **cause);
/* The group NAME, or every group tagged deskd:owner=OWNER (NAME NULL). */
int		 asg_describe(struct aws *, const char *name, const char *owner,
		    struct asg_group **, size_t *, char **code, char **cause);
int		 asg_warm_instances(struct aws *, const char *name,
		    struct asg_instance **, size_t *, char **code,
		    char **cause);
/* UpdateAutoScalingGroup; -1 leaves a size as it is. */
int		 asg_update(struct aws *, const char *name, int min, int max,
		    int desired, char **code, char **cause);
/*
 * The +1 a waiting acquire asks for: a simple scaling policy
 * (ChangeInCapacity 1) made at create, run with ExecutePolicy, so that
 * N waiters add N (a SetDesiredCapacity read-modify-write would lose
 * some of them).
 */
#define ASG_GROW_POLICY	"deskd-grow"
int		 asg_put_grow_policy(struct aws *, const char *name,
		    char **code, char **cause);
int		 asg_grow(struct aws *, const char *name, char **code,
		    char **cause);
int		 asg_protect(struct aws *, const char *name, char **ids,
		    size_t n, int on, char **code, char **cause);
/* TerminateInstanceInAutoScalingGroup, the desired size lowered or not. */
int		 asg_terminate(struct aws *, const char *id, int decrement,
		    char **code, char **cause);
/* DeleteAutoScalingGroup with ForceDelete: its instances go too. */
int		 asg_delete(struct aws *, const char *name, char **code,
		    char **cause);

#endif
