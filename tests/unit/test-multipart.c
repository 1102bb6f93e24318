/*
 * test-multipart.c: the incremental multipart/form-data parser, fed in
 * every split a socket could produce.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "multipart.h"
#include "xmalloc.h"

static int	 failures;

#define CHECK(cond, ...) do {						\
	if (cond)							\
		printf("ok - ");					\
	else {								\
		printf("not ok - ");					\
		failures++;						\
	}								\
	printf(__VA_ARGS__);						\
	printf("\n");							\
} while (0)

/* What the callbacks saw, flattened: "name|filename|ctype=data;" */
struct seen {
	char	*out;
	size_t	 len;
	size_t	 cap;
	int	 fail_on_data;
	int	 parts;
	int	 ends;
};

static void
seen_add(struct seen *s, const char *p, size_t n)
{
	if (s->len + n + 1 > s->cap) {
		s->cap = (s->len + n + 1) * 2;
		s->out = xrealloc(s->out, s->cap);
	}
	memcpy(s->out + s->len, p, n);
	s->len += n;
	s->out[s->len] = '\0';
}

static int
t_begin(const struct multipart_part *p, void *arg, char **cause)
{
	struct seen	*s = arg;
	char		*line;

	s->parts++;
	xasprintf(&line, "%s|%s|%s=", p->name,
	    p->filename != NULL ? p->filename : "-",
	    p->ctype != NULL ? p->ctype : "-");
	seen_add(s, line, strlen(line));
	free(line);
	return (0);
}

static int
t_data(const char *p, size_t n, void *arg, char **cause)
{
	struct seen	*s = arg;

	if (s->fail_on_data) {
		*cause = xstrdup("refused");
		return (-1);
	}
	seen_add(s, p, n);
	return (0);
}

static int
t_end(void *arg, char **cause)
{
	struct seen	*s = arg;

	s->ends++;
	seen_add(s, ";", 1);
	return (0);
}

static const struct multipart_cbs t_cbs = { t_begin, t_data, t_end };

/* Parse body in pieces of size step (0: all at once); 0 on success. */
static int
parse(const char *boundary, const char *body, size_t len, size_t step,
    struct seen *s, char **cause)
{
	struct multipart	*mp;
	size_t			 off, n;
	int			 rc = 0;

	memset(s, 0, sizeof *s);
	seen_add(s, "", 0);
	mp = multipart_new(boundary, &t_cbs, s);
	for (off = 0; off < len; off += n) {
		n = step == 0 ? len - off : step;
		if (n > len - off)
			n = len - off;
		if ((rc = multipart_feed(mp, body + off, n, cause)) == -1)
			break;
	}
	if (rc == 0)
		rc = multipart_finish(mp, cause);
	multipart_free(mp);
	return (rc);
}

static void
test_boundary(void)
{
	char	*b, *cause = NULL;

	b = multipart_boundary("multipart/form-data; boundary=abc123", &cause);
	CHECK(b != NULL && strcmp(b, "abc123") == 0, "plain boundary");
	free(b);
	b = multipart_boundary("Multipart/Form-Data; charset=utf-8; "
	    "boundary=\"a b;c\"", &cause);
	CHECK(b != NULL && strcmp(b, "a b;c") == 0, "quoted boundary");
	free(b);
	b = multipart_boundary("multipart/form-data;boundary=x", &cause);
	CHECK(b != NULL && strcmp(b, "x") == 0, "no space before boundary");
	free(b);
	b = multipart_boundary("multipart/form-data", &cause);
	CHECK(b == NULL && cause != NULL, "missing boundary: %s", cause);
	free(cause);
	cause = NULL;
	b = multipart_boundary("application/json; boundary=x", &cause);
	CHECK(b == NULL && cause != NULL, "wrong type: %s", cause);
	free(cause);
	cause = NULL;
	b = multipart_boundary("multipart/form-dataX; boundary=x", &cause);
	CHECK(b == NULL, "type prefix is not enough");
	free(cause);
	cause = NULL;
	b = multipart_boundary(NULL, &cause);
	CHECK(b == NULL, "no content type");
	free(cause);
	cause = NULL;
	b = multipart_boundary("multipart/form-data; boundary=\"\"", &cause);
	CHECK(b == NULL, "empty boundary");
	free(cause);
}

