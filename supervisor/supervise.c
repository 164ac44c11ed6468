/*
 * supervise.c - the supervisor's event loop.
 *
 * Like nginx's master and s6-supervise, the supervisor does nothing but
 * manage its children. Signals arrive through a signalfd, so no logic runs
 * in a handler; one poll() loop handles child deaths, stop requests and
 * ticks that wake exactly when something is due: a heartbeat deadline, a
 * backoff that expires (the child is started), systemd's watchdog, and
 * the resident memory read every rss-interval-ms.
 *
 * Child states: STOPPED -> RUNNING -> (death) -> BACKOFF -> RUNNING ...
 * A death within BACKOFF_STABLE_MS of the start counts as a quick failure
 * and doubles the delay (capped); a longer life resets it.
 *
 * SIGHUP_MEANING - what SIGHUP means in each process: the supervisor
 * forwards it to the running exporter; the exporter re-reads its web
 * config (certificates, users); the worker ignores it. A child ignores it
 * from its first instruction until it installs its own handler (exporter),
 * so a SIGHUP never kills one, whenever it arrives.
 */
#define _GNU_SOURCE
#include "supervise.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/log.h"
#include "../common/proctitle.h"
#include "../exporter/exporter.h"
#include "../shm/metrics.h"
#include "../shm/seqlock.h"
#include "../shm/view.h"
#include "../worker/worker.h"
#include "backoff.h"
#include "memcap.h"
#include "memfit.h"
#include "oomscore.h"
#include "prebind.h"
#include "procstat.h"
#include "pushsock.h"
#include "sdnotify.h"

struct child {
	enum shm_child_id id;
	const char *title;
	pid_t pid;
	enum shm_child_state state;
	int64_t started_ns;
	int64_t restart_at_ns;
	int64_t ended_ns;  /* when it last died: the restart logs its real delay */
	unsigned failures; /* consecutive quick deaths */
	bool killed_for_hang;
	bool started_once;
	struct memcap cap;
};

struct supervisor {
	struct shm_segment *seg;
	const struct config *cfg;
	int listen_fd;
	const struct pushsock *push; /* the worker's; the exporter closes them */
	int sig_fd;
	pid_t pid;
	bool stopping;
	struct child kids[SHM_CHILD_COUNT];
	/* systemd (Type=notify): READY=1 once, then STATUS= on change and
	 * WATCHDOG=1 from this loop, so a stuck loop stops the pings. */
	struct sdnotify notify;
	bool ready_sent;
	int64_t next_watchdog_ns;
	char status[192];
	int64_t next_rss_ns; /* when the processes' resident memory is read next */
};

static void publish(struct supervisor *s, struct child *c, enum shm_exit_reason reason, int detail)
{
	child_publish(&s->seg->children[c->id], c->state, c->pid, reason, detail, c->started_ns);
}

/* Enter BACKOFF after one more quick failure; returns the delay in ms. */
static int64_t schedule_restart(struct supervisor *s, struct child *c, int64_t now)
{
	c->failures++;
	int64_t delay = backoff_delay_ms(c->failures, s->cfg->backoff_min_ms, s->cfg->backoff_max_ms);
	c->state = SHM_CHILD_BACKOFF;
	c->restart_at_ns = now + delay * 1000000;
	return delay;
}

/* In the child, never returns. */
static void run_child(struct supervisor *s, struct child *c)
{
	/* The supervisor's signals are still blocked, as they were across the
	 * fork: this process's dispositions are set before any is let in, so a
	 * SIGHUP forwarded the moment it exists (or sent to the process group)
	 * never meets the default action, which would kill it. */
	signal(SIGHUP, SIG_IGN); /* see SIGHUP_MEANING; the exporter installs its own */
	signal(SIGPIPE, SIG_IGN);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	close(s->sig_fd);
	/* If the supervisor dies, so do we: no orphan keeps the port. SIGKILL,
	 * not SIGTERM: a busy or hung child never acts on a caught SIGTERM, and
	 * nothing can delay or block SIGKILL. A clean stop loses nothing by it:
	 * the supervisor sends SIGTERM itself and waits for every child before
	 * it exits (stop_children), so this only fires when the supervisor died
	 * abruptly, and then a stale segment and push socket are reclaimed by
	 * the next start anyway. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != s->pid)
		_exit(0);
	memcap_enter(&c->cap);
	oomscore_enter(c->id);
	/* On a 2-core board the worker's processing spike must not take the
	 * CPU the exporter needs to answer scrapes. */
	if (c->id == SHM_CHILD_WORKER && setpriority(PRIO_PROCESS, 0, s->cfg->worker_nice) != 0)
		log_warn("setpriority(%d): %s", s->cfg->worker_nice, strerror(errno));
	proctitle_set(c->title);
	log_set_role(shm_child_name(c->id));

	int rc;
	if (c->id == SHM_CHILD_WORKER) {
		close(s->listen_fd);
		rc = worker_main(s->seg, s->cfg, s->push->fd);
	} else {
		for (int i = 0; i < PUSH_FD_COUNT; i++)
			if (s->push->fd[i] >= 0)
				close(s->push->fd[i]);
		rc = exporter_main(s->seg, s->cfg, s->listen_fd);
	}
	exit(rc);
}

