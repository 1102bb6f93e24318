/*
 * osworld.h: the OSWorld surface.  deskd answers the 26 routes of
 * OSWorld's in-VM control server (xlang-ai/OSWorld:
 * desktop_env/server/main.py) at their own paths, with its status codes,
 * content types and JSON keys, its crashes answered as JSON rather than
 * HTML tracebacks and the upstream bugs proto/api.md lists fixed.
 *
 * One file per group of routes, each a thin layer that turns a request
 * into calls of the feature modules and their causes into OSWorld's
 * bodies:
 *   osworld.c         the route table, the reply shapes, the body readers
 *   osworld_screen.c  /screenshot, /cursor_position, /screen_size,
 *                     /start_recording, /end_recording
 *   osworld_exec.c    /execute, /execute_with_verification, /setup/launch,
 *                     /run_python, /run_bash_script, /terminal,
 *                     /accessibility, /platform (and the /setup/ twins)
 *   osworld_files.c   /file, /setup/upload, /setup/download_file,
 *                     /list_directory
 *   osworld_setup.c   /window_size, /desktop_path, /wallpaper,
 *                     /setup/change_wallpaper, /setup/open_file,
 *                     /setup/activate_window, /setup/close_window
 */
#ifndef OSWORLD_H
#define OSWORLD_H

#include <jansson.h>

struct event_base;
struct http_req;
struct http_route_entry;

/* Timeouts and limits (main.py's, where it has them). */
#define OSWORLD_EXEC_TIMEOUT_MS		120000	/* /execute */
#define OSWORLD_PYTHON_TIMEOUT_MS	30000	/* /run_python */
#define OSWORLD_VERIFY_CMD_TIMEOUT_MS	5000	/* command_success */
#define OSWORLD_BASH_TIMEOUT_S		100	/* /run_bash_script */
#define OSWORLD_BASH_TIMEOUT_MAX_S	86400
#define OSWORLD_VERIFY_MAX_WAIT_S	3600
#define OSWORLD_VERIFY_MIN_INTERVAL_MS	10	/* no busy polling */
#define OSWORLD_PYTHON			"/usr/bin/python3"
#define OSWORLD_OPEN_TIMEOUT_S		1800	/* main.py's TIMEOUT */
#define OSWORLD_OPEN_POLL_MS		500
#define OSWORLD_LIST_MAX_ENTRIES	200000	/* /list_directory */
#define OSWORLD_LIST_MAX_DEPTH		64
#define OSWORLD_GSETTINGS_CAP		(64 * 1024)	/* its output kept */

/*
 * Test aids, not for users: DESKD_TEST_EXEC_TIMEOUT_MS and
 * DESKD_TEST_PYTHON_TIMEOUT_MS replace the fixed 120 s and 30 s timeouts
 * so the test suite can exercise them quickly.
 */
#define OSWORLD_TEST_EXEC_TIMEOUT_ENV	"DESKD_TEST_EXEC_TIMEOUT_MS"
#define OSWORLD_TEST_PYTHON_TIMEOUT_ENV	"DESKD_TEST_PYTHON_TIMEOUT_MS"

/* Flask's str returns. */
#define OSWORLD_TEXT		"text/html; charset=utf-8"

/* Every route of the surface (osworld.c), registered by main.c. */
extern const struct http_route_entry osworld_routes[];

void	 osworld_init(struct event_base *);
void	 osworld_shutdown(void);

/*
 * The reply shapes of OSWorld's server.  Messages may quote the client or
 * a child: they are made valid UTF-8 (U+FFFD) here, in one place.
 */
/* A str return: text/html. */
void	 osworld_reply_text(struct http_req *, int code, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
/* {"error": message}: the file and setup routes. */
void	 osworld_reply_error(struct http_req *, int code, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
/* {"status": status, "message": message}: processes and recording. */
void	 osworld_reply_status(struct http_req *, int code, const char *status,
	    const char *, ...) __attribute__((format(printf, 4, 5)));
/* /run_bash_script's {"status": "error", "output": message, ...}. */
void	 osworld_reply_script(struct http_req *, int code, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

/*
 * Request readers: they fill cause and never reply, each route answers in
 * its own shape.
 */
/* The body as a JSON object; empty is {} when allow_empty is set. */
json_t	*osworld_body(struct http_req *, int allow_empty, char **cause);
/* A non-empty string member, or NULL. */
const char *osworld_string(json_t *, const char *key);
/* Python's truthiness of an optional member (bool(d.get(key))). */
int	 osworld_truthy(json_t *, const char *key);
/* A form field (urlencoded body or query) or a JSON body's string. */
char	*osworld_field(struct http_req *, const char *name);

/* The groups' start and stop. */
void	 osworld_exec_init(struct event_base *);
void	 osworld_files_shutdown(void);
void	 osworld_files_init(struct event_base *);
void	 osworld_setup_init(struct event_base *);

/* Handlers, as the table lists them. */
void	 osworld_screen_screenshot_cb(struct http_req *, void *);
void	 osworld_screen_cursor_cb(struct http_req *, void *);
void	 osworld_screen_size_cb(struct http_req *, void *);
void	 osworld_screen_start_recording_cb(struct http_req *, void *);
void	 osworld_screen_end_recording_cb(struct http_req *, void *);

void	 osworld_exec_execute_cb(struct http_req *, void *);
void	 osworld_exec_verify_cb(struct http_req *, void *);
void	 osworld_exec_launch_cb(struct http_req *, void *);
void	 osworld_exec_python_cb(struct http_req *, void *);
void	 osworld_exec_bash_cb(struct http_req *, void *);
void	 osworld_exec_terminal_cb(struct http_req *, void *);
void	 osworld_exec_accessibility_cb(struct http_req *, void *);
void	 osworld_exec_platform_cb(struct http_req *, void *);

void	 osworld_files_file_cb(struct http_req *, void *);
void	 osworld_files_upload_cb(struct http_req *, void *);
void	 osworld_files_download_cb(struct http_req *, void *);
void	 osworld_files_list_cb(struct http_req *, void *);

void	 osworld_setup_window_size_cb(struct http_req *, void *);
void	 osworld_setup_desktop_path_cb(struct http_req *, void *);
void	 osworld_setup_wallpaper_cb(struct http_req *, void *);
void	 osworld_setup_change_wallpaper_cb(struct http_req *, void *);
void	 osworld_setup_open_file_cb(struct http_req *, void *);
void	 osworld_setup_activate_window_cb(struct http_req *, void *);
void	 osworld_setup_close_window_cb(struct http_req *, void *);

#endif
