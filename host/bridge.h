/*
 * bridge.h: deskctl mcp, MCP over stdio forwarded to a guest's
 * Streamable HTTP endpoint (/mcp), so that an MCP client runs
 * "deskctl mcp ID" and never holds the guest's token.
 */
#ifndef BRIDGE_H
#define BRIDGE_H

struct cmd_opts;

/* deskctl mcp ID | --url URL [--token-file F]: the exit code. */
int	 bridge_exec(struct cmd_opts *, int argc, char **argv);

#endif
