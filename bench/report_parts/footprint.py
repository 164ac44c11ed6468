"""Section "Installed footprint": what installing the package adds to a minimal Debian system."""
from .fmt import table


def footprint_section(w, fp):
    """What installing the package adds to a minimal Debian system
    (scripts/measure_footprint.sh writes bench/results/footprint.json)."""
    w("## Installed footprint\n")
    w(f"What `apt install ./{fp['deb']}` adds to a minimal Debian 12 system: `scripts/measure_footprint.sh` "
      f"({fp['date']}) installs the package from `make deb` in a fresh `{fp['root']}` root for each case and reads "
      f"apt's own count and disk-space line. The package's dependencies are the same on every architecture; the "
      f"figures are {fp['arch']}'s.\n")
    w(table(["command", "packages", "disk space", "what comes"],
            [(f"`{c['command']}`", c["packages"], c["disk"], ", ".join(c["new"])) for c in fp["cases"]]))
    w("\nThe service uses none of its libraries' recommendations, so boards install with "
      "`--no-install-recommends` ([docs/install.md](docs/install.md)).\n")
