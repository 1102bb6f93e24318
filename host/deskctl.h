/*
 * deskctl.h: limits, defaults and exit codes of the host tool.  Every
 * limit is checked where the value is parsed (cmd.c, creds.c, xml.c).
 */
#ifndef DESKCTL_H
#define DESKCTL_H

#define DESKCTL_AGENT_PORT	5000
#define DESKCTL_CDP_PORT	9222	/* deskd's DevTools proxy */
#define DESKCTL_SSH_PORT	22
#define DESKCTL_EC2_VERSION	"2016-11-15"
#define DESKCTL_ASG_VERSION	"2011-01-01"	/* Auto Scaling */
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
/*
 * RunInstances in flight at once: one per guest (each has its own user
 * data and token).  Far below the mutating-call bucket EC2 documents
 * (ec2-api-throttling), so a launch of 100 is not throttled into a
 * crawl; RequestLimitExceeded is retried with backoff anyway.
 */
#define DESKCTL_RUN_PARALLEL	8
#define DESKCTL_API_TIMEOUT_S	30
#define DESKCTL_CONNECT_TIMEOUT_S 10

/* EC2 states of a guest that still exists (ls, terminate, pools). */
#define DESKCTL_LIVE_STATES	"pending,running,stopping,stopped,shutting-down"

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
/* EC2 takes 16 KB of user data before base64 (RunInstances UserData). */
#define DESKCTL_USERDATA_MAX	16384
#define DESKCTL_MAX_COUNT	1000
#define DESKCTL_DEFAULT_TYPE	"t3.large"
#define DESKCTL_DEFAULT_DISK_GB	30
/* The image's desktop user, owner of /etc/deskd/token (packaging). */
#define DESKCTL_DESKTOP_USER	"user"
/* deskctl cp: larger files are refused before anything is sent. */
#define DESKCTL_MAX_FILE	(4LL * 1024 * 1024 * 1024)

/*
 * deskctl mcp: one message from the client, or one event or JSON body
 * from the guest, at most (a write_file of 8 MiB is 11 MB of base64).
 */
#define DESKCTL_MCP_MAX_LINE	(64 * 1024 * 1024)
#define DESKCTL_MCP_MAX_BODY	(64 * 1024 * 1024)

/* Exit codes. */
#define DESKCTL_EXIT_OK		0
#define DESKCTL_EXIT_FAIL	1	/* anything else */
#define DESKCTL_EXIT_USAGE	2	/* bad command line */
#define DESKCTL_EXIT_AUTH	3	/* credentials or permissions */
#define DESKCTL_EXIT_TIMEOUT	4	/* a guest did not become ready */
#define DESKCTL_EXIT_CAPACITY	5	/* no capacity / quota */
#define DESKCTL_EXIT_INTERRUPTED 130

#endif
