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
 */
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
	fprintf(stderr, "xclient: bad arguments\n");
	return (2);
}
