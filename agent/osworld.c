/*
 * osworld.c: the OSWorld surface's route table, its reply shapes and its
 * request readers (see osworld.h).
 *
 * Every route of OSWorld's control server is in osworld_routes below, with
 * the line of xlang-ai/OSWorld:desktop_env/server/main.py that defines it
 * upstream.  Bodies follow Flask: a str return is text/html, jsonify is
 * application/json; where the Python server crashed into an HTML 500 (a
 * body that is not an object, a missing window) deskd answers JSON.
 */
#include <sys/types.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "deskproto.h"
#include "http.h"
#include "log.h"
#include "osworld.h"
#include "xmalloc.h"

const struct http_route_entry osworld_routes[] = {
	/* main.py:76-77, 120-121, 239, 1571, 1666, 347, 902, 1188 */
	{ "/execute", HTTP_POST, 0, 0, osworld_exec_execute_cb },
	{ "/setup/execute", HTTP_POST, 0, 0, osworld_exec_execute_cb },
	{ "/execute_with_verification", HTTP_POST, 0, 0,
	    osworld_exec_verify_cb },
	{ "/setup/execute_with_verification", HTTP_POST, 0, 0,
	    osworld_exec_verify_cb },
	{ "/setup/launch", HTTP_POST, 0, 0, osworld_exec_launch_cb },
	{ "/run_python", HTTP_POST, 0, 0, osworld_exec_python_cb },
	{ "/run_bash_script", HTTP_POST, 0, 0, osworld_exec_bash_cb },
	{ "/terminal", HTTP_GET, 0, 0, osworld_exec_terminal_cb },
	{ "/accessibility", HTTP_GET, 0, 0, osworld_exec_accessibility_cb },
	{ "/platform", HTTP_GET, 0, 0, osworld_exec_platform_cb },

	/* main.py:263, 1193, 967 (GET answered too), 1494, 1536 */
	{ "/screenshot", HTTP_GET, 0, 0, osworld_screen_screenshot_cb },
	{ "/cursor_position", HTTP_GET, 0, 0, osworld_screen_cursor_cb },
	{ "/screen_size", HTTP_POST | HTTP_GET, 0, 0,
	    osworld_screen_size_cb },
	{ "/start_recording", HTTP_POST, 0, 0,
	    osworld_screen_start_recording_cb },
	{ "/end_recording", HTTP_POST, 0, 0,
	    osworld_screen_end_recording_cb },

	/* main.py:1129, 1155, 1228, 1090 */
	{ "/file", HTTP_POST, 0, 0, osworld_files_file_cb },
	{ "/setup/upload", HTTP_POST, HTTP_STREAM, 0,
	    osworld_files_upload_cb },
	{ "/setup/download_file", HTTP_POST, 0, 0,
	    osworld_files_download_cb },
	{ "/list_directory", HTTP_POST, 0, 0, osworld_files_list_cb },

	/* main.py:985, 1017, 1036, 1198, 1285, 1379, 1448 */
	{ "/window_size", HTTP_POST, 0, 0, osworld_setup_window_size_cb },
	{ "/desktop_path", HTTP_POST, 0, 0, osworld_setup_desktop_path_cb },
	{ "/wallpaper", HTTP_POST, 0, 0, osworld_setup_wallpaper_cb },
	{ "/setup/change_wallpaper", HTTP_POST, 0, 0,
	    osworld_setup_change_wallpaper_cb },
	{ "/setup/open_file", HTTP_POST, 0, 0, osworld_setup_open_file_cb },
	{ "/setup/activate_window", HTTP_POST, 0, 0,
	    osworld_setup_activate_window_cb },
	{ "/setup/close_window", HTTP_POST, 0, 0,
	    osworld_setup_close_window_cb },
	{ NULL, 0, 0, 0, NULL }
};

void
osworld_init(struct event_base *base)
{
	osworld_exec_init(base);
	osworld_files_init(base);
	osworld_setup_init(base);
}

void
osworld_shutdown(void)
{
	osworld_files_shutdown();
}

/* A message as valid UTF-8, for a JSON string (caller frees). */
static char *
osworld_vclean(const char *fmt, va_list ap)
{
	char	*msg, *clean;

	xvasprintf(&msg, fmt, ap);
	if ((clean = proto_utf8_clean(msg, strlen(msg), NULL)) == NULL)
		fatalx("%s: out of memory", __func__);
	free(msg);
	return (clean);
}

void
osworld_reply_text(struct http_req *req, int code, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 n;

	/* Flask sends a str as it is: only JSON needs valid UTF-8. */
	va_start(ap, fmt);
	n = xvasprintf(&s, fmt, ap);
	va_end(ap);
	http_reply(req, code, OSWORLD_TEXT, s, n);
	free(s);
}

void
osworld_reply_error(struct http_req *req, int code, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	msg = osworld_vclean(fmt, ap);
	va_end(ap);
	http_reply_json(req, code, json_pack("{s:s}", "error", msg));
	free(msg);
}

void
osworld_reply_status(struct http_req *req, int code, const char *status,
    const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	msg = osworld_vclean(fmt, ap);
	va_end(ap);
	http_reply_json(req, code, json_pack("{s:s, s:s}", "status", status,
	    "message", msg));
	free(msg);
}

void
osworld_reply_script(struct http_req *req, int code, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	msg = osworld_vclean(fmt, ap);
	va_end(ap);
	http_reply_json(req, code, json_pack("{s:s, s:s, s:s, s:i}",
	    "status", "error", "output", msg, "error", "", "returncode", -1));
	free(msg);
}

json_t *
osworld_body(struct http_req *req, int allow_empty, char **cause)
{
	json_t	*body;
	char	*why = NULL;

	body = http_req_json(req, allow_empty, &why);
	if (body == NULL && why == NULL)
		return (json_object());
	if (body == NULL) {
		xasprintf(cause, "invalid JSON body: %s", why);
		free(why);
		return (NULL);
	}
	if (!json_is_object(body)) {
		json_decref(body);
		*cause = xstrdup("the JSON body must be an object");
		return (NULL);
	}
	return (body);
}

const char *
osworld_string(json_t *obj, const char *key)
{
	json_t	*v = json_object_get(obj, key);

	if (!json_is_string(v) || json_string_length(v) == 0)
		return (NULL);
	return (json_string_value(v));
}

int
osworld_truthy(json_t *obj, const char *key)
{
	return (proto_json_truthy(json_object_get(obj, key)));
}

char *
osworld_field(struct http_req *req, const char *name)
{
	const char	*v, *ct;
	json_t		*obj, *s;
	char		*cause = NULL, *out = NULL;

	if ((v = http_req_form(req, name)) != NULL && *v != '\0')
		return (xstrdup(v));
	ct = http_req_header(req, "Content-Type");
	if (ct == NULL || strncasecmp(ct, "application/json", 16) != 0)
		return (NULL);
	if ((obj = http_req_json(req, 1, &cause)) == NULL) {
		free(cause);
		return (NULL);
	}
	s = json_object_get(obj, name);
	if (json_is_string(s) && json_string_length(s) > 0)
		out = xstrdup(json_string_value(s));
	json_decref(obj);
	return (out);
}
