/*
 * input.c: the input queue, XTest injection and the keymap table.
 *
 * The table maps keysyms to (keycode, shift) for the levels reachable
 * with no modifier or Shift alone in the current group, built with
 * libxkbcommon-x11 from the core keyboard (as any1/wayvnc:src/keyboard.c
 * does).  Anything else, AltGr levels included, is bound to a spare
 * keycode (one with no symbols at all), so what arrives never depends on
 * modifier state the client might read differently.
 */
#include <sys/types.h>
#include <sys/queue.h>

#include <stdlib.h>
#include <string.h>

#include <X11/Xlib.h>
#include <X11/XKBlib.h>
#include <X11/Xlib-xcb.h>
#include <X11/keysym.h>
#include <X11/extensions/XTest.h>
#include <event2/event.h>
#include <xkbcommon/xkbcommon.h>
#include <xkbcommon/xkbcommon-x11.h>

#include "capture.h"
#include "deskd.h"
#include "display.h"
#include "input.h"
#include "keys.h"
#include "log.h"
#include "xmalloc.h"

enum input_op {
	INPUT_OP_MOVE,
	INPUT_OP_BUTTON,
	INPUT_OP_HOLD_BUTTON,
	INPUT_OP_STROKES,
	INPUT_OP_WAIT,
	INPUT_OP_SETTLE,
	INPUT_OP_CALL,
	INPUT_OP_RELEASE_ALL
};

enum input_stroke_kind {
	INPUT_TAP,
	INPUT_DOWN,
	INPUT_UP
};

struct input_stroke {
	KeySym			 sym;
	enum input_stroke_kind	 kind;
};

struct input_step {
	enum input_op		 op;
	int			 a;
	int			 b;
	struct input_stroke	*strokes;
	size_t			 nstrokes;
	input_call_cb		 cb;
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
	size_t			 si;		/* stroke index in a step */
	size_t			 chunk_end;
	size_t			 chunk_keys;
	enum input_phase	 phase;
	int			 queued;
	int			 running;
	int			 cancelled;
	int			 refs;		/* pending settle callbacks */
	int			 keep_buttons;	/* mask of held buttons */
	input_done_cb		 done;
	void			*arg;
};
TAILQ_HEAD(input_jobs, input_job);

struct input_entry {
	KeySym		 sym;
	KeyCode		 kc;
	int		 shift;
};

static struct input_jobs	 input_queue = TAILQ_HEAD_INITIALIZER(input_queue);
/* Stopped jobs still waiting for a settle callback, freed by it. */
static struct input_jobs	 input_orphans =
    TAILQ_HEAD_INITIALIZER(input_orphans);
static u_int			 input_nqueued;
static struct input_job		*input_running;
static struct event		*input_timer;

/* The keymap table, sorted by keysym (then no-shift first). */
static struct input_entry	*input_table;
static size_t			 input_ntable;
static int			 input_stale = 1;
static struct xkb_context	*input_xkb;
static int			 input_xkb_ready;
static int			 input_xkb_event = -1;	/* XKB event base */
static KeyCode			 input_shift_kc;

/* Spare keycodes and what we bound on them (NoSymbol: free). */
static KeyCode			 input_spare[256];
static u_int			 input_nspare;
/*
 * Two keysyms per spare keycode: level one, and level two with Shift, so
 * a chunk carries twice as many distinct characters.
 */
static KeySym			 input_bound[256][2];
static int			 input_nbound;
/*
 * When the spare keycodes may change again (ms, monotonic): clients look
 * keysyms up when they process an event, with the map of that moment, so
 * they must be through the keys typed on the current bindings first.
 */
static long long		 input_map_ok_at;
static long long		 input_map_max_at;	/* ... at the latest */
static int			 input_caps;	/* Caps Lock to lock again */

/* What we hold down: keycodes in press order, buttons as a mask. */
static KeyCode			 input_held[256];
static u_int			 input_nheld;
static u_char			 input_auto_shift[256];
static int			 input_buttons;
static int			 input_sticky;	/* buttons held across jobs */

static void	input_run(void);
static void	input_restore_spares(Display *);
static void	input_apply(Display *, KeySym (*)[2]);

