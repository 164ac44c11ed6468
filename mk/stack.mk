# stack.mk - the observability stack: VictoriaMetrics and vmalert
# around the service, the /dashboard page, containers and systemd.
#
#   make run        service + VictoriaMetrics + vmalert in the foreground
#                   (scripts/run-stack.sh; Ctrl-C or `make stop` stops them)
#   make stop       stop the stack started from this tree (.stack/ pid files)
#   make stack-status   its processes, RSS/PSS and addresses
#   make dashboard-screenshot   docs/dashboard.png from the running stack
#
# The dashboard page is embedded into the binary: exporter/dashboard.html,
# with the Grafana dashboard's JSON in place of its @GRAFANA_DASHBOARD@
# line (the page takes its service panels from it), becomes
# $(BUILD)/gen/dashboard_html.inc, #included by exporter/dashboard.c.

CPPFLAGS    += -I$(BUILD)/gen

# `make run` needs VictoriaMetrics, not the browser the tests use.
run: DEPS_GROUPS := build stack

$(BUILD)/gen/dashboard.html: exporter/dashboard.html deploy/grafana/sensor-service.json
	@mkdir -p $(dir $@)
	awk -v json=deploy/grafana/sensor-service.json \
		'$$0 == "@GRAFANA_DASHBOARD@" { while ((getline l <json) > 0) print l; n++; next } { print } \
		 END { if (n != 1) { print "dashboard.html: no single @GRAFANA_DASHBOARD@ line" >"/dev/stderr"; exit 1 } }' \
		$< >$@.tmp && mv $@.tmp $@

$(BUILD)/gen/dashboard_html.inc: $(BUILD)/gen/dashboard.html scripts/embed.sh
	scripts/embed.sh $< >$@.tmp && mv $@.tmp $@

$(BUILD)/obj/exporter/dashboard.o: $(BUILD)/gen/dashboard_html.inc

.PHONY: stack-status dashboard-screenshot

stack-status: ## the running stack: processes, RSS/PSS and addresses
	@scripts/run-stack.sh status

# Needs a running stack (make run) with a few minutes of data.
dashboard-screenshot: ## docs/dashboard.png from the running stack
	scripts/dashboard_shot.sh docs/dashboard.png
