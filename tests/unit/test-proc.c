/*
 * test-proc.c: proc.c on a real event loop with real children (sh, cat),
 * and proc_text against what Python's bytes.decode("utf-8", "replace")
 * gives for the same bytes.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <jansson.h>

#include "deskd.h"
#include "proc.h"

static struct event_base	*base;
static int			 failed;

static void
check(int cond, const char *what)
{
	printf("%s - %s\n", cond ? "ok" : "not ok", what);
	if (!cond)
		failed++;
}

struct run {
	int		 done;
	int		 exited;
	int		 code;
	int		 sig;
	int		 timed_out;
	char		*out;
	size_t		 out_len;
	int		 out_trunc;
	char		*err;
	size_t		 err_len;
	int		 err_trunc;
	long long	 ms;
};

static void
done_cb(struct proc *p, const struct proc_result *r, void *arg)
{
	struct run	*run = arg;

	run->done = 1;
	run->exited = r->exited;
	run->code = r->exit_code;
	run->sig = r->signal;
	run->timed_out = r->timed_out;
	run->out = strndup(r->out, r->out_len);
	run->out_len = r->out_len;
	run->out_trunc = r->out_truncated;
	run->err = strndup(r->err, r->err_len);
	run->err_len = r->err_len;
	run->err_trunc = r->err_truncated;
	run->ms = r->duration_ms;
}

static int
run_wait(struct run *run, int max_s)
{
	long long	 end = deskd_now_ms() + max_s * 1000LL;

	while (!run->done && deskd_now_ms() < end)
		event_base_loop(base, EVLOOP_ONCE);
	return (run->done);
}

static struct proc *
start(const char *const *argv, struct proc_opts *o, struct run *run,
    int *errnop, char **cause)
{
	memset(run, 0, sizeof *run);
	o->argv = argv;
	return (proc_start(o, done_cb, run, errnop, cause));
}

static void
run_free(struct run *run)
{
	free(run->out);
	free(run->err);
}

static void
test_basic(void)
{
	const char *const argv[] = { "sh", "-c",
	    "echo out; echo err >&2; pwd; exit 3", NULL };
	struct proc_opts	 o;
	struct run		 run;
	char			*cause = NULL;
	int			 e;

	memset(&o, 0, sizeof o);
	o.cwd = "/tmp";
	check(start(argv, &o, &run, &e, &cause) != NULL, "start sh");
	check(run_wait(&run, 10), "sh finishes");
	check(run.exited && run.code == 3, "exit code 3");
	check(strcmp(run.out, "out\n/tmp\n") == 0, "stdout and cwd");
	check(strcmp(run.err, "err\n") == 0, "stderr apart");
	run_free(&run);
}

static void
test_stdin(void)
{
	const char *const argv[] = { "cat", NULL };
	struct proc_opts	 o;
	struct run		 run;
	char			*cause = NULL, *big;
	size_t			 n = 3 * 1024 * 1024, i;
	int			 e, same;

	/* Bigger than a pipe buffer both ways: needs both sides evented. */
	big = malloc(n);
	for (i = 0; i < n; i++)
		big[i] = 'a' + i % 26;
	memset(&o, 0, sizeof o);
	o.stdin_data = big;
	o.stdin_len = n;
	check(start(argv, &o, &run, &e, &cause) != NULL, "start cat");
	check(run_wait(&run, 20), "cat finishes");
	same = run.out_len == n && memcmp(run.out, big, n) == 0;
	check(same, "3 MB through stdin and stdout intact");
	run_free(&run);
	free(big);

	/* No stdin given: /dev/null, so cat ends at once. */
	memset(&o, 0, sizeof o);
	check(start(argv, &o, &run, &e, &cause) != NULL, "start cat, no stdin");
	check(run_wait(&run, 10) && run.out_len == 0, "stdin is /dev/null");
	run_free(&run);
}

