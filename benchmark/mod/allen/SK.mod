COMMENT
SK: small-conductance calcium-activated potassium current (SK, KCa2), Allen version.

Kinetics: Kohler M, Hirschberg B, Bond CT, Kinzie JM, Marrion NV, Maylie J, Adelman JP (1996)
Small-conductance, calcium-activated potassium channels from mammalian brain. Science
273:1709-1714 (Hill fit: half activation 0.43 uM, Hill coefficient 4.8).
Allen version: Gouwens NW, Berg J, Feng D, Sorensen SA, Zeng H, Hawrylycz MJ, Koch C,
Arkhipov A (2018) Systematic generation of biophysically detailed models for diverse cortical
neuron types. Nat Commun 9:710 (and its Supplementary Information, table of channel models).
Used by all Allen families: perisomatic, legacy all-active, and the newer all-active models
of Nandi A et al. (2022) Cell Reports 40:111176 ("Single-neuron models linking
electrophysiology, morphology, and transcriptomics across cortical cell types").

Written for NeuroDepth from the published equations.

    ik = gbar * z * (v - ek)
    zInf = 1/(1 + (0.00043/ca)^4.8),  ca = cai (mM), plus 1e-7 mM when cai < 1e-7 mM
    zTau = 1 ms (GLOBAL)

The gate depends on the intracellular calcium concentration only (no voltage dependence).
The 1e-7 mM guard keeps zInf defined at cai = 0; it changes only the local value used for
zInf, never cai itself. The same kinetics as the Hay 2011 SK_E2, with the Allen names.

Temperature: none; the Allen model applies no Q10 factor to this channel.

Units: v, ek (mV); cai (mM); gbar, g (S/cm2); ik (mA/cm2); zTau (ms); z, zInf (1).
ENDCOMMENT

NEURON {
    SUFFIX SK
    USEION k READ ek WRITE ik
    USEION ca READ cai
    RANGE gbar, g, ik
    RANGE zInf
    GLOBAL zTau
    THREADSAFE
}

UNITS {
    (S) = (siemens)
    (mV) = (millivolt)
    (mA) = (milliamp)
    (mM) = (milli/liter)
}

PARAMETER {
    gbar = 0.000001 (S/cm2)  : maximal conductance
    zTau = 1 (ms)            : activation time constant
}

ASSIGNED {
    v (mV)                 : membrane potential
    ek (mV)                : potassium reversal potential
    cai (mM)               : intracellular calcium concentration
    ik (mA/cm2)            : potassium current
    g (S/cm2)              : open conductance
    zInf (1)               : activation steady state
}

STATE {
    z (1)
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    g = gbar * z
    ik = g * (v - ek)
}

DERIVATIVE states {
    rates(cai)
    z' = (zInf - z) / zTau
}

INITIAL {
    rates(cai)
    z = zInf
}

PROCEDURE rates(conc (mM)) {
    LOCAL c
    c = conc
    if (c < 1e-7) {
        c = c + 1e-7
    }
    zInf = 1 / (1 + (0.00043 / c)^4.8)
}
