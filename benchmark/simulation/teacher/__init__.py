"""Teacher cells: fixed networks of known depth that stand in for a neuron.

A teacher is simulated without NEURON: its inputs are drawn by the common protocol on a
real cell's input layout (:mod:`.layout`), its network (:mod:`.network`) is built from its
seed by documented code and checked against the weights hash its cell.toml pins, and one
forward pass over a shard's simulations gives their spike probabilities per 1 ms (from
which spikes are drawn with a seeded generator) and their voltage (from the voltage head).
:mod:`.cell` is the engine's cell object, used by the simulation worker in place of a
NEURON cell.
"""
