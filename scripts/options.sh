#!/usr/bin/env bash
# options.sh - the service's options as the binary itself prints them, one
# a line, tab-separated, for the generators of the files that list them
# (scripts/config-doc.sh: docs/configuration.md; scripts/commented-settings.sh:
# the settings of /etc/default/sensor-service and of the example
# configuration). `--print-config` gives each setting's
# group, key and built-in default, `--help` its flag and description; both
# come from the option table in common/config.c.
#
#   scripts/options.sh BINARY
#
#   setting GROUP KEY ENV FLAG DEFAULT DESCRIPTION   in --print-config's order
#   cli     -     NAME -   FLAG -       DESCRIPTION   flags that are no setting
#                                                    (FLAG with its short form)
#
# The environment variable of a setting is SENSOR_ and its key upper-cased,
# '-' becoming '_' (the man page's ENVIRONMENT section states the rule).
set -euo pipefail
BIN=${1:?usage: options.sh BINARY}
[ -x "$BIN" ] || { echo "options: $BIN is not an executable (run make first)" >&2; exit 2; }

# Defaults: the built-in ones, untouched by this shell's SENSOR_* variables.
# C locale: GLib's --help headings untranslated.
print_config=$(env -i LC_ALL=C "$BIN" --print-config)
env -i LC_ALL=C "$BIN" --help | awk -v cfg="$print_config" '
	BEGIN {
		OFS = "\t"
		n = split(cfg, lines, "\n")
		for (i = 1; i <= n; i++) {
			line = lines[i]
			if (line ~ /^\[[a-z]+\]$/) {
				group = substr(line, 2, length(line) - 2)
			} else if (line ~ /^[a-z0-9-]+=/) {
				key = substr(line, 1, index(line, "=") - 1)
				order[++nkeys] = key
				grp[key] = group
				def[key] = substr(line, index(line, "=") + 1)
			}
		}
	}
	# "  -c, --config=FILE     text" or "  --simulate      text"
	/^  +(-[A-Za-z], )?--[a-z0-9-]+/ {
		line = $0
		sub(/^ +/, "", line)
		short = ""
		if (line ~ /^-[A-Za-z], /) { short = substr(line, 1, 2); line = substr(line, 5) }
		spec = line
		sub(/  .*/, "", spec)
		text = substr(line, length(spec) + 1)
		sub(/^ +/, "", text)
		sub(/ \(default [^)]*\)$/, "", text)
		name = spec
		sub(/^--/, "", name)
		sub(/=.*/, "", name)
		flag[name] = spec
		desc[name] = text
		if (!(name in grp)) { cli[++ncli] = name; shortflag[name] = short }
	}
	END {
		for (k = 1; k <= nkeys; k++) {
			key = order[k]
			if (!(key in flag)) { print "options: --help does not list " key > "/dev/stderr"; bad = 1; continue }
			env = "SENSOR_" toupper(key)
			gsub(/-/, "_", env)
			print "setting", grp[key], key, env, flag[key], def[key], desc[key]
		}
		for (c = 1; c <= ncli; c++) {
			name = cli[c]
			spec = flag[name]
			if (shortflag[name] != "") spec = shortflag[name] ", " spec
			print "cli", "-", name, "-", spec, "-", desc[name]
		}
		exit bad
	}'
