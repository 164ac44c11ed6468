/*
 * prebind.c - the C library binds its call into the dynamic linker that
 * sets up a new thread's thread-local storage lazily, at a process's
 * first pthread_create. That first binding searches the symbol tables of
 * every loaded library (the program, libevent, glib, libm, libc, ...),
 * and the pages of those tables, with the neighbours the kernel maps
 * alongside each, become resident in the process doing it: about 300 kB
 * of the worker's memory, after each restart again. The supervisor has
 * those tables resident already (it relocated the program at start), so
 * it creates and joins one idle thread before its first fork: the bound
 * entry is in the C library's writable data, which every child inherits.
 */
#include "prebind.h"

#include <limits.h>
#include <pthread.h>
#include <string.h>

#include "../common/log.h"

static void *idle(void *arg)
{
	return arg;
}

void prebind_threads(void)
{
	pthread_attr_t a;
	pthread_t t;
	int rc = pthread_attr_init(&a);
	if (rc == 0) {
		/* the smallest stack: the thread only returns */
		pthread_attr_setstacksize(&a, PTHREAD_STACK_MIN);
		rc = pthread_create(&t, &a, idle, NULL);
		pthread_attr_destroy(&a);
	}
	if (rc != 0) {
		log_warn("cannot start a thread to bind thread creation before the children start: %s", strerror(rc));
		return;
	}
	pthread_join(t, NULL);
}
