/*
 * creds.c: the credential chain (after boto/botocore:botocore/
 * credentials.py, create_credential_resolver): env keys, shared credentials
 * file, config file, then the IMDSv2 role.  Secrets are never logged.
 */
#include <ctype.h>
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "creds.h"
#include "deskctl.h"
#include "log.h"
#include "util.h"
#include "xmalloc.h"

#define CREDS_FILE_MAX	(1024 * 1024)
#define CREDS_IMDS_MAX	(64 * 1024)

static int
creds_env_true(const char *name)
{
	const char	*v = getenv(name);

	return (v != NULL && strcasecmp(v, "true") == 0);
}

static const char *
creds_env(const char *name)
{
	const char	*v = getenv(name);

	return (v != NULL && *v != '\0' ? v : NULL);
}

const char *
creds_profile(const char *flag)
{
	const char	*p;

	if (flag != NULL)
		return (flag);
	if ((p = creds_env("AWS_PROFILE")) != NULL)
		return (p);
	if ((p = creds_env("AWS_DEFAULT_PROFILE")) != NULL)
		return (p);
	return ("default");
}

static char *
creds_trim(char *s, char *end)
{
	while (s < end && isspace((unsigned char)*s))
		s++;
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	return (xstrndup(s, end - s));
}

char *
creds_ini_get(const char *text, const char *section, const char *key)
{
	const char	*line, *eol, *eq, *rb;
	char		*name, *k, *result = NULL;
	int		 in = 0;

	for (line = text; line != NULL && *line != '\0'; line = eol) {
		if ((eol = strchr(line, '\n')) == NULL)
			eol = line + strlen(line);
		else
			eol++;
		if (*line == ' ' || *line == '\t')
			continue;	/* nested "s3 =" settings */
		if (*line == '#' || *line == ';' || *line == '\n' ||
		    *line == '\r')
			continue;
		if (*line == '[') {
			if ((rb = memchr(line, ']', eol - line)) == NULL) {
				in = 0;
				continue;
			}
			name = creds_trim((char *)line + 1, (char *)rb);
			in = strcmp(name, section) == 0;
			free(name);
			continue;
		}
		if (!in || (eq = memchr(line, '=', eol - line)) == NULL)
			continue;
		k = creds_trim((char *)line, (char *)eq);
		if (strcmp(k, key) == 0) {
			/* The last one wins, as in configparser. */
			free(result);
			result = creds_trim((char *)eq + 1, (char *)eol);
		}
		free(k);
	}
	if (result != NULL && *result == '\0') {
		free(result);
		result = NULL;
	}
	return (result);
}

/* 1 when TEXT has a "[SECTION]" line. */
static int
creds_ini_has(const char *text, const char *section)
{
	char	*k;
	int	 has;

	/* A key no section has: the scan still sees the header. */
	xasprintf(&k, "[%s]", section);
	has = strstr(text, k) != NULL;
	free(k);
	return (has);
}

/*
 * botocore's per-service endpoints: a profile's "services = NAME" names
 * a "[services NAME]" section whose nested "ec2 =" (or "auto_scaling =")
 * block holds "endpoint_url = ..." (configprovider.py, the services
 * config).
 */
char *
creds_services_endpoint(const char *text, const char *name, const char *key)
{
	const char	*line, *eol, *eq, *p;
	char		*section, *k, *result = NULL;
	int		 in = 0, inec2 = 0;

	xasprintf(&section, "[services %s]", name);
	for (line = text; line != NULL && *line != '\0'; line = eol) {
		if ((eol = strchr(line, '\n')) == NULL)
			eol = line + strlen(line);
		else
			eol++;
		if (*line == '[') {
			in = strncmp(line, section, strlen(section)) == 0;
			inec2 = 0;
			continue;
		}
		if (!in || (eq = memchr(line, '=', eol - line)) == NULL)
			continue;
		p = line;
		while (p < eq && (*p == ' ' || *p == '\t'))
			p++;
		k = creds_trim((char *)p, (char *)eq);
		if (p == line)
			inec2 = strcmp(k, key) == 0;
		else if (inec2 && strcmp(k, "endpoint_url") == 0) {
			free(result);
			result = creds_trim((char *)eq + 1, (char *)eol);
		}
		free(k);
	}
	free(section);
	if (result != NULL && *result == '\0') {
		free(result);
		result = NULL;
	}
	return (result);
}

