#!/bin/bash
# vm_checks.sh - runs inside the systemd test VM (scripts/systemd-vm.sh) as
# the oneshot unit vm-checks.service, after the installed package's
# sensor-service.service: checks the unit as systemd runs it, prints one
# "VMCHECK ok|FAIL what" line per check and "VMCHECK done N FAILS" on the
# serial console, then powers the VM off. (No getty runs on ttyS0 in the
# VM: its vhangup() would cut this script's output.)
exec >/dev/ttyS0 2>&1
fails=0
ok() { echo "VMCHECK ok   $*"; }
bad() { echo "VMCHECK FAIL $*"; fails=$((fails + 1)); }
check() { local what=$1; shift; if "$@" >/dev/null 2>&1; then ok "$what"; else bad "$what"; fi; }
prop() { systemctl show -P "$1" sensor-service; }
wait_for() { # wait_for SECONDS command...
	local end=$((SECONDS + $1)); shift
	while [ $SECONDS -lt $end ]; do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
	return 1
}
active() { [ "$(systemctl is-active sensor-service)" = active ]; }
# The service's address: the port its binary resolves from the option
# table's default, the unit's configuration file and environment file.
port=$(
	set -a
	# shellcheck disable=SC1091 # the installed environment file
	[ -r /etc/default/sensor-service ] && . /etc/default/sensor-service
	sensor-service --config /etc/sensor-service/sensor-service.conf --print-config | sed -n 's/^port=//p'
)
SVC=http://127.0.0.1:${port:-none}

echo "VMCHECK info systemd $(systemctl --version | head -1), kernel $(uname -r), cgroup $(stat -fc %T /sys/fs/cgroup)"
check "sensor-service.service is enabled by the package" systemctl is-enabled sensor-service
wait_for 30 active
check "it is active" active
# Type=notify: active means READY=1 came, so / answers right away.
check "/ answers as soon as it is active" curl -sf -o /dev/null --max-time 2 "$SVC/"
check "/metrics answers" curl -sf -o /dev/null --max-time 2 "$SVC/metrics"
[ "$(prop Type)" = notify ] && ok "Type=notify" || bad "Type=notify (got $(prop Type))"
status=$(prop StatusText)
echo "VMCHECK info StatusText: $status"
[[ $status =~ worker\ pid\ [0-9]+.*exporter\ pid\ [0-9]+ ]] && ok "STATUS= names both children" || bad "STATUS= names both children"
main=$(prop MainPID)
[ "$(ps -o user= -p "$main")" = sensor-service ] && ok "it runs as the system user sensor-service" ||
	bad "it runs as sensor-service (got $(ps -o user= -p "$main"))"
cg=/sys/fs/cgroup$(prop ControlGroup)
echo "VMCHECK info cgroup $cg, groups: $(cd "$cg" && ls -d -- */ | tr '\n' ' ')"
for child in worker exporter; do
	max=$(cat "$cg/$child/memory.max" 2>/dev/null)
	pid=$(pgrep -u sensor-service -x "sensor-$child")
	[[ $max =~ ^[0-9]+$ ]] && ok "the $child is capped in a cgroup of its own (memory.max $max)" ||
		bad "the $child is capped in a cgroup of its own (memory.max ${max:-none})"
	grep -qx "$pid" "$cg/$child/cgroup.procs" 2>/dev/null && ok "the $child (pid $pid) runs in it" ||
		bad "the $child (pid ${pid:-none}) runs in $cg/$child"
done
curl -s --max-time 2 "$SVC/metrics" | grep '^sensor_process_memory_limit_bytes' | sed 's/^/VMCHECK info /'

echo "VMCHECK info -- the host's vital signs under the unit's sandbox (node_exporter's names)"
metric() { # metric REGEX: the value of the first series of the page matching it
	curl -s --max-time 2 "$SVC/metrics" | grep -E "$1" | head -1 | awk '{ print $NF }'
}
positive() { awk -v v="$1" 'BEGIN { exit !(v + 0 > 0) }'; }
wait_for 15 bash -c "curl -s --max-time 2 $SVC/metrics | grep -q '^node_scrape_collector_success'"
for c in cpu meminfo loadavg stat pressure uname filesystem netdev diskstats; do
	v=$(metric "^node_scrape_collector_success\\{collector=\"$c\"\\}")
	[ "$v" = 1 ] && ok "collector $c succeeds in the sandbox" || bad "collector $c succeeds in the sandbox (got '${v:-none}')"
