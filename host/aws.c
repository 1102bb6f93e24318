/*
 * aws.c: the Query API transport of EC2 and Auto Scaling (one code path,
 * the service is a field of the context).  POST form bodies only, signed by
 * curl's CURLOPT_AWS_SIGV4; curl 7.88 signs GET query strings wrongly
 * (curl#9717) and puts blank "remove" headers into SignedHeaders
 * (curl#11664), so no GET and no "Expect:"-style entries here, and the
 * User-Agent goes through CURLOPT_USERAGENT (moto's botocore validator
 * never signs user-agent).
 */
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws.h"
#include "creds.h"
#include "deskctl.h"
#include "log.h"
#include "query.h"
#include "util.h"
#include "xml.h"
#include "xmalloc.h"

/* botocore's model metadata: ec2 2016-11-15, autoscaling 2011-01-01. */
const struct aws_service aws_ec2 = {
	"ec2", "EC2", DESKCTL_EC2_VERSION, "EC2"
};
const struct aws_service aws_autoscaling = {
	"autoscaling", "Auto Scaling", DESKCTL_ASG_VERSION, "AUTO_SCALING"
};

/* One request of aws_call_many on its way. */
struct aws_slot {
	struct aws_req		*req;
	CURL			*h;
	struct util_buf		 b;
	char			*body;
	char			 errbuf[CURL_ERROR_SIZE];
	int			 attempt;
	int			 attempts;
	long long		 next_ms;	/* when to (re)send */
	int			 running;
	int			 done;
};

static const char *aws_throttle_codes[] = {
	"RequestLimitExceeded", "Throttling", "ThrottlingException",
	"ThrottledException", "RequestThrottledException",
	"TooManyRequestsException", "EC2ThrottledException",
	"PriorRequestNotComplete", "RequestThrottled", "SlowDown",
	"BandwidthLimitExceeded", "RequestTimeout", "RequestTimeoutException",
	"InternalError", "InternalFailure", "Unavailable",
	"ServiceUnavailable", NULL
};

static const char *aws_auth_codes[] = {
	"AuthFailure", "SignatureDoesNotMatch", "InvalidClientTokenId",
	"UnrecognizedClientException", "InvalidAccessKeyId",
	"IncompleteSignature", "MissingAuthenticationToken", "RequestExpired",
	"ExpiredToken", "UnauthorizedOperation", "Client.UnauthorizedOperation",
	"AccessDenied", "AccessDeniedException", "OptInRequired", "Blocked",
	NULL
};

static int
aws_in(const char *code, const char **list)
{
	for (; code != NULL && *list != NULL; list++) {
		if (strcmp(code, *list) == 0)
			return (1);
	}
	return (0);
}

int
aws_retryable(const char *code, long status)
{
	if (aws_in(code, aws_throttle_codes))
		return (1);
	return (status == 500 || status == 502 || status == 503 ||
	    status == 504);
}

int
aws_exit_code(const char *code)
{
	if (aws_in(code, aws_auth_codes))
		return (DESKCTL_EXIT_AUTH);
	if (code != NULL &&
	    (strcmp(code, "InsufficientInstanceCapacity") == 0 ||
	    strcmp(code, "InsufficientCapacity") == 0 ||
	    strcmp(code, "UnfulfillableCapacity") == 0 ||
	    strcmp(code, "InstanceLimitExceeded") == 0 ||
	    strcmp(code, "VcpuLimitExceeded") == 0 ||
	    strcmp(code, "MaxSpotInstanceCountExceeded") == 0 ||
	    strcmp(code, "SpotMaxPriceTooLow") == 0))
		return (DESKCTL_EXIT_CAPACITY);
	return (DESKCTL_EXIT_FAIL);
}

int
aws_parse_error(struct xml_node *root, const char **code,
    const char **message)
{
	struct xml_node	*e;

	/* <Response> from EC2, <ErrorResponse> from moto's auth layer. */
	if ((e = xml_find(root, "Errors")) != NULL)
		e = xml_child(e, "Error");
	else
		e = xml_find(root, "Error");
	if (e == NULL || (*code = xml_text(e, "Code")) == NULL)
		return (-1);
	if ((*message = xml_text(e, "Message")) == NULL)
		*message = "";
	return (0);
}

