/*
 * display.h: the one X connection deskd holds.
 *
 * The X server may go away (Xvfb killed, session restarted).  Xlib's I/O
 * error handler would exit the process; deskd installs an exit handler that
 * returns instead, marks the display down, and retries the connection on a
 * timer.  Modules keep per-connection state (SHM segment, damage, keymap)
 * and rebuild it from their connect hook.
 */
#ifndef DISPLAY_H
#define DISPLAY_H

#include <sys/types.h>

#include <X11/Xlib.h>

struct event_base;
struct timespec;

typedef void (*display_hook_cb)(Display *, void *);
/* Return 1 when the event was consumed. */
typedef int (*display_event_cb)(Display *, XEvent *, void *);

void		 display_init(struct event_base *, const char *name);
void		 display_shutdown(void);
/* The live connection, or NULL while the X server is unreachable. */
Display		*display_get(void);
/* Like display_get, but sets cause ("X display :1 is unavailable"). */
Display		*display_need(char **cause);
const char	*display_name(void);
/*
 * The connection's generation: 0 before the first, then 1, 2, ... one
 * more each time deskd connects again after losing the display.
 */
u_int		 display_generation(void);
/* When the display was last lost (-1: never). */
int		 display_last_reset(long long *ms_ago, struct timespec *at);
/* Why it is down, or NULL. */
const char	*display_reason(void);
int		 display_screen_size(int *w, int *h);
/* Called on every (re)connect, and on disconnect with a NULL display. */
void		 display_add_hook(display_hook_cb, void *);
void		 display_add_event_handler(display_event_cb, void *);
/*
 * Add to the events deskd selects on the root window (one client has one
 * mask per window: modules ask here instead of calling XSelectInput);
 * kept across reconnects.
 */
void		 display_select_root(long mask);
/*
 * Another connection of deskd's to the server, used on the loop (the
 * clipboard's): the watchdog shuts it with the main one when the server
 * hangs, so no call on it waits forever.  Remove it before closing it.
 */
void		 display_add_fd(int);
void		 display_remove_fd(int);
/* Process queued events now. */
void		 display_dispatch(void);
/*
 * Process queued events on the next loop turn: call after any round trip
 * (XSync, a call with a reply), which may leave events in Xlib's queue.
 */
void		 display_kick(void);
/*
 * Trap X protocol errors (BadWindow and friends) around a few calls:
 * push, do the calls, then pop returns the error code seen (0 if none)
 * after syncing.
 */
void		 display_trap_push(void);
int		 display_trap_pop(void);
/* Called after any X call that may have hit an I/O error. */
int		 display_check_io(void);

#endif
