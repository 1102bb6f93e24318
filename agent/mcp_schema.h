/*
 * mcp_schema.h: tool arguments checked against the tool's inputSchema
 * before anything runs.
 *
 * The schemas are deskd's own (mcp_catalog.c), so only the JSON Schema
 * 2020-12 keywords they use are understood: type (a name or a list of
 * names), properties, required, additionalProperties (false), enum (of
 * strings), items, minItems, maxItems, minimum, maximum, minLength,
 * maxLength.  Depth follows the schema, never the value, so a deep value
 * costs nothing.  "integer" takes 512.0 too, as 2020-12 does
 * (json-schema-validation section 6.1.1: a number with a zero fractional
 * part).
 */
#ifndef MCP_SCHEMA_H
#define MCP_SCHEMA_H

#include <jansson.h>

#define MCP_SCHEMA_MAX_DEPTH	8

/*
 * 0 when value fits schema, else -1 with cause naming the place
 * ("arguments.coordinate[1]: expected an integer, got a string").
 */
int	 mcp_schema_check(json_t *schema, json_t *value, const char *where,
	    char **cause);

#endif
