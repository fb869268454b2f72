/*
 * catsctl: the cats command-line tool.  Commands are dispatched through a
 * table, one row per command, each with its own usage.
 */
#include <stdio.h>
#include <string.h>

#include "catsctl/ctl.h"
#include "catsctl/pkt.h"

struct command {
	const char	*name;
	int		(*fn)(int, char **);
	const char	*help;
};

static const struct command commands[] = {
	{ "pkt", pkt_main,
	  "decode and encode signaling messages offline (hex, JSON, pcap)" },
	{ "show", ctl_show_main,
	  "sessions, clients, instances, metrics, peers, routes, counters, "
	  "bgp [routes], mup of catsd" },
	{ "client", ctl_client_main,
	  "tell catsd a client attached, detached, is moving, asked, is done" },
	{ "metric", ctl_metric_main,
	  "set compute or network metrics in catsd's path selector" },
	{ "mup", ctl_mup_main,
	  "CATS-MUP: sessions (controller), instances and metrics (site PE)" },
	{ "bgp", ctl_bgp_main,
	  "BGP: MUP routes of our own (route add|del)" },
	{ "raw", ctl_raw_main,
	  "JSON requests from stdin to catsd, one a line; replies to stdout" },
};

#define NCOMMANDS	(sizeof(commands) / sizeof(commands[0]))

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: catsctl [-s SOCKET] [-j] COMMAND [ARGS...]\n\n"
	    "  -s SOCKET  catsd's control socket (default %s)\n"
	    "  -j         JSON output\n\ncommands:\n", CTL_DEFAULT_SOCKET);
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\n\"catsctl COMMAND --help\" describes a command.\n");
}

/* Global options come before the command (pkt has options of its own). */
static int
global_options(int argc, char **argv)
{
	int i = 1;

	while (i < argc && argv[i][0] == '-' && strcmp(argv[i], "--help") != 0 &&
	    strcmp(argv[i], "-h") != 0) {
		if (strcmp(argv[i], "-j") == 0) {
			ctl_set_json(1);
			i++;
		} else if (strcmp(argv[i], "-s") == 0 && i + 1 < argc) {
			ctl_set_socket(argv[i + 1]);
			i += 2;
		} else {
			return -1;
		}
	}
	return i;
}

int
main(int argc, char **argv)
{
	size_t i;
	int first = global_options(argc, argv);

	if (first < 0 || first >= argc) {
		usage(stderr);
		return PKT_EXIT_USAGE;
	}
	if (strcmp(argv[first], "--help") == 0 || strcmp(argv[first], "-h") == 0 ||
	    strcmp(argv[first], "help") == 0) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(argv[first], commands[i].name) == 0)
			return commands[i].fn(argc - first, argv + first);
	fprintf(stderr, "catsctl: unknown command \"%s\"\n", argv[first]);
	usage(stderr);
	return PKT_EXIT_USAGE;
}
