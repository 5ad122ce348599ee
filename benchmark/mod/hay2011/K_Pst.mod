COMMENT
K_Pst: slow, persistent (slowly inactivating) potassium current.

Kinetics: Korngreen A, Sakmann B (2000) Voltage-gated K+ channels in layer 5 neocortical
pyramidal neurones from young rats: subtypes and gradients. J Physiol 525:621-639.
As used in Hay E, Hill S, Schuermann F, Markram H, Segev I (2011) PLoS Comput Biol 7:e1002107
("Models of neocortical layer 5b pyramidal cells capturing a wide range of dendritic and
perisomatic active properties"; ModelDB 139653).

Written for NeuroDepth from the published equations.

    ik = gK_Pstbar * m^2 * h * (v - ek)
    with vs = v + 10 (see below):
    mInf = 1/(1 + exp(-(vs + 1)/12))
    mTau = (1.25 + 175.03 exp(0.026 vs))/qt    for vs < -50 mV
         = (1.25 + 13 exp(-0.026 vs))/qt       for vs >= -50 mV
    hInf = 1/(1 + exp(-(vs + 54)/-11))
    hTau = (360 + (1010 + 24 (vs + 55)) exp(-((vs + 75)/48)^2))/qt

Voltage shift: the Korngreen & Sakmann curves were measured without correcting the liquid
junction potential; the published Hay 2011 mechanism evaluates them at v + 10 mV (a 10 mV
hyperpolarising shift of every curve, and of the -50 mV break point of mTau, which becomes
v = -60 mV). This file does the same, so e.g. mInf = 1/(1 + exp(-(v + 11)/12)).

Temperature: qt = 2.3^((34 - 21)/10), computed from the constant 34 degC as in the published
model; `celsius` is NOT used.

Units: v, ek (mV); gK_Pstbar, gK_Pst (S/cm2); ik (mA/cm2); mTau, hTau (ms);
m, h, mInf, hInf (1).
ENDCOMMENT

NEURON {
    SUFFIX K_Pst
    USEION k READ ek WRITE ik
    RANGE gK_Pstbar, gK_Pst, ik
    RANGE mInf, mTau, hInf, hTau
    THREADSAFE
}

UNITS {
    (S) = (siemens)
    (mV) = (millivolt)
    (mA) = (milliamp)
}

PARAMETER {
    gK_Pstbar = 0.00001 (S/cm2)   : maximal conductance
}

ASSIGNED {
    v (mV)                 : membrane potential
    ek (mV)                : potassium reversal potential
    ik (mA/cm2)            : potassium current
    gK_Pst (S/cm2)         : open conductance
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
    gK_Pst = gK_Pstbar * m * m * h
    ik = gK_Pst * (v - ek)
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
    LOCAL qt, vs
    qt = 2.3^((34 - 21) / 10)   : fixed at 34 degC, independent of celsius
    vs = v + 10                 : published 10 mV shift (junction potential)
    mInf = 1 / (1 + exp(-(vs + 1) / 12))
    if (vs < -50) {
        mTau = (1.25 + 175.03 * exp(0.026 * vs)) / qt
    } else {
        mTau = (1.25 + 13 * exp(-0.026 * vs)) / qt
    }
    hInf = 1 / (1 + exp(-(vs + 54) / -11))
    hTau = (360 + (1010 + 24 * (vs + 55)) * exp(-((vs + 75) / 48)^2)) / qt
}
