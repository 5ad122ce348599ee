"""Teacher cells: fixed networks of known depth that stand in for a neuron.

A teacher is simulated without NEURON: its inputs are drawn by the common protocol on a
real cell's input layout (:mod:`.layout`), and its network is either constructed from its
seed by documented code (:mod:`.network`, checked against the weights hash its cell.toml
pins) or found by training (:mod:`.found`, a trained network read from a weights file its
cell.toml pins by sha256). One forward pass over a shard's simulations gives their spike
probabilities per 1 ms (from which spikes are drawn with a seeded generator) and their
voltage (from the voltage head). :mod:`.cell` is the engine's cell object, used by the
simulation worker in place of a NEURON cell.
"""
