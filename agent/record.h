/*
 * record.h: screen recording with ffmpeg's x11grab as a child, one at a
 * time (OSWorld's /start_recording and /end_recording, and /v1/recording).
 * ffmpeg's stderr is drained into a capped buffer: upstream left the pipe
 * unread and ffmpeg froze once it filled (its stderr=subprocess.PIPE,
 * xlang-ai/OSWorld:desktop_env/server/main.py:1515-1517); stopping is
 * SIGINT then a 15 s timer, and the mp4 is handed to the caller.
 */
#ifndef RECORD_H
#define RECORD_H

#include "deskd.h"

struct event_base;
struct http_req;

#define RECORD_START_WAIT_MS	2000	/* upstream's sleep(2) check */
#define RECORD_STOP_WAIT_MS	15000	/* communicate(timeout=15) */
#define RECORD_STDERR_CAP	(64 * 1024)
#define RECORD_FPS		"30"

/*
 * How a start or a stop ended.  message is in OSWorld's words, for the
 * success too; on a stop that worked fd is the mp4, open at its start,
 * and the callback owns it (-1 otherwise).
 */
struct record_result {
	enum deskd_err	 kind;		/* DESKD_EOK: it worked */
	const char	*message;
	int		 fd;
};
typedef void (*record_cb)(const struct record_result *, void *);

void		 record_init(struct event_base *);
void		 record_shutdown(void);
/*
 * Start ffmpeg: 0, and cb runs once ffmpeg has lived RECORD_START_WAIT_MS
 * (DESKD_EOK) or died before that; or -1 at once with a kind and cause
 * (DESKD_ESTATE when a recording runs already).
 */
int		 record_start(record_cb, void *, enum deskd_err *, char **);
/*
 * Stop the recording: SIGINT, then cb with the file once ffmpeg has
 * finished it; or -1 at once (DESKD_ESTATE when nothing records).
 */
int		 record_stop(record_cb, void *, enum deskd_err *, char **);
/* The caller that gave arg has gone: its callback will not run. */
void		 record_forget(void *arg);

/* The native routes (v1.c's table). */
void		 record_v1_state_cb(struct http_req *, void *);
void		 record_v1_start_cb(struct http_req *, void *);
void		 record_v1_stop_cb(struct http_req *, void *);

#endif
