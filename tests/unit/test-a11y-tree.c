/*
 * test-a11y-tree.c: the parts of the accessibility tree that need no bus:
 * Python's repr(float), text cleaning, str.rstrip, the Calc scan, OSWorld's
 * XML (attribute order, escaping, duplicate action names), /terminal's
 * XPath and the native JSON filters.  The expected values were produced by
 * CPython 3.11 and lxml 4.9 (Debian 12) on the same inputs, and the Calc
 * scan's by xlang-ai/OSWorld's loop (desktop_env/server/main.py:548-566)
 * run on the same grids.
 */
#include <sys/types.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <jansson.h>

#include "a11y_tree.h"
#include "tst.h"
#include "xmalloc.h"

static const struct {
	double		 v;
	const char	*want;
} floats[] = {
	{ 0.0, "0.0" },
	{ 25.0, "25.0" },
	{ 0.1, "0.1" },
	{ 1e-05, "1e-05" },
	{ 0.0001, "0.0001" },
	{ 1e+16, "1e+16" },
	{ 1000000000000000.0, "1000000000000000.0" },
	{ 1.5e+16, "1.5e+16" },
	{ -0.0, "-0.0" },
	{ 123.456, "123.456" },
	{ 0.3333333333333333, "0.3333333333333333" },
	{ 2.5e-07, "2.5e-07" },
	{ 1e+100, "1e+100" },
	{ 5e-324, "5e-324" },
	{ 1.7976931348623157e+308, "1.7976931348623157e+308" },
	{ 100.0, "100.0" },
	{ -7.25, "-7.25" },
	{ 0.5, "0.5" },
};

struct grid {
	int	 kind;
	long	 out[64];
	int	 n;
};

static int
grid_showing(long i, void *arg)
{
	struct grid	*g = arg;

	switch (g->kind) {
	case 0:
		return (i / 16 >= 2 && i / 16 <= 4 && i % 16 >= 3 &&
		    i % 16 <= 5);
	case 1:
		return (i % 16 == 0 && i / 16 < 3);
	default:
		return (i >= 40 ? -1 : 0);
	}
}

static void
grid_emit(long i, void *arg)
{
	struct grid	*g = arg;

	if (g->n < 64)
		g->out[g->n++] = i;
}

static char *
grid_str(struct grid *g)
{
	char	 buf[512];
	size_t	 o = 0;
	int	 i;

	buf[0] = '\0';
	for (i = 0; i < g->n; i++)
		o += snprintf(buf + o, sizeof buf - o, "%s%ld", i ? "," : "",
		    g->out[i]);
	return (xstrdup(buf));
}

static struct a11y_node *
node(const char *role, const char *name)
{
	struct a11y_node	*n = a11y_node_new();

	n->role = xstrdup(role);
	n->name = xstrdup(name);
	return (n);
}

static const char *want_xml =
    "<desktop-frame"
    " xmlns:st=\"https://accessibility.ubuntu.example.org/ns/state\""
    " xmlns:attr=\"https://accessibility.ubuntu.example.org/ns/attributes\""
    " xmlns:cp=\"https://accessibility.ubuntu.example.org/ns/component\""
    " xmlns:doc=\"https://accessibility.ubuntu.example.org/ns/document\""
    " xmlns:docattr=\"https://accessibility.ubuntu.example.org/ns/document/attributes\""
    " xmlns:txt=\"https://accessibility.ubuntu.example.org/ns/text\""
    " xmlns:val=\"https://accessibility.ubuntu.example.org/ns/value\""
    " xmlns:act=\"https://accessibility.ubuntu.example.org/ns/action\">"
    "<application name=\"app\"><push-button name=\"a&quot;b&lt;&amp;&gt;&#10;\""
    " st:focusable=\"true\" st:multi_line=\"true\" st:showing=\"true\""
    " st:visible=\"true\" attr:toolkit=\"gtk\" cp:screencoord=\"(10, -20)\""
    " cp:size=\"(30, 40)\" image=\"true\" val:value=\"25.0\" val:step=\"0.1\""
    " act:click_desc=\"second\" act:click_kb=\"k\""
    " act:expand-or-contract_desc=\"x\""
    " act:expand-or-contract_kb=\"&lt;Alt&gt;e\">t&lt;&gt;&amp;&#13;\n\"\t\xc3\xa9"
    "</push-button><unknown name=\"\"/></application></desktop-frame>";

