# board.mk - the emulated arm64 board: 2 cores, 512 MB, Debian's arm64
# kernel, a base system of Debian's arm64 and armhf packages
# (scripts/board.sh). Installs the arm64 package there (make deb
# ARCH=arm64) from a local repository of its dependencies, checks the
# installed service as its unit starts it, a restart, a clean stop and a
# purge; runs the arm64 and armhf unit tests and the arm64 stress-shm
# program; measures the installed service's memory beside the host's into
# bench/results/board.json (PERFORMANCE_REPORT.md). About 6 minutes on 2
# cores, more the first time (kernel, base system, repository and the
# package's build root, cached in build/).
#
#   make test-board

.PHONY: test-board

test-board: DEPS_GROUPS := build test board deb cross-arm64 cross-armhf
test-board: deps ## the emulated arm64 board (qemu): the arm64 package installed and checked, the ARM unit tests, stress-shm
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory deb ARCH=arm64
	@$(MAKE) --no-print-directory cross ARCH=arm64
	@$(MAKE) --no-print-directory cross ARCH=armhf
	scripts/board.sh
