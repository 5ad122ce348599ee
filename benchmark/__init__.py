"""NeuroDepth: how deep is a neuron?

Simulate a cell model with NEURON under one common random synaptic-input protocol, fit
causal temporal convolutional networks of increasing depth to its input -> output, and
score the cell by the smallest depth that reproduces it.
"""

__version__ = "0.1.0"
