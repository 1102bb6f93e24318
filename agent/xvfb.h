/*
 * xvfb.h: the embedded X server for machines with no display.  Xvfb picks
 * a free display itself (-displayfd) and is stopped when deskd exits.
 */
#ifndef XVFB_H
#define XVFB_H

struct event_base;

int	 xvfb_start(struct event_base *, int w, int h, char **display,
	    char **cause);
void	 xvfb_stop(void);

#endif
