COMMENT
K_T: fast, transient (A-type) potassium current (Allen version).

Kinetics: Korngreen A, Sakmann B (2000) Voltage-gated K+ channels in layer 5 neocortical
pyramidal neurones from young rats: subtypes and gradients. J Physiol 525:621-639.
Allen version: Gouwens NW, Berg J, Feng D, Sorensen SA, Zeng H, Hawrylycz MJ, Koch C,
Arkhipov A (2018) Systematic generation of biophysically detailed models for diverse cortical
neuron types. Nat Commun 9:710 (and its Supplementary Information, table of channel models).
Used by the Allen Cell Types Database "Biophysical - perisomatic" models (soma) and the
legacy "Biophysical - all active" models.

Written for NeuroDepth from the published equations.

    ik = gbar * m^4 * h * (v - ek)
    with u = v - vshift:
    mInf = 1/(1 + exp(-(u + 47)/29))
    mTau = (0.34 + mTauF 0.92 exp(-((u + 71)/59)^2))/qt
    hInf = 1/(1 + exp((u + 66)/10))
    hTau = (8 + hTauF 49 exp(-((u + 73)/23)^2))/qt
    defaults: vshift = 0 mV, mTauF = hTauF = 1 (all GLOBAL).

Differences from the Hay 2011 K_Tst: the activation curve is the Allen refit (half activation
-47 mV, slope 29 mV, where Hay has -10 mV, 19 mV after its shift), there is no built-in
+10 mV junction shift (vshift is a parameter instead, so the time-constant and inactivation
curves lie 10 mV more positive than Hay's), the voltage-dependent parts of the time constants
have scale factors, and qt depends on celsius.

Temperature: qt = 2.3^((celsius - 21)/10) (2.95 at 34 degC).

Units: v, ek, vshift (mV); gbar, g (S/cm2); ik (mA/cm2); mTau, hTau (ms);
mTauF, hTauF, m, h, mInf, hInf (1).
ENDCOMMENT

NEURON {
    SUFFIX K_T
    USEION k READ ek WRITE ik
    RANGE gbar, g, ik
    RANGE mInf, mTau, hInf, hTau
    GLOBAL vshift, mTauF, hTauF
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
    mTauF = 1 (1)            : scale of the voltage-dependent part of mTau
    hTauF = 1 (1)            : scale of the voltage-dependent part of hTau
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
    g = gbar * m * m * m * m * h
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
    mInf = 1 / (1 + exp(-(u + 47) / 29))
    mTau = (0.34 + mTauF * 0.92 * exp(-((u + 71) / 59)^2)) / qt
    hInf = 1 / (1 + exp((u + 66) / 10))
    hTau = (8 + hTauF * 49 * exp(-((u + 73) / 23)^2)) / qt
}
