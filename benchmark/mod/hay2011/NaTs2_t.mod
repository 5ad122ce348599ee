COMMENT
NaTs2_t: fast, transient (inactivating) sodium current, somatodendritic variant.

Kinetics: Colbert CM, Pan E (2002) Ion channel properties underlying axonal action potential
initiation in pyramidal neurons. Nat Neurosci 5:533-538.
As used in Hay E, Hill S, Schuermann F, Markram H, Segev I (2011) PLoS Comput Biol 7:e1002107
("Models of neocortical layer 5b pyramidal cells capturing a wide range of dendritic and
perisomatic active properties"; ModelDB 139653).

Written for NeuroDepth from the published equations.

    ina = gNaTs2_tbar * m^3 * h * (v - ena)
    m: alpha = 0.182 (v + 32) / (1 - exp(-(v + 32)/6))
       beta  = 0.124 (-v - 32) / (1 - exp(-(-v - 32)/6))
    h: alpha = -0.015 (v + 60) / (1 - exp((v + 60)/6))
       beta  = -0.015 (-v - 60) / (1 - exp((-v - 60)/6))
    xInf = alpha/(alpha + beta), xTau = 1/(alpha + beta)/qt

Both rates of a gate share one removable singularity (v = -32 for m, v = -60 for h); within
1e-6 mV of it the rates are evaluated at v_half + 1e-4 mV (the published model does the same
for v exactly equal to v_half).

Temperature: qt = 2.3^((34 - 21)/10). As in the published model the factor is computed from
the constant 34 degC (recordings at 21 degC, model at 34 degC); `celsius` is NOT used.

Units: v, ena (mV); gNaTs2_tbar, gNaTs2_t (S/cm2); ina (mA/cm2); mTau, hTau (ms);
mAlpha, mBeta, hAlpha, hBeta (1/ms); m, h, mInf, hInf (1).
ENDCOMMENT

NEURON {
    SUFFIX NaTs2_t
    USEION na READ ena WRITE ina
    RANGE gNaTs2_tbar, gNaTs2_t, ina
    RANGE mInf, mTau, hInf, hTau
    THREADSAFE
}

UNITS {
    (S) = (siemens)
    (mV) = (millivolt)
    (mA) = (milliamp)
}

PARAMETER {
    gNaTs2_tbar = 0.00001 (S/cm2)   : maximal conductance
}

ASSIGNED {
    v (mV)                 : membrane potential
    ena (mV)               : sodium reversal potential
    ina (mA/cm2)           : sodium current
    gNaTs2_t (S/cm2)        : open conductance
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
    gNaTs2_t = gNaTs2_tbar * m * m * m * h
    ina = gNaTs2_t * (v - ena)
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
    LOCAL qt, vm, vh, mAlpha, mBeta, hAlpha, hBeta
    qt = 2.3^((34 - 21) / 10)   : fixed at 34 degC, independent of celsius
    vm = v
    if (fabs(vm + 32) < 1e-6) {
        vm = -32 + 1e-4
    }
    mAlpha = 0.182 * (vm + 32) / (1 - exp(-(vm + 32) / 6))
    mBeta = 0.124 * (-vm - 32) / (1 - exp(-(-vm - 32) / 6))
    mInf = mAlpha / (mAlpha + mBeta)
    mTau = (1 / (mAlpha + mBeta)) / qt
    vh = v
    if (fabs(vh + 60) < 1e-6) {
        vh = -60 + 1e-4
    }
    hAlpha = -0.015 * (vh + 60) / (1 - exp((vh + 60) / 6))
    hBeta = -0.015 * (-vh - 60) / (1 - exp((-vh - 60) / 6))
    hInf = hAlpha / (hAlpha + hBeta)
    hTau = (1 / (hAlpha + hBeta)) / qt
}
