/*
 * ws.h: websockets (RFC 6455), server side, on a connection that deskd's
 * own HTTP server hands over (http_req_takeover).  A mechanism with no
 * knowledge of what it carries: the live view streams frames over it, and
 * anything else that wants a message channel (streamed stdin, terminals)
 * can use it the same way.
 *
 * Incoming frames are parsed with their limits checked as soon as the
 * header is in (a message over the limit is refused before its payload is
 * read); fragments are reassembled; pings are answered; text is checked to
 * be UTF-8; any protocol error closes the connection with the RFC's code
 * (section 7.4.1) and a logged reason.  Outgoing data is never masked
 * (section 5.1) and is never held back: the owner asks ws_above_mark()
 * and drops or delays what it would send, so a reader that stops reading
 * costs at most the high-water mark plus one message.
 *
 * Lifetime: the close callback runs exactly once, when the connection is
 * over for whatever reason (either side's close, a protocol error, a
 * stalled or dead peer); the websocket is freed right after it returns.
 * ws_free closes at once without calling it (the owner's own teardown).
 * Callbacks may call any ws_* function, ws_free included.
 */
#ifndef WS_H
#define WS_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

struct bufferevent;
struct evbuffer;
struct http_req;
struct ws;

/* Limits, checked while parsing. */
#define WS_MAX_MESSAGE		(1024 * 1024)	/* default, reassembled */
#define WS_MAX_CONTROL		125		/* RFC 6455 5.5 */
#define WS_MAX_FRAGMENTS	1024		/* frames in one message */
#define WS_MAX_REASON		123		/* close reason bytes (5.5.1) */
#define WS_OUT_HIGH		(1024 * 1024)	/* default high-water mark */
#define WS_CLOSE_WAIT_MS	3000	/* for the peer's close, after ours */

/* Opcodes (RFC 6455 5.2). */
#define WS_CONT		0x0
#define WS_TEXT		0x1
#define WS_BINARY	0x2
#define WS_CLOSE	0x8
#define WS_PING		0x9
#define WS_PONG		0xa

/* Close codes (RFC 6455 7.4.1). */
#define WS_CLOSE_NORMAL		1000
#define WS_CLOSE_GOING_AWAY	1001
#define WS_CLOSE_PROTOCOL	1002
#define WS_CLOSE_UNSUPPORTED	1003
#define WS_CLOSE_NO_STATUS	1005	/* never sent: none was given */
#define WS_CLOSE_ABNORMAL	1006	/* never sent: no close frame */
#define WS_CLOSE_BAD_DATA	1007
#define WS_CLOSE_POLICY		1008
#define WS_CLOSE_TOO_BIG	1009
#define WS_CLOSE_INTERNAL	1011

/* A whole message: WS_TEXT (valid UTF-8) or WS_BINARY. */
typedef void (*ws_message_cb)(struct ws *, int opcode, const u_char *,
    size_t, void *);
/* The connection is over; code and reason as received or as we failed. */
typedef void (*ws_close_cb)(struct ws *, int code, const char *reason,
    void *);
/* The output fell under half the high-water mark. */
typedef void (*ws_drain_cb)(struct ws *, void *);

/*
 * Check the upgrade request (GET, Upgrade: websocket, Connection: upgrade,
 * Sec-WebSocket-Version: 13, a 16-byte Sec-WebSocket-Key), answer 101 with
 * Sec-WebSocket-Accept and take the connection over.  On a bad request it
 * replies with a 4xx JSON error itself and returns NULL.  protocol, when
 * not NULL, is echoed as Sec-WebSocket-Protocol.
 */
struct ws	*ws_accept(struct http_req *, const char *protocol,
		    ws_message_cb, ws_close_cb, void *);
/* Run a websocket on a connection already upgraded (tests, fuzzing). */
struct ws	*ws_new(struct bufferevent *, const char *peer, ws_message_cb,
		    ws_close_cb, void *);
void		 ws_free(struct ws *);

void		 ws_set_max_message(struct ws *, size_t);
void		 ws_set_high_water(struct ws *, size_t);
void		 ws_set_drain_cb(struct ws *, ws_drain_cb);
/*
 * Close the connection when its output has made no progress for this long
 * (a peer that stopped reading), or when nothing at all arrived for
 * ping_secs * 2 after a ping every ping_secs (a peer that is gone).  0 is
 * off, the default for both.
 */
void		 ws_set_stall_timeout(struct ws *, int secs);
void		 ws_set_ping_interval(struct ws *, int secs);

/* Queue a message; -1 once closing (nothing is sent then). */
int		 ws_send(struct ws *, int opcode, const void *, size_t);
/* The same, moving the buffer's contents. */
int		 ws_send_buffer(struct ws *, int opcode, struct evbuffer *);
/* Bytes queued and not yet written to the socket. */
size_t		 ws_pending(struct ws *);
/* The output is over the high-water mark: drop or delay what you send. */
int		 ws_above_mark(struct ws *);
/*
 * Start the closing handshake: send a close frame, read nothing more, wait
 * WS_CLOSE_WAIT_MS for the peer's, then the close callback runs.
 */
void		 ws_close(struct ws *, int code, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));
const char	*ws_peer(struct ws *);

/* The Sec-WebSocket-Accept value of a key (RFC 6455 4.2.2); 29 bytes. */
void		 ws_accept_key(const char *key, char out[29]);
/* Strict UTF-8 (RFC 3629: no overlongs, surrogates, past U+10FFFF). */
int		 ws_utf8_valid(const u_char *, size_t);

#endif
