/*
 * shotbench: screenshot latency of deskd against the peers' methods, in
 * one run on one 1920x1080 display.
 *
 *   shotbench HOST [N] [PHOTO.ppm] -- NAME=PORT...
 *
 * Each NAME=PORT is a deskd on the same display (capture.sh starts one as
 * deskd was before, with DESKD_CAPTURE_SYNC=1, and one as it is); they
 * are measured one after the other, peers first, over one keep-alive
 * connection each (GET /screenshot):
 *   - full change: the text desktop redrawn before each request, and the
 *     photo desktop shifted before each request (when PHOTO is given);
 *   - unchanged; one line changed;
 *   - a keystroke that redraws the page (XTest into our window), then a
 *     screenshot 0, 50 and 200 ms later (the encode-ahead case);
 *   - /health p50/p99 while a second client asks for full-change
 *     screenshots in a loop.
 * The peers: XGetImage + libpng at default settings (the pixel path of
 * OSWorld's pyautogui /screenshot, without Python's own overhead), and
 * scrot to a file (what the Anthropic reference tools shell out to).
 * Prints p50/p95, deskd's Server-Timing (median encode time, bands
 * recompressed, size), and the ratios.  Not a test: nothing asserts.
 * SHOTBENCH_ONLY=health runs only the /health scenario, =full only the
 * text full change (quick checks).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/keysym.h>
#include <X11/extensions/XTest.h>
#include <png.h>

#include "benchpage.h"

#define MAX_DESKD	4

static struct benchpage	 bp;
static const char	*host;
static unsigned char	*photo;
static int		 photo_w, photo_h;

/* What deskd said about the last screenshot (Server-Timing). */
static struct {
	double	 capture;
	double	 encode;
	int	 bands;
	int	 nbands;
	char	 frame[16];
} st;

struct row {
	char	 name[64];
	double	 p50;
	double	 p95;
	double	 encode;	/* median Server-Timing encode, -1: none */
	double	 bands;		/* median bands recompressed */
	int	 nbands;
	long	 kib;
	char	 frame[32];	/* frame kind */
};

static struct row	 rows[64];
static int		 nrows;

static double
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec * 1e3 + ts.tv_nsec / 1e6);
}

static void
sleep_until(double t)
{
	struct timespec	 ts;
	double		 d;

	while ((d = t - now_ms()) > 0) {
		ts.tv_sec = (time_t)(d / 1e3);
		ts.tv_nsec = (long)((d - ts.tv_sec * 1e3) * 1e6);
		nanosleep(&ts, NULL);
	}
}

static int
cmp_double(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return (x < y ? -1 : x > y);
}

static double
pct(double *v, int n, double p)
{
	qsort(v, n, sizeof *v, cmp_double);
	return (v[(int)((n - 1) * p + 0.5)]);
}

