/*
 * hostfamily.c - the table of common/hostfamily.h.
 */
#include "hostfamily.h"

#define FIXED(n, t, h)                                                                      \
	{                                                                                   \
		n, sizeof(n) - 1, "# HELP " n " " h "\n# TYPE " n " " t "\n",               \
			sizeof("# HELP " n " " h "\n# TYPE " n " " t "\n") - 1, h, t, false \
	}
#define NAMED(prefix, t, h)                                     \
	{                                                       \
		prefix, sizeof(prefix) - 1, NULL, 0, h, t, true \
	}

const struct host_family_desc host_families[HOST_FAMILY_COUNT] = {
	[HOST_CPU_SECONDS] = FIXED("node_cpu_seconds_total", "counter", "Seconds the CPUs spent in each mode."),
	[HOST_CPU_GUEST_SECONDS] = FIXED("node_cpu_guest_seconds_total", "counter",
					 "Seconds the CPUs spent in guests (VMs) for each mode."),
	[HOST_MEMINFO] = NAMED("node_memory_", "gauge", "Memory information field "),
	[HOST_LOAD1] = FIXED("node_load1", "gauge", "1m load average."),
	[HOST_LOAD5] = FIXED("node_load5", "gauge", "5m load average."),
	[HOST_LOAD15] = FIXED("node_load15", "gauge", "15m load average."),
	[HOST_BOOT_TIME] = FIXED("node_boot_time_seconds", "gauge", "Node boot time, in unixtime."),
	[HOST_CONTEXT_SWITCHES] = FIXED("node_context_switches_total", "counter", "Total number of context switches."),
	[HOST_FORKS] = FIXED("node_forks_total", "counter", "Total number of forks."),
	[HOST_INTR] = FIXED("node_intr_total", "counter", "Total number of interrupts serviced."),
	[HOST_PROCS_RUNNING] = FIXED("node_procs_running", "gauge", "Number of processes in runnable state."),
	[HOST_PROCS_BLOCKED] =
		FIXED("node_procs_blocked", "gauge", "Number of processes blocked waiting for I/O to complete."),
	[HOST_PRESSURE_CPU_WAITING] = FIXED("node_pressure_cpu_waiting_seconds_total", "counter",
					    "Total time in seconds that processes have waited for CPU time"),
	[HOST_PRESSURE_IO_WAITING] = FIXED("node_pressure_io_waiting_seconds_total", "counter",
					   "Total time in seconds that processes have waited due to IO congestion"),
	[HOST_PRESSURE_IO_STALLED] = FIXED("node_pressure_io_stalled_seconds_total", "counter",
					   "Total time in seconds no process could make progress due to IO congestion"),
	[HOST_PRESSURE_MEMORY_WAITING] = FIXED("node_pressure_memory_waiting_seconds_total", "counter",
					       "Total time in seconds that processes have waited for memory"),
	[HOST_PRESSURE_MEMORY_STALLED] =
		FIXED("node_pressure_memory_stalled_seconds_total", "counter",
		      "Total time in seconds no process could make progress due to memory congestion"),
	[HOST_UNAME_INFO] =
		FIXED("node_uname_info", "gauge", "Labeled system information as provided by the uname system call."),
	[HOST_FS_DEVICE_ERROR] = FIXED("node_filesystem_device_error", "gauge",
				       "Whether an error occurred while getting statistics for the given device."),
	[HOST_FS_SIZE_BYTES] = FIXED("node_filesystem_size_bytes", "gauge", "Filesystem size in bytes."),
	[HOST_FS_FREE_BYTES] = FIXED("node_filesystem_free_bytes", "gauge", "Filesystem free space in bytes."),
	[HOST_FS_AVAIL_BYTES] =
		FIXED("node_filesystem_avail_bytes", "gauge", "Filesystem space available to non-root users in bytes."),
	[HOST_FS_FILES] = FIXED("node_filesystem_files", "gauge", "Filesystem total file nodes."),
	[HOST_FS_FILES_FREE] = FIXED("node_filesystem_files_free", "gauge", "Filesystem total free file nodes."),
	[HOST_FS_READONLY] = FIXED("node_filesystem_readonly", "gauge", "Filesystem read-only status."),
	[HOST_NET_RECEIVE_BYTES] =
		FIXED("node_network_receive_bytes_total", "counter", "Network device statistic receive_bytes."),
	[HOST_NET_RECEIVE_PACKETS] =
		FIXED("node_network_receive_packets_total", "counter", "Network device statistic receive_packets."),
	[HOST_NET_RECEIVE_ERRS] =
		FIXED("node_network_receive_errs_total", "counter", "Network device statistic receive_errs."),
	[HOST_NET_RECEIVE_DROP] =
		FIXED("node_network_receive_drop_total", "counter", "Network device statistic receive_drop."),
	[HOST_NET_RECEIVE_FIFO] =
		FIXED("node_network_receive_fifo_total", "counter", "Network device statistic receive_fifo."),
	[HOST_NET_RECEIVE_FRAME] =
		FIXED("node_network_receive_frame_total", "counter", "Network device statistic receive_frame."),
	[HOST_NET_RECEIVE_COMPRESSED] = FIXED("node_network_receive_compressed_total", "counter",
					      "Network device statistic receive_compressed."),
	[HOST_NET_RECEIVE_MULTICAST] =
		FIXED("node_network_receive_multicast_total", "counter", "Network device statistic receive_multicast."),
	[HOST_NET_RECEIVE_NOHANDLER] =
		FIXED("node_network_receive_nohandler_total", "counter", "Network device statistic receive_nohandler."),
	[HOST_NET_TRANSMIT_BYTES] =
		FIXED("node_network_transmit_bytes_total", "counter", "Network device statistic transmit_bytes."),
	[HOST_NET_TRANSMIT_PACKETS] =
		FIXED("node_network_transmit_packets_total", "counter", "Network device statistic transmit_packets."),
	[HOST_NET_TRANSMIT_ERRS] =
		FIXED("node_network_transmit_errs_total", "counter", "Network device statistic transmit_errs."),
	[HOST_NET_TRANSMIT_DROP] =
		FIXED("node_network_transmit_drop_total", "counter", "Network device statistic transmit_drop."),
	[HOST_NET_TRANSMIT_FIFO] =
		FIXED("node_network_transmit_fifo_total", "counter", "Network device statistic transmit_fifo."),
	[HOST_NET_TRANSMIT_COLLS] =
		FIXED("node_network_transmit_colls_total", "counter", "Network device statistic transmit_colls."),
	[HOST_NET_TRANSMIT_CARRIER] =
		FIXED("node_network_transmit_carrier_total", "counter", "Network device statistic transmit_carrier."),
	[HOST_NET_TRANSMIT_COMPRESSED] = FIXED("node_network_transmit_compressed_total", "counter",
					       "Network device statistic transmit_compressed."),
	[HOST_DISK_READS_COMPLETED_TOTAL] = FIXED("node_disk_reads_completed_total", "counter",
						  "The total number of reads completed successfully."),
	[HOST_DISK_READS_MERGED_TOTAL] =
		FIXED("node_disk_reads_merged_total", "counter", "The total number of reads merged."),
	[HOST_DISK_READ_BYTES_TOTAL] =
		FIXED("node_disk_read_bytes_total", "counter", "The total number of bytes read successfully."),
	[HOST_DISK_READ_TIME_SECONDS_TOTAL] = FIXED("node_disk_read_time_seconds_total", "counter",
						    "The total number of seconds spent by all reads."),
	[HOST_DISK_WRITES_COMPLETED_TOTAL] = FIXED("node_disk_writes_completed_total", "counter",
						   "The total number of writes completed successfully."),
	[HOST_DISK_WRITES_MERGED_TOTAL] =
		FIXED("node_disk_writes_merged_total", "counter", "The number of writes merged."),
	[HOST_DISK_WRITTEN_BYTES_TOTAL] =
		FIXED("node_disk_written_bytes_total", "counter", "The total number of bytes written successfully."),
	[HOST_DISK_WRITE_TIME_SECONDS_TOTAL] = FIXED("node_disk_write_time_seconds_total", "counter",
						     "This is the total number of seconds spent by all writes."),
	[HOST_DISK_IO_NOW] = FIXED("node_disk_io_now", "gauge", "The number of I/Os currently in progress."),
	[HOST_DISK_IO_TIME_SECONDS_TOTAL] =
		FIXED("node_disk_io_time_seconds_total", "counter", "Total seconds spent doing I/Os."),
	[HOST_DISK_IO_TIME_WEIGHTED_SECONDS_TOTAL] = FIXED("node_disk_io_time_weighted_seconds_total", "counter",
							   "The weighted # of seconds spent doing I/Os."),
	[HOST_DISK_DISCARDS_COMPLETED_TOTAL] = FIXED("node_disk_discards_completed_total", "counter",
						     "The total number of discards completed successfully."),
	[HOST_DISK_DISCARDS_MERGED_TOTAL] =
		FIXED("node_disk_discards_merged_total", "counter", "The total number of discards merged."),
	[HOST_DISK_DISCARDED_SECTORS_TOTAL] = FIXED("node_disk_discarded_sectors_total", "counter",
						    "The total number of sectors discarded successfully."),
	[HOST_DISK_DISCARD_TIME_SECONDS_TOTAL] = FIXED("node_disk_discard_time_seconds_total", "counter",
						       "This is the total number of seconds spent by all discards."),
	[HOST_DISK_FLUSH_REQUESTS_TOTAL] = FIXED("node_disk_flush_requests_total", "counter",
						 "The total number of flush requests completed successfully"),
	[HOST_DISK_FLUSH_REQUESTS_TIME_SECONDS_TOTAL] =
		FIXED("node_disk_flush_requests_time_seconds_total", "counter",
		      "This is the total number of seconds spent by all flush requests."),
	[HOST_DISK_INFO] = FIXED("node_disk_info", "gauge", "Info of /sys/block/<block_device>."),
	[HOST_SCRAPE_SUCCESS] = FIXED(
		"node_scrape_collector_success", "gauge",
		"Whether the collector succeeded at its last sample (the worker samples every host-interval-ms)."),
	[HOST_SCRAPE_DURATION] = FIXED("node_scrape_collector_duration_seconds", "gauge",
				       "Seconds the collector's last sample took in the worker (not in the scrape)."),
};
