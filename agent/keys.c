/*
 * keys.c: key-name parsing and UTF-8 decoding (pure: no X connection).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <X11/Xlib.h>
#include <X11/keysym.h>
#include <xkbcommon/xkbcommon.h>

#include "keys.h"
#include "utf8.h"
#include "xmalloc.h"

/* Fill cause when the caller wants one (NULL: only whether it parses). */
static void __attribute__((format(printf, 2, 3)))
keys_fail(char **cause, const char *fmt, ...)
{
	va_list	 ap;

	if (cause == NULL)
		return;
	va_start(ap, fmt);
	xvasprintf(cause, fmt, ap);
	va_end(ap);
}

/*
 * Aliases, matched case-insensitively.  xdotool knows alt, ctrl, control,
 * meta, super, shift, enter and return; the rest are the names models and
 * other tools emit.  meta is Super here: on an X keymap Meta_L lives on the
 * Alt key's shifted level, so xdotool's Meta_L arrives as shift+alt.
 */
static const struct {
	const char	*name;
	KeySym		 sym;
} keys_aliases[] = {
	{ "ctrl",	XK_Control_L },
	{ "control",	XK_Control_L },
	{ "lctrl",	XK_Control_L },
	{ "rctrl",	XK_Control_R },
	{ "alt",	XK_Alt_L },
	{ "lalt",	XK_Alt_L },
	{ "ralt",	XK_Alt_R },
	{ "option",	XK_Alt_L },
	{ "opt",	XK_Alt_L },
	{ "altgr",	XK_ISO_Level3_Shift },
	{ "shift",	XK_Shift_L },
	{ "lshift",	XK_Shift_L },
	{ "rshift",	XK_Shift_R },
	{ "super",	XK_Super_L },
	{ "lsuper",	XK_Super_L },
	{ "rsuper",	XK_Super_R },
	{ "win",	XK_Super_L },
	{ "windows",	XK_Super_L },
	{ "lwin",	XK_Super_L },
	{ "rwin",	XK_Super_R },
	{ "cmd",	XK_Super_L },
	{ "command",	XK_Super_L },
	{ "meta",	XK_Super_L },
	{ "enter",	XK_Return },
	{ "return",	XK_Return },
	{ "ret",	XK_Return },
	{ "esc",	XK_Escape },
	{ "escape",	XK_Escape },
	{ "backspace",	XK_BackSpace },
	{ "bksp",	XK_BackSpace },
	{ "bs",		XK_BackSpace },
	{ "del",	XK_Delete },
	{ "delete",	XK_Delete },
	{ "ins",	XK_Insert },
	{ "insert",	XK_Insert },
	{ "tab",	XK_Tab },
	{ "space",	XK_space },
	{ "spacebar",	XK_space },
	{ "pgup",	XK_Prior },
	{ "pageup",	XK_Prior },
	{ "page_up",	XK_Prior },
	{ "prior",	XK_Prior },
	{ "pgdn",	XK_Next },
	{ "pgdown",	XK_Next },
	{ "pagedown",	XK_Next },
	{ "page_down",	XK_Next },
	{ "next",	XK_Next },
	{ "home",	XK_Home },
	{ "end",	XK_End },
	{ "up",		XK_Up },
	{ "down",	XK_Down },
	{ "left",	XK_Left },
	{ "right",	XK_Right },
	{ "arrowup",	XK_Up },
	{ "arrowdown",	XK_Down },
	{ "arrowleft",	XK_Left },
	{ "arrowright",	XK_Right },
	{ "arrow_up",	XK_Up },
	{ "arrow_down",	XK_Down },
	{ "arrow_left",	XK_Left },
	{ "arrow_right", XK_Right },
	{ "uparrow",	XK_Up },
	{ "downarrow",	XK_Down },
	{ "leftarrow",	XK_Left },
	{ "rightarrow",	XK_Right },
	{ "capslock",	XK_Caps_Lock },
	{ "caps_lock",	XK_Caps_Lock },
	{ "caps",	XK_Caps_Lock },
	{ "numlock",	XK_Num_Lock },
	{ "num_lock",	XK_Num_Lock },
	{ "scrolllock",	XK_Scroll_Lock },
	{ "scroll_lock", XK_Scroll_Lock },
	{ "print",	XK_Print },
	{ "printscreen", XK_Print },
	{ "print_screen", XK_Print },
	{ "prtsc",	XK_Print },
	{ "prtscn",	XK_Print },
	{ "sysrq",	XK_Sys_Req },
	{ "pause",	XK_Pause },
	{ "break",	XK_Break },
	{ "menu",	XK_Menu },
	{ "apps",	XK_Menu },
	{ "contextmenu", XK_Menu },
	{ "plus",	XK_plus },
	{ "minus",	XK_minus },
	{ "hyper",	XK_Hyper_L },
};

