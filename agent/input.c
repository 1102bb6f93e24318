/*
 * input.c: the input queue and XTest injection (see input.h); what a
 * keysym is typed with is keymap.c's.
 */
#include <sys/types.h>
#include <sys/queue.h>

#include <stdlib.h>
#include <string.h>

#include <X11/Xlib.h>
#include <X11/extensions/XTest.h>
#include <event2/event.h>

#include "capture.h"
#include "deskd.h"
#include "display.h"
#include "input.h"
#include "keymap.h"
#include "keys.h"
#include "log.h"
#include "xmalloc.h"

enum input_op {
	INPUT_OP_MOVE,		/* a, b: the point */
	INPUT_OP_PATH,		/* a, b: to; c, d: from (INPUT_POINTER) */
	INPUT_OP_BUTTON,	/* a: button, b: down */
	INPUT_OP_HOLD_BUTTON,	/* a: button */
	INPUT_OP_STROKES,	/* strokes; a: delay between them */
	INPUT_OP_WAIT,		/* a: ms */
	INPUT_OP_SETTLE,	/* a: quiet ms, b: max ms */
	INPUT_OP_CALL,		/* cb (arg) */
	INPUT_OP_AWAIT		/* await (arg), until input_job_resume */
};

struct input_step {
	enum input_op		 op;
	int			 a;
	int			 b;
	int			 c;
	int			 d;
	struct keymap_stroke	*strokes;
	size_t			 nstrokes;
	input_call_cb		 cb;
	input_await_cb		 await;
	input_free_cb		 free_cb;
	void			*arg;
};

/* Where a strokes step is. */
enum input_phase {
	INPUT_PHASE_START,	/* plan the next chunk, bind its keys */
	INPUT_PHASE_KEYS	/* sending keystrokes */
};

struct input_job {
	TAILQ_ENTRY(input_job)	 entry;
	struct input_step	*steps;
	size_t			 nsteps;
	size_t			 pc;
	size_t			 si;		/* stroke (or path) index */
	size_t			 chunk_start;	/* the chunk planned */
	size_t			 chunk_end;
	enum input_phase	 phase;
	int			 path_x;	/* where a path started */
	int			 path_y;
	int			 queued;
	int			 running;
	int			 cancelled;
	int			 refs;		/* pending settle callbacks */
	size_t			 typed;		/* taps sent */
	input_done_cb		 done;
	void			*arg;
};
TAILQ_HEAD(input_jobs, input_job);

static struct input_jobs	 input_queue = TAILQ_HEAD_INITIALIZER(input_queue);
/* Stopped jobs still waiting for a settle callback, freed by it. */
static struct input_jobs	 input_orphans =
    TAILQ_HEAD_INITIALIZER(input_orphans);
static u_int			 input_nqueued;
static struct input_job		*input_running;
static struct event		*input_timer;

/* What we hold down: keycodes in press order, buttons as a mask. */
static KeyCode			 input_held[256];
static u_int			 input_nheld;
static u_char			 input_auto_shift[256];
static int			 input_buttons;
static int			 input_sticky;	/* buttons held across jobs */
static long long		 input_released;	/* when, deskd_now_ms */

static void	input_run(void);

/* ---- pressing and releasing ---- */

static int
input_is_held(KeyCode kc)
{
	u_int	 i;

	for (i = 0; i < input_nheld; i++) {
		if (input_held[i] == kc)
			return (1);
	}
	return (0);
}

static void
input_key(Display *dpy, KeyCode kc, int down)
{
	u_int	 i;

	if (down) {
		if (input_is_held(kc) || input_nheld == 256)
			return;
		input_held[input_nheld++] = kc;
	} else {
		for (i = 0; i < input_nheld; i++) {
			if (input_held[i] == kc)
				break;
		}
		if (i == input_nheld)
			return;
		memmove(&input_held[i], &input_held[i + 1],
		    (input_nheld - i - 1) * sizeof input_held[0]);
		input_nheld--;
	}
	XTestFakeKeyEvent(dpy, kc, down ? True : False, CurrentTime);
}

