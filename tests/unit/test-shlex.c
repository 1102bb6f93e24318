/*
 * test-shlex.c: shlex_split against Python's shlex.split.  The expected
 * vectors were produced by CPython 3.11's shlex.split on the same inputs
 * (errors: the ValueError message).
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shlex.h"
#include "strv.h"

struct shlex_case {
	const char	*in;
	const char	*want[8];
	const char	*error;
};

static const struct shlex_case cases[] = {
	{ "ls -la", { "ls", "-la", NULL }, NULL },
	{ "  leading and   trailing  ", { "leading", "and", "trailing", NULL }, NULL },
	{ "", { NULL }, NULL },
	{ "   ", { NULL }, NULL },
	{ "a\tb\nc\rd", { "a", "b", "c", "d", NULL }, NULL },
	{ "echo 'single quoted  text'", { "echo", "single quoted  text", NULL }, NULL },
	{ "echo \"double quoted  text\"", { "echo", "double quoted  text", NULL }, NULL },
	{ "a'b'c", { "abc", NULL }, NULL },
	{ "a\"b\"c", { "abc", NULL }, NULL },
	{ "''", { "", NULL }, NULL },
	{ "\"\"", { "", NULL }, NULL },
	{ "a '' b", { "a", "", "b", NULL }, NULL },
	{ "a \"\" b", { "a", "", "b", NULL }, NULL },
	{ "x''", { "x", NULL }, NULL },
	{ "\"\"y", { "y", NULL }, NULL },
	{ "echo \\\"hi\\\"", { "echo", "\"hi\"", NULL }, NULL },
	{ "a\\ b", { "a b", NULL }, NULL },
	{ "a\\\\b", { "a\\b", NULL }, NULL },
	{ "'a\\b'", { "a\\b", NULL }, NULL },
	{ "\"a\\b\"", { "a\\b", NULL }, NULL },
	{ "\"a\\\\b\"", { "a\\b", NULL }, NULL },
	{ "\"a\\\"b\"", { "a\"b", NULL }, NULL },
	{ "\"\\$HOME\"", { "\\$HOME", NULL }, NULL },
	{ "'it'\\''s'", { "it's", NULL }, NULL },
	{ "\"it's\"", { "it's", NULL }, NULL },
	{ "python -c \"import pyautogui; pyautogui.click(10, 20)\"", { "python", "-c", "import pyautogui; pyautogui.click(10, 20)", NULL }, NULL },
	{ "echo $HOME ~/x", { "echo", "$HOME", "~/x", NULL }, NULL },
	{ "a#b # not a comment", { "a#b", "#", "not", "a", "comment", NULL }, NULL },
	{ "é ü \"日本語 text\"", { "é", "ü", "日本語 text", NULL }, NULL },
	{ "\\é", { "é", NULL }, NULL },
	{ "\"a\"'b'c", { "abc", NULL }, NULL },
	{ "a;b|c&&d", { "a;b|c&&d", NULL }, NULL },
	{ "--opt=\"value with space\"", { "--opt=value with space", NULL }, NULL },
	{ "tail\\\\", { "tail\\", NULL }, NULL },
	{ "\"\\\\\"", { "\\", NULL }, NULL },
	{ "\"\\'\"", { "\\'", NULL }, NULL },
	{ "'\\\"'", { "\\\"", NULL }, NULL },
	{ "x\\\ny", { "x\ny", NULL }, NULL },
	{ "\"unbalanced", { NULL }, "No closing quotation" },
	{ "'unbalanced", { NULL }, "No closing quotation" },
	{ "a \"b c", { NULL }, "No closing quotation" },
	{ "trailing\\", { NULL }, "No escaped character" },
	{ "\"esc\\\"", { NULL }, "No closing quotation" },
	{ "'", { NULL }, "No closing quotation" },
	{ "\"", { NULL }, "No closing quotation" },
	{ "ok \"x\\\"", { NULL }, "No closing quotation" },
};

static int	 failed;

static void
check(int cond, const char *what, const char *in)
{
	const char	*p;

	/* One line per check: control characters are shown as '?'. */
	printf("%s - %s: [", cond ? "ok" : "not ok", what);
	for (p = in; *p != '\0'; p++)
		putchar((unsigned char)*p < 0x20 ? '?' : *p);
	printf("]\n");
	if (!cond)
		failed++;
}

static void
test_split(void)
{
	const struct shlex_case	*c;
	char			**v, *cause;
	size_t			 i, k;
	int			 argc, same;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		c = &cases[i];
		v = shlex_split(c->in, strlen(c->in), &argc, &cause);
		if (c->error != NULL) {
			check(v == NULL && cause != NULL &&
			    strcmp(cause, c->error) == 0, "split error", c->in);
			free(cause);
			strv_free(v);
			continue;
		}
		same = v != NULL;
		for (k = 0; same; k++) {
			if (c->want[k] == NULL || v[k] == NULL) {
				same = c->want[k] == NULL && v[k] == NULL &&
				    (int)k == argc;
				break;
			}
			same = strcmp(c->want[k], v[k]) == 0;
		}
		check(same, "split", c->in);
		if (!same && v != NULL) {
			for (k = 0; v[k] != NULL; k++)
				printf("#   got [%s]\n", v[k]);
		}
		free(cause);
		strv_free(v);
	}
}

static void
test_expanduser(void)
{
	struct passwd	*pw;
	char		*s, want[4096];

	setenv("HOME", "/home/tester/", 1);
	s = shlex_expanduser("~/Desktop/a.txt");
	check(strcmp(s, "/home/tester/Desktop/a.txt") == 0, "expanduser ~/",
	    s);
	free(s);
	s = shlex_expanduser("~");
	check(strcmp(s, "/home/tester") == 0, "expanduser ~", s);
	free(s);
	s = shlex_expanduser("a/~/b");
	check(strcmp(s, "a/~/b") == 0, "expanduser leaves others", s);
	free(s);
	/* ~user comes from the password database, as Python's does. */
	if ((pw = getpwnam("root")) != NULL) {
		snprintf(want, sizeof want, "%s/x", pw->pw_dir);
		s = shlex_expanduser("~root/x");
		check(strcmp(s, want) == 0, "expanduser ~root", s);
		free(s);
	}
	s = shlex_expanduser("~no-such-user-here/x");
	check(strcmp(s, "~no-such-user-here/x") == 0,
	    "expanduser unknown user unchanged", s);
	free(s);
	setenv("HOME", "/", 1);
	s = shlex_expanduser("~/x");
	check(strcmp(s, "/x") == 0, "expanduser with HOME=/", s);
	free(s);
}

int
main(void)
{
	test_split();
	test_expanduser();
	return (failed != 0);
}
