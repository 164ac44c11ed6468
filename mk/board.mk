# board.mk - the emulated arm64 board: 2 cores, 512 MB, Debian's arm64
# kernel, a root filesystem of Debian's arm64 and armhf packages
# (scripts/board.sh). Runs the arm64 and armhf unit tests, the arm64
# stress-shm program and the service's end-to-end test there, and measures its memory beside the host's into
# bench/results/board.json (PERFORMANCE_REPORT.md). About 3 minutes on 2
# cores, more the first time (kernel and root filesystem, cached in
# build/board).
#
#   make test-board

.PHONY: test-board

test-board: DEPS_GROUPS := build test board cross-arm64 cross-armhf
test-board: deps ## the emulated arm64 board (qemu): the ARM unit tests and the service end to end
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory cross ARCH=arm64
	@$(MAKE) --no-print-directory cross ARCH=armhf
	scripts/board.sh
