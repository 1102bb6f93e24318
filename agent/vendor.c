/*
 * vendor.c: what the vendor front ends share (see vendor.h): telling the
 * shapes apart, the batch, errors naming the call and the field, key-name
 * dialects, and the JSON the answer writers put out.
 */
#include <sys/types.h>
#include <sys/uio.h>

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <X11/Xlib.h>
#include <X11/keysym.h>
#include <event2/buffer.h>
#include <jansson.h>

#include "action.h"
#include "base64.h"
#include "keys.h"
#include "log.h"
#include "vendor.h"
#include "xmalloc.h"

static const char *vendor_names[] = {
	[VENDOR_ANTHROPIC] = "anthropic",
	[VENDOR_OPENAI] = "openai",
	[VENDOR_GEMINI] = "gemini",
	[VENDOR_OSWORLD] = "osworld",
};

#define VENDOR_SHAPES \
	"accepted shapes: native actions ({\"action\": ...}, a list of " \
	"them, or {\"actions\": [...]}); Anthropic tool_use blocks " \
	"({\"type\": \"tool_use\", \"name\", \"input\"}, a list, or an " \
	"assistant message); OpenAI computer_call items ({\"type\": " \
	"\"computer_call\", \"action\" or \"actions\"}, a list, or a " \
	"response with \"output\"); Gemini function calls ({\"name\", " \
	"\"args\"}, {\"functionCall\": ...} parts, a Content or a " \
	"response with \"candidates\"); OSWorld computer_13 actions " \
	"({\"action_type\", \"parameters\"}, \"WAIT\", \"FAIL\", \"DONE\", " \
	"or a list)"

const char *
vendor_name(enum vendor_kind k)
{
	if ((size_t)k >= sizeof vendor_names / sizeof vendor_names[0])
		return ("?");
	return (vendor_names[k]);
}

static int
vendor_is_native(json_t *o)
{
	json_t	*v;

	if (!json_is_object(o) || json_object_get(o, "type") != NULL ||
	    json_object_get(o, "input") != NULL)
		return (0);
	if (json_is_string(json_object_get(o, "action")))
		return (1);
	v = json_object_get(o, "actions");
	return (json_is_array(v) && (json_array_size(v) == 0 ||
	    json_is_string(json_object_get(json_array_get(v, 0), "action"))));
}

int
vendor_detect(json_t *body, enum vendor_kind *kind, int *native,
    char **cause)
{
	json_t	*first = body;

	*native = 0;
	if (json_is_array(body)) {
		if (json_array_size(body) == 0) {
			xasprintf(cause, "an empty list holds no calls; "
			    VENDOR_SHAPES);
			return (-1);
		}
		first = json_array_get(body, 0);
	}
	if (vendor_is_native(first)) {
		*native = 1;
		return (0);
	}
	if (vendor_anthropic_match(first))
		*kind = VENDOR_ANTHROPIC;
	else if (vendor_openai_match(first))
		*kind = VENDOR_OPENAI;
	else if (vendor_gemini_match(first))
		*kind = VENDOR_GEMINI;
	else if (vendor_osworld_match(first))
		*kind = VENDOR_OSWORLD;
	else {
		xasprintf(cause, "the body is no shape deskd knows; "
		    VENDOR_SHAPES);
		return (-1);
	}
	return (0);
}

int
vendor_parse(enum vendor_kind kind, json_t *body,
    const struct vendor_ctx *ctx, struct vendor_batch *b, char **cause)
{
	int	 rc = -1;

	memset(b, 0, sizeof *b);
	b->kind = kind;
	switch (kind) {
	case VENDOR_ANTHROPIC:
		rc = vendor_anthropic_parse(body, ctx, b, cause);
		break;
	case VENDOR_OPENAI:
		rc = vendor_openai_parse(body, ctx, b, cause);
		break;
	case VENDOR_GEMINI:
		rc = vendor_gemini_parse(body, ctx, b, cause);
		break;
	case VENDOR_OSWORLD:
		rc = vendor_osworld_parse(body, ctx, b, cause);
		break;
	}
	if (rc == 0 && b->ncalls == 0) {
		xasprintf(cause, "the body holds no %s calls",
		    vendor_name(kind));
		rc = -1;
	}
	return (rc);
}

void
vendor_batch_clear(struct vendor_batch *b)
{
	size_t	 i;

	for (i = 0; i < b->ncalls; i++) {
		free(b->calls[i].id);
		free(b->calls[i].name);
		free(b->calls[i].toolset);
		json_decref(b->calls[i].safety);
	}
	free(b->calls);
	for (i = 0; i < b->nacts; i++)
		proto_action_clear(&b->acts[i]);
	free(b->acts);
	free(b->err_field);
	memset(b, 0, sizeof *b);
}

