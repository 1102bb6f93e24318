/*
 * provider_ec2.h: what the EC2 provider shares with pools (pool.c), which
 * launch through an Auto Scaling group but from the same flags.
 */
#ifndef PROVIDER_EC2_H
#define PROVIDER_EC2_H

struct aws;
struct cmd_opts;
struct ec2_image;

/*
 * The image --ami, --ami-name (the newest available, our own unless
 * --ami-owner) or --ami-map names, with its root device; the exit code,
 * and *IM on 0 (ec2_images_free(*im, 1)).
 */
int	 provider_ec2_image(struct aws *, struct cmd_opts *,
	    struct ec2_image **);
/*
 * The --security-group list must not let the world reach deskd or its
 * DevTools proxy (the token is then all that stands in the way): the
 * exit code, after saying which group opens what.
 */
int	 provider_ec2_groups_ok(struct aws *, struct cmd_opts *);

#endif
