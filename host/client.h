/*
 * client.h: deskctl's client of the agent's native API (proto/api.md):
 * GET /v1/screenshot, POST /v1/computer, POST /v1/exec, GET|PUT /v1/files,
 * each with "Authorization: Bearer TOKEN".
 */
#ifndef CLIENT_H
#define CLIENT_H

#include <jansson.h>

/*
 * TARGET is an instance id from the state file or an http(s):// URL; the
 * token comes from the record, or for URLs from TOKEN_FILE (--token-file
 * or $DESKCTL_TOKEN_FILE).  0, or -1 + cause.
 */
int	 client_resolve(const char *target, const char *token_file,
	    char **url, char **token, char **cause);
int	 client_screenshot(const char *url, const char *token,
	    const char *query, const char *out, char **cause);
/* POST /v1/computer; the answer goes to OUT (or stdout when NULL). */
int	 client_do(const char *url, const char *token, const char *json,
	    const char *out, char **cause);
/* POST /v1/exec; *status is what deskctl should exit with. */
int	 client_exec(const char *url, const char *token, json_t *req,
	    long timeout_s, int *status, char **cause);
int	 client_put(const char *url, const char *token, const char *local,
	    const char *remote, char **cause);
int	 client_get(const char *url, const char *token, const char *remote,
	    const char *local, char **cause);
/* POST /v1/view/token: a live view share token (ttl 0: the agent's). */
int	 client_view_token(const char *url, const char *token, int control,
	    long long ttl, json_t **answer, char **cause);
/* POST /v1/reset: the guest's own reset before it is handed back. */
int	 client_reset(const char *url, const char *token, char **cause);
/*
 * GET URL/health of N guests at once, each within TIMEOUT_MS (open: no
 * token).  OUT[i] is the JSON of a 200 answer (a new reference) or NULL;
 * a NULL URL is skipped.
 */
void	 client_health_many(char **urls, size_t n, long timeout_ms,
	    json_t **out);
/* Split "ID:/path" or "http://h:p:/path"; 1 when remote, 0 when local. */
int	 client_split_remote(const char *spec, char **target, char **path);

#endif
