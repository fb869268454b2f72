/*
 * Tests of the control socket's request parser (src/catsd/control.c
 * ctl_parse: the command table and its key tables): good requests parse
 * into the arguments expected; named bad ones are refused with their
 * exact sentence.  Nothing runs: the catsd has only a configuration.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "catsd/control.h"

static struct catsd d;

/* JSON in C strings with ' for ". */
static const struct ctl_cmd *
parse(const char *text, union ctl_arg *a, char *err, size_t len)
{
	char line[1024];
	size_t i;

	for (i = 0; text[i] != '\0' && i < sizeof(line) - 1; i++)
		line[i] = text[i] == '\'' ? '"' : text[i];
	line[i] = '\0';
	return ctl_parse(&d, line, i, a, err, len);
}

static bool
same(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

static const struct ctl_cmd *
good(const char *text, union ctl_arg *a, const char *cmd, const char *what,
    const char *action)
{
	char err[CONF_ERR_MAX];
	const struct ctl_cmd *c = parse(text, a, err, sizeof(err));

	if (c == NULL)
		fail_msg("%s: %s", text, err);
	assert_string_equal(c->name[0], cmd);
	assert_true(same(c->name[1], what) && same(c->name[2], action));
	return c;
}

static int
setup(void **state)
{
	(void)state;
	conf_default(&d.conf);
	d.conf.mup.nran = 2;	/* mup session's "ran": 0 or 1 */
	return 0;
}

static void
test_good(void **state)
{
	union ctl_arg a;
	const struct ctl_cmd *c;

	(void)state;
	c = good("{'cmd':'show','what':'sessions'}", &a, "show", "sessions",
	    NULL);
	assert_null(c->fn);
	assert_null(c->show);			/* streamed */
	assert_non_null(good("{'cmd':'show','what':'counters'}", &a, "show",
	    "counters", NULL)->show);

	c = good("{'cmd':'client','action':'attach','client':'2001:db8::10',"
	    "'lladdr':'02:00:5e:10:00:01'}", &a, "client", NULL, "attach");
	assert_int_equal(c->op, EV_ATTACH);
	assert_int_equal(a.client.ev.client[15], 0x10);
	assert_int_equal(a.client.ev.lladdr_len, 6);
	assert_int_equal(a.client.ev.lladdr[5], 1);
	good("{'cmd':'client','action':'done','client':'2001:db8::10',"
	    "'service':'v'}", &a, "client", NULL, "done");
	assert_string_equal(a.client.service, "v");

	good("{'cmd':'metric','instance':3,'util':0.5,'capacity':800}", &a,
	    "metric", NULL, NULL);
	assert_int_equal(a.metric.instance, 3);
	assert_int_equal(a.metric.ingress, -1);	/* not given */
	assert_int_equal(a.metric.m.n, 2);
	assert_int_equal(a.metric.m.s[0].id, CATS_M_UTIL);
	assert_true(a.metric.m.s[0].value == 0.5);
	assert_int_equal(a.metric.m.s[1].id, CATS_M_CAPACITY);
	good("{'cmd':'metric','ingress':0,'egress':1,'owd_ns':5000000}", &a,
	    "metric", NULL, NULL);
	assert_int_equal(a.metric.egress, 1);
	assert_int_equal(a.metric.m.s[0].id, CATS_M_OWD);

	c = good("{'cmd':'mup','what':'session','action':'up','teid':7,"
	    "'endpoint':'fd00::1','cs_id':9,'ran':1,'sticky':true}", &a, "mup",
	    "session", "up");
	assert_int_equal(c->op, CTL_UP);
	assert_int_equal(a.session.teid, 7);
	assert_int_equal(a.session.cs_id, 9);
	assert_int_equal(a.session.ran_index, 1);
	assert_true(a.session.sticky);
	assert_int_equal(a.session.ep[15], 1);
	good("{'cmd':'mup','what':'instance','action':'add','cis_id':1,"
	    "'cs_id':2,'sid':'fc00::1'}", &a, "mup", "instance", "add");
	assert_int_equal(a.instance.behavior, 0x12);	/* the defaults */
	assert_int_equal(a.instance.servers, 1);
	assert_true(a.instance.capacity == 1000);
	good("{'cmd':'mup','what':'metric','cis_id':4,'queue':3}", &a, "mup",
	    "metric", NULL);
	assert_int_equal(a.mup_metric.cis_id, 4);
	assert_int_equal(a.mup_metric.m.s[0].id, CATS_M_QUEUE);

	good("{'cmd':'bgp','what':'route','action':'add','family':'ipv6-mup',"
	    "'type':'t2st','rd':'65000:1','endpoint':'2001:db8::1','teid':5}",
	    &a, "bgp", "route", NULL);
	assert_true(a.route.add);
	assert_int_equal(a.route.key.teid, 5);
	good("{'cmd':'bgp','what':'neighbor','action':'start','name':'rr'}",
	    &a, "bgp", "neighbor", "start");
	assert_string_equal(a.neighbor, "rr");
}

static const struct {
	const char	*name;
	const char	*req;
	const char	*err;
} bad[] = {
	{ "not JSON", "{'cmd':", "not JSON: " },
	{ "no cmd", "{'what':'peers'}", "key \"cmd\": expected one of: show, "
	  "client, metric, mup, bgp; got nothing" },
	{ "unknown cmd", "{'cmd':'frob'}", "key \"cmd\": expected one of: "
	  "show, client, metric, mup, bgp; got \"frob\"" },
	{ "show what", "{'cmd':'show','what':'frob'}", "show: key \"what\": "
	  "expected one of: sessions, clients, instances, metrics, peers, "
	  "routes, counters, dataplane, bgp, bgp-routes, mup; got \"frob\"" },
	{ "show key", "{'cmd':'show','what':'peers','x':1}",
	  "show peers: key \"x\": unknown key; expected none" },
	{ "client action", "{'cmd':'client','action':1}", "client: key "
	  "\"action\": expected one of: attach, detach, move, request, done; "
	  "got not a string" },
	{ "client address", "{'cmd':'client','action':'move','client':'x'}",
	  "client move: key \"client\": expected an IPv6 address, got \"x\"" },
	{ "client lladdr", "{'cmd':'client','action':'attach','client':'::1',"
	  "'lladdr':'zz'}", "client attach: key \"lladdr\": expected 6 or 8 "
	  "hex octets separated by ':', got \"zz\"" },
	{ "metric range", "{'cmd':'metric','instance':1,'util':2}", "metric: "
	  "key \"util\": expected a number from 0 to 1, got 2" },
	{ "metric unknown", "{'cmd':'metric','colour':1}", "metric: key "
	  "\"colour\": unknown key; expected one of: instance, ingress, "
	  "egress, util, capacity, proc_delay_ns, owd_ns, delay_var_ns, "
	  "loss_ppb, bandwidth" },
	{ "session teid", "{'cmd':'mup','what':'session','action':'down',"
	  "'teid':0}", "mup session down: key \"teid\": expected an integer "
	  "from 1 to 4294967295, got 0" },
	{ "session down key", "{'cmd':'mup','what':'session','action':'down',"
	  "'teid':1,'ran':0}", "mup session down: key \"ran\": unknown key; "
	  "expected one of: teid" },
	{ "session ran", "{'cmd':'mup','what':'session','action':'up','teid':1,"
	  "'endpoint':'fd00::1','cs_id':1,'ran':2}", "mup session up: key "
	  "\"ran\": expected an integer from 0 to 1, got 2" },
	{ "session endpoint", "{'cmd':'mup','what':'session','action':'up',"
	  "'teid':1,'endpoint':'10.0.0.1','cs_id':1,'ran':0}", "mup session "
	  "up: key \"endpoint\": expected an IPv6 address (the family of "
	  "mup.address), got \"10.0.0.1\"" },
	{ "session missing", "{'cmd':'mup','what':'session','action':'up',"
	  "'teid':1}", "mup session up: key \"endpoint\": expected an IPv6 "
	  "address (the family of mup.address), got nothing" },
	{ "mup what", "{'cmd':'mup'}", "mup: key \"what\": expected one of: "
	  "session, instance, metric; got nothing" },
	{ "mup metric action", "{'cmd':'mup','what':'metric','action':'x',"
	  "'cis_id':1}", "mup metric: key \"action\": unknown key; expected "
	  "one of: cis_id, util, capacity, queue, proc_delay_ns" },
	{ "mup metric range", "{'cmd':'mup','what':'metric','cis_id':1,"
	  "'capacity':1e12}", "mup metric: key \"capacity\": expected a number "
	  "from 0 to 1e+09, got 1000000000000.0" },
	{ "instance sid", "{'cmd':'mup','what':'instance','action':'add',"
	  "'cis_id':1,'cs_id':1,'sid':'::'}", "mup instance add: key \"sid\": "
	  "expected an IPv6 address other than ::, got \"::\"" },
	{ "route", "{'cmd':'bgp','what':'route','action':'add','family':"
	  "'ipv4-unicast','type':'dsd'}", "bgp route: " },
	{ "neighbor action", "{'cmd':'bgp','what':'neighbor','action':'stop',"
	  "'name':'rr'}", "bgp neighbor: key \"action\": expected one of: "
	  "start; got \"stop\"" },
	{ "neighbor name", "{'cmd':'bgp','what':'neighbor','action':'start'}",
	  "bgp neighbor start: key \"name\": expected a name of 1 to 31 "
	  "characters (letters, digits, '.', '_', '-'), got nothing" },
};

static void
test_bad(void **state)
{
	char err[CONF_ERR_MAX];
	union ctl_arg a;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i].req, &a, err, sizeof(err)) != NULL)
			fail_msg("%s: parsed", bad[i].name);
		if (strncmp(err, bad[i].err, strlen(bad[i].err)) != 0 ||
		    (strlen(err) != strlen(bad[i].err) &&
		    strcmp(bad[i].err + strlen(bad[i].err) - 2, ": ") != 0))
			fail_msg("%s: got\n%s\nexpected\n%s", bad[i].name, err,
			    bad[i].err);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