static int
http_connect(int port)
{
	struct sockaddr_in	 sin;
	int			 fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	inet_pton(AF_INET, host, &sin.sin_addr);
	if (connect(fd, (struct sockaddr *)&sin, sizeof sin) == -1) {
		perror("connect");
		exit(1);
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return (fd);
}

static void
parse_timing(const char *head)
{
	const char	*p;

	memset(&st, 0, sizeof st);
	st.encode = -1;
	if ((p = strcasestr(head, "\r\nServer-Timing:")) == NULL)
		return;
	if ((p = strstr(p, "capture;dur=")) != NULL)
		st.capture = atof(p + 12);
	if ((p = strstr(p, "encode;dur=")) != NULL)
		st.encode = atof(p + 11);
	if ((p = strstr(p, "bands;desc=\"")) != NULL)
		sscanf(p + 12, "%d/%d", &st.bands, &st.nbands);
	if ((p = strstr(p, "frame;desc=\"")) != NULL)
		sscanf(p + 12, "%15[a-z]", st.frame);
}

/* GET path on a keep-alive connection; returns the body size. */
static long
http_get(int fd, const char *path)
{
	static char	 buf[1 << 16];
	char		 req[256], *p;
	size_t		 have = 0;
	long		 len = -1, body;
	ssize_t		 n;

	snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", path);
	if (write(fd, req, strlen(req)) < 0)
		exit(1);
	for (;;) {
		n = read(fd, buf + have, sizeof buf - 1 - have);
		if (n <= 0) {
			fprintf(stderr, "shotbench: connection lost\n");
			exit(1);
		}
		have += n;
		buf[have] = '\0';
		if ((p = strstr(buf, "\r\n\r\n")) != NULL)
			break;
	}
	if (strncmp(buf, "HTTP/1.1 200", 12) != 0) {
		fprintf(stderr, "shotbench: %.40s\n", buf);
		exit(1);
	}
	*p = '\0';
	parse_timing(buf);
	len = atol(strcasestr(buf, "Content-Length:") + 15);
	body = have - (p + 4 - buf);
	while (body < len) {
		n = read(fd, buf, sizeof buf);
		if (n <= 0)
			exit(1);
		body += n;
	}
	return (len);
}

/* Record one scenario: n latencies and the matching Server-Timings. */
static void
add_row(const char *name, double *t, double *enc, double *bands, int n,
    int nbands, long bytes, const char *frame)
{
	struct row	*r = &rows[nrows++];

	snprintf(r->name, sizeof r->name, "%s", name);
	r->p95 = pct(t, n, 0.95);
	r->p50 = pct(t, n, 0.5);
	r->encode = enc != NULL ? pct(enc, n, 0.5) : -1;
	r->bands = bands != NULL ? pct(bands, n, 0.5) : -1;
	r->nbands = nbands;
	r->kib = bytes / 1024;
	snprintf(r->frame, sizeof r->frame, "%s", frame != NULL ? frame : "");
}

static struct row *
find_row(const char *name)
{
	int	 i;

	for (i = 0; i < nrows; i++) {
		if (strcmp(rows[i].name, name) == 0)
			return (&rows[i]);
	}
	return (NULL);
}

struct png_mem {
	size_t	 len;
};

static void
png_count(png_structp png, png_bytep data, png_size_t len)
{
	((struct png_mem *)png_get_io_ptr(png))->len += len;
}

static void
png_noflush(png_structp png)
{
}

/* XGetImage + libpng defaults (level 6, all filters). */
static size_t
peer_xgetimage(void)
{
	XImage		*img;
	png_structp	 png;
	png_infop	 info;
	struct png_mem	 m = { 0 };
	unsigned char	*row;
	int		 x, y;
	unsigned long	 px;

	img = XGetImage(bp.dpy, DefaultRootWindow(bp.dpy), 0, 0, bp.w, bp.h,
	    AllPlanes, ZPixmap);
	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL,
	    NULL);
	info = png_create_info_struct(png);
	png_set_write_fn(png, &m, png_count, png_noflush);
	png_set_IHDR(png, info, bp.w, bp.h, 8, PNG_COLOR_TYPE_RGB,
	    PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
	    PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	row = malloc(bp.w * 3);
	for (y = 0; y < bp.h; y++) {
		for (x = 0; x < bp.w; x++) {
			px = ((uint32_t *)(img->data +
			    (size_t)y * img->bytes_per_line))[x];
			row[x * 3] = px >> 16;
			row[x * 3 + 1] = px >> 8;
			row[x * 3 + 2] = px;
		}
		png_write_row(png, row);
	}
	png_write_end(png, info);
	png_destroy_write_struct(&png, &info);
	free(row);
	XDestroyImage(img);
	return (m.len);
}

static void
peer_scrot(const char *path)
{
	pid_t	 pid;
	int	 st_;

	if ((pid = fork()) == 0) {
		execlp("scrot", "scrot", "-o", path, (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &st_, 0);
	if (!WIFEXITED(st_) || WEXITSTATUS(st_) != 0) {
		fprintf(stderr, "shotbench: scrot failed\n");
		exit(1);
	}
}

static void
run_peers(int n)
{
	double	*t = calloc(n, sizeof *t);
	char	 tmp[64];
	size_t	 size = 0;
	int	 i;

	for (i = 0; i < n; i++) {
		benchpage_text(&bp, i + 1000);
		t[i] = now_ms();
		size = peer_xgetimage();
		t[i] = now_ms() - t[i];
	}
	add_row("peer: XGetImage + libpng defaults", t, NULL, NULL, n, 0,
	    size, NULL);
	snprintf(tmp, sizeof tmp, "/tmp/shotbench.%d.png", (int)getpid());
	for (i = 0; i < n; i++) {
		benchpage_text(&bp, i + 2000);
		t[i] = now_ms();
		peer_scrot(tmp);
		t[i] = now_ms() - t[i];
	}
	unlink(tmp);
	add_row("peer: scrot to a file", t, NULL, NULL, n, 0, 0, NULL);
	free(t);
}

/* A page drawn at each key press: the application of the keystroke case. */
static void
key_redraw(unsigned seed)
{
	XEvent	 ev;
	KeyCode	 kc = XKeysymToKeycode(bp.dpy, XK_a);

	XTestFakeKeyEvent(bp.dpy, kc, True, CurrentTime);
	XTestFakeKeyEvent(bp.dpy, kc, False, CurrentTime);
	XSync(bp.dpy, False);
	do {
		XNextEvent(bp.dpy, &ev);
	} while (ev.type != KeyPress);
	benchpage_text(&bp, seed);
}

/* The damage the other deskd saw from our drawing has gone quiet. */
static void
settle(void)
{
	usleep(300 * 1000);
}

static void
run_deskd(const char *label, int port, int n)
{
	double	*t = calloc(n, sizeof *t), *enc = calloc(n, sizeof *enc);
	double	*bands = calloc(n, sizeof *bands), t0;
	char	 name[64], frame[32] = "";
	long	 size = 0;
	int	 fd, i, d, k, nahead;
	static const int delays[] = { 0, 50, 200 };

	fd = http_connect(port);
	benchpage_text(&bp, 1);
	settle();
	http_get(fd, "/screenshot");	/* warm-up */

#define SAMPLE(i) do {							\
	enc[i] = st.encode;						\
	bands[i] = st.bands;						\
} while (0)

	for (i = 0; i < n; i++) {
		benchpage_text(&bp, i + 2);
		t0 = now_ms();
		size = http_get(fd, "/screenshot");
		t[i] = now_ms() - t0;
		SAMPLE(i);
	}
	snprintf(name, sizeof name, "%s: full change, text", label);
	add_row(name, t, enc, bands, n, st.nbands, size, st.frame);
	if (getenv("SHOTBENCH_ONLY") != NULL)
		goto done;

	if (photo != NULL) {
		for (i = 0; i < n; i++) {
			benchpage_photo(&bp, photo, photo_w, photo_h,
			    (i + 1) * 7);
			t0 = now_ms();
			size = http_get(fd, "/screenshot");
			t[i] = now_ms() - t0;
			SAMPLE(i);
		}
		snprintf(name, sizeof name, "%s: full change, photo", label);
		add_row(name, t, enc, bands, n, st.nbands, size, st.frame);
		benchpage_text(&bp, 1);
		settle();
	}

	http_get(fd, "/screenshot");
	for (i = 0; i < n; i++) {
		t0 = now_ms();
		size = http_get(fd, "/screenshot");
		t[i] = now_ms() - t0;
		SAMPLE(i);
	}
	snprintf(name, sizeof name, "%s: unchanged", label);
	add_row(name, t, enc, bands, n, st.nbands, size, st.frame);

	for (i = 0; i < n; i++) {
		XSetForeground(bp.dpy, bp.gc, 0xffffff);
		XFillRectangle(bp.dpy, bp.win, bp.gc, 300, 500, 240, 16);
		XSetForeground(bp.dpy, bp.gc, 0x000000);
		snprintf(name, sizeof name, "typed text %d", i);
		XDrawString(bp.dpy, bp.win, bp.gc, 302, 512, name,
		    strlen(name));
		XSync(bp.dpy, False);
		t0 = now_ms();
		size = http_get(fd, "/screenshot");
		t[i] = now_ms() - t0;
		SAMPLE(i);
	}
	snprintf(name, sizeof name, "%s: one line changed", label);
	add_row(name, t, enc, bands, n, st.nbands, size, st.frame);

	/* Keystroke, then a screenshot d ms later. */
	XSetInputFocus(bp.dpy, bp.win, RevertToParent, CurrentTime);
	for (k = 0; k < 3; k++) {
		d = delays[k];
		nahead = 0;
		for (i = 0; i < n; i++) {
			t0 = now_ms();
			key_redraw(5000 + k * 1000 + i);
			sleep_until(t0 + d);
			t0 = now_ms();
			size = http_get(fd, "/screenshot");
			t[i] = now_ms() - t0;
			SAMPLE(i);
			nahead += strcmp(st.frame, "ahead") == 0 ||
			    strcmp(st.frame, "cached") == 0;
			/* Let the previous page's encode finish. */
			usleep(250 * 1000);
		}
		if (st.frame[0] != '\0')
			snprintf(frame, sizeof frame, "%d%% ready",
			    nahead * 100 / n);
		snprintf(name, sizeof name, "%s: %d ms after a keystroke",
		    label, d);
		add_row(name, t, enc, bands, n, st.nbands, size, frame);
	}
done:
	close(fd);
	free(t);
	free(enc);
	free(bands);
}

/*
 * /health latency while another client takes full-change screenshots in
 * a loop (a second process with its own X and HTTP connections).
 */
static void
run_health(const char *label, int port, int n)
{
	struct benchpage	 cbp;
	double			*t = calloc(n, sizeof *t), t0;
	char			 name[64];
	pid_t			 pid;
	int			 fd, i;

	if ((pid = fork()) == 0) {
		cbp = bp;
		if ((cbp.dpy = XOpenDisplay(NULL)) == NULL)
			_exit(1);
		cbp.gc = XCreateGC(cbp.dpy, bp.win, 0, NULL);
		fd = http_connect(port);
		for (i = 0;; i++) {
			benchpage_text(&cbp, 9000 + i);
			http_get(fd, "/screenshot");
		}
	}
	fd = http_connect(port);
	usleep(200 * 1000);
	for (i = 0; i < n; i++) {
		t0 = now_ms();
		http_get(fd, "/health");
		t[i] = now_ms() - t0;
		usleep(2000);
	}
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	close(fd);
	snprintf(name, sizeof name, "%s: /health under screenshot load",
	    label);
	add_row(name, t, NULL, NULL, n, 0, 0, NULL);
	/* p99 in the p95 column for this row. */
	rows[nrows - 1].p95 = pct(t, n, 0.99);
	free(t);
	settle();
}

static void
print_rows(void)
{
	struct row	*r;
	int		 i;

	printf("%-48s %8s %8s %8s %9s %7s %s\n", "scenario", "p50 ms",
	    "p95 ms", "encode", "bands", "KiB", "frame");
	for (i = 0; i < nrows; i++) {
		r = &rows[i];
		printf("%-48s %8.2f %8.2f", r->name, r->p50, r->p95);
		if (r->encode >= 0)
			printf(" %8.2f %4.0f/%-4d", r->encode, r->bands,
			    r->nbands);
		else
			printf(" %8s %9s", "", "");
		if (r->kib > 0)
			printf(" %7ld", r->kib);
		else
			printf(" %7s", "");
		printf(" %s\n", r->frame);
	}
	printf("(encode: deskd's Server-Timing, median; /health rows give "
	    "p99 in the p95 column)\n");
}

static void
ratio(const char *what, const char *num, const char *den)
{
	struct row	*a = find_row(num), *b = find_row(den);

	if (a != NULL && b != NULL && b->p50 > 0)
		printf("  %-58s %7.1fx\n", what, a->p50 / b->p50);
}

int
main(int argc, char **argv)
{
	char	*names[MAX_DESKD], buf[128], buf2[128];
	const char *only;
	int	 ports[MAX_DESKD], nd = 0, n, i, j, k;
	static const char *cases[] = { "full change, text",
	    "full change, photo", "unchanged", "one line changed",
	    "0 ms after a keystroke", "50 ms after a keystroke",
	    "200 ms after a keystroke" };

	if (argc < 2) {
		fprintf(stderr, "usage: shotbench HOST [N] [PHOTO.ppm] -- "
		    "NAME=PORT...\n");
		return (2);
	}
	host = argv[1];
	n = 40;
	for (i = 2; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (atoi(argv[i]) > 0)
			n = atoi(argv[i]);
		else if ((photo = benchpage_read_ppm(argv[i], &photo_w,
		    &photo_h)) == NULL) {
			fprintf(stderr, "shotbench: %s: not a P6 PPM\n",
			    argv[i]);
			return (1);
		}
	}
	for (i++; i < argc && nd < MAX_DESKD; i++) {
		char	*eq = strchr(argv[i], '=');

		if (eq == NULL)
			continue;
		*eq = '\0';
		names[nd] = argv[i];
		ports[nd++] = atoi(eq + 1);
	}
	if ((bp.dpy = XOpenDisplay(NULL)) == NULL) {
		fprintf(stderr, "shotbench: no display\n");
		return (1);
	}
	benchpage_open(&bp, bp.dpy);
	signal(SIGPIPE, SIG_IGN);

	only = getenv("SHOTBENCH_ONLY");
	/* Peers first: no deskd has a reason to encode ahead yet. */
	if (only == NULL)
		run_peers(n);
	for (j = 0; j < nd; j++) {
		if (only == NULL || strcmp(only, "full") == 0)
			run_deskd(names[j], ports[j], n);
		if (only == NULL || strcmp(only, "health") == 0)
			run_health(names[j], ports[j], 10 * n);
	}

	printf("screenshot, %dx%d, %d requests each (keep-alive), "
	    "load average at the end: ", bp.w, bp.h, n);
	fflush(stdout);
	if (system("cut -d' ' -f1-3 /proc/loadavg") != 0)
		printf("\n");
	print_rows();
	printf("ratios (p50):\n");
	for (j = 0; j < nd; j++) {
		snprintf(buf, sizeof buf, "%s: full change, text", names[j]);
		ratio("XGetImage+libpng / deskd full change",
		    "peer: XGetImage + libpng defaults", buf);
		ratio("scrot / deskd full change", "peer: scrot to a file",
		    buf);
		snprintf(buf, sizeof buf, "%s: one line changed", names[j]);
		ratio("XGetImage+libpng / deskd one line changed",
		    "peer: XGetImage + libpng defaults", buf);
		snprintf(buf, sizeof buf, "%s: unchanged", names[j]);
		ratio("XGetImage+libpng / deskd unchanged",
		    "peer: XGetImage + libpng defaults", buf);
		printf("  (%s)\n", names[j]);
	}
	for (j = 1; j < nd; j++)
	for (k = 0; k < j; k++) {
		printf("%s against %s (p50, %s / %s):\n", names[j], names[k],
		    names[k], names[j]);
		for (i = 0; i < (int)(sizeof cases / sizeof cases[0]); i++) {
			snprintf(buf, sizeof buf, "%s: %s", names[k],
			    cases[i]);
			snprintf(buf2, sizeof buf2, "%s: %s", names[j],
			    cases[i]);
			ratio(cases[i], buf, buf2);
		}
		snprintf(buf, sizeof buf, "%s: /health under screenshot load",
		    names[k]);
		snprintf(buf2, sizeof buf2, "%s: /health under screenshot load",
		    names[j]);
		ratio("/health under screenshot load", buf, buf2);
		if (find_row(buf) != NULL && find_row(buf2) != NULL)
			printf("  %-58s %7.1fx\n", "/health p99 under "
			    "screenshot load", find_row(buf)->p95 /
			    find_row(buf2)->p95);
	}
	free(photo);
	XCloseDisplay(bp.dpy);
	return (0);
}
