/*
 * osworld_files.h: OSWorld's file, window and setup routes (/file,
 * /setup/upload, /list_directory, /desktop_path, /wallpaper,
 * /window_size, /setup/change_wallpaper, /setup/open_file,
 * /setup/activate_window, /setup/close_window) with the status codes,
 * content types and keys of the Python server, its crashes answered as
 * JSON instead of HTML tracebacks.
 */
#ifndef OSWORLD_FILES_H
#define OSWORLD_FILES_H

struct http_req;
struct http_server;

#define OSW_OPEN_TIMEOUT	1800	/* s, the Python server's TIMEOUT */
#define OSW_OPEN_POLL_MS	500
#define OSW_LIST_MAX_ENTRIES	200000
#define OSW_LIST_MAX_DEPTH	64

void	 osworld_files_init(struct event_base *, struct http_server *);
void	 osworld_files_shutdown(void);

#endif
