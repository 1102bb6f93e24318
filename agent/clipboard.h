/*
 * clipboard.h: the X selections, in C: GET, PUT and DELETE /v1/clipboard
 * and the paste path of a "type" action.
 *
 * A second X connection, this module's alone, carries the selections.
 * Why not the one display.c holds: a selection is a conversation of
 * events (SelectionRequest, SelectionNotify, PropertyNotify for INCR)
 * with any other client, on an owner window of our own; on the input
 * connection those events would go through every module's handler chain
 * and interleave with the XSync round trips of typing and capture, and a
 * request for our selection that comes while a job waits on the input
 * connection must still be answered at once.  Its own connection keeps
 * the input connection simple and the selection code self-contained;
 * it follows the main one (opened on its connect hook, closed on its
 * loss) and has its own I/O-error exit handler.
 *
 * Owning: PUT sets UTF-8 text or a PNG as both CLIPBOARD and PRIMARY,
 * with a server timestamp (ICCCM 2.1).  SelectionRequest is answered with
 * TARGETS, TIMESTAMP and, for text, UTF8_STRING, TEXT, STRING (Latin-1,
 * '?' for what it cannot hold), text/plain;charset=utf-8 and text/plain,
 * for a PNG image/png; data over the connection's request size goes by
 * INCR (ICCCM 2.7.2), at most DESKD_CLIP_MAX_SENDS at once, each given
 * up when the requestor stops taking chunks for DESKD_CLIP_TIMEOUT_MS.
 * Losing ownership (SelectionClear) drops our copy.
 *
 * Reading another client's selection is event-driven: TARGETS, then the
 * best target for what was asked, INCR followed, the whole of it bounded
 * by DESKD_CLIP_TIMEOUT_MS (an owner that never answers costs that and
 * is a 504) and DESKD_CLIP_MAX_BYTES.  Reads share one property on our
 * window, so they run one at a time, DESKD_CLIP_MAX_WAITING queued.
 */
#ifndef CLIPBOARD_H
#define CLIPBOARD_H

#include <stddef.h>

struct event_base;
struct http_req;
struct input_job;

void	 clipboard_init(struct event_base *);
void	 clipboard_shutdown(void);

/*
 * Append to job the steps of typing text by pasting it: read what the
 * clipboard holds now, own CLIPBOARD with text, press ctrl+v, wait until
 * the text has been read (at most DESKD_CLIP_PASTE_MS), and put back what
 * was there before (or leave it empty, as it was).  -1 + cause when the
 * text is not valid UTF-8.
 */
int	 clipboard_job_paste(struct input_job *, const char *text, size_t len,
	    char **cause);

/*
 * Data requests for our selections answered so far: a change across a
 * paste means an application read what was pasted (vendor_exec.c's
 * proof).
 */
unsigned long clipboard_served(void);

/* GET|PUT|DELETE /v1/clipboard (v1.c's table). */
void	 clipboard_cb(struct http_req *, void *);

#endif