static void
input_button(Display *dpy, int button, int down)
{
	int	 bit = 1 << button;

	if (down) {
		if (input_buttons & bit)
			return;
		input_buttons |= bit;
	} else {
		if (!(input_buttons & bit))
			return;
		input_buttons &= ~bit;
		input_sticky &= ~bit;
	}
	XTestFakeButtonEvent(dpy, button, down ? True : False, CurrentTime);
	/*
	 * The server has processed it (and stamped its time) before anything
	 * else of the pointer goes out: see INPUT_RELEASE_GAP_MS.
	 */
	XSync(dpy, False);
	display_kick();
	if (!down)
		input_released = deskd_now_ms();
}

/*
 * Milliseconds the next pointer event must still wait after the last
 * release (0: go).
 */
static int
input_release_wait(void)
{
	long long	 left;

	if (input_released == 0)
		return (0);
	left = input_released + INPUT_RELEASE_GAP_MS - deskd_now_ms();
	if (left <= 0) {
		input_released = 0;
		return (0);
	}
	return ((int)left);
}

/* Release keys in reverse press order, then buttons (but keep). */
static void
input_release(Display *dpy, int keep)
{
	int	 b;

	while (input_nheld > 0) {
		if (dpy != NULL)
			XTestFakeKeyEvent(dpy, input_held[input_nheld - 1],
			    False, CurrentTime);
		input_nheld--;
	}
	memset(input_auto_shift, 0, sizeof input_auto_shift);
	for (b = 1; b < 16; b++) {
		if (!(input_buttons & (1 << b)) || (keep & (1 << b)))
			continue;
		if (dpy != NULL)
			XTestFakeButtonEvent(dpy, b, False, CurrentTime);
		input_buttons &= ~(1 << b);
		input_sticky &= ~(1 << b);
		input_released = deskd_now_ms();
	}
	if (dpy != NULL)
		XFlush(dpy);
}

/* One keystroke: resolve, add Shift when the level needs it. */
static int
input_stroke(Display *dpy, const struct keymap_stroke *s, char **cause)
{
	KeyCode	 kc, shift_kc = keymap_shift_keycode();
	int	 shift;

	if (keymap_resolve(s->sym, &kc, &shift, cause) == -1)
		return (-1);
	if (s->kind == KEYMAP_TAP || s->kind == KEYMAP_DOWN) {
		if (shift && shift_kc != 0 && !input_is_held(shift_kc)) {
			input_key(dpy, shift_kc, 1);
			input_auto_shift[kc] = 1;
		}
		input_key(dpy, kc, 1);
	}
	if (s->kind == KEYMAP_TAP || s->kind == KEYMAP_UP) {
		input_key(dpy, kc, 0);
		if (input_auto_shift[kc]) {
			input_auto_shift[kc] = 0;
			input_key(dpy, shift_kc, 0);
		}
	}
	return (0);
}

/* ---- the queue ---- */

static void
input_timer_cb(evutil_socket_t fd, short events, void *arg)
{
	input_run();
}

static void
input_arm(int ms)
{
	struct timeval	 tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(input_timer, &tv);
}

static void
input_job_free(struct input_job *job)
{
	size_t	 i;

	for (i = 0; i < job->nsteps; i++) {
		free(job->steps[i].strokes);
		if (job->steps[i].free_cb != NULL)
			job->steps[i].free_cb(job->steps[i].arg);
	}
	free(job->steps);
	free(job);
}

/* The running job is over: release, report, start the next. */
static void
input_finish(struct input_job *job, const char *error)
{
	Display	*dpy = display_get();

	evtimer_del(input_timer);
	input_running = NULL;
	job->running = 0;
	input_release(dpy, error == NULL && !job->cancelled ?
	    input_sticky : 0);
	keymap_caps_restore(dpy);
	/* Typing was cut short: nothing left to read, restore now. */
	if (error != NULL || job->cancelled)
		keymap_restore(dpy);
	if (dpy != NULL) {
		XSync(dpy, False);
		display_kick();
		display_check_io();
	}
	if (!job->cancelled && job->done != NULL)
		job->done(job, error, job->arg);
	if (job->refs == 0)
		input_job_free(job);
	else {
		job->cancelled = 1;	/* freed by the settle callback */
		TAILQ_INSERT_TAIL(&input_orphans, job, entry);
	}
	/* Next job, or the deferred restore of the spare keycodes. */
	if (!TAILQ_EMPTY(&input_queue) || keymap_bound())
		input_arm(0);
}

