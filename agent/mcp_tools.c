/*
 * mcp_tools.c: the MCP tools (see mcp_tools.h), each a thin front end on
 * the executor its native route uses, answering with MCP content: a text
 * item (JSON for a model to read) and image items for screenshots.
 *
 * The arguments have been checked against the tool's schema; what a
 * schema cannot say (argv or command, not both; a region inside the
 * screen) is checked here, before anything runs.  Failures are tool
 * results with isError, so the model reads why.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <jansson.h>

#include "a11y.h"
#include "a11y_http.h"
#include "a11y_tree.h"
#include "action.h"
#include "base64.h"
#include "capture.h"
#include "computer.h"
#include "deskd.h"
#include "display.h"
#include "exec.h"
#include "files.h"
#include "input.h"
#include "log.h"
#include "mcp.h"
#include "mcp_tools.h"
#include "proc.h"
#include "sink.h"
#include "strv.h"
#include "utf8.h"
#include "window.h"
#include "xmalloc.h"

static struct event_base	*mcp_tools_base;

/*
 * The screen scaled to fit MCP_IMAGE_FIT_W x MCP_IMAGE_FIT_H, never
 * enlarged: the size of the screenshots the tools return and so the
 * space the model's coordinates are in.  The Anthropic reference tool
 * scales to such a target too (anthropic-quickstarts,
 * computer-use-demo/computer_use_demo/tools/computer.py, MAX_SCALING_
 * TARGETS), since an image the API shrinks gets coordinates back in the
 * shrunk space.
 */
static void
mcp_tools_space(int sw, int sh, int *iw, int *ih)
{
	double	 s;

	s = (double)MCP_IMAGE_FIT_W / sw;
	if ((double)MCP_IMAGE_FIT_H / sh < s)
		s = (double)MCP_IMAGE_FIT_H / sh;
	if (s >= 1) {
		*iw = sw;
		*ih = sh;
		return;
	}
	*iw = (int)lround(sw * s);
	*ih = (int)lround(sh * s);
	if (*iw < 1)
		*iw = 1;
	if (*ih < 1)
		*ih = 1;
}

/* The screen's size, or -1 after failing the call. */
static int
mcp_tools_screen(struct mcp_call *c, int *sw, int *sh)
{
	char	*cause = NULL;

	if (display_need(&cause) == NULL || display_screen_size(sw, sh) ==
	    -1) {
		mcp_call_fail(c, "the X display is not available: %s",
		    cause != NULL ? cause : "no X display");
		free(cause);
		return (-1);
	}
	return (0);
}

/* A JSON string member from text that may not be UTF-8. */
static void
mcp_tools_str(struct evbuffer *b, const char *s)
{
	proc_json_text(b, s, strlen(s), 0);
}

/* --- computer, zoom ------------------------------------------------ */

struct mcp_tools_cu;

struct mcp_tools_step {
	struct mcp_tools_cu	*cu;
	size_t			 index;
};

struct mcp_tools_cu {
	struct mcp_call		*call;
	struct proto_actions	*acts;
	struct mcp_tools_step	*steps;
	struct input_job	*job;
	struct evbuffer		*results;	/* result objects, commas */
	size_t			 nresults;
	struct evbuffer		**images;	/* one per action at most */
	int			 sw, sh;	/* the screen */
	int			 iw, ih;	/* the default space */
	int			 cx, cy;
};

static void
mcp_tools_cu_free(struct mcp_tools_cu *cu)
{
	size_t	 i;

	for (i = 0; cu->images != NULL && i < cu->acts->n; i++) {
		if (cu->images[i] != NULL)
			evbuffer_free(cu->images[i]);
	}
	free(cu->images);
	proto_actions_free(cu->acts);
	free(cu->steps);
	if (cu->results != NULL)
		evbuffer_free(cu->results);
	free(cu);
}

/* After each action, in order: its result and its image. */
static int
mcp_tools_cu_step_cb(struct input_job *job, void *arg, char **cause)
{
	struct mcp_tools_step	*st = arg;
	struct mcp_tools_cu	*cu = st->cu;
	struct proto_action	*a = &cu->acts->v[st->index];
	struct evbuffer		*png = NULL, *b = cu->results;
	int			 x, y, w = 0, h = 0;

	if (computer_cursor(a, cu->sw, cu->sh, &x, &y, cause) == -1)
		return (-1);
	if (computer_wants_image(a)) {
		png = evbuffer_new();
		if (computer_capture(a, cu->sw, cu->sh, png, &w, &h, cause) ==
		    -1) {
			evbuffer_free(png);
			return (-1);
		}
		cu->images[st->index] = png;
	}
	evbuffer_add_printf(b, "%s{\"action\":\"%s\"", cu->nresults > 0 ?
	    "," : "", proto_action_name(a->type));
	if (a->type == PROTO_ACT_CURSOR_POSITION)
		evbuffer_add_printf(b, ",\"output\":\"X=%d,Y=%d\"", x, y);
	evbuffer_add_printf(b, ",\"cursor\":[%d,%d]", x, y);
	if (png != NULL)
		evbuffer_add_printf(b, ",\"image_size\":[%d,%d]", w, h);
	evbuffer_add(b, "}", 1);
	cu->nresults++;
	cu->cx = x;
	cu->cy = y;
	return (0);
}

