COMMENT
NaTs2_t: fast, transient (inactivating) sodium current, somatodendritic variant, in the
form used by the newer Allen all-active models (parameter gbar_NaTs2_t).

Kinetics: Colbert CM, Pan E (2002) Ion channel properties underlying axonal action potential
initiation in pyramidal neurons. Nat Neurosci 5:533-538 (the Hay 2011 NaTa_t curves shifted
by +6 mV).
Allen version: Nandi A, Chartrand T, Van Geit W, Buchin A, Yao Z, Lee SY, Wei Y, Kalmbach B,
Lee B, Lein E, Berg J, Sumbul U, Koch C, Tasic B, Anastassiou CA (2022) Single-neuron models
linking electrophysiology, morphology, and transcriptomics across cortical cell types. Cell
Reports 40:111176. Channel set and naming follow Gouwens NW et al. (2018) Nat Commun 9:710
("Systematic generation of biophysically detailed models for diverse cortical neuron types").

Written for NeuroDepth from the published equations.

    ina = gbar * m^3 * h * (v - ena)
    m: alpha = 0.182 (v + 32)/(1 - exp(-(v + 32)/6))
       beta  = 0.124 (-v - 32)/(1 - exp(-(-v - 32)/6))
    h: alpha = 0.015 (-v - 60)/(1 - exp(-(-v - 60)/6))
       beta  = 0.015 (v + 60)/(1 - exp(-(v + 60)/6))
    xInf = alpha/(alpha + beta), xTau = 1/(alpha + beta)/qt

Differences from benchmark/mod/hay2011/NaTs2_t.mod: the same kinetics, but the Allen names
(gbar, g instead of gNaTs2_tbar, gNaTs2_t), so that Allen fit files apply unchanged. The two
catalogues define the same SUFFIX and must never be loaded into one process.

Both rates of a gate share one removable singularity (v = -32 for m, v = -60 for h); within
1e-6 mV of it the rates are evaluated at v_half + 1e-4 mV.

Temperature: qt = 2.3^((34 - 21)/10) = 2.95, computed from the constant 34 degC as in the
published model (recordings at 21 degC, model at 34 degC); `celsius` is NOT used.

Units: v, ena (mV); gbar, g (S/cm2); ina (mA/cm2); mTau, hTau (ms); m, h, mInf, hInf (1).
ENDCOMMENT

NEURON {
    SUFFIX NaTs2_t
    USEION na READ ena WRITE ina
    RANGE gbar, g, ina
    RANGE mInf, mTau, hInf, hTau
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
    ena (mV)               : sodium reversal potential
    ina (mA/cm2)           : sodium current
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
    g = gbar * m * m * m * h
    ina = g * (v - ena)
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

FUNCTION linexp(x (mV), k (mV)) (mV) {
    : x/(1 - exp(-x/k)); the caller keeps x away from 0
    linexp = x / (1 - exp(-x / k))
}

PROCEDURE rates() {
    LOCAL qt, u, up, down
    qt = 2.3^((34 - 21) / 10)   : fixed at 34 degC, independent of celsius
    u = v
    if (fabs(u + 32) < 1e-6) {
        u = -32 + 1e-4
    }
    up = 0.182 * linexp(u + 32, 6)
    down = 0.124 * linexp(-u - 32, 6)
    mInf = up / (up + down)
    mTau = 1 / (up + down) / qt
    u = v
    if (fabs(u + 60) < 1e-6) {
        u = -60 + 1e-4
    }
    up = 0.015 * linexp(-u - 60, 6)
    down = 0.015 * linexp(u + 60, 6)
    hInf = up / (up + down)
    hTau = 1 / (up + down) / qt
}
