"""Model building and simulation with NEURON; imported only inside worker processes."""
