COMMENT
Nap_Et2: persistent (slowly inactivating) sodium current.

Kinetics: Magistretti J, Alonso A (1999) Biophysical properties and slow voltage-dependent
inactivation of a sustained sodium current in entorhinal cortex layer-II principal neurons:
a whole-cell and single-channel study. J Gen Physiol 114:491-509.
The activation time constant reuses the Colbert & Pan (2002) transient-sodium rates, scaled
by 6, as in the published model.
As used in Hay E, Hill S, Schuermann F, Markram H, Segev I (2011) PLoS Comput Biol 7:e1002107
("Models of neocortical layer 5b pyramidal cells capturing a wide range of dendritic and
perisomatic active properties"; ModelDB 139653).

Written for NeuroDepth from the published equations.

    ina = gNap_Et2bar * m^3 * h * (v - ena)
    mInf = 1/(1 + exp((v + 52.6)/-4.6))
    mTau = 6/(mAlpha + mBeta)/qt,
        mAlpha = 0.182 (v + 38)/(1 - exp(-(v + 38)/6))
        mBeta  = 0.124 (-v - 38)/(1 - exp(-(-v - 38)/6))
    hInf = 1/(1 + exp((v + 48.8)/10))
    hTau = 1/(hAlpha + hBeta)/qt,
        hAlpha = -2.88e-6 (v + 17)/(1 - exp((v + 17)/4.63))
        hBeta  = 6.94e-6 (v + 64.4)/(1 - exp(-(v + 64.4)/2.63))

Signs: both inactivation rates are positive at every v (numerator and denominator change sign
together at the removable singularities v = -17 and v = -64.4 mV). Within 1e-6 mV of a
singularity (v = -38, -17, -64.4) the rate is evaluated at v_half + 1e-4 mV, as the published
model does for v exactly equal to v_half.

Temperature: qt = 2.3^((34 - 21)/10), computed from the constant 34 degC as in the published
model; `celsius` is NOT used.

Units: v, ena (mV); gNap_Et2bar, gNap_Et2 (S/cm2); ina (mA/cm2); mTau, hTau (ms);
rates (1/ms); m, h, mInf, hInf (1).
ENDCOMMENT

NEURON {
    SUFFIX Nap_Et2
    USEION na READ ena WRITE ina
    RANGE gNap_Et2bar, gNap_Et2, ina
    RANGE mInf, mTau, hInf, hTau
    THREADSAFE
}

UNITS {
    (S) = (siemens)
    (mV) = (millivolt)
    (mA) = (milliamp)
}

PARAMETER {
    gNap_Et2bar = 0.00001 (S/cm2)   : maximal conductance
}

ASSIGNED {
    v (mV)                 : membrane potential
    ena (mV)               : sodium reversal potential
    ina (mA/cm2)           : sodium current
    gNap_Et2 (S/cm2)       : open conductance
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
    gNap_Et2 = gNap_Et2bar * m * m * m * h
    ina = gNap_Et2 * (v - ena)
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
    LOCAL qt, vx, mAlpha, mBeta, hAlpha, hBeta
    qt = 2.3^((34 - 21) / 10)   : fixed at 34 degC, independent of celsius
    mInf = 1 / (1 + exp((v + 52.6) / -4.6))
    vx = v
    if (fabs(vx + 38) < 1e-6) {
        vx = -38 + 1e-4
    }
    mAlpha = 0.182 * (vx + 38) / (1 - exp(-(vx + 38) / 6))
    mBeta = 0.124 * (-vx - 38) / (1 - exp(-(-vx - 38) / 6))
    mTau = 6 * (1 / (mAlpha + mBeta)) / qt

    hInf = 1 / (1 + exp((v + 48.8) / 10))
    vx = v
    if (fabs(vx + 17) < 1e-6) {
        vx = -17 + 1e-4
    }
    hAlpha = -2.88e-6 * (vx + 17) / (1 - exp((vx + 17) / 4.63))
    vx = v
    if (fabs(vx + 64.4) < 1e-6) {
        vx = -64.4 + 1e-4
    }
    hBeta = 6.94e-6 * (vx + 64.4) / (1 - exp(-(vx + 64.4) / 2.63))
    hTau = (1 / (hAlpha + hBeta)) / qt
}
