/*
 * a11y_tree.c: the accessibility tree's nodes, OSWorld's XML, deskd's
 * JSON, and the rules of OSWorld's walk that need no D-Bus (see
 * a11y_tree.h).  Line numbers cite xlang-ai/OSWorld's
 * desktop_env/server/main.py (1797 lines, 2025).
 */
#include <sys/types.h>

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <jansson.h>

#include "a11y_tree.h"
#include "xmalloc.h"

/*
 * pyatspi's StateType._enum_lookup (pyatspi/state.py:29-74) minus the
 * STATE_ prefix, lower case, underscores kept (main.py:431-433).  The
 * GEnum nicks of libatspi have hyphens ("multi-line") and must not be
 * used.
 */
static const char *a11y_tree_states[A11Y_NSTATES] = {
	"invalid", "active", "armed", "busy", "checked", "collapsed",
	"defunct", "editable", "enabled", "expandable", "expanded",
	"focusable", "focused", "has_tooltip", "horizontal", "iconified",
	"modal", "multi_line", "multiselectable", "opaque", "pressed",
	"resizable", "selectable", "selected", "sensitive", "showing",
	"single_line", "stale", "transient", "vertical", "visible",
	"manages_descendants", "indeterminate", "required", "truncated",
	"animated", "invalid_entry", "supports_autocompletion",
	"selectable_text", "is_default", "visited", "checkable", "has_popup",
	"read_only", "last_defined"
};

/* _accessibility_ns_map["ubuntu"] (main.py:370-380), in its order. */
static const char *a11y_tree_ns[][2] = {
	{ "st", "https://accessibility.ubuntu.example.org/ns/state" },
	{ "attr", "https://accessibility.ubuntu.example.org/ns/attributes" },
	{ "cp", "https://accessibility.ubuntu.example.org/ns/component" },
	{ "doc", "https://accessibility.ubuntu.example.org/ns/document" },
	{ "docattr",
	    "https://accessibility.ubuntu.example.org/ns/document/attributes" },
	{ "txt", "https://accessibility.ubuntu.example.org/ns/text" },
	{ "val", "https://accessibility.ubuntu.example.org/ns/value" },
	{ "act", "https://accessibility.ubuntu.example.org/ns/action" }
};

static const char *a11y_tree_value_names[A11Y_NVALUES] = {
	"value", "min", "max", "step"
};
static const char *a11y_tree_value_keys[A11Y_NVALUES] = {
	"current", "min", "max", "step"
};

#define A11Y_CALC_MAX_ROW	1048576		/* main.py:546 */
#define A11Y_CALC_GIVE_UP	500		/* main.py:560,563 */

struct a11y_node *
a11y_node_new(void)
{
	return (xcalloc(1, sizeof (struct a11y_node)));
}

void
a11y_node_free(struct a11y_node *n)
{
	u_int	 i;

	if (n == NULL)
		return;
	for (i = 0; i < n->nchildren; i++)
		a11y_node_free(n->children[i]);
	free(n->children);
	for (i = 0; i < n->nattrs; i++) {
		free(n->attrs[i].key);
		free(n->attrs[i].value);
	}
	free(n->attrs);
	for (i = 0; i < n->nactions; i++) {
		free(n->actions[i].name);
		free(n->actions[i].desc);
		free(n->actions[i].kb);
	}
	free(n->actions);
	free(n->role);
	free(n->name);
	free(n->text);
	free(n);
}

void
a11y_node_add_child(struct a11y_node *n, struct a11y_node *child)
{
	if (n->nchildren == n->achildren) {
		n->achildren = n->achildren == 0 ? 4 : n->achildren * 2;
		n->children = xreallocarray(n->children, n->achildren,
		    sizeof *n->children);
	}
	n->children[n->nchildren++] = child;
}