static void
input_settle_cb(void *arg)
{
	struct input_job	*job = arg;

	job->refs--;
	if (job->cancelled && !job->running) {
		if (job->refs == 0) {
			TAILQ_REMOVE(&input_orphans, job, entry);
			input_job_free(job);
		}
		return;
	}
	job->pc++;
	input_run();
}

/*
 * One motion of a drag path, from its start (the pointer as the step
 * begins, unless given) to (a, b) in INPUT_DRAG_STEPS; job->si counts the
 * motions sent, 0 again when the path is done.
 */
static int
input_path(Display *dpy, struct input_job *job, struct input_step *st,
    char **cause)
{
	int	 i;

	if (job->si == 0) {
		if (st->c == INPUT_POINTER) {
			/*
			 * Now, not when the job was built: the steps
			 * before this one (or a job queued before it)
			 * may have moved the pointer.
			 */
			if (input_cursor(&job->path_x, &job->path_y,
			    cause) == -1)
				return (-1);
		} else {
			job->path_x = st->c;
			job->path_y = st->d;
		}
	}
	i = (int)++job->si;
	XTestFakeMotionEvent(dpy, -1,
	    job->path_x + (st->a - job->path_x) * i / INPUT_DRAG_STEPS,
	    job->path_y + (st->b - job->path_y) * i / INPUT_DRAG_STEPS,
	    CurrentTime);
	if (i == INPUT_DRAG_STEPS)
		job->si = 0;
	return (0);
}

