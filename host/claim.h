/*
 * claim.h: a pool guest held by one holder at a time, with EC2 as the
 * arbiter (proto/deskctl.md, "Claims").  EC2 has no conditional write,
 * but CreateTags never overwrites a key it was not given: a claimant
 * writes a key of its own, deskd:claim:NONCE, reads the instance's tags
 * back, and holds the guest only when its key is the only claim there.
 * Otherwise it takes its key back and tries another guest.
 */
#ifndef CLAIM_H
#define CLAIM_H

#include <stddef.h>
#include <time.h>

struct aws;
struct ec2_instance;

#define CLAIM_PREFIX		"deskd:claim:"
#define CLAIM_NONCE_BYTES	8
/*
 * Between the write and the second read-back: EC2's tags are eventually
 * consistent (docs.aws.amazon.com/ec2/latest/devguide/
 * eventual-consistency.html), so a rival's key written just before ours
 * may show only a moment later.  $DESKCTL_CLAIM_SETTLE_MS overrides.
 */
#define CLAIM_SETTLE_MS		250

/* Pure: how many claims an instance carries, and the oldest's holder. */
size_t	 claim_count(const struct ec2_instance *);
/* The oldest claim: its key, holder and time (pointers into IN); -1: none. */
int	 claim_oldest(const struct ec2_instance *, const char **key,
	    const char **holder, time_t *since);
/*
 * Claim instance ID for HOLDER: 1 when held (*KEY is our tag key, a new
 * string), 0 when another claimant was there, -1 on an error.
 */
int	 claim_try(struct aws *, const char *id, const char *holder,
	    char **key, char **code, char **cause);
/* Remove KEY from ID, or every claim on IN when KEY is NULL. */
int	 claim_drop(struct aws *, const char *id,
	    const struct ec2_instance *in, const char *key, char **code,
	    char **cause);

#endif