static int
aws_progress_cb(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut,
    curl_off_t un)
{
	struct aws	*a = arg;

	return (a->abortable && util_interrupted);
}

struct aws *
aws_new(const struct aws_service *svc, const char *region,
    const char *endpoint, const char *profile, char **cause, int *exitcode)
{
	struct aws	*a;

	a = xcalloc(1, sizeof *a);
	a->svc = svc;
	a->profile = profile != NULL ? xstrdup(profile) : NULL;
	if (!creds_profile_exists(profile)) {
		xasprintf(cause, "AWS profile '%s' is in neither the "
		    "credentials nor the config file (check --profile, "
		    "AWS_PROFILE, AWS_CONFIG_FILE)", creds_profile(profile));
		*exitcode = DESKCTL_EXIT_AUTH;
		goto fail;
	}
	if ((a->region = creds_region(region, profile)) == NULL) {
		xasprintf(cause, "no AWS region: use --region, AWS_REGION or "
		    "AWS_DEFAULT_REGION, or region= in the config file");
		*exitcode = DESKCTL_EXIT_USAGE;
		goto fail;
	}
	a->endpoint = creds_endpoint(svc->id, svc->env, endpoint, profile,
	    a->region);
	if (strncmp(a->endpoint, "http://", 7) != 0 &&
	    strncmp(a->endpoint, "https://", 8) != 0) {
		xasprintf(cause, "bad endpoint URL '%s' (want http[s]://...)",
		    a->endpoint);
		*exitcode = DESKCTL_EXIT_USAGE;
		goto fail;
	}
	if ((a->creds = creds_resolve(profile, cause)) == NULL) {
		*exitcode = DESKCTL_EXIT_AUTH;
		goto fail;
	}
	if ((a->multi = curl_multi_init()) == NULL) {
		xasprintf(cause, "curl_multi_init failed");
		*exitcode = DESKCTL_EXIT_FAIL;
		goto fail;
	}
	log_debug("%s endpoint %s region %s, credentials from %s",
	    svc->label, a->endpoint, a->region, a->creds->source);
	return (a);
fail:
	aws_free(a);
	return (NULL);
}

void
aws_free(struct aws *a)
{
	if (a == NULL)
		return;
	if (a->multi != NULL)
		curl_multi_cleanup(a->multi);
	creds_free(a->creds);
	free(a->profile);
	free(a->region);
	free(a->endpoint);
	free(a);
}

