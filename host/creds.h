/*
 * creds.h: the AWS standard chain, reduced to what a small C tool needs:
 * environment, shared credentials file, config file (both with profiles),
 * IMDSv2 role credentials; the region and each service's endpoint the same
 * way.
 */
#ifndef CREDS_H
#define CREDS_H

struct creds {
	char	*akid;
	char	*secret;
	char	*token;		/* session token or NULL */
	char	*source;	/* where from, for error messages */
};

/*
 * PROFILE is --profile or NULL (then $AWS_PROFILE, $AWS_DEFAULT_PROFILE,
 * "default").  An explicit profile skips the environment keys, as botocore.
 */
struct creds	*creds_resolve(const char *profile, char **cause);
void		 creds_free(struct creds *);
/* --region, $AWS_REGION, $AWS_DEFAULT_REGION, config, IMDS; or NULL. */
char		*creds_region(const char *flag, const char *profile);
/*
 * The endpoint of SERVICE ("ec2", "autoscaling": its host prefix) whose
 * botocore service id, upper-cased with "_", is ENV ("EC2",
 * "AUTO_SCALING"): --endpoint-url, $AWS_ENDPOINT_URL_<ENV>,
 * $AWS_ENDPOINT_URL, the profile's [services] section (key <env> in
 * lower case), its endpoint_url, else https://SERVICE.REGION.amazonaws.com.
 */
char		*creds_endpoint(const char *service, const char *env,
		    const char *flag, const char *profile, const char *region);
const char	*creds_profile(const char *flag);
/* 0 when a profile other than "default" is in neither file. */
int		 creds_profile_exists(const char *flag);
/* Pure: the KEY ("ec2") endpoint_url of "[services NAME]" in TEXT, or NULL. */
char		*creds_services_endpoint(const char *text, const char *name,
		    const char *key);

/*
 * Pure INI lookup in the AWS file dialect: "[section]", "key = value",
 * '#'/';' comments, indented lines are nested settings and skipped.
 * Returns a new string or NULL.
 */
char		*creds_ini_get(const char *text, const char *section,
		    const char *key);

#endif
