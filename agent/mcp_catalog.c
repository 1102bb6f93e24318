/*
 * mcp_catalog.c: the table of MCP tools (see mcp_catalog.h).  The
 * descriptions are written for the model that reads tools/list: what the
 * tool does, what the coordinates mean, what comes back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "log.h"
#include "mcp_catalog.h"
#include "xmalloc.h"

/* Where a point lies: two integers. */
#define MCP_POINT \
	"{\"type\": \"array\", \"minItems\": 2, \"maxItems\": 2, " \
	"\"items\": {\"type\": \"integer\", \"minimum\": 0}"
#define MCP_SPACE \
	"\"coordinate_space\": {\"type\": \"array\", \"minItems\": 2, " \
	"\"maxItems\": 2, \"items\": {\"type\": \"integer\", \"minimum\": 1, " \
	"\"maximum\": 65535}, \"description\": \"[width, height] of the " \
	"space coordinates are given in. Default: the size of the " \
	"screenshots this server returns (the screen scaled to fit " \
	"1280x800, as each result reports); give the screen size for " \
	"screen pixels.\"}"

/* One computer action: the Anthropic computer-use tool's input. */
#define MCP_ACTION_PROPS \
	"\"action\": {\"type\": \"string\", \"enum\": [\"key\", \"type\", " \
	"\"mouse_move\", \"left_click\", \"right_click\", \"middle_click\", " \
	"\"double_click\", \"triple_click\", \"left_click_drag\", " \
	"\"left_mouse_down\", \"left_mouse_up\", \"scroll\", \"hold_key\", " \
	"\"wait\", \"cursor_position\", \"screenshot\", \"zoom\"]}, " \
	"\"coordinate\": " MCP_POINT ", \"description\": \"[x, y]: where " \
	"to move, click or scroll (clicks and scrolls without it act where " \
	"the pointer is).\"}, " \
	"\"start_coordinate\": " MCP_POINT ", \"description\": " \
	"\"left_click_drag: where the drag starts (default: where the " \
	"pointer is).\"}, " \
	"\"text\": {\"type\": \"string\", \"description\": \"type: the text " \
	"to type, exactly, in any script. key: xdotool key names, " \
	"space-separated for a sequence (ctrl+s, Return, alt+Tab, super). " \
	"hold_key: the key to hold. Clicks and scroll: modifiers to hold " \
	"(shift, ctrl).\"}, " \
	"\"scroll_direction\": {\"type\": \"string\", \"enum\": [\"up\", " \
	"\"down\", \"left\", \"right\"]}, " \
	"\"scroll_amount\": {\"type\": \"integer\", \"minimum\": 0, " \
	"\"maximum\": 100, \"description\": \"Wheel notches.\"}, " \
	"\"duration\": {\"type\": \"number\", \"minimum\": 0, " \
	"\"maximum\": 100, \"description\": \"Seconds, for wait and " \
	"hold_key.\"}, " \
	"\"region\": {\"type\": \"array\", \"minItems\": 4, \"maxItems\": 4, " \
	"\"items\": {\"type\": \"integer\", \"minimum\": 0}, " \
	"\"description\": " \
	"\"zoom: [x0, y0, x1, y1], returned at the screen's full " \
	"detail.\"}, " \
	"\"delay_ms\": {\"type\": \"integer\", \"minimum\": 0, " \
	"\"maximum\": 1000, \"description\": \"type and key: milliseconds " \
	"between keystrokes (default 0).\"}, " \
	MCP_SPACE

#define MCP_PATH(what) \
	"\"path\": {\"type\": \"string\", \"minLength\": 1, " \
	"\"maxLength\": 4096, \"description\": \"" what " Absolute, or " \
	"relative to the agent's working directory; ~ and $VAR are " \
	"expanded.\"}"

#define MCP_ARGV \
	"\"argv\": {\"type\": \"array\", \"minItems\": 1, " \
	"\"maxItems\": 4096, " \
	"\"items\": {\"type\": \"string\"}, \"description\": \"The program " \
	"and its arguments, run without a shell.\"}, " \
	"\"command\": {\"type\": \"string\", \"minLength\": 1, " \
	"\"description\": \"A shell command line, run by /bin/sh -c " \
	"(instead of argv).\"}, " \
	"\"cwd\": {\"type\": \"string\", \"minLength\": 1, \"maxLength\": " \
	"4096, \"description\": \"Working directory (default: the agent's)." \
	"\"}"

