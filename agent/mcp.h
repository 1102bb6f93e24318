/*
 * mcp.h: deskd as a Model Context Protocol server, over the Streamable
 * HTTP transport at /mcp (MCP 2025-06-18 basic/transports.mdx).
 *
 * POST /mcp carries one JSON-RPC message (or, in a 2025-03-26 session, a
 * batch); the answer is one JSON object, or for tools/call an SSE stream
 * that ends with the response (comments keep a long call's connection
 * alive).  GET /mcp is 405: deskd sends nothing unasked.  DELETE /mcp
 * ends a session.  initialize makes a session (Mcp-Session-Id, 128 random
 * bits) that every later request names; sessions are bounded in number
 * and expire when idle.  The route is one more entry of v1.c's table, so
 * the token and CIDR rules of every route apply, and so does http.c's
 * Origin check against web pages and DNS rebinding (a 403, as the
 * transport requires).
 *
 * Tools (mcp_tools.c) answer through the call API below: content items
 * appended in order, then exactly one mcp_call_finish (or mcp_call_fail).
 * A call whose client hung up keeps running (transports.mdx: disconnection
 * "SHOULD NOT be interpreted as the client cancelling"); its answer is
 * dropped.  notifications/cancelled and DELETE stop it through the
 * tool's cancel hook.
 */
#ifndef MCP_H
#define MCP_H

#include <sys/types.h>
#include <stddef.h>

#include <jansson.h>

struct event_base;
struct evbuffer;
struct http_req;
struct mcp_call;

#define MCP_MAX_SESSIONS	64
#define MCP_SESSION_IDLE_MS	(2LL * 3600 * 1000)	/* then it expires */
#define MCP_SESSION_ID_BYTES	16
#define MCP_MAX_BATCH		32	/* messages in a 2025-03-26 batch */
#define MCP_MAX_CALLS		128	/* tool calls in flight, all sessions */
#define MCP_KEEPALIVE_MS	15000	/* SSE comment while a call runs */

/* The revisions served, newest first; initialize answers the first. */
#define MCP_VERSION_LATEST	"2025-11-25"
#define MCP_VERSIONS		{ "2025-11-25", "2025-06-18", "2025-03-26" }

void		 mcp_init(struct event_base *);
void		 mcp_shutdown(void);

/* POST and DELETE /mcp (v1.c's table). */
void		 mcp_post_cb(struct http_req *, void *);
void		 mcp_delete_cb(struct http_req *, void *);

/* For the tools. */
typedef void	(*mcp_cancel_cb)(void *);
/*
 * Run cb(arg) if the call is stopped (notifications/cancelled, DELETE,
 * shutdown): the tool then stops its work, frees its state and never
 * touches the call again.
 */
void		 mcp_call_set_cancel(struct mcp_call *, mcp_cancel_cb, void *);
void		 mcp_result_text(struct mcp_call *, const char *, size_t);
void		 mcp_result_printf(struct mcp_call *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
/*
 * A JSON document (valid UTF-8, built by the tool) as a text item, and as
 * structuredContent when the tool has an output schema and the session's
 * revision has structured content (2025-06-18 and later).  Drains doc.
 */
void		 mcp_result_json(struct mcp_call *, struct evbuffer *doc);
/* A text item holding data's bytes as base64 (read_file). */
void		 mcp_result_base64(struct mcp_call *, struct evbuffer *data);
/* An image item: png's bytes as base64, without a copy of them. */
void		 mcp_result_image(struct mcp_call *, struct evbuffer *png,
		    const char *mime);
/* Send the result ("isError": is_error) and free the call. */
void		 mcp_call_finish(struct mcp_call *, int is_error);
/* A text item with the message, then finish with isError. */
void		 mcp_call_fail(struct mcp_call *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

#endif
