/*
 * test-vendor: the vendor parsers' rules that need no X server: key-name
 * dialects, pixel distances to notches, shapes, coordinate spaces and the
 * place an error names (the integration tests, vendor-*.t, drive them
 * into Chromium).
 */
#include <stdlib.h>
#include <string.h>

#include <X11/Xlib.h>
#include <X11/keysym.h>
#include <jansson.h>

#include "action.h"
#include "tst.h"
#include "vendor.h"

static const struct vendor_ctx	 ctx = { 1280, 800, 1920, 1080 };

/* Parse text as kind's calls; the batch is left in b. */
static int
parse(enum vendor_kind kind, const char *text, struct vendor_batch *b,
    char **cause)
{
	json_t	*j;
	int	 rc;

	*cause = NULL;
	j = json_loads(text, JSON_DECODE_ANY, NULL);
	rc = vendor_parse(kind, j, &ctx, b, cause);
	json_decref(j);
	return (rc);
}

static void
test_keys(void)
{
	TST_INT_EQ(vendor_key(VENDOR_KEYS_CUA, "CTRL"), XK_Control_L,
	    "CUA CTRL is Control_L");
	TST_INT_EQ(vendor_key(VENDOR_KEYS_CUA, "ARROWUP"), XK_Up,
	    "CUA ARROWUP is Up");
	TST_INT_EQ(vendor_key(VENDOR_KEYS_CUA, "PAGEDOWN"), XK_Next,
	    "CUA PAGEDOWN is Next");
	TST_INT_EQ(vendor_key(VENDOR_KEYS_CUA, "L"), XK_l,
	    "CUA \"L\" is the l key, not shift+l");
	TST_INT_EQ(vendor_key(VENDOR_KEYS_CUA, "Backspace"), XK_BackSpace,
	    "CUA names in any case");
	TST_INT_EQ(vendor_key(VENDOR_KEYS_PLAYWRIGHT, "multiply"), XK_asterisk,
	    "Playwright multiply is *, not X's U+00D7");
	TST_INT_EQ(vendor_key(VENDOR_KEYS_PLAYWRIGHT, "Meta"), XK_Super_L,
	    "Playwright Meta is Super");
	TST_INT_EQ(vendor_key(VENDOR_KEYS_PYAUTOGUI, "num0"), XK_KP_0,
	    "pyautogui num0 is KP_0");
	TST_INT_EQ(vendor_key(VENDOR_KEYS_PYAUTOGUI, "volumeup"), 0x1008ff13,
	    "pyautogui volumeup is XF86AudioRaiseVolume");
	TST_INT_EQ(vendor_key(VENDOR_KEYS_PYAUTOGUI, "A"), XK_A,
	    "pyautogui \"A\" is shift+a, as pyautogui types it");
	TST_INT_EQ(vendor_key(VENDOR_KEYS_CUA, "nosuchkey"), NoSymbol,
	    "an unknown name is NoSymbol");
}

static void
test_notches(void)
{
	TST_INT_EQ(vendor_notches(0), 0, "0 px: no notch");
	TST_INT_EQ(vendor_notches(10), 1, "10 px: one notch at least");
	TST_INT_EQ(vendor_notches(360), 3, "360 px: 3 notches of 120");
	TST_INT_EQ(vendor_notches(-250), 2, "-250 px: 2 notches");
	TST_INT_EQ(vendor_notches(1000000), PROTO_MAX_SCROLL,
	    "a huge distance is capped at PROTO_MAX_SCROLL");
}

static void
test_detect(void)
{
	struct {
		const char	*text;
		int		 kind;	/* -1 native, -2 unknown */
	} t[] = {
		{ "{\"action\": \"left_click\"}", -1 },
		{ "[{\"action\": \"key\", \"text\": \"a\"}]", -1 },
		{ "{\"actions\": [{\"action\": \"wait\"}]}", -1 },
		{ "{\"type\": \"tool_use\", \"name\": \"zoom\", \"input\": {}}",
		    VENDOR_ANTHROPIC },
		{ "{\"role\": \"assistant\", \"content\": []}",
		    VENDOR_ANTHROPIC },
		{ "{\"type\": \"computer_call\", \"actions\": []}",
		    VENDOR_OPENAI },
		{ "{\"output\": []}", VENDOR_OPENAI },
		{ "{\"name\": \"click_at\", \"args\": {}}", VENDOR_GEMINI },
		{ "[{\"functionCall\": {\"name\": \"x\"}}]", VENDOR_GEMINI },
		{ "{\"candidates\": []}", VENDOR_GEMINI },
		{ "\"DONE\"", VENDOR_OSWORLD },
		{ "{\"action_type\": \"CLICK\"}", VENDOR_OSWORLD },
		{ "{\"hello\": 1}", -2 },
		{ "[]", -2 },
		{ "42", -2 },
	};
	enum vendor_kind	 k;
	json_t			*j;
	char			*cause;
	size_t			 i;
	int			 native, rc, got;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		cause = NULL;
		j = json_loads(t[i].text, JSON_DECODE_ANY, NULL);
		rc = vendor_detect(j, &k, &native, &cause);
		got = rc == -1 ? -2 : native ? -1 : (int)k;
		TST_INT_EQ(got, t[i].kind, "shape of %s", t[i].text);
		if (rc == -1)
			TST_OK(cause != NULL && strstr(cause, "OSWorld") !=
			    NULL, "the refusal lists the shapes");
		free(cause);
		json_decref(j);
	}
}

