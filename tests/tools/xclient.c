/*
 * xclient: a small X client the tests use to put known pixels on screen.
 *   xclient rect X Y W H RRGGBB   an override-redirect window of that
 *                                 colour; prints "ready" once it is mapped
 *                                 and painted, then stays until killed
 *   xclient text [SEED]           a full-screen window of dense text (the
 *                                 "text-heavy desktop" of the benchmarks)
 *   xclient busy [SEED]           a full-screen window of photo-like noise
 *                                 over gradients: a busy frame (a photo,
 *                                 a video) whose PNG is about 2 MB at 1080p
 *   xclient warp X Y              move the pointer and exit
 *   xclient pointer               print the pointer position "X Y"
 *   xclient cursorinfo            print "X Y W H XHOT YHOT" of the cursor
 *                                 image (XFixes), for checking compositing
 *   xclient pages                 a full-screen window with an invisible
 *                                 cursor that draws a page for each number
 *                                 read from stdin (even: dense text; odd:
 *                                 text above, photo-like noise below) and
 *                                 prints "drawn N" once it is on screen
 *   xclient video MS              the same window drawing a new page every
 *                                 MS ms, never stopping
 *   xclient dump FILE             XGetImage of the root window as a PPM
 *   xclient flip X Y W H C1 C2    a rectangle of colour C1; each line read
 *                                 on stdin switches it to the other colour
 *                                 and prints the wall-clock ms (after
 *                                 XSync) the change reached the server
 *   xclient noise X Y W H [FPS]   a rectangle of random pixels, redrawn
 *                                 FPS times a second (default 30)
 *   xclient scroll [LPS]          a full-screen "terminal": a line of text
 *                                 added at the bottom and the rest moved
 *                                 up, LPS lines a second (default 20)
 */
#include <sys/time.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/extensions/Xfixes.h>

static Display	*dpy;

static Window	 make_window(int, int, int, int, unsigned long);

static long long
now_ms(void)
{
	struct timeval	 tv;

	gettimeofday(&tv, NULL);
	return ((long long)tv.tv_sec * 1000 + tv.tv_usec / 1000);
}

static void
flip(int x, int y, int w, int h, unsigned long c1, unsigned long c2)
{
	Window		 win = make_window(x, y, w, h, c1);
	GC		 gc = XCreateGC(dpy, win, 0, NULL);
	char		 line[64];
	int		 on = 0;

	XSync(dpy, False);
	printf("ready 0x%lx\n", win);
	fflush(stdout);
	while (fgets(line, sizeof line, stdin) != NULL) {
		on = !on;
		XSetForeground(dpy, gc, on ? c2 : c1);
		XFillRectangle(dpy, win, gc, 0, 0, w, h);
		XSync(dpy, False);
		printf("%lld\n", now_ms());
		fflush(stdout);
	}
}

static void
noise(int x, int y, int w, int h, int fps)
{
	Window		 win = make_window(x, y, w, h, 0);
	GC		 gc = XCreateGC(dpy, win, 0, NULL);
	XImage		*img;
	char		*data;
	int		 i;

	data = malloc((size_t)w * h * 4);
	img = XCreateImage(dpy, DefaultVisual(dpy, DefaultScreen(dpy)),
	    DefaultDepth(dpy, DefaultScreen(dpy)), ZPixmap, 0, data, w, h, 32,
	    0);
	printf("ready 0x%lx\n", win);
	fflush(stdout);
	for (;;) {
		for (i = 0; i < w * h * 4; i++)
			data[i] = rand();
		XPutImage(dpy, win, gc, img, 0, 0, 0, 0, w, h);
		XSync(dpy, False);
		usleep(1000000 / fps);
	}
}

