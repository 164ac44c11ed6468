# sources.mk - real sensors: per-channel configuration, the
# hwmon, thermal, iio, file and push sources, and --list-sensors.

LIB_SRC += common/channels.c worker/sysfs.c worker/discovery.c worker/source.c worker/source_simulated.c \
           worker/source_hwmon.c worker/source_thermal.c worker/source_iio.c worker/source_file.c \
           worker/source_push.c worker/list_sensors.c worker/sampler.c worker/reader.c worker/limits.c worker/thresholds.c \
           exporter/render_sensors.c
UNIT_TESTS += test_channels test_sources test_push test_sampler test_discovery test_limits test_thresholds
# worker/reader.c: a thread per channel whose reads can block
LDLIBS += -pthread
