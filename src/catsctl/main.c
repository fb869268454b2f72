/*
 * catsctl: the cats command-line tool.  Commands are dispatched through a
 * table, one row per command, each with its own usage.  The hidden
 * "catsctl complete WORD..." prints the words that may come next, from
 * the same tables, for the bash completion (dist/bash-completion/catsctl).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catsctl/ctl.h"
#include "catsctl/pkt.h"

struct command {
	const char	*name;
	int		(*fn)(int, char **);
	/* the words after argv[0..argc-1], or NULL: none to offer */
	void		(*complete)(int, char **);
	const char	*help;
};

static void	pkt_complete(int, char **);

static const struct command commands[] = {
	{ "pkt", pkt_main, pkt_complete,
	  "decode and encode signaling messages offline (hex, JSON, pcap)" },
	{ "show", ctl_show_main, ctl_show_complete,
	  "sessions, clients, instances, metrics, peers, routes, counters, "
	  "bgp [routes], mup of catsd" },
	{ "client", ctl_client_main, ctl_client_complete,
	  "tell catsd a client attached, detached, is moving, asked, is done" },
	{ "metric", ctl_metric_main, ctl_metric_complete,
	  "set compute or network metrics in catsd's path selector" },
	{ "mup", ctl_mup_main, ctl_mup_complete,
	  "CATS-MUP: sessions (controller), instances and metrics (site PE)" },
	{ "bgp", ctl_bgp_main, ctl_bgp_complete,
	  "BGP: MUP routes of our own (route add|del)" },
	{ "raw", ctl_raw_main, NULL,
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

/*
 * pkt's subcommands are pkt.c's table, which only its usage shows: that
 * usage is read back ("usage: catsctl pkt NAME ..." lines), so the words
 * offered are the table's.  glibc's stderr is a variable (the GNU C
 * Library manual, "Standard Streams"), so it can point at a memory stream
 * meanwhile.
 */
static void
pkt_complete(int argc, char **argv)
{
	FILE *saved = stderr, *m;
	char *buf = NULL, *line, *last;
	char word[32];
	size_t len = 0;

	(void)argv;
	if (argc != 1 || (m = open_memstream(&buf, &len)) == NULL)
		return;
	stderr = m;
	pkt_usage(NULL);
	stderr = saved;
	fclose(m);
	for (line = strtok_r(buf, "\n", &last); line != NULL;
	    line = strtok_r(NULL, "\n", &last))
		if (sscanf(line, "usage: catsctl pkt %31s", word) == 1)
			printf("%s\n", word);
	free(buf);
}

/* "catsctl complete [WORD...]": the words after "catsctl WORD..." (the
 * global options left out), one a line; nothing when there is no list. */
static int
complete_main(int argc, char **argv)
{
	size_t i;

	if (argc == 1) {
		for (i = 0; i < NCOMMANDS; i++)
			printf("%s\n", commands[i].name);
		return 0;
	}
	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(argv[1], commands[i].name) == 0 &&
		    commands[i].complete != NULL)
			commands[i].complete(argc - 1, argv + 1);
	return 0;
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
	if (strcmp(argv[first], "complete") == 0)
		return complete_main(argc - first, argv + first);
	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(argv[first], commands[i].name) == 0)
			return commands[i].fn(argc - first, argv + first);
	fprintf(stderr, "catsctl: unknown command \"%s\"\n", argv[first]);
	usage(stderr);
	return PKT_EXIT_USAGE;
}
