/*
 * prebind.h - bind, once in the supervisor, what a child's first thread
 * would otherwise bind lazily in each child (prebind.c).
 */
#ifndef SUPERVISOR_PREBIND_H
#define SUPERVISOR_PREBIND_H

/* Before the first fork. Logs and goes on if the thread cannot start:
 * the children then bind it themselves, as they would anyway. */
void prebind_threads(void);

#endif
