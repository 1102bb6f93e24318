/*
 * deskctl.c: the host tool's entry point: signals, then the command the
 * table in cmd.c names.
 */
#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "aws.h"
#include "cmd.h"
#include "deskctl.h"
#include "log.h"
#include "util.h"

static void
deskctl_sig_cb(int sig)
{
	util_interrupted = 1;
}

static void
deskctl_signals(void)
{
	struct sigaction	 sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = deskctl_sig_cb;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: sleeps and polls must wake up. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int
main(int argc, char **argv)
{
	const struct cmd_entry	*e = NULL;
	struct cmd_opts		 o;
	int			 rv, first, status;

	log_init(LOG_LEVEL_INFO, "deskctl");
	rv = cmd_parse(argc - 1, argv + 1, &o, &e, &first);
	if (rv != 0) {
		cmd_opts_free(&o);
		return (rv == 1 ? DESKCTL_EXIT_OK : DESKCTL_EXIT_USAGE);
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	deskctl_signals();
	status = e->exec(&o, argc - 1 - first, argv + 1 + first);
	aws_cache_free();
	curl_global_cleanup();
	cmd_opts_free(&o);
	return (status);
}
