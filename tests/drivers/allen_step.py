"""Somatic current step on an Allen cell, built by this project or by allensdk's utilities.

usage: python allen_step.py {ours,allensdk} CELL LIBRARY AMP_NA OUT_JSON

Runs in a fresh process started in an empty folder (the parent never imports neuron). Both
builds load the same compiled mechanisms (this project's ``allen`` catalogue and synapses)
and run the same protocol: fixed step ``simulation.dt_ms`` of the spec, ``v_init`` and
``celsius`` of the fit file, a step of AMP_NA nA from 100 to 600 ms at soma[0](0.5), 700 ms.
Writes the soma voltage (mV, NEURON's own, no junction potential) every 0.1 ms and the
spike times (ms).
"""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

from benchmark.cells import data_files, registry
from benchmark.simulation.worker import detect_spikes

DELAY_MS, DURATION_MS, TSTOP_MS, SAMPLE_MS = 100.0, 500.0, 700.0, 0.1


def build_ours(spec_data: dict, files: dict) -> tuple[object, object]:
    from benchmark.simulation.nrn import builders

    cell = builders.get(spec_data["builder"])(spec_data, files)
    return cell, cell.soma


def build_allensdk(spec_data: dict, files: dict) -> tuple[object, object]:
    from allensdk.model.biophysical import utils as sdk_utils
    from neuron import h

    params = spec_data["parameters"]
    fit = json.loads(Path(files[params["fit_file"]]).read_text())
    perisomatic = params["family"] == "perisomatic"
    model_type = sdk_utils.PERISOMATIC_TYPE if perisomatic else sdk_utils.ALL_ACTIVE_TYPE
    # what allensdk's manifest.json holds for the model (BiophysicalApi.create_manifest);
    # legacy all-active models keep a "truncated" axon
    biophys = [{"model_type": model_type}, {"axon_type": "stub" if perisomatic else "truncated"}]
    description = types.SimpleNamespace(
        data={**fit, "biophys": biophys, "neuron": [{"hoc": ["stdgui.hoc", "import3d.hoc"]}]},
        manifest=None)
    utils = sdk_utils.create_utils(description, model_type)
    utils.generate_morphology(files[params["morphology_file"]])
    utils.load_cell_parameters()
    return utils, h.soma[0](0.5)


def main() -> None:
    mode, cell_name, library, amp_na, out = sys.argv[1:6]
    from neuron import h

    from benchmark.simulation.nrn import simulator

    simulator.load_mechanisms(library)
    h.load_file("stdrun.hoc")
    spec = registry.get(cell_name)
    spec_data, files = dict(spec.data), data_files.ensure(spec)
    keep, soma = (build_ours if mode == "ours" else build_allensdk)(spec_data, files)
    fit = json.loads(Path(files[spec_data["parameters"]["fit_file"]]).read_text())
    conditions = fit["conditions"][0]
    clamp = h.IClamp(soma)
    clamp.delay, clamp.dur, clamp.amp = DELAY_MS, DURATION_MS, float(amp_na)
    dt = float(spec_data["simulation"]["dt_ms"])
    h.dt, h.steps_per_ms, h.tstop = dt, 1.0 / dt, TSTOP_MS
    h.secondorder = 0
    h.celsius = float(conditions["celsius"])
    v = h.Vector().record(soma._ref_v, SAMPLE_MS)
    h.finitialize(float(conditions["v_init"]))
    h.continuerun(TSTOP_MS)
    trace = v.as_numpy().copy()
    spikes = detect_spikes(trace, SAMPLE_MS, -20.0)
    Path(out).write_text(json.dumps({"v_mv": trace.tolist(), "spikes_ms": spikes.tolist(),
                                     "n_sections": len(list(h.allsec())),
                                     "n_segments": int(sum(s.nseg for s in h.allsec()))}))
    del keep


if __name__ == "__main__":
    main()
