"""Somatic current steps of a cell at two integration settings, side by side.

usage: python benchmarks/steps_settings.py --cell allen_human_541557114
           [--settings euler-0.025 cn-0.05] [--amplitudes 0.2,0.4,0.8,2.0]

Runs the ``fi_curve`` probe (500 ms steps from the settled state) of the cell at each
setting in one worker pool, and prints one JSON object: per setting and amplitude (nA) the
spike count, the upward 0 mV crossings, the peak soma voltage (mV) and the spike times
(ms from the step's start); and the differences that the validate tier ``integration``
(:mod:`benchmark.simulation.integration`) would report between the first setting and each
other. These are the tables of the cells' READMEs ("Integration setting").

Settings: ``euler-<dt_ms>`` (backward Euler) or ``cn-<dt_ms>`` (Crank-Nicolson).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmark.cells import registry
from benchmark.simulation import integration, physiology

METHODS = {"euler": "backward_euler", "cn": "crank_nicolson"}


def setting(text: str) -> integration.Setting:
    method, _, dt = text.partition("-")
    if method not in METHODS or not dt:
        raise SystemExit(f"--settings: '{text}' is not euler-<dt_ms> or cn-<dt_ms>")
    return integration.Setting(float(dt), METHODS[method])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cell", required=True)
    parser.add_argument("--settings", nargs="+", default=["euler-0.025", "cn-0.05"])
    parser.add_argument("--amplitudes", default=",".join(
        f"{a:g}" for a in integration.STEP_AMPLITUDES_NA))
    args = parser.parse_args()
    spec = registry.get(args.cell)
    settings = [setting(s) for s in args.settings]
    amps = [float(a) for a in args.amplitudes.split(",")]
    jobs = [(integration.at_setting(spec, s), [("fi_curve", {"amplitudes_na": amps})])
            for s in settings]
    results = [r[0]["steps"] for r in physiology.measure_cells(jobs, n_workers=2)]
    out = {"cell": spec.name, "version": spec.data["version"], "amplitudes_na": amps,
           "settings": {str(s): [{k: row[k] for k in ("amplitude_na", "n_spikes",
                                                     "zero_crossings", "v_max_mv",
                                                     "spike_times_ms")} for row in steps]
                        for s, steps in zip(settings, results, strict=True)},
           "differences": {str(s): integration.step_differences(results[0], steps)
                           for s, steps in zip(settings[1:], results[1:], strict=True)}}
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
