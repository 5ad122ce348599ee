COMMENT
K_Pst: slow, persistent (slowly inactivating) potassium current, in the form used by the
newer Allen all-active models (parameter gbar_K_Pst).

Kinetics: Korngreen A, Sakmann B (2000) Voltage-gated K+ channels in layer 5 neocortical
pyramidal neurones from young rats: subtypes and gradients. J Physiol 525:621-639.
Allen version: Nandi A, Chartrand T, Van Geit W, Buchin A, Yao Z, Lee SY, Wei Y, Kalmbach B,
Lee B, Lein E, Berg J, Sumbul U, Koch C, Tasic B, Anastassiou CA (2022) Single-neuron models
linking electrophysiology, morphology, and transcriptomics across cortical cell types. Cell
Reports 40:111176. Channel set and naming follow Gouwens NW et al. (2018) Nat Commun 9:710
("Systematic generation of biophysically detailed models for diverse cortical neuron types").

Written for NeuroDepth from the published equations.

    ik = gbar * m^2 * h * (v - ek)
    with w = v + 10 (junction-potential shift, see below):
    mInf = 1/(1 + exp(-(w + 1)/12))
    mTau = (1.25 + 175.03 exp(0.026 w))/qt     for w < -50 mV
         = (1.25 + 13 exp(-0.026 w))/qt        for w >= -50 mV
    hInf = 1/(1 + exp((w + 54)/11))
    hTau = (360 + (1010 + 24 (w + 55)) exp(-((w + 75)/48)^2))/qt

The Korngreen & Sakmann curves were measured without junction-potential correction; the
model evaluates them at v + 10 mV (every curve and the mTau break point move 10 mV more
negative: the break is at v = -60 mV, and mInf = 1/(1 + exp(-(v + 11)/12))).

Differences from benchmark/mod/hay2011/K_Pst.mod: the same kinetics, but the Allen names
(gbar, g). The two catalogues define the same SUFFIX and must never share a process.

Temperature: qt = 2.3^((34 - 21)/10) = 2.95, computed from the constant 34 degC as in the
published model; `celsius` is NOT used.

Units: v, ek (mV); gbar, g (S/cm2); ik (mA/cm2); mTau, hTau (ms); m, h, mInf, hInf (1).
ENDCOMMENT

NEURON {
    SUFFIX K_Pst
    USEION k READ ek WRITE ik
    RANGE gbar, g, ik
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
    g = gbar * m * m * h
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
    LOCAL qt, w
    qt = 2.3^((34 - 21) / 10)   : fixed at 34 degC, independent of celsius
    w = v + 10                  : 10 mV junction-potential shift
    mInf = 1 / (1 + exp(-(w + 1) / 12))
    if (w < -50) {
        mTau = (1.25 + 175.03 * exp(0.026 * w)) / qt
    } else {
        mTau = (1.25 + 13 * exp(-0.026 * w)) / qt
    }
    hInf = 1 / (1 + exp((w + 54) / 11))
    hTau = (360 + (1010 + 24 * (w + 55)) * exp(-((w + 75) / 48)^2)) / qt
}