static void
mcp_tools_cu_done_cb(struct input_job *job, const char *error, void *arg)
{
	struct mcp_tools_cu	*cu = arg;
	struct mcp_call		*c = cu->call;
	struct evbuffer		*doc;
	size_t			 i, n = cu->nresults;

	cu->job = NULL;
	doc = evbuffer_new();
	evbuffer_add_printf(doc, "{");
	if (error != NULL) {
		evbuffer_add_printf(doc, "\"error\":");
		if (cu->acts->batch) {
			char	*msg;

			xasprintf(&msg, "action %zu (%s): %s", n,
			    n < cu->acts->n ? proto_action_name(
			    cu->acts->v[n].type) : "?", error);
			mcp_tools_str(doc, msg);
			free(msg);
		} else
			mcp_tools_str(doc, error);
		evbuffer_add(doc, ",", 1);
	}
	evbuffer_add_printf(doc, "\"results\":[");
	evbuffer_add_buffer(doc, cu->results);
	evbuffer_add_printf(doc, "],\"cursor\":[%d,%d],\"screen_size\":"
	    "[%d,%d],\"coordinate_space\":[%d,%d]}", cu->cx, cu->cy, cu->sw,
	    cu->sh, cu->iw, cu->ih);
	mcp_result_json(c, doc);
	evbuffer_free(doc);
	for (i = 0; i < cu->acts->n; i++) {
		if (cu->images[i] != NULL)
			mcp_result_image(c, cu->images[i], "image/png");
	}
	mcp_tools_cu_free(cu);
	mcp_call_finish(c, error != NULL);
}

static void
mcp_tools_cu_cancel(void *arg)
{
	struct mcp_tools_cu	*cu = arg;

	/* Stops it, releases what it holds; no done callback. */
	if (cu->job != NULL)
		input_cancel(cu->job);
	mcp_tools_cu_free(cu);
}

/* The computer tool's arguments: POST /v1/computer's body. */
static void
mcp_tools_computer(struct mcp_call *c, json_t *args)
{
	struct mcp_tools_cu	*cu;
	struct proto_action	*a;
	json_t			*shot;
	char			*cause = NULL;
	size_t			 i;

	if ((json_object_get(args, "action") != NULL) ==
	    (json_object_get(args, "actions") != NULL)) {
		mcp_call_fail(c, "give action (one action) or actions (a "
		    "list of them), not both or neither");
		return;
	}
	cu = xcalloc(1, sizeof *cu);
	cu->call = c;
	if ((cu->acts = proto_actions_parse(args, &cause)) == NULL) {
		mcp_call_fail(c, "invalid action: %s", cause);
		goto fail;
	}
	if (mcp_tools_screen(c, &cu->sw, &cu->sh) == -1)
		goto fail;
	mcp_tools_space(cu->sw, cu->sh, &cu->iw, &cu->ih);
	if (proto_actions_check_screen(cu->acts, cu->iw, cu->ih, &cause) ==
	    -1) {
		mcp_call_fail(c, "%s (coordinates are pixels of the %dx%d "
		    "screenshots; the screen is %dx%d)", cause, cu->iw, cu->ih,
		    cu->sw, cu->sh);
		goto fail;
	}
	for (i = 0; i < cu->acts->n; i++) {
		a = &cu->acts->v[i];
		if (a->space_w == 0 && (cu->iw != cu->sw || cu->ih != cu->sh)) {
			a->space_w = cu->iw;
			a->space_h = cu->ih;
		}
	}
	/* The screen after the last action, unless told otherwise. */
	shot = json_object_get(args, "screenshot");
	if (shot == NULL || json_is_true(shot))
		cu->acts->v[cu->acts->n - 1].screenshot = 1;

	cu->results = evbuffer_new();
	cu->images = xcalloc(cu->acts->n, sizeof *cu->images);
	cu->steps = xcalloc(cu->acts->n, sizeof *cu->steps);
	cu->job = input_job_new(mcp_tools_cu_done_cb, cu);
	for (i = 0; i < cu->acts->n; i++) {
		cu->steps[i].cu = cu;
		cu->steps[i].index = i;
		if (computer_build(cu->job, &cu->acts->v[i], cu->sw, cu->sh,
		    mcp_tools_cu_step_cb, &cu->steps[i], &cause) == -1) {
			if (cu->acts->batch)
				mcp_call_fail(c, "action %zu: %s", i, cause);
			else
				mcp_call_fail(c, "%s", cause);
			goto fail_job;
		}
	}
	if (input_submit(cu->job, &cause) == -1) {
		mcp_call_fail(c, "busy: %s", cause);
		goto fail_job;
	}
	mcp_call_set_cancel(c, mcp_tools_cu_cancel, cu);
	return;
fail_job:
	/* Never submitted: this frees the half-built job. */
	input_cancel(cu->job);
fail:
	free(cause);
	mcp_tools_cu_free(cu);
}