const struct mcp_tool_def mcp_catalog[] = {
	{ "computer", "Mouse and keyboard",
	  "Drive this computer's desktop with the mouse and keyboard, then "
	  "see the result. Give one action ({\"action\": \"left_click\", "
	  "\"coordinate\": [x, y]}) or several run in order ({\"actions\": "
	  "[{...}, {...}]}, stopping at the first that fails; nothing runs "
	  "if one is invalid). Coordinates are pixels of the screenshots "
	  "this server returns: the screen scaled to fit 1280x800 (each "
	  "result gives screen_size and coordinate_space). Actions: key, "
	  "type, mouse_move, left_click, right_click, middle_click, "
	  "double_click, triple_click, left_click_drag, left_mouse_down, "
	  "left_mouse_up, scroll, hold_key, wait, cursor_position, "
	  "screenshot, zoom. After the last action, once the screen has "
	  "settled, a screenshot comes back (unless screenshot is false).",
	  "{\"type\": \"object\", \"properties\": {" MCP_ACTION_PROPS ", "
	  "\"screenshot\": {\"type\": \"boolean\", \"description\": \"Return "
	  "a screenshot after the last action (default true).\"}, "
	  "\"actions\": {\"type\": \"array\", \"minItems\": 1, \"maxItems\": "
	  "100, \"description\": \"Several actions, run in order as one "
	  "batch (no other client's input comes in between).\", \"items\": "
	  "{\"type\": \"object\", \"required\": [\"action\"], "
	  "\"additionalProperties\": false, \"properties\": {"
	  MCP_ACTION_PROPS "}}}}, \"additionalProperties\": false}",
	  NULL, 0 },

	{ "screenshot", "Screenshot",
	  "See the screen now, as a PNG image. By default the whole screen "
	  "scaled to fit 1280x800, which is the space the computer tool's "
	  "coordinates use. region crops [x, y, width, height] in screen "
	  "pixels (at full detail unless width or height is given); width "
	  "and height fit the image inside that size, aspect kept, never "
	  "enlarged.",
	  "{\"type\": \"object\", \"properties\": {"
	  "\"width\": {\"type\": \"integer\", \"minimum\": 1, \"maximum\": "
	  "16384}, \"height\": {\"type\": \"integer\", \"minimum\": 1, "
	  "\"maximum\": 16384}, "
	  "\"region\": {\"type\": \"array\", \"minItems\": 4, \"maxItems\": 4, "
	  "\"items\": {\"type\": \"integer\", \"minimum\": 0}, "
	  "\"description\": \"[x, y, width, height] in screen pixels.\"}, "
	  "\"cursor\": {\"type\": \"boolean\", \"description\": \"Draw the "
	  "mouse pointer (default true).\"}, "
	  "\"format\": {\"type\": \"string\", \"enum\": [\"png\"], "
	  "\"description\": \"Image format (PNG).\"}}, "
	  "\"additionalProperties\": false}",
	  NULL, MCP_TOOL_READONLY },

	{ "zoom", "Zoom into the screen",
	  "See a part of the screen at full detail: region [x0, y0, x1, y1] "
	  "in the computer tool's coordinates (the screenshot's pixels), "
	  "cropped from the screen at its native resolution.",
	  "{\"type\": \"object\", \"properties\": {"
	  "\"region\": {\"type\": \"array\", \"minItems\": 4, \"maxItems\": 4, "
	  "\"items\": {\"type\": \"integer\", \"minimum\": 0}}, " MCP_SPACE
	  "}, \"required\": [\"region\"], \"additionalProperties\": false}",
	  NULL, MCP_TOOL_READONLY },

	{ "exec", "Run a command",
	  "Run a command on this computer and wait for it: argv (no shell) "
	  "or command (a /bin/sh command line). Returns exit_code (null if "
	  "a signal ended it), signal, stdout, stderr (UTF-8, invalid bytes "
	  "replaced; each capped at 1 MiB, truncated says so), timed_out "
	  "and duration_ms. The process group is killed at the timeout. "
	  "Programs see the desktop's DISPLAY.",
	  "{\"type\": \"object\", \"properties\": {" MCP_ARGV ", "
	  "\"stdin\": {\"type\": \"string\", \"description\": \"Text fed to "
	  "standard input (default: none).\"}, "
	  "\"timeout\": {\"type\": \"number\", \"minimum\": 0.001, "
	  "\"maximum\": 3600, \"description\": \"Seconds (default 120).\"}}, "
	  "\"additionalProperties\": false}",
	  "{\"type\": \"object\", \"properties\": {"
	  "\"exit_code\": {\"type\": [\"integer\", \"null\"]}, "
	  "\"signal\": {\"type\": [\"integer\", \"null\"]}, "
	  "\"stdout\": {\"type\": \"string\"}, "
	  "\"stderr\": {\"type\": \"string\"}, "
	  "\"timed_out\": {\"type\": \"boolean\"}, "
	  "\"duration_ms\": {\"type\": \"integer\"}, "
	  "\"truncated\": {\"type\": \"boolean\"}}, "
	  "\"required\": [\"exit_code\", \"signal\", \"stdout\", \"stderr\", "
	  "\"timed_out\", \"duration_ms\", \"truncated\"]}",
	  MCP_TOOL_DESTRUCTIVE },

	{ "read_file", "Read a file",
	  "Read a whole file of up to 8 MiB. encoding text (the default) "
	  "returns it as it is and refuses bytes that are not UTF-8; "
	  "base64 returns any file as base64.",
	  "{\"type\": \"object\", \"properties\": {"
	  MCP_PATH("The file.") ", "
	  "\"encoding\": {\"type\": \"string\", \"enum\": [\"text\", "
	  "\"base64\"]}}, \"required\": [\"path\"], "
	  "\"additionalProperties\": false}",
	  NULL, MCP_TOOL_READONLY },

	{ "write_file", "Write a file",
	  "Create or replace a file with content (up to 8 MiB): text as it "
	  "is, or base64 for binary data. Missing parent directories are "
	  "made; the file is replaced whole (written aside, then renamed), "
	  "never left half-written.",
	  "{\"type\": \"object\", \"properties\": {"
	  MCP_PATH("The file to write.") ", "
	  "\"content\": {\"type\": \"string\"}, "
	  "\"encoding\": {\"type\": \"string\", \"enum\": [\"text\", "
	  "\"base64\"], \"description\": \"How content is given (default "
	  "text).\"}}, \"required\": [\"path\", \"content\"], "
	  "\"additionalProperties\": false}",
	  NULL, MCP_TOOL_DESTRUCTIVE | MCP_TOOL_IDEMPOTENT },

	{ "list_directory", "List a directory",
	  "List a directory: each entry's name, type (file, directory, "
	  "symlink, other), size in bytes and modification time (Unix "
	  "seconds), sorted by name; at most 10000 entries.",
	  "{\"type\": \"object\", \"properties\": {"
	  MCP_PATH("The directory.") "}, \"required\": [\"path\"], "
	  "\"additionalProperties\": false}",
	  NULL, MCP_TOOL_READONLY },

	{ "windows", "Windows",
	  "The desktop's top-level windows. action list (the default) "
	  "gives each window's id, title, class, geometry, pid and whether "
	  "it is active; activate raises and focuses one, close asks it to "
	  "close. Pick the window by id, or by name: a case-insensitive "
	  "part of its title (the whole title with strict; its WM_CLASS "
	  "with by_class).",
	  "{\"type\": \"object\", \"properties\": {"
	  "\"action\": {\"type\": \"string\", \"enum\": [\"list\", "
	  "\"activate\", \"close\"]}, "
	  "\"id\": {\"type\": \"integer\", \"minimum\": 1, \"maximum\": "
	  "4294967295}, "
	  "\"name\": {\"type\": \"string\", \"minLength\": 1, "
	  "\"maxLength\": 1024}, "
	  "\"strict\": {\"type\": \"boolean\"}, "
	  "\"by_class\": {\"type\": \"boolean\"}}, "
	  "\"additionalProperties\": false}",
	  NULL, 0 },

	{ "launch", "Start an application",
	  "Start an application in the background (detached: it keeps "
	  "running, its output is not collected) and return its pid at "
	  "once. Use exec to run a command and wait for its output.",
	  "{\"type\": \"object\", \"properties\": {" MCP_ARGV "}, "
	  "\"additionalProperties\": false}",
	  NULL, 0 },

	{ "accessibility_tree", "Accessibility tree",
	  "The accessibility tree of the desktop's applications (AT-SPI): "
	  "each element's role, name, states, screen extents in screen "
	  "pixels, text and actions. visible (default true) keeps only what "
	  "is showing; app picks one application; role and name select "
	  "matching elements; format xml gives OSWorld's XML instead of "
	  "JSON. The walk stops at budget_ms with what it has.",
	  "{\"type\": \"object\", \"properties\": {"
	  "\"app\": {\"type\": \"string\", \"maxLength\": 1024}, "
	  "\"role\": {\"type\": \"string\", \"maxLength\": 1024}, "
	  "\"name\": {\"type\": \"string\", \"maxLength\": 1024}, "
	  "\"visible\": {\"type\": \"boolean\"}, "
	  "\"format\": {\"type\": \"string\", \"enum\": [\"json\", \"xml\"]}, "
	  "\"budget_ms\": {\"type\": \"integer\", \"minimum\": 1, "
	  "\"maximum\": 120000}}, \"additionalProperties\": false}",
	  NULL, MCP_TOOL_READONLY },

	{ NULL, NULL, NULL, NULL, NULL, 0 }
};

