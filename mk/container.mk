# container.mk - the service under a memory limit (a container, a systemd
# MemoryMax=, a hand-made cgroup): the supervisor fits the children's caps
# into the enclosing cgroup's limit and orders the OOM killer's victims;
# `make test-container` runs deploy/Dockerfile and docker-compose.yml for
# real with podman.
#
#   make test-container   the service in a 48 MiB cgroup
#                         (tests/integration/test_cgroup_limit.sh), the
#                         image under --memory=48m (test_container.sh), the
#                         compose stack (test_compose_up.sh); each SKIPPED
#                         where it cannot run

# `make test` and `make test-packaging` run these too and report them
# SKIPPED where podman is missing or cannot run; this target installs
# podman first (group container), as .ci/checks' packaging row does.
CONTAINER_TESTS := tests/integration/test_cgroup_limit.sh tests/packaging/test_container.sh \
                   tests/packaging/test_compose_up.sh

.PHONY: test-container

test-container: DEPS_GROUPS := build test container
test-container: deps ## the image under a memory limit with podman, and compose
	@$(MAKE) --no-print-directory all
	@set -e; for t in $(CONTAINER_TESTS); do \
		echo "== $$t"; SENSOR_BIN=$(abspath $(BUILD)/sensor-service) bash $$t; done
