"""Model building and simulation with NEURON; imported only inside worker processes, except
the parent-safe half of :mod:`benchmark.simulation.nrn.simulator` (settings checks,
sampling and spike detection: it imports ``neuron`` only inside its NEURON-side functions)."""