/* ---- the keymap table ---- */

static int
input_entry_cmp(const void *a, const void *b)
{
	const struct input_entry	*x = a, *y = b;

	if (x->sym != y->sym)
		return (x->sym < y->sym ? -1 : 1);
	if (x->shift != y->shift)
		return (x->shift - y->shift);
	return ((int)x->kc - (int)y->kc);
}

static void
input_table_free(void)
{
	free(input_table);
	input_table = NULL;
	input_ntable = 0;
	input_nspare = 0;
	input_shift_kc = 0;
}

static int
input_table_build(Display *dpy, char **cause)
{
	xcb_connection_t	*xc;
	struct xkb_keymap	*km = NULL;
	struct xkb_state	*st = NULL;
	XModifierKeymap		*mm;
	xkb_keycode_t		 kc, min, max;
	xkb_layout_index_t	 group, nl, l;
	xkb_level_index_t	 nlev, lev;
	xkb_mod_mask_t		 masks[16], shift_bit, m;
	const xkb_keysym_t	*syms;
	u_char			 inmod[256];
	int			 i, n, nsyms, shift, empty, dev;
	size_t			 k, cap = 0;

	xc = XGetXCBConnection(dpy);
	if (!input_xkb_ready) {
		if (!xkb_x11_setup_xkb_extension(xc, XKB_X11_MIN_MAJOR_XKB_VERSION,
		    XKB_X11_MIN_MINOR_XKB_VERSION,
		    XKB_X11_SETUP_XKB_EXTENSION_NO_FLAGS, NULL, NULL, NULL,
		    NULL)) {
			xasprintf(cause, "the X server has no XKB extension");
			return (-1);
		}
		input_xkb_ready = 1;
		/*
		 * Now that the server counts us as XKB-aware it no longer
		 * sends us core MappingNotify for a new keymap (setxkbmap):
		 * ask for the XKB events instead.
		 */
		if (XkbQueryExtension(dpy, NULL, &input_xkb_event, NULL, NULL,
		    NULL))
			XkbSelectEvents(dpy, XkbUseCoreKbd,
			    XkbNewKeyboardNotifyMask | XkbMapNotifyMask,
			    XkbNewKeyboardNotifyMask | XkbMapNotifyMask);
		else
			input_xkb_event = -1;
	}
	if (input_xkb == NULL &&
	    (input_xkb = xkb_context_new(XKB_CONTEXT_NO_ENVIRONMENT_NAMES |
	    XKB_CONTEXT_NO_DEFAULT_INCLUDES)) == NULL)
		fatalx("%s: xkb_context_new failed", __func__);
	dev = xkb_x11_get_core_keyboard_device_id(xc);
	if (dev == -1 || (km = xkb_x11_keymap_new_from_device(input_xkb, xc,
	    dev, XKB_KEYMAP_COMPILE_NO_FLAGS)) == NULL ||
	    (st = xkb_x11_state_new_from_device(km, xc, dev)) == NULL) {
		xkb_keymap_unref(km);
		xasprintf(cause, "cannot read the keymap of the X server");
		return (-1);
	}

	memset(inmod, 0, sizeof inmod);
	if ((mm = XGetModifierMapping(dpy)) != NULL) {
		for (i = 0; i < 8 * mm->max_keypermod; i++)
			inmod[mm->modifiermap[i]] = 1;
		XFreeModifiermap(mm);
	}

	free(input_table);
	input_table = NULL;
	input_ntable = 0;
	input_nspare = 0;
	input_shift_kc = 0;
	shift_bit = 1u << xkb_keymap_mod_get_index(km, XKB_MOD_NAME_SHIFT);
	group = xkb_state_serialize_layout(st, XKB_STATE_LAYOUT_EFFECTIVE);
	min = xkb_keymap_min_keycode(km);
	max = xkb_keymap_max_keycode(km);
	for (kc = min; kc <= max && kc <= 255; kc++) {
		/* Our own bindings are not part of the keymap. */
		if (input_bound[kc][0] != NoSymbol ||
		    input_bound[kc][1] != NoSymbol) {
			input_spare[input_nspare++] = kc;
			continue;
		}
		nl = xkb_keymap_num_layouts_for_key(km, kc);
		empty = 1;
		for (l = 0; l < nl && empty; l++) {
			nlev = xkb_keymap_num_levels_for_key(km, kc, l);
			for (lev = 0; lev < nlev; lev++) {
				if (xkb_keymap_key_get_syms_by_level(km, kc, l,
				    lev, &syms) > 0) {
					empty = 0;
					break;
				}
			}
		}
		if (empty) {
			/* Keycode 8 is evdev's KEY_RESERVED: leave it. */
			if (kc > 8 && !inmod[kc])
				input_spare[input_nspare++] = kc;
			continue;
		}
		if (nl == 0)
			continue;
		l = group < nl ? group : 0;
		nlev = xkb_keymap_num_levels_for_key(km, kc, l);
		for (lev = 0; lev < nlev; lev++) {
			nsyms = xkb_keymap_key_get_syms_by_level(km, kc, l, lev,
			    &syms);
			if (nsyms != 1)
				continue;
			n = xkb_keymap_key_get_mods_for_level(km, kc, l, lev,
			    masks, 16);
			/* Level 0 is what no listed combination reaches. */
			shift = lev == 0 ? 0 : -1;
			for (i = 0; i < n; i++) {
				m = masks[i];
				if (m == 0)
					shift = 0;
				else if (m == shift_bit && shift == -1)
					shift = 1;
			}
			if (shift == -1)
				continue;
			if (input_ntable == cap) {
				cap = cap == 0 ? 512 : cap * 2;
				input_table = xreallocarray(input_table, cap,
				    sizeof *input_table);
			}
			input_table[input_ntable].sym = syms[0];
			input_table[input_ntable].kc = kc;
			input_table[input_ntable].shift = shift;
			input_ntable++;
			if (syms[0] == XK_Shift_L && shift == 0)
				input_shift_kc = kc;
			else if (syms[0] == XK_Shift_R && shift == 0 &&
			    input_shift_kc == 0)
				input_shift_kc = kc;
		}
	}
	qsort(input_table, input_ntable, sizeof *input_table, input_entry_cmp);
	/* Keep the best entry per keysym. */
	for (k = 0, n = 0; k < input_ntable; k++) {
		if (n > 0 && input_table[n - 1].sym == input_table[k].sym)
			continue;
		input_table[n++] = input_table[k];
	}
	input_ntable = n;
	xkb_state_unref(st);
	xkb_keymap_unref(km);
	input_stale = 0;
	log_debug("%s: %zu keysyms, %u spare keycodes, shift on %d", __func__,
	    input_ntable, input_nspare, input_shift_kc);
	return (0);
}

