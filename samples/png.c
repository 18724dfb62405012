/* png.so: a sample plugin wrapping libpng, a third-party parser with a long
 * CVE history. Runs inside a locked caisson worker; its request path makes no
 * system call but memory management (malloc), so the strict default groups
 * suffice. PNG in, binary PPM (P6) out; with the plugin argument thumb=N, a
 * PNG thumbnail whose longest side is N pixels, or with a request's argument
 * thumb (caisson_arg; profiles/png-thumb.ini declares it), that request's.
 * Prefix pngp_ (libpng owns png_). */
#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caisson_plugin.h"

#define PNGP_SIDE_MAX 16384u
#define PNGP_DECODED_MAX (256u << 20)
#define PNGP_THUMB_MAX 1024u

/* 0 answers a PPM; otherwise the longest side of the PNG thumbnail. */
static unsigned pngp_thumb;

/* Alpha is composited onto white for the PPM, which has no alpha channel. */
static const png_color pngp_white = { 255, 255, 255 };

/* A side of 1..PNGP_THUMB_MAX in decimal; 0 if num is not one. */
static unsigned pngp_side(const char *num)
{
	char *end;
	unsigned long n;

	/* strtoul would also take spaces, a sign or nothing at all. */
	if (*num < '0' || *num > '9')
		return 0;
	errno = 0;
	n = strtoul(num, &end, 10);
	return errno || *end || n < 1 || n > PNGP_THUMB_MAX ? 0 : (unsigned)n;
}

static int pngp_parse_arg(const char *arg)
{
	static const char key[] = "thumb=";

	if (strncmp(arg, key, sizeof(key) - 1) != 0)
		return -1;
	pngp_thumb = pngp_side(arg + sizeof(key) - 1);
	return pngp_thumb ? 0 : -1;
}

/* Runs before the run filter is sealed: stderr (the worker's log pipe) is
 * the only place to say why an argument was refused. The last thumb= wins. */
int caisson_plugin_init(const char *const *args)
{
	for (; args && *args; args++) {
		if (pngp_parse_arg(*args) < 0) {
			fprintf(stderr, "png: bad argument '%s' (expected thumb=1..%u)\n",
				*args, PNGP_THUMB_MAX);
			return 1;
		}
	}
	return 0;
}

/* libpng's own message, attributed so it reads apart from png.so's own. */
static void pngp_libpng_error(caisson_out *out, const png_image *img)
{
	char msg[16 + sizeof(img->message)];

	snprintf(msg, sizeof(msg), "libpng: %s", img->message);
	caisson_out_error(out, msg);
}

/* Checked in 64 bits before libpng's 32-bit size macros are used. */
static int pngp_check_size(const png_image *img, caisson_out *out)
{
	uint64_t bytes = (uint64_t)img->width * img->height * PNG_IMAGE_PIXEL_CHANNELS(img->format);
	char msg[64];

	if (img->width <= PNGP_SIDE_MAX && img->height <= PNGP_SIDE_MAX && bytes <= PNGP_DECODED_MAX)
		return 0;
	snprintf(msg, sizeof(msg), "image too large: %ux%u", img->width, img->height);
	caisson_out_error(out, msg);
	return -1;
}

static int pngp_write_ppm(const png_image *img, const uint8_t *rgb, caisson_out *out)
{
	char hdr[32];
	int n = snprintf(hdr, sizeof(hdr), "P6\n%u %u\n255\n", img->width, img->height);

	if (caisson_out_write(out, hdr, (size_t)n) < 0 ||
	    caisson_out_write(out, rgb, PNG_IMAGE_SIZE(*img)) < 0) {
		caisson_out_error(out, "output limit reached");
		return 1;
	}
	return 0;
}

/* Longest side becomes n, the other keeps the aspect ratio (at least 1). */
static void pngp_thumb_dims(const png_image *img, unsigned n, png_image *t)
{
	uint32_t w = img->width, h = img->height;

	t->width = w >= h ? n : (uint32_t)(((uint64_t)w * n + h / 2) / h);
	t->height = w >= h ? (uint32_t)(((uint64_t)h * n + w / 2) / w) : n;
	t->width += t->width == 0;
	t->height += t->height == 0;
}

/* One output pixel: the mean of the source box [x0,x1) x [y0,y1). Colour is
 * weighted by alpha so transparent pixels do not bleed their colour in. */
