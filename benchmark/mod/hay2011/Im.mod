COMMENT
Im: muscarinic (M-type, KCNQ) potassium current.

Kinetics: Adams PR, Brown DA, Constanti A (1982) M-currents and other potassium currents in
bullfrog sympathetic neurones. J Physiol 330:537-572.
As used in Hay E, Hill S, Schuermann F, Markram H, Segev I (2011) PLoS Comput Biol 7:e1002107
("Models of neocortical layer 5b pyramidal cells capturing a wide range of dendritic and
perisomatic active properties"; ModelDB 139653).

Written for NeuroDepth from the published equations.

    ik = gImbar * m * (v - ek)
    mAlpha = 3.3e-3 exp( 2.5 * 0.04 (v + 35))
    mBeta  = 3.3e-3 exp(-2.5 * 0.04 (v + 35))
    mInf = mAlpha/(mAlpha + mBeta), mTau = 1/(mAlpha + mBeta)/qt

Temperature: qt = 2.3^((34 - 21)/10), computed from the constant 34 degC as in the published
model; `celsius` is NOT used.

Units: v, ek (mV); gImbar, gIm (S/cm2); ik (mA/cm2); mTau (ms); m, mInf (1).
ENDCOMMENT

NEURON {
    SUFFIX Im
    USEION k READ ek WRITE ik
    RANGE gImbar, gIm, ik
    RANGE mInf, mTau
    THREADSAFE
}

UNITS {
    (S) = (siemens)
    (mV) = (millivolt)
    (mA) = (milliamp)
}

PARAMETER {
    gImbar = 0.00001 (S/cm2)   : maximal conductance
}

ASSIGNED {
    v (mV)                 : membrane potential
    ek (mV)                : potassium reversal potential
    ik (mA/cm2)            : potassium current
    gIm (S/cm2)            : open conductance
    mInf (1)               : activation steady state
    mTau (ms)              : activation time constant
}

STATE {
    m (1)
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    gIm = gImbar * m
    ik = gIm * (v - ek)
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
    qt = 2.3^((34 - 21) / 10)   : fixed at 34 degC, independent of celsius
    mAlpha = 3.3e-3 * exp(2.5 * 0.04 * (v + 35))
    mBeta = 3.3e-3 * exp(-2.5 * 0.04 * (v + 35))
    mInf = mAlpha / (mAlpha + mBeta)
    mTau = (1 / (mAlpha + mBeta)) / qt
}
