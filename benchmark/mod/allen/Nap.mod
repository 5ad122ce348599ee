COMMENT
Nap: persistent (slowly inactivating) sodium current with instantaneous activation
(Allen perisomatic version).

Kinetics: Magistretti J, Alonso A (1999) Biophysical properties and slow voltage-dependent
inactivation of a sustained sodium current in entorhinal cortex layer-II principal neurons:
a whole-cell and single-channel study. J Gen Physiol 114:491-509.
Allen version: Gouwens NW, Berg J, Feng D, Sorensen SA, Zeng H, Hawrylycz MJ, Koch C,
Arkhipov A (2018) Systematic generation of biophysically detailed models for diverse cortical
neuron types. Nat Commun 9:710 (and its Supplementary Information, table of channel models).
Used by the Allen Cell Types Database "Biophysical - perisomatic" models (soma).

Written for NeuroDepth from the published equations.

    ina = gbar * mInf(v) * h * (v - ena)      (activation instantaneous, first power)
    mInf = 1/(1 + exp(-(v + 52.6)/4.6))
    hInf = 1/(1 + exp((v + 48.8)/10))
    hTau = 1/(hAlpha + hBeta)/qt,
        hAlpha = 2.88e-6 (v + 17)/(exp((v + 17)/4.63) - 1)
        hBeta  = 6.94e-6 (v + 64.4)/(1 - exp(-(v + 64.4)/2.63))

Differences from the Hay 2011 Nap_Et2 (m^3 h with a relaxing m): activation is taken as
instantaneous, as Magistretti & Alonso modelled it, and enters to the first power; the
inactivation kinetics are the same.

Both inactivation rates are positive at every v. Within 1e-6 mV of a removable singularity
(v = -17 mV for hAlpha, v = -64.4 mV for hBeta) that rate is evaluated at v_half + 1e-4 mV.

Temperature: qt = 2.3^((celsius - 21)/10) (2.95 at 34 degC).

Units: v, ena (mV); gbar, g (S/cm2); ina (mA/cm2); hTau (ms); hAlpha, hBeta (1/ms);
h, mInf, hInf (1).
ENDCOMMENT

NEURON {
    SUFFIX Nap
    USEION na READ ena WRITE ina
    RANGE gbar, g, ina
    RANGE mInf, hInf, hTau
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
    ena (mV)               : sodium reversal potential
    ina (mA/cm2)           : sodium current
    g (S/cm2)              : open conductance
    mInf (1)               : (instantaneous) activation
    hInf (1)               : inactivation steady state
    hTau (ms)              : inactivation time constant
}

STATE {
    h (1)
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    rates()
    g = gbar * mInf * h
    ina = g * (v - ena)
}

DERIVATIVE states {
    rates()
    h' = (hInf - h) / hTau
}

INITIAL {
    rates()
    h = hInf
}

PROCEDURE rates() {
    LOCAL qt, u, hAlpha, hBeta
    qt = 2.3^((celsius - 21) / 10)
    mInf = 1 / (1 + exp(-(v + 52.6) / 4.6))
    hInf = 1 / (1 + exp((v + 48.8) / 10))
    u = v
    if (fabs(u + 17) < 1e-6) {
        u = -17 + 1e-4
    }
    hAlpha = 2.88e-6 * (u + 17) / (exp((u + 17) / 4.63) - 1)
    u = v
    if (fabs(u + 64.4) < 1e-6) {
        u = -64.4 + 1e-4
    }
    hBeta = 6.94e-6 * (u + 64.4) / (1 - exp(-(u + 64.4) / 2.63))
    hTau = 1 / (hAlpha + hBeta) / qt
}
