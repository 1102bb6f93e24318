/*
 * test-keys.c: key-name parsing, UTF-8 decoding and character keysyms
 * (agent/keys.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <X11/Xlib.h>
#include <X11/keysym.h>

#include "keys.h"

static int	failed;

static void
app(char *dst, const char *s, size_t size)
{
	size_t	len = strlen(dst);

	snprintf(dst + len, size - len, "%s", s);
}

static void
check(int cond, const char *what)
{
	printf("%s - %s\n", cond ? "ok" : "not ok", what);
	if (!cond)
		failed++;
}

/* Parse text and compare its chords with want ("Control_L+t BackSpace"). */
static void
seq_is(const char *text, const char *want)
{
	struct keys_seq	*seq;
	char		 got[1024], *cause = NULL, what[256];
	u_int		 i, j;
	const char	*name;

	got[0] = '\0';
	if ((seq = keys_parse(text, &cause)) == NULL) {
		snprintf(got, sizeof got, "error: %s", cause);
		free(cause);
	} else {
		for (i = 0; i < seq->n; i++) {
			if (i > 0)
				app(got, " ", sizeof got);
			for (j = 0; j < seq->chords[i].n; j++) {
				if (j > 0)
					app(got, "+", sizeof got);
				name = XKeysymToString(seq->chords[i].syms[j]);
				app(got, name ? name : "?", sizeof got);
			}
		}
		keys_seq_free(seq);
	}
	snprintf(what, sizeof what, "keys \"%s\" -> %s", text, want);
	check(strcmp(got, want) == 0, what);
	if (strcmp(got, want) != 0)
		printf("#   got: %s\n", got);
}

static void
fails(const char *text, const char *needle)
{
	struct keys_seq	*seq;
	char		*cause = NULL, what[256];

	seq = keys_parse(text, &cause);
	snprintf(what, sizeof what, "keys \"%s\" rejected naming \"%s\"", text,
	    needle);
	check(seq == NULL && cause != NULL && strstr(cause, needle) != NULL,
	    what);
	if (cause != NULL)
		printf("#   %s\n", cause);
	keys_seq_free(seq);
	free(cause);
}

