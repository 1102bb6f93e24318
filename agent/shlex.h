/*
 * shlex.h: Python's shlex.split(s) (posix=True, comments=False) in C, so a
 * string command with "shell": false splits exactly as OSWorld's server
 * splits it.  Also the "~" expansion of os.path.expanduser.
 */
#ifndef SHLEX_H
#define SHLEX_H

#include <stddef.h>

/*
 * Split s (len bytes, may hold no NUL) into a NULL-terminated vector of
 * new strings (strv_free frees it); *argc gets the count.  NULL with
 * cause on an unbalanced quote ("No closing quotation") or a trailing
 * backslash ("No escaped character"), Python's messages.
 */
char	**shlex_split(const char *s, size_t len, int *argc, char **cause);
/*
 * os.path.expanduser: "~" and "~/..." use $HOME (the passwd entry when
 * unset), "~name/..." that user's home; anything else, or an unknown user,
 * is returned unchanged.  Always a new string.
 */
char	 *shlex_expanduser(const char *);

#endif
