/*
 * hex: parse and print byte strings as hex.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catsctl/hex.h"

static int
hex_digit(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Offset of the first digit: past leading space and one "0x". */
static size_t
hex_start(const char *s)
{
	size_t i = 0;

	while (isspace((unsigned char)s[i]))
		i++;
	if (s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X'))
		i += 2;
	return i;
}

int
hex_parse(const char *s, uint8_t **out, size_t *outlen, char *err,
    size_t errlen)
{
	size_t i, n = 0, len = strlen(s);
	uint8_t *buf;
	int d, hi = -1;

	*out = NULL;
	*outlen = 0;
	if ((buf = malloc(len / 2 + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = hex_start(s); i < len; i++) {
		if (isspace((unsigned char)s[i]))
			continue;
		if ((d = hex_digit((unsigned char)s[i])) < 0) {
			snprintf(err, errlen, "hex: character %zu: not a hex "
			    "digit (0x%02x)", i, (unsigned char)s[i]);
			free(buf);
			return -1;
		}
		if (hi < 0) {
			hi = d;
			continue;
		}
		buf[n++] = (uint8_t)(hi << 4 | d);
		hi = -1;
	}
	if (hi >= 0) {
		snprintf(err, errlen, "hex: odd number of digits");
		free(buf);
		return -1;
	}
	*out = buf;
	*outlen = n;
	return 0;
}

static char *
hex_format(const uint8_t *p, size_t len, const char *sep)
{
	static const char digits[] = "0123456789abcdef";
	size_t i, seplen = strlen(sep), step = 2 + seplen;
	char *s, *q;

	if ((s = malloc(len * step + 1)) == NULL)
		return NULL;
	q = s;
	for (i = 0; i < len; i++) {
		if (i > 0) {
			memcpy(q, sep, seplen);
			q += seplen;
		}
		*q++ = digits[p[i] >> 4];
		*q++ = digits[p[i] & 0xf];
	}
	*q = '\0';
	return s;
}

char *
hex_string(const uint8_t *p, size_t len)
{
	return hex_format(p, len, "");
}

char *
hex_colon_string(const uint8_t *p, size_t len)
{
	return hex_format(p, len, ":");
}

int
hex_colon_parse(const char *s, uint8_t *out, size_t cap, size_t *len)
{
	size_t n = 0;
	int hi, lo;

	*len = 0;
	for (;;) {
		if ((hi = hex_digit((unsigned char)s[0])) < 0 ||
		    (lo = hex_digit((unsigned char)s[1])) < 0 || n >= cap)
			return -1;
		out[n++] = (uint8_t)(hi << 4 | lo);
		s += 2;
		if (*s == '\0')
			break;
		if (*s++ != ':')
			return -1;
	}
	*len = n;
	return 0;
}