#define MCP_CATALOG_N (sizeof mcp_catalog / sizeof mcp_catalog[0] - 1)

static json_t	*mcp_catalog_inputs[MCP_CATALOG_N];
static json_t	*mcp_catalog_outputs[MCP_CATALOG_N];
static char	*mcp_catalog_lists[2];

static json_t *
mcp_catalog_parse(const char *name, const char *text)
{
	json_error_t	 jerr;
	json_t		*j;

	if ((j = json_loads(text, JSON_REJECT_DUPLICATES, &jerr)) == NULL)
		fatalx("%s: tool %s: bad schema at column %d: %s", __func__,
		    name, jerr.column, jerr.text);
	return (j);
}

static char *
mcp_catalog_make_list(int modern)
{
	const struct mcp_tool_def	*d;
	json_t				*tools, *t, *ann;
	char				*s;
	size_t				 i;

	tools = json_array();
	for (i = 0; i < MCP_CATALOG_N; i++) {
		d = &mcp_catalog[i];
		t = json_pack("{s:s, s:s, s:O}", "name", d->name,
		    "description", d->description, "inputSchema",
		    mcp_catalog_inputs[i]);
		if (modern) {
			json_object_set_new(t, "title", json_string(d->title));
			if (mcp_catalog_outputs[i] != NULL)
				json_object_set(t, "outputSchema",
				    mcp_catalog_outputs[i]);
		}
		/* Hints for the client's confirmation prompts. */
		ann = json_pack("{s:b, s:b, s:b, s:b}",
		    "readOnlyHint", (d->flags & MCP_TOOL_READONLY) != 0,
		    "destructiveHint", (d->flags & MCP_TOOL_DESTRUCTIVE) != 0,
		    "idempotentHint", (d->flags & MCP_TOOL_IDEMPOTENT) != 0,
		    "openWorldHint", 0);
		if (modern)
			json_object_set_new(ann, "title",
			    json_string(d->title));
		json_object_set_new(t, "annotations", ann);
		json_array_append_new(tools, t);
	}
	t = json_pack("{s:o}", "tools", tools);
	if ((s = json_dumps(t, JSON_COMPACT)) == NULL)
		fatalx("%s: out of memory", __func__);
	json_decref(t);
	return (s);
}