static void
mcp_tools_zoom(struct mcp_call *c, json_t *args)
{
	json_t	*a, *v;

	a = json_pack("{s:s, s:O, s:b}", "action", "zoom", "region",
	    json_object_get(args, "region"), "screenshot", 0);
	if ((v = json_object_get(args, "coordinate_space")) != NULL)
		json_object_set(a, "coordinate_space", v);
	mcp_tools_computer(c, a);
	json_decref(a);
}

/* --- screenshot ---------------------------------------------------- */

static int
mcp_tools_int(json_t *args, const char *key, int dflt)
{
	json_t	*v = json_object_get(args, key);

	/* The schema checked it is an integer (maybe 512.0) in range. */
	if (v == NULL)
		return (dflt);
	return ((int)lround(json_number_value(v)));
}

static void
mcp_tools_screenshot(struct mcp_call *c, json_t *args)
{
	struct capture_opts	 o;
	struct capture_size	 size;
	struct evbuffer		*png, *doc;
	enum deskd_err		 kind;
	json_t			*region, *cursor;
	char			*cause = NULL;
	int			 sw, sh, iw, ih, i, r[4];

	if (mcp_tools_screen(c, &sw, &sh) == -1)
		return;
	mcp_tools_space(sw, sh, &iw, &ih);
	memset(&o, 0, sizeof o);
	cursor = json_object_get(args, "cursor");
	o.cursor = cursor == NULL || json_is_true(cursor);
	if ((region = json_object_get(args, "region")) != NULL) {
		for (i = 0; i < 4; i++)
			r[i] = (int)lround(json_number_value(
			    json_array_get(region, i)));
		if (r[2] < 1 || r[3] < 1 || r[0] >= sw || r[1] >= sh ||
		    r[2] > sw - r[0] || r[3] > sh - r[1]) {
			mcp_call_fail(c, "region [%d, %d, %d, %d] must be "
			    "[x, y, width, height] inside the %dx%d screen",
			    r[0], r[1], r[2], r[3], sw, sh);
			return;
		}
		o.rx = r[0];
		o.ry = r[1];
		o.rw = r[2];
		o.rh = r[3];
	}
	o.fit_w = mcp_tools_int(args, "width", 0);
	o.fit_h = mcp_tools_int(args, "height", 0);
	if (region == NULL && o.fit_w == 0 && o.fit_h == 0) {
		/* Exactly the computer tool's space. */
		o.out_w = iw;
		o.out_h = ih;
	}
	png = evbuffer_new();
	if (capture_shot(&o, png, &size, &kind, &cause) == -1) {
		mcp_call_fail(c, "screenshot failed: %s", cause);
		free(cause);
		evbuffer_free(png);
		return;
	}
	doc = evbuffer_new();
	evbuffer_add_printf(doc, "{\"screen_size\":[%d,%d],\"image_size\":"
	    "[%d,%d],\"coordinate_space\":[%d,%d]}", size.screen_w,
	    size.screen_h, size.w, size.h, iw, ih);
	mcp_result_json(c, doc);
	evbuffer_free(doc);
	mcp_result_image(c, png, "image/png");
	evbuffer_free(png);
	mcp_call_finish(c, 0);
}

/* --- exec, launch -------------------------------------------------- */