/* Keysym names matched case-insensitively when the exact lookup fails. */
static const char *keys_names_ci[] = {
	"BackSpace", "Linefeed", "Clear", "Return", "Sys_Req", "Begin",
	"Select", "Execute", "Undo", "Redo", "Find", "Cancel", "Help",
	"Mode_switch", "Shift_L", "Shift_R", "Control_L", "Control_R",
	"Meta_L", "Meta_R", "Alt_L", "Alt_R", "Super_L", "Super_R",
	"Hyper_L", "Hyper_R", "ISO_Level3_Shift", "ISO_Left_Tab",
	"KP_Space", "KP_Tab", "KP_Enter", "KP_F1", "KP_F2", "KP_F3", "KP_F4",
	"KP_Home", "KP_Left", "KP_Up", "KP_Right", "KP_Down", "KP_Prior",
	"KP_Page_Up", "KP_Next", "KP_Page_Down", "KP_End", "KP_Begin",
	"KP_Insert", "KP_Delete", "KP_Equal", "KP_Multiply", "KP_Add",
	"KP_Separator", "KP_Subtract", "KP_Decimal", "KP_Divide",
	"KP_0", "KP_1", "KP_2", "KP_3", "KP_4", "KP_5", "KP_6", "KP_7",
	"KP_8", "KP_9",
};

KeySym
keys_name_to_keysym(const char *name)
{
	KeySym		 sym;
	uint32_t	*cps = NULL;
	size_t		 n, i, len;
	char		*end, buf[16];
	long		 f;

	len = strlen(name);
	if (len == 0 || len > KEYS_MAX_NAME)
		return (NoSymbol);
	/* Exact keysym names first: they are case-sensitive ("L" is shift+l). */
	if ((sym = XStringToKeysym(name)) != NoSymbol)
		return (sym);
	for (i = 0; i < sizeof keys_aliases / sizeof keys_aliases[0]; i++) {
		if (strcasecmp(name, keys_aliases[i].name) == 0)
			return (keys_aliases[i].sym);
	}
	for (i = 0; i < sizeof keys_names_ci / sizeof keys_names_ci[0]; i++) {
		if (strcasecmp(name, keys_names_ci[i]) == 0)
			return (XStringToKeysym(keys_names_ci[i]));
	}
	/* f1..f35 in any case. */
	if ((name[0] == 'f' || name[0] == 'F') && isdigit((u_char)name[1])) {
		f = strtol(name + 1, &end, 10);
		if (*end == '\0' && f >= 1 && f <= 35) {
			snprintf(buf, sizeof buf, "F%ld", f);
			return (XStringToKeysym(buf));
		}
	}
	/* One character with no keysym name of its own ("-", "é", "€"). */
	if (keys_utf8_decode(name, len, &cps, &n, NULL) == 0 && n == 1 &&
	    cps[0] >= 0x20 && cps[0] != 0x7f)
		sym = keys_char_to_keysym(cps[0]);
	free(cps);
	return (sym);
}

