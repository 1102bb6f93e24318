/*
 * deskctl.h: limits, defaults and exit codes of the host tool, and the
 * small helpers (util.c) every subsystem uses.
 */
#ifndef DESKCTL_H
#define DESKCTL_H

#include <signal.h>
#include <stddef.h>
#include <time.h>

#define DESKCTL_AGENT_PORT	5000
#define DESKCTL_EC2_VERSION	"2016-11-15"
#define DESKCTL_USER_AGENT	"deskctl/" DESKD_VERSION

/* Larger answers are refused (DescribeInstances pages are small). */
#define DESKCTL_MAX_RESPONSE	(16 * 1024 * 1024)
#define DESKCTL_XML_MAX_DEPTH	64
#define DESKCTL_XML_MAX_NODES	(1024 * 1024)

/* Full jitter, botocore "standard": random * min(cap, base * 2^n). */
#define DESKCTL_BACKOFF_BASE_MS	1000
#define DESKCTL_BACKOFF_CAP_MS	20000
#define DESKCTL_ATTEMPTS_READ	5	/* Describe* */
#define DESKCTL_ATTEMPTS_WRITE	4 /* Run (ClientToken), Terminate */
#define DESKCTL_API_TIMEOUT_S	30
#define DESKCTL_CONNECT_TIMEOUT_S 10

/* Waiting for guests. */
#define DESKCTL_WAIT_TIMEOUT_S	900	/* default --timeout */
#define DESKCTL_NOTFOUND_GRACE_S 180	/* eventual consistency after Run */
#define DESKCTL_POLL_FIRST_MS	1000
#define DESKCTL_POLL_MAX_MS	10000
#define DESKCTL_HEALTH_FIRST_MS	250
#define DESKCTL_HEALTH_MAX_MS	5000
#define DESKCTL_HEALTH_TIMEOUT_MS 3000

#define DESKCTL_IMDS_TIMEOUT_MS	1000
#define DESKCTL_IMDS_URL	"http://169.254.169.254"

#define DESKCTL_TOKEN_BYTES	32
#define DESKCTL_USERDATA_MAX	16384
#define DESKCTL_MAX_COUNT	1000
#define DESKCTL_DEFAULT_TYPE	"t3.large"
#define DESKCTL_DEFAULT_DISK_GB	30
/* The image's desktop user, owner of /etc/deskd/token (packaging). */
#define DESKCTL_DESKTOP_USER	"user"
#define DESKCTL_MAX_FILE	(4LL * 1024 * 1024 * 1024)

/* Exit codes. */
#define DESKCTL_EXIT_OK		0
#define DESKCTL_EXIT_FAIL	1	/* anything else */
#define DESKCTL_EXIT_USAGE	2	/* bad command line */
#define DESKCTL_EXIT_AUTH	3	/* credentials or permissions */
#define DESKCTL_EXIT_TIMEOUT	4	/* a guest did not become ready */
#define DESKCTL_EXIT_CAPACITY	5	/* no capacity / quota */
#define DESKCTL_EXIT_INTERRUPTED 130

/* Set by the SIGINT/SIGTERM handler; long loops and transfers check it. */
extern volatile sig_atomic_t util_interrupted;
/* A message for the person at the terminal ("deskctl: ..."). */
void		 util_say(const char *, ...)
		    __attribute__((format(printf, 1, 2)));

/* util.c */
int		 util_parse_duration(const char *, long long *secs,
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

#endif
