/*
 * mcp_schema.c: the subset of JSON Schema deskd's tool schemas use (see
 * mcp_schema.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "mcp_schema.h"
#include "xmalloc.h"

static const char *
mcp_schema_kind(json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return ("an object");
	case JSON_ARRAY:
		return ("an array");
	case JSON_STRING:
		return ("a string");
	case JSON_INTEGER:
		return ("an integer");
	case JSON_REAL:
		return ("a number");
	case JSON_TRUE:
	case JSON_FALSE:
		return ("a boolean");
	case JSON_NULL:
		return ("null");
	}
	return ("?");
}

static int
mcp_schema_is_type(json_t *v, const char *type)
{
	double	 d;

	if (strcmp(type, "object") == 0)
		return (json_is_object(v));
	if (strcmp(type, "array") == 0)
		return (json_is_array(v));
	if (strcmp(type, "string") == 0)
		return (json_is_string(v));
	if (strcmp(type, "number") == 0)
		return (json_is_number(v));
	if (strcmp(type, "boolean") == 0)
		return (json_is_boolean(v));
	if (strcmp(type, "null") == 0)
		return (json_is_null(v));
	if (strcmp(type, "integer") == 0) {
		if (json_is_integer(v))
			return (1);
		if (!json_is_real(v))
			return (0);
		d = json_real_value(v);
		return (isfinite(d) && d == floor(d));
	}
	return (0);
}

static int
mcp_schema_type(json_t *schema, json_t *v, const char *where, char **cause)
{
	json_t		*t, *item;
	size_t		 i;

	if ((t = json_object_get(schema, "type")) == NULL)
		return (0);
	if (json_is_string(t)) {
		if (mcp_schema_is_type(v, json_string_value(t)))
			return (0);
		xasprintf(cause, "%s: expected %s %s, got %s", where,
		    strchr("aeiou", *json_string_value(t)) != NULL ? "an" : "a",
		    json_string_value(t), mcp_schema_kind(v));
		return (-1);
	}
	json_array_foreach(t, i, item) {
		if (json_is_string(item) &&
		    mcp_schema_is_type(v, json_string_value(item)))
			return (0);
	}
	xasprintf(cause, "%s: %s is not of an allowed type", where,
	    mcp_schema_kind(v));
	return (-1);
}

static int
mcp_schema_walk(json_t *schema, json_t *v, const char *where, int depth,
    char **cause)
{
	json_t		*p, *sub, *item, *req;
	const char	*key;
	char		*inner;
	size_t		 i, n;
	double		 d;
	int		 rc;

	if (!json_is_object(schema) || depth > MCP_SCHEMA_MAX_DEPTH)
		return (0);
	if (mcp_schema_type(schema, v, where, cause) == -1)
		return (-1);

	if ((p = json_object_get(schema, "enum")) != NULL) {
		json_array_foreach(p, i, item) {
			if (json_equal(item, v))
				break;
		}
		if (i == json_array_size(p)) {
			if (json_is_string(v))
				xasprintf(cause, "%s: \"%.64s\" is not one of "
				    "the allowed values", where,
				    json_string_value(v));
			else
				xasprintf(cause, "%s: not one of the allowed "
				    "values", where);
			return (-1);
		}
	}
	if (json_is_number(v)) {
		d = json_number_value(v);
		if ((p = json_object_get(schema, "minimum")) != NULL &&
		    d < json_number_value(p)) {
			xasprintf(cause, "%s: must be at least %g", where,
			    json_number_value(p));
			return (-1);
		}
		if ((p = json_object_get(schema, "maximum")) != NULL &&
		    d > json_number_value(p)) {
			xasprintf(cause, "%s: must be at most %g", where,
			    json_number_value(p));
			return (-1);
		}
	}
	if (json_is_string(v)) {
		/* Bytes, not characters: the limits are about memory. */
		n = json_string_length(v);
		if ((p = json_object_get(schema, "minLength")) != NULL &&
		    (json_int_t)n < json_integer_value(p)) {
			xasprintf(cause, "%s: must not be empty", where);
			return (-1);
		}
		if ((p = json_object_get(schema, "maxLength")) != NULL &&
		    (json_int_t)n > json_integer_value(p)) {
			xasprintf(cause, "%s: longer than %lld bytes", where,
			    (long long)json_integer_value(p));
			return (-1);
		}
	}
	if (json_is_array(v)) {
		n = json_array_size(v);
		if ((p = json_object_get(schema, "minItems")) != NULL &&
		    (json_int_t)n < json_integer_value(p)) {
			xasprintf(cause, "%s: needs at least %lld items", where,
			    (long long)json_integer_value(p));
			return (-1);
		}
		if ((p = json_object_get(schema, "maxItems")) != NULL &&
		    (json_int_t)n > json_integer_value(p)) {
			xasprintf(cause, "%s: takes at most %lld items", where,
			    (long long)json_integer_value(p));
			return (-1);
		}
		if ((sub = json_object_get(schema, "items")) != NULL) {
			json_array_foreach(v, i, item) {
				xasprintf(&inner, "%s[%zu]", where, i);
				rc = mcp_schema_walk(sub, item, inner,
				    depth + 1, cause);
				free(inner);
				if (rc == -1)
					return (-1);
			}
		}
	}
	if (json_is_object(v)) {
		p = json_object_get(schema, "properties");
		json_array_foreach(json_object_get(schema, "required"), i,
		    req) {
			if (json_is_string(req) &&
			    json_object_get(v, json_string_value(req)) ==
			    NULL) {
				xasprintf(cause, "%s: \"%s\" is required",
				    where, json_string_value(req));
				return (-1);
			}
		}
		json_object_foreach(v, key, item) {
			sub = json_object_get(p, key);
			if (sub == NULL) {
				if (json_is_false(json_object_get(schema,
				    "additionalProperties"))) {
					xasprintf(cause, "%s: unknown "
					    "parameter \"%.64s\"", where, key);
					return (-1);
				}
				continue;
			}
			xasprintf(&inner, "%s.%s", where, key);
			rc = mcp_schema_walk(sub, item, inner, depth + 1,
			    cause);
			free(inner);
			if (rc == -1)
				return (-1);
		}
	}
	return (0);
}

int
mcp_schema_check(json_t *schema, json_t *value, const char *where,
    char **cause)
{
	*cause = NULL;
	return (mcp_schema_walk(schema, value, where, 0, cause));
}
