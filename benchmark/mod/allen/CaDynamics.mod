COMMENT
CaDynamics: intracellular calcium in a submembrane shell with first-order removal, Allen
version.

Model: first-order calcium removal after Destexhe A, Babloyantz A, Sejnowski TJ (1993)
Ionic mechanisms for intrinsic slow oscillations in thalamic relay neurons. Biophys J
65:1538-1552, and Destexhe A, Contreras D, Sejnowski TJ, Steriade M (1994) A model of
spindle rhythmicity in the isolated thalamic reticular nucleus. J Neurophysiol 72:803-818;
with the free-calcium fraction gamma of the Hay et al. (2011, PLoS Comput Biol 7:e1002107)
CaDynamics_E2 buffer.
Allen version: Gouwens NW, Berg J, Feng D, Sorensen SA, Zeng H, Hawrylycz MJ, Koch C,
Arkhipov A (2018) Systematic generation of biophysically detailed models for diverse cortical
neuron types. Nat Commun 9:710 (and its Supplementary Information, table of channel models).
Used by all Allen families: perisomatic, legacy all-active, and the newer all-active models
of Nandi A et al. (2022) Cell Reports 40:111176 ("Single-neuron models linking
electrophysiology, morphology, and transcriptomics across cortical cell types"); the fit
files set gamma_CaDynamics and decay_CaDynamics per section.

Written for NeuroDepth from the published equations.

    dcai/dt = -k * gamma * ica / (2 F depth) - (cai - minCai)/decay,   k = 10000
    INITIAL: cai = minCai

Calcium entering through the membrane (ica, inward negative) fills a shell of thickness
`depth` under the membrane; only the fraction `gamma` stays free (the rest is taken up by fast
buffers), and free calcium relaxes to `minCai` with time constant `decay` (pumps, slow
buffers, diffusion).

Unit factor k: ica in mA/cm2 = 1e-3 C/(s cm2); F in C/mol; depth in um = 1e-4 cm; so
ica/(2 F depth) in numbers is 1e-3/1e-4 = 10 mol/(s cm3) per unit = 1e4 mol/(s L) = 1e7 mM/s
= 1e4 mM/ms. Hence k = 10000 gives dcai/dt in mM/ms.
Steady state under a constant ica: cai = minCai - decay * k * gamma * ica / (2 F depth).

Difference from the Hay 2011 CaDynamics_E2: the same equation, but INITIAL sets cai to minCai
(Hay's starts from the calcium ion's initial value cai0_ca_ion).

Units: ica (mA/cm2); cai, minCai (mM); decay (ms); depth (um); gamma (1); F (coulombs/mol).
ENDCOMMENT

NEURON {
    SUFFIX CaDynamics
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

INITIAL {
    cai = minCai
}

BREAKPOINT {
    SOLVE states METHOD cnexp
}

DERIVATIVE states {
    cai' = -10000 * gamma * ica / (2 * FARADAY * depth) - (cai - minCai) / decay
}
