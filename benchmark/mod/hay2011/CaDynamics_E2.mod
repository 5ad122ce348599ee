COMMENT
CaDynamics_E2: intracellular calcium in a submembrane shell with first-order removal.

Model: the Hay 2011 calcium buffer model (free fraction gamma, first-order removal `decay`),
as used in Hay E, Hill S, Schuermann F, Markram H, Segev I (2011) PLoS Comput Biol 7:e1002107
("Models of neocortical layer 5b pyramidal cells capturing a wide range of dendritic and
perisomatic active properties"; ModelDB 139653).

Written for NeuroDepth from the published equations.

    dcai/dt = -k * gamma * ica / (2 F depth) - (cai - minCai)/decay,   k = 10000

Calcium entering through the membrane (ica, inward negative) fills a shell of thickness
`depth` under the membrane; only the fraction `gamma` stays free (the rest is taken up by fast
buffers), and free calcium relaxes to `minCai` with time constant `decay` (pumps, slow
buffers, diffusion).

Unit factor k: ica in mA/cm2 = 1e-3 C/(s cm2); F in C/mol; depth in um = 1e-4 cm; so
ica/(2 F depth) in numbers is 1e-3/1e-4 = 10 mol/(s cm3) per unit = 1e4 mol/(s L) = 1e7 mM/s
= 1e4 mM/ms. Hence k = 10000 gives dcai/dt in mM/ms.
Steady state under a constant ica: cai = minCai - decay * k * gamma * ica / (2 F depth).

Initial value: like the published model this file has no INITIAL assignment to cai; cai
starts from the calcium ion's initial value (cai0_ca_ion, NEURON default 5e-5 mM) and relaxes
to minCai with time constant `decay`.

Units: ica (mA/cm2); cai, minCai (mM); decay (ms); depth (um); gamma (1); F (coulombs/mol).
ENDCOMMENT

NEURON {
    SUFFIX CaDynamics_E2
    USEION ca READ ica WRITE cai
    RANGE decay, gamma, minCai, depth
    THREADSAFE
}

UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
    (mM) = (milli/liter)
    (um) = (micron)
    FARADAY = (faraday) (coulombs)
}

PARAMETER {
    gamma = 0.05 (1)       : fraction of free calcium (not buffered)
    decay = 80 (ms)        : time constant of calcium removal
    depth = 0.1 (um)       : depth of the submembrane shell
    minCai = 1e-4 (mM)     : resting (minimal) calcium concentration
}

ASSIGNED {
    ica (mA/cm2)           : calcium current
}

STATE {
    cai (mM)               : free intracellular calcium concentration
}

BREAKPOINT {
    SOLVE states METHOD cnexp
}

DERIVATIVE states {
    cai' = -(10000) * (ica * gamma / (2 * FARADAY * depth)) - (cai - minCai) / decay
}
