# container.mk - the service under a memory limit (a container, a systemd
# MemoryMax=, a hand-made cgroup): the supervisor fits the children's caps
# into the enclosing cgroup's limit and orders the OOM killer's victims;
# `make test-container` runs deploy/Dockerfile and docker-compose.yml for
# real with podman.
#
#   make test-container   build the image, run it under a memory limit
#                         (tests/container/test_image.sh), then the
#                         compose stack (tests/container/test_compose_up.sh);
#                         SKIPPED where podman cannot run

LIB_SRC    += supervisor/cglimit.c supervisor/memfit.c supervisor/oomscore.c
UNIT_TESTS += test_memfit
