/*
 * benchpage.h: the benchmark desktops, shared by shotbench and codecbench.
 * A text-heavy page (dense lines of words over white, different for each
 * seed) drawn into a full-screen override-redirect window, and a
 * photo-like wallpaper read from a binary PPM (tests/bench/capture.sh
 * makes one with ImageMagick's plasma: and a fixed seed).
 */
#ifndef BENCHPAGE_H
#define BENCHPAGE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <X11/Xlib.h>
#include <X11/Xutil.h>

struct benchpage {
	Display	*dpy;
	Window	 win;
	GC	 gc;
	int	 w;
	int	 h;
};

/* A full-screen window on top, mapped and exposed. */
static inline void
benchpage_open(struct benchpage *bp, Display *dpy)
{
	XSetWindowAttributes	 a;
	XEvent			 ev;

	bp->dpy = dpy;
	bp->w = DisplayWidth(dpy, DefaultScreen(dpy));
	bp->h = DisplayHeight(dpy, DefaultScreen(dpy));
	a.override_redirect = True;
	a.background_pixel = 0xffffff;
	a.event_mask = ExposureMask | KeyPressMask;
	bp->win = XCreateWindow(dpy, DefaultRootWindow(dpy), 0, 0, bp->w,
	    bp->h, 0, CopyFromParent, InputOutput, CopyFromParent,
	    CWOverrideRedirect | CWBackPixel | CWEventMask, &a);
	bp->gc = XCreateGC(dpy, bp->win, 0, NULL);
	XMapRaised(dpy, bp->win);
	do {
		XNextEvent(dpy, &ev);
	} while (ev.type != Expose);
}

/* Dense text over the whole window, different for each seed. */
static inline void
benchpage_text(struct benchpage *bp, unsigned seed)
{
	static const char *words[] = { "deskd", "screen", "capture", "the",
	    "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "File",
	    "Edit", "View", "Help", "window", "button", "1234", "0x7f",
	    "config", "agent", "model", "click", "type", "scroll" };
	char	 line[512];
	int	 y, n;

	srand(seed);
	XSetForeground(bp->dpy, bp->gc, 0xffffff);
	XFillRectangle(bp->dpy, bp->win, bp->gc, 0, 0, bp->w, bp->h);
	XSetForeground(bp->dpy, bp->gc, 0x202020 + (seed % 32));
	for (y = 14; y < bp->h; y += 14) {
		n = 0;
		while (n < (int)sizeof line - 20 && n * 6 < bp->w)
			n += snprintf(line + n, sizeof line - n, "%s ",
			    words[rand() % (sizeof words / sizeof words[0])]);
		XDrawString(bp->dpy, bp->win, bp->gc, 4, y, line, n);
	}
	XSync(bp->dpy, False);
}

/* A binary PPM (P6, maxval 255) as RGB; NULL when it does not read. */
static inline unsigned char *
benchpage_read_ppm(const char *path, int *w, int *h)
{
	FILE		*f;
	unsigned char	*rgb;
	int		 maxval;

	if ((f = fopen(path, "rb")) == NULL)
		return (NULL);
	if (fscanf(f, "P6 %d %d %d", w, h, &maxval) != 3 || maxval != 255 ||
	    fgetc(f) == EOF || *w < 1 || *h < 1) {
		fclose(f);
		return (NULL);
	}
	rgb = malloc((size_t)*w * *h * 3);
	if (rgb != NULL && fread(rgb, 3, (size_t)*w * *h, f) !=
	    (size_t)*w * *h) {
		free(rgb);
		rgb = NULL;
	}
	fclose(f);
	return (rgb);
}

/*
 * Put the photo in the window, shifted by dx pixels (so each shift is a
 * full change); rows and columns past the photo wrap around.
 */
static inline void
benchpage_photo(struct benchpage *bp, const unsigned char *rgb, int pw,
    int ph, int dx)
{
	XImage		*img;
	uint32_t	*px;
	int		 x, y, sx, sy;

	img = XCreateImage(bp->dpy, DefaultVisual(bp->dpy,
	    DefaultScreen(bp->dpy)), DefaultDepth(bp->dpy,
	    DefaultScreen(bp->dpy)), ZPixmap, 0, NULL, bp->w, bp->h, 32, 0);
	img->data = malloc((size_t)img->bytes_per_line * bp->h);
	for (y = 0; y < bp->h; y++) {
		px = (uint32_t *)(img->data + (size_t)y * img->bytes_per_line);
		sy = y % ph;
		for (x = 0; x < bp->w; x++) {
			const unsigned char *s;

			sx = (x + dx) % pw;
			s = rgb + ((size_t)sy * pw + sx) * 3;
			px[x] = (uint32_t)s[0] << 16 | s[1] << 8 | s[2];
		}
	}
	XPutImage(bp->dpy, bp->win, bp->gc, img, 0, 0, 0, 0, bp->w, bp->h);
	XDestroyImage(img);
	XSync(bp->dpy, False);
}

#endif
