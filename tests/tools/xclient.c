/*
 * xclient: a small X client the tests use to put known pixels on screen.
 *   xclient rect X Y W H RRGGBB   an override-redirect window of that
 *                                 colour; prints "ready" once it is mapped
 *                                 and painted, then stays until killed
 *   xclient text [SEED]           a full-screen window of dense text (the
 *                                 "text-heavy desktop" of the benchmarks)
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
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/extensions/Xfixes.h>

static Display	*dpy;

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
	fprintf(stderr, "xclient: bad arguments\n");
	return (2);
}