static void
test_errors(void)
{
	const char *const nope[] = { "no-such-command-deskd", NULL };
	const char *const sh[] = { "sh", "-c", "true", NULL };
	struct proc_opts	 o;
	struct run		 run;
	char			*cause = NULL;
	int			 e;

	memset(&o, 0, sizeof o);
	check(start(nope, &o, &run, &e, &cause) == NULL && e == ENOENT,
	    "ENOENT reported by proc_start");
	check(cause != NULL && strcmp(cause, "[Errno 2] No such file or "
	    "directory: 'no-such-command-deskd'") == 0, "Python's message");
	free(cause);
	cause = NULL;
	o.cwd = "/no/such/dir";
	check(start(sh, &o, &run, &e, &cause) == NULL && e == ENOENT &&
	    cause != NULL && strstr(cause, "/no/such/dir") != NULL,
	    "bad cwd reported with its path");
	free(cause);
	cause = NULL;
	o.cwd = NULL;
	{
		const char *const notexec[] = { "/etc/passwd", NULL };

		check(start(notexec, &o, &run, &e, &cause) == NULL &&
		    e == EACCES, "EACCES for a non-executable file");
		free(cause);
	}
}

static void
test_timeout_group(void)
{
	/* A grandchild that ignores SIGTERM: only the group SIGKILL gets it. */
	const char *const argv[] = { "sh", "-c",
	    "sh -c 'trap \"\" TERM; echo $$; exec sleep 60' & wait", NULL };
	struct proc_opts	 o;
	struct run		 run;
	char			*cause = NULL;
	long			 gpid;
	int			 e, i, alive = 1;

	memset(&o, 0, sizeof o);
	o.timeout_ms = 300;
	check(start(argv, &o, &run, &e, &cause) != NULL, "start group");
	check(run_wait(&run, 20), "timed-out child reported");
	check(run.timed_out, "timed_out set");
	check(!run.exited && (run.sig == SIGTERM || run.sig == SIGKILL),
	    "killed by a signal");
	gpid = strtol(run.out, NULL, 10);
	check(gpid > 0, "grandchild pid read");
	for (i = 0; i < 50 && alive; i++) {
		alive = gpid > 0 && kill(gpid, 0) == 0;
		if (alive)
			usleep(100000);
	}
	check(!alive, "grandchild ignoring SIGTERM killed with the group");
	run_free(&run);
}

static void
test_cap(void)
{
	const char *const argv[] = { "sh", "-c",
	    "head -c 300000 /dev/zero; echo done >&2", NULL };
	struct proc_opts	 o;
	struct run		 run;
	char			*cause = NULL;
	int			 e;

	memset(&o, 0, sizeof o);
	o.max_output = 100000;
	check(start(argv, &o, &run, &e, &cause) != NULL, "start chatty");
	check(run_wait(&run, 20), "chatty child not blocked by the cap");
	check(run.out_len == 100000 && run.out_trunc, "output capped");
	check(strcmp(run.err, "done\n") == 0, "ran to its end");
	run_free(&run);
}

static void
test_kill(void)
{
	const char *const argv[] = { "sleep", "30", NULL };
	struct proc_opts	 o;
	struct run		 run;
	struct proc		*p;
	char			*cause = NULL;
	pid_t			 pid;
	int			 e, i, alive = 1;

	memset(&o, 0, sizeof o);
	p = start(argv, &o, &run, &e, &cause);
	check(p != NULL, "start sleep");
	pid = proc_pid(p);
	proc_kill(p);
	for (i = 0; i < 100 && proc_count() > 0; i++)
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK),
		    usleep(20000);
	alive = kill(pid, 0) == 0;
	check(!alive && proc_count() == 0, "proc_kill kills and reaps");
	check(!run.done, "no callback after proc_kill");
}

static void
test_grandchild_pipe(void)
{
	/* A background job keeps stdout open: the reply must not wait. */
	const char *const argv[] = { "sh", "-c", "sleep 30 & echo $!", NULL };
	struct proc_opts	 o;
	struct run		 run;
	char			*cause = NULL;
	long			 bg;
	int			 e;

	memset(&o, 0, sizeof o);
	check(start(argv, &o, &run, &e, &cause) != NULL, "start bg job");
	check(run_wait(&run, 10), "done without waiting for the bg job");
	bg = strtol(run.out, NULL, 10);
	check(bg > 0, "its output kept");
	check(proc_ndrains() == 2, "the pipes the bg job holds are drained");
	if (bg > 0)
		kill(bg, SIGKILL);
	run_free(&run);
	/* Its end closes the pipe: the drain goes with it. */
	for (e = 0; e < 100 && proc_ndrains() > 0; e++)
		event_base_loop(base, EVLOOP_NONBLOCK), usleep(20000);
	check(proc_ndrains() == 0, "the drain ends when the bg job does");
}

