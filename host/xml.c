/* xml.c: expat into a small tree, with limits checked while parsing. */
#include <expat.h>
#include <stdlib.h>
#include <string.h>

#include "deskctl.h"
#include "xml.h"
#include "xmalloc.h"

struct xml_parse_state {
	struct xml_node	*root;
	struct xml_node	*cur;
	int		 depth;
	size_t		 nodes;
	XML_Parser	 parser;
	const char	*error;
};

static const char *
xml_local(const char *name)
{
	const char	*p;

	/* XML_ParserCreateNS separates namespace and local name with '|'. */
	if ((p = strrchr(name, '|')) != NULL)
		return (p + 1);
	return (name);
}

static void
xml_start_cb(void *arg, const XML_Char *name, const XML_Char **attrs)
{
	struct xml_parse_state	*st = arg;
	struct xml_node		*n;

	if (++st->depth > DESKCTL_XML_MAX_DEPTH ||
	    ++st->nodes > DESKCTL_XML_MAX_NODES) {
		st->error = "document too deep or too large";
		XML_StopParser(st->parser, XML_FALSE);
		return;
	}
	n = xcalloc(1, sizeof *n);
	n->name = xstrdup(xml_local(name));
	n->text = xstrdup("");
	n->parent = st->cur;
	if (st->cur == NULL)
		st->root = n;
	else {
		if (st->cur->last == NULL)
			st->cur->child = n;
		else
			st->cur->last->next = n;
		st->cur->last = n;
	}
	st->cur = n;
}

static void
xml_end_cb(void *arg, const XML_Char *name)
{
	struct xml_parse_state	*st = arg;

	st->depth--;
	if (st->cur != NULL)
		st->cur = st->cur->parent;
}

static void
xml_text_cb(void *arg, const XML_Char *s, int len)
{
	struct xml_parse_state	*st = arg;
	struct xml_node		*n = st->cur;
	size_t			 old;

	if (n == NULL || len <= 0)
		return;
	old = strlen(n->text);
	n->text = xrealloc(n->text, old + len + 1);
	memcpy(n->text + old, s, len);
	n->text[old + len] = '\0';
}

struct xml_node *
xml_parse(const char *buf, size_t len, char **cause)
{
	struct xml_parse_state	 st;
	XML_Parser		 p;

	memset(&st, 0, sizeof st);
	if (len > DESKCTL_MAX_RESPONSE || len > (size_t)0x7fffffff) {
		xasprintf(cause, "XML answer too large (%zu bytes)", len);
		return (NULL);
	}
	if ((p = XML_ParserCreateNS(NULL, '|')) == NULL) {
		xasprintf(cause, "XML_ParserCreate failed");
		return (NULL);
	}
	st.parser = p;
	XML_SetUserData(p, &st);
	XML_SetElementHandler(p, xml_start_cb, xml_end_cb);
	XML_SetCharacterDataHandler(p, xml_text_cb);
	if (XML_Parse(p, buf, (int)len, XML_TRUE) != XML_STATUS_OK) {
		if (st.error != NULL)
			xasprintf(cause, "bad XML answer: %s", st.error);
		else
			xasprintf(cause, "bad XML answer: %s at line %lu",
			    XML_ErrorString(XML_GetErrorCode(p)),
			    (unsigned long)XML_GetCurrentLineNumber(p));
		XML_ParserFree(p);
		xml_free(st.root);
		return (NULL);
	}
	XML_ParserFree(p);
	if (st.root == NULL)
		xasprintf(cause, "empty XML answer");
	return (st.root);
}

void
xml_free(struct xml_node *n)
{
	struct xml_node	*c, *next;

	if (n == NULL)
		return;
	for (c = n->child; c != NULL; c = next) {
		next = c->next;
		xml_free(c);
	}
	free(n->name);
	free(n->text);
	free(n);
}

struct xml_node *
xml_child(struct xml_node *n, const char *name)
{
	struct xml_node	*c;

	if (n == NULL)
		return (NULL);
	for (c = n->child; c != NULL; c = c->next) {
		if (strcmp(c->name, name) == 0)
			return (c);
	}
	return (NULL);
}

struct xml_node *
xml_path(struct xml_node *n, const char *path)
{
	char	*copy, *p, *part;

	copy = p = xstrdup(path);
	while (n != NULL && (part = strsep(&p, "/")) != NULL) {
		if (*part != '\0')
			n = xml_child(n, part);
	}
	free(copy);
	return (n);
}

const char *
xml_text(struct xml_node *n, const char *path)
{
	n = xml_path(n, path);
	if (n == NULL || n->text[0] == '\0')
		return (NULL);
	return (n->text);
}

/* Pre-order successor of N within ROOT. */
static struct xml_node *
xml_succ(struct xml_node *root, struct xml_node *n)
{
	if (n->child != NULL)
		return (n->child);
	while (n != NULL && n != root) {
		if (n->next != NULL)
			return (n->next);
		n = n->parent;
	}
	return (NULL);
}

struct xml_node *
xml_find(struct xml_node *root, const char *name)
{
	if (root == NULL)
		return (NULL);
	if (strcmp(root->name, name) == 0)
		return (root);
	return (xml_find_next(root, root, name));
}

struct xml_node *
xml_find_next(struct xml_node *root, struct xml_node *n, const char *name)
{
	if (root == NULL || n == NULL)
		return (NULL);
	while ((n = xml_succ(root, n)) != NULL) {
		if (strcmp(n->name, name) == 0)
			return (n);
	}
	return (NULL);
}