done
v=$(metric '^node_cpu_seconds_total\{cpu="0",mode="idle"\}')
positive "$v" && ok "CPU: node_cpu_seconds_total idle of cpu 0 ($v)" || bad "CPU: node_cpu_seconds_total idle of cpu 0 (got '${v:-none}')"
v=$(metric '^node_memory_MemTotal_bytes ')
want=$(awk '/^MemTotal:/ { print $2 * 1024 }' /proc/meminfo)
[ "$v" = "$want" ] && ok "memory: node_memory_MemTotal_bytes as /proc/meminfo ($v)" || bad "memory: node_memory_MemTotal_bytes $want (got '${v:-none}')"
v=$(metric '^node_filesystem_size_bytes\{.*mountpoint="/"')
want=$(stat -fc '%b %s' / | awk '{ print $1 * $2 }')
[ "$v" = "$want" ] && ok "the root file system: node_filesystem_size_bytes as statfs ($v)" || bad "the root file system: node_filesystem_size_bytes $want (got '${v:-none}')"
v=$(metric '^node_filesystem_device_error\{.*mountpoint="/"')
[ "$v" = 0 ] && ok "the root file system: device_error 0" || bad "the root file system: device_error 0 (got '${v:-none}')"
dev=""
for d in /sys/class/net/*; do [ "${d##*/}" = lo ] || { dev=${d##*/}; break; }; done
wait_for 20 bash -c "[ \"\$(cat /sys/class/net/$dev/statistics/rx_packets 2>/dev/null || echo 0)\" -gt 0 ]"
sleep 6 # the next host sample (host-interval-ms, 5 s by default)
v=$(metric "^node_network_receive_packets_total\\{device=\"$dev\"\\}")
positive "$v" && ok "a network device ($dev): node_network_receive_packets_total $v" ||
	bad "a network device (${dev:-none}): node_network_receive_packets_total non-zero (got '${v:-none}')"
v=$(metric "^node_network_transmit_bytes_total\\{device=\"$dev\"\\}")
positive "$v" && ok "a network device ($dev): node_network_transmit_bytes_total $v" ||
	bad "a network device (${dev:-none}): node_network_transmit_bytes_total non-zero (got '${v:-none}')"

echo "VMCHECK info -- systemctl reload (SIGHUP through the shell's kill) and /etc/default/sensor-service"
check "systemctl reload succeeds" systemctl reload sensor-service
sleep 1
check "still active after the reload" active
[ "$(prop MainPID)" = "$main" ] && ok "the same supervisor after the reload" || bad "the same supervisor after the reload"
journalctl -u sensor-service --no-pager | grep -iE 'SIGHUP|reload' | tail -2 | sed 's/^/VMCHECK info /'
[[ $(prop EnvironmentFiles) == /etc/default/sensor-service* ]] && ok "it reads /etc/default/sensor-service" ||
	bad "it reads /etc/default/sensor-service (got $(prop EnvironmentFiles))"
echo "SENSOR_PROCESS_INTERVAL_MS=1500" >>/etc/default/sensor-service
echo "ARGS=--sample-interval-ms 250" >>/etc/default/sensor-service
systemctl restart sensor-service
wait_for 30 active
conf=$(tr '\0' '\n' <"/proc/$(prop MainPID)/environ" 2>/dev/null | grep '^SENSOR_PROCESS_INTERVAL_MS=')
[ "$conf" = SENSOR_PROCESS_INTERVAL_MS=1500 ] && ok "a SENSOR_* setting there reaches the service" || bad "a SENSOR_* setting there reaches the service (got '$conf')"
args=$(tr '\0' ' ' <"/proc/$(prop MainPID)/cmdline" 2>/dev/null)
[[ $args == *"--sample-interval-ms 250"* ]] && ok "ARGS there reaches its command line" || bad "ARGS there reaches its command line (got '$args')"
sed -i '/^SENSOR_PROCESS_INTERVAL_MS=/d; /^ARGS=/d' /etc/default/sensor-service
systemctl restart sensor-service
wait_for 30 active
main=$(prop MainPID)

echo "VMCHECK info -- the watchdog: the supervisor stopped (SIGSTOP), WatchdogSec=3s in this VM"
restarts0=$(prop NRestarts)
kill -STOP "$main"
wait_for 20 bash -c "[ \"\$(systemctl show -P NRestarts sensor-service)\" -gt $restarts0 ]"
[ "$(prop NRestarts)" -gt "$restarts0" ] && ok "systemd restarts a supervisor whose loop is stuck" ||
	bad "systemd restarts a supervisor whose loop is stuck (NRestarts $(prop NRestarts))"
wait_for 20 active
check "active again after the watchdog restart" active
[ "$(prop MainPID)" != "$main" ] && ok "a new supervisor" || bad "a new supervisor"
journalctl -u sensor-service --no-pager | grep -iE 'watchdog' | tail -2 | sed 's/^/VMCHECK info /'

echo "VMCHECK info -- a crash loop: kill -9 of the supervisor, 8 times"
for _ in 1 2 3 4 5 6 7 8; do
	wait_for 20 active
	kill -9 "$(prop MainPID)"
	sleep 0.5
done
wait_for 30 active
check "systemd never gives up on it (StartLimitIntervalSec=0)" active
echo "VMCHECK info NRestarts=$(prop NRestarts)"

systemctl stop sensor-service
check "systemctl stop: inactive" bash -c '[ "$(systemctl is-active sensor-service)" = inactive ]'
[ "$(prop Result)" = success ] && ok "a clean stop (Result=success)" || bad "a clean stop (Result=$(prop Result))"
check "the segment is gone" test ! -e /dev/shm/sensor-service

echo "VMCHECK done $fails"
sync
systemctl poweroff --force
