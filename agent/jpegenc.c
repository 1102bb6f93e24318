/*
 * jpegenc.c: JPEG through TurboJPEG.  One compressor handle per encoder,
 * reused; the output buffer TurboJPEG grows is kept between frames, so a
 * steady stream allocates nothing.  TJFLAG_FASTDCT: the integer DCT is
 * faster with a loss not visible at the qualities a live view uses
 * (libjpeg-turbo's usage.txt, "-dct fast").
 */
#include <sys/types.h>

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <turbojpeg.h>

#include "jpegenc.h"
#include "xmalloc.h"

struct jpegenc {
	tjhandle	 tj;
	unsigned char	*buf;		/* TurboJPEG's, tjFree'd */
	unsigned long	 cap;
};

struct jpegenc *
jpegenc_new(void)
{
	struct jpegenc	*je;

	je = xcalloc(1, sizeof *je);
	return (je);
}

void
jpegenc_free(struct jpegenc *je)
{
	if (je == NULL)
		return;
	if (je->tj != NULL)
		tjDestroy(je->tj);
	if (je->buf != NULL)
		tjFree(je->buf);
	free(je);
}

int
jpegenc_encode(struct jpegenc *je, const uint8_t *rgb, int w, int h,
    size_t stride, int quality, struct evbuffer *out, char **cause)
{
	unsigned long	 len;
	int		 samp;

	if (w < 1 || h < 1 || w > JPEGENC_MAX_SIDE || h > JPEGENC_MAX_SIDE) {
		xasprintf(cause, "jpeg: %dx%d is not a JPEG size", w, h);
		return (-1);
	}
	if (quality < 1 || quality > 100)
		quality = JPEGENC_QUALITY;
	if (je->tj == NULL && (je->tj = tjInitCompress()) == NULL) {
		xasprintf(cause, "jpeg: %s", tjGetErrorStr());
		return (-1);
	}
	samp = quality >= 90 ? TJSAMP_444 : TJSAMP_420;
	/* Size the buffer for the worst case: TurboJPEG never reallocates. */
	len = tjBufSize(w, h, samp);
	if (je->buf == NULL || je->cap < len) {
		if (je->buf != NULL)
			tjFree(je->buf);
		if ((je->buf = tjAlloc(len)) == NULL) {
			je->cap = 0;
			xasprintf(cause, "jpeg: out of memory for %lu bytes",
			    len);
			return (-1);
		}
		je->cap = len;
	}
	len = je->cap;
	if (tjCompress2(je->tj, rgb, w, (int)stride, h, TJPF_RGB, &je->buf,
	    &len, samp, quality, TJFLAG_FASTDCT | TJFLAG_NOREALLOC) != 0) {
		xasprintf(cause, "jpeg: %s", tjGetErrorStr2(je->tj));
		return (-1);
	}
	evbuffer_add(out, je->buf, len);
	return (0);
}