/* PROC_STREAM and PROC_STDIN_PIPE: bytes in and out as they come. */
static struct evbuffer	*stream_out;
static int		 stream_calls;

static void
stream_cb(struct proc *p, int fd, const char *data, size_t len, void *arg)
{
	if (fd == 1) {
		evbuffer_add(stream_out, data, len);
		stream_calls++;
	}
}

static void
test_stream(void)
{
	const char *const argv[] = { "sh", "-c",
	    "read a; echo got:$a; cat; echo end", NULL };
	struct proc_opts	 o;
	struct proc		*p;
	struct run		 run;
	char			*cause = NULL;
	long long		 end;
	int			 e;

	stream_out = evbuffer_new();
	memset(&o, 0, sizeof o);
	o.flags = PROC_STREAM | PROC_STDIN_PIPE;
	o.output_cb = stream_cb;
	o.stdin_data = "one\n";
	o.stdin_len = 4;
	p = start(argv, &o, &run, &e, &cause);
	check(p != NULL, "start a streamed child");
	/* The first line comes out while stdin is still open. */
	end = deskd_now_ms() + 10000;
	while (evbuffer_get_length(stream_out) < 8 && deskd_now_ms() < end)
		event_base_loop(base, EVLOOP_ONCE);
	check(evbuffer_get_length(stream_out) == 8 && !run.done,
	    "output streamed before the child ends");
	check(proc_write(p, "two\n", 4) >= 0, "proc_write queues stdin");
	proc_close_stdin(p);
	check(proc_write(p, "x", 1) == -1, "no stdin after proc_close_stdin");
	check(run_wait(&run, 10), "streamed child done");
	check(evbuffer_get_length(stream_out) == 16 &&
	    memcmp(evbuffer_pullup(stream_out, -1), "got:one\ntwo\nend\n",
	    16) == 0, "streamed output whole and in order");
	check(run.out_len == 0, "nothing kept in the result");
	check(stream_calls >= 2, "in more than one piece");
	run_free(&run);
	evbuffer_free(stream_out);
}

/* What `seq 1 n` prints. */
static char *
seq_text(int n, size_t *len)
{
	char	*s, *p;
	int	 i;

	p = s = malloc((size_t)n * 12 + 1);
	for (i = 1; i <= n; i++)
		p += sprintf(p, "%d\n", i);
	*len = p - s;
	return (s);
}