static void
scroll(int lps)
{
	static const char *words[] = { "total", "drwxr-xr-x", "root", "4096",
	    "Jan", "12:01", "src", "build", "make[2]:", "Entering", "CC",
	    "agent/capture.o", "warning:", "OK", "PASS", "test", "0.003s" };
	int		 w = DisplayWidth(dpy, DefaultScreen(dpy));
	int		 h = DisplayHeight(dpy, DefaultScreen(dpy));
	Window		 win = make_window(0, 0, w, h, 0x101010);
	GC		 gc = XCreateGC(dpy, win, 0, NULL);
	char		 line[256];
	int		 n, lh = 15, row = 0, rows = h / lh;

	XSetForeground(dpy, gc, 0xd0d0d0);
	XSetBackground(dpy, gc, 0x101010);
	XSetGraphicsExposures(dpy, gc, False);
	printf("ready 0x%lx\n", win);
	fflush(stdout);
	for (;;) {
		n = 0;
		while (n < 160)
			n += snprintf(line + n, sizeof line - n, "%s ",
			    words[rand() % (sizeof words / sizeof words[0])]);
		if (row < rows)
			row++;
		else {
			/* What a terminal does: move the rest up a line. */
			XCopyArea(dpy, win, win, gc, 0, lh, w, (rows - 1) * lh,
			    0, 0);
			XSetForeground(dpy, gc, 0x101010);
			XFillRectangle(dpy, win, gc, 0, (rows - 1) * lh, w, lh);
			XSetForeground(dpy, gc, 0xd0d0d0);
		}
		XDrawString(dpy, win, gc, 4, row * lh - 3, line, n);
		XSync(dpy, False);
		usleep(1000000 / lps);
	}
}

static Window
make_window(int x, int y, int w, int h, unsigned long bg)
{
	XSetWindowAttributes	 a;
	Window			 win;
	XEvent			 ev;

	a.override_redirect = True;
	a.background_pixel = bg;
	a.event_mask = ExposureMask | StructureNotifyMask;
	win = XCreateWindow(dpy, DefaultRootWindow(dpy), x, y, w, h, 0,
	    CopyFromParent, InputOutput, CopyFromParent,
	    CWOverrideRedirect | CWBackPixel | CWEventMask, &a);
	XMapRaised(dpy, win);
	do {
		XNextEvent(dpy, &ev);
	} while (ev.type != Expose);
	return (win);
}

static void
draw_text(Window win, GC gc, int w, int h, unsigned seed)
{
	static const char *words[] = { "deskd", "screen", "capture", "the",
	    "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "File",
	    "Edit", "View", "Help", "window", "button", "1234", "0x7f",
	    "config", "agent", "model", "click", "type", "scroll" };
	char	 line[512];
	int	 y, n;

	srand(seed);
	XClearWindow(dpy, win);
	for (y = 14; y < h; y += 14) {
		line[0] = '\0';
		n = 0;
		while (n < (int)sizeof line - 20 && n * 6 < w) {
			n += snprintf(line + n, sizeof line - n, "%s ",
			    words[rand() % (sizeof words / sizeof words[0])]);
		}
		XDrawString(dpy, win, gc, 4, y, line, n);
	}
	XSync(dpy, False);
}

/*
 * Hide the pointer over win: deskd composites the cursor it is given, so
 * with an empty one its frames equal XGetImage's pixels exactly.
 */
static void
hide_cursor(Window win)
{
	static char	 zero[1];
	Pixmap		 pm;
	XColor		 black;
	Cursor		 c;

	memset(&black, 0, sizeof black);
	pm = XCreateBitmapFromData(dpy, win, zero, 1, 1);
	c = XCreatePixmapCursor(dpy, pm, pm, &black, &black, 0, 0);
	XDefineCursor(dpy, win, c);
	XFreePixmap(dpy, pm);
}