void
vendor_append(struct evbuffer *out, const struct vendor_batch *b,
    const struct vendor_result *res, const char *url)
{
	switch (b->kind) {
	case VENDOR_ANTHROPIC:
		vendor_anthropic_append(out, b, res);
		break;
	case VENDOR_OPENAI:
		vendor_openai_append(out, b, res);
		break;
	case VENDOR_GEMINI:
		vendor_gemini_append(out, b, res, url);
		break;
	case VENDOR_OSWORLD:
		evbuffer_add_printf(out, "null");
		break;
	}
}

/* ---- building the batch ---- */

struct vendor_call *
vendor_call_add(struct vendor_batch *b, const char *name, char **cause)
{
	struct vendor_call	*c;

	if (b->ncalls == VENDOR_MAX_CALLS) {
		xasprintf(cause, "more than %d calls in one request",
		    VENDOR_MAX_CALLS);
		return (NULL);
	}
	b->calls = xreallocarray(b->calls, b->ncalls + 1, sizeof *b->calls);
	c = &b->calls[b->ncalls++];
	memset(c, 0, sizeof *c);
	c->name = xstrndup(name != NULL ? name : "?", VENDOR_MAX_ID);
	c->first = b->nacts;
	return (c);
}

struct proto_action *
vendor_act_add(struct vendor_batch *b, const struct vendor_ctx *ctx,
    int type, char **cause)
{
	struct proto_action	*a;

	if (b->nacts == VENDOR_MAX_ACTIONS) {
		xasprintf(cause, "the calls expand to more than %d actions",
		    VENDOR_MAX_ACTIONS);
		return (NULL);
	}
	b->acts = xreallocarray(b->acts, b->nacts + 1, sizeof *b->acts);
	a = &b->acts[b->nacts++];
	memset(a, 0, sizeof *a);
	a->type = type;
	a->space_w = ctx->space_w;
	a->space_h = ctx->space_h;
	if (b->ncalls > 0)
		b->calls[b->ncalls - 1].n++;
	return (a);
}

int
vendor_fail(struct vendor_batch *b, char **cause, const char *field,
    const char *fmt, ...)
{
	va_list		 ap;
	char		*msg;
	const char	*name = "?";

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	b->err_call = b->ncalls > 0 ? b->ncalls - 1 : 0;
	if (b->ncalls > 0)
		name = b->calls[b->ncalls - 1].name;
	free(b->err_field);
	b->err_field = field != NULL ? xstrdup(field) : NULL;
	if (field != NULL)
		xasprintf(cause, "call %zu (%.64s): %s: %s", b->err_call, name,
		    field, msg);
	else
		xasprintf(cause, "call %zu (%.64s): %s", b->err_call, name,
		    msg);
	free(msg);
	return (-1);
}

int
vendor_int(json_t *v, long min, long max, int *out)
{
	double	 d;

	if (json_is_integer(v)) {
		if (json_integer_value(v) < min || json_integer_value(v) > max)
			return (-1);
		*out = (int)json_integer_value(v);
		return (0);
	}
	if (!json_is_real(v))
		return (-1);
	/* OSWorld's computer_13 declares floats; models send 512.0. */
	d = json_real_value(v);
	if (!isfinite(d) || d < min - 0.5 || d >= max + 0.5)
		return (-1);
	*out = (int)lround(d);
	if (*out < min)
		*out = (int)min;
	if (*out > max)
		*out = (int)max;
	return (0);
}

int
vendor_seconds(json_t *v, int max_ms, int *out)
{
	double	 d;

	if (!json_is_number(v))
		return (-1);
	d = json_number_value(v);
	if (!isfinite(d) || d < 0 || d * 1000 > max_ms)
		return (-1);
	*out = (int)lround(d * 1000);
	return (0);
}

int
vendor_str(json_t *obj, const char *key, const char **out)
{
	json_t	*v = json_object_get(obj, key);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return (0);
	if (!json_is_string(v))
		return (-1);
	*out = json_string_value(v);
	return (0);
}