static void pngp_box_pixel(const png_image *img, const uint8_t *src, const uint32_t box[4],
			   uint8_t *dst)
{
	unsigned ch = PNG_IMAGE_PIXEL_CHANNELS(img->format);
	unsigned colors = ch - ((img->format & PNG_FORMAT_FLAG_ALPHA) != 0);
	uint64_t sum[4] = { 0 }, weight = 0, count = 0;

	for (uint32_t y = box[2]; y < box[3]; y++) {
		for (uint32_t x = box[0]; x < box[1]; x++) {
			const uint8_t *p = src + ((size_t)y * img->width + x) * ch;
			uint64_t w = colors < ch ? p[colors] : 1;

			for (unsigned c = 0; c < colors; c++)
				sum[c] += p[c] * w;
			if (colors < ch)
				sum[colors] += p[colors];
			weight += w;
			count++;
		}
	}
	for (unsigned c = 0; c < colors; c++)
		dst[c] = weight ? (uint8_t)((sum[c] + weight / 2) / weight) : 0;
	if (colors < ch)
		dst[colors] = (uint8_t)((sum[colors] + count / 2) / count);
}

/* Box filter; every output pixel covers at least one source pixel, so a
 * source smaller than the thumbnail is enlarged by pixel replication. */
static void pngp_box(const png_image *img, const uint8_t *src, const png_image *t, uint8_t *dst)
{
	unsigned ch = PNG_IMAGE_PIXEL_CHANNELS(img->format);
	uint32_t box[4];

	for (uint32_t ty = 0; ty < t->height; ty++) {
		box[2] = (uint32_t)((uint64_t)ty * img->height / t->height);
		box[3] = (uint32_t)((uint64_t)(ty + 1) * img->height / t->height);
		box[3] += box[3] == box[2];
		for (uint32_t tx = 0; tx < t->width; tx++) {
			box[0] = (uint32_t)((uint64_t)tx * img->width / t->width);
			box[1] = (uint32_t)((uint64_t)(tx + 1) * img->width / t->width);
			box[1] += box[1] == box[0];
			pngp_box_pixel(img, src, box, dst + ((size_t)ty * t->width + tx) * ch);
		}
	}
}

static int pngp_write_thumb(const png_image *img, const uint8_t *src, unsigned side, caisson_out *out)
{
	png_image t;
	png_alloc_size_t size;
	uint8_t *pixels = NULL, *png = NULL;
	int rc = 1;

	memset(&t, 0, sizeof(t));
	t.version = PNG_IMAGE_VERSION;
	t.format = img->format;
	pngp_thumb_dims(img, side, &t);
	size = PNG_IMAGE_PNG_SIZE_MAX(t);
	pixels = malloc(PNG_IMAGE_SIZE(t));
	png = malloc(size);
	if (!pixels || !png) {
		caisson_out_error(out, "out of memory");
		goto out;
	}
	pngp_box(img, src, &t, pixels);
	if (!png_image_write_to_memory(&t, png, &size, 0, pixels, 0, NULL)) {
		pngp_libpng_error(out, &t);
		goto out;
	}
	if (caisson_out_write(out, png, size) < 0) {
		caisson_out_error(out, "output limit reached");
		goto out;
	}
	rc = 0;
out:
	free(png);
	free(pixels);
	return rc;
}

int caisson_plugin_handle(const uint8_t *in, size_t len, caisson_out *out)
{
	png_image img;
	uint8_t *pixels = NULL;
	const char *arg = caisson_arg("thumb");
	unsigned thumb = arg ? pngp_side(arg) : pngp_thumb;
	int rc = 1;

	/* The supervisor checked it against the profile's [args]; a profile
	 * may still declare a wider range than this plugin takes. */
	if (arg && !thumb) {
		caisson_out_error(out, "argument thumb: expected 1..1024");
		return 1;
	}
	memset(&img, 0, sizeof(img));
	img.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_memory(&img, in, len)) {
		pngp_libpng_error(out, &img);
		goto out;
	}
	/* Thumbnails keep the source's channels (gray, alpha) at 8 bits. */
	img.format = thumb ? img.format & (PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA)
				: PNG_FORMAT_RGB;
	if (pngp_check_size(&img, out) < 0)
		goto out;
	pixels = malloc(PNG_IMAGE_SIZE(img));
	if (!pixels) {
		caisson_out_error(out, "out of memory");
		goto out;
	}
	if (!png_image_finish_read(&img, &pngp_white, pixels, 0, NULL)) {
		pngp_libpng_error(out, &img);
		goto out;
	}
	rc = thumb ? pngp_write_thumb(&img, pixels, thumb, out) : pngp_write_ppm(&img, pixels, out);
out:
	png_image_free(&img);
	free(pixels);
	return rc;
}
