COMMENT
Im_v2: muscarinic (M-type, Kv7/KCNQ) potassium current, second Allen version.

Kinetics: Vervaeke K, Gu N, Agdestein C, Hu H, Storm JF (2006) Kv7/KCNQ/M-channels in rat
glutamatergic hippocampal axons and their role in regulation of excitability and transmitter
release. J Physiol 576:235-256 (M-current model of CA1 pyramidal cells; Eyring-type rates
with valence 6 and asymmetry 0.4, and a 15 ms minimum time constant).
Allen version: Gouwens NW, Berg J, Feng D, Sorensen SA, Zeng H, Hawrylycz MJ, Koch C,
Arkhipov A (2018) Systematic generation of biophysically detailed models for diverse cortical
neuron types. Nat Commun 9:710 (and its Supplementary Information, table of channel models).
Used by the Allen Cell Types Database "Biophysical - all active" models (legacy format).

Written for NeuroDepth from the published equations.

    ik = gbar * m * (v - ek)
    mAlpha = 0.007 exp( 6 * 0.4 * (v + 48)/26.12)
    mBeta  = 0.007 exp(-6 * 0.6 * (v + 48)/26.12)
    mInf = mAlpha/(mAlpha + mBeta)
    mTau = (15 + 1/(mAlpha + mBeta))/qt

(26.12 mV is RT/F near 30 degC; the rates are fixed at that value and not recomputed.)

Temperature: qt = 2.3^((celsius - 30)/10) (1.40 at 34 degC).

Units: v, ek (mV); gbar, g (S/cm2); ik (mA/cm2); mTau (ms); mAlpha, mBeta (1/ms);
m, mInf (1).
ENDCOMMENT

NEURON {
    SUFFIX Im_v2
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
    qt = 2.3^((celsius - 30) / 10)
    mAlpha = 0.007 * exp(6 * 0.4 * (v + 48) / 26.12)
    mBeta = 0.007 * exp(-6 * 0.6 * (v + 48) / 26.12)
    mInf = mAlpha / (mAlpha + mBeta)
    mTau = (15 + 1 / (mAlpha + mBeta)) / qt
}
