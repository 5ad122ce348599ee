COMMENT
Kv2like: delayed-rectifier, Kv2-like potassium current with two inactivation processes
(Allen version).

Kinetics: Liu PW, Bean BP (2014) Kv2 channel regulation of action potential repolarization
and firing patterns in superior cervical ganglion neurons and hippocampal CA1 pyramidal
neurons. J Neurosci 34:4991-5002 (guangxitoxin-sensitive current of mouse CA1 pyramidal
neurons); the equations are those of the Kv model of Keren N, Peled N, Korngreen A (2005)
Constraining compartmental models using multiple voltage recordings and genetic algorithms.
J Neurophysiol 94:3730-3742, with parameters adjusted by the Allen Institute to resemble the
Liu & Bean current.
Allen version: Gouwens NW, Berg J, Feng D, Sorensen SA, Zeng H, Hawrylycz MJ, Koch C,
Arkhipov A (2018) Systematic generation of biophysically detailed models for diverse cortical
neuron types. Nat Commun 9:710 (and its Supplementary Information, table of channel models).
Used by the Allen Cell Types Database "Biophysical - all active" models (legacy format).

Written for NeuroDepth from the published equations.

    ik = gbar * m^2 * (h1 + h2)/2 * (v - ek)
    mAlpha = 0.12 (43 - v)/(exp((43 - v)/11) - 1)
    mBeta  = 0.02 exp(-(v + 1.27)/120)
    mInf = mAlpha/(mAlpha + mBeta),  mTau = 2.5/(mAlpha + mBeta)/qt
    hInf = 1/(1 + exp((v + 58)/11))        (shared by h1 and h2)
    h1Tau = (360 + (1010 + 23.7 (v + 54)) exp(-((v + 75)/48)^2))/qt
    h2Tau = (2350 + 1380 exp(-0.011 v) - 210 exp(-0.03 v))/qt

Within 1e-6 mV of the removable singularity of mAlpha (v = 43 mV) the rates are evaluated at
43 + 1e-4 mV. Caution (as in the Allen model): h2Tau changes sign near v = -119 mV, so the
h2 gate is only meaningful above that potential; h1Tau stays positive at every v.

Temperature: qt = 2.3^((celsius - 21)/10) (2.95 at 34 degC).

Units: v, ek (mV); gbar, g (S/cm2); ik (mA/cm2); mTau, h1Tau, h2Tau (ms);
mAlpha, mBeta (1/ms); m, h1, h2, mInf, hInf (1).
ENDCOMMENT

NEURON {
    SUFFIX Kv2like
    USEION k READ ek WRITE ik
    RANGE gbar, g, ik
    RANGE mInf, mTau, hInf, h1Tau, h2Tau
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
    hInf (1)               : inactivation steady state (both processes)
    h1Tau (ms)             : time constant of the faster inactivation
    h2Tau (ms)             : time constant of the slower inactivation
}

STATE {
    m (1)
    h1 (1)
    h2 (1)
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    g = gbar * m * m * 0.5 * (h1 + h2)
    ik = g * (v - ek)
}

DERIVATIVE states {
    rates()
    m' = (mInf - m) / mTau
    h1' = (hInf - h1) / h1Tau
    h2' = (hInf - h2) / h2Tau
}

INITIAL {
    rates()
    m = mInf
    h1 = hInf
    h2 = hInf
}

PROCEDURE rates() {
    LOCAL qt, u, mAlpha, mBeta
    qt = 2.3^((celsius - 21) / 10)
    u = v
    if (fabs(u - 43) < 1e-6) {
        u = 43 + 1e-4
    }
    mAlpha = 0.12 * (43 - u) / (exp((43 - u) / 11) - 1)
    mBeta = 0.02 * exp(-(u + 1.27) / 120)
    mInf = mAlpha / (mAlpha + mBeta)
    mTau = 2.5 / (mAlpha + mBeta) / qt
    hInf = 1 / (1 + exp((v + 58) / 11))
    h1Tau = (360 + (1010 + 23.7 * (v + 54)) * exp(-((v + 75) / 48)^2)) / qt
    h2Tau = (2350 + 1380 * exp(-0.011 * v) - 210 * exp(-0.03 * v)) / qt
}