void
a11y_node_set_attr(struct a11y_node *n, const char *key, const char *value)
{
	u_int	 i;

	/* A Python dict: a key set again keeps its place. */
	for (i = 0; i < n->nattrs; i++) {
		if (strcmp(n->attrs[i].key, key) == 0) {
			free(n->attrs[i].value);
			n->attrs[i].value = xstrdup(value);
			return;
		}
	}
	n->attrs = xreallocarray(n->attrs, n->nattrs + 1, sizeof *n->attrs);
	n->attrs[n->nattrs].key = xstrdup(key);
	n->attrs[n->nattrs].value = xstrdup(value);
	n->nattrs++;
}

void
a11y_node_add_action(struct a11y_node *n, const char *name, const char *desc,
    const char *kb)
{
	struct a11y_action	*a;

	n->actions = xreallocarray(n->actions, n->nactions + 1,
	    sizeof *n->actions);
	a = &n->actions[n->nactions++];
	a->name = xstrdup(name);
	a->desc = xstrdup(desc != NULL ? desc : "");
	a->kb = xstrdup(kb != NULL ? kb : "");
}

int
a11y_node_has_state(const struct a11y_node *n, int state)
{
	return ((n->states & (1ULL << state)) != 0);
}

struct a11y_tree *
a11y_tree_new(void)
{
	struct a11y_tree	*t;

	t = xcalloc(1, sizeof *t);
	t->root = a11y_node_new();
	t->root->role = xstrdup("desktop frame");
	t->root->name = xstrdup("main");
	return (t);
}

void
a11y_tree_free(struct a11y_tree *t)
{
	if (t == NULL)
		return;
	a11y_node_free(t->root);
	free(t);
}

const char *
a11y_tree_state_name(int state)
{
	if (state < 0 || state >= A11Y_NSTATES)
		return (NULL);
	return (a11y_tree_states[state]);
}

/*
 * repr(float) (Python's float_repr_style "short"): the fewest digits
 * that read back the same value; positional when the decimal exponent is
 * in [-4, 16), else d.ddde+XX (main.py:495 formats val: with str()).
 */
