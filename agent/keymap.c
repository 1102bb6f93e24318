/*
 * keymap.c: the keysym table, the spare keycodes and the X keyboard events
 * (see keymap.h).
 */
#include <sys/types.h>

#include <stdlib.h>
#include <string.h>

#include <X11/Xlib.h>
#include <X11/XKBlib.h>
#include <X11/Xlib-xcb.h>
#include <X11/keysym.h>
#include <xkbcommon/xkbcommon.h>
#include <xkbcommon/xkbcommon-x11.h>

#include "capture.h"
#include "deskd.h"
#include "display.h"
#include "keymap.h"
#include "log.h"
#include "xmalloc.h"

struct keymap_entry {
	KeySym		 sym;
	KeyCode		 kc;
	int		 shift;
};

/* The table, sorted by keysym (then no-shift first). */
static struct keymap_entry	*keymap_table;
static size_t			 keymap_ntable;
static int			 keymap_stale = 1;
static struct xkb_context	*keymap_xkb;
static int			 keymap_xkb_ready;
static int			 keymap_xkb_event = -1;	/* XKB event base */
static KeyCode			 keymap_shift_kc;

/* Spare keycodes and what we bound on them (NoSymbol: free). */
static KeyCode			 keymap_spare[256];
static u_int			 keymap_nspare;
/*
 * Two keysyms per spare keycode: level one, and level two with Shift, so
 * a chunk carries twice as many distinct characters.
 */
static KeySym			 keymap_bound_syms[256][2];
static int			 keymap_nbound;
/*
 * When the spare keycodes may change again (ms, monotonic): clients look
 * keysyms up when they process an event, with the map of that moment, so
 * they must be through the keys typed on the current bindings first.
 */
static long long		 keymap_ok_at;
static long long		 keymap_max_at;		/* ... at the latest */
static int			 keymap_caps;	/* Caps Lock to lock again */

/* ---- the table ---- */

static int
keymap_entry_cmp(const void *a, const void *b)
{
	const struct keymap_entry	*x = a, *y = b;

	if (x->sym != y->sym)
		return (x->sym < y->sym ? -1 : 1);
	if (x->shift != y->shift)
		return (x->shift - y->shift);
	return ((int)x->kc - (int)y->kc);
}

static void
keymap_table_free(void)
{
	free(keymap_table);
	keymap_table = NULL;
	keymap_ntable = 0;
	keymap_nspare = 0;
	keymap_shift_kc = 0;
}

/* Start the XKB extension on this connection, once per connection. */
static int
keymap_xkb_setup(Display *dpy, char **cause)
{
	if (keymap_xkb_ready)
		return (0);
	if (!xkb_x11_setup_xkb_extension(XGetXCBConnection(dpy),
	    XKB_X11_MIN_MAJOR_XKB_VERSION, XKB_X11_MIN_MINOR_XKB_VERSION,
	    XKB_X11_SETUP_XKB_EXTENSION_NO_FLAGS, NULL, NULL, NULL, NULL)) {
		xasprintf(cause, "the X server has no XKB extension");
		return (-1);
	}
	keymap_xkb_ready = 1;
	/*
	 * Now that the server counts us as XKB-aware it no longer sends us
	 * core MappingNotify for a new keymap (setxkbmap): ask for the XKB
	 * events instead.
	 */
	if (XkbQueryExtension(dpy, NULL, &keymap_xkb_event, NULL, NULL, NULL))
		XkbSelectEvents(dpy, XkbUseCoreKbd,
		    XkbNewKeyboardNotifyMask | XkbMapNotifyMask,
		    XkbNewKeyboardNotifyMask | XkbMapNotifyMask);
	else
		keymap_xkb_event = -1;
	return (0);
}