/* argv or command (and cwd) to an argv and cwd; -1 after failing c. */
static int
mcp_tools_argv(struct mcp_call *c, json_t *args, char ***argvp, char **cwdp)
{
	json_t		*argv, *cmd, *cwd, *item;
	const char	*s;
	char		**out = NULL;
	size_t		 i, n = 0;

	*argvp = NULL;
	*cwdp = NULL;
	argv = json_object_get(args, "argv");
	cmd = json_object_get(args, "command");
	if ((argv == NULL) == (cmd == NULL)) {
		mcp_call_fail(c, "give argv (a list: the program and its "
		    "arguments) or command (a shell command line), not both "
		    "or neither");
		return (-1);
	}
	if (argv != NULL) {
		json_array_foreach(argv, i, item) {
			s = json_string_value(item);
			if (strlen(s) != json_string_length(item)) {
				mcp_call_fail(c, "argv[%zu] contains a NUL "
				    "byte", i);
				strv_free(out);
				return (-1);
			}
			out = strv_add(out, &n, s);
		}
	} else {
		s = json_string_value(cmd);
		if (strlen(s) != json_string_length(cmd)) {
			mcp_call_fail(c, "command contains a NUL byte");
			return (-1);
		}
		out = strv_add(out, &n, "/bin/sh");
		out = strv_add(out, &n, "-c");
		out = strv_add(out, &n, s);
	}
	if ((cwd = json_object_get(args, "cwd")) != NULL) {
		s = json_string_value(cwd);
		/* Relative to the workdir, as POST /v1/exec takes it. */
		if (*s == '/')
			*cwdp = xstrdup(s);
		else
			xasprintf(cwdp, "%s/%s", deskd_cfg.workdir, s);
	}
	*argvp = out;
	return (0);
}

struct mcp_tools_exec {
	struct mcp_call		*call;
	struct proc		*proc;
};

static void
mcp_tools_exec_cancel(void *arg)
{
	struct mcp_tools_exec	*x = arg;

	proc_kill(x->proc);
	free(x);
}

static void
mcp_tools_exec_done(struct proc *p, const struct proc_result *res, void *arg)
{
	struct mcp_tools_exec	*x = arg;
	struct mcp_call		*c = x->call;
	struct evbuffer		*b;

	/* POST /v1/exec's reply, as text and as structured content. */
	b = evbuffer_new();
	if (res->exited)
		evbuffer_add_printf(b, "{\"exit_code\":%d,\"signal\":null",
		    res->exit_code);
	else
		evbuffer_add_printf(b, "{\"exit_code\":null,\"signal\":%d",
		    res->signal);
	evbuffer_add_printf(b, ",\"stdout\":");
	proc_json_text(b, res->out, res->out_len, 0);
	evbuffer_add_printf(b, ",\"stderr\":");
	proc_json_text(b, res->err, res->err_len, 0);
	evbuffer_add_printf(b, ",\"timed_out\":%s,\"duration_ms\":%lld,"
	    "\"truncated\":%s}", res->timed_out ? "true" : "false",
	    res->duration_ms,
	    res->out_truncated || res->err_truncated ? "true" : "false");
	mcp_result_json(c, b);
	evbuffer_free(b);
	free(x);
	/* A command that ran is a result, whatever its exit code. */
	mcp_call_finish(c, res->timed_out);
}

static void
mcp_tools_exec(struct mcp_call *c, json_t *args)
{
	struct proc_opts	 o;
	struct mcp_tools_exec	*x;
	json_t			*v;
	char			**argv, *cwd, *cause = NULL;
	double			 t = EXEC_DEFAULT_TIMEOUT_S;
	int			 err;

	if (mcp_tools_argv(c, args, &argv, &cwd) == -1)
		return;
	memset(&o, 0, sizeof o);
	if ((v = json_object_get(args, "stdin")) != NULL) {
		o.stdin_data = json_string_value(v);
		o.stdin_len = json_string_length(v);
	}
	if ((v = json_object_get(args, "timeout")) != NULL)
		t = json_number_value(v);
	o.argv = (const char *const *)argv;
	o.cwd = cwd;
	o.timeout_ms = llround(t * 1000);
	if (o.timeout_ms < 1)
		o.timeout_ms = 1;
	o.max_output = MCP_EXEC_MAX_OUTPUT;
	x = xcalloc(1, sizeof *x);
	x->call = c;
	if ((x->proc = proc_start(&o, mcp_tools_exec_done, x, &err,
	    &cause)) == NULL) {
		mcp_call_fail(c, "%s", cause);
		free(cause);
		free(x);
	} else
		mcp_call_set_cancel(c, mcp_tools_exec_cancel, x);
	strv_free(argv);
	free(cwd);
}

