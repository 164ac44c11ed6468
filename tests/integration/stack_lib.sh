# stack_lib.sh - helpers of the stack tests (test_stack.sh, test_dashboard.sh)
# on top of lib.sh; sourced, not run.
#
#   pick_port VAR   a free port in VAR, distinct from those picked before
#
# The port is below the kernel's ephemeral range and has no TCP socket in
# any state: a client's TIME-WAIT socket on a port (say, after a load
# test) makes VictoriaMetrics' bind() fail with "address already in use",
# which a check of listening sockets alone does not see.

PICKED_PORTS=" "
pick_port() {
	local p lo
	read -r lo _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || lo=32768
	[ "$lo" -gt 12000 ] || lo=32768
	for _ in $(seq 1 200); do
		p=$((10000 + RANDOM % (lo - 10000)))
		case $PICKED_PORTS in *" $p "*) continue ;; esac
		ss -Htan "sport = :$p" 2>/dev/null | grep -q . && continue
		PICKED_PORTS="$PICKED_PORTS$p "
		printf -v "$1" '%s' "$p"
		return 0
	done
	return 1
}
