/*
 * dynlib.h - a shared library opened at run time (dlopen) and the
 * functions taken from it into a table of pointers.
 *
 * The exporter's optional libraries (TLS, YAML, zlib, bcrypt) are loaded
 * this way so that the binary does not name them: the supervisor and the
 * worker, forks of the same binary, never map them, and the exporter maps
 * each only once something asks for it.
 */
#ifndef SENSOR_EXPORTER_DYNLIB_H
#define SENSOR_EXPORTER_DYNLIB_H

#include <stdbool.h>
#include <stddef.h>

struct dynlib {
	const char *soname;       /* what dlopen is given: "libz.so.1" */
	const char *package;      /* the Debian package that ships it, for the error */
	const char *const *names; /* the functions, in the order of `table`'s members */
	void *table;              /* a struct of `count` function pointers, filled in order */
	size_t count;
	int state;     /* 0 not tried, 1 loaded, -1 failed (not retried) */
	char why[192]; /* the failure, kept for every later caller */
};

/*
 * Open the library and fill its table, once (thread-safe; later calls
 * return the first call's result at the cost of an atomic load). false,
 * with a one-line reason naming the library and its package in err, when
 * the library or one of its functions cannot be found.
 */
bool dynlib_load(struct dynlib *lib, char *err, size_t errlen);

#endif
