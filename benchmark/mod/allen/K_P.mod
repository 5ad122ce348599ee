COMMENT
K_P: slow, persistent (slowly inactivating) potassium current (Allen version).

Kinetics: Korngreen A, Sakmann B (2000) Voltage-gated K+ channels in layer 5 neocortical
pyramidal neurones from young rats: subtypes and gradients. J Physiol 525:621-639.
Allen version: Gouwens NW, Berg J, Feng D, Sorensen SA, Zeng H, Hawrylycz MJ, Koch C,
Arkhipov A (2018) Systematic generation of biophysically detailed models for diverse cortical
neuron types. Nat Commun 9:710 (and its Supplementary Information, table of channel models).
Used by the Allen Cell Types Database "Biophysical - perisomatic" models (soma).

Written for NeuroDepth from the published equations.

    ik = gbar * m^2 * h * (v - ek)
    with u = v - vshift:
    mInf = 1/(1 + exp(-(u + 14.3)/14.6))
    mTau = tauF (1.25 + 175.03 exp(0.026 u))/qt     for u < -50 mV
         = tauF (1.25 + 13 exp(-0.026 u))/qt        for u >= -50 mV
    hInf = 1/(1 + exp((u + 54)/11))
    hTau = (360 + (1010 + 24 (u + 55)) exp(-((u + 75)/48)^2))/qt
    defaults: vshift = 0 mV, tauF = 1 (both GLOBAL).

The two branches of mTau almost meet at u = -50 mV (both 48.951 ms times tauF/qt; the jump
is 4e-4 ms).

Differences from the Hay 2011 K_Pst: the activation curve is the Allen refit (half
activation -14.3 mV, slope 14.6 mV, where Hay has -11 mV, 12 mV after its shift), there is
no built-in +10 mV junction shift (vshift is a parameter instead, so the time-constant and
inactivation curves lie 10 mV more positive than Hay's), mTau has the scale factor tauF, and
qt depends on celsius.

Temperature: qt = 2.3^((celsius - 21)/10) (2.95 at 34 degC).

Units: v, ek, vshift (mV); gbar, g (S/cm2); ik (mA/cm2); mTau, hTau (ms);
tauF, m, h, mInf, hInf (1).
ENDCOMMENT

NEURON {
    SUFFIX K_P
    USEION k READ ek WRITE ik
    RANGE gbar, g, ik
    RANGE mInf, mTau, hInf, hTau
    GLOBAL vshift, tauF
    THREADSAFE
}

UNITS {
    (S) = (siemens)
    (mV) = (millivolt)
    (mA) = (milliamp)
}

PARAMETER {
    gbar = 0.00001 (S/cm2)   : maximal conductance
    vshift = 0 (mV)          : shift of every voltage dependence
    tauF = 1 (1)             : scale factor of the activation time constant
}

ASSIGNED {
    v (mV)                 : membrane potential
    celsius (degC)         : temperature
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
    g = gbar * m * m * h
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
    LOCAL qt, u
    qt = 2.3^((celsius - 21) / 10)
    u = v - vshift
    mInf = 1 / (1 + exp(-(u + 14.3) / 14.6))
    if (u < -50) {
        mTau = tauF * (1.25 + 175.03 * exp(0.026 * u)) / qt
    } else {
        mTau = tauF * (1.25 + 13 * exp(-0.026 * u)) / qt
    }
    hInf = 1 / (1 + exp((u + 54) / 11))
    hTau = (360 + (1010 + 24 * (u + 55)) * exp(-((u + 75) / 48)^2)) / qt
}
