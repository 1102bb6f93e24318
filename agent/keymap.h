/*
 * keymap.h: the X keyboard as deskd types on it.
 *
 * A table maps keysyms to (keycode, Shift or not) for the levels reachable
 * with no modifier or Shift alone in the current group, built with
 * libxkbcommon-x11 from the core keyboard (as any1/wayvnc:src/keyboard.c
 * does).  Anything else, AltGr levels included, is bound to a spare
 * keycode (one with no symbols at all), so what arrives never depends on
 * modifier state the client might read differently.
 *
 * Spare keycodes carry two keysyms each (level one, and level two with
 * Shift: 36 distinct characters on Xvfb's 18 spares) and are bound in one
 * batch per chunk of strokes, then restored once, when clients have read
 * the keys typed on them.  xdotool instead remaps one scratch keycode per
 * keystroke (xdo_send_keysequence_window_list_do in
 * jordansissel/xdotool:xdo.c), and every remap makes each client re-read
 * the keymap: dropped and garbled characters, xdotool#10, #125, #231.
 *
 * The table is rebuilt when the keymap changes under us (XKB
 * NewKeyboardNotify and MapNotify, core MappingNotify), but not for our
 * own changes to the spare keycodes.
 */
#ifndef KEYMAP_H
#define KEYMAP_H

#include <stddef.h>

#include <X11/Xlib.h>

/*
 * Waits around a change of the spare keycodes.  Clients refresh their
 * keymap some time after the notify, and Chromium (which reloads it
 * asynchronously) also misses a change made while its last reload is in
 * flight: measured into a Chromium textarea on a loaded 2-core VM, 20 ms
 * after a bind and 40 ms before the next change gave 50-83% exact texts;
 * 60-100 ms and 120-200 ms gave 100%.  Chrome Remote Desktop's
 * x11_character_injector.cc keeps a used keycode 200 ms before remapping.
 * The restore wait grows with the number of keys typed: Chromium dropped
 * the last characters of 200 restored after 170 ms.
 */
#ifndef KEYMAP_BIND_WAIT_MS
#define KEYMAP_BIND_WAIT_MS	80	/* after a change, before typing */
#endif
#ifndef KEYMAP_RESTORE_WAIT_MS
#define KEYMAP_RESTORE_WAIT_MS	150	/* after typing, before a change */
#endif
#define KEYMAP_RESTORE_KEY_MS	1	/* ... plus this per key typed */
#define KEYMAP_RESTORE_QUIET_MS	100	/* ... and the screen quiet */
#define KEYMAP_RESTORE_MAX_MS	3000	/* ... but no more (+2 ms a key) */

enum keymap_stroke_kind {
	KEYMAP_TAP,		/* press and release */
	KEYMAP_DOWN,
	KEYMAP_UP
};

struct keymap_stroke {
	KeySym			 sym;
	enum keymap_stroke_kind	 kind;
};

void		 keymap_init(void);
void		 keymap_shutdown(void);

/*
 * Plan the chunk of strokes s[from..n) to type next: as many as the
 * spare keycodes can carry, ending where no key is held, and bind their
 * keysyms in one batch.  held is whether keys are down already (then
 * bound keycodes stay as they are).  *end gets the end of the chunk.
 * Returns 1 when it bound new keysyms (clients need a moment to see the
 * new map), 0 when nothing changed, 2 when the map may not change yet
 * (*wait_ms), -1 with cause.  Unlocks Caps Lock until keymap_caps_restore.
 */
int		 keymap_plan(Display *, const struct keymap_stroke *s,
		    size_t from, size_t n, int held, size_t *end, int *wait_ms,
		    char **cause);
/* The keycode typing sym, *shift when it needs Shift; -1 + cause if none. */
int		 keymap_resolve(KeySym sym, KeyCode *kc, int *shift,
		    char **cause);
/* The keycode of Shift (0 when the keymap has none). */
KeyCode		 keymap_shift_keycode(void);
/* nkeys were typed on the current bindings: delay the next change. */
void		 keymap_typed(size_t nkeys);
/* Whether spare keycodes carry keysyms (a restore is due). */
int		 keymap_bound(void);
/*
 * Milliseconds until the spare keycodes may change (0: now): at least
 * KEYMAP_RESTORE_WAIT_MS after the last keys typed on them, then until
 * the screen has been quiet KEYMAP_RESTORE_QUIET_MS (an application that
 * still draws typed text is still reading keys), at most
 * KEYMAP_RESTORE_MAX_MS.
 */
int		 keymap_wait(void);
/* Clear the spare keycodes now (dpy NULL: forget them only). */
void		 keymap_restore(Display *);
/* Lock Caps Lock again if keymap_plan unlocked it. */
void		 keymap_caps_restore(Display *);

#endif