/* Run steps of the current job until one has to wait. */
static void
input_run(void)
{
	struct input_job	*job;
	struct input_step	*st;
	Display			*dpy;
	char			*cause = NULL;
	size_t			 end;
	int			 rc, wait;

	if ((job = input_running) == NULL) {
		/* Between jobs: spare keycodes go back once clients are done. */
		if (keymap_bound() && input_nheld == 0) {
			dpy = display_get();
			if (dpy != NULL && (wait = keymap_wait()) > 0) {
				input_arm(wait);
				return;
			}
			keymap_restore(dpy);
			if (dpy != NULL)
				XFlush(dpy);
		}
		if ((job = TAILQ_FIRST(&input_queue)) == NULL)
			return;
		TAILQ_REMOVE(&input_queue, job, entry);
		input_nqueued--;
		job->queued = 0;
		job->running = 1;
		input_running = job;
	}
	if ((dpy = display_need(&cause)) == NULL)
		goto fail;
	while (job->pc < job->nsteps) {
		st = &job->steps[job->pc];
		switch (st->op) {
		case INPUT_OP_MOVE:
			if ((wait = input_release_wait()) > 0) {
				XFlush(dpy);
				input_arm(wait);
				return;
			}
			XTestFakeMotionEvent(dpy, -1, st->a, st->b, CurrentTime);
			job->pc++;
			break;
		case INPUT_OP_BUTTON:
			if (st->b && (wait = input_release_wait()) > 0) {
				XFlush(dpy);
				input_arm(wait);
				return;
			}
			input_button(dpy, st->a, st->b);
			job->pc++;
			break;
		case INPUT_OP_HOLD_BUTTON:
			if (input_buttons & (1 << st->a))
				input_sticky |= 1 << st->a;
			job->pc++;
			break;
		case INPUT_OP_PATH:
			if (job->si == 0 && (wait = input_release_wait()) > 0) {
				XFlush(dpy);
				input_arm(wait);
				return;
			}
			if (input_path(dpy, job, st, &cause) == -1)
				goto fail;
			if (job->si == 0)
				job->pc++;
			XFlush(dpy);
			input_arm(INPUT_DRAG_STEP_MS);
			return;
		case INPUT_OP_WAIT:
			job->pc++;
			if (st->a > 0) {
				XFlush(dpy);
				input_arm(st->a);
				return;
			}
			break;
		case INPUT_OP_SETTLE:
			XSync(dpy, False);
			display_kick();
			job->refs++;
			capture_when_quiet(st->a, st->b, input_settle_cb, job);
			return;
		case INPUT_OP_AWAIT:
			XSync(dpy, False);
			display_kick();
			job->refs++;
			if (st->await(job, st->arg, &cause) == -1) {
				job->refs--;
				goto fail;
			}
			return;
		case INPUT_OP_CALL:
			XSync(dpy, False);
			display_kick();
			if (st->cb(job, st->arg, &cause) == -1)
				goto fail;
			job->pc++;
			break;
		case INPUT_OP_STROKES:
			if (job->si >= st->nstrokes) {
				job->si = 0;
				job->phase = INPUT_PHASE_START;
				job->pc++;
				break;
			}
			if (job->phase == INPUT_PHASE_START) {
				rc = keymap_plan(dpy, st->strokes, job->si,
				    st->nstrokes, input_nheld > 0,
				    &job->chunk_end, &wait, &cause);
				if (rc == -1)
					goto fail;
				job->chunk_start = job->si;
				if (rc == 2) {
					/* Clients still read the last chunk. */
					XFlush(dpy);
					input_arm(wait);
					return;
				}
				job->phase = INPUT_PHASE_KEYS;
				if (rc == 1) {
					XSync(dpy, False);
					display_kick();
					input_arm(KEYMAP_BIND_WAIT_MS);
					return;
				}
			}
			end = job->chunk_end;
			if (st->a > 0)
				end = job->si + 1;
			else if (end - job->si > INPUT_SLICE_KEYS)
				end = job->si + INPUT_SLICE_KEYS;
			for (; job->si < end; job->si++) {
				if (input_stroke(dpy, &st->strokes[job->si],
				    &cause) == -1)
					goto fail;
				if (st->strokes[job->si].kind == KEYMAP_TAP)
					job->typed++;
			}
			if (job->si < job->chunk_end) {
				/* Let the loop serve others meanwhile. */
				XFlush(dpy);
				input_arm(st->a);
				return;
			}
			/*
			 * Chunk typed.  The map must stay until clients have
			 * read these keys; the next change waits for that, the
			 * reply does not.
			 */
			XFlush(dpy);
			keymap_typed(job->chunk_end - job->chunk_start);
			job->phase = INPUT_PHASE_START;
			if (st->a > 0 && job->si < st->nstrokes) {
				input_arm(st->a);
				return;
			}
			break;
		}
		if (display_check_io() == -1) {
			cause = xstrdup("lost the X display");
			goto fail;
		}
	}
	input_finish(job, NULL);
	return;
fail:
	log_debug("%s: job failed: %s", __func__, cause);
	input_finish(job, cause);
	free(cause);
}

/* ---- building jobs ---- */

static struct input_step *
input_job_add(struct input_job *job, enum input_op op)
{
	struct input_step	*st;

	job->steps = xreallocarray(job->steps, job->nsteps + 1,
	    sizeof *job->steps);
	st = &job->steps[job->nsteps++];
	memset(st, 0, sizeof *st);
	st->op = op;
	return (st);
}

struct input_job *
input_job_new(input_done_cb done, void *arg)
{
	struct input_job	*job;

	job = xcalloc(1, sizeof *job);
	job->done = done;
	job->arg = arg;
	return (job);
}

void
input_job_move(struct input_job *job, int x, int y)
{
	struct input_step	*st = input_job_add(job, INPUT_OP_MOVE);

	st->a = x;
	st->b = y;
}

void
input_job_move_path(struct input_job *job, int x0, int y0, int x1, int y1)
{
	struct input_step	*st = input_job_add(job, INPUT_OP_PATH);

	st->a = x1;
	st->b = y1;
	st->c = x0;
	st->d = y0;
}

void
input_job_button(struct input_job *job, int button, int down)
{
	struct input_step	*st = input_job_add(job, INPUT_OP_BUTTON);

	st->a = button;
	st->b = down;
}