/* Whether keycode kc has no symbols on any level of any layout. */
static int
keymap_key_empty(struct xkb_keymap *km, xkb_keycode_t kc)
{
	const xkb_keysym_t	*syms;
	xkb_layout_index_t	 nl, l;
	xkb_level_index_t	 nlev, lev;

	nl = xkb_keymap_num_layouts_for_key(km, kc);
	for (l = 0; l < nl; l++) {
		nlev = xkb_keymap_num_levels_for_key(km, kc, l);
		for (lev = 0; lev < nlev; lev++) {
			if (xkb_keymap_key_get_syms_by_level(km, kc, l, lev,
			    &syms) > 0)
				return (0);
		}
	}
	return (1);
}

static int
keymap_table_build(Display *dpy, char **cause)
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
	int			 i, n, nsyms, shift, dev;
	size_t			 k, cap = 0;

	if (keymap_xkb_setup(dpy, cause) == -1)
		return (-1);
	xc = XGetXCBConnection(dpy);
	if (keymap_xkb == NULL &&
	    (keymap_xkb = xkb_context_new(XKB_CONTEXT_NO_ENVIRONMENT_NAMES |
	    XKB_CONTEXT_NO_DEFAULT_INCLUDES)) == NULL)
		fatalx("%s: xkb_context_new failed", __func__);
	dev = xkb_x11_get_core_keyboard_device_id(xc);
	if (dev == -1 || (km = xkb_x11_keymap_new_from_device(keymap_xkb, xc,
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

	keymap_table_free();
	shift_bit = 1u << xkb_keymap_mod_get_index(km, XKB_MOD_NAME_SHIFT);
	group = xkb_state_serialize_layout(st, XKB_STATE_LAYOUT_EFFECTIVE);
	min = xkb_keymap_min_keycode(km);
	max = xkb_keymap_max_keycode(km);
	for (kc = min; kc <= max && kc <= 255; kc++) {
		/* Our own bindings are not part of the keymap. */
		if (keymap_bound_syms[kc][0] != NoSymbol ||
		    keymap_bound_syms[kc][1] != NoSymbol) {
			keymap_spare[keymap_nspare++] = kc;
			continue;
		}
		if (keymap_key_empty(km, kc)) {
			/* Keycode 8 is evdev's KEY_RESERVED: leave it. */
			if (kc > 8 && !inmod[kc])
				keymap_spare[keymap_nspare++] = kc;
			continue;
		}
		if ((nl = xkb_keymap_num_layouts_for_key(km, kc)) == 0)
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
			if (keymap_ntable == cap) {
				cap = cap == 0 ? 512 : cap * 2;
				keymap_table = xreallocarray(keymap_table, cap,
				    sizeof *keymap_table);
			}
			keymap_table[keymap_ntable].sym = syms[0];
			keymap_table[keymap_ntable].kc = kc;
			keymap_table[keymap_ntable].shift = shift;
			keymap_ntable++;
			if (syms[0] == XK_Shift_L && shift == 0)
				keymap_shift_kc = kc;
			else if (syms[0] == XK_Shift_R && shift == 0 &&
			    keymap_shift_kc == 0)
				keymap_shift_kc = kc;
		}
	}
	/* An empty keymap has no table at all: qsort's base is nonnull. */
	if (keymap_ntable > 0)
		qsort(keymap_table, keymap_ntable, sizeof *keymap_table,
		    keymap_entry_cmp);
	/* Keep the best entry per keysym. */
	for (k = 0, n = 0; k < keymap_ntable; k++) {
		if (n > 0 && keymap_table[n - 1].sym == keymap_table[k].sym)
			continue;
		keymap_table[n++] = keymap_table[k];
	}
	keymap_ntable = n;
	xkb_state_unref(st);
	xkb_keymap_unref(km);
	keymap_stale = 0;
	log_debug("%s: %zu keysyms, %u spare keycodes, shift on %d", __func__,
	    keymap_ntable, keymap_nspare, keymap_shift_kc);
	return (0);
}

static const struct keymap_entry *
keymap_lookup(KeySym sym)
{
	size_t	 lo = 0, hi = keymap_ntable, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (keymap_table[mid].sym < sym)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < keymap_ntable && keymap_table[lo].sym == sym)
		return (&keymap_table[lo]);
	return (NULL);
}