/* Page n: dense text; odd pages have photo-like noise in the lower half. */
static void
draw_page(Window win, GC gc, int w, int h, unsigned n)
{
	XImage		*img;
	uint32_t	*px;
	int		 x, y, top = n % 2 ? h / 2 : h;

	XSetForeground(dpy, gc, 0x202020 + (n % 32));
	draw_text(win, gc, w, top, n);
	if (top == h)
		return;
	img = XCreateImage(dpy, DefaultVisual(dpy, DefaultScreen(dpy)),
	    DefaultDepth(dpy, DefaultScreen(dpy)), ZPixmap, 0, NULL, w,
	    h - top, 32, 0);
	img->data = malloc((size_t)img->bytes_per_line * (h - top));
	srand(n);
	for (y = 0; y < h - top; y++) {
		px = (uint32_t *)(img->data + (size_t)y * img->bytes_per_line);
		for (x = 0; x < w; x++)
			px[x] = (uint32_t)((x + n) & 0xff) << 16 |
			    (uint32_t)((y * 3) & 0xff) << 8 |
			    (uint32_t)(rand() & 0x3f);
	}
	XPutImage(dpy, win, gc, img, 0, 0, 0, top, w, h - top);
	XDestroyImage(img);
	XSync(dpy, False);
}

static int
dump_root(const char *path)
{
	XImage		*img;
	FILE		*f;
	unsigned long	 px;
	int		 w = DisplayWidth(dpy, DefaultScreen(dpy));
	int		 h = DisplayHeight(dpy, DefaultScreen(dpy)), x, y;

	img = XGetImage(dpy, DefaultRootWindow(dpy), 0, 0, w, h, AllPlanes,
	    ZPixmap);
	if (img == NULL || (f = fopen(path, "wb")) == NULL)
		return (1);
	fprintf(f, "P6\n%d %d\n255\n", w, h);
	for (y = 0; y < h; y++) {
		for (x = 0; x < w; x++) {
			px = XGetPixel(img, x, y);
			fputc((px >> 16) & 0xff, f);
			fputc((px >> 8) & 0xff, f);
			fputc(px & 0xff, f);
		}
	}
	XDestroyImage(img);
	return (fclose(f) != 0);
}

static void
draw_busy(Window win, GC gc, int w, int h, unsigned seed)
{
	XImage		*im;
	char		*data;
	unsigned	 r;
	int		 x, y, v;

	data = malloc((size_t)w * h * 4);
	im = XCreateImage(dpy, DefaultVisual(dpy, DefaultScreen(dpy)), 24,
	    ZPixmap, 0, data, w, h, 32, 0);
	r = seed * 2654435761u + 1;
	for (y = 0; y < h; y++) {
		for (x = 0; x < w; x++) {
			r = r * 1103515245 + 12345;
			/* 2 bits of noise: a 2.1 MB PNG at 1920x1080. */
			v = (r >> 16) & 3;
			XPutPixel(im, x, y,
			    (unsigned long)((x * 255 / w + v) & 0xff) << 16 |
			    (unsigned long)((y * 255 / h + v) & 0xff) << 8 |
			    (unsigned long)(((x + y) & 0xff) ^ v));
		}
	}
	XPutImage(dpy, win, gc, im, 0, 0, 0, 0, w, h);
	XDestroyImage(im);
	XSync(dpy, False);
}

