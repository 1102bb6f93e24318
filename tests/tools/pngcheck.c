/*
 * pngcheck: decode a PNG with libpng (independently of deskd's encoder)
 * and answer questions about it.
 *   pngcheck FILE                 "W H"
 *   pngcheck FILE X Y             "RRGGBB" of that pixel
 *   pngcheck FILE find RRGGBB     "N X0 Y0 X1 Y1": pixels of that colour
 *                                 and their bounding box (X1, Y1 exclusive)
 *   pngcheck FILE diff FILE2      "N X0 Y0 X1 Y1": differing pixels and
 *                                 their bounding box; FILE2 may be a
 *                                 binary PPM (xclient dump)
 *   pngcheck FILE diff FILE2 X Y  the same against FILE2's area at X,Y
 *                                 of FILE's size (a region screenshot)
 * Exit 1 when the file does not decode.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

/* Count of matching pixels and their bounding box (bx1, by1 exclusive). */
static unsigned long	 n;
static unsigned		 bx0 = ~0U, by0 = ~0U, bx1, by1;

static void
bbox_add(unsigned x, unsigned y)
{
	n++;
	if (x < bx0)
		bx0 = x;
	if (y < by0)
		by0 = y;
	if (x + 1 > bx1)
		bx1 = x + 1;
	if (y + 1 > by1)
		by1 = y + 1;
}

static void
bbox_print(void)
{
	if (n == 0)
		printf("0 0 0 0 0\n");
	else
		printf("%lu %u %u %u %u\n", n, bx0, by0, bx1, by1);
}

/* A binary PPM (P6, maxval 255) as RGB, or NULL when it is not one. */
static unsigned char *
load_ppm(const char *path, png_image *img)
{
	unsigned char	*buf;
	unsigned	 w, h, maxval;
	FILE		*f;

	if ((f = fopen(path, "rb")) == NULL)
		return (NULL);
	if (fscanf(f, "P6 %u %u %u", &w, &h, &maxval) != 3 ||
	    maxval != 255 || fgetc(f) == EOF || w == 0 || h == 0) {
		fclose(f);
		return (NULL);
	}
	memset(img, 0, sizeof *img);
	img->width = w;
	img->height = h;
	buf = malloc((size_t)w * h * 3);
	if (buf == NULL || fread(buf, 3, (size_t)w * h, f) != (size_t)w * h) {
		fprintf(stderr, "pngcheck: %s: short PPM\n", path);
		exit(1);
	}
	fclose(f);
	return (buf);
}

static unsigned char *
load(const char *path, png_image *img)
{
	unsigned char	*buf;

	if ((buf = load_ppm(path, img)) != NULL)
		return (buf);
	memset(img, 0, sizeof *img);
	img->version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_file(img, path)) {
		fprintf(stderr, "pngcheck: %s: %s\n", path, img->message);
		exit(1);
	}
	img->format = PNG_FORMAT_RGB;
	buf = malloc(PNG_IMAGE_SIZE(*img));
	if (buf == NULL || !png_image_finish_read(img, NULL, buf, 0, NULL)) {
		fprintf(stderr, "pngcheck: %s: %s\n", path, img->message);
		exit(1);
	}
	return (buf);
}

int
main(int argc, char **argv)
{
	png_image	 img, img2;
	unsigned char	*p, *q, *px;
	unsigned long	 want;
	unsigned	 x, y;

	if (argc < 2) {
		fprintf(stderr, "usage: pngcheck FILE [X Y | find RRGGBB | "
		    "diff FILE2]\n");
		return (2);
	}
	p = load(argv[1], &img);
	if (argc == 2) {
		printf("%u %u\n", img.width, img.height);
		return (0);
	}
	if (argc == 4 && strcmp(argv[2], "find") == 0) {
		want = strtoul(argv[3], NULL, 16);
		for (y = 0; y < img.height; y++) {
			for (x = 0; x < img.width; x++) {
				px = p + ((size_t)y * img.width + x) * 3;
				if (((unsigned long)px[0] << 16 |
				    px[1] << 8 | px[2]) != want)
					continue;
				bbox_add(x, y);
			}
		}
		bbox_print();
		return (0);
	}
	if ((argc == 4 || argc == 6) && strcmp(argv[2], "diff") == 0) {
		unsigned	 ox = 0, oy = 0;

		q = load(argv[3], &img2);
		if (argc == 6) {
			ox = strtoul(argv[4], NULL, 10);
			oy = strtoul(argv[5], NULL, 10);
		}
		if ((argc == 4 && (img.width != img2.width ||
		    img.height != img2.height)) || ox + img.width > img2.width ||
		    oy + img.height > img2.height) {
			printf("size\n");
			return (0);
		}
		for (y = 0; y < img.height; y++) {
			for (x = 0; x < img.width; x++) {
				size_t	 o = ((size_t)y * img.width + x) * 3;
				size_t	 o2 = ((size_t)(y + oy) * img2.width +
				    x + ox) * 3;

				if (memcmp(p + o, q + o2, 3) == 0)
					continue;
				bbox_add(x, y);
			}
		}
		bbox_print();
		return (0);
	}
	if (argc == 4) {
		x = atoi(argv[2]);
		y = atoi(argv[3]);
		if (x >= img.width || y >= img.height) {
			fprintf(stderr, "pngcheck: pixel outside image\n");
			return (1);
		}
		px = p + ((size_t)y * img.width + x) * 3;
		printf("%02x%02x%02x\n", px[0], px[1], px[2]);
		return (0);
	}
	fprintf(stderr, "pngcheck: bad arguments\n");
	return (2);
}