/* Before a restart: whatever the dead child (or anyone) wrote over the
 * segment's structure is rewritten from our copy, logged and counted. */
static void repair_segment(struct supervisor *s)
{
	char what[256];
	unsigned n = shm_view_repair(s->seg, what, sizeof what);
	if (n == 0)
		return;
	SHM_ADD(&s->seg->supervisor.shm_repairs, n);
	log_warn("segment: %u structural field(s) damaged, rewritten from the supervisor's copy: %s", n, what);
}

static void start_child(struct supervisor *s, struct child *c)
{
	if (c->started_once)
		repair_segment(s);
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0)
		run_child(s, c);

	int64_t now = monotonic_ns();
	if (pid < 0) {
		log_error("cannot fork %s: %s", shm_child_name(c->id), strerror(errno));
		schedule_restart(s, c, now);
		return;
	}
	if (c->started_once)
		SHM_ADD(&s->seg->children[c->id].restarts, 1);
	c->started_once = true;
	c->pid = pid;
	c->state = SHM_CHILD_RUNNING;
	c->started_ns = now;
	c->killed_for_hang = false;
	publish(s, c, (enum shm_exit_reason)SHM_LOAD(&s->seg->children[c->id].last_exit_reason),
		SHM_LOAD(&s->seg->children[c->id].last_exit_detail));
	if (c->ended_ns > 0)
		log_info("started %s (pid %d), %lld ms after it ended", c->title, (int)pid,
			 (long long)((now - c->ended_ns) / 1000000));
	else
		log_info("started %s (pid %d)", c->title, (int)pid);
}

static struct child *child_by_pid(struct supervisor *s, pid_t pid)
{
	for (unsigned i = 0; i < SHM_CHILD_COUNT; i++)
		if (s->kids[i].state == SHM_CHILD_RUNNING && s->kids[i].pid == pid)
			return &s->kids[i];
	return NULL;
}

static void on_child_exit(struct supervisor *s, struct child *c, int status)
{
	int64_t now = monotonic_ns();
	enum shm_exit_reason reason;
	int detail;
	if (c->killed_for_hang) {
		reason = SHM_EXIT_HANG;
		detail = SIGKILL;
	} else if (WIFSIGNALED(status)) {
		reason = SHM_EXIT_SIGNAL;
		detail = WTERMSIG(status);
	} else {
		reason = SHM_EXIT_CODE;
		detail = WEXITSTATUS(status);
	}
	c->ended_ns = now;
	SHM_ADD(&s->seg->children[c->id].exits_by_reason[reason], 1);
	SHM_STORE(&s->seg->children[c->id].rss_bytes, 0);

	if (s->stopping) {
		c->state = SHM_CHILD_STOPPED;
		log_info("%s (pid %d) stopped (%s %d)", c->title, (int)c->pid, shm_exit_reason_label(reason), detail);
	} else {
		int64_t lived_ms = (now - c->started_ns) / 1000000;
		if (lived_ms >= BACKOFF_STABLE_MS)
			c->failures = 0; /* it had started well: back to the shortest delay */
		int64_t delay = schedule_restart(s, c, now);
		log_warn("%s (pid %d) ended (%s %d) after %lld ms; restarting in %lld ms", c->title, (int)c->pid,
			 shm_exit_reason_label(reason), detail, (long long)lived_ms, (long long)delay);
	}
	c->pid = 0;
	publish(s, c, reason, detail);
}

