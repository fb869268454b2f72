/*
 * ctl: catsctl's live commands, over catsd's control socket:
 * "catsctl [-s SOCKET] [-j] show|client|metric ...".
 */
#ifndef CATSCTL_CTL_H
#define CATSCTL_CTL_H

#define CTL_DEFAULT_SOCKET	"/run/catsd.sock"

int	 ctl_show_main(int argc, char **argv);
int	 ctl_client_main(int argc, char **argv);
int	 ctl_metric_main(int argc, char **argv);
int	 ctl_mup_main(int argc, char **argv);
int	 ctl_bgp_main(int argc, char **argv);
int	 ctl_raw_main(int argc, char **argv);
/* Global options before the command: -s SOCKET, -j. */
void	 ctl_set_socket(const char *);
void	 ctl_set_json(int);

#endif
