# stack.mk - the observability stack: VictoriaMetrics and vmalert
# around the service, the /dashboard page, containers and systemd.
#
#   make run        service + VictoriaMetrics + vmalert in the foreground
#                   (scripts/run-stack.sh; Ctrl-C or `make stop` stops them)
#   make stop       stop the stack started from this tree (.stack/ pid files)
#   make stack-status   its processes, RSS/PSS and addresses
#   make dashboard-screenshot   docs/dashboard.png from the running stack
#
# The dashboard page is embedded into the binary: exporter/dashboard.html
# becomes $(BUILD)/gen/dashboard_html.inc, #included by exporter/dashboard.c.

CPPFLAGS    += -I$(BUILD)/gen

# `make run` needs VictoriaMetrics, not the browser the tests use.
run: DEPS_GROUPS := build stack

$(BUILD)/gen/dashboard_html.inc: exporter/dashboard.html scripts/embed.sh
	@mkdir -p $(dir $@)
	scripts/embed.sh $< >$@.tmp && mv $@.tmp $@

$(BUILD)/obj/exporter/dashboard.o: $(BUILD)/gen/dashboard_html.inc

.PHONY: stack-status dashboard-screenshot

stack-status:
	@scripts/run-stack.sh status

# Needs a running stack (make run) with a few minutes of data.
dashboard-screenshot:
	scripts/dashboard_shot.sh docs/dashboard.png
