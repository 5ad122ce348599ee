COMMENT
SK_E2: small-conductance calcium-activated potassium current (SK, KCa2).

Kinetics: Kohler M, Hirschberg B, Bond CT, Kinzie JM, Marrion NV, Maylie J, Adelman JP (1996)
Small-conductance, calcium-activated potassium channels from mammalian brain. Science
273:1709-1714 (Hill fit: half activation 0.43 uM, Hill coefficient 4.8).
As used in Hay E, Hill S, Schuermann F, Markram H, Segev I (2011) PLoS Comput Biol 7:e1002107
("Models of neocortical layer 5b pyramidal cells capturing a wide range of dendritic and
perisomatic active properties"; ModelDB 139653).

Written for NeuroDepth from the published equations.

    ik = gSK_E2bar * z * (v - ek)
    zInf = 1/(1 + (0.00043/ca)^4.8),  ca = cai (mM), plus 1e-7 mM when cai < 1e-7 mM
    zTau = 1 ms

The gate depends on the intracellular calcium concentration only (no voltage dependence).
The 1e-7 mM guard (as in the published model) keeps zInf defined at cai = 0; it changes only
the local value used for zInf, never cai itself.

Temperature: none; the published model applies no Q10 factor to this channel.

Units: v, ek (mV); cai (mM); gSK_E2bar, gSK_E2 (S/cm2); ik (mA/cm2); zTau (ms); z, zInf (1).
ENDCOMMENT

NEURON {
    SUFFIX SK_E2
    USEION k READ ek WRITE ik
    USEION ca READ cai
    RANGE gSK_E2bar, gSK_E2, ik
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
    gSK_E2bar = 0.00001 (S/cm2)   : maximal conductance
    zTau = 1 (ms)                 : activation time constant
}

ASSIGNED {
    v (mV)                 : membrane potential
    ek (mV)                : potassium reversal potential
    cai (mM)               : intracellular calcium concentration
    ik (mA/cm2)            : potassium current
    gSK_E2 (S/cm2)         : open conductance
    zInf (1)               : activation steady state
}

STATE {
    z (1)
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    gSK_E2 = gSK_E2bar * z
    ik = gSK_E2 * (v - ek)
}

DERIVATIVE states {
    rates(cai)
    z' = (zInf - z) / zTau
}

INITIAL {
    rates(cai)
    z = zInf
}

PROCEDURE rates(ca (mM)) {
    LOCAL c
    c = ca
    if (c < 1e-7) {
        c = c + 1e-7
    }
    zInf = 1 / (1 + (0.00043 / c)^4.8)
}