static void
mcp_tools_launch(struct mcp_call *c, json_t *args)
{
	struct proc_opts	 o;
	struct proc		*p;
	struct evbuffer		*doc;
	char			**argv, *cwd, *cause = NULL;
	size_t			 i;
	int			 err;

	if (mcp_tools_argv(c, args, &argv, &cwd) == -1)
		return;
	memset(&o, 0, sizeof o);
	o.argv = (const char *const *)argv;
	o.cwd = cwd;
	/* As OSWorld's /setup/launch (osworld_exec.c): fire and forget. */
	o.flags = PROC_DETACH | PROC_NULL_STDIN;
	if ((p = proc_start(&o, NULL, NULL, &err, &cause)) == NULL) {
		mcp_call_fail(c, "%s", cause);
		free(cause);
		goto out;
	}
	doc = evbuffer_new();
	evbuffer_add_printf(doc, "{\"pid\":%ld,\"argv\":[",
	    (long)proc_pid(p));
	for (i = 0; argv[i] != NULL; i++) {
		if (i > 0)
			evbuffer_add(doc, ",", 1);
		mcp_tools_str(doc, argv[i]);
	}
	evbuffer_add_printf(doc, "]}");
	mcp_result_json(c, doc);
	evbuffer_free(doc);
	mcp_call_finish(c, 0);
out:
	strv_free(argv);
	free(cwd);
}

/* --- files --------------------------------------------------------- */

static void
mcp_tools_read_file(struct mcp_call *c, json_t *args)
{
	struct stat	 st;
	struct evbuffer	*data;
	json_t		*enc;
	const char	*p;
	char		*path;
	size_t		 len, off, n;
	ssize_t		 got;
	uint32_t	 cp;
	int		 fd, b64;

	enc = json_object_get(args, "encoding");
	b64 = enc != NULL && strcmp(json_string_value(enc), "base64") == 0;
	path = files_resolve(json_string_value(json_object_get(args, "path")));
	/* O_NONBLOCK: a FIFO must not hang the loop in open(2). */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		mcp_call_fail(c, "[Errno %d] %s: '%s'", errno, strerror(errno),
		    path);
		free(path);
		return;
	}
	if (fstat(fd, &st) == -1) {
		mcp_call_fail(c, "[Errno %d] %s: '%s'", errno, strerror(errno),
		    path);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		mcp_call_fail(c, "'%s' is not a regular file%s", path,
		    S_ISDIR(st.st_mode) ? " (it is a directory: use "
		    "list_directory)" : "");
		goto out;
	}
	if (st.st_size > MCP_MAX_FILE) {
		mcp_call_fail(c, "'%s' is %lld bytes, over read_file's limit "
		    "of %d bytes; read a part with exec (head, tail, dd)",
		    path, (long long)st.st_size, MCP_MAX_FILE);
		goto out;
	}
	data = evbuffer_new();
	/* One more byte than allowed: a file that grew is caught too. */
	while ((len = evbuffer_get_length(data)) <= MCP_MAX_FILE) {
		got = evbuffer_read(data, fd, MCP_MAX_FILE + 1 - (int)len);
		if (got == 0)
			break;
		if (got == -1 && errno == EINTR)
			continue;
		if (got == -1) {
			mcp_call_fail(c, "[Errno %d] %s: '%s'", errno,
			    strerror(errno), path);
			evbuffer_free(data);
			goto out;
		}
	}
	len = evbuffer_get_length(data);
	if (len > MCP_MAX_FILE) {
		mcp_call_fail(c, "'%s' is over read_file's limit of %d bytes",
		    path, MCP_MAX_FILE);
		evbuffer_free(data);
		goto out;
	}
	if (b64) {
		mcp_result_base64(c, data);
		evbuffer_free(data);
		mcp_call_finish(c, 0);
		goto out;
	}
	p = (const char *)evbuffer_pullup(data, -1);
	for (off = 0; off < len; off += n) {
		n = proto_utf8_next(p + off, len - off, &cp);
		if (cp == PROTO_UTF8_BAD) {
			mcp_call_fail(c, "'%s' is not UTF-8 text (byte %zu): "
			    "read it with encoding base64", path, off);
			evbuffer_free(data);
			goto out;
		}
	}
	mcp_result_text(c, p, len);
	evbuffer_free(data);
	mcp_call_finish(c, 0);
out:
	close(fd);
	free(path);
}