static void reap_children(struct supervisor *s)
{
	int status;
	pid_t pid;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		struct child *c = child_by_pid(s, pid);
		if (c)
			on_child_exit(s, c, status);
	}
}

/* When a running child's heartbeat goes stale: its last beat (or its
 * start, before the first beat) plus the timeout. The beat comes from the
 * segment, untrusted: one more than a timeout ahead of `now` is garbage
 * and counts as none (a far-future value must not switch hang detection
 * off), and one a little ahead (a beat racing this read) counts as now,
 * so the sum never exceeds now plus twice the timeout. */
static int64_t heartbeat_deadline_ns(const struct supervisor *s, const struct child *c, int64_t now)
{
	int64_t timeout = (int64_t)s->cfg->heartbeat_timeout_ms * 1000000;
	int64_t beat = SHM_LOAD(&s->seg->children[c->id].heartbeat_monotonic_ns);
	int64_t since = beat < c->started_ns || beat - now > timeout ? c->started_ns : beat < now ? beat : now;
	return since + timeout;
}

/* Kill a running child whose heartbeat is older than the timeout (or that
 * never sent one within the timeout after its start). */
static void check_heartbeat(struct supervisor *s, struct child *c, int64_t now)
{
	if (c->state != SHM_CHILD_RUNNING || c->killed_for_hang)
		return;
	int64_t deadline = heartbeat_deadline_ns(s, c, now);
	if (now <= deadline)
		return;
	log_warn("%s (pid %d) heartbeat stale for %lld ms: killing it", c->title, (int)c->pid,
		 (long long)((now - deadline) / 1000000) + s->cfg->heartbeat_timeout_ms);
	c->killed_for_hang = true;
	kill(c->pid, SIGKILL);
}

/* Both children run and have beaten since they started: the exporter's
 * event loop is serving the socket bound before the fork. */
static bool children_ready(const struct supervisor *s)
{
	for (unsigned i = 0; i < SHM_CHILD_COUNT; i++) {
		const struct child *c = &s->kids[i];
		if (c->state != SHM_CHILD_RUNNING ||
		    SHM_LOAD(&s->seg->children[i].heartbeat_monotonic_ns) < c->started_ns)
			return false;
	}
	return true;
}

/* What the watchdog vouches for: every child is healthy (running with a
 * fresh heartbeat) or being restarted (killed for a hang, or in backoff). */
static bool children_healthy_or_restarting(const struct supervisor *s, int64_t now)
{
	for (unsigned i = 0; i < SHM_CHILD_COUNT; i++) {
		const struct child *c = &s->kids[i];
		if (c->state == SHM_CHILD_BACKOFF || (c->state == SHM_CHILD_RUNNING && c->killed_for_hang))
			continue;
		if (c->state != SHM_CHILD_RUNNING || now > heartbeat_deadline_ns(s, c, now))
			return false;
	}
	return true;
}

static void notify_tick(struct supervisor *s, int64_t now)
{
	if (s->notify.fd < 0)
		return;
	char status[sizeof s->status];
	size_t len = (size_t)snprintf(status, sizeof status, "STATUS=");
	for (unsigned i = 0; i < SHM_CHILD_COUNT && len < sizeof status; i++) {
		const struct child *c = &s->kids[i];
		unsigned long long restarts = SHM_LOAD(&s->seg->children[i].restarts);
		if (c->state == SHM_CHILD_RUNNING)
			len += (size_t)snprintf(status + len, sizeof status - len, "%s%s pid %d, %llu restarts",
						i ? "; " : "", shm_child_name(c->id), (int)c->pid, restarts);
		else
			len += (size_t)snprintf(status + len, sizeof status - len, "%s%s restarting, %llu restarts",
						i ? "; " : "", shm_child_name(c->id), restarts);
	}
	if (!s->ready_sent && children_ready(s)) {
		char msg[sizeof status + 16];
		snprintf(msg, sizeof msg, "READY=1\n%s", status);
		if (sdnotify_send(&s->notify, msg) == 0)
			s->ready_sent = true;
		memcpy(s->status, status, sizeof status);
	} else if (s->ready_sent && strcmp(status, s->status) != 0) {
		sdnotify_send(&s->notify, status);
		memcpy(s->status, status, sizeof status);
	}
	if (s->notify.watchdog_usec > 0 && now >= s->next_watchdog_ns && children_healthy_or_restarting(s, now)) {
		sdnotify_send(&s->notify, "WATCHDOG=1");
		s->next_watchdog_ns = now + s->notify.watchdog_usec * 1000 / 2;
	}
}

