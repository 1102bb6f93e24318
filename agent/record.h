/*
 * record.h: screen recording with ffmpeg's x11grab as a child, one at a
 * time (OSWorld's /start_recording and /end_recording).  ffmpeg's stderr
 * is drained into a capped buffer (upstream left the pipe unread and
 * ffmpeg froze once it filled, osworld-api.md section 6 #7); stopping is
 * SIGINT then a 15 s timer, and the mp4 is streamed back.
 */
#ifndef RECORD_H
#define RECORD_H

struct http_server;

#define RECORD_START_WAIT_MS	2000	/* upstream's sleep(2) check */
#define RECORD_STOP_WAIT_MS	15000	/* communicate(timeout=15) */
#define RECORD_STDERR_CAP	(64 * 1024)
#define RECORD_FPS		"30"

void	 record_init(struct event_base *, struct http_server *);
void	 record_shutdown(void);

#endif