static void
test_tail(void)
{
	const char *const out[] = { "seq", "1", "100000", NULL };
	const char *const err[] = { "sh", "-c", "seq 1 100000 >&2", NULL };
	const char *const small[] = { "sh", "-c", "echo hi; echo oops >&2",
	    NULL };
	static const size_t caps[] = { 1000, 65536, 200000 };
	struct proc_opts	 o;
	struct run		 run;
	char			*cause = NULL, *want, name[80];
	size_t			 len, i, cap;
	int			 e;

	want = seq_text(100000, &len);	/* 588895 bytes */
	/* Below, at and above the read chunk: the window code paths. */
	for (i = 0; i < sizeof caps / sizeof caps[0]; i++) {
		cap = caps[i];
		memset(&o, 0, sizeof o);
		o.max_output = cap;
		o.flags = PROC_KEEP_TAIL;
		check(start(out, &o, &run, &e, &cause) != NULL, "start seq");
		check(run_wait(&run, 20), "seq finishes");
		snprintf(name, sizeof name, "stdout tail of %zu bytes kept",
		    cap);
		check(run.exited && run.code == 0 && run.out_len == cap &&
		    run.out_trunc && memcmp(run.out, want + len - cap, cap)
		    == 0, name);
		run_free(&run);
	}

	memset(&o, 0, sizeof o);
	o.max_output = 5000;
	o.flags = PROC_KEEP_TAIL;
	check(start(err, &o, &run, &e, &cause) != NULL, "start seq >&2");
	check(run_wait(&run, 20), "seq >&2 finishes");
	check(run.err_len == 5000 && run.err_trunc && memcmp(run.err,
	    want + len - 5000, 5000) == 0 && run.out_len == 0,
	    "stderr tail kept");
	run_free(&run);

	/* Without the flag the head is kept, as before. */
	memset(&o, 0, sizeof o);
	o.max_output = 5000;
	check(start(out, &o, &run, &e, &cause) != NULL, "start seq, head");
	check(run_wait(&run, 20) && run.out_len == 5000 && run.out_trunc &&
	    memcmp(run.out, want, 5000) == 0, "head kept without the flag");
	run_free(&run);

	memset(&o, 0, sizeof o);
	o.max_output = 5000;
	o.flags = PROC_KEEP_TAIL;
	check(start(small, &o, &run, &e, &cause) != NULL, "start small");
	check(run_wait(&run, 10) && strcmp(run.out, "hi\n") == 0 &&
	    strcmp(run.err, "oops\n") == 0 && !run.out_trunc &&
	    !run.err_trunc, "short output whole, not truncated");
	run_free(&run);
	free(want);
}

/* Wait (running the loop) until path exists. */
static int
wait_file(const char *path, int max_s)
{
	struct stat	 sb;
	long long	 end = deskd_now_ms() + max_s * 1000LL;

	while (stat(path, &sb) == -1) {
		if (deskd_now_ms() >= end)
			return (0);
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		usleep(10000);
	}
	return (1);
}

static char *
read_small(const char *path)
{
	FILE	*f;
	char	 buf[256];
	size_t	 n;

	if ((f = fopen(path, "r")) == NULL)
		return (strdup(""));
	n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return (strdup(buf));
}

static void
test_signal(const char *dir)
{
	struct proc_opts	 o;
	struct run		 run;
	struct proc		*p;
	char			*cause = NULL, ready[256], script[512];
	const char		*argv[] = { "sh", "-c", script, NULL };
	long long		 end;
	int			 e;

	/* As ffmpeg: SIGINT makes it finish up; the callback still runs. */
	snprintf(ready, sizeof ready, "%s/ready-int", dir);
	snprintf(script, sizeof script, "trap 'echo got INT; exit 7' INT; "
	    ": > %s; while :; do sleep 0.05; done", ready);
	memset(&o, 0, sizeof o);
	p = start(argv, &o, &run, &e, &cause);
	check(p != NULL, "start trapping sh");
	check(wait_file(ready, 10), "trap set");
	proc_signal(p, SIGINT);
	check(run_wait(&run, 10), "callback runs after proc_signal");
	check(run.exited && run.code == 7 && strcmp(run.out, "got INT\n")
	    == 0, "SIGINT handled, exit code and output reported");
	run_free(&run);

	/*
	 * As record.c's stop: SIGINT ignored, then SIGKILL.  The group gets
	 * it: the background sleep goes too.
	 */
	snprintf(ready, sizeof ready, "%s/ready-ign", dir);
	snprintf(script, sizeof script, "trap '' INT; sleep 30 & echo $!; "
	    ": > %s; wait", ready);
	memset(&o, 0, sizeof o);
	p = start(argv, &o, &run, &e, &cause);
	check(p != NULL, "start sh ignoring SIGINT");
	check(wait_file(ready, 10), "it is ready");
	proc_signal(p, SIGINT);
	end = deskd_now_ms() + 300;
	while (!run.done && deskd_now_ms() < end)
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK),
		    usleep(10000);
	check(!run.done && proc_count() == 1, "ignored SIGINT: still running");
	proc_signal(p, SIGKILL);
	check(run_wait(&run, 10), "callback after SIGKILL");
	check(!run.exited && run.sig == SIGKILL && !run.timed_out,
	    "killed by SIGKILL");
	{
		long	 bg = strtol(run.out, NULL, 10);
		int	 i, alive = 1;

		for (i = 0; i < 50 && alive; i++) {
			alive = bg > 0 && kill(bg, 0) == 0;
			if (alive)
				usleep(100000);
		}
		check(bg > 0 && !alive, "the signal went to the group");
	}
	run_free(&run);
	proc_signal(NULL, SIGINT);	/* harmless */
}

