/*
 * proctitle.h - give a forked child its own name in ps and top.
 */
#ifndef SENSOR_COMMON_PROCTITLE_H
#define SENSOR_COMMON_PROCTITLE_H

/* Remember where argv lives; call once from main before anything else. */
void proctitle_init(int argc, char **argv);

/* Set comm (ps -e, top) and, as far as argv's space allows, the command
 * line (ps -ef). */
void proctitle_set(const char *title);

#endif