int
keys_parse_chord(const char *text, struct keys_chord *ch, char **cause)
{
	const char	*p, *q;
	char		 name[KEYS_MAX_NAME + 1];
	size_t		 len;
	KeySym		 sym;

	memset(ch, 0, sizeof *ch);
	p = text;
	if (*p == '\0')
		goto empty;
	for (;;) {
		/*
		 * A '+' where a name should start is the plus key itself, so
		 * "ctrl++" is ctrl and plus.
		 */
		if (*p == '+') {
			q = p + 1;
		} else {
			for (q = p; *q != '\0' && *q != '+'; q++)
				;
		}
		len = q - p;
		if (len == 0)
			goto empty;
		if (len > KEYS_MAX_NAME) {
			keys_fail(cause, "key name too long in \"%.80s\"",
			    text);
			return (-1);
		}
		memcpy(name, p, len);
		name[len] = '\0';
		if ((sym = keys_name_to_keysym(name)) == NoSymbol) {
			keys_fail(cause, "unknown key name \"%s\" in \"%.80s\"",
			    name, text);
			return (-1);
		}
		if (ch->n == KEYS_MAX_CHORD) {
			keys_fail(cause, "more than %d keys in \"%.80s\"",
			    KEYS_MAX_CHORD, text);
			return (-1);
		}
		ch->syms[ch->n++] = sym;
		if (*q == '\0')
			break;
		if (*q != '+') {
			keys_fail(cause, "expected '+' after \"%s\" in "
			    "\"%.80s\"", name, text);
			return (-1);
		}
		p = q + 1;
		if (*p == '\0')
			goto empty;
	}
	return (0);
empty:
	keys_fail(cause, "empty key name in \"%.80s\"", text);
	return (-1);
}

struct keys_seq *
keys_parse(const char *text, char **cause)
{
	struct keys_seq	*seq;
	const char	*p, *q;
	char		*chord;

	seq = xcalloc(1, sizeof *seq);
	for (p = text;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (*p == '\0')
			break;
		for (q = p; *q != '\0' && *q != ' ' && *q != '\t' &&
		    *q != '\n' && *q != '\r'; q++)
			;
		if (seq->n == KEYS_MAX_CHORDS) {
			keys_fail(cause, "more than %d key chords",
			    KEYS_MAX_CHORDS);
			goto fail;
		}
		seq->chords = xreallocarray(seq->chords, seq->n + 1,
		    sizeof *seq->chords);
		chord = xstrndup(p, q - p);
		if (keys_parse_chord(chord, &seq->chords[seq->n], cause) ==
		    -1) {
			free(chord);
			goto fail;
		}
		free(chord);
		seq->n++;
		p = q;
	}
	if (seq->n == 0) {
		keys_fail(cause, "no key names given");
		goto fail;
	}
	return (seq);
fail:
	keys_seq_free(seq);
	return (NULL);
}

void
keys_seq_free(struct keys_seq *seq)
{
	if (seq == NULL)
		return;
	free(seq->chords);
	free(seq);
}

int
keys_utf8_decode(const char *s, size_t len, uint32_t **out, size_t *n,
    char **cause)
{
	uint32_t	*v;
	size_t		 k, bad;

	*out = NULL;
	*n = 0;
	v = xreallocarray(NULL, len + 1, sizeof *v);
	k = proto_utf8_decode(s, len, PROTO_UTF8_STRICT, v, &bad);
	if (k == (size_t)-1) {
		free(v);
		keys_fail(cause, "invalid UTF-8 at byte %zu", bad);
		return (-1);
	}
	*out = v;
	*n = k;
	return (0);
}

KeySym
keys_char_to_keysym(uint32_t cp)
{
	xkb_keysym_t	 sym;

	/* Explicit: libxkbcommon maps \n to Linefeed, xdotool#375. */
	if (cp == '\n' || cp == '\r')
		return (XK_Return);
	if (cp == '\t')
		return (XK_Tab);
	if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
		return (NoSymbol);
	if ((sym = xkb_utf32_to_keysym(cp)) == XKB_KEY_NoSymbol)
		return (NoSymbol);
	return ((KeySym)sym);
}

uint32_t
keys_keysym_to_char(KeySym sym)
{
	return (xkb_keysym_to_utf32((xkb_keysym_t)sym));
}
