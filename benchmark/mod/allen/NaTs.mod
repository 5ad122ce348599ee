COMMENT
NaTs: fast, transient (inactivating) sodium current, somatic variant (Allen version).

Kinetics: Colbert CM, Pan E (2002) Ion channel properties underlying axonal action potential
initiation in pyramidal neurons. Nat Neurosci 5:533-538.
Allen version: Gouwens NW, Berg J, Feng D, Sorensen SA, Zeng H, Hawrylycz MJ, Koch C,
Arkhipov A (2018) Systematic generation of biophysically detailed models for diverse cortical
neuron types. Nat Commun 9:710 (and its Supplementary Information, table of channel models).
Used by the Allen Cell Types Database "Biophysical - perisomatic" models (soma).

Written for NeuroDepth from the published equations.

    ina = gbar * m^3 * h * (v - ena)
    m: alpha = malphaF (v - mvhalf)/(1 - exp(-(v - mvhalf)/mk))
       beta  = mbetaF (mvhalf - v)/(1 - exp(-(mvhalf - v)/mk))
    h: alpha = halphaF (hvhalf - v)/(1 - exp(-(hvhalf - v)/hk))
       beta  = hbetaF (v - hvhalf)/(1 - exp(-(v - hvhalf)/hk))
    xInf = alpha/(alpha + beta), xTau = 1/(alpha + beta)/qt
    defaults: malphaF 0.182, mbetaF 0.124 (1/ms/mV), mvhalf -40 mV, mk 6 mV;
              halphaF 0.015, hbetaF 0.015 (1/ms/mV), hvhalf -66 mV, hk 6 mV.

Compared with the Hay 2011 NaTa_t/NaTs2_t forms, the half-activation points are parameters
(GLOBAL, defaults above) and the rates carry a celsius-dependent Q10 factor.

Both rates of a gate share one removable singularity (v = mvhalf for m, v = hvhalf for h);
within 1e-6 mV of it the rates are evaluated at v_half + 1e-4 mV.

Temperature: qt = 2.3^((celsius - 23)/10) (Colbert & Pan recorded at 23 degC; 2.50 at 34).

Units: v, ena, mvhalf, hvhalf, mk, hk (mV); malphaF, mbetaF, halphaF, hbetaF (1/(ms mV));
gbar, g (S/cm2); ina (mA/cm2); mTau, hTau (ms); m, h, mInf, hInf (1).
ENDCOMMENT

NEURON {
    SUFFIX NaTs
    USEION na READ ena WRITE ina
    RANGE gbar, g, ina
    RANGE mInf, mTau, hInf, hTau
    GLOBAL malphaF, mbetaF, mvhalf, mk, halphaF, hbetaF, hvhalf, hk
    THREADSAFE
}

UNITS {
    (S) = (siemens)
    (mV) = (millivolt)
    (mA) = (milliamp)
}

PARAMETER {
    gbar = 0.00001 (S/cm2)   : maximal conductance
    malphaF = 0.182 (/ms/mV) : activation, forward rate slope
    mbetaF = 0.124 (/ms/mV)  : activation, backward rate slope
    mvhalf = -40 (mV)        : activation midpoint of the rate functions
    mk = 6 (mV)              : activation rate steepness
    halphaF = 0.015 (/ms/mV) : inactivation removal rate slope
    hbetaF = 0.015 (/ms/mV)  : inactivation onset rate slope
    hvhalf = -66 (mV)        : inactivation midpoint of the rate functions
    hk = 6 (mV)              : inactivation rate steepness
}

ASSIGNED {
    v (mV)                 : membrane potential
    celsius (degC)         : temperature
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
    qt = 2.3^((celsius - 23) / 10)
    u = v
    if (fabs(u - mvhalf) < 1e-6) {
        u = mvhalf + 1e-4
    }
    up = malphaF * linexp(u - mvhalf, mk)
    down = mbetaF * linexp(mvhalf - u, mk)
    mInf = up / (up + down)
    mTau = 1 / (up + down) / qt
    u = v
    if (fabs(u - hvhalf) < 1e-6) {
        u = hvhalf + 1e-4
    }
    up = halphaF * linexp(hvhalf - u, hk)
    down = hbetaF * linexp(u - hvhalf, hk)
    hInf = up / (up + down)
    hTau = 1 / (up + down) / qt
}