static void
mcp_tools_write_file(struct mcp_call *c, json_t *args)
{
	struct sink	*sk;
	enum deskd_err	 kind;
	json_t		*content, *enc;
	const char	*data;
	char		*path, *cause = NULL, *bytes = NULL;
	size_t		 len;

	content = json_object_get(args, "content");
	enc = json_object_get(args, "encoding");
	data = json_string_value(content);
	len = json_string_length(content);
	path = files_resolve(json_string_value(json_object_get(args, "path")));
	if (enc != NULL && strcmp(json_string_value(enc), "base64") == 0) {
		if (len / 4 * 3 > MCP_MAX_FILE + 2)
			goto too_big;
		if ((bytes = proto_base64_decode(data, len, &len)) == NULL) {
			mcp_call_fail(c, "content is not valid base64");
			goto out;
		}
		data = bytes;
	}
	if (len > MCP_MAX_FILE)
		goto too_big;
	if ((sk = sink_open(path, &kind, &cause)) == NULL) {
		mcp_call_fail(c, "%s", cause);
		goto out;
	}
	if (sink_write(sk, data, len, &cause) == -1) {
		sink_abort(sk);
		mcp_call_fail(c, "%s", cause);
		goto out;
	}
	if (sink_commit(sk, &kind, &cause) == -1) {
		mcp_call_fail(c, "%s", cause);
		goto out;
	}
	mcp_result_printf(c, "wrote %zu bytes to %s", len, path);
	mcp_call_finish(c, 0);
	goto out;
too_big:
	mcp_call_fail(c, "content is over write_file's limit of %d bytes; "
	    "nothing was written", MCP_MAX_FILE);
out:
	free(cause);
	free(bytes);
	free(path);
}