/* ---- spare keycodes ---- */

/*
 * Slots for bindings: two per spare keycode (level one before level two),
 * or only level one when the keymap has no Shift to reach level two with.
 */
static u_int
keymap_nslots(void)
{
	return (keymap_shift_kc != 0 ? 2 * keymap_nspare : keymap_nspare);
}

static KeySym *
keymap_slot(KeySym (*syms)[2], u_int t, int *level)
{
	KeyCode	 kc;
	int	 l = 0;

	if (keymap_shift_kc != 0) {
		kc = keymap_spare[t / 2];
		l = t % 2;
	} else
		kc = keymap_spare[t];
	if (level != NULL)
		*level = l;
	return (&syms[kc][l]);
}

/* The spare keycode carrying sym (0 if none); *shift for level two. */
static KeyCode
keymap_bound_kc(KeySym sym, int *shift)
{
	u_int	 i;
	int	 l;

	for (i = 0; i < keymap_nspare; i++) {
		for (l = 0; l < 2; l++) {
			if (keymap_bound_syms[keymap_spare[i]][l] == sym) {
				if (shift != NULL)
					*shift = l;
				return (keymap_spare[i]);
			}
		}
	}
	return (0);
}

/* Set the keysyms of spare keycodes in runs of consecutive keycodes. */
static void
keymap_map_spares(Display *dpy, const KeyCode *kcs, KeySym (*syms)[2],
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
keymap_kc_cmp(const void *a, const void *b)
{
	return ((int)*(const KeyCode *)a - (int)*(const KeyCode *)b);
}

/*
 * Make the spare keycodes carry want[kc] (NoSymbol: nothing), changing
 * only those that differ, in runs of consecutive keycodes.
 */
static void
keymap_apply(Display *dpy, KeySym (*want)[2])
{
	KeyCode	 kcs[256];
	KeySym	 syms[256][2];
	u_int	 i, n = 0;
	int	 nb = 0;
	KeyCode	 kc;

	for (i = 0; i < keymap_nspare; i++) {
		kc = keymap_spare[i];
		nb += (want[kc][0] != NoSymbol) + (want[kc][1] != NoSymbol);
		if (keymap_bound_syms[kc][0] == want[kc][0] &&
		    keymap_bound_syms[kc][1] == want[kc][1])
			continue;
		kcs[n] = kc;
		n++;
	}
	if (n > 0)
		qsort(kcs, n, sizeof kcs[0], keymap_kc_cmp);
	for (i = 0; i < n; i++) {
		syms[i][0] = keymap_bound_syms[kcs[i]][0] = want[kcs[i]][0];
		syms[i][1] = keymap_bound_syms[kcs[i]][1] = want[kcs[i]][1];
	}
	keymap_nbound = nb;
	if (dpy == NULL || n == 0)
		return;
	display_trap_push();
	keymap_map_spares(dpy, kcs, syms, n);
	if (display_trap_pop() != 0)
		log_warnx("%s: changing spare keycodes failed", __func__);
}

void
keymap_restore(Display *dpy)
{
	KeySym	 none[256][2];

	if (keymap_nbound == 0)
		return;
	memset(none, 0, sizeof none);
	keymap_apply(dpy, none);
	keymap_ok_at = 0;
	keymap_max_at = 0;
}

int
keymap_bound(void)
{
	return (keymap_nbound > 0);
}

void
keymap_typed(size_t nkeys)
{
	long long	 now;

	if (keymap_nbound == 0)
		return;
	now = deskd_now_ms();
	keymap_ok_at = now + KEYMAP_RESTORE_WAIT_MS +
	    nkeys * KEYMAP_RESTORE_KEY_MS;
	keymap_max_at = now + KEYMAP_RESTORE_MAX_MS + nkeys * 2;
}

int
keymap_wait(void)
{
	long long	 now = deskd_now_ms();
	long		 quiet;

	if (now < keymap_ok_at)
		return ((int)(keymap_ok_at - now));
	if (now >= keymap_max_at)
		return (0);
	if ((quiet = capture_quiet_ms()) >= KEYMAP_RESTORE_QUIET_MS)
		return (0);
	return ((int)(KEYMAP_RESTORE_QUIET_MS - quiet));
}

/* Whether sym is one of the n keysyms in v. */
static int
keymap_in(const KeySym *v, u_int n, KeySym sym)
{
	u_int	 i;

	for (i = 0; i < n; i++) {
		if (v[i] == sym)
			return (1);
	}
	return (0);
}

/*
 * Caps Lock would turn typed letters, spare-bound ones too, into
 * capitals: unlock it while a job types (events carry the state of their
 * moment, so locking it again at the end is safe).
 */
static void
keymap_caps_unlock(Display *dpy)
{
	XkbStateRec	 xs;

	if (!keymap_caps && XkbGetState(dpy, XkbUseCoreKbd, &xs) == Success &&
	    (xs.locked_mods & LockMask)) {
		XkbLockModifiers(dpy, XkbUseCoreKbd, LockMask, 0);
		keymap_caps = 1;
	}
}

void
keymap_caps_restore(Display *dpy)
{
	if (keymap_caps && dpy != NULL)
		XkbLockModifiers(dpy, XkbUseCoreKbd, LockMask, LockMask);
	keymap_caps = 0;
}

int
keymap_plan(Display *dpy, const struct keymap_stroke *s, size_t from,
    size_t nstrokes, int held, size_t *end, int *wait_ms, char **cause)
{
	KeySym		 need[512], want[256][2], *slot;
	u_int		 nneed = 0, cap = 0, j, n, t, nslots;
	size_t		 k, q, safe;
	int		 depth = 0, placed, added = 0, l;
	KeySym		 sym;

	if (keymap_stale && keymap_table_build(dpy, cause) == -1)
		return (-1);
	keymap_caps_unlock(dpy);

	/*
	 * With nothing held every spare may be rebound; with keys held
	 * (modifiers of a click, hold_key) only the free ones, and what is
	 * bound already stays as it is.
	 */
	nslots = keymap_nslots();
	for (t = 0; t < nslots; t++) {
		if (!held || *keymap_slot(keymap_bound_syms, t, NULL) ==
		    NoSymbol)
			cap++;
	}
	safe = from;
	for (k = from; k < nstrokes; k++) {
		if (depth == 0)
			safe = k;
		sym = s[k].sym;
		if (keymap_lookup(sym) == NULL &&
		    (!held || keymap_bound_kc(sym, NULL) == 0) &&
		    !keymap_in(need, nneed, sym)) {
			if (nneed == cap)
				break;
			need[nneed++] = sym;
		}
		if (s[k].kind == KEYMAP_DOWN)
			depth++;
		else if (s[k].kind == KEYMAP_UP && depth > 0)
			depth--;
	}
	if (k < nstrokes) {
		/* Out of spares: cut where nothing is held. */
		k = safe;
		if (k == from) {
			xasprintf(cause, "more keys off the keymap held at "
			    "once than the %u spare keycodes", cap);
			return (-1);
		}
		for (j = 0, n = 0; j < nneed; j++) {
			for (q = from; q < k; q++) {
				if (s[q].sym == need[j]) {
					need[n++] = need[j];
					break;
				}
			}
		}
		nneed = n;
	}
	*end = k;

	/*
	 * Change as few keycodes as can be: keep what is bound and wanted,
	 * fill free slots (level one of a keycode before its level two),
	 * then take back slots this chunk does not use.
	 */
	memcpy(want, keymap_bound_syms, sizeof want);
	for (j = 0; j < nneed; j++) {
		placed = 0;
		for (t = 0; t < nslots && !placed; t++)
			placed = *keymap_slot(want, t, NULL) == need[j];
		for (t = 0; t < nslots && !placed; t++) {
			slot = keymap_slot(want, t, &l);
			if (*slot == NoSymbol &&
			    (l == 0 || *(slot - 1) != NoSymbol)) {
				*slot = need[j];
				placed = added = 1;
			}
		}
		for (t = 0; t < nslots && !placed; t++) {
			/* Only reached with nothing held (see cap). */
			slot = keymap_slot(want, t, NULL);
			if (*slot != NoSymbol &&
			    !keymap_in(need, nneed, *slot)) {
				*slot = need[j];
				placed = added = 1;
			}
		}
	}
	if (memcmp(want, keymap_bound_syms, sizeof want) == 0)
		return (0);
	if ((*wait_ms = keymap_wait()) > 0)
		return (2);
	keymap_apply(dpy, want);
	log_debug("%s: %u keysyms bound for %zu strokes", __func__, nneed,
	    k - from);
	return (added);
}

int
keymap_resolve(KeySym sym, KeyCode *kc, int *shift, char **cause)
{
	const struct keymap_entry	*e;

	*shift = 0;
	if ((*kc = keymap_bound_kc(sym, shift)) != 0)
		return (0);
	if ((e = keymap_lookup(sym)) == NULL) {
		xasprintf(cause, "keysym 0x%lx is not on the keymap",
		    (u_long)sym);
		return (-1);
	}
	*kc = e->kc;
	*shift = e->shift;
	return (0);
}

KeyCode
keymap_shift_keycode(void)
{
	return (keymap_shift_kc);
}

/* ---- X keyboard events ---- */

/* Whether keycodes first..first+count-1 are all spare (our own changes). */
static int
keymap_only_spares(int first, int count)
{
	int	 i;
	u_int	 j;

	if (count <= 0)
		return (0);
	for (i = 0; i < count; i++) {
		for (j = 0; j < keymap_nspare; j++) {
			if (keymap_spare[j] == first + i)
				break;
		}
		if (j == keymap_nspare)
			return (0);
	}
	return (1);
}

static int
keymap_event_cb(Display *dpy, XEvent *ev, void *arg)
{
	XkbEvent	*xe = (XkbEvent *)ev;
	XMappingEvent	*me;

	if (keymap_xkb_event != -1 && ev->type == keymap_xkb_event) {
		if (xe->any.xkb_type == XkbNewKeyboardNotify) {
			log_debug("%s: new keyboard", __func__);
			keymap_stale = 1;
		} else if (xe->any.xkb_type == XkbMapNotify &&
		    !keymap_only_spares(xe->map.first_key_sym,
		    xe->map.num_key_syms)) {
			log_debug("%s: keymap changed (keycodes %d+%d)",
			    __func__, xe->map.first_key_sym,
			    xe->map.num_key_syms);
			keymap_stale = 1;
		}
		return (0);
	}
	if (ev->type != MappingNotify)
		return (0);
	me = &ev->xmapping;
	XRefreshKeyboardMapping(me);
	/* Our own binds and restores touch only spare keycodes. */
	if (me->request != MappingKeyboard ||
	    !keymap_only_spares(me->first_keycode, me->count)) {
		log_debug("%s: mapping changed (request %d, keycodes %d+%d)",
		    __func__, me->request, me->first_keycode, me->count);
		keymap_stale = 1;
	}
	return (0);
}

static void
keymap_hook_cb(Display *dpy, void *arg)
{
	/* A new or lost server: nothing we bound exists there. */
	memset(keymap_bound_syms, 0, sizeof keymap_bound_syms);
	keymap_nbound = 0;
	keymap_ok_at = 0;
	keymap_max_at = 0;
	keymap_caps = 0;
	keymap_table_free();
	keymap_xkb_ready = 0;
	keymap_xkb_event = -1;
	keymap_stale = 1;
}

void
keymap_init(void)
{
	display_add_hook(keymap_hook_cb, NULL);
	display_add_event_handler(keymap_event_cb, NULL);
}

void
keymap_shutdown(void)
{
	keymap_table_free();
	if (keymap_xkb != NULL)
		xkb_context_unref(keymap_xkb);
	keymap_xkb = NULL;
}