static void
test_forget(const char *dir)
{
	struct proc_opts	 o;
	struct run		 run;
	struct proc		*p;
	char			*cause = NULL, done[256], script[512], *s;
	const char		*argv[] = { "sh", "-c", script, NULL };
	long long		 end;
	int			 e;

	/* Forgotten: no callback, not killed (its timeout dropped), reaped. */
	snprintf(done, sizeof done, "%s/forgotten", dir);
	snprintf(script, sizeof script, "sleep 0.5; echo done > %s", done);
	memset(&o, 0, sizeof o);
	o.timeout_ms = 100;
	p = start(argv, &o, &run, &e, &cause);
	check(p != NULL, "start child to forget");
	proc_forget(p);
	end = deskd_now_ms() + 10000;
	while (proc_count() > 0 && deskd_now_ms() < end)
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK),
		    usleep(10000);
	check(proc_count() == 0, "forgotten child reaped when it exits");
	check(!run.done, "no callback for a forgotten child");
	s = read_small(done);
	check(strcmp(s, "done\n") == 0, "forgotten child ran to its end");
	free(s);
	proc_forget(NULL);	/* harmless */

	/* xdg-open's way: detached, stdin /dev/null, stdout deskd's. */
	snprintf(done, sizeof done, "%s/stdin", dir);
	snprintf(script, sizeof script, "readlink /proc/self/fd/0 > %s",
	    done);
	memset(&o, 0, sizeof o);
	o.argv = argv;
	o.flags = PROC_DETACH | PROC_NULL_STDIN;
	check(proc_start(&o, NULL, NULL, &e, &cause) != NULL,
	    "start detached with PROC_NULL_STDIN");
	end = deskd_now_ms() + 10000;
	while (proc_count() > 0 && deskd_now_ms() < end)
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK),
		    usleep(10000);
	s = read_small(done);
	check(proc_count() == 0 && strcmp(s, "/dev/null\n") == 0,
	    "detached child's stdin is /dev/null, reaped");
	free(s);
}

/*
 * After everything else: proc_shutdown kills what it runs but leaves a
 * forgotten child to finish.  proc.c tracks neither after it, so this
 * test reaps them itself.
 */
static void
test_forget_shutdown(const char *dir)
{
	struct proc_opts	 o;
	struct run		 run, run2;
	struct proc		*kept, *gone;
	char			*cause = NULL, done[256], script[512], *s;
	const char		*argv[] = { "sh", "-c", script, NULL };
	const char *const	 sleeper[] = { "sleep", "30", NULL };
	pid_t			 kept_pid, gone_pid;
	int			 e, st1 = 0, st2 = 0;

	snprintf(done, sizeof done, "%s/survivor", dir);
	snprintf(script, sizeof script, "sleep 0.3; echo done > %s", done);
	memset(&o, 0, sizeof o);
	gone = start(argv, &o, &run, &e, &cause);
	memset(&o, 0, sizeof o);
	kept = start(sleeper, &o, &run2, &e, &cause);
	check(gone != NULL && kept != NULL, "start survivor and sleeper");
	gone_pid = proc_pid(gone);
	kept_pid = proc_pid(kept);
	proc_forget(gone);
	proc_shutdown();
	while (waitpid(gone_pid, &st1, 0) == -1 && errno == EINTR)
		;
	while (waitpid(kept_pid, &st2, 0) == -1 && errno == EINTR)
		;
	s = read_small(done);
	check(WIFEXITED(st1) && WEXITSTATUS(st1) == 0 &&
	    strcmp(s, "done\n") == 0, "forgotten child outlives proc_shutdown");
	check(WIFSIGNALED(st2) && WTERMSIG(st2) == SIGKILL,
	    "a child still owned is killed by proc_shutdown");
	free(s);
	check(!run.done && !run2.done, "no callbacks at shutdown");
}

