/*
 * util.h: small pure helpers every part of deskctl uses (durations, times,
 * encodings, randomness, files, a capped curl buffer), the message to the
 * person at the terminal, and the interruptible sleep.
 */
#ifndef UTIL_H
#define UTIL_H

#include <signal.h>
#include <stddef.h>
#include <time.h>

/* Set by the SIGINT/SIGTERM handler; long loops and transfers check it. */
extern volatile sig_atomic_t util_interrupted;
/* A message for the person at the terminal ("deskctl: ..."). */
void		 util_say(const char *, ...)
		    __attribute__((format(printf, 1, 2)));

int		 util_parse_duration(const char *, long long *secs,
		    char **cause);
/* The same, but a bare number is minutes (--idle MIN, --idle-shutdown). */
int		 util_parse_minutes(const char *, long long *secs,
		    char **cause);
char		*util_random_hex(size_t nbytes, char **cause);
char		*util_time_iso(time_t);
int		 util_parse_iso(const char *, time_t *);
/* Sleep that a signal cuts short: 0, or -1 when interrupted. */
int		 util_sleep_ms(long ms);
long		 util_backoff_ms(int attempt, long base, long cap);
long long	 util_now_ms(void);
char		*util_read_file(const char *path, size_t max, size_t *len,
		    char **cause);
int		 util_write_file(const char *path, const void *, size_t,
		    int mode, char **cause);
char		*util_owner(void);
char		*util_exe_dir(void);
/* Percent-encode RFC 3986 unreserved-only (the SigV4 form rule). */
char		*util_pct_encode(const char *);
/* Wipe and free a secret string (NULL is fine). */
void		 util_free_secret(char *);

/*
 * The one curl write callback of the host: the answer grows in DATA
 * (NUL-terminated) up to MAX bytes, then the transfer fails with
 * TOOLONG set.  Zero the struct and set MAX before the transfer.
 */
struct util_buf {
	char	*data;
	size_t	 len;
	size_t	 max;
	int	 toolong;
};
size_t		 util_buf_write_cb(char *, size_t, size_t, void *);

#endif