/* A body as requests_toolbelt's MultipartEncoder writes it. */
static const char toolbelt[] =
    "--b0undary\r\n"
    "Content-Disposition: form-data; name=\"file_path\"\r\n"
    "\r\n"
    "/home/user/Desktop/a.txt\r\n"
    "--b0undary\r\n"
    "Content-Disposition: form-data; name=\"file_data\"; "
    "filename=\"a.txt\"\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "line1\r\n--b0undar\r\n-\r\n-b0undary--b0undary\r\n"
    "\r\n--b0undary--\r\n";

static const char toolbelt_seen[] =
    "file_path|-|-=/home/user/Desktop/a.txt;"
    "file_data|a.txt|text/plain="
    "line1\r\n--b0undar\r\n-\r\n-b0undary--b0undary\r\n;";

static void
test_splits(void)
{
	struct seen	 s;
	char		*cause = NULL;
	size_t		 step, bad = 0, len = sizeof toolbelt - 1;

	for (step = 0; step <= len; step++) {
		if (parse("b0undary", toolbelt, len, step, &s, &cause) != 0 ||
		    strcmp(s.out, toolbelt_seen) != 0) {
			if (bad++ == 0)
				printf("# step %zu: %s / %s\n", step,
				    cause != NULL ? cause : "", s.out);
			free(cause);
			cause = NULL;
		}
		free(s.out);
	}
	CHECK(bad == 0, "every split size gives the same parts (%zu bad)",
	    bad);
	/* A delimiter ending in spaces ("transport padding") is accepted. */
	{
		const char body[] = "--b  \r\n"
		    "Content-Disposition: form-data; name=x\r\n\r\n1\r\n"
		    "--b-- \r\n";

		CHECK(parse("b", body, sizeof body - 1, 1, &s, &cause) == 0 &&
		    strcmp(s.out, "x|-|-=1;") == 0, "padding and token name");
		free(s.out);
	}
}

static void
test_preamble(void)
{
	struct seen	 s;
	char		*cause = NULL;
	const char	 body[] = "This is a preamble --b not at a line\r\n"
	    "--b\r\n"
	    "content-disposition: form-data; name=\"a\"\r\n"
	    " ; filename=\"f\\\"q\\x\"\r\n\r\n"
	    "\r\n--b\r\n"
	    "Content-Disposition: form-data; name=\"e\"\r\n\r\n"
	    "\r\n--b--epilogue\r\n--b\r\nignored";

	CHECK(parse("b", body, sizeof body - 1, 3, &s, &cause) == 0 &&
	    strcmp(s.out, "a|f\"q\\x|-=;e|-|-=;") == 0,
	    "preamble, folded header, escapes, empty parts, epilogue: %s",
	    s.out);
	free(s.out);
	free(cause);
}

