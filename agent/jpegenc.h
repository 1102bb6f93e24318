/*
 * jpegenc.h: JPEG encoding of RGB rows with libjpeg-turbo's TurboJPEG API
 * (Debian libturbojpeg0).  Lossy and several times smaller than PNG on
 * photos and video; the live view sends its tiles this way when a viewer
 * asks, and screenshots may later.
 */
#ifndef JPEGENC_H
#define JPEGENC_H

#include <stddef.h>
#include <stdint.h>

struct evbuffer;
struct jpegenc;

#define JPEGENC_QUALITY		75	/* default, 1..100 */
#define JPEGENC_MAX_SIDE	65535	/* the format's limit */

struct jpegenc	*jpegenc_new(void);
void		 jpegenc_free(struct jpegenc *);
/*
 * Append a baseline JPEG (4:2:0 chroma below quality 90, 4:4:4 from 90 so
 * coloured text stays sharp) of w x h RGB pixels, rows stride bytes apart,
 * to out.  -1 with cause on failure.
 */
int		 jpegenc_encode(struct jpegenc *, const uint8_t *rgb, int w,
		    int h, size_t stride, int quality, struct evbuffer *out,
		    char **cause);

#endif
