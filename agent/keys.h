/*
 * keys.h: key names and text, parsed without touching the X server.
 *
 * Key names follow xdotool ("ctrl+shift+t", "ctrl+a BackSpace", X keysym
 * names, case-sensitive keysyms such as "L" meaning shift+l) with the usual
 * aliases added (win, cmd, esc, pgup, arrow names...).  Unlike xdotool, an
 * unknown name is an error naming it, never skipped.  Text is decoded from
 * UTF-8 here (proto/utf8.c, strict), never through the locale: xdotool's
 * xdo_enter_text_window (jordansissel/xdotool:xdo.c) decodes with
 * mbsrtowcs after setlocale(LC_CTYPE, ""), which stops at the first
 * non-ASCII character under the C locale a daemon usually runs in.
 *
 * Every function that fills a cause accepts NULL for "only tell me whether
 * it parses".
 */
#ifndef KEYS_H
#define KEYS_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

#include <X11/X.h>

#define KEYS_MAX_CHORD	8		/* keys pressed together */
#define KEYS_MAX_CHORDS	256		/* chords in one key sequence */
#define KEYS_MAX_NAME	64		/* bytes in one key name */

struct keys_chord {
	u_int	 n;
	KeySym	 syms[KEYS_MAX_CHORD];
};

struct keys_seq {
	u_int			 n;
	struct keys_chord	*chords;
};

/* One name ("ctrl", "Return", "a", "U20AC") to a keysym; NoSymbol if none. */
KeySym		 keys_name_to_keysym(const char *name);
/* "ctrl+a BackSpace": -1 with cause naming the bad part. */
struct keys_seq	*keys_parse(const char *text, char **cause);
void		 keys_seq_free(struct keys_seq *);
/* One chord only ("shift", "ctrl+alt"): the modifiers of a click. */
int		 keys_parse_chord(const char *text, struct keys_chord *,
		    char **cause);

/*
 * Strict UTF-8 to code points (no overlongs, surrogates or values past
 * U+10FFFF).  *out is allocated; -1 with cause giving the byte offset.
 * The length is the caller's to bound (PROTO_MAX_TEXT for actions).
 */
int		 keys_utf8_decode(const char *s, size_t len, uint32_t **out,
		    size_t *n, char **cause);
/*
 * The keysym that types one character: Return for \n, Tab for \t, Latin-1
 * as itself, legacy keysyms where X has one, else 0x01000000 + cp.
 * NoSymbol for other control characters.
 */
KeySym		 keys_char_to_keysym(uint32_t cp);
/* The character a keysym types (0 if none). */
uint32_t	 keys_keysym_to_char(KeySym);

#endif
