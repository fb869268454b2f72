/*
 * scale_main.h: cats-sim's "world" command (scale_main.c).
 */
#ifndef CATS_SIM_SCALE_MAIN_H
#define CATS_SIM_SCALE_MAIN_H

/* argv after "world"; returns the exit status. */
int	 scale_main(int argc, char **argv);

#endif
