COMMENT
Im: muscarinic (M-type, KCNQ) potassium current (Allen version).

Kinetics: Adams PR, Brown DA, Constanti A (1982) M-currents and other potassium currents in
bullfrog sympathetic neurones. J Physiol 330:537-572.
Allen version: Gouwens NW, Berg J, Feng D, Sorensen SA, Zeng H, Hawrylycz MJ, Koch C,
Arkhipov A (2018) Systematic generation of biophysically detailed models for diverse cortical
neuron types. Nat Commun 9:710 (and its Supplementary Information, table of channel models).
Used by the Allen perisomatic models and, unchanged, by the newer all-active models of
Nandi A et al. (2022) Cell Reports 40:111176 ("Single-neuron models linking
electrophysiology, morphology, and transcriptomics across cortical cell types").

Written for NeuroDepth from the published equations.

    ik = gbar * m * (v - ek)
    mAlpha = 0.0033 exp(0.1 (v + 35)),   mBeta = 0.0033 exp(-0.1 (v + 35))
    mInf = mAlpha/(mAlpha + mBeta),      mTau = 1/(mAlpha + mBeta)/qt

Differences from the Hay 2011 Im: the same rates, but with the Allen names (gbar, g) and a
celsius-dependent qt (the same value as Hay's fixed factor at 34 degC).

Temperature: qt = 2.3^((celsius - 21)/10) (2.95 at 34 degC).

Units: v, ek (mV); gbar, g (S/cm2); ik (mA/cm2); mTau (ms); mAlpha, mBeta (1/ms);
m, mInf (1).
ENDCOMMENT

NEURON {
    SUFFIX Im
    USEION k READ ek WRITE ik
    RANGE gbar, g, ik
    RANGE mInf, mTau
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
    celsius (degC)         : temperature
    ek (mV)                : potassium reversal potential
    ik (mA/cm2)            : potassium current
    g (S/cm2)              : open conductance
    mInf (1)               : activation steady state
    mTau (ms)              : activation time constant
}

STATE {
    m (1)
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    g = gbar * m
    ik = g * (v - ek)
}

DERIVATIVE states {
    rates()
    m' = (mInf - m) / mTau
}

INITIAL {
    rates()
    m = mInf
}

PROCEDURE rates() {
    LOCAL qt, mAlpha, mBeta
    qt = 2.3^((celsius - 21) / 10)
    mAlpha = 0.0033 * exp(0.1 * (v + 35))
    mBeta = 0.0033 * exp(-0.1 * (v + 35))
    mInf = mAlpha / (mAlpha + mBeta)
    mTau = 1 / (mAlpha + mBeta) / qt
}