static void
test_parse(void)
{
	struct vendor_batch	 b;
	char			*cause;

	TST_INT_EQ(parse(VENDOR_OPENAI, "{\"type\": \"computer_call\", "
	    "\"call_id\": \"c\", \"actions\": [{\"type\": \"scroll\", \"x\": 1, "
	    "\"y\": 2, \"scroll_x\": -240, \"scroll_y\": 360}]}", &b, &cause),
	    0, "an OpenAI scroll parses");
	TST_INT_EQ(b.nacts, 2, "scroll_x and scroll_y are two scrolls");
	TST_OK(b.acts[0].dir == PROTO_SCROLL_DOWN && b.acts[0].amount == 3 &&
	    b.acts[1].dir == PROTO_SCROLL_LEFT && b.acts[1].amount == 2,
	    "down 3 notches, then left 2");
	TST_INT_EQ(b.acts[0].space_w, 1280, "in the session's space");
	vendor_batch_clear(&b);

	TST_INT_EQ(parse(VENDOR_OPENAI, "{\"type\": \"computer_call\", "
	    "\"call_id\": \"c\", \"actions\": [{\"type\": \"wait\"}, "
	    "{\"type\": \"move\", \"x\": 1280, \"y\": 0}]}", &b, &cause), -1,
	    "x = 1280 of a 1280-wide space is refused");
	TST_OK(b.err_coord && b.err_call == 0 && b.err_field != NULL &&
	    strcmp(b.err_field, "actions[1].x") == 0,
	    "a coordinate error naming actions[1].x of call 0");
	TST_OK(cause != NULL && strstr(cause, "0..1279") != NULL,
	    "and the range: %s", cause != NULL ? cause : "");
	free(cause);
	vendor_batch_clear(&b);

	TST_INT_EQ(parse(VENDOR_GEMINI, "[{\"name\": \"wait\", \"args\": {}}, "
	    "{\"name\": \"click_at\", \"args\": {\"x\": 999, \"y\": 0}}]", &b,
	    &cause), 0, "Gemini's grid goes to 999");
	TST_OK(b.acts[1].space_w == VENDOR_GRID && b.acts[1].x == 999,
	    "in a 1000x1000 space");
	vendor_batch_clear(&b);

	TST_INT_EQ(parse(VENDOR_GEMINI, "{\"name\": \"hotkey\", \"args\": "
	    "{\"keys\": [\"Control\", \"Shift\", \"t\"]}}", &b, &cause), 0,
	    "a hotkey parses");
	TST_STR_EQ(b.acts[0].text, "Control_L+Shift_L+t",
	    "into one chord of keysym names");
	vendor_batch_clear(&b);

	TST_INT_EQ(parse(VENDOR_ANTHROPIC, "{\"role\": \"assistant\", "
	    "\"content\": [{\"type\": \"text\", \"text\": \"hi\"}, {\"type\": "
	    "\"tool_use\", \"id\": \"t\", \"name\": \"zoom\", \"input\": "
	    "{\"region\": [0, 0, 320, 400]}, \"toolset_name\": \"computer\"}]}",
	    &b, &cause), 0, "a zoom member parses");
	TST_OK(b.ncalls == 1 && b.acts[0].zoom_w == 640 &&
	    b.acts[0].zoom_h == 800, "its image fills 1280x800, aspect kept");
	vendor_batch_clear(&b);

	TST_INT_EQ(parse(VENDOR_OSWORLD, "[\"WAIT\", {\"action_type\": "
	    "\"SCROLL\", \"parameters\": {\"dy\": 2}}, \"DONE\"]", &b, &cause),
	    0, "computer_13 parses");
	TST_OK(b.ncalls == 3 && b.calls[2].host_only && b.calls[2].n == 0 &&
	    b.acts[1].dir == PROTO_SCROLL_UP && b.acts[1].amount == 2,
	    "DONE runs nothing, dy 2 is 2 clicks up");
	vendor_batch_clear(&b);
}

int
main(void)
{
	test_keys();
	test_notches();
	test_detect();
	test_parse();
	return (tst_done());
}
