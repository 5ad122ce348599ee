COMMENT
Ca_HVA: high-voltage-activated calcium current.

Kinetics: Reuveni I, Friedman A, Amitai Y, Gutnick MJ (1993) Stepwise repolarization from Ca2+
plateaus in neocortical pyramidal cells: evidence for nonhomogeneous distribution of HVA Ca2+
channels in dendrites. J Neurosci 13:4609-4621.
As used in Hay E, Hill S, Schuermann F, Markram H, Segev I (2011) PLoS Comput Biol 7:e1002107
("Models of neocortical layer 5b pyramidal cells capturing a wide range of dendritic and
perisomatic active properties"; ModelDB 139653).

Written for NeuroDepth from the published equations.

    ica = gCa_HVAbar * m^2 * h * (v - eca)
    m: alpha = 0.055 (-27 - v)/(exp((-27 - v)/3.8) - 1),  beta = 0.94 exp((-75 - v)/17)
    h: alpha = 0.000457 exp((-13 - v)/50),                beta = 0.0065/(exp((-v - 15)/28) + 1)
    xInf = alpha/(alpha + beta), xTau = 1/(alpha + beta)

Within 1e-6 mV of the removable singularity of mAlpha (v = -27 mV) the rate is evaluated at
-27 + 1e-4 mV (both m rates), as the published model does for v exactly -27.

Temperature: none; the published model applies no Q10 factor to this channel.

Units: v, eca (mV); gCa_HVAbar, gCa_HVA (S/cm2); ica (mA/cm2); mTau, hTau (ms);
m, h, mInf, hInf (1).
ENDCOMMENT

NEURON {
    SUFFIX Ca_HVA
    USEION ca READ eca WRITE ica
    RANGE gCa_HVAbar, gCa_HVA, ica
    RANGE mInf, mTau, hInf, hTau
    THREADSAFE
}

UNITS {
    (S) = (siemens)
    (mV) = (millivolt)
    (mA) = (milliamp)
}

PARAMETER {
    gCa_HVAbar = 0.00001 (S/cm2)   : maximal conductance
}

ASSIGNED {
    v (mV)                 : membrane potential
    eca (mV)               : calcium reversal potential
    ica (mA/cm2)           : calcium current
    gCa_HVA (S/cm2)        : open conductance
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
    gCa_HVA = gCa_HVAbar * m * m * h
    ica = gCa_HVA * (v - eca)
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
    LOCAL vm, mAlpha, mBeta, hAlpha, hBeta
    vm = v
    if (fabs(vm + 27) < 1e-6) {
        vm = -27 + 1e-4
    }
    mAlpha = 0.055 * (-27 - vm) / (exp((-27 - vm) / 3.8) - 1)
    mBeta = 0.94 * exp((-75 - vm) / 17)
    mInf = mAlpha / (mAlpha + mBeta)
    mTau = 1 / (mAlpha + mBeta)
    hAlpha = 0.000457 * exp((-13 - v) / 50)
    hBeta = 0.0065 / (exp((-v - 15) / 28) + 1)
    hInf = hAlpha / (hAlpha + hBeta)
    hTau = 1 / (hAlpha + hBeta)
}
