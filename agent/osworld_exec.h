/*
 * osworld_exec.h: the process routes of OSWorld's control server
 * (/execute, /setup/execute, /execute_with_verification and its /setup/
 * twin, /setup/launch, /run_python, /run_bash_script) plus /terminal,
 * /accessibility and /platform, with the status codes and JSON keys of
 * reference/osworld-api.md section 1 and the upstream bugs fixed.
 */
#ifndef OSWORLD_EXEC_H
#define OSWORLD_EXEC_H

struct http_server;

#define OSWORLD_EXEC_TIMEOUT_MS		120000	/* /execute */
#define OSWORLD_PYTHON_TIMEOUT_MS	30000	/* /run_python */
#define OSWORLD_VERIFY_CMD_TIMEOUT_MS	5000	/* command_success */
#define OSWORLD_BASH_TIMEOUT_S		100	/* /run_bash_script */
#define OSWORLD_BASH_TIMEOUT_MAX_S	86400
#define OSWORLD_VERIFY_MAX_WAIT_S	3600
#define OSWORLD_VERIFY_MIN_INTERVAL_MS	10	/* no busy polling */
#define OSWORLD_PYTHON			"/usr/bin/python3"

/*
 * Test aids, not for users: DESKD_TEST_EXEC_TIMEOUT_MS and
 * DESKD_TEST_PYTHON_TIMEOUT_MS replace the fixed 120 s and 30 s timeouts
 * so the test suite can exercise them quickly.
 */
#define OSWORLD_TEST_EXEC_TIMEOUT_ENV	"DESKD_TEST_EXEC_TIMEOUT_MS"
#define OSWORLD_TEST_PYTHON_TIMEOUT_ENV	"DESKD_TEST_PYTHON_TIMEOUT_MS"

void	 osworld_exec_init(struct event_base *, struct http_server *);

#endif
