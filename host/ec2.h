/*
 * ec2.h: the EC2 operations deskctl uses (RunInstances, DescribeInstances,
 * TerminateInstances, DescribeImages) and the parsers of their answers.
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
	struct ec2_tag	*tags;
	size_t		 ntags;
};

struct ec2_image {
	char	*id;
	char	*name;
	char	*created;
	char	*state;
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
	int		  spot;
	/* 1 public, 0 private, -1 auto */
	int		  public_ip;
	const char	 *client_token;
	const char	 *user_data;	/* raw; base64 + encoded here */
	struct ec2_tag	 *tags;
	size_t		  ntags;
};

/* Pure: build the RunInstances form (unit-tested). */
struct query	*ec2_run_query(const struct ec2_launch *);
/* Pure: every instancesSet/item under ROOT (Run and Describe answers). */
int		 ec2_parse_instances(struct xml_node *root,
		    struct ec2_instance **, size_t *n);
int		 ec2_parse_images(struct xml_node *root, struct ec2_image **,
		    size_t *n);
void		 ec2_instances_free(struct ec2_instance *, size_t);
void		 ec2_images_free(struct ec2_image *, size_t);
const char	*ec2_tag(const struct ec2_instance *, const char *key);

int		 ec2_run(struct aws *, const struct ec2_launch *,
		    struct ec2_instance **, size_t *, char **code,
		    char **cause);
/*
 * DescribeInstances by ids (ids may be NULL) and/or owner tag, following
 * NextToken; only states listed in STATES ("pending,running") if non-NULL.
 */
int		 ec2_describe(struct aws *, char **ids, size_t nids,
		    const char *owner, const char *states,
		    struct ec2_instance **, size_t *, char **code,
		    char **cause);
int		 ec2_terminate(struct aws *, char **ids, size_t nids,
		    char **code, char **cause);
/* Newest available image whose name matches PATTERN (wildcards ok). */
char		*ec2_find_image(struct aws *, const char *pattern,
		    const char *owner, char **code, char **cause);

#endif
