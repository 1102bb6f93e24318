/*
 * query.h: an AWS Query API form body (Action, Version and flattened
 * parameters: EC2's "Name.1", Auto Scaling's "Name.member.1"), encoded
 * the way SigV4 and the services want it.
 */
#ifndef QUERY_H
#define QUERY_H

struct query;

/* Starts with Action=ACTION&Version=VERSION (the service's API version). */
struct query	*query_new(const char *action, const char *version);
void		 query_free(struct query *);
const char	*query_action(struct query *);
void		 query_add(struct query *, const char *key,
		    const char *value);
/* Key from a format ("TagSpecification.%d.Tag.%d.Key", 1, 2). */
void		 query_addf(struct query *, const char *value,
		    const char *keyfmt, ...)
		    __attribute__((format(printf, 3, 4)));
/* key=value&... with both percent-encoded (RFC 3986, space as %20). */
char		*query_encode(struct query *);

#endif
