/*
 * catsctl: the cats command-line tool.  Commands are dispatched through a
 * table, one row per command, each with its own usage.
 */
#include <stdio.h>
#include <string.h>

#include "catsctl/pkt.h"

struct command {
	const char	*name;
	int		(*fn)(int, char **);
	const char	*help;
};

static const struct command commands[] = {
	{ "pkt", pkt_main,
	  "decode and encode signaling messages offline (hex, JSON, pcap)" },
};

#define NCOMMANDS	(sizeof(commands) / sizeof(commands[0]))

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: catsctl COMMAND [ARGS...]\n\ncommands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\n\"catsctl COMMAND --help\" describes a command.\n");
}

int
main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return PKT_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "catsctl: unknown command \"%s\"\n", argv[1]);
	usage(stderr);
	return PKT_EXIT_USAGE;
}
