/*
 * strv.h: NULL-terminated vectors of strings (an argv, an envp), each
 * string and the vector its own allocation, as tmux's cmd_free_argv.
 */
#ifndef STRV_H
#define STRV_H

#include <stddef.h>

/* Append a copy of s to v (NULL: a new vector); *n counts the strings. */
char	**strv_add(char **v, size_t *n, const char *s);
/* Free each string and the vector; NULL is a no-op. */
void	  strv_free(char **);

#endif