static void
test_errors(void)
{
	struct seen	 s;
	char		*cause = NULL, *big;
	size_t		 n;
	const char	*bad[] = {
		/* no closing delimiter */
		"--b\r\nContent-Disposition: form-data; name=a\r\n\r\nxx",
		/* garbage after a delimiter */
		"--bZZ\r\n",
		/* no Content-Disposition */
		"--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--",
		/* no name */
		"--b\r\nContent-Disposition: form-data; filename=a\r\n\r\n"
		"x\r\n--b--",
		/* not form-data */
		"--b\r\nContent-Disposition: attachment; name=a\r\n\r\n"
		"x\r\n--b--",
		/* header without a colon */
		"--b\r\nContent-Disposition form-data\r\n\r\nx\r\n--b--",
		/* no headers at all */
		"--b\r\n\r\nx\r\n--b--",
		/* empty body */
		"",
		/* only the preamble */
		"hello",
		/* NUL in headers */
		"--b\r\nContent-Disposition: form-data; name=\"a\0\"\r\n\r\n"
		"x\r\n--b--",
	};
	size_t		 lens[] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 62 };
	u_int		 i, ok = 0;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		n = lens[i] != 0 ? lens[i] : strlen(bad[i]);
		if (parse("b", bad[i], n, 2, &s, &cause) == -1 &&
		    cause != NULL)
			ok++;
		else
			printf("# case %u was accepted: %s\n", i, s.out);
		free(s.out);
		free(cause);
		cause = NULL;
	}
	CHECK(ok == i, "malformed bodies are refused (%u/%u)", ok, i);

	/* Headers over the limit, fed in one piece and byte by byte. */
	n = MULTIPART_MAX_HEAD * 3;
	big = xmalloc(n + 64);
	strcpy(big, "--b\r\nX-Long: ");
	memset(big + strlen(big), 'a', n);
	big[n] = '\0';
	CHECK(parse("b", big, n, 0, &s, &cause) == -1 &&
	    strstr(cause, "too long") != NULL, "long headers: %s", cause);
	free(s.out);
	free(cause);
	cause = NULL;
	CHECK(parse("b", big, n, 1, &s, &cause) == -1,
	    "long headers byte by byte");
	free(s.out);
	free(cause);
	cause = NULL;
	free(big);

	/* Too many parts. */
	{
		char	*body = NULL, *part;
		size_t	 blen = 0;

		for (i = 0; i < MULTIPART_MAX_PARTS + 1; i++) {
			xasprintf(&part, "%s\r\n--b\r\nContent-Disposition: "
			    "form-data; name=p%u\r\n\r\nv", body ? body : "",
			    i);
			free(body);
			body = part;
		}
		xasprintf(&part, "%s\r\n--b--", body);
		free(body);
		blen = strlen(part);
		CHECK(parse("b", part, blen, 7, &s, &cause) == -1,
		    "more than %d parts: %s", MULTIPART_MAX_PARTS, cause);
		free(s.out);
		free(cause);
		cause = NULL;
		free(part);
	}

	/* A callback's refusal stops the parse with its cause. */
	{
		struct multipart	*mp;

		memset(&s, 0, sizeof s);
		s.fail_on_data = 1;
		mp = multipart_new("b0undary", &t_cbs, &s);
		CHECK(multipart_feed(mp, toolbelt, sizeof toolbelt - 1,
		    &cause) == -1 && strcmp(cause, "refused") == 0,
		    "callback refusal");
		free(cause);
		cause = NULL;
		CHECK(multipart_feed(mp, "x", 1, &cause) == -1,
		    "no feeding after a failure");
		free(cause);
		multipart_free(mp);
		free(s.out);
	}
}

/* 5 MB of binary data holding CRs, LFs and dashes, in uneven pieces. */
static void
test_large(void)
{
	struct multipart	*mp;
	struct seen		 s;
	char			*data, *body, *cause = NULL;
	const char		*head = "--XyZ\r\nContent-Disposition: "
	    "form-data; name=\"file_data\"; filename=\"big.bin\"\r\n\r\n";
	const char		*tail = "\r\n--XyZ--\r\n";
	size_t			 n = 5 * 1024 * 1024, hlen, blen, off, step;
	size_t			 i;
	unsigned int		 seed = 42;
	int			 rc = 0;

	data = xmalloc(n);
	for (i = 0; i < n; i++) {
		seed = seed * 1103515245 + 12345;
		data[i] = "\r\n-XyZ\0abc"[(seed >> 16) % 10];
	}
	hlen = strlen(head);
	blen = hlen + n + strlen(tail);
	body = xmalloc(blen);
	memcpy(body, head, hlen);
	memcpy(body + hlen, data, n);
	memcpy(body + hlen + n, tail, strlen(tail));

	memset(&s, 0, sizeof s);
	mp = multipart_new("XyZ", &t_cbs, &s);
	for (off = 0; off < blen && rc == 0; off += step) {
		seed = seed * 1103515245 + 12345;
		step = 1 + (seed >> 8) % 300000;
		if (step > blen - off)
			step = blen - off;
		rc = multipart_feed(mp, body + off, step, &cause);
	}
	if (rc == 0)
		rc = multipart_finish(mp, &cause);
	multipart_free(mp);
	hlen = strlen("file_data|big.bin|-=");
	CHECK(rc == 0 && s.len == hlen + n + 1 &&
	    memcmp(s.out + hlen, data, n) == 0 && s.ends == 1,
	    "5 MB binary part in random pieces comes out identical");
	free(s.out);
	free(data);
	free(body);
	free(cause);
}

int
main(void)
{
	test_boundary();
	test_splits();
	test_preamble();
	test_errors();
	test_large();
	return (failures != 0);
}