static int
mcp_tools_name_cmp(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

static void
mcp_tools_list_directory(struct mcp_call *c, json_t *args)
{
	struct stat	 st;
	struct dirent	*de;
	struct evbuffer	*doc;
	DIR		*d;
	const char	*type;
	char		*path, **names = NULL;
	size_t		 n = 0, i;
	int		 truncated = 0;

	path = files_resolve(json_string_value(json_object_get(args, "path")));
	if ((d = opendir(path)) == NULL) {
		mcp_call_fail(c, "[Errno %d] %s: '%s'", errno, strerror(errno),
		    path);
		free(path);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (n == MCP_MAX_DIR_ENTRIES) {
			truncated = 1;
			break;
		}
		names = strv_add(names, &n, de->d_name);
	}
	if (n > 0)
		qsort(names, n, sizeof *names, mcp_tools_name_cmp);
	doc = evbuffer_new();
	evbuffer_add_printf(doc, "{\"path\":");
	mcp_tools_str(doc, path);
	evbuffer_add_printf(doc, ",\"entries\":[");
	for (i = 0; i < n; i++) {
		if (fstatat(dirfd(d), names[i], &st, AT_SYMLINK_NOFOLLOW) ==
		    -1)
			memset(&st, 0, sizeof st);
		if (S_ISREG(st.st_mode))
			type = "file";
		else if (S_ISDIR(st.st_mode))
			type = "directory";
		else if (S_ISLNK(st.st_mode))
			type = "symlink";
		else
			type = "other";
		evbuffer_add_printf(doc, "%s{\"name\":", i > 0 ? "," : "");
		mcp_tools_str(doc, names[i]);
		evbuffer_add_printf(doc, ",\"type\":\"%s\",\"size\":%lld,"
		    "\"mtime\":%lld}", type, (long long)st.st_size,
		    (long long)st.st_mtime);
	}
	evbuffer_add_printf(doc, "],\"truncated\":%s}", truncated ? "true" :
	    "false");
	closedir(d);
	mcp_result_json(c, doc);
	evbuffer_free(doc);
	mcp_call_finish(c, 0);
	strv_free(names);
	free(path);
}

/* --- windows ------------------------------------------------------- */

static void
mcp_tools_window_json(struct evbuffer *b, const struct window *w)
{
	evbuffer_add_printf(b, "{\"id\":%lu,\"title\":", (u_long)w->id);
	mcp_tools_str(b, w->title);
	evbuffer_add_printf(b, ",\"instance\":");
	mcp_tools_str(b, w->instance);
	evbuffer_add_printf(b, ",\"class\":");
	mcp_tools_str(b, w->class);
	evbuffer_add_printf(b, ",\"x\":%d,\"y\":%d,\"width\":%d,\"height\":%d,"
	    "\"desktop\":%ld,\"pid\":%ld,\"active\":%s}", w->x, w->y, w->w,
	    w->h, w->desktop, w->pid, w->active ? "true" : "false");
}

static void
mcp_tools_windows(struct mcp_call *c, json_t *args)
{
	struct window	*v = NULL, *w = NULL;
	struct evbuffer	*doc;
	json_t		*act, *id, *name;
	const char	*action = "list";
	char		*cause = NULL;
	size_t		 n = 0, i;
	int		 rc;

	if ((act = json_object_get(args, "action")) != NULL)
		action = json_string_value(act);
	id = json_object_get(args, "id");
	name = json_object_get(args, "name");
	if (strcmp(action, "list") != 0 && (id == NULL) == (name == NULL)) {
		mcp_call_fail(c, "%s needs the window's id or its name, not "
		    "both", action);
		return;
	}
	if (window_list(&v, &n, &cause) == -1) {
		mcp_call_fail(c, "the X display is not available: %s", cause);
		free(cause);
		return;
	}
	doc = evbuffer_new();
	if (strcmp(action, "list") == 0) {
		evbuffer_add_printf(doc, "{\"windows\":[");
		for (i = 0; i < n; i++) {
			if (i > 0)
				evbuffer_add(doc, ",", 1);
			mcp_tools_window_json(doc, &v[i]);
		}
		evbuffer_add_printf(doc, "]}");
		goto done;
	}
	if (id != NULL) {
		for (i = 0; i < n; i++) {
			if ((json_int_t)v[i].id == json_integer_value(id))
				w = &v[i];
		}
	} else
		w = window_match(v, n, json_string_value(name),
		    json_is_true(json_object_get(args, "strict")),
		    json_is_true(json_object_get(args, "by_class")));
	if (w == NULL) {
		mcp_call_fail(c, "no window matches (windows with action list "
		    "shows them)");
		evbuffer_free(doc);
		window_list_free(v, n);
		return;
	}
	if (strcmp(action, "activate") == 0)
		rc = window_activate(w->id, &cause);
	else
		rc = window_close(w->id, &cause);
	if (rc == -1) {
		mcp_call_fail(c, "%s", cause);
		free(cause);
		evbuffer_free(doc);
		window_list_free(v, n);
		return;
	}
	evbuffer_add_printf(doc, "{\"%s\":", strcmp(action, "activate") == 0 ?
	    "activated" : "closed");
	mcp_tools_window_json(doc, w);
	evbuffer_add(doc, "}", 1);
done:
	window_list_free(v, n);
	mcp_result_json(c, doc);
	evbuffer_free(doc);
	mcp_call_finish(c, 0);
}

/* --- accessibility_tree -------------------------------------------- */

struct mcp_tools_a11y {
	struct mcp_call		*call;		/* NULL: nobody waits */
	struct a11y_walk	*walk;
	struct event		*timer;
	int			 xml;
	int			 visible;
	int			 budget_ms;
	char			*role;
	char			*name;
	char			*app;
	/* Made on the worker. */
	char			*body;
	size_t			 len;
	int			 partial;
};

static void
mcp_tools_a11y_free(struct mcp_tools_a11y *t)
{
	if (t->timer != NULL)
		event_free(t->timer);
	free(t->role);
	free(t->name);
	free(t->app);
	free(t->body);
	free(t);
}

/* On the worker: the tree as the answer's text. */
static void
mcp_tools_a11y_finish_cb(struct a11y_tree *tree, void *arg)
{
	struct mcp_tools_a11y	*t = arg;
	struct a11y_filter	 f;
	struct evbuffer		*b;
	json_t			*obj;

	t->partial = tree->partial;
	if (t->xml) {
		b = evbuffer_new();
		a11y_tree_xml(tree, b);
		t->len = evbuffer_get_length(b);
		t->body = xmalloc(t->len + 1);
		evbuffer_remove(b, t->body, t->len);
		t->body[t->len] = '\0';
		evbuffer_free(b);
		return;
	}
	memset(&f, 0, sizeof f);
	f.role = t->role;
	f.name = t->name;
	f.visible = t->visible;
	obj = a11y_tree_json(tree, &f);
	if ((t->body = json_dumps(obj, JSON_COMPACT)) == NULL)
		fatalx("%s: out of memory", __func__);
	t->len = strlen(t->body);
	json_decref(obj);
}

static void
mcp_tools_a11y_done_cb(enum a11y_error error, const char *cause, void *arg)
{
	struct mcp_tools_a11y	*t = arg;
	struct mcp_call		*c = t->call;

	t->walk = NULL;
	if (c == NULL) {
		mcp_tools_a11y_free(t);
		return;
	}
	if (error == A11Y_ENOBUS)
		mcp_call_fail(c, "no accessibility bus: %s; %s", cause,
		    A11Y_HOWTO);
	else if (error != A11Y_OK)
		mcp_call_fail(c, "%s", cause != NULL ? cause :
		    "deskd is stopping");
	else {
		mcp_result_text(c, t->body, t->len);
		if (t->partial)
			mcp_result_printf(c, "(partial: the walk stopped at "
			    "its budget of %d ms or a size limit)",
			    t->budget_ms);
		mcp_call_finish(c, 0);
	}
	mcp_tools_a11y_free(t);
}

/* Detach from the call; the walk frees t when it ends. */
static void
mcp_tools_a11y_cancel(void *arg)
{
	struct mcp_tools_a11y	*t = arg;

	t->call = NULL;
	if (t->timer != NULL)
		evtimer_del(t->timer);
	if (t->walk != NULL && a11y_walk_cancel(t->walk)) {
		t->walk = NULL;
		mcp_tools_a11y_free(t);
	}
}

static void
mcp_tools_a11y_timer_cb(evutil_socket_t fd, short events, void *arg)
{
	struct mcp_tools_a11y	*t = arg;
	struct mcp_call		*c = t->call;
	int			 budget = t->budget_ms;

	/* The walk may free t here: nothing of it is used after. */
	mcp_call_set_cancel(c, NULL, NULL);
	mcp_tools_a11y_cancel(t);
	mcp_call_fail(c, "the accessibility walk did not end within its "
	    "budget of %d ms (an application or the bus does not answer)",
	    budget);
}

static char *
mcp_tools_opt_str(json_t *args, const char *key)
{
	const char	*s = json_string_value(json_object_get(args, key));

	return (s != NULL && *s != '\0' ? xstrdup(s) : NULL);
}

static void
mcp_tools_accessibility(struct mcp_call *c, json_t *args)
{
	struct mcp_tools_a11y	*t;
	struct a11y_opts	 o;
	struct timeval		 tv;
	json_t			*v;

	if (a11y_walks() >= A11Y_HTTP_MAX_WALKS) {
		mcp_call_fail(c, "busy: %u accessibility walks are queued or "
		    "running (the limit is %d); retry later", a11y_walks(),
		    A11Y_HTTP_MAX_WALKS);
		return;
	}
	t = xcalloc(1, sizeof *t);
	t->call = c;
	v = json_object_get(args, "format");
	t->xml = v != NULL && strcmp(json_string_value(v), "xml") == 0;
	v = json_object_get(args, "visible");
	t->visible = v == NULL || json_is_true(v);
	t->budget_ms = mcp_tools_int(args, "budget_ms", A11Y_BUDGET_MS);
	t->role = mcp_tools_opt_str(args, "role");
	t->name = mcp_tools_opt_str(args, "name");
	t->app = mcp_tools_opt_str(args, "app");
	if (t->xml && (t->role != NULL || t->name != NULL)) {
		mcp_call_fail(c, "role and name select elements in the JSON "
		    "form only (format json)");
		mcp_tools_a11y_free(t);
		return;
	}
	memset(&o, 0, sizeof o);
	o.budget_ms = t->budget_ms;
	o.app = t->app;
	o.visible = t->visible;
	t->timer = evtimer_new(mcp_tools_base, mcp_tools_a11y_timer_cb, t);
	tv.tv_sec = (t->budget_ms + A11Y_HTTP_GRACE_MS) / 1000;
	tv.tv_usec = ((t->budget_ms + A11Y_HTTP_GRACE_MS) % 1000) * 1000;
	evtimer_add(t->timer, &tv);
	mcp_call_set_cancel(c, mcp_tools_a11y_cancel, t);
	t->walk = a11y_walk_start(&o, mcp_tools_a11y_finish_cb,
	    mcp_tools_a11y_done_cb, t);
}

/* --- the table ----------------------------------------------------- */

static const struct {
	const char	*name;
	mcp_tool_fn	 fn;
} mcp_tools_table[] = {
	{ "computer", mcp_tools_computer },
	{ "screenshot", mcp_tools_screenshot },
	{ "zoom", mcp_tools_zoom },
	{ "exec", mcp_tools_exec },
	{ "read_file", mcp_tools_read_file },
	{ "write_file", mcp_tools_write_file },
	{ "list_directory", mcp_tools_list_directory },
	{ "windows", mcp_tools_windows },
	{ "launch", mcp_tools_launch },
	{ "accessibility_tree", mcp_tools_accessibility },
};

mcp_tool_fn
mcp_tools_find(const char *name)
{
	size_t	 i;

	for (i = 0; i < sizeof mcp_tools_table / sizeof mcp_tools_table[0];
	    i++) {
		if (strcmp(mcp_tools_table[i].name, name) == 0)
			return (mcp_tools_table[i].fn);
	}
	return (NULL);
}

void
mcp_tools_init(struct event_base *base)
{
	mcp_tools_base = base;
}
