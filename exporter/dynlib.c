/*
 * dynlib.c - shared libraries opened at run time (see dynlib.h).
 */
#include "dynlib.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;

static int open_table(struct dynlib *lib)
{
	/* RTLD_NOW: a missing function is found here, not at its first call */
	void *h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *e = dlerror();
		snprintf(lib->why, sizeof lib->why, "cannot load %s (Debian package %s): %s", lib->soname, lib->package,
			 e ? e : "not found");
		return -1;
	}
	for (size_t i = 0; i < lib->count; i++) {
		(void)dlerror();
		void *f = dlsym(h, lib->names[i]);
		if (!f) {
			snprintf(lib->why, sizeof lib->why, "%s (Debian package %s) has no function %s", lib->soname,
				 lib->package, lib->names[i]);
			dlclose(h);
			return -1;
		}
		/* POSIX: a function's address fits in and converts from a void * */
		memcpy((char *)lib->table + i * sizeof f, &f, sizeof f);
	}
	return 1; /* the handle stays open for the process's life */
}

bool dynlib_load(struct dynlib *lib, char *err, size_t errlen)
{
	int state = __atomic_load_n(&lib->state, __ATOMIC_ACQUIRE);
	if (state == 0) {
		pthread_mutex_lock(&load_lock);
		state = lib->state;
		if (state == 0) {
			state = open_table(lib);
			__atomic_store_n(&lib->state, state, __ATOMIC_RELEASE);
		}
		pthread_mutex_unlock(&load_lock);
	}
	if (state < 0 && err && errlen)
		snprintf(err, errlen, "%s", lib->why);
	return state > 0;
}