int
vendor_point(struct vendor_batch *b, json_t *obj, const char *at,
    const char *kx, const char *ky, int w, int h, int *x, int *y,
    char **cause)
{
	json_t	*vx, *vy;
	char	 fx[128], fy[128];
	int	 rc = 0;

	vx = json_object_get(obj, kx);
	vy = json_object_get(obj, ky);
	snprintf(fx, sizeof fx, "%s%s%s", at != NULL ? at : "",
	    at != NULL ? "." : "", kx);
	snprintf(fy, sizeof fy, "%s%s%s", at != NULL ? at : "",
	    at != NULL ? "." : "", ky);
	if (vx == NULL || json_is_null(vx))
		rc = vendor_fail(b, cause, fx, "expected an integer 0..%d, got "
		    "nothing", w - 1);
	else if (vy == NULL || json_is_null(vy))
		rc = vendor_fail(b, cause, fy, "expected an integer 0..%d, got "
		    "nothing", h - 1);
	else if (vendor_int(vx, 0, w - 1, x) == -1) {
		/* A number outside the space: bad_coordinate. */
		b->err_coord = json_is_number(vx);
		rc = vendor_fail(b, cause, fx, "expected an integer 0..%d (the "
		    "%dx%d coordinate space)%s", w - 1, w, h,
		    json_is_number(vx) ? ", got one outside it" : "");
	} else if (vendor_int(vy, 0, h - 1, y) == -1) {
		b->err_coord = json_is_number(vy);
		rc = vendor_fail(b, cause, fy, "expected an integer 0..%d (the "
		    "%dx%d coordinate space)%s", h - 1, w, h,
		    json_is_number(vy) ? ", got one outside it" : "");
	}
	return (rc);
}

int
vendor_notches(long px)
{
	long	 n;

	if (px < 0)
		px = -px;
	if (px == 0)
		return (0);
	n = (px + VENDOR_NOTCH_PX / 2) / VENDOR_NOTCH_PX;
	if (n < 1)
		n = 1;
	if (n > PROTO_MAX_SCROLL)
		n = PROTO_MAX_SCROLL;
	return ((int)n);
}

/* ---- key names ---- */

struct vendor_keyname {
	const char	*name;
	KeySym		 sym;
};

/*
 * Playwright names the Gemini reference maps (google-gemini/
 * computer-use-preview: computers/playwright/playwright.py,
 * PLAYWRIGHT_KEY_MAP) where X's name means something else ("multiply"
 * is X's U+00D7, Playwright's "*").
 */
static const struct vendor_keyname vendor_keys_playwright[] = {
	{ "equals", XK_equal },
	{ "multiply", XK_asterisk },
	{ "add", XK_plus },
	{ "subtract", XK_minus },
	{ "divide", XK_slash },
	{ "decimal", XK_period },
	{ "separator", XK_comma },
	{ "backquote", XK_grave },
	{ "quote", XK_apostrophe },
	{ "command", XK_Super_L },
	{ "os", XK_Super_L },
	{ NULL, NoSymbol }
};

/*
 * pyautogui's KEYBOARD_KEYS that keys.c does not already know
 * (xlang-ai/OSWorld: desktop_env/actions.py; the X keysyms as
 * pyautogui's _pyautogui_x11.py keyboardMapping has them).
 */