int
main(int argc, char **argv)
{
	Window		 win;
	GC		 gc;
	XEvent		 ev;
	Window		 r, c;
	int		 rx, ry, wx, wy, w, h;
	unsigned	 mask;

	if (argc < 2 || (dpy = XOpenDisplay(NULL)) == NULL) {
		fprintf(stderr, "xclient: usage or no display\n");
		return (2);
	}
	if (strcmp(argv[1], "rect") == 0 && argc == 7) {
		win = make_window(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]),
		    atoi(argv[5]), strtoul(argv[6], NULL, 16));
		XSync(dpy, False);
		printf("ready 0x%lx\n", win);
		fflush(stdout);
		for (;;)
			XNextEvent(dpy, &ev);
	}
	if (strcmp(argv[1], "text") == 0) {
		w = DisplayWidth(dpy, DefaultScreen(dpy));
		h = DisplayHeight(dpy, DefaultScreen(dpy));
		win = make_window(0, 0, w, h, 0xffffff);
		gc = XCreateGC(dpy, win, 0, NULL);
		XSetForeground(dpy, gc, 0x202020);
		draw_text(win, gc, w, h, argc > 2 ? atoi(argv[2]) : 1);
		printf("ready 0x%lx\n", win);
		fflush(stdout);
		for (;;) {
			XNextEvent(dpy, &ev);
			if (ev.type == Expose && ev.xexpose.count == 0)
				draw_text(win, gc, w, h,
				    argc > 2 ? atoi(argv[2]) : 1);
		}
	}
	if (strcmp(argv[1], "pages") == 0 || (strcmp(argv[1], "video") == 0 &&
	    argc == 3)) {
		char		 line[64];
		unsigned	 n = 0;
		int		 ms = argc == 3 ? atoi(argv[2]) : 0;

		w = DisplayWidth(dpy, DefaultScreen(dpy));
		h = DisplayHeight(dpy, DefaultScreen(dpy));
		win = make_window(0, 0, w, h, 0xffffff);
		hide_cursor(win);
		gc = XCreateGC(dpy, win, 0, NULL);
		draw_page(win, gc, w, h, 0);
		printf("ready 0x%lx\n", win);
		fflush(stdout);
		if (ms > 0) {
			for (n = 1;; n++) {
				usleep(ms * 1000);
				draw_page(win, gc, w, h, n);
			}
		}
		while (fgets(line, sizeof line, stdin) != NULL) {
			n = strtoul(line, NULL, 10);
			draw_page(win, gc, w, h, n);
			printf("drawn %u\n", n);
			fflush(stdout);
		}
		return (0);
	}
	if (strcmp(argv[1], "dump") == 0 && argc == 3)
		return (dump_root(argv[2]));
	if (strcmp(argv[1], "busy") == 0) {
		w = DisplayWidth(dpy, DefaultScreen(dpy));
		h = DisplayHeight(dpy, DefaultScreen(dpy));
		win = make_window(0, 0, w, h, 0);
		gc = XCreateGC(dpy, win, 0, NULL);
		draw_busy(win, gc, w, h, argc > 2 ? atoi(argv[2]) : 1);
		printf("ready 0x%lx\n", win);
		fflush(stdout);
		for (;;) {
			XNextEvent(dpy, &ev);
			if (ev.type == Expose && ev.xexpose.count == 0)
				draw_busy(win, gc, w, h,
				    argc > 2 ? atoi(argv[2]) : 1);
		}
	}
	if (strcmp(argv[1], "warp") == 0 && argc == 4) {
		XWarpPointer(dpy, None, DefaultRootWindow(dpy), 0, 0, 0, 0,
		    atoi(argv[2]), atoi(argv[3]));
		XSync(dpy, False);
		return (0);
	}
	if (strcmp(argv[1], "pointer") == 0) {
		XQueryPointer(dpy, DefaultRootWindow(dpy), &r, &c, &rx, &ry,
		    &wx, &wy, &mask);
		printf("%d %d\n", rx, ry);
		return (0);
	}
	if (strcmp(argv[1], "cursorinfo") == 0) {
		XFixesCursorImage	*ci = XFixesGetCursorImage(dpy);

		if (ci == NULL)
			return (1);
		printf("%d %d %d %d %d %d\n", ci->x, ci->y, ci->width,
		    ci->height, ci->xhot, ci->yhot);
		return (0);
	}
	if (strcmp(argv[1], "flip") == 0 && argc == 8) {
		flip(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]),
		    atoi(argv[5]), strtoul(argv[6], NULL, 16),
		    strtoul(argv[7], NULL, 16));
		return (0);
	}
	if (strcmp(argv[1], "noise") == 0 && argc >= 6) {
		noise(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]),
		    atoi(argv[5]), argc > 6 ? atoi(argv[6]) : 30);
		return (0);
	}
	if (strcmp(argv[1], "scroll") == 0) {
		scroll(argc > 2 ? atoi(argv[2]) : 20);
		return (0);
	}
	fprintf(stderr, "xclient: bad arguments\n");
	return (2);
}