static const struct input_entry *
input_lookup(KeySym sym)
{
	size_t	 lo = 0, hi = input_ntable, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (input_table[mid].sym < sym)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < input_ntable && input_table[lo].sym == sym)
		return (&input_table[lo]);
	return (NULL);
}

/* The spare keycode carrying sym (0 if none); *shift for level two. */
static KeyCode
input_bound_kc(KeySym sym, int *shift)
{
	u_int	 i;
	int	 l;

	for (i = 0; i < input_nspare; i++) {
		for (l = 0; l < 2; l++) {
			if (input_bound[input_spare[i]][l] == sym) {
				if (shift != NULL)
					*shift = l;
				return (input_spare[i]);
			}
		}
	}
	return (0);
}

/* Set the keysyms of spare keycodes in runs of consecutive keycodes. */
static void
input_map_spares(Display *dpy, const KeyCode *kcs, KeySym (*syms)[2],
    u_int n)
{
	KeySym	 buf[2 * 256];
	u_int	 i, j;

	for (i = 0; i < n; i = j) {
		for (j = i; j < n && kcs[j] == kcs[i] + (j - i); j++) {
			/*
			 * A lone keysym goes on both levels: a lone É would
			 * get é at level one.
			 */
			buf[2 * (j - i)] = syms[j][0];
			buf[2 * (j - i) + 1] = syms[j][1] != NoSymbol ?
			    syms[j][1] : syms[j][0];
		}
		XChangeKeyboardMapping(dpy, kcs[i], 2, buf, j - i);
	}
}

