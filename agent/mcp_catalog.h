/*
 * mcp_catalog.h: the tools deskd serves over MCP, as tools/list gives
 * them: name, title, the description a model reads, the input (and
 * output) JSON Schema, and the behaviour hints.  This table is the
 * authoritative contract of every tool's arguments (proto/api.md points
 * here); mcp_tools.c runs them.  No dependencies beyond jansson, so the
 * fuzzer and the unit tests link it alone.
 */
#ifndef MCP_CATALOG_H
#define MCP_CATALOG_H

#include <jansson.h>

/* Behaviour hints (2025-03-26 server/tools ToolAnnotations). */
#define MCP_TOOL_READONLY	0x01	/* changes nothing */
#define MCP_TOOL_DESTRUCTIVE	0x02	/* may remove or overwrite */
#define MCP_TOOL_IDEMPOTENT	0x04	/* again with the same: no more */

struct mcp_tool_def {
	const char	*name;
	const char	*title;
	const char	*description;
	const char	*input;		/* JSON Schema text */
	const char	*output;	/* JSON Schema text, or NULL */
	int		 flags;
};

extern const struct mcp_tool_def	 mcp_catalog[];

/* Parse every schema once; fatal on a bad one (a bug, unit-tested). */
void		 mcp_catalog_init(void);
void		 mcp_catalog_free(void);
/* The entry named name, or NULL; its index in *index when found. */
const struct mcp_tool_def *mcp_catalog_find(const char *name, int *index);
/* Parsed schemas of entry i (output NULL when it has none). */
json_t		*mcp_catalog_input(int i);
json_t		*mcp_catalog_output(int i);
/*
 * The tools/list result: {"tools": [...]}; with modern set, the fields
 * of 2025-06-18 and later (title, outputSchema) too.  Built once; the
 * string belongs to the catalog.
 */
const char	*mcp_catalog_list(int modern);

#endif
