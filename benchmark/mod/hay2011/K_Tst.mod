COMMENT
K_Tst: fast, transient (A-type) potassium current.

Kinetics: Korngreen A, Sakmann B (2000) Voltage-gated K+ channels in layer 5 neocortical
pyramidal neurones from young rats: subtypes and gradients. J Physiol 525:621-639.
As used in Hay E, Hill S, Schuermann F, Markram H, Segev I (2011) PLoS Comput Biol 7:e1002107
("Models of neocortical layer 5b pyramidal cells capturing a wide range of dendritic and
perisomatic active properties"; ModelDB 139653).

Written for NeuroDepth from the published equations.

    ik = gK_Tstbar * m^4 * h * (v - ek)
    with vs = v + 10 (see below):
    mInf = 1/(1 + exp(-(vs + 0)/19))
    mTau = (0.34 + 0.92 exp(-((vs + 71)/59)^2))/qt
    hInf = 1/(1 + exp(-(vs + 66)/-10))
    hTau = (8 + 49 exp(-((vs + 73)/23)^2))/qt

Voltage shift: the Korngreen & Sakmann curves were measured without correcting the liquid
junction potential; the published Hay 2011 mechanism evaluates them at v + 10 mV (a 10 mV
hyperpolarising shift of every curve). This file does the same, so e.g.
mInf = 1/(1 + exp(-(v + 10)/19)).

Temperature: qt = 2.3^((34 - 21)/10), computed from the constant 34 degC as in the published
model; `celsius` is NOT used.

Units: v, ek (mV); gK_Tstbar, gK_Tst (S/cm2); ik (mA/cm2); mTau, hTau (ms);
m, h, mInf, hInf (1).
ENDCOMMENT

NEURON {
    SUFFIX K_Tst
    USEION k READ ek WRITE ik
    RANGE gK_Tstbar, gK_Tst, ik
    RANGE mInf, mTau, hInf, hTau
    THREADSAFE
}

UNITS {
    (S) = (siemens)
    (mV) = (millivolt)
    (mA) = (milliamp)
}

PARAMETER {
    gK_Tstbar = 0.00001 (S/cm2)   : maximal conductance
}

ASSIGNED {
    v (mV)                 : membrane potential
    ek (mV)                : potassium reversal potential
    ik (mA/cm2)            : potassium current
    gK_Tst (S/cm2)         : open conductance
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
    gK_Tst = gK_Tstbar * m * m * m * m * h
    ik = gK_Tst * (v - ek)
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
    mInf = 1 / (1 + exp(-(vs + 0) / 19))
    mTau = (0.34 + 0.92 * exp(-((vs + 71) / 59)^2)) / qt
    hInf = 1 / (1 + exp(-(vs + 66) / -10))
    hTau = (8 + 49 * exp(-((vs + 73) / 23)^2)) / qt
}
