/*
 * userdata.h: the cloud-init user data deskctl gives a guest, the
 * contract with the image in packaging/cloud-init/README.md: the token of
 * a plain guest, or the public key of a pool whose guests make their own;
 * and the guest's own deskd options in /etc/deskd/instance.env.
 */
#ifndef USERDATA_H
#define USERDATA_H

#include <time.h>

/* Where a pool guest keeps what it makes and finds (the image's paths). */
#define USERDATA_POOL_KEY	"/etc/deskd/pool.pub"
#define USERDATA_MADE_TOKEN	"/var/lib/deskd/token"
#define USERDATA_INSTANCE_ID	"/var/lib/cloud/data/instance-id"

struct userdata {
	const char	 *desktop_user;	/* owner of the token file */
	const char	 *token;	/* a plain guest's, or NULL */
	const char	 *pool_key;	/* a pool's public key (base64) */
	const char	**allow;	/* --agent-allow networks */
	size_t		  nallow;
	time_t		  expires_at;	/* 0: none (deskd --expires-at) */
	long long	  idle_shutdown; /* seconds, 0: none */
};

/* The #cloud-config document; a new string (it may hold a secret). */
char	*userdata_build(const struct userdata *);

#endif
