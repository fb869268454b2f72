/*
 * libFuzzer harness: the route requests of "catsctl bgp route" as the
 * control socket gets them (catsd runs bgp_route_parse on each line) and
 * as catsctl builds them from its words (bgp_route_request).  Input: a
 * JSON request, or, after a first octet 'w', words separated by spaces.
 * Whatever comes, a request is refused with a sentence or gives a route
 * whose NLRI encodes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "catsctl/bgp_route.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define MAX_WORDS	32

static void
check(json_t *req)
{
	struct bgp_route r;
	uint8_t key[128];
	char err[256];

	err[0] = '\0';		/* else the check below reads stale bytes */
	if (bgp_route_parse(req, &r, err, sizeof(err)) != 0) {
		if (err[0] == '\0')
			__builtin_trap();	/* refused without a reason */
		return;
	}
	if (bgp_mup_key(&r.key, key, sizeof(key)) == 0)
		__builtin_trap();		/* took a route it cannot send */
}

static void
words(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *argv[MAX_WORDS], *save = NULL, *w;
	char err[256];
	int argc = 0;
	json_t *req;

	if (text == NULL)
		return;
	memcpy(text, data, size);
	text[size] = '\0';
	for (w = strtok_r(text, " ", &save); w != NULL && argc < MAX_WORDS;
	    w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	err[0] = '\0';
	if (argc > 0 && (req = bgp_route_request(argc, argv, err,
	    sizeof(err))) != NULL) {
		check(req);
		json_decref(req);
	} else if (argc > 0 && err[0] == '\0') {
		__builtin_trap();		/* refused without a reason */
	}
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t je;
	json_t *req;

	if (size > 0 && data[0] == 'w') {
		words(data + 1, size - 1);
		return 0;
	}
	if ((req = json_loadb((const char *)data, size, 0, &je)) == NULL)
		return 0;
	check(req);
	json_decref(req);
	return 0;
}
