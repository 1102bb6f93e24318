/*
 * xml.h: a tiny element tree built with expat, enough to read EC2 Query
 * API answers.  Names are local (namespace dropped: AWS and moto differ in
 * the trailing slash), lookups are by name, never by position (element
 * order differs between moto and AWS).
 */
#ifndef XML_H
#define XML_H

#include <stddef.h>

struct xml_node {
	char		*name;
	char		*text;		/* character data or "" */
	struct xml_node	*parent;
	struct xml_node	*child;		/* first child */
	struct xml_node	*last;
	struct xml_node	*next;		/* next sibling */
};

/* NULL + cause on malformed XML or when the depth/node limits are hit. */
struct xml_node	*xml_parse(const char *, size_t, char **cause);
void		 xml_free(struct xml_node *);
/* First direct child called NAME, or NULL. */
struct xml_node	*xml_child(struct xml_node *, const char *name);
/* Follow a "a/b/c" path of direct children. */
struct xml_node	*xml_path(struct xml_node *, const char *path);
/* Text of the child at PATH, NULL when missing or empty. */
const char	*xml_text(struct xml_node *, const char *path);
/* First descendant called NAME in document order (node itself included). */
struct xml_node	*xml_find(struct xml_node *, const char *name);
/* Next element called NAME after N in document order, inside ROOT. */
struct xml_node	*xml_find_next(struct xml_node *root, struct xml_node *n,
		    const char *name);

#endif
