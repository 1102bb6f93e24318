/*
 * mcp_tools.h: the MCP tools (mcp_catalog.c lists them) over the same
 * executors as the native routes: computer.h's input jobs, capture.h,
 * proc.h, sink.h, window.h, a11y.h.
 */
#ifndef MCP_TOOLS_H
#define MCP_TOOLS_H

#include <jansson.h>

struct event_base;
struct mcp_call;

/* Screenshots fit inside this by default: the models' own sizes. */
#define MCP_IMAGE_FIT_W		1280
#define MCP_IMAGE_FIT_H		800
#define MCP_MAX_FILE		(8 * 1024 * 1024)	/* read/write_file */
#define MCP_EXEC_MAX_OUTPUT	(1024 * 1024)		/* per stream */
#define MCP_MAX_DIR_ENTRIES	10000

/*
 * Run a tool: args fit its schema (checked by mcp.c).  The tool answers
 * through mcp.h's call API, now or later.
 */
typedef void	(*mcp_tool_fn)(struct mcp_call *, json_t *args);

void		 mcp_tools_init(struct event_base *);
/* The runner of the catalog's entry name (every entry has one). */
mcp_tool_fn	 mcp_tools_find(const char *name);

#endif
