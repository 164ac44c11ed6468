# deb.mk - the Debian package, built with Debian's own tools (debhelper,
# dpkg-buildpackage) from debian/, and checked by lintian.
#
#   make deb        build/deb/sensor-service_VERSION_ARCH.deb for the host's
#                   architecture, lintian-clean
#   make deb ARCH=arm64 (or armhf)   build/deb-ARCH/sensor-service_VERSION_ARCH.deb:
#                   dpkg-buildpackage -a ARCH in a throwaway Debian root with
#                   the cross compiler and the target's -dev packages
#                   (scripts/deb-cross.sh; the root is cached as a tarball
#                   in build/deb-root), lintian-clean too
#   make test-deb   install it on a clean Debian root (mmdebstrap), upgrade
#                   it to a newer version (make new-version) with an edited
#                   conffile, verify its unit with systemd, purge it
#                   (tests/packaging/test_deb.sh)
#   make test-systemd   boot a Debian 12 VM with systemd and the package
#                   installed, and check the unit as systemd runs it: notify
#                   readiness, the watchdog, restarts, cgroup caps
#                   (scripts/systemd-vm.sh, tests/systemd/; ~4 minutes)
#
# The package is built from a copy of the tree's files (tracked and new,
# not ignored), so build/ and the caller's checkout stay as they are.

DEB_DIR := $(if $(filter $(HOST_ARCH),$(ARCH)),build/deb,build/deb-$(ARCH))

.PHONY: deb test-deb test-systemd

deb: DEPS_GROUPS := build deb
deb: deps ## the Debian package, lintian-clean
	@rm -rf $(DEB_DIR)/src && mkdir -p $(DEB_DIR)/src
	@git ls-files -z --cached --others --exclude-standard | \
		xargs -0 tar -cf - --ignore-failed-read 2>/dev/null | tar -xf - -C $(DEB_DIR)/src
	@rm -f $(DEB_DIR)/*.deb $(DEB_DIR)/*.changes $(DEB_DIR)/*.buildinfo
ifeq ($(ARCH),$(HOST_ARCH))
	cd $(DEB_DIR)/src && dpkg-buildpackage --build=binary --no-sign -j$(NPROC) >../build.log 2>&1 || \
		{ tail -40 ../build.log; exit 1; }
else
	scripts/deb-cross.sh $(ARCH) $(DEB_DIR)/src $(DEB_DIR)
endif
	lintian --fail-on error,warning $(DEB_DIR)/*.changes
	@ls $(DEB_DIR)/*.deb

test-deb: DEPS_GROUPS := build deb
test-deb: deb ## the Debian package installed, upgraded and purged on a clean Debian root
	bash tests/packaging/test_deb.sh

# The VM's packages are installed here, not through `deps`: make runs
# `deps` once, for `deb`, with deb's own groups.
test-systemd: deb ## the Debian package under a real systemd in a VM
	scripts/install-deps.sh systemd-vm
	scripts/systemd-vm.sh
