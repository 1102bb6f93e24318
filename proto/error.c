/* error.c: the native surface's error body. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "deskproto.h"

json_t *
proto_error_new(const char *code, const char *message)
{
	json_t	*obj;
	char	*clean;

	/* Messages may quote client input: keep the JSON valid. */
	if ((clean = proto_utf8_clean(message, strlen(message), NULL)) == NULL)
		return (NULL);
	obj = json_pack("{s:{s:s, s:s}}", "error", "code", code,
	    "message", clean);
	free(clean);
	return (obj);
}

int
proto_error_parse(json_t *obj, const char **code, const char **message)
{
	json_t	*e;

	if (!json_is_object(obj))
		return (-1);
	e = json_object_get(obj, "error");
	if (!json_is_object(e))
		return (-1);
	*code = json_string_value(json_object_get(e, "code"));
	*message = json_string_value(json_object_get(e, "message"));
	if (*code == NULL || *message == NULL)
		return (-1);
	return (0);
}

int
proto_json_truthy(json_t *v)
{
	if (v == NULL || json_is_null(v) || json_is_false(v))
		return (0);
	if (json_is_integer(v))
		return (json_integer_value(v) != 0);
	if (json_is_real(v))
		return (json_real_value(v) != 0.0);
	if (json_is_string(v))
		return (json_string_length(v) != 0);
	if (json_is_array(v))
		return (json_array_size(v) != 0);
	if (json_is_object(v))
		return (json_object_size(v) != 0);
	return (1);
}
