# fleet.mk - edge mode and fleets: the device runs the service and
# vmagent, which remote-writes to a central VictoriaMetrics and buffers on
# disk while it is unreachable (scripts/run-stack.sh, STACK_MODE=edge).
#
#   make run-edge STACK_REMOTE_WRITE_URL=http://central:8428/api/v1/write \
#                 STACK_DEVICE=robot-7 STACK_SITE=plant-a
#                   service + vmagent in the foreground (Ctrl-C or
#                   `make stop` stops them)
#   make test-fleet three edge stacks and a central store on this machine,
#                   with an outage of the store (tests/integration/test_fleet.sh,
#                   also part of `make integration`)
#
# Sizing a fleet: docs/scaling.md.

.PHONY: run-edge test-fleet

# vmagent comes with Debian's victoria-metrics package (group stack).
run-edge: DEPS_GROUPS := build stack
run-edge: deps ## an edge stack: the service and vmagent remote-writing to STACK_REMOTE_WRITE_URL
	@$(MAKE) --no-print-directory all
	STACK_MODE=edge scripts/run-stack.sh

test-fleet: DEPS_GROUPS := build test stack
test-fleet: deps ## three edge stacks and a central store on this machine, through vmauth
	@$(MAKE) --no-print-directory all
	SENSOR_BIN=$(abspath $(BUILD)/sensor-service) bash tests/integration/test_fleet.sh