void
a11y_tree_pyfloat(double v, char *out, size_t len)
{
	char	 buf[64], digits[32];
	char	*e;
	int	 prec, exp, nd, decpt, i;
	size_t	 o;

	if (isnan(v)) {
		snprintf(out, len, "nan");
		return;
	}
	if (isinf(v)) {
		snprintf(out, len, "%sinf", v < 0 ? "-" : "");
		return;
	}
	for (prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof buf, "%.*e", prec - 1, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	/* buf is [-]d[.ddd]e[+-]XX */
	nd = 0;
	for (i = 0; buf[i] != 'e' && buf[i] != '\0'; i++)
		if (isdigit((u_char)buf[i]) && nd < (int)sizeof digits - 1)
			digits[nd++] = buf[i];
	digits[nd] = '\0';
	e = strchr(buf, 'e');
	exp = e != NULL ? atoi(e + 1) : 0;
	while (nd > 1 && digits[nd - 1] == '0')
		digits[--nd] = '\0';
	o = 0;
	if (signbit(v))
		o += snprintf(out + o, len - o, "-");
	if (exp < -4 || exp >= 16) {
		snprintf(out + o, len - o, "%c%s%.*se%c%02d", digits[0],
		    nd > 1 ? "." : "", nd - 1, digits + 1, exp < 0 ? '-' : '+',
		    exp < 0 ? -exp : exp);
		return;
	}
	decpt = exp + 1;
	if (decpt <= 0) {
		o += snprintf(out + o, len - o, "0.");
		for (i = 0; i < -decpt && o + 1 < len; i++)
			out[o++] = '0';
		snprintf(out + o, len - o, "%s", digits);
	} else if (decpt >= nd) {
		o += snprintf(out + o, len - o, "%s", digits);
		for (i = 0; i < decpt - nd && o + 1 < len; i++)
			out[o++] = '0';
		snprintf(out + o, len - o, ".0");
	} else
		snprintf(out + o, len - o, "%.*s.%s", decpt, digits,
		    digits + decpt);
}

/* Decode one UTF-8 sequence (D-Bus strings are valid UTF-8). */
static u_int
a11y_tree_utf8(const u_char *s, int *len)
{
	if (s[0] < 0x80) {
		*len = 1;
		return (s[0]);
	}
	if ((s[0] & 0xe0) == 0xc0 && s[1] != '\0') {
		*len = 2;
		return (((s[0] & 0x1f) << 6) | (s[1] & 0x3f));
	}
	if ((s[0] & 0xf0) == 0xe0 && s[1] != '\0' && s[2] != '\0') {
		*len = 3;
		return (((s[0] & 0x0f) << 12) | ((s[1] & 0x3f) << 6) |
		    (s[2] & 0x3f));
	}
	if ((s[0] & 0xf8) == 0xf0 && s[1] != '\0' && s[2] != '\0' &&
	    s[3] != '\0') {
		*len = 4;
		return (((s[0] & 0x07) << 18) | ((s[1] & 0x3f) << 12) |
		    ((s[2] & 0x3f) << 6) | (s[3] & 0x3f));
	}
	*len = 1;
	return (0xfffd);
}

char *
a11y_tree_clean_text(const char *s)
{
	const u_char	*p = (const u_char *)s;
	char		*out, *o;
	u_int		 c;
	int		 n;

	o = out = xmalloc(strlen(s) + 1);
	while (*p != '\0') {
		c = a11y_tree_utf8(p, &n);
		/* main.py:464: "Object Replacement" and "Replacement". */
		if (c != 0xfffc && c != 0xfffd) {
			memcpy(o, p, n);
			o += n;
		}
		p += n;
	}
	*o = '\0';
	return (out);
}

/* str.isspace() for one code point. */
static int
a11y_tree_pyspace(u_int c)
{
	return ((c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20) ||
	    c == 0x85 || c == 0xa0 || c == 0x1680 ||
	    (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 ||
	    c == 0x202f || c == 0x205f || c == 0x3000);
}

void
a11y_tree_rstrip(char *s)
{
	const u_char	*p = (const u_char *)s;
	char		*keep = s;
	u_int		 c;
	int		 n;

	while (*p != '\0') {
		c = a11y_tree_utf8(p, &n);
		p += n;
		if (!a11y_tree_pyspace(c))
			keep = (char *)p;
	}
	*keep = '\0';
}

long
a11y_tree_calc_scan(long maxcol, a11y_showing_cb showing, a11y_emit_cb emit,
    void *arg)
{
	long	 r, clm = 0, column_base = -1, index_base = 0, n = 0;
	int	 first_showing = 0, s;

	/* main.py:548-566, statement for statement. */
	for (r = 0; r < A11Y_CALC_MAX_ROW; r++) {
		for (clm = column_base > 0 ? column_base : 0; clm < maxcol;
		    clm++) {
			if ((s = showing(index_base + clm, arg)) < 0)
				return (n);
			if (s) {
				emit(index_base + clm, arg);
				n++;
				if (!first_showing) {
					column_base = clm;
					first_showing = 1;
				}
			} else if ((first_showing && column_base >= 0) ||
			    clm >= A11Y_CALC_GIVE_UP)
				break;
		}
		/* After a loop that ran out, Python's clm is the last one. */
		if (clm == maxcol)
			clm = maxcol - 1;
		if ((first_showing && clm == column_base) ||
		    (!first_showing && r >= A11Y_CALC_GIVE_UP))
			break;
		index_base += maxcol;
	}
	return (n);
}

/*
 * An XML Name as lxml accepts it for a tag or an attribute's local name
 * (no colon).  Non-ASCII is let through: every letter beyond ASCII that
 * a toolkit uses is a NameChar.
 */
static int
a11y_tree_xml_name_ok(const char *s)
{
	const u_char	*p = (const u_char *)s;

	if (*p == '\0' || (!isalpha(*p) && *p != '_' && *p < 0x80))
		return (0);
	for (; *p != '\0'; p++) {
		if (*p >= 0x80)
			continue;
		if (!isalnum(*p) && *p != '_' && *p != '-' && *p != '.')
			return (0);
	}
	return (1);
}

/*
 * Characters, escaped as libxml2 does for lxml: in attribute values
 * '<' '>' '&' '"' and \n \r \t (xmlBufAttrSerializeTxtContent), in text
 * '<' '>' '&' and \r.  Characters XML cannot hold (C0 controls, U+FFFE,
 * U+FFFF) are dropped: lxml refuses them, which upstream turns into a
 * lost subtree.
 */
static void
a11y_tree_xml_escape(struct evbuffer *b, const char *s, int attr)
{
	const u_char	*p = (const u_char *)s, *run = p;
	const char	*rep;
	u_int		 c;
	int		 n;

	while (*p != '\0') {
		rep = NULL;
		n = 1;
		switch (*p) {
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '&':
			rep = "&amp;";
			break;
		case '"':
			rep = attr ? "&quot;" : NULL;
			break;
		case '\n':
			rep = attr ? "&#10;" : NULL;
			break;
		case '\t':
			rep = attr ? "&#9;" : NULL;
			break;
		case '\r':
			rep = "&#13;";
			break;
		default:
			if (*p < 0x20)
				rep = "";
			else if (*p >= 0x80) {
				c = a11y_tree_utf8(p, &n);
				if (c == 0xfffe || c == 0xffff)
					rep = "";
			}
			break;
		}
		if (rep != NULL) {
			evbuffer_add(b, run, p - run);
			evbuffer_add(b, rep, strlen(rep));
			p += n;
			run = p;
		} else
			p += n;
	}
	evbuffer_add(b, run, p - run);
}

static void
a11y_tree_xml_attr(struct evbuffer *b, const char *prefix, const char *name,
    const char *suffix, const char *value)
{
	evbuffer_add(b, " ", 1);
	if (prefix != NULL)
		evbuffer_add_printf(b, "%s:", prefix);
	evbuffer_add_printf(b, "%s%s=\"", name, suffix);
	a11y_tree_xml_escape(b, value, 1);
	evbuffer_add(b, "\"", 1);
}

/* getRoleName().strip(), "unknown" when empty, spaces as '-' (main.py:517). */
static char *
a11y_tree_tag(const char *role)
{
	const char	*s = role, *e;
	char		*tag, *p;

	while (*s != '\0' && isspace((u_char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((u_char)e[-1]))
		e--;
	if (e == s)
		return (xstrdup("unknown"));
	tag = xstrndup(s, e - s);
	for (p = tag; *p != '\0'; p++)
		if (*p == ' ')
			*p = '-';
	if (!a11y_tree_xml_name_ok(tag)) {
		/* lxml would refuse it; keep the element under a safe name. */
		for (p = tag; *p != '\0'; p++)
			if ((u_char)*p < 0x80 && !isalnum((u_char)*p) &&
			    *p != '_' && *p != '.')
				*p = '-';
		if (!isalpha((u_char)tag[0]) && (u_char)tag[0] < 0x80 &&
		    tag[0] != '_') {
			p = tag;
			xasprintf(&tag, "unknown-%s", p);
			free(p);
		}
	}
	return (tag);
}

/* Is this the key of an action already written (a dict keeps one)? */
static int
a11y_tree_action_seen(const struct a11y_node *n, u_int upto)
{
	u_int	 i;

	for (i = 0; i < upto; i++)
		if (strcmp(n->actions[i].name, n->actions[upto].name) == 0)
			return (1);
	return (0);
}

/* The last action of this name: its values win in a dict. */
static const struct a11y_action *
a11y_tree_action_last(const struct a11y_node *n, u_int from)
{
	const struct a11y_action	*a = &n->actions[from];
	u_int				 i;

	for (i = from + 1; i < n->nactions; i++)
		if (strcmp(n->actions[i].name, a->name) == 0)
			a = &n->actions[i];
	return (a);
}

static void
a11y_tree_xml_node(const struct a11y_node *n, struct evbuffer *b)
{
	const struct a11y_action	*a;
	char				*tag, *aname, *p, num[64], buf[96];
	u_int				 i;
	int				 s;

	tag = a11y_tree_tag(n->role != NULL ? n->role : "");
	evbuffer_add_printf(b, "<%s", tag);
	/* Attribute order is the dict's (main.py:424-512). */
	a11y_tree_xml_attr(b, NULL, "name", "", n->name != NULL ? n->name : "");
	for (s = 0; s < 64; s++) {
		if ((n->states & (1ULL << s)) == 0)
			continue;
		if (s < A11Y_NSTATES)
			a11y_tree_xml_attr(b, "st", a11y_tree_states[s], "",
			    "true");
	}
	for (i = 0; i < n->nattrs; i++) {
		if (!a11y_tree_xml_name_ok(n->attrs[i].key))
			continue;
		a11y_tree_xml_attr(b, "attr", n->attrs[i].key, "",
		    n->attrs[i].value);
	}
	if (n->has_extents) {
		snprintf(buf, sizeof buf, "(%d, %d)", n->x, n->y);
		a11y_tree_xml_attr(b, "cp", "screencoord", "", buf);
		snprintf(buf, sizeof buf, "(%d, %d)", n->w, n->h);
		a11y_tree_xml_attr(b, "cp", "size", "", buf);
	}
	if (n->image)
		a11y_tree_xml_attr(b, NULL, "image", "", "true");
	if (n->selection)
		a11y_tree_xml_attr(b, NULL, "selection", "", "true");
	for (i = 0; i < A11Y_NVALUES; i++) {
		if (!n->has_value || (n->value_ok & (1U << i)) == 0)
			continue;
		a11y_tree_pyfloat(n->value[i], num, sizeof num);
		a11y_tree_xml_attr(b, "val", a11y_tree_value_names[i], "",
		    num);
	}
	for (i = 0; i < n->nactions; i++) {
		if (a11y_tree_action_seen(n, i))
			continue;
		a = a11y_tree_action_last(n, i);
		aname = xstrdup(a->name);
		for (p = aname; *p != '\0'; p++)
			if (*p == ' ')
				*p = '-';
		if (a11y_tree_xml_name_ok(aname)) {
			a11y_tree_xml_attr(b, "act", aname, "_desc", a->desc);
			a11y_tree_xml_attr(b, "act", aname, "_kb", a->kb);
		}
		free(aname);
	}
	if ((n->text == NULL || *n->text == '\0') && n->nchildren == 0) {
		evbuffer_add(b, "/>", 2);
		free(tag);
		return;
	}
	evbuffer_add(b, ">", 1);
	if (n->text != NULL)
		a11y_tree_xml_escape(b, n->text, 0);
	for (i = 0; i < n->nchildren; i++)
		a11y_tree_xml_node(n->children[i], b);
	evbuffer_add_printf(b, "</%s>", tag);
	free(tag);
}

void
a11y_tree_xml(const struct a11y_tree *t, struct evbuffer *b)
{
	u_int	 i;

	/* The root is a bare element holding the namespaces (main.py:912). */
	evbuffer_add(b, "<desktop-frame", 14);
	for (i = 0; i < sizeof a11y_tree_ns / sizeof a11y_tree_ns[0]; i++)
		evbuffer_add_printf(b, " xmlns:%s=\"%s\"", a11y_tree_ns[i][0],
		    a11y_tree_ns[i][1]);
	if (t->partial)
		evbuffer_add_printf(b, " partial=\"true\"");
	if (t->root->nchildren == 0) {
		evbuffer_add(b, "/>", 2);
		return;
	}
	evbuffer_add(b, ">", 1);
	for (i = 0; i < t->root->nchildren; i++)
		a11y_tree_xml_node(t->root->children[i], b);
	evbuffer_add(b, "</desktop-frame>", 16);
}

char *
a11y_tree_osworld_json(const struct a11y_tree *t, size_t *len)
{
	struct evbuffer	*b;
	json_t		*obj, *s;
	char		*out;
	size_t		 n;

	b = evbuffer_new();
	a11y_tree_xml(t, b);
	n = evbuffer_get_length(b);
	s = json_stringn((const char *)evbuffer_pullup(b, -1), n);
	evbuffer_free(b);
	if (s == NULL)
		s = json_string("");
	obj = json_pack("{s:o}", "AT", s);
	if (t->partial)
		json_object_set_new(obj, "partial", json_true());
	out = json_dumps(obj, JSON_COMPACT);
	json_decref(obj);
	*len = strlen(out);
	return (out);
}

static int
a11y_tree_shown(const struct a11y_node *n)
{
	return (a11y_node_has_state(n, A11Y_STATE_VISIBLE) &&
	    a11y_node_has_state(n, A11Y_STATE_SHOWING));
}

/* One node without its children. */
static json_t *
a11y_tree_json_node(const struct a11y_node *n)
{
	const struct a11y_action	*a;
	json_t				*obj, *arr, *o;
	u_int				 i;
	int				 s;

	obj = json_pack("{s:s, s:s}", "role", n->role != NULL ? n->role : "",
	    "name", n->name != NULL ? n->name : "");
	arr = json_array();
	for (s = 0; s < A11Y_NSTATES; s++)
		if (a11y_node_has_state(n, s))
			json_array_append_new(arr,
			    json_string(a11y_tree_states[s]));
	json_object_set_new(obj, "states", arr);
	if (n->has_extents)
		json_object_set_new(obj, "bounds", json_pack(
		    "{s:i, s:i, s:i, s:i}", "x", n->x, "y", n->y,
		    "width", n->w, "height", n->h));
	if (n->text != NULL && *n->text != '\0')
		json_object_set_new(obj, "text", json_string(n->text));
	if (n->has_value) {
		o = json_object();
		for (i = 0; i < A11Y_NVALUES; i++)
			if ((n->value_ok & (1U << i)) && isfinite(n->value[i]))
				json_object_set_new(o,
				    a11y_tree_value_keys[i],
				    json_real(n->value[i]));
		json_object_set_new(obj, "value", o);
	}
	if (n->nactions > 0) {
		arr = json_array();
		for (i = 0; i < n->nactions; i++) {
			a = &n->actions[i];
			json_array_append_new(arr, json_pack(
			    "{s:s, s:s, s:s}", "name", a->name,
			    "description", a->desc, "key_binding", a->kb));
		}
		json_object_set_new(obj, "actions", arr);
	}
	if (n->nattrs > 0) {
		o = json_object();
		for (i = 0; i < n->nattrs; i++)
			json_object_set_new(o, n->attrs[i].key,
			    json_string(n->attrs[i].value));
		json_object_set_new(obj, "attributes", o);
	}
	if (n->image)
		json_object_set_new(obj, "image", json_true());
	if (n->selection)
		json_object_set_new(obj, "selection", json_true());
	return (obj);
}

static json_t *
a11y_tree_json_subtree(const struct a11y_node *n, int depth,
    const struct a11y_filter *f)
{
	json_t	*obj, *kids;
	u_int	 i;

	obj = a11y_tree_json_node(n);
	if (n->nchildren == 0)
		return (obj);
	kids = json_array();
	for (i = 0; i < n->nchildren; i++) {
		/* Applications (depth 1) have no states of their own. */
		if (f->visible && depth >= 1 &&
		    !a11y_tree_shown(n->children[i]))
			continue;
		json_array_append_new(kids, a11y_tree_json_subtree(
		    n->children[i], depth + 1, f));
	}
	json_object_set_new(obj, "children", kids);
	return (obj);
}

/* Role names compare with '-' and ' ' alike, any case. */
static int
a11y_tree_role_eq(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++) {
		if ((*a == '-' || *a == ' ') && (*b == '-' || *b == ' '))
			continue;
		if (tolower((u_char)*a) != tolower((u_char)*b))
			return (0);
	}
	return (*a == '\0' && *b == '\0');
}

struct a11y_tree_match {
	const struct a11y_filter *f;
	json_t		*out;
	u_int		 path[64];
	const char	*app;
	u_int		 count;
	int		 truncated;
};

#define A11Y_TREE_MAX_MATCHES	1000

static void
a11y_tree_find(struct a11y_tree_match *m, const struct a11y_node *n,
    int depth)
{
	const struct a11y_filter	*f = m->f;
	json_t				*obj, *path;
	u_int				 i;
	int				 hit;

	if (depth >= 1 && depth < 64) {
		hit = 1;
		if (f->role != NULL && !a11y_tree_role_eq(n->role, f->role))
			hit = 0;
		if (f->name != NULL && strcasestr(n->name, f->name) == NULL)
			hit = 0;
		if (hit && m->count >= A11Y_TREE_MAX_MATCHES) {
			m->truncated = 1;
			return;
		}
		if (hit) {
			obj = a11y_tree_json_node(n);
			json_object_set_new(obj, "app", json_string(m->app));
			path = json_array();
			for (i = 0; i < (u_int)depth; i++)
				json_array_append_new(path,
				    json_integer(m->path[i]));
			json_object_set_new(obj, "path", path);
			json_array_append_new(m->out, obj);
			m->count++;
		}
	}
	for (i = 0; i < n->nchildren && depth + 1 < 64; i++) {
		if (f->visible && depth >= 1 &&
		    !a11y_tree_shown(n->children[i]))
			continue;
		if (depth == 0)
			m->app = n->children[i]->name;
		m->path[depth] = i;
		a11y_tree_find(m, n->children[i], depth + 1);
	}
}

json_t *
a11y_tree_json(const struct a11y_tree *t, const struct a11y_filter *f)
{
	struct a11y_tree_match	 m;
	json_t			*obj;

	obj = json_pack("{s:b, s:I, s:i, s:i}", "partial", t->partial,
	    "elapsed_ms", (json_int_t)t->elapsed_ms, "nodes", (int)t->nodes,
	    "unresponsive", (int)t->unresponsive);
	if (t->partial && t->partial_why != NULL)
		json_object_set_new(obj, "partial_reason",
		    json_string(t->partial_why));
	if (f->role == NULL && f->name == NULL) {
		json_object_set_new(obj, "tree",
		    a11y_tree_json_subtree(t->root, 0, f));
		return (obj);
	}
	memset(&m, 0, sizeof m);
	m.f = f;
	m.out = json_array();
	m.app = "";
	a11y_tree_find(&m, t->root, 0);
	json_object_set_new(obj, "matches", m.out);
	if (m.truncated)
		json_object_set_new(obj, "truncated", json_true());
	return (obj);
}

/* //terminal[@st:focused="true"] under n, counted into *count. */
static void
a11y_tree_focused_terminals(const struct a11y_node *n,
    const struct a11y_node **found, u_int *count)
{
	u_int	 i;

	for (i = 0; i < n->nchildren; i++) {
		const struct a11y_node	*c = n->children[i];

		if (strcmp(c->role, "terminal") == 0 &&
		    a11y_node_has_state(c, A11Y_STATE_FOCUSED)) {
			*found = c;
			(*count)++;
		}
		a11y_tree_focused_terminals(c, found, count);
	}
}

static void
a11y_tree_terminal_apps(const struct a11y_node *n,
    const struct a11y_node **found, u_int *count)
{
	const struct a11y_node	*c, *f;
	u_int			 i, j;

	for (i = 0; i < n->nchildren; i++) {
		c = n->children[i];
		if (strcmp(c->role, "application") == 0 &&
		    strcmp(c->name, "gnome-terminal-server") == 0) {
			for (j = 0; j < c->nchildren; j++) {
				f = c->children[j];
				if (strcmp(f->role, "frame") == 0 &&
				    a11y_node_has_state(f, A11Y_STATE_ACTIVE))
					a11y_tree_focused_terminals(f, found,
					    count);
			}
		}
		a11y_tree_terminal_apps(c, found, count);
	}
}

char *
a11y_tree_terminal_text(const struct a11y_tree *t)
{
	const struct a11y_node	*found = NULL;
	u_int			 count = 0;
	char			*s;

	a11y_tree_terminal_apps(t->root, &found, &count);
	if (count != 1)
		return (NULL);
	/*
	 * Upstream calls .rstrip() on lxml's .text, None for an empty
	 * terminal, and answers 500; an empty terminal is "" here.
	 */
	s = xstrdup(found->text != NULL ? found->text : "");
	a11y_tree_rstrip(s);
	return (s);
}