/* Turn an error answer into a sentence a person can act on. */
static char *
aws_explain(struct aws *a, const char *action, const char *code,
    const char *msg)
{
	char		*s;
	const char	*hint = NULL;

	if (strcmp(code, "AuthFailure") == 0 ||
	    strcmp(code, "SignatureDoesNotMatch") == 0 ||
	    strcmp(code, "InvalidClientTokenId") == 0 ||
	    strcmp(code, "UnrecognizedClientException") == 0 ||
	    strcmp(code, "InvalidAccessKeyId") == 0 ||
	    strcmp(code, "ExpiredToken") == 0)
		hint = "the credentials were rejected: check the access key "
		    "id and secret (and AWS_SESSION_TOKEN for temporary "
		    "ASIA... keys)";
	else if (strcmp(code, "RequestExpired") == 0)
		hint = "the request time stamp is off: check this machine's "
		    "clock, or refresh expired temporary credentials";
	else if (strcmp(code, "UnauthorizedOperation") == 0 ||
	    strcmp(code, "Client.UnauthorizedOperation") == 0 ||
	    strcmp(code, "AccessDenied") == 0)
		hint = a->svc == &aws_ec2 ? "these credentials are not "
		    "allowed to do this: grant the ec2 action in the IAM "
		    "policy" : "these credentials are not allowed to do this: "
		    "grant the autoscaling action in the IAM policy";
	else if (strncmp(code, "InvalidAMIID", 12) == 0)
		hint = "no such AMI in this region: check --ami / --ami-name "
		    "and --region";
	else if (strcmp(code, "InsufficientInstanceCapacity") == 0 ||
	    strcmp(code, "InsufficientCapacity") == 0 ||
	    strcmp(code, "UnfulfillableCapacity") == 0)
		hint = "AWS has no capacity for this type here right now: try "
		    "another --type, another --subnet (zone), or later";
	else if (strcmp(code, "InstanceLimitExceeded") == 0 ||
	    strcmp(code, "VcpuLimitExceeded") == 0)
		hint = "account quota reached: terminate guests (deskctl "
		    "terminate --all-mine) or ask AWS for a higher limit";
	else if (strcmp(code, "InvalidSubnetID.NotFound") == 0)
		hint = "no such subnet in this region: check --subnet";
	else if (strcmp(code, "InvalidGroup.NotFound") == 0)
		hint = "no such security group: check --security-group";
	else if (strcmp(code, "InvalidKeyPair.NotFound") == 0)
		hint = "no such key pair: check --key-name";
	if (hint != NULL)
		xasprintf(&s, "%s %s failed: %s: %s (%s; credentials from %s, "
		    "region %s)", a->svc->label, action, code, msg, hint,
		    a->creds->source, a->region);
	else
		xasprintf(&s, "%s %s failed: %s: %s", a->svc->label, action,
		    code, msg);
	return (s);
}

static void
aws_slot_start(struct aws *a, struct aws_slot *sl, const char *sig,
    struct curl_slist *hl)
{
	CURL	*h;

	memset(&sl->b, 0, sizeof sl->b);
	sl->b.max = DESKCTL_MAX_RESPONSE;
	sl->errbuf[0] = '\0';
	if ((h = sl->h) == NULL)
		h = sl->h = curl_easy_init();
	else
		curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, a->endpoint);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sig);
	curl_easy_setopt(h, CURLOPT_USERNAME, a->creds->akid);
	curl_easy_setopt(h, CURLOPT_PASSWORD, a->creds->secret);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, sl->body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(sl->body));
	curl_easy_setopt(h, CURLOPT_USERAGENT, DESKCTL_USER_AGENT);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)DESKCTL_API_TIMEOUT_S);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT,
	    (long)DESKCTL_CONNECT_TIMEOUT_S);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, util_buf_write_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &sl->b);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, sl->errbuf);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, aws_progress_cb);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, a);
	curl_easy_setopt(h, CURLOPT_PRIVATE, (void *)sl);
	curl_multi_add_handle(a->multi, h);
	sl->running = 1;
}

/*
 * One attempt of SL ended with RC: fill the request's answer or error.
 * 1 when it should be tried again, 0 when it is done.
 */
static int
aws_slot_end(struct aws *a, struct aws_slot *sl, CURLcode rc)
{
	struct aws_req	*r = sl->req;
	struct xml_node	*root;
	const char	*action = query_action(r->q), *code, *msg;
	char		*xcause = NULL;
	long		 status = 0;

	free(r->code);
	r->code = NULL;
	free(r->cause);
	r->cause = NULL;
	if (rc == CURLE_OK)
		curl_easy_getinfo(sl->h, CURLINFO_RESPONSE_CODE, &status);
	log_debug("%s %s attempt %d: curl %d HTTP %ld, %zu bytes",
	    a->svc->label, action, sl->attempt + 1, (int)rc, status,
	    sl->b.len);
	if (rc == CURLE_ABORTED_BY_CALLBACK && util_interrupted) {
		xasprintf(&r->cause, "%s %s: interrupted", a->svc->label,
		    action);
		free(sl->b.data);
		return (0);
	}
	if (rc != CURLE_OK) {
		xasprintf(&r->cause, "%s %s: %s: %s", a->svc->label, action,
		    a->endpoint,
		    sl->b.toolong ? "answer too large" : sl->errbuf[0] !=
		    '\0' ? sl->errbuf : curl_easy_strerror(rc));
		free(sl->b.data);
		return (1);
	}
	root = xml_parse(sl->b.data != NULL ? sl->b.data : "",
	    sl->b.data != NULL ? sl->b.len : 0, &xcause);
	free(sl->b.data);
	if (status == 200 && root != NULL) {
		r->root = root;
		return (0);
	}
	if (root != NULL && aws_parse_error(root, &code, &msg) == 0) {
		r->code = xstrdup(code);
		r->cause = aws_explain(a, action, code, msg);
	} else
		xasprintf(&r->cause, "%s %s: HTTP %ld from %s%s%s",
		    a->svc->label, action, status, a->endpoint,
		    xcause != NULL ? ": " : "",
		    xcause != NULL ? xcause : "");
	free(xcause);
	xml_free(root);
	return (aws_retryable(r->code, status));
}

