/*
 * libFuzzer harness of the control socket's request parser (control.c
 * ctl_parse: the command table's choice of entry and its key tables), on a
 * catsd with only a default configuration: requests are parsed, never
 * run.  Any line is either a command with its arguments, or refused with
 * a sentence; overruns and leaks are ASan's to find.  Odd lengths parse
 * with an IPv4 MUP family, even ones with IPv6 (mup session's endpoint).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "catsd/control.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct catsd d;
	union ctl_arg a;
	char err[CONF_ERR_MAX];
	const struct ctl_cmd *c;
	static bool ready;

	if (!ready) {
		conf_default(&d.conf);
		d.conf.mup.nran = 2;
		ready = true;
	}
	d.conf.mup.afi = size % 2 ? BGP_AFI_IPV4 : BGP_AFI_IPV6;
	c = ctl_parse(&d, (const char *)data, size, &a, err, sizeof(err));
	if (c == NULL && err[0] == '\0')
		abort();	/* a refusal says why */
	if (c != NULL && c->name[0] == NULL)
		abort();
	return 0;
}
