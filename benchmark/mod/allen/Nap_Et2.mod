COMMENT
Nap_Et2: persistent (slowly inactivating) sodium current, in the form used by the newer
Allen all-active models (parameter gbar_Nap_Et2).

Kinetics: Magistretti J, Alonso A (1999) Biophysical properties and slow voltage-dependent
inactivation of a sustained sodium current in entorhinal cortex layer-II principal neurons:
a whole-cell and single-channel study. J Gen Physiol 114:491-509.
The activation time constant reuses the Colbert & Pan (2002) transient-sodium rates, scaled
by 6, as in the Hay 2011 model.
Allen version: Nandi A, Chartrand T, Van Geit W, Buchin A, Yao Z, Lee SY, Wei Y, Kalmbach B,
Lee B, Lein E, Berg J, Sumbul U, Koch C, Tasic B, Anastassiou CA (2022) Single-neuron models
linking electrophysiology, morphology, and transcriptomics across cortical cell types. Cell
Reports 40:111176. Channel set and naming follow Gouwens NW et al. (2018) Nat Commun 9:710
("Systematic generation of biophysically detailed models for diverse cortical neuron types").

Written for NeuroDepth from the published equations.

    ina = gbar * m^3 * h * (v - ena)
    mInf = 1/(1 + exp(-(v + 52.6)/4.6))
    mTau = 6/(mAlpha + mBeta)/qt,
        mAlpha = 0.182 (v + 38)/(1 - exp(-(v + 38)/6))
        mBeta  = 0.124 (-v - 38)/(1 - exp(-(-v - 38)/6))
    hInf = 1/(1 + exp((v + 48.8)/10))
    hTau = 1/(hAlpha + hBeta)/qt,
        hAlpha = 2.88e-6 (v + 17)/(exp((v + 17)/4.63) - 1)
        hBeta  = 6.94e-6 (v + 64.4)/(1 - exp(-(v + 64.4)/2.63))

Differences from benchmark/mod/hay2011/Nap_Et2.mod: the same kinetics, but the Allen names
(gbar, g). The two catalogues define the same SUFFIX and must never share a process.

Within 1e-6 mV of a removable singularity (v = -38 for the m rates, -17 for hAlpha, -64.4 for
hBeta) the rate is evaluated at v_half + 1e-4 mV.

Temperature: qt = 2.3^((34 - 21)/10) = 2.95, computed from the constant 34 degC as in the
published model; `celsius` is NOT used.

Units: v, ena (mV); gbar, g (S/cm2); ina (mA/cm2); mTau, hTau (ms); rates (1/ms);
m, h, mInf, hInf (1).
ENDCOMMENT

NEURON {
    SUFFIX Nap_Et2
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

PROCEDURE rates() {
    LOCAL qt, u, up, down
    qt = 2.3^((34 - 21) / 10)   : fixed at 34 degC, independent of celsius
    mInf = 1 / (1 + exp(-(v + 52.6) / 4.6))
    u = v
    if (fabs(u + 38) < 1e-6) {
        u = -38 + 1e-4
    }
    up = 0.182 * (u + 38) / (1 - exp(-(u + 38) / 6))
    down = 0.124 * (-u - 38) / (1 - exp((u + 38) / 6))
    mTau = 6 / (up + down) / qt

    hInf = 1 / (1 + exp((v + 48.8) / 10))
    u = v
    if (fabs(u + 17) < 1e-6) {
        u = -17 + 1e-4
    }
    up = 2.88e-6 * (u + 17) / (exp((u + 17) / 4.63) - 1)
    u = v
    if (fabs(u + 64.4) < 1e-6) {
        u = -64.4 + 1e-4
    }
    down = 6.94e-6 * (u + 64.4) / (1 - exp(-(u + 64.4) / 2.63))
    hTau = 1 / (up + down) / qt
}
