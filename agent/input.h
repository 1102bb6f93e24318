/*
 * input.h: XTest mouse and keyboard through one in-order queue.
 *
 * A job is a list of steps (move, button, keys, text, waits, calls back
 * into its owner) built by its owner and run in order on the event loop:
 * jobs never interleave, and waits are timers, so screenshots keep being
 * served while a long text is typed.  Everything a job presses is released
 * when it ends, fails or is cancelled (client hang-up), and at shutdown;
 * only a button held by input_job_hold_button survives its job, until a
 * later job releases it or fails.
 *
 * Characters and keys not on the keymap are bound to spare keycodes in one
 * batch per chunk (keymap.h), typed, and the spare keycodes restored once
 * at the end of the job (xdotool remaps one scratch keycode per keystroke
 * and garbles text: jordansissel/xdotool:xdo.c,
 * xdo_send_keysequence_window_list_do; xdotool#10, #231).  The restore
 * waits until clients have read the keys but the reply does not: the next
 * job starts after it.  Caps Lock is
 * unlocked while a job types and locked again after.
 *
 * Building a job reads no X state: what depends on the moment (where the
 * pointer is when a drag without a start runs) is read by the step.
 */
#ifndef INPUT_H
#define INPUT_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

#include <X11/X.h>

struct keys_seq;
struct keys_chord;

#define INPUT_MAX_QUEUE		256	/* jobs waiting */
#define INPUT_SLICE_KEYS	200	/* keystrokes per loop turn */
#define INPUT_CLICK_GAP_MS	10	/* between the clicks of a double */
/*
 * After a button goes up, nothing else of the pointer (a motion, the next
 * press) is sent until the X server has processed the release (XSync) and
 * this long has passed.  Chromium counts a press as the second of a
 * double click only when its X server time differs from the first's
 * (ui/events/event.cc, IsRepeatedClickTimes: "The new event has been
 * created from the same native event"), and X times are milliseconds
 * (ui/events/x/events_x_utils.cc, TimeTicksFromXEventTime): requests sent
 * apart but read by a busy server in one go get one time.  Measured on
 * Chromium 156 on a loaded 2-core VM: see doc/input.md.
 */
#ifndef INPUT_RELEASE_GAP_MS
#define INPUT_RELEASE_GAP_MS	20
#endif
#define INPUT_DRAG_STEPS	10	/* motion events along a drag */
#define INPUT_DRAG_STEP_MS	5

#define INPUT_BUTTON_LEFT	1
#define INPUT_BUTTON_MIDDLE	2
#define INPUT_BUTTON_RIGHT	3

/* input_job_move_path from wherever the pointer is when the step runs. */
#define INPUT_POINTER		(-1)

struct input_job;
/* The job finished (error NULL) or failed; the job is freed after this. */
typedef void (*input_done_cb)(struct input_job *, const char *error, void *);
/* A step run in order (a screenshot mid-batch); -1 + cause fails the job. */
typedef int (*input_call_cb)(struct input_job *, void *, char **cause);
/*
 * A step that starts something (a clipboard read) and lets the job go on
 * only when its owner calls input_job_resume, later, from the loop (never
 * from inside this callback); -1 + cause fails the job at once.
 */
typedef int (*input_await_cb)(struct input_job *, void *, char **cause);
typedef void (*input_free_cb)(void *);

void		 input_init(struct event_base *);
void		 input_shutdown(void);

struct input_job *input_job_new(input_done_cb, void *);
/* Queue the job; it runs after every job queued before it. */
int		 input_submit(struct input_job *, char **cause);
/* Stop it now (queued or running), release what it holds, no done cb. */
void		 input_cancel(struct input_job *);

void		 input_job_move(struct input_job *, int x, int y);
/*
 * A straight path from (x0, y0), or from the pointer when x0 is
 * INPUT_POINTER, to (x1, y1): INPUT_DRAG_STEPS motions, INPUT_DRAG_STEP_MS
 * apart.
 */
void		 input_job_move_path(struct input_job *, int x0, int y0,
		    int x1, int y1);
void		 input_job_button(struct input_job *, int button, int down);
/* count clicks (1 to 3), INPUT_CLICK_GAP_MS apart. */
void		 input_job_click(struct input_job *, int button, int count);
/* Keep this button down after the job ends (left_mouse_down). */
void		 input_job_hold_button(struct input_job *, int button);
void		 input_job_keys_down(struct input_job *,
		    const struct keys_chord *);
void		 input_job_keys_up(struct input_job *,
		    const struct keys_chord *);
/* Press and release each chord in turn. */
void		 input_job_key_seq(struct input_job *, const struct keys_seq *,
		    int delay_ms);
/*
 * Type code points (\n is Return, \t Tab, \r\n one Return); -1 + cause
 * for a character no keysym types (other control characters), with the
 * job unchanged.
 */
int		 input_job_type(struct input_job *, const uint32_t *cps,
		    size_t n, int delay_ms, char **cause);
void		 input_job_wait(struct input_job *, int ms);
/*
 * Wait until the screen has had no damage for quiet_ms since the later of
 * the last damage and now (capture_when_quiet), at most max_ms.
 */
void		 input_job_settle(struct input_job *, int quiet_ms, int max_ms);
void		 input_job_call(struct input_job *, input_call_cb, void *);
/*
 * An await step; free_cb (may be NULL) gets arg when the job is freed,
 * run, failed or cancelled.  A cancelled job waits for its resume before
 * it is freed, as for a settle.
 */
void		 input_job_await(struct input_job *, input_await_cb, void *,
		    input_free_cb);
/* The await step is over: the job goes on, or fails with error. */
void		 input_job_resume(struct input_job *, const char *error);

/* Keystrokes of type steps (taps) this job has sent so far. */
size_t		 input_job_typed(struct input_job *);

/* Pointer position on the root window; -1 + cause when X is down. */
int		 input_cursor(int *x, int *y, char **cause);
/* Jobs queued and the one running (metrics.c's input queue depth). */
u_int		 input_queue_depth(void);

#endif
