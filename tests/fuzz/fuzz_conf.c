/*
 * libFuzzer harness of catsd's configuration parser: any bytes either are
 * refused with an error line, or parse into a configuration whose printed
 * form parses again to the same configuration and the same text.  Leaks
 * and overruns are ASan's to find.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cats/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *
print_mem(const struct conf *c, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (f == NULL)
		abort();
	if (conf_print(c, f) != 0)
		abort();	/* what parsed must print */
	if (fclose(f) != 0)
		abort();
	return buf;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct conf c, c2;
	char err[CONF_ERR_MAX];
	char *t1, *t2;
	size_t l1, l2;

	err[0] = '\0';
	if (conf_parse((const char *)data, size, "f.json", &c, err,
	    sizeof(err)) != 0) {
		if (strncmp(err, "f.json", 6) != 0)
			abort();	/* a refusal names the file and why */
		return 0;
	}
	t1 = print_mem(&c, &l1);
	if (conf_parse(t1, l1, "f.json", &c2, err, sizeof(err)) != 0)
		abort();	/* the canonical form must parse */
	if (memcmp(&c, &c2, sizeof(c)) != 0)
		abort();	/* ... to the same configuration */
	t2 = print_mem(&c2, &l2);
	if (l1 != l2 || memcmp(t1, t2, l1) != 0)
		abort();	/* ... and print the same */
	free(t1);
	free(t2);
	return 0;
}
