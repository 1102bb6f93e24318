/*
 * aws.c: the EC2 Query API transport.  POST form bodies only, signed by
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
#include "xml.h"
#include "xmalloc.h"

struct aws_buf {
	char	*data;
	size_t	 len;
	int	 toolong;
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

static size_t
aws_write_cb(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct aws_buf	*b = arg;
	size_t		 n = size * nmemb;

	if (b->len + n > DESKCTL_MAX_RESPONSE) {
		b->toolong = 1;
		return (0);
	}
	b->data = xrealloc(b->data, b->len + n + 1);
	memcpy(b->data + b->len, ptr, n);
	b->len += n;
	b->data[b->len] = '\0';
	return (n);
}

static int
aws_progress_cb(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut,
    curl_off_t un)
{
	struct aws	*a = arg;

	return (a->abortable && util_interrupted);
}

struct aws *
aws_new(const char *region, const char *endpoint, const char *profile,
    char **cause, int *exitcode)
{
	struct aws	*a;

	a = xcalloc(1, sizeof *a);
	a->profile = profile != NULL ? xstrdup(profile) : NULL;
	if ((a->region = creds_region(region, profile)) == NULL) {
		xasprintf(cause, "no AWS region: use --region, AWS_REGION or "
		    "AWS_DEFAULT_REGION, or region= in the config file");
		*exitcode = DESKCTL_EXIT_USAGE;
		goto fail;
	}
	a->endpoint = creds_endpoint(endpoint, profile, a->region);
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
	if ((a->curl = curl_easy_init()) == NULL) {
		xasprintf(cause, "curl_easy_init failed");
		*exitcode = DESKCTL_EXIT_FAIL;
		goto fail;
	}
	log_debug("EC2 endpoint %s region %s, credentials from %s",
	    a->endpoint, a->region, a->creds->source);
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
	if (a->curl != NULL)
		curl_easy_cleanup(a->curl);
	creds_free(a->creds);
	free(a->profile);
	free(a->region);
	free(a->endpoint);
	free(a);
}

/* Turn an EC2 error into a sentence a person can act on. */
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
		hint = "these credentials are not allowed to do this: grant "
		    "the ec2 action in the IAM policy";
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
		xasprintf(&s, "EC2 %s failed: %s: %s (%s; credentials from %s, "
		    "region %s)", action, code, msg, hint, a->creds->source,
		    a->region);
	else
		xasprintf(&s, "EC2 %s failed: %s: %s", action, code, msg);
	return (s);
}

int
aws_call(struct aws *a, struct query *q, int attempts, struct xml_node **rootp,
    char **codep, char **cause)
{
	CURL			*h = a->curl;
	struct curl_slist	*hl = NULL;
	struct aws_buf		 b;
	struct xml_node		*root = NULL;
	const char		*env, *code, *msg, *action = query_action(q);
	char			*body, *sig, *hdr, *xcause = NULL;
	char			 errbuf[CURL_ERROR_SIZE];
	struct timespec		 ts;
	long			 status, delay;
	int			 attempt, rv = -1;
	CURLcode		 rc;

	*rootp = NULL;
	*codep = NULL;
	*cause = NULL;
	if ((env = getenv("AWS_MAX_ATTEMPTS")) != NULL && atoi(env) > 0)
		attempts = atoi(env);
	body = query_encode(q);
	xasprintf(&sig, "aws:amz:%s:ec2", a->region);
	hl = curl_slist_append(hl,
	    "Content-Type: application/x-www-form-urlencoded; charset=utf-8");
	if (a->creds->token != NULL) {
		/* curl has no option for it; user headers are all signed. */
		xasprintf(&hdr, "X-Amz-Security-Token: %s", a->creds->token);
		hl = curl_slist_append(hl, hdr);
		explicit_bzero(hdr, strlen(hdr));
		free(hdr);
	}

	for (attempt = 0; attempt < attempts; attempt++) {
		memset(&b, 0, sizeof b);
		free(*codep);
		*codep = NULL;
		free(*cause);
		*cause = NULL;
		errbuf[0] = '\0';
		status = 0;
		curl_easy_reset(h);
		curl_easy_setopt(h, CURLOPT_URL, a->endpoint);
		curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sig);
		curl_easy_setopt(h, CURLOPT_USERNAME, a->creds->akid);
		curl_easy_setopt(h, CURLOPT_PASSWORD, a->creds->secret);
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
		curl_easy_setopt(h, CURLOPT_USERAGENT, DESKCTL_USER_AGENT);
		curl_easy_setopt(h, CURLOPT_TIMEOUT,
		    (long)DESKCTL_API_TIMEOUT_S);
		curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT,
		    (long)DESKCTL_CONNECT_TIMEOUT_S);
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, aws_write_cb);
		curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
		curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
		curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
		curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, aws_progress_cb);
		curl_easy_setopt(h, CURLOPT_XFERINFODATA, a);
		rc = curl_easy_perform(h);
		if (rc == CURLE_OK)
			curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
		log_debug("EC2 %s attempt %d: curl %d HTTP %ld, %zu bytes",
		    action, attempt + 1, (int)rc, status, b.len);

		if (rc == CURLE_ABORTED_BY_CALLBACK && util_interrupted) {
			xasprintf(cause, "EC2 %s: interrupted", action);
			free(b.data);
			goto out;
		}
		if (rc != CURLE_OK) {
			xasprintf(cause, "EC2 %s: %s: %s", action, a->endpoint,
			    b.toolong ? "answer too large" : errbuf[0] != '\0' ?
			    errbuf : curl_easy_strerror(rc));
			free(b.data);
			goto retry;
		}
		root = xml_parse(b.data != NULL ? b.data : "",
		    b.data != NULL ? b.len : 0, &xcause);
		free(b.data);
		if (status == 200 && root != NULL) {
			*rootp = root;
			root = NULL;
			rv = 0;
			goto out;
		}
		if (root != NULL && aws_parse_error(root, &code, &msg) == 0) {
			*codep = xstrdup(code);
			*cause = aws_explain(a, action, code, msg);
		} else
			xasprintf(cause, "EC2 %s: HTTP %ld from %s%s%s", action,
			    status, a->endpoint, xcause != NULL ? ": " : "",
			    xcause != NULL ? xcause : "");
		free(xcause);
		xcause = NULL;
		xml_free(root);
		root = NULL;
		if (!aws_retryable(*codep, status))
			goto out;
retry:
		if (attempt + 1 >= attempts)
			break;
		a->retries++;
		log_debug("EC2 %s: retrying (%s)", action, *cause);
		delay = util_backoff_ms(attempt, DESKCTL_BACKOFF_BASE_MS,
		    DESKCTL_BACKOFF_CAP_MS);
		if (a->abortable) {
			if (util_sleep_ms(delay) == -1) {
				free(*cause);
				xasprintf(cause, "EC2 %s: interrupted", action);
				goto out;
			}
		} else {
			/* A signal must not turn this into a hot retry. */
			ts.tv_sec = delay / 1000;
			ts.tv_nsec = (delay % 1000) * 1000000L;
			while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
				;
		}
	}
	if (*cause != NULL) {
		hdr = *cause;
		xasprintf(cause, "%s (gave up after %d attempts)", hdr,
		    attempts);
		free(hdr);
	}
out:
	curl_easy_reset(h);
	explicit_bzero(body, strlen(body));
	free(body);
	free(sig);
	curl_slist_free_all(hl);
	return (rv);
}
