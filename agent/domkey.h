/*
 * domkey.h: a browser's KeyboardEvent (its key and code values, UI Events
 * KeyboardEvent key Values and code Values, W3C) to the X keysym deskd
 * presses.  The live view's control mode sends these.
 */
#ifndef DOMKEY_H
#define DOMKEY_H

#include <X11/X.h>

#define DOMKEY_MAX	32	/* bytes of a key or code value */

/*
 * The keysym for (key, code): a printable key is its character (*is_char
 * set: Shift is already in it), a named key its keysym ("Enter" Return,
 * "ArrowLeft" Left, "Shift" with code "ShiftRight" Shift_R, keypad keys
 * from code "Numpad*").  NoSymbol for keys X has no keysym for
 * ("Unidentified", "Dead", "Process" while an IME composes).
 */
KeySym	 domkey_keysym(const char *key, const char *code, int *is_char);
/* The unshifted character of a letter or digit code ("KeyA" a). */
KeySym	 domkey_code_keysym(const char *code);
/* Is this one of the modifier keysyms (Shift, Control, Alt, Super...)? */
int	 domkey_is_modifier(KeySym);

#endif
