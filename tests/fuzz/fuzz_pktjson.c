/*
 * libFuzzer harness of catsctl's JSON reader (what `catsctl pkt encode`
 * takes from a user): any text either becomes a message that encodes,
 * decodes and prints again, or is refused with a reason naming the key.
 */
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "cats/mh.h"
#include "catsctl/pktjson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pj_msg pm;
	uint8_t out[MH_MAX_LEN];
	struct mh_msg d;
	struct mh_error e;
	char err[256];
	json_t *j, *back;
	size_t len;

	j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (j == NULL)
		return 0;
	err[0] = '\0';
	if (pj_to_msg(j, &pm, err, sizeof(err)) != 0) {
		if (err[0] == '\0')
			abort();	/* a refusal must say why */
		json_decref(j);
		return 0;
	}
	/* What the reader takes must encode: `catsctl pkt encode` would
	 * otherwise accept a message it cannot send. */
	if (mh_encode(&pm.m, NULL, out, sizeof(out), &len, &e) != MH_OK)
		abort();
	if (mh_decode(out, len, NULL, &d, &e) != MH_OK)
		abort();	/* what we write, we must read */
	back = pj_from_msg(&d, NULL, NULL);
	json_decref(back);
	json_decref(j);
	return 0;
}