static void
test_xml(void)
{
	struct a11y_tree	*t;
	struct a11y_node	*app, *b;
	struct evbuffer		*buf;
	json_t			*j;
	char			*s, *x;
	size_t			 len;

	t = a11y_tree_new();
	app = node("application", "app");
	a11y_node_add_child(t->root, app);
	b = node("push button", "a\"b<&>\n");
	b->states = (1ULL << 11) | (1ULL << 17) | (1ULL << 25) | (1ULL << 30);
	a11y_node_set_attr(b, "toolkit", "gtk");
	a11y_node_set_attr(b, "bad name", "dropped");	/* lxml refuses it */
	b->has_extents = 1;
	b->x = 10;
	b->y = -20;
	b->w = 30;
	b->h = 40;
	b->image = 1;
	b->has_value = 1;
	b->value_ok = (1U << A11Y_VALUE_CURRENT) | (1U << A11Y_VALUE_STEP);
	b->value[A11Y_VALUE_CURRENT] = 25.0;
	b->value[A11Y_VALUE_STEP] = 0.1;
	a11y_node_add_action(b, "click", "first", "");
	a11y_node_add_action(b, "expand or contract", "x", "<Alt>e");
	a11y_node_add_action(b, "click", "second", "k");
	b->text = a11y_tree_clean_text("t<>&\r\n\"\t\xc3\xa9\x01");
	a11y_node_add_child(app, b);
	a11y_node_add_child(app, node("  ", ""));
	buf = evbuffer_new();
	a11y_tree_xml(t, buf);
	len = evbuffer_get_length(buf);
	x = xmalloc(len + 1);
	evbuffer_remove(buf, x, len);
	x[len] = '\0';
	TST_STR_EQ(x, want_xml, "XML: lxml's bytes (order, escapes, dict "
	    "rules, control characters dropped, empty role unknown)");
	free(x);
	evbuffer_free(buf);

	t->partial = 1;
	s = a11y_tree_osworld_json(t, &len);
	j = json_loads(s, 0, NULL);
	TST_OK(j != NULL && json_is_true(json_object_get(j, "partial")),
	    "/accessibility JSON: partial beside AT");
	TST_OK(j != NULL && strstr(json_string_value(json_object_get(j, "AT")),
	    "xmlns:act=\"https://accessibility.ubuntu.example.org/ns/action\""
	    " partial=\"true\">") != NULL, "the root says partial=\"true\"");
	json_decref(j);
	free(s);
	a11y_tree_free(t);
}

static void
test_json(void)
{
	struct a11y_tree	*t;
	struct a11y_node	*app, *f, *b, *h;
	struct a11y_filter	 flt;
	json_t			*j, *m;

	t = a11y_tree_new();
	app = node("application", "gedit");
	f = node("frame", "Doc");
	f->states = (1ULL << A11Y_STATE_VISIBLE) | (1ULL << A11Y_STATE_SHOWING);
	b = node("push button", "Save As");
	b->states = f->states;
	b->has_extents = 1;
	b->x = 5;
	b->y = 6;
	b->w = 7;
	b->h = 8;
	h = node("push button", "Hidden save");
	a11y_node_add_child(t->root, app);
	a11y_node_add_child(app, f);
	a11y_node_add_child(f, b);
	a11y_node_add_child(f, h);

	memset(&flt, 0, sizeof flt);
	flt.role = "push-button";
	flt.name = "SAVE";
	j = a11y_tree_json(t, &flt);
	m = json_object_get(j, "matches");
	TST_INT_EQ(json_array_size(m), 2, "role=push-button name=SAVE: both");
	TST_STR_EQ(json_string_value(json_object_get(json_array_get(m, 0),
	    "app")), "gedit", "a match names its application");
	TST_INT_EQ(json_integer_value(json_object_get(json_object_get(
	    json_array_get(m, 0), "bounds"), "width")), 7, "with its bounds");
	TST_INT_EQ(json_array_size(json_object_get(json_array_get(m, 0),
	    "path")), 3, "and its path from the desktop");
	json_decref(j);
	flt.visible = 1;
	j = a11y_tree_json(t, &flt);
	TST_INT_EQ(json_array_size(json_object_get(j, "matches")), 1,
	    "visible=1: only the showing one");
	json_decref(j);
	memset(&flt, 0, sizeof flt);
	j = a11y_tree_json(t, &flt);
	TST_STR_EQ(json_string_value(json_object_get(json_object_get(j,
	    "tree"), "role")), "desktop frame", "no filter: the tree");
	json_decref(j);
	a11y_tree_free(t);
}

