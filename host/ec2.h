/*
 * ec2.h: the EC2 operations deskctl uses (RunInstances, DescribeInstances,
 * TerminateInstances, DescribeImages, the security group calls of deskctl
 * network, the launch templates and tags of pools) and the parsers of
 * their answers.
 */
#ifndef EC2_H
#define EC2_H

#include <stddef.h>

struct aws;
struct query;
struct xml_node;

struct ec2_tag {
	char	*key;
	char	*value;
};

struct ec2_instance {
	char		*id;
	char		*state;		/* pending, running, ... */
	char		*private_ip;
	char		*public_ip;
	char		*launch_time;
	char		*type;
	char		*image;
	char		*client_token;
	struct ec2_tag	*tags;
	size_t		 ntags;
};

struct ec2_image {
	char	*id;
	char	*name;
	char	*created;
	char	*state;
	char	*root_device;	/* RootDeviceName: /dev/sda1, /dev/xvda */
};

/* One DescribeInstances filter: NAME with any of VALUES. */
struct ec2_filter {
	const char	 *name;
	const char	**values;
	size_t		  nvalues;
};

/* A security group's inbound rule, one source each. */
struct ec2_rule {
	char	*proto;		/* "tcp", "udp", "icmp", "-1" (all) */
	int	 from;		/* -1 when the protocol has no ports */
	int	 to;
	char	*cidr;		/* IPv4 or IPv6 CIDR; NULL for a group */
	char	*group;		/* source group id, or NULL */
	char	*prefix_list;	/* source prefix list, or NULL */
};

struct ec2_group {
	char		*id;
	char		*name;
	char		*vpc;
	struct ec2_rule	*rules;
	size_t		 nrules;
};

struct ec2_launch {
	const char	 *ami;
	const char	 *type;
	int		  count;
	const char	 *subnet;
	const char	**groups;
	size_t		  ngroups;
	const char	 *key_name;
	int		  disk_gb;
	const char	 *root_device;	/* the image's RootDeviceName */
	const char	 *volume_type;	/* gp3 unless told */
	int		  iops;		/* 0: the type's default */
	int		  throughput;	/* MiB/s, gp3 only; 0: default */
	const char	 *iam_profile;	/* instance profile name or ARN */
	int		  monitoring;	/* detailed CloudWatch monitoring */
	int		  spot;
	/* 1 public address, 0 none, -1 the subnet's default */
	int		  public_ip;
	const char	 *client_token;
	const char	 *user_data;	/* raw; base64 + encoded here */
	struct ec2_tag	 *tags;
	size_t		  ntags;
};

/* Pure: build the RunInstances form (unit-tested). */
struct query	*ec2_run_query(const struct ec2_launch *);
/*
 * Pure: the CreateLaunchTemplate form of the same settings (count,
 * subnet outside an interface and spot are a group's, not a template's);
 * TAGS go on the template itself.
 */
struct query	*ec2_template_query(const char *name,
		    const struct ec2_launch *, const struct ec2_tag *tags,
		    size_t ntags);
/* Pure: every instancesSet/item under ROOT (Run and Describe answers). */
int		 ec2_parse_instances(struct xml_node *root,
		    struct ec2_instance **, size_t *n);
int		 ec2_parse_images(struct xml_node *root, struct ec2_image **,
		    size_t *n);
int		 ec2_parse_groups(struct xml_node *root, struct ec2_group **,
		    size_t *n);
void		 ec2_instances_free(struct ec2_instance *, size_t);
void		 ec2_images_free(struct ec2_image *, size_t);
void		 ec2_groups_free(struct ec2_group *, size_t);
const char	*ec2_tag(const struct ec2_instance *, const char *key);

/*
 * N launches at once (one RunInstances each, each with its own user data
 * and ClientToken): RES[i] gets the instances or the error of L[i].
 * -1 when a signal stopped the run before every answer came.
 */
struct ec2_run_result {
	struct ec2_instance	*list;
	size_t			 n;
	char			*code;
	char			*cause;
};
int		 ec2_run_many(struct aws *, const struct ec2_launch *,
		    size_t n, struct ec2_run_result *);
void		 ec2_run_results_free(struct ec2_run_result *, size_t);
/*
 * DescribeInstances by ids (ids may be NULL) and filters, following
 * NextToken.  ec2_owner_filters fills two filters (owner tag, states).
 */
int		 ec2_describe(struct aws *, char **ids, size_t nids,
		    const struct ec2_filter *, size_t nfilters,
		    struct ec2_instance **, size_t *, char **code,
		    char **cause);
size_t		 ec2_owner_filters(struct ec2_filter *, const char **owner,
		    const char **states, size_t nstates);
/* In batches of at most EC2_TERMINATE_MAX ids (EC2's limit). */
#define EC2_TERMINATE_MAX	1000
int		 ec2_terminate(struct aws *, char **ids, size_t nids,
		    char **code, char **cause);
/*
 * Newest available image whose name matches PATTERN (wildcards ok) and
 * an image by id; NULL + code + cause when there is none.
 */
struct ec2_image *ec2_find_image(struct aws *, const char *pattern,
		    const char *owner, char **code, char **cause);
struct ec2_image *ec2_image(struct aws *, const char *id, char **code,
		    char **cause);
/* Security groups by id, or all of a VPC when ids is NULL. */
int		 ec2_groups(struct aws *, const char **ids, size_t nids,
		    struct ec2_group **, size_t *, char **code, char **cause);
/* The VPC and CIDR of SUBNET (or of a vpc-... id), or the default VPC's. */
int		 ec2_subnet_vpc(struct aws *, const char *subnet, char **vpc,
		    char **cidr, char **code, char **cause);
char		*ec2_create_group(struct aws *, const char *name,
		    const char *description, const char *vpc,
		    const struct ec2_tag *, size_t ntags, char **code,
		    char **cause);
/* A launch template: its id, or NULL + code + cause. */
char		*ec2_create_template(struct aws *, const char *name,
		    const struct ec2_launch *, const struct ec2_tag *tags,
		    size_t ntags, char **code, char **cause);
/* 1 when the template NAME exists, 0 when not, -1 on an error. */
int		 ec2_template_exists(struct aws *, const char *name,
		    char **code, char **cause);
int		 ec2_delete_template(struct aws *, const char *name,
		    char **code, char **cause);
int		 ec2_create_tags(struct aws *, char **ids, size_t nids,
		    const struct ec2_tag *, size_t ntags, char **code,
		    char **cause);
/* DeleteTags by key, whatever the values. */
int		 ec2_delete_tags(struct aws *, char **ids, size_t nids,
		    char **keys, size_t nkeys, char **code, char **cause);
/* The region's available zones (a group with no subnet needs them). */
int		 ec2_zones(struct aws *, char ***zones, size_t *n, char **code,
		    char **cause);
/* Allow tcp PORT from CIDR (with a description) into GROUP. */
int		 ec2_allow(struct aws *, const char *group, int port,
		    const char *cidr, const char *description, char **code,
		    char **cause);

#endif