static const struct vendor_keyname vendor_keys_pyautogui[] = {
	{ "add", XK_KP_Add },
	{ "altleft", XK_Alt_L },
	{ "altright", XK_Alt_R },
	{ "browserback", 0x1008ff26 },		/* XF86Back */
	{ "browserfavorites", 0x1008ff30 },	/* XF86Favorites */
	{ "browserforward", 0x1008ff27 },	/* XF86Forward */
	{ "browserhome", 0x1008ff18 },		/* XF86HomePage */
	{ "browserrefresh", 0x1008ff29 },	/* XF86Refresh */
	{ "browsersearch", 0x1008ff1b },	/* XF86Search */
	{ "browserstop", 0x1008ff28 },		/* XF86Stop */
	{ "convert", XK_Henkan },
	{ "ctrlleft", XK_Control_L },
	{ "ctrlright", XK_Control_R },
	{ "decimal", XK_KP_Decimal },
	{ "divide", XK_KP_Divide },
	{ "hanguel", XK_Hangul },
	{ "hangul", XK_Hangul },
	{ "hanja", XK_Hangul_Hanja },
	{ "kana", XK_Katakana },
	{ "kanji", XK_Kanji },
	{ "launchapp1", 0x1008ff40 },		/* XF86Launch0 */
	{ "launchapp2", 0x1008ff41 },		/* XF86Launch1 */
	{ "launchmail", 0x1008ff19 },		/* XF86Mail */
	{ "launchmediaselect", 0x1008ff32 },	/* XF86AudioMedia */
	{ "modechange", XK_Mode_switch },
	{ "multiply", XK_KP_Multiply },
	{ "nexttrack", 0x1008ff17 },		/* XF86AudioNext */
	{ "nonconvert", XK_Muhenkan },
	{ "num0", XK_KP_0 }, { "num1", XK_KP_1 }, { "num2", XK_KP_2 },
	{ "num3", XK_KP_3 }, { "num4", XK_KP_4 }, { "num5", XK_KP_5 },
	{ "num6", XK_KP_6 }, { "num7", XK_KP_7 }, { "num8", XK_KP_8 },
	{ "num9", XK_KP_9 },
	{ "optionleft", XK_Alt_L },
	{ "optionright", XK_Alt_R },
	{ "playpause", 0x1008ff14 },		/* XF86AudioPlay */
	{ "prevtrack", 0x1008ff16 },		/* XF86AudioPrev */
	{ "prntscrn", XK_Print },
	{ "prtscr", XK_Print },
	{ "separator", XK_KP_Separator },
	{ "shiftleft", XK_Shift_L },
	{ "shiftright", XK_Shift_R },
	{ "sleep", 0x1008ff2f },		/* XF86Sleep */
	{ "stop", 0x1008ff15 },			/* XF86AudioStop */
	{ "subtract", XK_KP_Subtract },
	{ "volumedown", 0x1008ff11 },		/* XF86AudioLowerVolume */
	{ "volumemute", 0x1008ff12 },		/* XF86AudioMute */
	{ "volumeup", 0x1008ff13 },		/* XF86AudioRaiseVolume */
	{ "winleft", XK_Super_L },
	{ "winright", XK_Super_R },
	{ "yen", XK_yen },
	{ NULL, NoSymbol }
};

KeySym
vendor_key(enum vendor_keys dialect, const char *name)
{
	const struct vendor_keyname	*t = NULL;
	char				 low[KEYS_MAX_NAME + 1];
	size_t				 i, len = strlen(name);
	KeySym				 sym;

	if (len == 0 || len > KEYS_MAX_NAME)
		return (NoSymbol);
	if (dialect == VENDOR_KEYS_PLAYWRIGHT)
		t = vendor_keys_playwright;
	else if (dialect == VENDOR_KEYS_PYAUTOGUI)
		t = vendor_keys_pyautogui;
	for (; t != NULL && t->name != NULL; t++) {
		if (strcasecmp(name, t->name) == 0)
			return (t->sym);
	}
	/*
	 * In a list of key names one letter is the key, whatever its case:
	 * ["CTRL", "L"] is ctrl+l, not ctrl+shift+l.  (pyautogui's "L" is
	 * shift+l, as X's.)
	 */
	if (dialect != VENDOR_KEYS_XDOTOOL && dialect !=
	    VENDOR_KEYS_PYAUTOGUI && len == 1 && isupper((u_char)name[0])) {
		low[0] = tolower((u_char)name[0]);
		low[1] = '\0';
		return (keys_name_to_keysym(low));
	}
	if ((sym = keys_name_to_keysym(name)) != NoSymbol)
		return (sym);
	if (dialect == VENDOR_KEYS_XDOTOOL)
		return (NoSymbol);
	/* CUA's upper case ("PAGEDOWN", "F5" is found above). */
	for (i = 0; i < len; i++)
		low[i] = tolower((u_char)name[i]);
	low[len] = '\0';
	return (keys_name_to_keysym(low));
}