static char *
creds_file_path(const char *env, const char *rel)
{
	const char	*v, *home;
	char		*p;

	if ((v = creds_env(env)) != NULL) {
		if (v[0] == '~' && v[1] == '/' &&
		    (home = getenv("HOME")) != NULL) {
			xasprintf(&p, "%s%s", home, v + 1);
			return (p);
		}
		return (xstrdup(v));
	}
	if ((home = getenv("HOME")) == NULL)
		return (NULL);
	xasprintf(&p, "%s/%s", home, rel);
	return (p);
}

static char *
creds_read(const char *env, const char *rel, char **pathp)
{
	char	*path, *text, *cause = NULL;

	if ((path = creds_file_path(env, rel)) == NULL)
		return (NULL);
	text = util_read_file(path, CREDS_FILE_MAX, NULL, &cause);
	free(cause);
	if (pathp != NULL)
		*pathp = path;
	else
		free(path);
	return (text);
}

/* The config file names non-default profiles "[profile NAME]". */
static char *
creds_config_section(const char *profile)
{
	char	*s;

	if (strcmp(profile, "default") == 0)
		return (xstrdup("default"));
	xasprintf(&s, "profile %s", profile);
	return (s);
}

static char *
creds_config_get(const char *profile, const char *key)
{
	char	*text, *section, *v;

	if ((text = creds_read("AWS_CONFIG_FILE", ".aws/config", NULL)) ==
	    NULL)
		return (NULL);
	section = creds_config_section(profile);
	v = creds_ini_get(text, section, key);
	free(section);
	free(text);
	return (v);
}

static struct creds *
creds_from_text(const char *text, const char *section, const char *source)
{
	struct creds	*c;
	char		*akid, *secret;

	akid = creds_ini_get(text, section, "aws_access_key_id");
	secret = creds_ini_get(text, section, "aws_secret_access_key");
	if (akid == NULL || secret == NULL) {
		free(akid);
		free(secret);
		return (NULL);
	}
	c = xcalloc(1, sizeof *c);
	c->akid = akid;
	c->secret = secret;
	c->token = creds_ini_get(text, section, "aws_session_token");
	c->source = xstrdup(source);
	return (c);
}