static void
test_terminal(void)
{
	struct a11y_tree	*t;
	struct a11y_node	*app, *f, *term, *t2;
	char			*s;

	t = a11y_tree_new();
	app = node("application", "gnome-terminal-server");
	f = node("frame", "Terminal");
	f->states = 1ULL << A11Y_STATE_ACTIVE;
	term = node("terminal", "Terminal");
	term->states = 1ULL << A11Y_STATE_FOCUSED;
	term->text = xstrdup("$ ls\nfile\n$ \n\n\xe3\x80\x80\n");
	a11y_node_add_child(t->root, app);
	a11y_node_add_child(app, f);
	a11y_node_add_child(f, term);
	s = a11y_tree_terminal_text(t);
	TST_STR_EQ(s, "$ ls\nfile\n$", "/terminal: the text, rstripped");
	free(s);
	f->states = 0;
	TST_OK(a11y_tree_terminal_text(t) == NULL,
	    "/terminal: no active frame, null");
	f->states = 1ULL << A11Y_STATE_ACTIVE;
	t2 = node("terminal", "Second");
	t2->states = 1ULL << A11Y_STATE_FOCUSED;
	a11y_node_add_child(f, t2);
	TST_OK(a11y_tree_terminal_text(t) == NULL,
	    "/terminal: two focused terminals, null (len != 1)");
	t2->states = 0;
	free(term->text);
	term->text = NULL;
	s = a11y_tree_terminal_text(t);
	TST_STR_EQ(s, "", "/terminal: an empty terminal is \"\" (upstream: 500)");
	free(s);
	a11y_tree_free(t);
}

int
main(void)
{
	struct grid	 g;
	char		 buf[64], *s;
	u_int		 i;

	for (i = 0; i < sizeof floats / sizeof floats[0]; i++) {
		a11y_tree_pyfloat(floats[i].v, buf, sizeof buf);
		TST_STR_EQ(buf, floats[i].want, "repr(%.17g)", floats[i].v);
	}
	a11y_tree_pyfloat(INFINITY, buf, sizeof buf);
	TST_STR_EQ(buf, "inf", "repr(inf)");
	a11y_tree_pyfloat(-INFINITY, buf, sizeof buf);
	TST_STR_EQ(buf, "-inf", "repr(-inf)");
	a11y_tree_pyfloat(NAN, buf, sizeof buf);
	TST_STR_EQ(buf, "nan", "repr(nan)");

	s = a11y_tree_clean_text("a\xef\xbf\xbc" "b\xef\xbf\xbd" "c");
	TST_STR_EQ(s, "abc", "text: U+FFFC and U+FFFD removed");
	free(s);
	s = xstrdup("hi \n\t\xc2\xa0\xe3\x80\x80");
	a11y_tree_rstrip(s);
	TST_STR_EQ(s, "hi", "rstrip: ASCII, U+00A0, U+3000");
	free(s);
	s = xstrdup("  ");
	a11y_tree_rstrip(s);
	TST_STR_EQ(s, "", "rstrip: all blank");
	free(s);
	TST_STR_EQ(a11y_tree_state_name(17), "multi_line",
	    "state 17 is multi_line (not the GEnum nick)");
	TST_STR_EQ(a11y_tree_state_name(43), "read_only", "state 43 read_only");
	TST_OK(a11y_tree_state_name(45) == NULL, "state 45 has no name");

	memset(&g, 0, sizeof g);
	a11y_tree_calc_scan(16, grid_showing, grid_emit, &g);
	s = grid_str(&g);
	TST_STR_EQ(s, "35,36,37,51,52,53,67,68,69",
	    "Calc scan: a 3x3 block of showing cells");
	free(s);
	memset(&g, 0, sizeof g);
	g.kind = 1;
	a11y_tree_calc_scan(16, grid_showing, grid_emit, &g);
	s = grid_str(&g);
	TST_STR_EQ(s, "0,16,32", "Calc scan: column 0 only");
	free(s);
	memset(&g, 0, sizeof g);
	g.kind = 2;
	TST_INT_EQ(a11y_tree_calc_scan(16, grid_showing, grid_emit, &g), 0,
	    "Calc scan: stops at the end of the children");

	test_xml();
	test_json();
	test_terminal();
	return (tst_done());
}