char *
vendor_chord(struct vendor_batch *b, enum vendor_keys dialect, json_t *names,
    int sep, const char *field, char **cause)
{
	json_t		*v;
	const char	*name, *p, *q;
	char		*out = NULL, *tmp, *f = NULL;
	char		 one[KEYS_MAX_NAME + 1];
	size_t		 i, n, len;
	KeySym		 sym;

	if (json_is_string(names) && sep != 0) {
		/* "Control+A": names split on sep; "+" alone is plus. */
		p = json_string_value(names);
		n = 0;
		while (*p != '\0') {
			q = p[0] == sep ? p + 1 : strchr(p, sep);
			if (q == NULL)
				q = p + strlen(p);
			len = q - p;
			if (len == 0 || len > KEYS_MAX_NAME) {
				vendor_fail(b, cause, field, "expected key "
				    "names joined by '%c', got \"%.80s\"", sep,
				    json_string_value(names));
				goto fail;
			}
			memcpy(one, p, len);
			one[len] = '\0';
			if ((sym = vendor_key(dialect, one)) == NoSymbol) {
				vendor_fail(b, cause, field, "unknown key name "
				    "\"%s\"", one);
				goto fail;
			}
			if (++n > KEYS_MAX_CHORD) {
				vendor_fail(b, cause, field, "more than %d "
				    "keys at once", KEYS_MAX_CHORD);
				goto fail;
			}
			xasprintf(&tmp, "%s%s%s", out != NULL ? out : "",
			    out != NULL ? "+" : "", XKeysymToString(sym));
			free(out);
			out = tmp;
			p = *q == sep ? q + 1 : q;
		}
		if (out == NULL) {
			vendor_fail(b, cause, field, "expected key names, got "
			    "an empty string");
			goto fail;
		}
		return (out);
	}
	if (json_is_string(names)) {
		if ((sym = vendor_key(dialect, json_string_value(names))) ==
		    NoSymbol) {
			vendor_fail(b, cause, field, "unknown key name "
			    "\"%.64s\"", json_string_value(names));
			return (NULL);
		}
		return (xstrdup(XKeysymToString(sym)));
	}
	if (!json_is_array(names) || json_array_size(names) == 0 ||
	    json_array_size(names) > KEYS_MAX_CHORD)
		return (vendor_fail(b, cause, field, "expected a list of 1..%d "
		    "key names", KEYS_MAX_CHORD), NULL);
	json_array_foreach(names, i, v) {
		xasprintf(&f, "%s[%zu]", field, i);
		if (!json_is_string(v)) {
			vendor_fail(b, cause, f, "expected a key name (a "
			    "string)");
			goto fail;
		}
		name = json_string_value(v);
		if ((sym = vendor_key(dialect, name)) == NoSymbol ||
		    XKeysymToString(sym) == NULL) {
			vendor_fail(b, cause, f, "unknown key name \"%.64s\"",
			    name);
			goto fail;
		}
		xasprintf(&tmp, "%s%s%s", out != NULL ? out : "",
		    out != NULL ? "+" : "", XKeysymToString(sym));
		free(out);
		out = tmp;
		free(f);
		f = NULL;
	}
	return (out);
fail:
	free(f);
	free(out);
	return (NULL);
}

/* ---- JSON out ---- */

void
vendor_add_string(struct evbuffer *out, const char *s)
{
	json_t	*j;
	char	*d;

	j = json_string(s != NULL ? s : "");
	/* Not UTF-8: ours are, and a client's were checked by jansson. */
	if (j == NULL)
		j = json_string("");
	d = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);
	json_decref(j);
	if (d == NULL)
		fatalx("%s: out of memory", __func__);
	evbuffer_add(out, d, strlen(d));
	free(d);
}

void
vendor_add_json(struct evbuffer *out, json_t *j)
{
	char	*d;

	if (j == NULL) {
		evbuffer_add_printf(out, "null");
		return;
	}
	d = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);
	if (d == NULL)
		fatalx("%s: out of memory", __func__);
	evbuffer_add(out, d, strlen(d));
	free(d);
}

int
vendor_add_base64(struct evbuffer *out, struct evbuffer *in)
{
	struct evbuffer_iovec	 dst, *v;
	u_char			 carry[3], *p;
	char			*o;
	size_t			 len, left, whole, nc = 0;
	int			 i, n;

	/*
	 * Straight from the image's chains into one reserved extent: no
	 * contiguous copy of the image, no string in between.  Pieces are
	 * encoded in multiples of 3 bytes, so only the end is padded.
	 */
	len = evbuffer_get_length(in);
	if (len == 0)
		return (0);
	if (evbuffer_reserve_space(out, PROTO_BASE64_LEN(len), &dst, 1) != 1)
		return (-1);
	o = dst.iov_base;
	n = evbuffer_peek(in, -1, NULL, NULL, 0);
	v = xreallocarray(NULL, n > 0 ? n : 1, sizeof *v);
	n = evbuffer_peek(in, -1, NULL, v, n);
	for (i = 0; i < n; i++) {
		p = v[i].iov_base;
		left = v[i].iov_len;
		while (nc > 0 && nc < 3 && left > 0) {
			carry[nc++] = *p++;
			left--;
		}
		if (nc == 3) {
			o += proto_base64_encode(o, carry, 3);
			nc = 0;
		}
		if (left == 0)
			continue;
		whole = left / 3 * 3;
		o += proto_base64_encode(o, p, whole);
		nc = left - whole;
		memcpy(carry, p + whole, nc);
	}
	if (nc > 0)
		o += proto_base64_encode(o, carry, nc);
	free(v);
	dst.iov_len = o - (char *)dst.iov_base;
	return (evbuffer_commit_space(out, &dst, 1));
}
