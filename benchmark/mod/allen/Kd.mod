COMMENT
Kd: slowly inactivating, D-type (Kv1-like) potassium current (Allen version).

Kinetics: Foust AJ, Yu Y, Popovic M, Zecevic D, McCormick DA (2011) Somatic membrane potential
and Kv1 channels control spike repolarization in cortical axon collaterals and presynaptic
boutons. J Neurosci 31:15490-15498.
Allen version: Gouwens NW, Berg J, Feng D, Sorensen SA, Zeng H, Hawrylycz MJ, Koch C,
Arkhipov A (2018) Systematic generation of biophysically detailed models for diverse cortical
neuron types. Nat Commun 9:710 (and its Supplementary Information, table of channel models).
Used by the Allen Cell Types Database "Biophysical - all active" models (legacy format).

Written for NeuroDepth from the published equations.

    ik = gbar * m * h * (v - ek)
    mInf = 1 - 1/(1 + exp((v + 43)/8)),   mTau = 1 ms
    hInf = 1/(1 + exp((v + 67)/7.3)),     hTau = 1500 ms

Temperature: none; the Allen model applies no Q10 factor to this channel (the time constants
are fixed numbers).

Units: v, ek (mV); gbar, g (S/cm2); ik (mA/cm2); mTau, hTau (ms); m, h, mInf, hInf (1).
ENDCOMMENT

NEURON {
    SUFFIX Kd
    USEION k READ ek WRITE ik
    RANGE gbar, g, ik
    RANGE mInf, mTau, hInf, hTau
    THREADSAFE
}

UNITS {
    (S) = (siemens)
    (mV) = (millivolt)
    (mA) = (milliamp)
}

PARAMETER {
    gbar = 0.00001 (S/cm2)   : maximal conductance
}

ASSIGNED {
    v (mV)                 : membrane potential
    ek (mV)                : potassium reversal potential
    ik (mA/cm2)            : potassium current
    g (S/cm2)              : open conductance
    mInf (1)               : activation steady state
    mTau (ms)              : activation time constant
    hInf (1)               : inactivation steady state
    hTau (ms)              : inactivation time constant
}

STATE {
    m (1)
    h (1)
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    g = gbar * m * h
    ik = g * (v - ek)
}

DERIVATIVE states {
    rates()
    m' = (mInf - m) / mTau
    h' = (hInf - h) / hTau
}

INITIAL {
    rates()
    m = mInf
    h = hInf
}

PROCEDURE rates() {
    mInf = 1 - 1 / (1 + exp((v + 43) / 8))
    mTau = 1
    hInf = 1 / (1 + exp((v + 67) / 7.3))
    hTau = 1500
}