/* The processes' resident memory into their cells, every rss-interval-ms. */
static void read_rss(struct supervisor *s, int64_t now)
{
	if (now < s->next_rss_ns)
		return;
	int64_t every = (int64_t)s->cfg->rss_interval_ms * 1000000;
	s->next_rss_ns += every;
	if (s->next_rss_ns <= now)
		s->next_rss_ns = now + every; /* fell behind: skip, never burst */
	SHM_STORE(&s->seg->supervisor.rss_bytes, procstat_rss_bytes(s->pid));
	for (unsigned i = 0; i < SHM_CHILD_COUNT; i++)
		if (s->kids[i].state == SHM_CHILD_RUNNING)
			SHM_STORE(&s->seg->children[i].rss_bytes, procstat_rss_bytes(s->kids[i].pid));
}

static void tick(struct supervisor *s)
{
	int64_t now = monotonic_ns();
	read_rss(s, now);
	for (unsigned i = 0; i < SHM_CHILD_COUNT; i++) {
		struct child *c = &s->kids[i];
		if (c->state == SHM_CHILD_RUNNING) {
			check_heartbeat(s, c, now);
		} else if (c->state == SHM_CHILD_BACKOFF && now >= c->restart_at_ns && !s->stopping) {
			start_child(s, c);
		}
	}
	notify_tick(s, now);
}

/* How soon READY=1 follows the children's first heartbeats under
 * systemd: a unit's start waits for it. */
#define READY_POLL_MS 100

/* Milliseconds until the next thing we must do. */
static int next_timeout_ms(const struct supervisor *s)
{
	int64_t now = monotonic_ns();
	int64_t wait = (s->next_rss_ns - now + 999999) / 1000000; /* rounded up: never before it is due */
	if (wait < 0)
		wait = 0;
	for (unsigned i = 0; i < SHM_CHILD_COUNT; i++) {
		const struct child *c = &s->kids[i];
		int64_t left = wait;
		if (c->state == SHM_CHILD_BACKOFF)
			left = (c->restart_at_ns - now) / 1000000;
		else if (c->state == SHM_CHILD_RUNNING && !c->killed_for_hang)
			left = (heartbeat_deadline_ns(s, c, now) - now) / 1000000 + 1; /* a hang is seen on time */
		if (left < wait)
			wait = left < 0 ? 0 : left;
	}
	if (s->notify.watchdog_usec > 0) {
		int64_t left = (s->next_watchdog_ns - now) / 1000000;
		if (left < wait)
			wait = left < 0 ? 0 : left;
	}
	if (s->notify.fd >= 0 && !s->ready_sent && wait > READY_POLL_MS)
		wait = READY_POLL_MS; /* nothing wakes the loop at the children's first beats */
	return (int)wait;
}

/* Returns true when a stop was requested. */
static bool drain_signals(struct supervisor *s)
{
	struct signalfd_siginfo si;
	bool stop = false;
	while (read(s->sig_fd, &si, sizeof si) == (ssize_t)sizeof si) {
		switch (si.ssi_signo) {
		case SIGCHLD: reap_children(s); break;
		case SIGTERM:
		case SIGINT:
			log_info("signal %u: stopping", si.ssi_signo);
			stop = true;
			break;
		case SIGHUP: /* SIGHUP_MEANING: forwarded to the exporter */
			if (s->kids[SHM_CHILD_EXPORTER].state == SHM_CHILD_RUNNING)
				kill(s->kids[SHM_CHILD_EXPORTER].pid, SIGHUP);
			break;
		default: break;
		}
	}
	return stop;
}

static unsigned running_children(const struct supervisor *s)
{
	unsigned n = 0;
	for (unsigned i = 0; i < SHM_CHILD_COUNT; i++)
		n += s->kids[i].state == SHM_CHILD_RUNNING;
	return n;
}

