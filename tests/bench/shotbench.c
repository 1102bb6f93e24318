/*
 * shotbench: screenshot latency of deskd against the peers' methods, in
 * one run on one text-heavy 1920x1080 desktop.
 *
 *   shotbench HOST PORT [N]
 *
 * deskd is asked over one keep-alive connection (GET /screenshot), with
 * the screen (a) fully redrawn before each request, (b) unchanged, (c)
 * changed in one small area.  The peers:
 *   - XGetImage + libpng at default settings: the pixel path of OSWorld's
 *     pyautogui /screenshot, without Python's own overhead;
 *   - scrot to a file: what the Anthropic reference tools shell out to.
 * Prints p50/p95 for each and the ratios.  Not a test: nothing asserts.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <png.h>

static Display	*dpy;
static Window	 win;
static GC	 gc;
static int	 sw, sh;

static double
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec * 1e3 + ts.tv_nsec / 1e6);
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

/* Dense text over the whole window, different for each seed. */
static void
draw_page(unsigned seed)
{
	static const char *words[] = { "deskd", "screen", "capture", "the",
	    "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "File",
	    "Edit", "View", "Help", "window", "button", "1234", "0x7f",
	    "config", "agent", "model", "click", "type", "scroll" };
	char	 line[512];
	int	 y, n;

	srand(seed);
	XSetForeground(dpy, gc, 0xffffff);
	XFillRectangle(dpy, win, gc, 0, 0, sw, sh);
	XSetForeground(dpy, gc, 0x202020 + (seed % 32));
	for (y = 14; y < sh; y += 14) {
		n = 0;
		while (n < (int)sizeof line - 20 && n * 6 < sw)
			n += snprintf(line + n, sizeof line - n, "%s ",
			    words[rand() % (sizeof words / sizeof words[0])]);
		XDrawString(dpy, win, gc, 4, y, line, n);
	}
	XSync(dpy, False);
}

/* One line of text changes: a typical action's damage. */
static void
draw_small(unsigned seed)
{
	char	 buf[64];

	snprintf(buf, sizeof buf, "typed text %u", seed);
	XSetForeground(dpy, gc, 0xffffff);
	XFillRectangle(dpy, win, gc, 300, 500, 240, 16);
	XSetForeground(dpy, gc, 0x000000);
	XDrawString(dpy, win, gc, 302, 512, buf, strlen(buf));
	XSync(dpy, False);
}

static int
http_connect(const char *host, int port)
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

	img = XGetImage(dpy, DefaultRootWindow(dpy), 0, 0, sw, sh, AllPlanes,
	    ZPixmap);
	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL,
	    NULL);
	info = png_create_info_struct(png);
	png_set_write_fn(png, &m, png_count, png_noflush);
	png_set_IHDR(png, info, sw, sh, 8, PNG_COLOR_TYPE_RGB,
	    PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
	    PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	row = malloc(sw * 3);
	for (y = 0; y < sh; y++) {
		for (x = 0; x < sw; x++) {
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
	int	 st;

	if ((pid = fork()) == 0) {
		execlp("scrot", "scrot", "-o", path, (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "shotbench: scrot failed\n");
		exit(1);
	}
}

int
main(int argc, char **argv)
{
	XSetWindowAttributes	 a;
	XEvent			 ev;
	double			*t, t0, full50, full95, same50, same95;
	double			 small50, small95, xg50, xg95, sc50, sc95;
	long			 size_full = 0, size_xg = 0;
	char			 tmp[64];
	int			 fd, i, n;

	if (argc < 3) {
		fprintf(stderr, "usage: shotbench HOST PORT [N]\n");
		return (2);
	}
	n = argc > 3 ? atoi(argv[3]) : 60;
	if ((dpy = XOpenDisplay(NULL)) == NULL) {
		fprintf(stderr, "shotbench: no display\n");
		return (1);
	}
	sw = DisplayWidth(dpy, DefaultScreen(dpy));
	sh = DisplayHeight(dpy, DefaultScreen(dpy));
	a.override_redirect = True;
	a.background_pixel = 0xffffff;
	a.event_mask = ExposureMask;
	win = XCreateWindow(dpy, DefaultRootWindow(dpy), 0, 0, sw, sh, 0,
	    CopyFromParent, InputOutput, CopyFromParent,
	    CWOverrideRedirect | CWBackPixel | CWEventMask, &a);
	gc = XCreateGC(dpy, win, 0, NULL);
	XMapRaised(dpy, win);
	do {
		XNextEvent(dpy, &ev);
	} while (ev.type != Expose);
	draw_page(1);

	t = calloc(n, sizeof *t);
	fd = http_connect(argv[1], atoi(argv[2]));
	http_get(fd, "/screenshot");	/* warm-up */

	for (i = 0; i < n; i++) {
		draw_page(i + 2);
		t0 = now_ms();
		size_full = http_get(fd, "/screenshot");
		t[i] = now_ms() - t0;
	}
	full50 = pct(t, n, 0.5);
	full95 = pct(t, n, 0.95);

	http_get(fd, "/screenshot");
	for (i = 0; i < n; i++) {
		t0 = now_ms();
		http_get(fd, "/screenshot");
		t[i] = now_ms() - t0;
	}
	same50 = pct(t, n, 0.5);
	same95 = pct(t, n, 0.95);

	for (i = 0; i < n; i++) {
		draw_small(i);
		t0 = now_ms();
		http_get(fd, "/screenshot");
		t[i] = now_ms() - t0;
	}
	small50 = pct(t, n, 0.5);
	small95 = pct(t, n, 0.95);

	for (i = 0; i < n; i++) {
		draw_page(i + 1000);
		t0 = now_ms();
		size_xg = peer_xgetimage();
		t[i] = now_ms() - t0;
	}
	xg50 = pct(t, n, 0.5);
	xg95 = pct(t, n, 0.95);

	snprintf(tmp, sizeof tmp, "/tmp/shotbench.%d.png", (int)getpid());
	for (i = 0; i < n; i++) {
		draw_page(i + 2000);
		t0 = now_ms();
		peer_scrot(tmp);
		t[i] = now_ms() - t0;
	}
	unlink(tmp);
	sc50 = pct(t, n, 0.5);
	sc95 = pct(t, n, 0.95);

	printf("screenshot, %dx%d text-heavy desktop, %d requests each "
	    "(keep-alive)\n", sw, sh, n);
	printf("%-44s %8s %8s %9s\n", "method", "p50 ms", "p95 ms", "KiB");
	printf("%-44s %8.2f %8.2f %9ld\n", "deskd /screenshot, full change",
	    full50, full95, size_full / 1024);
	printf("%-44s %8.2f %8.2f\n", "deskd /screenshot, unchanged", same50,
	    same95);
	printf("%-44s %8.2f %8.2f\n", "deskd /screenshot, one line changed",
	    small50, small95);
	printf("%-44s %8.2f %8.2f %9ld\n",
	    "peer: XGetImage + libpng defaults (OSWorld)", xg50, xg95,
	    size_xg / 1024);
	printf("%-44s %8.2f %8.2f\n", "peer: scrot to a file (Anthropic ref.)",
	    sc50, sc95);
	printf("ratios (p50, peer / deskd): XGetImage+libpng / full %.1fx, "
	    "scrot / full %.1fx, XGetImage+libpng / unchanged %.0fx, "
	    "XGetImage+libpng / small change %.0fx\n", xg50 / full50,
	    sc50 / full50, xg50 / same50, xg50 / small50);
	close(fd);
	free(t);
	XCloseDisplay(dpy);
	return (0);
}
