/*
 * pyfmt.h: Python's way of printing values, for the OSWorld messages that
 * quote them (a command's str(list), a timeout's seconds): a client that
 * compares texts with the Python server's sees the same bytes.
 */
#ifndef PYFMT_H
#define PYFMT_H

#include <jansson.h>

/* repr(float): the shortest digits that read back the same, "1.0". */
char	*pyfmt_float(double);
/* str() of a JSON number as Python prints it (int or float). */
char	*pyfmt_number(json_t *);
/* A duration in ms as Python prints the seconds: "120", "0.5". */
char	*pyfmt_seconds(long long ms);
/* str(list) ("['a', 'b']"), or with join " ".join(list). */
char	*pyfmt_list(char *const *, int join);
/* str(OSError): "[Errno 2] No such file or directory: 'x'". */
char	*pyfmt_oserror(int errnum, const char *path);

#endif