static void
test_keys(void)
{
	uint32_t	*cp;
	size_t		 n;
	char		*cause = NULL;
	struct keys_chord ch;

	seq_is("ctrl+shift+t", "Control_L+Shift_L+t");
	seq_is("ctrl+a BackSpace", "Control_L+a BackSpace");
	seq_is("  Return\tTab ", "Return Tab");
	seq_is("ctrl+L", "Control_L+L");
	seq_is("CTRL+Alt+Delete", "Control_L+Alt_L+Delete");
	seq_is("super", "Super_L");
	seq_is("win+e cmd+c meta", "Super_L+e Super_L+c Super_L");
	seq_is("enter esc pgup pgdn", "Return Escape Prior Next");
	seq_is("Page_Up Page_Down", "Prior Next");
	seq_is("arrowup Down left RIGHT", "Up Down Left Right");
	seq_is("backspace BACKSPACE BackSpace", "BackSpace BackSpace BackSpace");
	seq_is("f5 F12 alt+f4", "F5 F12 Alt_L+F4");
	seq_is("kp_enter KP_Add", "KP_Enter KP_Add");
	seq_is("ctrl+plus ctrl+minus", "Control_L+plus Control_L+minus");
	seq_is("ctrl++", "Control_L+plus");
	seq_is("ctrl+-", "Control_L+minus");
	seq_is("+", "plus");
	seq_is("é €", "eacute EuroSign");
	seq_is("XF86AudioRaiseVolume", "XF86AudioRaiseVolume");
	seq_is("shift+1 exclam", "Shift_L+1 exclam");

	fails("ctrl+foo", "\"foo\"");
	fails("ctrl+", "empty key name");
	fails("", "no key names");
	fails("a+b+c+d+e+f+g+h+i", "more than");
	fails("Returnn", "Returnn");
	fails("ctrl+f99", "f99");

	check(keys_parse_chord("ctrl+shift", &ch, NULL) == 0 && ch.n == 2 &&
	    ch.syms[0] == XK_Control_L && ch.syms[1] == XK_Shift_L,
	    "chord ctrl+shift");
	check(keys_parse_chord("ctrl shift", &ch, NULL) == -1,
	    "a chord has no spaces");

	check(keys_utf8_decode("aé€😀", strlen("aé€😀"), &cp, &n, NULL) == 0 &&
	    n == 4 && cp[0] == 'a' && cp[1] == 0xe9 && cp[2] == 0x20ac &&
	    cp[3] == 0x1f600, "utf8 decode 1-4 byte sequences");
	free(cp);
	check(keys_utf8_decode("a\xc3", 2, &cp, &n, &cause) == -1 &&
	    strstr(cause, "byte 1") != NULL, "truncated utf8 rejected");
	free(cause);
	cause = NULL;
	check(keys_utf8_decode("\xc0\xaf", 2, &cp, &n, NULL) == -1,
	    "overlong utf8 rejected");
	check(keys_utf8_decode("\xed\xa0\x80", 3, &cp, &n, NULL) == -1,
	    "surrogate rejected");
	check(keys_utf8_decode("\xf4\x90\x80\x80", 4, &cp, &n, NULL) == -1,
	    "past U+10FFFF rejected");
	check(keys_utf8_decode("", 0, &cp, &n, NULL) == 0 && n == 0,
	    "empty text decodes");
	free(cp);

	check(keys_char_to_keysym('\n') == XK_Return, "\\n is Return");
	check(keys_char_to_keysym('\t') == XK_Tab, "\\t is Tab");
	check(keys_char_to_keysym('a') == XK_a, "a is a");
	check(keys_char_to_keysym(0xe9) == XK_eacute, "é is eacute");
	check(keys_char_to_keysym(0x3b1) == XK_Greek_alpha,
	    "α is Greek_alpha");
	check(keys_char_to_keysym(0x1f600) == 0x0101f600,
	    "emoji is a Unicode keysym");
	check(keys_char_to_keysym(0x07) == NoSymbol, "BEL has no keysym");
	check(keys_keysym_to_char(XK_Greek_alpha) == 0x3b1,
	    "Greek_alpha types α");
}

/*
 * Every function that fills a cause takes NULL (keys_parse used to write
 * through it on "no key names" and "more than 256 chords").
 */
static void
test_null_cause(void)
{
	struct keys_chord	 ch;
	uint32_t		*cp;
	char			*many;
	size_t			 i, n;

	check(keys_parse("", NULL) == NULL, "keys_parse(\"\", NULL) fails");
	check(keys_parse("  \t", NULL) == NULL, "... and only blanks");
	check(keys_parse("ctrl+nope", NULL) == NULL,
	    "keys_parse of an unknown name, NULL cause");
	check(keys_parse("a+b+c+d+e+f+g+h+i", NULL) == NULL,
	    "keys_parse of too many keys in a chord, NULL cause");
	many = malloc(2 * (KEYS_MAX_CHORDS + 1) + 1);
	for (i = 0; i <= KEYS_MAX_CHORDS; i++)
		memcpy(many + 2 * i, "a ", 2);
	many[2 * (KEYS_MAX_CHORDS + 1)] = '\0';
	check(keys_parse(many, NULL) == NULL,
	    "keys_parse of more than 256 chords, NULL cause");
	free(many);
	check(keys_parse_chord("", &ch, NULL) == -1 &&
	    keys_parse_chord("ctrl+", &ch, NULL) == -1,
	    "keys_parse_chord, NULL cause");
	check(keys_utf8_decode("\xff", 1, &cp, &n, NULL) == -1 && cp == NULL,
	    "keys_utf8_decode, NULL cause");
}

int
main(void)
{
	test_keys();
	test_null_cause();
	return (failed != 0);
}
