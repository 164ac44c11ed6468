#!/usr/bin/env python3
"""dpkg_status.py ROOT [PACKAGE...] - record the packages mmdebstrap
--variant=extract unpacked into ROOT (their .debs in
ROOT/var/cache/apt/archives) in ROOT's dpkg database: the status entry of
each (its control fields) and the list of its files, so that the board's
own dpkg and apt see a base system to install the package on. Nothing of
the packages is run here. Each is recorded as installed, but the
PACKAGEs named: those are "unpacked", with their maintainer scripts, for
the board to configure itself (dpkg --configure -a), as it must where the
base system needs their postinst (libpam-runtime writes PAM's common-*
files, which adduser's chfn needs)."""
import glob
import os
import subprocess
import sys

root = sys.argv[1]
configure_on_board = set(sys.argv[2:])
admin = os.path.join(root, "var/lib/dpkg")
info = os.path.join(admin, "info")
for d in (info, os.path.join(admin, "updates"), os.path.join(admin, "triggers")):
    os.makedirs(d, exist_ok=True)

entries = []
arches = set()
for deb in sorted(glob.glob(os.path.join(root, "var/cache/apt/archives/*.deb"))):
    control = subprocess.run(["dpkg-deb", "-f", deb], check=True, capture_output=True, text=True).stdout
    fields = dict(line.split(": ", 1) for line in control.splitlines() if ": " in line and not line.startswith(" "))
    name, arch = fields["Package"], fields["Architecture"]
    if arch != "all":
        arches.add(arch)
    lines = control.rstrip("\n").splitlines()
    pending = name in configure_on_board
    lines.insert(1, "Status: install ok unpacked" if pending else "Status: install ok installed")
    entries.append("\n".join(lines))
    listing = subprocess.run(["dpkg-deb", "-c", deb], check=True, capture_output=True, text=True).stdout
    paths = []
    for row in listing.splitlines():
        path = row.split(None, 5)[5].split(" -> ")[0]
        path = "/." if path in ("./", ".") else path[1:].rstrip("/") if path.startswith("./") else "/" + path
        paths.append(path)
    key = f"{name}:{arch}" if fields.get("Multi-Arch") == "same" else name
    with open(os.path.join(info, key + ".list"), "w") as f:
        f.write("\n".join(paths) + "\n")
    if pending:
        control_dir = os.path.join(info, key + ".control.tmp")
        subprocess.run(["dpkg-deb", "-e", deb, control_dir], check=True)
        for script in ("preinst", "postinst", "prerm", "postrm", "config", "templates", "conffiles", "triggers"):
            if os.path.exists(os.path.join(control_dir, script)):
                os.rename(os.path.join(control_dir, script), os.path.join(info, f"{key}.{script}"))
        subprocess.run(["rm", "-rf", control_dir], check=True)

with open(os.path.join(admin, "status"), "w") as f:
    f.write("\n\n".join(entries) + "\n")
open(os.path.join(admin, "available"), "a").close()
native = "arm64" if "arm64" in arches else sorted(arches)[0]
with open(os.path.join(admin, "arch"), "w") as f:
    f.write("\n".join([native] + sorted(arches - {native})) + "\n")
print(f"dpkg_status: {len(entries)} packages recorded as installed in {admin}")