void
input_job_click(struct input_job *job, int button, int count)
{
	int	 i;

	for (i = 0; i < count; i++) {
		if (i > 0)
			input_job_wait(job, INPUT_CLICK_GAP_MS);
		input_job_button(job, button, 1);
		input_job_button(job, button, 0);
	}
}

void
input_job_hold_button(struct input_job *job, int button)
{
	input_job_add(job, INPUT_OP_HOLD_BUTTON)->a = button;
}

static void
input_job_strokes(struct input_job *job, struct keymap_stroke *s, size_t n,
    int delay_ms)
{
	struct input_step	*st = input_job_add(job, INPUT_OP_STROKES);

	st->strokes = s;
	st->nstrokes = n;
	st->a = delay_ms;
}

void
input_job_keys_down(struct input_job *job, const struct keys_chord *ch)
{
	struct keymap_stroke	*s;
	u_int			 i;

	if (ch->n == 0)
		return;
	s = xreallocarray(NULL, ch->n, sizeof *s);
	for (i = 0; i < ch->n; i++) {
		s[i].sym = ch->syms[i];
		s[i].kind = KEYMAP_DOWN;
	}
	input_job_strokes(job, s, ch->n, 0);
}

void
input_job_keys_up(struct input_job *job, const struct keys_chord *ch)
{
	struct keymap_stroke	*s;
	u_int			 i;

	if (ch->n == 0)
		return;
	s = xreallocarray(NULL, ch->n, sizeof *s);
	for (i = 0; i < ch->n; i++) {
		s[i].sym = ch->syms[ch->n - 1 - i];
		s[i].kind = KEYMAP_UP;
	}
	input_job_strokes(job, s, ch->n, 0);
}

void
input_job_key_seq(struct input_job *job, const struct keys_seq *seq,
    int delay_ms)
{
	struct keymap_stroke	*s;
	size_t			 n = 0, total = 0;
	u_int			 i, j;

	for (i = 0; i < seq->n; i++)
		total += 2 * seq->chords[i].n;
	if (total == 0)
		return;
	s = xreallocarray(NULL, total, sizeof *s);
	for (i = 0; i < seq->n; i++) {
		/* Press in order, release in reverse (xdotool does not). */
		for (j = 0; j < seq->chords[i].n; j++) {
			s[n].sym = seq->chords[i].syms[j];
			s[n++].kind = KEYMAP_DOWN;
		}
		for (j = seq->chords[i].n; j > 0; j--) {
			s[n].sym = seq->chords[i].syms[j - 1];
			s[n++].kind = KEYMAP_UP;
		}
	}
	input_job_strokes(job, s, n, delay_ms);
}

int
input_job_type(struct input_job *job, const uint32_t *cps, size_t n,
    int delay_ms, char **cause)
{
	struct keymap_stroke	*s;
	size_t			 i, k = 0;

	if (n == 0)
		return (0);
	s = xreallocarray(NULL, n, sizeof *s);
	for (i = 0; i < n; i++) {
		/* \r\n is one Return. */
		if (cps[i] == '\r' && i + 1 < n && cps[i + 1] == '\n')
			continue;
		if ((s[k].sym = keys_char_to_keysym(cps[i])) == NoSymbol) {
			xasprintf(cause, "cannot type character U+%04X at "
			    "position %zu", cps[i], i);
			free(s);
			return (-1);
		}
		s[k++].kind = KEYMAP_TAP;
	}
	input_job_strokes(job, s, k, delay_ms);
	return (0);
}

void
input_job_wait(struct input_job *job, int ms)
{
	input_job_add(job, INPUT_OP_WAIT)->a = ms;
}

void
input_job_settle(struct input_job *job, int quiet_ms, int max_ms)
{
	struct input_step	*st;

	/*
	 * Quiet is counted from the later of the last damage and the end of
	 * the action: an application may take a few ms to start redrawing,
	 * and a screen that was idle before the click is not settled yet.
	 */
	input_job_wait(job, quiet_ms);
	st = input_job_add(job, INPUT_OP_SETTLE);
	st->a = quiet_ms;
	st->b = max_ms > quiet_ms ? max_ms - quiet_ms : 0;
}

