/*
 * reset.h: POST /v1/reset, the guest's own reset before a pool hands it
 * to its next holder (deskctl pool release --reset): the recording
 * stopped and thrown away, then --reset-command run (ending the user's
 * programs, restarting the session: what that means is the image's).
 */
#ifndef RESET_H
#define RESET_H

struct http_req;

#define RESET_COMMAND_TIMEOUT_MS	120000

/* --reset-command, before the loop; -1 + cause. */
int	 reset_set_command(const char *, char **cause);
void	 reset_shutdown(void);
/* POST /v1/reset (v1.c's table). */
void	 reset_cb(struct http_req *, void *);

#endif
