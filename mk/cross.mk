# cross.mk - cross builds for the ARM boards the service is made for, with
# Debian's cross compilers and the target's libraries in a sysroot of their
# own under build/cross/ARCH (scripts/cross-sysroot.sh): the host's packages
# stay as they were, so `make` and `make test` still work after it.
#
#   make cross              the host's architecture (a native build)
#   make cross ARCH=arm64   build/cross/arm64/sensor-service, unit tests and stress-shm
#   make cross ARCH=armhf   the same for 32-bit ARM (ARMv7, hard float)
#
# Warnings are errors there too, and shm/lockfree.h fails the build for a
# target whose 64-bit atomics are not lock-free.

# ARCH is the host's by default (the Makefile): then this is a native
# build into build/cross/ARCH, with the host's packages.
CROSS_TRIPLET_arm64 := aarch64-linux-gnu
CROSS_TRIPLET_armhf := arm-linux-gnueabihf
CROSS_TRIPLET = $(CROSS_TRIPLET_$(ARCH))
CROSS_DIR = build/cross/$(ARCH)
CROSS_SYSROOT = $(abspath $(CROSS_DIR)/sysroot)

.PHONY: cross cross-check-arch

ifeq ($(ARCH),$(HOST_ARCH))
cross: DEPS_GROUPS := build test
cross: deps
	@$(MAKE) -s --no-print-directory BUILD=$(CROSS_DIR) all $(addprefix $(CROSS_DIR)/tests/,$(UNIT_TESTS))
	@file $(CROSS_DIR)/sensor-service
	@echo "cross: $(ARCH) (the host's) build in $(CROSS_DIR) ($(words $(UNIT_TESTS)) unit tests)"
else
cross-check-arch:
	@[ -n "$(CROSS_TRIPLET)" ] || { echo "make cross: ARCH must be arm64, armhf or the host's $(HOST_ARCH), got '$(ARCH)'" >&2; exit 2; }

cross: DEPS_GROUPS := cross-$(ARCH)
cross: cross-check-arch deps ## cross-build the binary and unit tests for ARCH (arm64, armhf) in build/cross
	scripts/cross-sysroot.sh $(ARCH) $(CROSS_DIR)/sysroot
	@PKG_CONFIG_SYSROOT_DIR=$(CROSS_SYSROOT) \
	PKG_CONFIG_LIBDIR=$(CROSS_SYSROOT)/usr/lib/$(CROSS_TRIPLET)/pkgconfig:$(CROSS_SYSROOT)/usr/share/pkgconfig \
		$(MAKE) -s --no-print-directory BUILD=$(CROSS_DIR) CC="$(CROSS_TRIPLET)-gcc --sysroot=$(CROSS_SYSROOT)" \
		AR=$(CROSS_TRIPLET)-ar all $(addprefix $(CROSS_DIR)/tests/,$(UNIT_TESTS)) $(CROSS_DIR)/stress/stress_shm
	@file $(CROSS_DIR)/sensor-service
	@echo "cross: $(ARCH) build in $(CROSS_DIR) ($(words $(UNIT_TESTS)) unit tests)"
endif