void
input_job_call(struct input_job *job, input_call_cb cb, void *arg)
{
	struct input_step	*st = input_job_add(job, INPUT_OP_CALL);

	st->cb = cb;
	st->arg = arg;
}

void
input_job_await(struct input_job *job, input_await_cb cb, void *arg,
    input_free_cb free_cb)
{
	struct input_step	*st = input_job_add(job, INPUT_OP_AWAIT);

	st->await = cb;
	st->arg = arg;
	st->free_cb = free_cb;
}

void
input_job_resume(struct input_job *job, const char *error)
{
	/* As a settle callback: a cancelled job was only waiting for us. */
	job->refs--;
	if (job->cancelled && !job->running) {
		if (job->refs == 0) {
			TAILQ_REMOVE(&input_orphans, job, entry);
			input_job_free(job);
		}
		return;
	}
	if (error != NULL) {
		input_finish(job, error);
		return;
	}
	job->pc++;
	input_arm(0);
}

int
input_submit(struct input_job *job, char **cause)
{
	if (input_nqueued >= INPUT_MAX_QUEUE) {
		xasprintf(cause, "the input queue is full (%d jobs)",
		    INPUT_MAX_QUEUE);
		return (-1);
	}
	TAILQ_INSERT_TAIL(&input_queue, job, entry);
	input_nqueued++;
	job->queued = 1;
	if (input_running == NULL)
		input_arm(0);
	return (0);
}

u_int
input_queue_depth(void)
{
	return (input_nqueued + (input_running != NULL));
}

void
input_cancel(struct input_job *job)
{
	if (job->queued) {
		TAILQ_REMOVE(&input_queue, job, entry);
		input_nqueued--;
		input_job_free(job);
		return;
	}
	if (job->running) {
		log_debug("%s: cancelling the running input job", __func__);
		job->cancelled = 1;
		input_finish(job, NULL);
		return;
	}
	/* Never submitted, or a settle callback is still pending. */
	if (job->refs == 0)
		input_job_free(job);
	else
		job->cancelled = 1;
}

size_t
input_job_typed(struct input_job *job)
{
	return (job->typed);
}

int
input_cursor(int *x, int *y, char **cause)
{
	Display		*dpy;
	Window		 root, child;
	int		 wx, wy;
	u_int		 mask;

	if ((dpy = display_need(cause)) == NULL)
		return (-1);
	if (!XQueryPointer(dpy, DefaultRootWindow(dpy), &root, &child, x, y,
	    &wx, &wy, &mask)) {
		xasprintf(cause, "the pointer is on another screen");
		return (-1);
	}
	return (0);
}

/* ---- the display ---- */

static void
input_hook_cb(Display *dpy, void *arg)
{
	/* A new or lost server: nothing we held exists there. */
	input_nheld = 0;
	input_buttons = 0;
	input_sticky = 0;
	input_released = 0;
	memset(input_auto_shift, 0, sizeof input_auto_shift);
}

void
input_init(struct event_base *base)
{
	input_timer = evtimer_new(base, input_timer_cb, NULL);
	display_add_hook(input_hook_cb, NULL);
	keymap_init();
}

void
input_shutdown(void)
{
	struct input_job	*job;
	Display			*dpy;

	/* Owners hear about it, so they can answer and free their state. */
	if (input_running != NULL)
		input_finish(input_running, "deskd is shutting down");
	while ((job = TAILQ_FIRST(&input_queue)) != NULL) {
		TAILQ_REMOVE(&input_queue, job, entry);
		input_nqueued--;
		job->queued = 0;
		if (job->done != NULL)
			job->done(job, "deskd is shutting down", job->arg);
		input_job_free(job);
	}
	/* The loop has stopped: their settle callbacks will never run. */
	while ((job = TAILQ_FIRST(&input_orphans)) != NULL) {
		TAILQ_REMOVE(&input_orphans, job, entry);
		input_job_free(job);
	}
	if ((dpy = display_get()) != NULL) {
		input_release(dpy, 0);
		keymap_restore(dpy);
		XSync(dpy, False);
		display_kick();
	}
	if (input_timer != NULL)
		event_free(input_timer);
	input_timer = NULL;
	keymap_shutdown();
}