/* One IMDS call; METHOD is "PUT" for the token. */
static char *
creds_imds(const char *method, const char *path, const char *token)
{
	CURL			*h;
	struct curl_slist	*hl = NULL;
	const char		*base;
	struct util_buf		 b;
	char			*url, *hdr, *buf;
	long			 status = 0;
	CURLcode		 rc;

	if ((base = creds_env("AWS_EC2_METADATA_SERVICE_ENDPOINT")) == NULL)
		base = DESKCTL_IMDS_URL;
	xasprintf(&url, "%.*s%s", (int)(strlen(base) -
	    (base[strlen(base) - 1] == '/')), base, path);
	if ((h = curl_easy_init()) == NULL) {
		free(url);
		return (NULL);
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)DESKCTL_IMDS_TIMEOUT_MS);
	curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
	memset(&b, 0, sizeof b);
	b.max = CREDS_IMDS_MAX;
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, util_buf_write_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	if (strcmp(method, "PUT") == 0) {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "PUT");
		hl = curl_slist_append(hl,
		    "X-aws-ec2-metadata-token-ttl-seconds: 21600");
	}
	if (token != NULL) {
		xasprintf(&hdr, "X-aws-ec2-metadata-token: %s", token);
		hl = curl_slist_append(hl, hdr);
		free(hdr);
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	rc = curl_easy_perform(h);
	buf = b.data;
	if (rc == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(h);
	curl_slist_free_all(hl);
	free(url);
	if (rc != CURLE_OK || status != 200 || buf == NULL) {
		log_debug("IMDS %s %s: curl %d, HTTP %ld", method, path,
		    (int)rc, status);
		free(buf);
		return (NULL);
	}
	return (buf);
}

static char *
creds_imds_get(const char *path)
{
	char	*token, *v;

	if (creds_env_true("AWS_EC2_METADATA_DISABLED"))
		return (NULL);
	if ((token = creds_imds("PUT", "/latest/api/token", NULL)) == NULL)
		return (NULL);
	v = creds_imds("GET", path, token);
	free(token);
	return (v);
}

static struct creds *
creds_from_imds(void)
{
	struct creds	*c = NULL;
	char		*token, *roles = NULL, *doc = NULL, *path, *nl;
	json_t		*j = NULL;
	const char	*akid, *secret, *stoken;

	if (creds_env_true("AWS_EC2_METADATA_DISABLED"))
		return (NULL);
	if ((token = creds_imds("PUT", "/latest/api/token", NULL)) == NULL)
		return (NULL);
	roles = creds_imds("GET", "/latest/meta-data/iam/security-credentials/",
	    token);
	if (roles == NULL)
		goto out;
	if ((nl = strchr(roles, '\n')) != NULL)
		*nl = '\0';
	xasprintf(&path, "/latest/meta-data/iam/security-credentials/%s",
	    roles);
	doc = creds_imds("GET", path, token);
	free(path);
	if (doc == NULL || (j = json_loads(doc, 0, NULL)) == NULL)
		goto out;
	akid = json_string_value(json_object_get(j, "AccessKeyId"));
	secret = json_string_value(json_object_get(j, "SecretAccessKey"));
	stoken = json_string_value(json_object_get(j, "Token"));
	if (akid == NULL || secret == NULL)
		goto out;
	c = xcalloc(1, sizeof *c);
	c->akid = xstrdup(akid);
	c->secret = xstrdup(secret);
	c->token = stoken != NULL ? xstrdup(stoken) : NULL;
	xasprintf(&c->source, "instance role %s (IMDSv2)", roles);
out:
	json_decref(j);
	if (doc != NULL) {
		explicit_bzero(doc, strlen(doc));
		free(doc);
	}
	free(roles);
	free(token);
	return (c);
}

/* The credential source a profile names that deskctl cannot use. */
static char *
creds_unsupported(const char *profile)
{
	static const char	*keys[] = { "credential_process",
				    "sso_start_url", "sso_session", "role_arn",
				    "web_identity_token_file", NULL };
	const char		**k;
	char			 *v;

	for (k = keys; *k != NULL; k++) {
		if ((v = creds_config_get(profile, *k)) != NULL) {
			free(v);
			return (xstrdup(strncmp(*k, "sso", 3) == 0 ? "SSO" :
			    strcmp(*k, "role_arn") == 0 ? "role_arn "
			    "(assume-role)" : *k));
		}
	}
	return (NULL);
}

int
creds_profile_exists(const char *flag)
{
	const char	*profile = creds_profile(flag);
	char		*text, *section;
	int		 found = 0;

	if (strcmp(profile, "default") == 0)
		return (1);
	if ((text = creds_read("AWS_SHARED_CREDENTIALS_FILE",
	    ".aws/credentials", NULL)) != NULL) {
		found = creds_ini_has(text, profile);
		explicit_bzero(text, strlen(text));
		free(text);
	}
	if (!found && (text = creds_read("AWS_CONFIG_FILE", ".aws/config",
	    NULL)) != NULL) {
		section = creds_config_section(profile);
		found = creds_ini_has(text, section);
		free(section);
		explicit_bzero(text, strlen(text));
		free(text);
	}
	return (found);
}

struct creds *
creds_resolve(const char *flag, char **cause)
{
	struct creds	*c;
	const char	*akid, *secret, *token, *profile;
	char		*text, *path = NULL, *section, *src, *v;

	profile = creds_profile(flag);
	akid = creds_env("AWS_ACCESS_KEY_ID");
	secret = creds_env("AWS_SECRET_ACCESS_KEY");
	if (flag == NULL && (akid != NULL || secret != NULL)) {
		if (akid == NULL || secret == NULL) {
			xasprintf(cause, "AWS_ACCESS_KEY_ID and "
			    "AWS_SECRET_ACCESS_KEY must be set together");
			return (NULL);
		}
		c = xcalloc(1, sizeof *c);
		c->akid = xstrdup(akid);
		c->secret = xstrdup(secret);
		if ((token = creds_env("AWS_SESSION_TOKEN")) == NULL)
			token = creds_env("AWS_SECURITY_TOKEN");
		c->token = token != NULL ? xstrdup(token) : NULL;
		c->source = xstrdup("environment (AWS_ACCESS_KEY_ID)");
		return (c);
	}

	text = creds_read("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials",
	    &path);
	if (text != NULL) {
		xasprintf(&src, "%s [%s]", path, profile);
		c = creds_from_text(text, profile, src);
		free(src);
		explicit_bzero(text, strlen(text));
		free(text);
		if (c != NULL) {
			free(path);
			return (c);
		}
	}
	free(path);
	path = NULL;

	text = creds_read("AWS_CONFIG_FILE", ".aws/config", &path);
	if (text != NULL) {
		section = creds_config_section(profile);
		xasprintf(&src, "%s [%s]", path, section);
		c = creds_from_text(text, section, src);
		free(src);
		free(section);
		explicit_bzero(text, strlen(text));
		free(text);
		if (c != NULL) {
			free(path);
			return (c);
		}
	}
	free(path);

	if ((v = creds_unsupported(profile)) != NULL) {
		xasprintf(cause, "profile '%s' gets its credentials from %s, "
		    "which deskctl does not support: export them first, e.g. "
		    "eval \"$(aws configure export-credentials --profile %s "
		    "--format env)\"", profile, v, profile);
		free(v);
		return (NULL);
	}
	if ((c = creds_from_imds()) != NULL)
		return (c);
	xasprintf(cause, "no AWS credentials found (tried %sthe credentials "
	    "and config files for profile '%s', and the instance role): set "
	    "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or AWS_PROFILE",
	    flag == NULL ? "AWS_ACCESS_KEY_ID, " : "", profile);
	return (NULL);
}

void
creds_free(struct creds *c)
{
	if (c == NULL)
		return;
	if (c->secret != NULL) {
		explicit_bzero(c->secret, strlen(c->secret));
		free(c->secret);
	}
	if (c->token != NULL) {
		explicit_bzero(c->token, strlen(c->token));
		free(c->token);
	}
	free(c->akid);
	free(c->source);
	free(c);
}

char *
creds_region(const char *flag, const char *profile_flag)
{
	const char	*v;
	char		*r, *nl;

	if (flag != NULL)
		return (xstrdup(flag));
	if ((v = creds_env("AWS_REGION")) != NULL)
		return (xstrdup(v));
	if ((v = creds_env("AWS_DEFAULT_REGION")) != NULL)
		return (xstrdup(v));
	if ((r = creds_config_get(creds_profile(profile_flag), "region")) !=
	    NULL)
		return (r);
	if ((r = creds_imds_get("/latest/meta-data/placement/region")) !=
	    NULL) {
		if ((nl = strchr(r, '\n')) != NULL)
			*nl = '\0';
		return (r);
	}
	return (NULL);
}

char *
creds_endpoint(const char *service, const char *env, const char *flag,
    const char *profile_flag, const char *region)
{
	const char	*v;
	char		*e, *svc, *text, var[64], key[32];
	size_t		 i;

	if (flag != NULL)
		return (xstrdup(flag));
	snprintf(var, sizeof var, "AWS_ENDPOINT_URL_%s", env);
	for (i = 0; env[i] != '\0' && i < sizeof key - 1; i++)
		key[i] = tolower((unsigned char)env[i]);
	key[i] = '\0';
	if (!creds_env_true("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) {
		if ((v = creds_env(var)) != NULL)
			return (xstrdup(v));
		if ((v = creds_env("AWS_ENDPOINT_URL")) != NULL)
			return (xstrdup(v));
		if ((svc = creds_config_get(creds_profile(profile_flag),
		    "services")) != NULL) {
			text = creds_read("AWS_CONFIG_FILE", ".aws/config",
			    NULL);
			e = text != NULL ? creds_services_endpoint(text, svc,
			    key) : NULL;
			free(text);
			free(svc);
			if (e != NULL)
				return (e);
		}
		if ((e = creds_config_get(creds_profile(profile_flag),
		    "endpoint_url")) != NULL)
			return (e);
	}
	if (strncmp(region, "cn-", 3) == 0)
		xasprintf(&e, "https://%s.%s.amazonaws.com.cn/", service,
		    region);
	else
		xasprintf(&e, "https://%s.%s.amazonaws.com/", service, region);
	return (e);
}