static void stop_children(struct supervisor *s)
{
	s->stopping = true;
	for (unsigned i = 0; i < SHM_CHILD_COUNT; i++) {
		struct child *c = &s->kids[i];
		if (c->state == SHM_CHILD_RUNNING)
			kill(c->pid, SIGTERM);
		else if (c->state == SHM_CHILD_BACKOFF) {
			c->state = SHM_CHILD_STOPPED;
			publish(s, c, (enum shm_exit_reason)SHM_LOAD(&s->seg->children[i].last_exit_reason),
				SHM_LOAD(&s->seg->children[i].last_exit_detail));
		}
	}
	int64_t deadline = monotonic_ns() + (int64_t)s->cfg->stop_timeout_ms * 1000000;
	while (running_children(s) > 0) {
		int64_t left = (deadline - monotonic_ns()) / 1000000;
		if (left <= 0) {
			for (unsigned i = 0; i < SHM_CHILD_COUNT; i++)
				if (s->kids[i].state == SHM_CHILD_RUNNING) {
					log_warn("%s (pid %d) ignored SIGTERM: killing it", s->kids[i].title,
						 (int)s->kids[i].pid);
					kill(s->kids[i].pid, SIGKILL);
				}
			deadline = monotonic_ns() + 1000000000; /* SIGKILL cannot be ignored */
			continue;
		}
		struct pollfd pfd = { s->sig_fd, POLLIN, 0 };
		poll(&pfd, 1, (int)left);
		drain_signals(s);
	}
}

int supervise(struct shm_segment *seg, const struct config *cfg, int listen_fd, const struct pushsock *push)
{
	struct supervisor s;
	memset(&s, 0, sizeof s);
	s.seg = seg;
	s.cfg = cfg;
	s.listen_fd = listen_fd;
	s.push = push;
	s.pid = getpid();
	s.kids[SHM_CHILD_WORKER] = (struct child){ .id = SHM_CHILD_WORKER, .title = "sensor-worker" };
	s.kids[SHM_CHILD_EXPORTER] = (struct child){ .id = SHM_CHILD_EXPORTER, .title = "sensor-exporter" };
	SHM_STORE(&seg->supervisor.pid, (int32_t)s.pid);

	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	s.sig_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (s.sig_fd < 0) {
		log_error("signalfd: %s", strerror(errno));
		return 1;
	}

	char err[256];
	if (sdnotify_open(&s.notify, err, sizeof err) != 0)
		log_warn("systemd notification off: %s", err);

	prebind_threads();
	memcap_sweep_stale();
	struct memfit fit;
	memfit_plan(&fit, cfg, seg->hdr.pre.total_size);
	SHM_STORE(&seg->supervisor.cgroup_memory_limit_bytes, fit.limit_bytes);
	memcap_prepare(&s.kids[SHM_CHILD_WORKER].cap, "worker", fit.worker_bytes);
	memcap_prepare(&s.kids[SHM_CHILD_EXPORTER].cap, "exporter", fit.exporter_bytes);
	int own_adj = oomscore_own();
	log_info("oom_score_adj: worker %d, exporter %d, supervisor %d (the OOM killer picks the worker first)",
		 oomscore_for(SHM_CHILD_WORKER, own_adj), oomscore_for(SHM_CHILD_EXPORTER, own_adj), own_adj);
	for (unsigned i = 0; i < SHM_CHILD_COUNT; i++) {
		SHM_STORE(&seg->children[i].memory_limit_bytes, s.kids[i].cap.limit_bytes);
		start_child(&s, &s.kids[i]);
	}

	/* The first read once the children have set up, not at the fork. */
	s.next_rss_ns = monotonic_ns() + (int64_t)cfg->rss_interval_ms * 1000000;
	bool stop = false;
	while (!stop) {
		struct pollfd pfd = { s.sig_fd, POLLIN, 0 };
		int n = poll(&pfd, 1, next_timeout_ms(&s));
		if (n < 0 && errno != EINTR) {
			log_error("poll: %s", strerror(errno));
			break;
		}
		if (n > 0)
			stop = drain_signals(&s);
		tick(&s);
	}

	sdnotify_send(&s.notify, "STOPPING=1\nSTATUS=stopping");
	stop_children(&s);
	for (unsigned i = 0; i < SHM_CHILD_COUNT; i++)
		memcap_release(&s.kids[i].cap);
	sdnotify_close(&s.notify);
	close(s.sig_fd);
	return 0;
}
