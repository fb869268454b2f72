/*
 * ctl: catsctl's live commands, over catsd's control socket:
 * "catsctl [-s SOCKET] [-j] show|client|metric ...".
 */
#ifndef CATSCTL_CTL_H
#define CATSCTL_CTL_H

/* Without -s: the one socket in CTL_SOCKET_DIR, where catsd puts
 * NAME.sock unless its "control" says otherwise (docs/config.md). */
#define CTL_SOCKET_DIR		"/run/catsd"
#define CTL_DEFAULT_SOCKET	CTL_SOCKET_DIR "/NAME.sock"

int	 ctl_show_main(int argc, char **argv);
int	 ctl_client_main(int argc, char **argv);
int	 ctl_metric_main(int argc, char **argv);
int	 ctl_mup_main(int argc, char **argv);
int	 ctl_bgp_main(int argc, char **argv);
int	 ctl_raw_main(int argc, char **argv);
/* "catsctl complete": the words that may follow argv[0..argc-1] (argv[0]
 * the command), one a line on stdout, from the commands' own tables. */
void	 ctl_show_complete(int argc, char **argv);
void	 ctl_client_complete(int argc, char **argv);
void	 ctl_metric_complete(int argc, char **argv);
void	 ctl_mup_complete(int argc, char **argv);
void	 ctl_bgp_complete(int argc, char **argv);
/* Global options before the command: -s SOCKET, -j. */
void	 ctl_set_socket(const char *);
void	 ctl_set_json(int);

#endif