static void
test_describe(void)
{
	struct proc_result	 r;
	char			 buf[64];

	memset(&r, 0, sizeof r);
	r.exited = 1;
	r.exit_code = 1;
	check(strcmp(proc_describe(&r, buf, sizeof buf), "exited 1") == 0,
	    "proc_describe exit");
	r.exited = 0;
	r.signal = 9;
	check(strcmp(proc_describe(&r, buf, sizeof buf),
	    "killed by signal 9") == 0, "proc_describe signal");
}

struct text_case {
	const char	*in;
	size_t		 len;
	const char	*want;
	int		 flags;
};

static void
test_text(void)
{
	/* Expected strings from Python 3.11 bytes.decode("utf-8", "replace"). */
	static const struct text_case tc[] = {
		{ "plain", 5, "plain", 0 },
		{ "\xc3\xa9t\xc3\xa9", 5, "\xc3\xa9t\xc3\xa9", 0 },
		{ "a\xffz", 3, "a\xef\xbf\xbdz", 0 },
		{ "\xe0\x80", 2, "\xef\xbf\xbd\xef\xbf\xbd", 0 },
		{ "\xe1\x80\x41", 3, "\xef\xbf\xbd" "A", 0 },
		{ "\xed\xa0\x80", 3,
		    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 0 },
		{ "\xf0\x9f\x98", 3, "\xef\xbf\xbd", 0 },
		{ "\xf0\x9f\x98\x80", 4, "\xf0\x9f\x98\x80", 0 },
		{ "\xf4\x90\x80\x80", 4, "\xef\xbf\xbd\xef\xbf\xbd"
		    "\xef\xbf\xbd\xef\xbf\xbd", 0 },
		{ "\xc0\xaf", 2, "\xef\xbf\xbd\xef\xbf\xbd", 0 },
		{ "a\r\nb\rc\n", 7, "a\nb\nc\n", PROC_TEXT_NEWLINES },
		{ "a\r\nb", 4, "a\r\nb", 0 },
		{ "\r\r\n", 3, "\n\n", PROC_TEXT_NEWLINES },
	};
	char	*s, name[64];
	size_t	 i, n;

	for (i = 0; i < sizeof tc / sizeof tc[0]; i++) {
		s = proc_text(tc[i].in, tc[i].len, tc[i].flags, &n);
		snprintf(name, sizeof name, "proc_text case %zu", i);
		check(n == strlen(tc[i].want) && memcmp(s, tc[i].want, n) == 0,
		    name);
		free(s);
	}
	s = proc_text("a\0b", 3, 0, &n);
	check(n == 3 && s[1] == '\0', "NUL kept");
	free(s);
}

static void	test_json_pieces(void);
static void	test_json_cap(void);