int
aws_call_many(struct aws *a, struct aws_req *reqs, size_t n, size_t parallel)
{
	struct curl_slist	*hl = NULL;
	struct aws_slot		*slots, *sl;
	CURLMsg			*msg;
	const char		*env;
	char			*sig, *hdr, *tmp;
	long long		 now, wake;
	size_t			 i, left = n, active;
	int			 attempts, still, nleft, again, rv = 0;

	if (parallel == 0)
		parallel = 1;
	xasprintf(&sig, "aws:amz:%s:%s", a->region, a->svc->id);
	hl = curl_slist_append(hl,
	    "Content-Type: application/x-www-form-urlencoded; charset=utf-8");
	if (a->creds->token != NULL) {
		/* curl has no option for it; user headers are all signed. */
		xasprintf(&hdr, "X-Amz-Security-Token: %s", a->creds->token);
		hl = curl_slist_append(hl, hdr);
		util_free_secret(hdr);
	}
	slots = xcalloc(n, sizeof *slots);
	for (i = 0; i < n; i++) {
		attempts = reqs[i].attempts;
		if ((env = getenv("AWS_MAX_ATTEMPTS")) != NULL &&
		    atoi(env) > 0)
			attempts = atoi(env);
		reqs[i].root = NULL;
		reqs[i].code = reqs[i].cause = NULL;
		slots[i].req = &reqs[i];
		slots[i].attempts = attempts;
		slots[i].body = query_encode(reqs[i].q);
	}
	while (left > 0) {
		now = util_now_ms();
		active = 0;
		for (i = 0; i < n; i++)
			active += slots[i].running;
		wake = -1;
		for (i = 0; i < n && active < parallel; i++) {
			sl = &slots[i];
			if (sl->done || sl->running)
				continue;
			if (sl->next_ms > now) {
				if (wake == -1 || sl->next_ms < wake)
					wake = sl->next_ms;
				continue;
			}
			aws_slot_start(a, sl, sig, hl);
			active++;
		}
		curl_multi_perform(a->multi, &still);
		while ((msg = curl_multi_info_read(a->multi, &nleft)) != NULL) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
			    (char **)&sl);
			curl_multi_remove_handle(a->multi, sl->h);
			sl->running = 0;
			again = aws_slot_end(a, sl, msg->data.result);
			if (again && sl->attempt + 1 < sl->attempts &&
			    !(a->abortable && util_interrupted)) {
				a->retries++;
				log_debug("%s %s: retrying (%s)",
				    a->svc->label, query_action(sl->req->q),
				    sl->req->cause);
				sl->next_ms = util_now_ms() +
				    util_backoff_ms(sl->attempt,
				    DESKCTL_BACKOFF_BASE_MS,
				    DESKCTL_BACKOFF_CAP_MS);
				sl->attempt++;
				continue;
			}
			if (again && sl->req->cause != NULL &&
			    !util_interrupted) {
				tmp = sl->req->cause;
				xasprintf(&sl->req->cause, "%s (gave up after "
				    "%d attempts)", tmp, sl->attempts);
				free(tmp);
			}
			sl->done = 1;
			left--;
		}
		if (left == 0)
			break;
		if ((a->abortable || a->unsent_stop) && util_interrupted) {
			/* Not started yet, or waiting for a retry: stop. */
			for (i = 0; i < n; i++) {
				sl = &slots[i];
				if (sl->done || sl->running)
					continue;
				free(sl->req->cause);
				free(sl->req->code);
				sl->req->code = NULL;
				xasprintf(&sl->req->cause, "%s %s: interrupted",
				    a->svc->label, query_action(sl->req->q));
				sl->done = 1;
				left--;
			}
			rv = -1;
			if (left == 0)
				break;
		}
		/*
		 * Wait for the transfers or the next retry.  A signal only
		 * shortens the wait when the call is abortable: otherwise
		 * it must not turn into a hot retry.
		 */
		now = util_now_ms();
		curl_multi_poll(a->multi, NULL, 0, wake == -1 ? 100 :
		    wake - now < 1 ? 1 : wake - now > 100 ? 100 :
		    (int)(wake - now), NULL);
	}
	for (i = 0; i < n; i++) {
		if (slots[i].h != NULL)
			curl_easy_cleanup(slots[i].h);
		util_free_secret(slots[i].body);
	}
	free(slots);
	free(sig);
	curl_slist_free_all(hl);
	if (util_interrupted && a->abortable)
		rv = -1;
	return (rv);
}

