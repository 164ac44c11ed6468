#!/bin/sh
# promtool-check.sh < PAGE: `promtool check metrics`, less its complaint
# about node_exporter's own meminfo names (node_memory_Active_anon_bytes...:
# camelCase, kept as node_exporter writes them so that its dashboards work;
# node_exporter's own page draws the same complaint). Any other finding, or
# a page it cannot parse, fails with promtool's output shown.
out=$(promtool check metrics 2>&1 |
	grep -v "^node_memory_[A-Za-z0-9_]* metric names should be written in 'snake_case' not 'camelCase'\$")
[ -z "$out" ] || {
	printf '%s\n' "$out"
	exit 1
}