static int
input_kc_cmp(const void *a, const void *b)
{
	return ((int)*(const KeyCode *)a - (int)*(const KeyCode *)b);
}

/*
 * Make the spare keycodes carry want[kc] (NoSymbol: nothing), changing
 * only those that differ, in runs of consecutive keycodes.
 */
static void
input_apply(Display *dpy, KeySym (*want)[2])
{
	KeyCode	 kcs[256];
	KeySym	 syms[256][2];
	u_int	 i, n = 0;
	int	 nb = 0;
	KeyCode	 kc;

	for (i = 0; i < input_nspare; i++) {
		kc = input_spare[i];
		nb += (want[kc][0] != NoSymbol) + (want[kc][1] != NoSymbol);
		if (input_bound[kc][0] == want[kc][0] &&
		    input_bound[kc][1] == want[kc][1])
			continue;
		kcs[n] = kc;
		n++;
	}
	qsort(kcs, n, sizeof kcs[0], input_kc_cmp);
	for (i = 0; i < n; i++) {
		syms[i][0] = input_bound[kcs[i]][0] = want[kcs[i]][0];
		syms[i][1] = input_bound[kcs[i]][1] = want[kcs[i]][1];
	}
	input_nbound = nb;
	if (dpy == NULL || n == 0)
		return;
	display_trap_push();
	input_map_spares(dpy, kcs, syms, n);
	if (display_trap_pop() != 0)
		log_warnx("%s: changing spare keycodes failed", __func__);
}

static void
input_restore_spares(Display *dpy)
{
	KeySym	 none[256][2];

	if (input_nbound == 0)
		return;
	memset(none, 0, sizeof none);
	input_apply(dpy, none);
	input_map_ok_at = 0;
	input_map_max_at = 0;
}

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
	}
	if (dpy != NULL)
		XFlush(dpy);
}

/* One keystroke: resolve, add Shift when the level needs it. */
static int
input_stroke(Display *dpy, const struct input_stroke *s, char **cause)
{
	const struct input_entry	*e;
	KeyCode				 kc;
	int				 shift = 0;

	if ((kc = input_bound_kc(s->sym, &shift)) == 0) {
		if ((e = input_lookup(s->sym)) == NULL) {
			xasprintf(cause, "keysym 0x%lx is not on the keymap",
			    (u_long)s->sym);
			return (-1);
		}
		kc = e->kc;
		shift = e->shift;
	}
	if (s->kind == INPUT_TAP || s->kind == INPUT_DOWN) {
		if (shift && input_shift_kc != 0 &&
		    !input_is_held(input_shift_kc)) {
			input_key(dpy, input_shift_kc, 1);
			input_auto_shift[kc] = 1;
		}
		input_key(dpy, kc, 1);
	}
	if (s->kind == INPUT_TAP || s->kind == INPUT_UP) {
		input_key(dpy, kc, 0);
		if (input_auto_shift[kc]) {
			input_auto_shift[kc] = 0;
			input_key(dpy, input_shift_kc, 0);
		}
	}
	return (0);
}

/*
 * Plan the next chunk of a strokes step: as many strokes as fit the spare
 * keycodes, ending where no bound key is held.  Binds the chunk's keys in
 * one batch; returns 1 when something was bound.
 */
/*
 * Milliseconds until the spare keycodes may change (0: now).  At least
 * INPUT_RESTORE_WAIT_MS after the last keys typed on them, then until the
 * screen has been quiet for INPUT_RESTORE_QUIET_MS: an application that
 * still draws typed text is still reading keys (Chromium takes well over
 * 150 ms for 200 keys on a loaded VM).  Never longer than the max.
 */
static int
input_map_wait(void)
{
	long long	 now = deskd_now_ms();
	long		 quiet;

	if (now < input_map_ok_at)
		return ((int)(input_map_ok_at - now));
	if (now >= input_map_max_at)
		return (0);
	if ((quiet = capture_quiet_ms()) >= INPUT_RESTORE_QUIET_MS)
		return (0);
	return ((int)(INPUT_RESTORE_QUIET_MS - quiet));
}