static void
test_json(void)
{
	struct evbuffer	*b;
	json_t		*j;
	char		 in[300];
	const char	*got;
	size_t		 n = 0, len;
	int		 c;

	/* Every ASCII byte but NUL, some UTF-8, and a NUL: jansson reads back. */
	for (c = 1; c < 128; c++)
		in[n++] = c;
	memcpy(in + n, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9);
	n += 9;
	in[n++] = '\0';
	in[n++] = 'z';
	b = evbuffer_new();
	proc_json_string(b, in, n);
	len = evbuffer_get_length(b);
	j = json_loadb((const char *)evbuffer_pullup(b, -1), len,
	    JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	got = json_string_value(j);
	check(got != NULL && json_string_length(j) == n &&
	    memcmp(got, in, n) == 0, "proc_json_string round trip");
	json_decref(j);
	evbuffer_free(b);

	b = evbuffer_new();
	proc_json_text(b, "a\xff\r\n", 4, PROC_TEXT_NEWLINES);
	len = evbuffer_get_length(b);
	check(len == 8 && memcmp(evbuffer_pullup(b, -1),
	    "\"a\xef\xbf\xbd\\n\"", len) == 0, "proc_json_text");
	evbuffer_free(b);
	test_json_pieces();
	test_json_cap();
}

/*
 * proc_json_text decodes piece by piece: at every cut it must give what
 * one pass over the whole text gives (a sequence or a \r\n across a
 * piece boundary included).
 */
static void
test_json_pieces(void)
{
	static const char *const tails[] = { "\xe2\x82\xac", "\xe2\x82",
	    "\xf0\x9f\x98\x80", "\r\n", "\x80\x80\x80\x80\x80", "\xc3" };
	struct evbuffer	*b1, *b2;
	size_t		 k, i, n, tl, olen;
	char		*in, *t;
	int		 all = 1;

	in = malloc(PROC_READ_CHUNK + 16);
	for (k = 0; k < sizeof tails / sizeof tails[0]; k++) {
		tl = strlen(tails[k]);
		/* The tail straddles the piece boundary at every offset. */
		for (i = 0; i <= tl; i++) {
			n = PROC_READ_CHUNK - tl + i;
			memset(in, 'a', n);
			memcpy(in + n - tl, tails[k], tl);
			memcpy(in + n, "zz\n", 3);
			n += 3;
			b1 = evbuffer_new();
			b2 = evbuffer_new();
			proc_json_text(b1, in, n, PROC_TEXT_NEWLINES);
			t = proc_text(in, n, PROC_TEXT_NEWLINES, &olen);
			proc_json_string(b2, t, olen);
			free(t);
			if (evbuffer_get_length(b1) != evbuffer_get_length(b2) ||
			    memcmp(evbuffer_pullup(b1, -1), evbuffer_pullup(b2,
			    -1), evbuffer_get_length(b1)) != 0)
				all = 0;
			evbuffer_free(b1);
			evbuffer_free(b2);
		}
	}
	free(in);
	check(all, "proc_json_text in pieces equals one pass, at every cut");
}

/* A JSON string stops at PROC_MAX_JSON_STRING, at a whole escape. */
static void
test_json_cap(void)
{
	struct evbuffer	*b;
	json_t		*j;
	size_t		 n = PROC_MAX_OUTPUT, len;
	char		*in;
	int		 cut;

	in = calloc(1, n);
	b = evbuffer_new();
	cut = proc_json_text(b, in, n, 0);
	len = evbuffer_get_length(b);
	check(cut == 1 && len <= PROC_MAX_JSON_STRING + 2,
	    "16 MiB of NUL: the JSON string is cut at the cap, not 96 MiB");
	j = json_loadb((const char *)evbuffer_pullup(b, -1), len,
	    JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	check(j != NULL && json_string_length(j) == PROC_MAX_JSON_STRING / 6,
	    "  at a whole \\u0000: valid JSON of cap/6 NULs");
	json_decref(j);
	evbuffer_free(b);
	memset(in, 'a', n);
	in[n - 1] = '\xe9';	/* invalid: U+FFFD, 3 bytes, over the cap */
	b = evbuffer_new();
	cut = proc_json_text(b, in, n, 0);
	len = evbuffer_get_length(b);
	check(cut == 1 && len == n + 1, "  a character that would pass the "
	    "cap is left out whole");
	evbuffer_free(b);
	b = evbuffer_new();
	cut = proc_json_text(b, in, n - 1, 0);
	check(cut == 0 && evbuffer_get_length(b) == n + 1,
	    "  text under the cap is whole and not cut");
	evbuffer_free(b);
	free(in);
}

int
main(void)
{
	char	 dir[] = "/tmp/test-proc.XXXXXX", cmd[128];

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return (1);
	}
	base = event_base_new();
	proc_init(base, "/");
	test_text();
	test_json();
	test_basic();
	test_stdin();
	test_errors();
	test_cap();
	test_timeout_group();
	test_kill();
	test_grandchild_pipe();
	test_stream();
	test_tail();
	test_signal(dir);
	test_forget(dir);
	test_describe();
	check(proc_count() == 0, "no child left tracked");
	test_forget_shutdown(dir);
	event_base_free(base);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		failed++;
	return (failed != 0);
}
