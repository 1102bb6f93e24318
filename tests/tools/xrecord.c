/*
 * xrecord.c: a plain X client for the input tests.  It opens a window over
 * the whole screen, takes the keyboard focus, prints "ready", then prints
 * one line per event it receives, exactly as a real application sees it:
 *
 *   KeyPress keysym=NAME keycode=N state=0xS text="..."
 *   KeyRelease keysym=NAME keycode=N state=0xS
 *   ButtonPress button=B x=X y=Y state=0xS
 *   ButtonRelease button=B x=X y=Y state=0xS
 *   Motion x=X y=Y
 *
 * text is what Xutf8LookupString gives (UTF-8; \\, \" and control bytes
 * escaped as \xNN), the way toolkits read typed characters.
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/keysym.h>

static void
print_text(const char *s, int len)
{
	int	 i;

	putchar('"');
	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (c == '\\' || c == '"')
			printf("\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static const char *
sym_name(KeySym sym)
{
	const char	*n;
	static char	 buf[32];

	if (sym == NoSymbol)
		return ("NoSymbol");
	if ((n = XKeysymToString(sym)) != NULL)
		return (n);
	snprintf(buf, sizeof buf, "0x%lx", (unsigned long)sym);
	return (buf);
}

int
main(int argc, char **argv)
{
	Display			*dpy;
	Window			 win;
	XSetWindowAttributes	 swa;
	XIM			 im;
	XIC			 ic = NULL;
	XEvent			 ev;
	KeySym			 sym;
	Status			 status;
	char			 buf[256];
	int			 len, ready = 0, scr, times;

	/* Xutf8LookupString needs a UTF-8 locale to hand back UTF-8. */
	if (setlocale(LC_ALL, "C.UTF-8") == NULL)
		setlocale(LC_ALL, "");
	XSetLocaleModifiers("@im=none");
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* XRECORD_TIME=1: pointer events end with the server's time=MS. */
	times = getenv("XRECORD_TIME") != NULL;

	if ((dpy = XOpenDisplay(NULL)) == NULL) {
		fprintf(stderr, "xrecord: cannot open display\n");
		return (1);
	}
	scr = DefaultScreen(dpy);
	memset(&swa, 0, sizeof swa);
	swa.event_mask = KeyPressMask | KeyReleaseMask | ButtonPressMask |
	    ButtonReleaseMask | PointerMotionMask | FocusChangeMask |
	    StructureNotifyMask;
	swa.background_pixel = WhitePixel(dpy, scr);
	win = XCreateWindow(dpy, RootWindow(dpy, scr), 0, 0,
	    DisplayWidth(dpy, scr), DisplayHeight(dpy, scr), 0,
	    CopyFromParent, InputOutput, CopyFromParent,
	    CWEventMask | CWBackPixel, &swa);
	XStoreName(dpy, win, "xrecord");
	if ((im = XOpenIM(dpy, NULL, NULL, NULL)) != NULL) {
		ic = XCreateIC(im, XNInputStyle,
		    XIMPreeditNothing | XIMStatusNothing, XNClientWindow, win,
		    XNFocusWindow, win, NULL);
	}
	if (ic == NULL)
		fprintf(stderr, "xrecord: no input context, using "
		    "XLookupString\n");
	XMapRaised(dpy, win);

	for (;;) {
		XNextEvent(dpy, &ev);
		if (XFilterEvent(&ev, None))
			continue;
		switch (ev.type) {
		case MapNotify:
			XSetInputFocus(dpy, win, RevertToPointerRoot,
			    CurrentTime);
			break;
		case FocusIn:
			if (!ready) {
				ready = 1;
				if (ic != NULL)
					XSetICFocus(ic);
				printf("ready\n");
			}
			break;
		case MappingNotify:
			XRefreshKeyboardMapping(&ev.xmapping);
			break;
		case KeyPress:
			sym = NoSymbol;
			if (ic != NULL)
				len = Xutf8LookupString(ic, &ev.xkey, buf,
				    sizeof buf - 1, &sym, &status);
			else
				len = XLookupString(&ev.xkey, buf,
				    sizeof buf - 1, &sym, NULL);
			if (len < 0)
				len = 0;
			printf("KeyPress keysym=%s keycode=%u state=0x%x text=",
			    sym_name(sym), ev.xkey.keycode, ev.xkey.state);
			print_text(buf, len);
			putchar('\n');
			break;
		case KeyRelease:
			sym = NoSymbol;
			XLookupString(&ev.xkey, buf, sizeof buf - 1, &sym,
			    NULL);
			printf("KeyRelease keysym=%s keycode=%u state=0x%x\n",
			    sym_name(sym), ev.xkey.keycode, ev.xkey.state);
			break;
		case ButtonPress:
		case ButtonRelease:
			printf("%s button=%u x=%d y=%d state=0x%x",
			    ev.type == ButtonPress ? "ButtonPress" :
			    "ButtonRelease", ev.xbutton.button, ev.xbutton.x,
			    ev.xbutton.y, ev.xbutton.state);
			if (times)
				printf(" time=%lu", ev.xbutton.time);
			putchar('\n');
			break;
		case MotionNotify:
			printf("Motion x=%d y=%d", ev.xmotion.x,
			    ev.xmotion.y);
			if (times)
				printf(" time=%lu", ev.xmotion.time);
			putchar('\n');
			break;
		}
	}
	return (0);
}
