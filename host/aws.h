/*
 * aws.h: signed AWS Query API calls over libcurl (CURLOPT_AWS_SIGV4), with
 * botocore-style retries: full-jitter backoff on throttling, 5xx and
 * connection errors; error classification by <Code>, not HTTP status.
 * One transport for every Query service deskctl calls (EC2, Auto
 * Scaling): a context is one service in one region.
 */
#ifndef AWS_H
#define AWS_H

struct creds;
struct query;
struct xml_node;

/* A Query API service (botocore's model metadata). */
struct aws_service {
	const char	*id;		/* signing name and host prefix */
	const char	*label;		/* in messages: "EC2" */
	const char	*version;	/* apiVersion */
	const char	*env;		/* AWS_ENDPOINT_URL_<env>: serviceId */
};
extern const struct aws_service	 aws_ec2;
extern const struct aws_service	 aws_autoscaling;

struct aws {
	const struct aws_service *svc;
	struct creds	*creds;
	char		*profile;
	char		*region;
	char		*endpoint;
	void		*multi;		/* CURLM *: connections are reused */
	int		 abortable;	/* signals cut transfers */
	int		 unsent_stop;	/* signals stop what is not sent */
	int		 retries;	/* retried attempts so far */
};

/* Resolve region, endpoint and credentials; NULL + cause + exit code. */
struct aws	*aws_new(const struct aws_service *, const char *region,
		    const char *endpoint, const char *profile, char **cause,
		    int *exitcode);
void		 aws_free(struct aws *);
/*
 * One call with up to ATTEMPTS tries ($AWS_MAX_ATTEMPTS overrides).  0 and
 * the parsed answer in *root, or -1 with *code (the service's error code,
 * NULL for transport errors) and an actionable *cause.  Q carries the
 * service's Version (query_new).
 */
int		 aws_call(struct aws *, struct query *, int attempts,
		    struct xml_node **root, char **code, char **cause);
/*
 * Many calls at once, at most PARALLEL in flight, each retried on its
 * own: the answer or the error lands in each request.  -1 when a signal
 * stopped an abortable run (requests not sent say "interrupted").
 */
struct aws_req {
	struct query	*q;		/* in */
	int		 attempts;	/* in */
	struct xml_node	*root;		/* out: the answer, or NULL */
	char		*code;		/* out: error code or NULL */
	char		*cause;		/* out */
};
int		 aws_call_many(struct aws *, struct aws_req *, size_t n,
		    size_t parallel);
/*
 * The context of (SERVICE, REGION, ENDPOINT), made once per run and kept
 * (NULL means "from the environment and config"); aws_cache_free ends
 * them.
 */
struct aws	*aws_get(const struct aws_service *, const char *region,
		    const char *endpoint, const char *profile, char **cause,
		    int *exitcode);
void		 aws_cache_free(void);
/* Map an error code (EC2's, Auto Scaling's) to a deskctl exit code. */
int		 aws_exit_code(const char *code);
int		 aws_retryable(const char *code, long status);
/* Error code and message of an error document (pointers into it). */
int		 aws_parse_error(struct xml_node *, const char **code,
		    const char **message);

#endif