void
mcp_catalog_init(void)
{
	size_t	 i;

	if (mcp_catalog_inputs[0] != NULL)
		return;
	for (i = 0; i < MCP_CATALOG_N; i++) {
		mcp_catalog_inputs[i] = mcp_catalog_parse(mcp_catalog[i].name,
		    mcp_catalog[i].input);
		if (mcp_catalog[i].output != NULL)
			mcp_catalog_outputs[i] = mcp_catalog_parse(
			    mcp_catalog[i].name, mcp_catalog[i].output);
	}
	mcp_catalog_lists[0] = mcp_catalog_make_list(0);
	mcp_catalog_lists[1] = mcp_catalog_make_list(1);
}

void
mcp_catalog_free(void)
{
	size_t	 i;

	for (i = 0; i < MCP_CATALOG_N; i++) {
		json_decref(mcp_catalog_inputs[i]);
		json_decref(mcp_catalog_outputs[i]);
		mcp_catalog_inputs[i] = mcp_catalog_outputs[i] = NULL;
	}
	free(mcp_catalog_lists[0]);
	free(mcp_catalog_lists[1]);
	mcp_catalog_lists[0] = mcp_catalog_lists[1] = NULL;
}

const struct mcp_tool_def *
mcp_catalog_find(const char *name, int *index)
{
	size_t	 i;

	for (i = 0; i < MCP_CATALOG_N; i++) {
		if (strcmp(mcp_catalog[i].name, name) == 0) {
			if (index != NULL)
				*index = (int)i;
			return (&mcp_catalog[i]);
		}
	}
	return (NULL);
}

json_t *
mcp_catalog_input(int i)
{
	return (mcp_catalog_inputs[i]);
}

json_t *
mcp_catalog_output(int i)
{
	return (mcp_catalog_outputs[i]);
}

const char *
mcp_catalog_list(int modern)
{
	return (mcp_catalog_lists[modern != 0]);
}
