/*
 * hex: the textual forms of byte strings catsctl reads and prints.
 */
#ifndef CATSCTL_HEX_H
#define CATSCTL_HEX_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parse hex digits into a new buffer (*out, freed by the caller).  Whitespace
 * anywhere and one leading "0x" are tolerated.  On error returns -1 and a
 * reason naming the character offset in err.
 */
int	 hex_parse(const char *s, uint8_t **out, size_t *outlen,
	    char *err, size_t errlen);

/* Lower-case hex of p into a new NUL-terminated string; NULL on ENOMEM. */
char	*hex_string(const uint8_t *p, size_t len);

/* "aa:bb:cc" form of link-layer identifiers; NULL on ENOMEM. */
char	*hex_colon_string(const uint8_t *p, size_t len);

/* Parse "aa:bb:cc" into out (cap octets); -1 on a bad form or overflow. */
int	 hex_colon_parse(const char *s, uint8_t *out, size_t cap, size_t *len);

#endif /* CATSCTL_HEX_H */