/* Whether sym is one of the n keysyms in v. */
static int
input_in(const KeySym *v, u_int n, KeySym sym)
{
	u_int	 i;

	for (i = 0; i < n; i++) {
		if (v[i] == sym)
			return (1);
	}
	return (0);
}

/*
 * Plan the next chunk of a strokes step: as many strokes as the spare
 * keycodes can carry, ending where no key is held, and bind its keysyms
 * in one batch.  Returns 1 when it bound new keysyms (clients get a moment
 * to see the new map), 0 when nothing changed, 2 when the map may not
 * change yet (*wait_ms), -1 on error.
 */
static int
input_plan_chunk(Display *dpy, struct input_job *job, struct input_step *st,
    int *wait_ms, char **cause)
{
	KeySym		 need[512], want[256][2], cur;
	XkbStateRec	 xs;
	u_int		 nneed = 0, cap = 0, j, n, t, nslots;
	size_t		 k, q, safe;
	int		 depth = 0, placed, added = 0, l;
	KeyCode		 kc;
	KeySym		 sym;

	if (input_stale || input_table == NULL) {
		if (input_table_build(dpy, cause) == -1)
			return (-1);
	}
	/*
	 * Caps Lock would turn typed letters, spare-bound ones too, into
	 * capitals: unlock it while the job runs (events carry the state
	 * of their moment, so locking it again at the end is safe).
	 */
	if (!input_caps && XkbGetState(dpy, XkbUseCoreKbd, &xs) == Success &&
	    (xs.locked_mods & LockMask)) {
		XkbLockModifiers(dpy, XkbUseCoreKbd, LockMask, 0);
		input_caps = 1;
	}

	/*
	 * With nothing held every spare may be rebound; with keys held
	 * (modifiers of a click, hold_key) only the free ones, and what is
	 * bound already stays as it is.
	 */
	nslots = 2 * input_nspare;
	for (t = 0; t < nslots; t++) {
		if (input_nheld == 0 ||
		    input_bound[input_spare[t / 2]][t % 2] == NoSymbol)
			cap++;
	}
	safe = job->si;
	for (k = job->si; k < st->nstrokes; k++) {
		if (depth == 0)
			safe = k;
		sym = st->strokes[k].sym;
		if (input_lookup(sym) == NULL &&
		    (input_nheld == 0 || input_bound_kc(sym, NULL) == 0) &&
		    !input_in(need, nneed, sym)) {
			if (nneed == cap)
				break;
			need[nneed++] = sym;
		}
		if (st->strokes[k].kind == INPUT_DOWN)
			depth++;
		else if (st->strokes[k].kind == INPUT_UP && depth > 0)
			depth--;
	}
	if (k < st->nstrokes) {
		/* Out of spares: cut where nothing is held. */
		k = safe;
		if (k == job->si) {
			xasprintf(cause, "more keys off the keymap held at "
			    "once than the %u spare keycodes", cap);
			return (-1);
		}
		for (j = 0, n = 0; j < nneed; j++) {
			for (q = job->si; q < k; q++) {
				if (st->strokes[q].sym == need[j]) {
					need[n++] = need[j];
					break;
				}
			}
		}
		nneed = n;
	}
	job->chunk_end = k;
	job->chunk_keys = k - job->si;

	/*
	 * Change as few keycodes as can be: keep what is bound and wanted,
	 * fill free slots (level one of a keycode before its level two),
	 * then take back slots this chunk does not use.
	 */
	memcpy(want, input_bound, sizeof want);
	for (j = 0; j < nneed; j++) {
		placed = 0;
		for (t = 0; t < nslots && !placed; t++)
			placed = want[input_spare[t / 2]][t % 2] == need[j];
		for (t = 0; t < nslots && !placed; t++) {
			kc = input_spare[t / 2];
			l = t % 2;
			if (want[kc][l] == NoSymbol &&
			    (l == 0 || want[kc][0] != NoSymbol)) {
				want[kc][l] = need[j];
				placed = added = 1;
			}
		}
		for (t = 0; t < nslots && !placed; t++) {
			/* Only reached with nothing held (see cap). */
			kc = input_spare[t / 2];
			l = t % 2;
			cur = want[kc][l];
			if (cur != NoSymbol && !input_in(need, nneed, cur)) {
				want[kc][l] = need[j];
				placed = added = 1;
			}
		}
	}
	if (memcmp(want, input_bound, sizeof want) == 0)
		return (0);
	if ((*wait_ms = input_map_wait()) > 0)
		return (2);
	input_apply(dpy, want);
	log_debug("%s: %u keysyms bound for %zu strokes", __func__, nneed,
	    job->chunk_keys);
	return (added);
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

	for (i = 0; i < job->nsteps; i++)
		free(job->steps[i].strokes);
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
	if (input_caps && dpy != NULL)
		XkbLockModifiers(dpy, XkbUseCoreKbd, LockMask, LockMask);
	input_caps = 0;
	/* Typing was cut short: nothing left to read, restore now. */
	if (error != NULL || job->cancelled)
		input_restore_spares(dpy);
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
	if (!TAILQ_EMPTY(&input_queue) || input_nbound > 0)
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
	long long		 now;

	if ((job = input_running) == NULL) {
		/* Between jobs: spare keycodes go back once clients are done. */
		if (input_nbound > 0 && input_nheld == 0) {
			dpy = display_get();
			if (dpy != NULL && (wait = input_map_wait()) > 0) {
				input_arm(wait);
				return;
			}
			input_restore_spares(dpy);
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
			XTestFakeMotionEvent(dpy, -1, st->a, st->b, CurrentTime);
			job->pc++;
			break;
		case INPUT_OP_BUTTON:
			input_button(dpy, st->a, st->b);
			job->pc++;
			break;
		case INPUT_OP_HOLD_BUTTON:
			if (input_buttons & (1 << st->a))
				input_sticky |= 1 << st->a;
			job->pc++;
			break;
		case INPUT_OP_RELEASE_ALL:
			input_release(dpy, input_sticky);
			job->pc++;
			break;
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
				rc = input_plan_chunk(dpy, job, st, &wait,
				    &cause);
				if (rc == -1)
					goto fail;
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
					input_arm(INPUT_BIND_WAIT_MS);
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
			if (input_nbound > 0) {
				now = deskd_now_ms();
				wait = INPUT_RESTORE_WAIT_MS +
				    job->chunk_keys * INPUT_RESTORE_KEY_MS;
				input_map_ok_at = now + wait;
				input_map_max_at = now + INPUT_RESTORE_MAX_MS +
				    job->chunk_keys * 2;
			}
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
	int	 i;

	for (i = 1; i <= INPUT_DRAG_STEPS; i++) {
		input_job_move(job, x0 + (x1 - x0) * i / INPUT_DRAG_STEPS,
		    y0 + (y1 - y0) * i / INPUT_DRAG_STEPS);
		input_job_wait(job, INPUT_DRAG_STEP_MS);
	}
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
input_job_strokes(struct input_job *job, struct input_stroke *s, size_t n,
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
	struct input_stroke	*s;
	u_int			 i;

	if (ch->n == 0)
		return;
	s = xreallocarray(NULL, ch->n, sizeof *s);
	for (i = 0; i < ch->n; i++) {
		s[i].sym = ch->syms[i];
		s[i].kind = INPUT_DOWN;
	}
	input_job_strokes(job, s, ch->n, 0);
}

void
input_job_keys_up(struct input_job *job, const struct keys_chord *ch)
{
	struct input_stroke	*s;
	u_int			 i;

	if (ch->n == 0)
		return;
	s = xreallocarray(NULL, ch->n, sizeof *s);
	for (i = 0; i < ch->n; i++) {
		s[i].sym = ch->syms[ch->n - 1 - i];
		s[i].kind = INPUT_UP;
	}
	input_job_strokes(job, s, ch->n, 0);
}

void
input_job_key_seq(struct input_job *job, const struct keys_seq *seq,
    int delay_ms)
{
	struct input_stroke	*s;
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
			s[n++].kind = INPUT_DOWN;
		}
		for (j = seq->chords[i].n; j > 0; j--) {
			s[n].sym = seq->chords[i].syms[j - 1];
			s[n++].kind = INPUT_UP;
		}
	}
	input_job_strokes(job, s, n, delay_ms);
}

void
input_job_type(struct input_job *job, uint32_t *cps, size_t n, int delay_ms)
{
	struct input_stroke	*s;
	size_t			 i, k = 0;

	if (n == 0) {
		free(cps);
		return;
	}
	s = xreallocarray(NULL, n, sizeof *s);
	for (i = 0; i < n; i++) {
		/* \r\n is one Return. */
		if (cps[i] == '\r' && i + 1 < n && cps[i + 1] == '\n')
			continue;
		if ((s[k].sym = keys_char_to_keysym(cps[i])) == NoSymbol)
			continue;	/* refused by the caller already */
		s[k++].kind = INPUT_TAP;
	}
	free(cps);
	input_job_strokes(job, s, k, delay_ms);
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
input_job_release_all(struct input_job *job)
{
	input_job_add(job, INPUT_OP_RELEASE_ALL);
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

u_int
input_pending(void)
{
	return (input_nqueued + (input_running != NULL));
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

/* ---- display events ---- */

/* Whether keycodes first..first+count-1 are all spare (our own changes). */
static int
input_only_spares(int first, int count)
{
	int	 i;
	u_int	 j;

	if (count <= 0)
		return (0);
	for (i = 0; i < count; i++) {
		for (j = 0; j < input_nspare; j++) {
			if (input_spare[j] == first + i)
				break;
		}
		if (j == input_nspare)
			return (0);
	}
	return (1);
}

static int
input_event_cb(Display *dpy, XEvent *ev, void *arg)
{
	XkbEvent	*xe = (XkbEvent *)ev;
	XMappingEvent	*me;

	if (input_xkb_event != -1 && ev->type == input_xkb_event) {
		if (xe->any.xkb_type == XkbNewKeyboardNotify) {
			log_debug("%s: new keyboard", __func__);
			input_stale = 1;
		} else if (xe->any.xkb_type == XkbMapNotify &&
		    !input_only_spares(xe->map.first_key_sym,
		    xe->map.num_key_syms)) {
			log_debug("%s: keymap changed (keycodes %d+%d)",
			    __func__, xe->map.first_key_sym,
			    xe->map.num_key_syms);
			input_stale = 1;
		}
		return (0);
	}
	if (ev->type != MappingNotify)
		return (0);
	me = &ev->xmapping;
	XRefreshKeyboardMapping(me);
	/* Our own binds and restores touch only spare keycodes. */
	if (me->request != MappingKeyboard ||
	    !input_only_spares(me->first_keycode, me->count)) {
		log_debug("%s: mapping changed (request %d, keycodes %d+%d)",
		    __func__, me->request, me->first_keycode, me->count);
		input_stale = 1;
	}
	return (0);
}

static void
input_hook_cb(Display *dpy, void *arg)
{
	/* A new or lost server: nothing we held or bound exists there. */
	input_nheld = 0;
	input_buttons = 0;
	input_sticky = 0;
	memset(input_bound, 0, sizeof input_bound);
	memset(input_auto_shift, 0, sizeof input_auto_shift);
	input_nbound = 0;
	input_map_ok_at = 0;
	input_map_max_at = 0;
	input_caps = 0;
	input_table_free();
	input_xkb_ready = 0;
	input_xkb_event = -1;
	input_stale = 1;
}

void
input_init(struct event_base *base)
{
	input_timer = evtimer_new(base, input_timer_cb, NULL);
	display_add_hook(input_hook_cb, NULL);
	display_add_event_handler(input_event_cb, NULL);
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
		input_restore_spares(dpy);
		XSync(dpy, False);
		display_kick();
	}
	if (input_timer != NULL)
		event_free(input_timer);
	input_timer = NULL;
	input_table_free();
	if (input_xkb != NULL)
		xkb_context_unref(input_xkb);
	input_xkb = NULL;
}
