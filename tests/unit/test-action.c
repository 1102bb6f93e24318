/*
 * test-action.c: the computer-use action parser (proto/action.c), shared
 * by deskd's POST /v1/computer and deskctl's do.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "action.h"

static int	failed;

static void
check(int cond, const char *what)
{
	printf("%s - %s\n", cond ? "ok" : "not ok", what);
	if (!cond)
		failed++;
}

/* Parse a JSON text as actions; returns the error text or "" on success. */
static const char *
act(const char *text, struct proto_actions **out)
{
	static char	 buf[512];
	json_t		*j;
	json_error_t	 jerr;
	char		*cause = NULL;
	struct proto_actions *acts;

	*out = NULL;
	if ((j = json_loads(text, JSON_DECODE_ANY, &jerr)) == NULL)
		return ("bad json in test");
	acts = proto_actions_parse(j, &cause);
	json_decref(j);
	if (acts == NULL) {
		snprintf(buf, sizeof buf, "%s", cause);
		free(cause);
		return (buf);
	}
	*out = acts;
	return ("");
}

static void
act_ok(const char *text)
{
	struct proto_actions	*a;
	const char		*e;
	char			 what[256];

	e = act(text, &a);
	snprintf(what, sizeof what, "action %s accepted", text);
	check(*e == '\0', what);
	if (*e != '\0')
		printf("#   %s\n", e);
	proto_actions_free(a);
}

static void
act_bad(const char *text, const char *needle)
{
	struct proto_actions	*a;
	const char		*e;
	char			 what[256];

	e = act(text, &a);
	snprintf(what, sizeof what, "action %s rejected (%s)", text, needle);
	check(*e != '\0' && strstr(e, needle) != NULL, what);
	if (*e == '\0' || strstr(e, needle) == NULL)
		printf("#   got: %s\n", e);
	proto_actions_free(a);
}

static void
test_actions(void)
{
	struct proto_actions	*a;
	const char		*e;

	act_ok("{\"action\":\"left_click\",\"coordinate\":[10,20]}");
	act_ok("{\"action\":\"left_click\",\"coordinate\":[10,20],"
	    "\"text\":\"ctrl\"}");
	act_ok("{\"action\":\"left_click\"}");
	act_ok("{\"action\":\"type\",\"text\":\"héllo\"}");
	act_ok("{\"action\":\"key\",\"text\":\"ctrl+c\"}");
	act_ok("{\"action\":\"scroll\",\"coordinate\":[1,2],"
	    "\"scroll_direction\":\"down\",\"scroll_amount\":3}");
	act_ok("{\"action\":\"left_click_drag\",\"start_coordinate\":[1,2],"
	    "\"coordinate\":[3,4]}");
	act_ok("{\"action\":\"hold_key\",\"text\":\"shift\",\"duration\":0.5}");
	act_ok("{\"action\":\"wait\",\"duration\":1}");
	act_ok("{\"action\":\"zoom\",\"region\":[0,0,100,50]}");
	act_ok("[{\"action\":\"mouse_move\",\"coordinate\":[5,5]},"
	    "{\"action\":\"screenshot\"}]");
	act_ok("{\"actions\":[{\"action\":\"cursor_position\"}],"
	    "\"coordinate_space\":[1280,720],\"screenshot\":true}");
	act_ok("{\"action\":\"mouse_move\",\"coordinate\":[1279,719],"
	    "\"coordinate_space\":[1280,720]}");

	act_bad("{\"action\":\"fly\"}", "unknown action \"fly\"");
	act_bad("{\"coordinate\":[1,2]}", "action");
	act_bad("{\"action\":\"left_click\",\"coordinate\":[10]}",
	    "coordinate");
	act_bad("{\"action\":\"left_click\",\"coordinate\":[\"1\",2]}",
	    "coordinate");
	act_bad("{\"action\":\"left_click\",\"coordinate\":[-1,2]}",
	    "coordinate");
	act_bad("{\"action\":\"mouse_move\"}", "coordinate");
	act_bad("{\"action\":\"mouse_move\",\"coordinate\":[1280,10],"
	    "\"coordinate_space\":[1280,720]}", "0..1279");
	act_bad("{\"action\":\"type\"}", "text");
	act_bad("{\"action\":\"type\",\"text\":5}", "text");
	act_bad("{\"action\":\"scroll\",\"scroll_direction\":\"sideways\","
	    "\"scroll_amount\":1}", "scroll_direction");
	act_bad("{\"action\":\"scroll\",\"scroll_direction\":\"up\","
	    "\"scroll_amount\":-1}", "scroll_amount");
	act_bad("{\"action\":\"hold_key\",\"text\":\"a\",\"duration\":101}",
	    "duration");
	act_bad("{\"action\":\"wait\"}", "duration");
	act_bad("{\"action\":\"zoom\",\"region\":[10,10,5,20]}", "region");
	act_bad("[]", "empty");
	act_bad("[{\"action\":\"screenshot\"},{\"action\":\"nope\"}]",
	    "action 1");
	act_bad("5", "object");
	act_bad("{\"action\":\"left_click\",\"coordinate_space\":[0,10]}",
	    "coordinate_space");

	e = act("{\"action\":\"left_click\",\"coordinate\":[640,360],"
	    "\"coordinate_space\":[1280,720],\"text\":\"shift\","
	    "\"screenshot\":true}", &a);
	check(*e == '\0' && a->n == 1 && a->v[0].type == PROTO_ACT_LEFT_CLICK &&
	    a->v[0].has_coord && a->v[0].x == 640 && a->v[0].y == 360 &&
	    a->v[0].space_w == 1280 && a->v[0].space_h == 720 &&
	    strcmp(a->v[0].text, "shift") == 0 && a->v[0].screenshot,
	    "left_click fields parsed");
	proto_actions_free(a);
}

int
main(void)
{
	test_actions();
	return (failed != 0);
}
