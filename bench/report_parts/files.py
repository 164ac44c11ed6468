"""The files the report was made from."""
import os

from .fmt import ROOT


def files_section(w, ctx):
    """Where the raw figures are."""
    d = ctx["d"]
    out = ctx["out"]
    w("## Files\n")
    w(f"`{os.path.relpath(out, ROOT) if out.startswith(ROOT) else out}/`: machine.json, serve.json, spike.json, "
      f"soak.json, scale.json{', gzip.json' if d.get('gzip') else ''}{', fleet.json' if d.get('fleet') else ''} "
      "(every run, every sample)"
      f"{''.join(', ' + fn for fn in d.get('soak_long', {}))}{', hostile.json' if d.get('hostile') else ''}"
      f"{', chaos.json' if d.get('chaos') else ''}{', fuzz.json' if d.get('fuzz') else ''} and the PNGs "
      "above. The baseline is "
      "`bench/baseline/sensor_baseline.py` (with `--original`, the original design); the wrk script "
      "`bench/wrk/stats.lua`.\n")
