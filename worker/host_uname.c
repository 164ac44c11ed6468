/*
 * host_uname.c - node_uname_info{sysname,release,version,machine,
 * nodename,domainname} 1, from uname(): a system call, so nothing a
 * sandbox hides. (In a container its UTS namespace's nodename.)
 */
#define _GNU_SOURCE
#include <sys/utsname.h>

#include "host.h"

int host_uname_collect(struct host_ctx *ctx, void *state, struct host_out *o)
{
	(void)ctx;
	(void)state;
	struct utsname u;
	if (uname(&u) != 0)
		return -1;
	char labels[HOST_LABELS_SIZE];
	size_t at = host_label(labels, sizeof labels, 0, "domainname", u.domainname);
	at = host_label(labels, sizeof labels, at, "machine", u.machine);
	at = host_label(labels, sizeof labels, at, "nodename", u.nodename);
	at = host_label(labels, sizeof labels, at, "release", u.release);
	at = host_label(labels, sizeof labels, at, "sysname", u.sysname);
	host_label(labels, sizeof labels, at, "version", u.version);
	host_add_u64(o, HOST_UNAME_INFO, labels, 1);
	return 0;
}