int
aws_call(struct aws *a, struct query *q, int attempts, struct xml_node **rootp,
    char **codep, char **cause)
{
	struct aws_req	 r;

	memset(&r, 0, sizeof r);
	r.q = q;
	r.attempts = attempts;
	aws_call_many(a, &r, 1, 1);
	*rootp = r.root;
	*codep = r.code;
	*cause = r.cause;
	return (r.root != NULL ? 0 : -1);
}

/* One context per (service, region, endpoint) met in a run. */
struct aws_ent {
	const struct aws_service *svc;
	char		*region;
	char		*endpoint;
	struct aws	*aws;
};
static struct aws_ent	*aws_cache;
static size_t		 aws_ncache;

struct aws *
aws_get(const struct aws_service *svc, const char *region,
    const char *endpoint, const char *profile, char **cause, int *exitcode)
{
	struct aws	*a;
	size_t		 i;
	const char	*r = region != NULL ? region : "";
	const char	*e = endpoint != NULL ? endpoint : "";

	for (i = 0; i < aws_ncache; i++) {
		if (aws_cache[i].svc == svc &&
		    strcmp(aws_cache[i].region, r) == 0 &&
		    strcmp(aws_cache[i].endpoint, e) == 0)
			return (aws_cache[i].aws);
	}
	if ((a = aws_new(svc, region, endpoint, profile, cause,
	    exitcode)) == NULL)
		return (NULL);
	/* A region resolved from the environment may equal a known one. */
	for (i = 0; i < aws_ncache; i++) {
		if (aws_cache[i].svc == svc &&
		    strcmp(aws_cache[i].aws->region, a->region) == 0 &&
		    strcmp(aws_cache[i].aws->endpoint, a->endpoint) == 0) {
			aws_free(a);
			return (aws_cache[i].aws);
		}
	}
	aws_cache = xreallocarray(aws_cache, aws_ncache + 1,
	    sizeof *aws_cache);
	aws_cache[aws_ncache].svc = svc;
	aws_cache[aws_ncache].region = xstrdup(r);
	aws_cache[aws_ncache].endpoint = xstrdup(e);
	aws_cache[aws_ncache].aws = a;
	aws_ncache++;
	return (a);
}

void
aws_cache_free(void)
{
	size_t	 i;

	for (i = 0; i < aws_ncache; i++) {
		aws_free(aws_cache[i].aws);
		free(aws_cache[i].region);
		free(aws_cache[i].endpoint);
	}
	free(aws_cache);
	aws_cache = NULL;
	aws_ncache = 0;
}
